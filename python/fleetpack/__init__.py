"""fleetpack: place workloads on hosts as VMs or containers, and pack the fleet tight.

>>> import fleetpack as fp
>>> plan = fp.place([fp.Workload("web", cpu=2, memory="4Gi")], [fp.Host("h1", cpu=16, memory="64Gi")])
>>> plan.host_of("web"), plan.form_of("web")
('h1', 'container')
"""

from .api import place, place_many
from .capacity import CapacityPlan, plan_capacity
from .distributed import place_iter
from .errors import ErrorDetail, FleetpackError, FleetpackWarning, InfeasibleError, ValidationError
from .fleetfile import Fleet, load_fleet
from .frontier import Frontier, replan_frontier
from .kube import from_kubernetes
from .model.group_rules import Affinity, AntiAffinity, Spread
from .model.hosttypes import HostType
from .model.objects import Host, Overheads, Resources, Workload
from .plan import Assignment, Move, Plan, Unplaced
from .verify import Violation
from .verify_capacity import verify, verify_capacity

__all__ = [
    "place",
    "place_many",
    "plan_capacity",
    "CapacityPlan",
    "HostType",
    "verify_capacity",
    "place_iter",
    "replan_frontier",
    "Frontier",
    "verify",
    "from_kubernetes",
    "Fleet",
    "load_fleet",
    "Workload",
    "Host",
    "AntiAffinity",
    "Affinity",
    "Spread",
    "Overheads",
    "Resources",
    "Plan",
    "Assignment",
    "Move",
    "Unplaced",
    "Violation",
    "FleetpackError",
    "FleetpackWarning",
    "ValidationError",
    "InfeasibleError",
    "ErrorDetail",
]

__version__ = "0.1.0"
