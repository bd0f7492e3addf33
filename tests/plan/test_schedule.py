"""`Plan.schedule`: a live plan's moves in waves, replayed by an independent step checker (restating the rules from
the workloads, hosts and overheads; not the model's HostState) that checks every host before, during and after each
wave."""

from dataclasses import replace

import pytest
from hypothesis import strategies as st
from hypothesis import HealthCheck, given, settings

import fleetpack as fp
from fleetpack.model.objects import as_overheads
from fleetpack.plan.schedule import Schedule
from fleetpack.plan.moves import plan_moves
from strategies import hosts, live_fleets, overheads, workloads

_PPM = 10**6


def _static_ok(w, h, form) -> bool:
    if w.form not in ("any", form):
        return False
    if form == "vm":
        return h.hypervisor is not None
    return h.containers and h.os == w.os


def breaks(h, residents, over) -> list[str]:
    """The rules host ``h`` breaks holding ``residents`` ((workload, form) pairs), restated from the model."""
    broken = [f"form {w.id}" for w, form in residents if not _static_ok(w, h, form)]
    used = {"cpu": 0, "memory": 0}
    for w, form in residents:
        fixed = over.container if form == "container" else over.vm
        ppm = _PPM if form == "container" or h.hypervisor is None else round(over.vm_cpu_factor[h.hypervisor] * _PPM)
        used["cpu"] += -(-w.cpu_millis * ppm // _PPM) + fixed.cpu_millis
        used["memory"] += w.memory_bytes + fixed.memory_bytes
        for dim, amount in w.extra_units.items():
            used[dim] = used.get(dim, 0) + amount
    forms = {form for _, form in residents}
    for form, fixed in (("vm", over.hypervisor), ("container", over.container_runtime)):
        if form in forms:
            used["cpu"] += fixed.cpu_millis
            used["memory"] += fixed.memory_bytes
    capacity = {"cpu": h.cpu_millis, "memory": h.memory_bytes, **h.extra_units}
    broken += [f"capacity {dim}" for dim, amount in used.items() if amount > capacity.get(dim, 0)]
    if h.max_workloads is not None and len(residents) > h.max_workloads:
        broken.append("max_workloads")
    groups = [w.anti_affinity for w, _ in residents if w.anti_affinity is not None]
    if len(groups) != len(set(groups)):
        broken.append("anti_affinity")
    containers = [w for w, form in residents if form == "container"]
    if any(w.isolation == "tenant" and any(o.tenant != w.tenant for o in containers) for w in containers):
        broken.append("tenant_isolation")
    if len(residents) > 1 and any(w.isolation == "dedicated" for w, _ in residents):
        broken.append("dedicated")
    return broken


def first_form(w, h) -> str:
    """The form a workload without a ``current_form`` runs in now (the schedule's documented convention)."""
    forms = [f for f in ("container", "vm") if _static_ok(w, h, f)] or [f for f in ("container", "vm")
                                                                        if w.form in ("any", f)]
    return forms[0]


def replay(workloads, hosts, over, plan, schedule) -> dict[str, dict[str, str]]:
    """Replays ``schedule`` from the current placement, asserting at every wave: a host that receives a workload
    holds every rule during the wave (what it held plus what arrives), and a host that held the rules before a wave
    holds them during and after it. Returns each host's workloads (id -> form) at the end."""
    over = as_overheads(over)
    by_id = {w.id: w for w in workloads}
    host = {h.id: h for h in hosts}
    moving = {m.workload: m for m in plan.moves}
    held = {h.id: {} for h in hosts}
    for w in workloads:
        if w.id in moving:
            m = moving[w.id]
            held[m.source][w.id] = m.source_form or first_form(w, host[m.source])
        elif w.current is not None:
            assert plan.host_of(w.id) == w.current  # not moved: it stays where it runs
            held[w.current][w.id] = plan.form_of(w.id)
    residents = lambda hid, state: [(by_id[i], f) for i, f in state.items()]  # noqa: E731
    done = []
    for wave in schedule.waves:
        assert wave
        before = {hid: dict(s) for hid, s in held.items()}
        during = {hid: dict(s) for hid, s in held.items()}
        for m in wave:
            assert m in plan.moves and m not in done
            done.append(m)
            if m.target is not None:
                during[m.target][m.workload] = m.target_form  # (a form change in place replaces the old one)
        for m in wave:
            if m.target is not None and m.target != m.source:
                del held[m.source][m.workload]
            elif m.target is None:
                del held[m.source][m.workload]
            if m.target is not None:
                held[m.target][m.workload] = m.target_form
        for hid in held:
            ok_before = not breaks(host[hid], residents(hid, before[hid]), over)
            receives = any(m.target == hid for m in wave)
            if receives or ok_before:
                assert not breaks(host[hid], residents(hid, during[hid]), over), (hid, wave)
            if ok_before:
                assert not breaks(host[hid], residents(hid, held[hid]), over), (hid, wave)
    # evictions go first
    kinds = [m.target is None for m in done]
    assert kinds == sorted(kinds, reverse=True)
    assert sorted(done + list(schedule.blocked), key=plan.moves.index) == list(plan.moves)
    for m in schedule.blocked:  # blocked only when stuck: none of them fits its target now
        assert m.target is not None
        trial = {**held[m.target], m.workload: m.target_form}
        assert breaks(host[m.target], residents(m.target, trial), over), m
    if not schedule.blocked:
        for i in schedule.new:
            held[plan.host_of(i)][i] = plan.form_of(i)
        expected = {h.id: {} for h in hosts}
        for a in plan.assignments:
            expected[a.host][a.workload] = a.form
        assert held == expected
        for hid in held:
            assert not breaks(host[hid], residents(hid, held[hid]), over)
    return held


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(live_fleets(), st.sampled_from(["ffd", "bfd", "auto"]))
def test_every_wave_of_a_live_plan_keeps_the_rules(fleet, method):
    ws, hs, over, options = fleet
    try:
        plan = fp.place(ws, hs, overheads=over, method=method, **options)
    except fp.InfeasibleError:
        return
    schedule = plan.schedule()
    if not plan.live:  # no current host and no drain: a greenfield plan, nothing to schedule
        assert schedule == Schedule()
        return
    replay(ws, hs, over, plan, schedule)
    assert schedule.new == tuple(w.id for w in ws if w.current is None and plan.host_of(w.id) is not None)
    for cap in (1, 2):
        limited = plan.schedule(max_parallel=cap)
        assert all(len(wave) <= cap for wave in limited.waves)
        replay(ws, hs, over, plan, limited)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workloads(12), hosts(5), overheads, st.sampled_from(["ff", "ffd", "bfd"]), st.sampled_from(["wfd", "bfd"]),
       st.randoms(use_true_random=False))
