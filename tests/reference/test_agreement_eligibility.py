"""Host eligibility by labels, selectors, taints and tolerations (issue 16, first slice) in the four places: the core
and the pure-Python reference give the same plans (assignments, bounds and their reasons) on random labelled fleets,
every plan (theirs and CP-SAT's) passes the independent verifier, the bounds stay below CP-SAT's proven optimum,
and labels that restrict nothing leave plans as they were."""

from dataclasses import replace

from hypothesis import HealthCheck, given, settings, strategies as st

import fleetpack as fp
import fleetpack.baseline
from fleetpack import _core
from fleetpack.exact import heuristics_only, search
from fleetpack.model.inputs import build_problem
from fleetpack.reference.bounds import lower_bound_explained

from strategies import eligibility_fleets, hosts, live_fleets, workloads

METHODS = ["ff", "ffd", "bfd", "wfd", "auto"]


@settings(max_examples=150, deadline=None)
@given(eligibility_fleets(), st.sampled_from(METHODS), st.sampled_from(["sum", "max", "l2", "prod"]),
       st.sampled_from(["hosts", "cost", "spread"]))
def test_core_equals_reference_with_eligibility(fleet, method, sort_key, objective):
    ws, hs, over = fleet
    kwargs = {"method": method, "sort_key": sort_key, "objective": objective, "overheads": over}
    with heuristics_only():  # "auto" as its heuristic portfolio, as the reference runs it
        core = fp.place(ws, hs, **kwargs)
    reference = fleetpack.baseline.place(ws, hs, **kwargs)
    assert core.assignments == reference.assignments
    assert core.strategy == reference.strategy
    assert (core.lower_bound, core.bound_reason) == (reference.lower_bound, reference.bound_reason)
    assert core.objective_value == reference.objective_value
    assert {k: u for k, u in core.unplaced.items()} == {k: u for k, u in reference.unplaced.items()}
    assert fp.verify(ws, hs, core, over) == []


@settings(max_examples=60, deadline=None)
@given(eligibility_fleets(max_workloads=20), st.sampled_from(["hosts", "cost", "spread"]))
def test_auto_plans_are_valid_and_keep_every_workload_on_an_eligible_host(fleet, objective):
    ws, hs, over = fleet
    plan = fp.place(ws, hs, objective=objective, overheads=over)
    assert fp.verify(ws, hs, plan, over) == []
    by_id = {h.id: h for h in hs}
    for a in plan.assignments:
        w = next(w for w in ws if w.id == a.workload)
        h = by_id[a.host]
        assert set(h.taints) <= set(w.tolerations)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(eligibility_fleets(max_workloads=8, max_hosts=5), st.sampled_from(["hosts", "cost"]))
def test_bounds_never_exceed_a_proven_optimum_and_exact_plans_are_valid(fleet, objective):
    ws, hs, over = fleet
    problem = build_problem(ws, hs, over).materialize()
    n = len(problem.workloads)
    r = search.solve(problem, objective, ([None] * n, [None] * n, "none", 0), time_limit=10)
    if not r.optimal or r.formulation in ("bound", "none"):
        return
    placed = sum(j is not None for j in r.hosts)
    value = search._float_value(problem, objective, r.hosts, r.forms)
    assert _core.lower_bound(problem.encode(), objective, placed) <= value + 1e-9 * max(1.0, value)
    assert lower_bound_explained(problem, objective, placed)[0] <= value + 1e-9 * max(1.0, value)
    plan = {problem.workloads[i].id: (problem.hosts[j].id, f) for i, (j, f) in enumerate(zip(r.hosts, r.forms))
            if j is not None}
    assert fp.verify(ws, hs, plan, over) == []


@settings(max_examples=60, deadline=None)
@given(workloads(), hosts(), st.sampled_from(["ffd", "bfd", "auto"]))
def test_labels_that_restrict_nothing_change_no_plan(ws, hs, method):
    plain = fp.place(ws, hs, method=method)
    # labels on every host, selectors every host meets, tolerations of taints no host has
    labelled_hosts = [replace(h, labels={"zone": "a", "rack": h.id}) for h in hs]
    labelled = [replace(w, selector={"zone": ["a", "b"]} if k % 2 else None, tolerations=("gpu",))
                for k, w in enumerate(ws)]
    assert build_problem(labelled, labelled_hosts).encode().keys() == build_problem(ws, hs).encode().keys()
    again = fp.place(labelled, labelled_hosts, method=method)
    assert again.assignments == plain.assignments
    assert (again.lower_bound, again.bound_reason) == (plain.lower_bound, plain.bound_reason)


