"""The verifier on hand-made plans of a live fleet (issue 15): each new rule (pinned, drain, max_moves,
max_move_cost) is caught, the moves are recomputed from the workloads' ``current`` whatever the plan says of them,
and the live inputs are checked."""

import pytest

import fleetpack as fp

HOSTS = [fp.Host("h1", cpu=8, memory="32Gi"), fp.Host("h2", cpu=8, memory="32Gi"), fp.Host("h3", cpu=8,
                                                                                           memory="32Gi")]
WORKLOADS = [
    fp.Workload("pin-vm", cpu=1, memory="1Gi", current="h1", current_form="vm", pinned=True),
    fp.Workload("pin-any", cpu=1, memory="1Gi", current="h2", pinned=True),
    fp.Workload("mover", cpu=1, memory="2Gi", current="h2", move_cost=3),
    fp.Workload("other", cpu=1, memory="1Gi", current="h1", current_form="container", move_cost="1Ki"),
    fp.Workload("new", cpu=1, memory="1Gi"),
]
STAY = {"pin-vm": ("h1", "vm"), "pin-any": ("h2", "container"), "mover": ("h2", "vm"),
        "other": ("h1", "container"), "new": ("h3", "container")}


def rules(plan, **options) -> list[str]:
    return [v.rule for v in fp.verify(WORKLOADS, HOSTS, plan, **options)]


def test_a_plan_that_keeps_everything_in_place_is_valid_under_any_budget():
    assert rules(STAY, max_moves=0, max_move_cost=0, drain=["h3"][:0]) == []


def test_a_pinned_workload_that_moves_host_or_form_or_is_evicted_is_caught():
    violations = fp.verify(WORKLOADS, HOSTS, {**STAY, "pin-vm": ("h1", "container"), "pin-any": ("h3", "vm")})
    assert [(v.rule, v.workload, v.host) for v in violations] == [("pinned", "pin-vm", "h1"),
                                                                   ("pinned", "pin-any", "h2")]
    assert "must stay on host 'h1' as a vm but runs as a container" in violations[0].message
    assert "must stay on host 'h2' but is placed on host 'h3'" in violations[1].message
    evicted = fp.verify(WORKLOADS, HOSTS, {**STAY, "pin-any": None})
    assert [v.rule for v in evicted] == ["pinned"] and "is left unplaced" in evicted[0].message
    # a pinned workload without a current_form may change form on its host: only its host counts
    assert rules({**STAY, "pin-any": ("h2", "vm")}) == []


def test_a_drained_host_that_runs_anything_is_caught_new_workloads_too():
    violations = fp.verify(WORKLOADS, HOSTS, {**STAY, "pin-vm": ("h2", "vm")}, drain=["h3", "h1"])
    drained = [v for v in violations if v.rule == "drain"]
    assert [(v.host, v.message) for v in drained] == [("h1", "host 'h1' is drained but runs 'other'"),
                                                      ("h3", "host 'h3' is drained but runs 'new'")]


def test_the_budgets_count_moves_from_current_never_from_the_plan():
    moved = {**STAY, "mover": ("h3", "vm"), "other": ("h1", "vm"), "new": ("h1", "vm")}  # "new" has no current
    assert rules(moved, max_moves=2, max_move_cost=3 + 1024) == []
    assert rules(moved, max_moves=1) == ["max_moves"]
    assert rules(moved, max_move_cost=3 + 1023) == ["max_move_cost"]
    # an eviction is a move, and costs its move_cost (default: the workload's memory)
    evict = {**STAY, "mover": None}
    violations = fp.verify(WORKLOADS, HOSTS, evict, max_moves=0, max_move_cost=2)
    assert [v.message for v in violations] == ["the plan moves 1 workload(s), at most 0 allowed",
                                               "the plan's moves cost 3, at most 2 allowed"]
    # a plan's own (false) list of moves is not read
    data = {"assignments": [{"workload": w, "host": v[0], "form": v[1]} for w, v in evict.items() if v],
            "unplaced": {"mover": {"code": "no_room", "message": "-"}}, "moves": [], "move_count": 0,
            "move_cost": 0}
    assert rules(data, max_moves=0) == ["max_moves"]
    assert rules(fp.Plan.from_dict({**data, "objective": "hosts", "objective_value": 3, "hosts_used": 3,
                                    "cost": 3.0, "lower_bound": 1, "proven_optimal": False, "method": "ffd"}),
                 max_moves=0) == ["max_moves"]


def test_a_workload_without_a_current_host_never_moves():
    assert rules({**STAY, "new": None}, max_moves=0, max_move_cost=0) == []


@pytest.mark.parametrize("options, text", [
    ({"drain": ["h9"]}, "verify(): drain: unknown host 'h9'"),
    ({"max_moves": -1}, "verify(): max_moves: must not be negative"),
    ({"max_move_cost": "1Gi"}, "verify(): max_move_cost: must be a whole number >= 0 or None"),
])
def test_bad_live_options_raise(options, text):
    with pytest.raises(fp.ValidationError, match=text.replace("(", r"\(").replace(")", r"\)")):
        fp.verify(WORKLOADS, HOSTS, STAY, **options)


def test_an_unknown_current_host_raises_naming_the_workload():
    with pytest.raises(fp.ValidationError, match="workload 'x': current: unknown host 'h9'"):
        fp.verify([fp.Workload("x", current="h9")], HOSTS, {})
