"""The improvement search of ``method="auto"`` (docs/improve.md): plans that keep every rule, never worse than the
heuristic portfolio's, deterministic for a seed, and better where the portfolio is not optimal."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

import fleetpack as fp
from fleetpack import generators
from fleetpack.exact import heuristics_only

from strategies import hosts, overheads, workloads


def _score(plan: fp.Plan) -> tuple:
    return (-plan.placed, plan.objective_value)


@settings(max_examples=60)
@given(workloads(), hosts(), overheads, st.sampled_from(["hosts", "cost", "spread"]), st.integers(0, 3))
def test_plans_keep_every_rule_and_never_lose_to_the_portfolio(ws, hs, over, objective, seed):
    with heuristics_only():
        portfolio = fp.place(ws, hs, objective=objective, overheads=over)
    with _without_exact_stage():  # only the search stands between the two
        searched = fp.place(ws, hs, objective=objective, overheads=over, seed=seed)
    assert fp.verify(ws, hs, searched, over) == []
    assert _score(searched) <= _score(portfolio)
    # (auto may raise the core's bound by the class LP, fleetpack.exact.classlp)
    assert searched.lower_bound >= portfolio.lower_bound or searched.placed > portfolio.placed
    if searched.strategy != portfolio.strategy:
        # when the portfolio leaves workloads out, auto's count phase may start from another plan; on hosts of
        # several types the shaped plan (docs/improve.md, "Heterogeneous fleets") may be the better start
        if not portfolio.unplaced:
            assert searched.strategy in (f"search({portfolio.strategy})", "shape", "search(shape)")
        assert _score(searched) < _score(portfolio)


class _without_exact_stage:
    """auto's core run (portfolio and search) without the CP-SAT stage after it."""

    def __enter__(self):
        from fleetpack.exact import stage

        self._saved = stage.AUTO_MAX_WORKLOADS
        stage.AUTO_MAX_WORKLOADS = -1
        return self

    def __exit__(self, *exc):
        from fleetpack.exact import stage

        stage.AUTO_MAX_WORKLOADS = self._saved
        return False


def test_triplets_reach_the_optimum_that_ffd_misses():
    inst = generators.falkenauer_triplets(30, seed=1)
    ffd = fp.place(inst.workloads, inst.hosts, method="ffd", overheads=inst.overheads)
    assert ffd.hosts_used > 10
    with _without_exact_stage():  # the default budget, without a time limit
        plan = fp.place(inst.workloads, inst.hosts, overheads=inst.overheads)
    assert plan.hosts_used == 10 and plan.proven_optimal
    assert plan.strategy.startswith("search(")
    assert fp.verify(inst.workloads, inst.hosts, plan, inst.overheads) == []


def test_deterministic_for_a_seed_and_seeds_reach_the_core():
    inst = generators.realistic_fleet(300, seed=4)
    with _without_exact_stage():
        plans = [fp.place(inst.workloads, inst.hosts, seed=seed, objective=objective)
                 for seed in (0, 0, 5) for objective in ("hosts", "spread")]
    for plan in plans:
        assert fp.verify(inst.workloads, inst.hosts, plan) == []
    strip = lambda plan: plan.to_dict() | {"elapsed": 0}  # noqa: E731
    assert strip(plans[0]) == strip(plans[2]) and strip(plans[1]) == strip(plans[3])


def test_realistic_fleets_improve_under_every_rule():
    # replica sets (anti-affinity), tenant isolation, dedicated workloads, VMs and containers, mixed hosts
    better = 0
    for seed in range(3):
        inst = generators.realistic_fleet(400, seed=seed)
        with heuristics_only():
            portfolio = fp.place(inst.workloads, inst.hosts, objective="cost")
        with _without_exact_stage():
            plan = fp.place(inst.workloads, inst.hosts, objective="cost", seed=seed)
        assert fp.verify(inst.workloads, inst.hosts, plan) == []
        assert _score(plan) <= _score(portfolio)
        better += _score(plan) < _score(portfolio)
    assert better >= 1


def test_place_many_passes_the_seed_and_keeps_the_plans_of_place():
    inst = generators.falkenauer_triplets(30, seed=2)
    problems = [(inst.workloads, inst.hosts)] * 2
    with _without_exact_stage():
        many = fp.place_many(problems, overheads=inst.overheads, seed=7, workers=2)
        one = fp.place(inst.workloads, inst.hosts, overheads=inst.overheads, seed=7)
    for plan in many:
        assert plan.assignments == one.assignments and plan.strategy == one.strategy


def test_a_time_limit_gives_a_valid_plan_at_least_as_good():
    inst = generators.falkenauer_triplets(120, seed=3)
    with heuristics_only():
        portfolio = fp.place(inst.workloads, inst.hosts, overheads=inst.overheads)
    plan = fp.place(inst.workloads, inst.hosts, overheads=inst.overheads, time_limit=0.3)
    assert fp.verify(inst.workloads, inst.hosts, plan, inst.overheads) == []
    assert plan.hosts_used <= portfolio.hosts_used