def _hosts():
    return [fp.Host("h1", cpu=8, memory="32Gi", labels={"zone": "a"}),
            fp.Host("h2", cpu=8, memory="32Gi", labels={"zone": "b", "licence": "oracle"}, taints=["db"]),
            fp.Host("h3", cpu=8, memory="32Gi", labels={"zone": "b"}, taints=["gpu"])]


def test_selectors_and_taints_place_each_workload_where_it_may_run():
    ws = [fp.Workload("ora", cpu=1, memory="1Gi", selector={"licence": "oracle"}, tolerations=["db"]),
          fp.Workload("web", cpu=1, memory="1Gi", selector={"zone": ["b", "c"]}, tolerations=["gpu"]),
          fp.Workload("any", cpu=1, memory="1Gi"),
          fp.Workload("not-a", cpu=1, memory="1Gi", selector={"zone": {"not_in": ["a"]}}, tolerations=["gpu", "db"]),
          fp.Workload("no-licence", cpu=1, memory="1Gi", selector={"licence": {"exists": False}},
                      tolerations=["db", "gpu"])]
    for method in METHODS:
        plan = fp.place(ws, _hosts(), method=method)
        assert plan.host_of("ora") == "h2" and plan.host_of("web") == "h3" and plan.host_of("any") == "h1"
        assert plan.host_of("not-a") in ("h2", "h3") and plan.host_of("no-licence") in ("h1", "h3")
        assert fp.verify(ws, _hosts(), plan) == []


def test_unplaced_reasons_name_the_label_or_the_taint():
    ws = [fp.Workload("w1", cpu=1, selector={"licence": "oracle"}),
          fp.Workload("w2", cpu=1, selector={"zone": "c"}),
          fp.Workload("w3", cpu=1, selector={"gpu": None}),
          fp.Workload("w4", cpu=1, selector={"zone": "b", "licence": {"exists": False}}),
          fp.Workload("w5", cpu=1, selector={"zone": {"not_in": ["a", "b"]}})]
    plan = fp.place(ws, _hosts())
    reasons = {k: u.message for k, u in plan.unplaced.items()}
    assert reasons == {
        "w1": "host 'h2' has taint db that 'w1' does not tolerate",
        "w2": "no host has label zone=c",
        "w3": "no host has label gpu",
        "w4": "host 'h3' has taint gpu that 'w4' does not tolerate",
        "w5": "every host has label zone in (a, b)",
    }
    assert {u.code for u in plan.unplaced.values()} == {"no_eligible_host"}
    with_taints = fp.place([fp.Workload("w", cpu=1)], [h for h in _hosts() if h.taints])
    assert with_taints.unplaced["w"].message == ("each of the 2 hosts has a taint that 'w' does not tolerate "
                                                 "('h2': db; 'h3': gpu)")
    with_strict = None
    try:
        fp.place(ws[:1], _hosts(), strict=True)
    except fp.InfeasibleError as error:
        with_strict = str(error)
    assert with_strict is not None and "taint db" in with_strict


def test_the_verifier_reports_a_selector_or_taint_broken():
    ws = [fp.Workload("w1", cpu=1, selector={"zone": "a"}), fp.Workload("w2", cpu=1, selector={"zone": {"in": ["b"]}})]
    violations = fp.verify(ws, _hosts(), {"w1": ("h3", "container"), "w2": ("h2", "vm")})
    assert sorted(v.rule for v in violations) == ["selector", "taint", "taint"]
    assert {(v.workload, v.host) for v in violations} == {("w1", "h3"), ("w2", "h2")}


def test_bad_labels_selectors_taints_and_tolerations_are_reported_at_once():
    try:
        fp.place([fp.Workload("ok", cpu=1), {"id": "w", "selector": {"zone": 3, "rack": {"near": ["x"]}},
                                             "tolerations": "gpu"}],
                 [{"id": "h", "labels": {"zone": 1}, "taints": [""]}, {"id": "g", "labels": ["zone"]}])
    except fp.ValidationError as error:
        fields = sorted((e.where, e.field) for e in error.errors)
    assert fields == [("host 'g'", "labels"), ("host 'h'", "labels.zone"), ("host 'h'", "taints"),
                      ("workload 'w'", "selector.rack"), ("workload 'w'", "selector.zone"),
                      ("workload 'w'", "tolerations")]