def test_between_any_two_valid_placements_every_wave_keeps_the_rules(ws, hs, over, first, second, rng):
    # from one heuristic's placement (the current one) to another's on the hosts in another order (the target): far
    # more moves than a re-plan makes, swaps between full hosts among them, so some schedules are blocked
    start = fp.place(ws, hs, overheads=over, method=first)
    now = [replace(w, current=start.host_of(w.id), current_form=rng.choice([None, start.form_of(w.id)]))
           for w in ws if start.host_of(w.id) is not None] + [w for w in ws if start.host_of(w.id) is None]
    shuffled = rng.sample(hs, len(hs))
    goal = fp.place(ws, shuffled, overheads=over, method=second)
    pinned = [replace(w, current=goal.host_of(w.id), current_form=goal.form_of(w.id), pinned=True)
              if goal.host_of(w.id) is not None else w for w in now]
    target = fp.place(pinned, hs, overheads=over, method="ffd")  # the goal placement, as a plan of these hosts
    live = fp.place(now, hs, overheads=over, method="ffd")  # (for its problem: the workloads where they run now)
    if live.problem.live is None:
        return
    assert fp.verify(pinned, hs, target, overheads=over) == []
    plan = replace(target, problem=live.problem, live=True,
                   moves=plan_moves(live.problem, target.host_index, target.form_codes))
    for cap in (None, 1, 3):
        schedule = plan.schedule(max_parallel=cap)
        assert all(len(wave) <= (cap or len(plan.moves)) for wave in schedule.waves)
        replay(now, hs, over, plan, schedule)


