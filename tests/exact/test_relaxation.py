"""The assignment model's own relaxation with the rule cuts (`fleetpack.exact.relax`, `fleetpack.exact.cuts`): a
sound bound (never above the optimum that the models without them prove), and the bound the cuts are for."""

from __future__ import annotations

import math

import pytest

import fleetpack as fp
from fleetpack import generators
from fleetpack.exact.assignment import _assignment_model
from fleetpack.exact.instance import _Instance
from fleetpack.exact.relax import lp_bound
from fleetpack.exact.symmetry import pruning
from fleetpack.model.inputs import build_problem


def _relaxed(fleet, objective: str, ub: int | None = None) -> tuple[float, _Instance]:
    """The relaxation's bound (solver units) of the full-placement assignment model, and the instance."""
    problem = build_problem(fleet.workloads, fleet.hosts, fleet.overheads).materialize()
    inst = _Instance(problem, objective)
    model, *_ = _assignment_model(inst, True, inst.placeable, 0, ub, 1)
    relaxed = lp_bound(model)
    assert relaxed is not None
    return relaxed[0], inst


FLEETS = [("realistic", n, seed) for n, seed in ((12, 0), (16, 1), (20, 2), (24, 3))] + \
         [("ruled", hosts, seed) for hosts, seed in ((3, 0), (4, 1), (5, 2))]


@pytest.mark.parametrize("objective", ["hosts", "cost"])
@pytest.mark.parametrize("kind, size, seed", FLEETS)
def test_the_relaxation_never_exceeds_the_optimum(kind, size, seed, objective):
    fleet = generators.realistic_fleet(size, seed) if kind == "realistic" else generators.ruled_fleet(size, seed)
    with pruning(False):  # the optimum by the models without the cuts and the relaxation
        plan = fp.place(fleet.workloads, fleet.hosts, overheads=fleet.overheads, objective=objective,
                        method="exact", time_limit=30, workers=2)
    if not plan.proven_optimal:
        pytest.skip("not proven within the limit")
    bound, inst = _relaxed(fleet, objective)
    optimum = inst.value_int([None if j < 0 else int(j) for j in plan.host_index],
                             [plan.form_of(w.id) for w in fleet.workloads])
    assert math.ceil(bound) <= optimum
    # with the cuts and the relaxation: the bound as reported stays below, and no optimum is cut off
    exact = fp.place(fleet.workloads, fleet.hosts, overheads=fleet.overheads, objective=objective, method="exact",
                     time_limit=30, workers=2)
    assert exact.lower_bound <= plan.objective_value + 1e-9
    if exact.proven_optimal:
        assert exact.objective_value == pytest.approx(plan.objective_value)


def test_dedicated_workloads_isolated_tenants_and_a_group_add_up():
    # realistic_fleet(100, 0): 4 dedicated workloads, 3 isolated tenants, and 4 replicas of a fourth tenant's web
    # service kept apart: 11 hosts, the plan's count (the core's bound is 8, a clique of 8 workloads)
    fleet = generators.realistic_fleet(100, 0)
    bound, _ = _relaxed(fleet, "hosts", ub=11)
    assert math.ceil(bound) == 11
    with pruning(False):
        without, _ = _relaxed(fleet, "hosts", ub=11)
    assert math.ceil(without) < 11


def test_a_dedicated_member_of_a_group_and_isolated_tenants():
    # the rows count a dedicated member of an anti-affinity group once; isolated tenants beside a group of another
    hosts = [fp.Host(f"h{k}", cpu=16, memory="64Gi") for k in range(6)]
    workloads = [fp.Workload("d", cpu=2, memory="4Gi", isolation="dedicated", anti_affinity="g", tenant="a"),
                 fp.Workload("b", cpu=1, memory="1Gi", form="container", anti_affinity="g", tenant="a"),
                 fp.Workload("c", cpu=1, memory="1Gi", form="container", anti_affinity="g", tenant="a"),
                 fp.Workload("i", cpu=1, memory="1Gi", form="container", isolation="tenant", tenant="x"),
                 fp.Workload("j", cpu=1, memory="1Gi", form="container", isolation="tenant", tenant="y")]
    for objective in ("hosts", "cost"):
        with pruning(False):
            want = fp.place(workloads, hosts, objective=objective, method="exact", time_limit=20, workers=2)
        got = fp.place(workloads, hosts, objective=objective, method="exact", time_limit=20, workers=2)
        assert want.proven_optimal and got.proven_optimal
        assert got.objective_value == pytest.approx(want.objective_value)
        # d alone, b and c apart, and neither beside the isolated tenants x and y, each on a host of its own
        assert got.hosts_used == 5 and got.lower_bound == 5