def test_a_problem_with_eligibility_round_trips_through_dicts_and_pickles():
    import pickle

    ws = [fp.Workload("w", cpu=1, selector={"zone": ["a", "b"], "gpu": None}, tolerations=["gpu"])]
    hs = _hosts()
    again = [fp.Workload(**w.to_dict()) for w in ws]
    assert [w.to_dict() for w in again] == [w.to_dict() for w in ws]
    assert [(w.selector_terms, w.tolerations) for w in again] == [(w.selector_terms, w.tolerations) for w in ws]
    assert [fp.Host(**h.to_dict()).to_dict() for h in hs] == [h.to_dict() for h in hs]
    assert [(h.labels, h.taints) for h in hs] == [(fp.Host(**h.to_dict()).labels, fp.Host(**h.to_dict()).taints)
                                                   for h in hs]
    plan = fp.place(ws, hs)
    assert pickle.loads(pickle.dumps(plan)).assignments == plan.assignments


def test_explain_names_the_label_or_taint_of_each_host():
    ws = [fp.Workload("ora", cpu=1, memory="1Gi", selector={"licence": "oracle"}),
          fp.Workload("web", cpu=1, memory="1Gi", selector={"zone": {"not_in": ["b"]}})]
    plan = fp.place(ws, _hosts())
    ora = plan.explain("ora")
    assert [(c.host, c.rule, c.reason) for c in ora.checks] == [
        ("h1", "eligibility", "lacks label licence=oracle"),
        ("h2", "eligibility", "has taint db, which it does not tolerate"),
        ("h3", "eligibility", "has taint gpu, which it does not tolerate")]
    assert ora.changes[0].kind == "eligible_host" and "taint db" in ora.changes[0].text
    web = plan.explain("web")
    assert web.host == "h1"
    assert {(c.host, c.reason) for c in web.checks if not c.fits} == {("h2", "has taint db, which it does not tolerate"),
                                                                       ("h3", "has taint gpu, which it does not tolerate")}


@settings(max_examples=100, deadline=None)
@given(live_fleets(), st.sampled_from(METHODS), st.sampled_from(["hosts", "cost"]), st.data())
def test_core_equals_reference_on_live_fleets_with_eligibility(fleet, method, objective, data):
    # a workload's current host may now break its selector or tolerations: it then moves (forced) or, pinned, is
    # a pin conflict; both solvers say the same
    ws, hs, over, options = fleet
    zones = st.sampled_from(["a", "b"])
    hs = [replace(h, labels={"zone": data.draw(zones)}, taints=data.draw(st.sampled_from([(), (), ("gpu",)])))
          for h in hs]
    ws = [replace(w, selector=data.draw(st.sampled_from([None, None, {"zone": "a"}, {"zone": {"not_in": ["a"]}}])),
                  tolerations=data.draw(st.sampled_from([(), ("gpu",)]))) for w in ws]
    kwargs = {"method": method, "objective": objective, "overheads": over, **options}
    outcomes = []
    for place in (fp.place, fleetpack.baseline.place):
        try:
            with heuristics_only():
                outcomes.append(place(ws, hs, **kwargs))
        except fp.InfeasibleError as error:
            outcomes.append(error)
    core, reference = outcomes
    assert type(core) is type(reference), (core, reference)
    if isinstance(core, fp.InfeasibleError):
        assert core.conflicts == reference.conflicts and core.needed == reference.needed
        return
    assert core.assignments == reference.assignments and core.moves == reference.moves
    assert fp.verify(ws, hs, core, over, **options) == []


def test_capacity_planning_buys_types_whose_labels_the_selectors_allow():
    # the cheap type is in zone a; workloads that select zone b make the dearer type worth buying
    types = [fp.HostType("small-a", cpu=8, memory="32Gi", cost=1.0, labels={"zone": "a"}),
             fp.HostType("small-b", cpu=8, memory="32Gi", cost=3.0, labels={"zone": "b"})]
    ws = [fp.Workload(f"w{i}", cpu=2, memory="4Gi", selector={"zone": "b"} if i < 3 else None) for i in range(6)]
    capacity = fp.plan_capacity(ws, types)
    assert capacity.buy.get("small-b", 0) >= 1
    by_id = {h.id: h for h in capacity.hosts}
    for a in capacity.plan.assignments:
        if a.workload in ("w0", "w1", "w2"):
            assert by_id[a.host].labels == {"zone": "b"}
    assert fp.verify(ws, list(capacity.hosts), capacity.plan) == []