HOSTS = [fp.Host("h1", cpu=8, memory="16Gi"), fp.Host("h2", cpu=8, memory="16Gi")]
NONE = fp.Overheads.none()


def test_a_swap_of_two_full_hosts_is_blocked_and_says_what_breaks_it():
    # a plan that swaps two workloads between two full hosts (made by hand: a solver would not swap them); during
    # either migration its target would hold both, so neither can go first
    ws = [fp.Workload("a", cpu=1, memory="16Gi", current="h1", current_form="vm"),
          fp.Workload("b", cpu=1, memory="16Gi", current="h2", current_form="vm")]
    plan = fp.place(ws, HOSTS, overheads=NONE)
    swap = (fp.Move("a", "h1", "h2", "vm", "vm", 16 * 2**30), fp.Move("b", "h2", "h1", "vm", "vm", 16 * 2**30))
    swapped = replace(plan, moves=swap)
    schedule = swapped.schedule()
    assert schedule.waves == () and schedule.blocked == swap
    assert schedule.blocked_by == ("h2 would break capacity (memory)", "h1 would break capacity (memory)")
    text = str(schedule)
    assert "blocked (2)" in text and "a spare host, or evicting one of them" in text
    # with a spare host, the placement solver's own plan of the same fleet needs no such cycle
    assert plan.schedule().blocked == ()


def test_a_forced_move_waits_for_room_and_max_parallel_is_respected():
    ws = [fp.Workload(f"w{k}", cpu=1, memory="4Gi", current="h1", current_form="vm") for k in range(6)]
    hosts = HOSTS + [fp.Host("h3", cpu=8, memory="16Gi")]
    plan = fp.place(ws, hosts, overheads=NONE, drain=["h1"])
    assert plan.move_count == 6
    for cap, waves in ((None, 1), (1, 6), (4, 2)):
        schedule = plan.schedule(max_parallel=cap)
        assert len(schedule.waves) == waves and not schedule.blocked
        replay(ws, hosts, NONE, plan, schedule)
    assert str(plan.schedule(max_parallel=4)).startswith("wave 1:\n  move 'w0' from h1 (vm) to ")


def test_a_chain_runs_in_order_evictions_first():
    # h1 is over capacity (three 8Gi workloads on 16Gi); the plan moves one away; the chain must wait for room
    ws = [fp.Workload(f"x{k}", cpu=1, memory="8Gi", current="h1", current_form="vm") for k in range(3)]
    ws += [fp.Workload("y", cpu=1, memory="16Gi", current="h2", current_form="vm")]
    plan = fp.place(ws, HOSTS, overheads=NONE)
    schedule = plan.schedule()
    replay(ws, HOSTS, NONE, plan, schedule)
    assert [m.target for m in schedule.waves[0]] == [None]  # the one that fits nowhere is evicted


def test_a_greenfield_plan_has_an_empty_schedule_and_bad_max_parallel_is_refused():
    plan = fp.place([fp.Workload("w", cpu=1, memory="1Gi")], HOSTS)
    schedule = plan.schedule()
    assert schedule == Schedule() and str(schedule) == "no moves"
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(fp.ValidationError, match="max_parallel"):
            plan.schedule(max_parallel=bad)


def test_a_live_plan_read_back_from_json_cannot_be_scheduled_without_its_problem():
    ws = [fp.Workload("a", cpu=1, memory="4Gi", current="h1", current_form="vm")]
    plan = fp.place(ws, HOSTS, overheads=NONE, drain=["h1"])
    assert plan.move_count == 1 and len(plan.schedule().waves) == 1
    with pytest.raises(ValueError, match="read back from JSON"):
        fp.Plan.from_json(plan.to_json()).schedule()
