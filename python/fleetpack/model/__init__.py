"""The model: workloads, hosts and overheads (`objects`), quantities (`units`), the validated problem in rows or
columns (`problem`, `columnar`, one entry `inputs.build_problem`), the rules (`rules`) and the wire format between
Python and the Rust core (`wire`)."""

from .inputs import ProblemLike, build_problem
from .objects import (FORMS, HYPERVISORS, ISOLATIONS, MAX_COST, Form, Host, Hypervisor, Isolation, Overheads,
                      Resources, Workload, as_host, as_overheads, as_workload, gather_overheads)
from .problem import Problem
from .wire import Answer

__all__ = [
    "Workload",
    "Host",
    "Overheads",
    "Resources",
    "Form",
    "Isolation",
    "Hypervisor",
    "FORMS",
    "ISOLATIONS",
    "HYPERVISORS",
    "MAX_COST",
    "as_workload",
    "as_host",
    "as_overheads",
    "gather_overheads",
    "Problem",
    "ProblemLike",
    "build_problem",
    "Answer",
]
