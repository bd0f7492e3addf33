"""Types of the Rust extension `fleetpack._core` (rust/python/src/lib.rs). tests/test_core_stub.py checks this stub
against the compiled module (the same functions, the same arguments, the same keys in and out) and
tests/model/test_wire.py against the wire format of fleetpack/model/wire.py."""

from typing import NotRequired, TypedDict

import numpy as np
from numpy.typing import NDArray

__version__: str

class ProblemArrays(TypedDict):
    """A problem as the core reads it (`Problem.encode()`): n workloads, m hosts, d dimensions."""

    demand: NDArray[np.uint64] | tuple[NDArray[np.uint64], ...]  # n × d, or d columns of n
    allowed: NDArray[np.uint8]  # per workload, its forms: 1 container, 2 VM, 3 either
    w_os: NDArray[np.uint32]  # per workload, its OS code
    tenant: NDArray[np.uint32]  # per workload, its tenant code
    isolation: NDArray[np.uint8]  # 0 none, 1 tenant, 2 dedicated
    group: NDArray[np.uint32]  # anti-affinity group + 1; 0: none
    capacity: NDArray[np.uint64] | tuple[NDArray[np.uint64], ...]  # m × d, or d columns of m
    h_os: NDArray[np.uint32]  # per host, its OS code
    hypervisor: NDArray[np.uint8]  # 0 none, 1 hardware, 2 paravirtual, 3 software
    containers: NDArray[np.bool_]  # per host, whether it runs containers
    cost: NDArray[np.float64]  # per host
    max_workloads: NDArray[np.uint64]  # per host; 2**64 - 1: no cap
    factor_ppm: NDArray[np.uint64]  # a VM's CPU factor per hypervisor (hardware, paravirtual, software), ppm
    vm: NDArray[np.uint64]  # per dimension, a VM's fixed overhead
    container: NDArray[np.uint64]  # per dimension, a container's
    hypervisor_overhead: NDArray[np.uint64]  # per dimension, a host's that runs VMs
    runtime_overhead: NDArray[np.uint64]  # per dimension, a host's that runs containers
    # the live part (issue 15), sent only for a live fleet (some current host, or a drain); absent: none
    current_host: NotRequired[NDArray[np.int64]]  # per workload, its current host's row; -1: none
    current_form: NotRequired[NDArray[np.int8]]  # per workload, 0 container, 1 VM, -1 either
    pinned: NotRequired[NDArray[np.bool_]]  # per workload, whether it must stay
    move_cost: NotRequired[NDArray[np.uint64]]  # per workload, what moving it costs
    drain: NotRequired[NDArray[np.bool_]]  # per host, whether it must end empty
    max_moves: NotRequired[int]  # the budgets (u64); absent: no cap
    max_move_cost: NotRequired[int]
    # static eligibility (issue 16), sent only when some workload may not use some host; absent: every host
    eligibility_class: NotRequired[NDArray[np.uint32]]  # per workload, its row of `eligible`
    eligible: NotRequired[NDArray[np.bool_]]  # classes x hosts: whether a class's workloads may use the host
    # group rules (issue 16, model/group_rules.py), sent only when rules are given; absent: none
    domain: NotRequired[NDArray[np.uint32]]  # keys x hosts: 1 + the index of the host's label value; 0: no label
    rule_kind: NotRequired[NDArray[np.uint8]]  # per rule: 0 anti-affinity, 1 affinity, 2 spread
    rule_key: NotRequired[NDArray[np.uint32]]  # per rule, a row of `domain`; 2**32 - 1: host scope
    rule_cap: NotRequired[NDArray[np.uint32]]  # per rule, max_per_domain or max_skew; 0 for affinity
    rule_min_domains: NotRequired[NDArray[np.uint32]]  # per rule, spread's min_domains; 0: none
    rule_weight: NotRequired[NDArray[np.uint64]]  # per rule, 0: hard; else the penalty per unit of excess
    rule_offsets: NotRequired[NDArray[np.uint32]]  # rules + 1: rule r's members are rule_members[offsets[r]:offsets[r + 1]]
    rule_members: NotRequired[NDArray[np.uint32]]  # workload rows, ascending per rule
    # allocation ratios and headroom (issue 16), sent only when some ratio or usable share is not 1; each absent key
    # is its default (ratio 1, every workload at ratio, every dimension wholly usable)
    ratio_ppm: NotRequired[NDArray[np.uint64]]  # hosts x dimensions: allocation ratio in parts per million (>= 10**6)
    overcommit: NotRequired[NDArray[np.bool_]]  # per workload: its demand counts at its host's ratio
    usable_ppm: NotRequired[NDArray[np.uint64]]  # per dimension: the usable share of every host, in ppm (1..10**6)

class CoreAnswer(TypedDict):
    """One solve's answer, per workload in input order and per host in input order."""

    host_index: NDArray[np.int64]  # -1: unplaced
    form_codes: NDArray[np.uint8]  # 0 container, 1 VM, 255 unplaced
    used: NDArray[np.uint64]  # hosts × dimensions, overheads included
    strategy: str
    objective_value: float
    lower_bound: float
    bound_reason: str  # which rule makes the lower bound, in words
    hosts_used: int
    cost: float  # of the hosts used
    moves: int  # live fleets: workloads moved (another host, another form than current_form, or unplaced); else 0
    move_cost: int  # their summed move cost; else 0
    pin_conflicts: NDArray[np.int64]  # pinned workloads that do not fit their place (left out); else empty
    forced_moves: NDArray[np.int64]  # workloads with a current host that could not stay there; else empty
    penalty: NotRequired[int]  # with group rules: the soft rules' summed weight x excess
    elapsed: float  # seconds the core took to solve, conversions aside

# (arrays, method, sort_key, objective, time_limit, seed, search_work): `place`'s arguments, one job of place_many
Job = tuple[ProblemArrays, str, str, str, float | None, int, int | None]

def place(
    arrays: ProblemArrays,
    method: str,
    sort_key: str,
    objective: str,
    time_limit: float | None = None,
    seed: int = 0,
    search_work: int | None = None,
) -> CoreAnswer: ...
def place_many(jobs: list[Job], workers: int) -> list[CoreAnswer]: ...
def lower_bound(arrays: ProblemArrays, objective: str, placed: int) -> float: ...
def knapsack(
    sizes: NDArray[np.uint64],
    values: NDArray[np.float64],
    caps: NDArray[np.uint64],
    room: tuple[int, int],
    relaxed: bool = False,
) -> tuple[float, NDArray[np.uint64]]: ...
def _panic_for_tests(message: str, quick: bool = False) -> None: ...
