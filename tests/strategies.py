"""Hypothesis strategies for random valid problems with every rule of the model in play."""

from hypothesis import strategies as st

import fleetpack as fp

OS = st.sampled_from(["linux", "linux", "linux", "windows"])


@st.composite
def workloads(draw, max_size=20):
    count = draw(st.integers(0, max_size))
    items = []
    for i in range(count):
        extra = draw(st.sampled_from([None, None, {"gpu": 1}, {"gpu": 2}]))
        items.append(
            fp.Workload(
                f"w{i}",
                cpu=f"{draw(st.integers(0, 8000))}m",
                memory=draw(st.integers(0, 16)) * 2**29,
                extra=extra,
                form=draw(st.sampled_from(["any", "any", "vm", "container"])),
                os=draw(OS),
                tenant=draw(st.sampled_from(["", "a", "b"])),
                isolation=draw(st.sampled_from(["none", "none", "none", "tenant", "dedicated"])),
                anti_affinity=draw(st.sampled_from([None, None, None, "g1", "g2"])),
            )
        )
    return items


@st.composite
def hosts(draw, max_size=8):
    count = draw(st.integers(0, max_size))
    return [
        fp.Host(
            f"h{j}",
            cpu=draw(st.sampled_from([2, 4, 8, 16])),
            memory=draw(st.sampled_from(["4Gi", "8Gi", "16Gi", "32Gi"])),
            extra=draw(st.sampled_from([None, None, {"gpu": 2}])),
            os=draw(OS),
            hypervisor=draw(st.sampled_from(["hardware", "hardware", "paravirtual", "software", None])),
            containers=draw(st.booleans()),
            cost=draw(st.sampled_from([0.5, 1.0, 1.0, 2.5])),
            max_workloads=draw(st.sampled_from([None, None, 1, 3])),
        )
        for j in range(count)
    ]


overheads = st.sampled_from([None, fp.Overheads.none(), fp.Overheads(vm_cpu_factor={"software": 1.7})])


@st.composite
def oversubscribed(draw, max_workloads=40, max_hosts=6):
    """(workloads, hosts, overheads) with every rule in play on hosts of two sizes that cannot take them all: the
    workloads ask for more CPU than the hosts have in all (issue 18: the count comes first)."""
    hs = []
    for j in range(draw(st.integers(1, max_hosts))):
        big = draw(st.booleans())
        hs.append(fp.Host(
            f"h{j}", cpu=16 if big else 8, memory="32Gi" if big else "16Gi", extra=draw(st.sampled_from([None, {"gpu": 2}])),
            os=draw(OS), hypervisor=draw(st.sampled_from(["hardware", "hardware", "paravirtual", "software", None])),
            containers=draw(st.booleans()), cost=2.0 if big else 1.0,
            max_workloads=draw(st.sampled_from([None, None, None, 4]))))
    capacity = sum(h.cpu_millis for h in hs)
    ws = draw(workloads(max_size=max_workloads).filter(lambda ws: len(ws) >= 6))
    ws = [fp.Workload(w.id, cpu=f"{max(w.cpu_millis, 500)}m", memory=w.memory_bytes, extra=w.extra_units or None,
                      form=w.form, os=w.os, tenant=w.tenant, isolation=w.isolation, anti_affinity=w.anti_affinity)
          for w in ws]
    # top up with small workloads until they ask for more CPU than there is
    while sum(w.cpu_millis for w in ws) <= capacity:
        k = len(ws)
        ws.append(fp.Workload(f"w{k}", cpu=f"{draw(st.integers(500, 4000))}m", memory=draw(st.integers(1, 8)) * 2**29,
                              form=draw(st.sampled_from(["any", "vm", "container"])), os=draw(OS),
                              tenant=draw(st.sampled_from(["", "a", "b"])),
                              isolation=draw(st.sampled_from(["none", "none", "tenant", "dedicated"])),
                              anti_affinity=draw(st.sampled_from([None, None, "g1", "g2"]))))
    return ws, hs, draw(overheads)


@st.composite
def live_fleets(draw, max_workloads=14, max_hosts=6):
    """A live fleet: workloads, hosts and overheads as above, the workloads' current placement taken from a random
    valid plan of a heuristic and then perturbed (some moved to a random host, which may break a rule; some left
    new), random pins, drained hosts and budgets. Returns (workloads, hosts, overheads, options for place)."""
    ws, hs, over = draw(workloads(max_workloads)), draw(hosts(max_hosts)), draw(overheads)
    return running(draw, ws, hs, over)


@st.composite
def oversubscribed_live(draw, max_workloads=30, max_hosts=5):
    """An over-subscribed fleet (see `oversubscribed`) running now, as `live_fleets` makes it: the workloads a
    heuristic places run where it places them (some moved elsewhere or new), pins, drains and budgets."""
    ws, hs, over = draw(oversubscribed(max_workloads, max_hosts))
    return running(draw, ws, hs, over)


def running(draw, ws, hs, over):
    """`live_fleets`' live part for (ws, hs, over): (workloads, hosts, overheads, options for place)."""
    from dataclasses import replace

    import fleetpack.baseline

    method = draw(st.sampled_from(["ff", "ffd", "bfd", "wfd"]))
    start = fleetpack.baseline.place(ws, hs, method=method, overheads=over) if hs else None
    live = []
    for w in ws:
        host, form = (start.host_of(w.id), start.form_of(w.id)) if start else (None, None)
        how = draw(st.sampled_from(["stay", "stay", "stay", "elsewhere", "new"]))
        if how == "elsewhere" and hs:
            host = draw(st.sampled_from(hs)).id
            form = draw(st.sampled_from([None, "vm", "container"]))
        if how == "new" or host is None:
            live.append(w)
            continue
        if form is not None and (w.form not in ("any", form) or draw(st.booleans())):
            form = None  # (only its host counts)
        pinned = draw(st.integers(0, 5)) == 0
        cost = draw(st.sampled_from([None, None, 0, 1, 5]))
        live.append(replace(w, current=host, current_form=form, pinned=pinned, move_cost=cost))
    pinned_hosts = {w.current for w in live if w.pinned}
    drain = [h.id for h in hs if h.id not in pinned_hosts and draw(st.integers(0, 4)) == 0]
    options = {"drain": drain,
               "max_moves": draw(st.sampled_from([None, None, 0, 1, 2, 5])),
               "max_move_cost": draw(st.sampled_from([None, None, None, 0, 6, 2**33]))}
    return live, hs, over, options


ZONES = st.sampled_from(["a", "b", "c"])


@st.composite
def eligibility_fleets(draw, max_workloads=14, max_hosts=6):
    """(workloads, hosts, overheads) with every rule in play and host labels, taints, selectors and tolerations
    (issue 16): zones and racks as labels, a licence on some hosts, a gpu or spot taint on some; selectors of every
    form (a value, one of a list, exists, not_in, exists False) and tolerations of some of the taints."""
    from dataclasses import replace

    hs = []
    for h in draw(hosts(max_size=max_hosts)):
        labels = {"zone": draw(ZONES)}
        if draw(st.booleans()):
            labels["rack"] = draw(st.sampled_from(["r1", "r2"]))
        if draw(st.integers(0, 3)) == 0:
            labels["licence"] = "oracle"
        taints = draw(st.sampled_from([(), (), (), ("gpu",), ("spot",), ("gpu", "spot")]))
        hs.append(replace(h, labels=labels, taints=taints))
    selectors = st.sampled_from([None, None, None, {"zone": "a"}, {"zone": ["a", "b"]}, {"licence": "oracle"},
                                 {"rack": None}, {"zone": {"not_in": ["c"]}}, {"licence": {"exists": False}},
                                 {"zone": "b", "rack": "r2"}, {"zone": "d"}])
    tolerations = st.sampled_from([(), (), ("gpu",), ("spot",), ("gpu", "spot")])
    ws = [replace(w, selector=draw(selectors), tolerations=draw(tolerations))
          for w in draw(workloads(max_size=max_workloads))]
    return ws, hs, draw(overheads)


@st.composite
def rule_fleets(draw, max_workloads=14, max_hosts=6, soft=None):
    """(workloads, hosts, overheads, rules) with every rule in play and group rules (issue 16): hosts in zones and
    racks (some without a rack label), workloads in groups, and anti-affinity, affinity and spread rules over them
    at host, zone or rack scope, hard or (``soft`` None: sometimes; True: always; False: never) soft."""
    from dataclasses import replace

    hs = [replace(h, labels={"zone": draw(ZONES), **({"rack": draw(st.sampled_from(["r1", "r2", "r3"]))}
                                                   if draw(st.integers(0, 3)) else {})})
          for h in draw(hosts(max_size=max_hosts))]
    groups = st.lists(st.sampled_from(["a", "b", "c"]), max_size=2, unique=True)
    ws = [replace(w, groups=tuple(draw(groups))) for w in draw(workloads(max_size=max_workloads))]
    named = sorted({g for w in ws for g in w.groups} | {w.anti_affinity for w in ws if w.anti_affinity})
    rules = []
    for group in draw(st.lists(st.sampled_from(named), max_size=3)) if named else []:
        weight = {None: draw(st.sampled_from([None, None, 1, 5])), True: draw(st.sampled_from([1, 5])),
                  False: None}[soft]
        kind = draw(st.sampled_from(["anti", "anti", "affinity", "spread", "spread"]))
        if kind == "anti":
            rules.append(fp.AntiAffinity(group, scope=draw(st.sampled_from(["host", "zone", "rack"])),
                                         max_per_domain=draw(st.integers(1, 3)), weight=weight))
        elif kind == "affinity":
            rules.append(fp.Affinity(group, scope=draw(st.sampled_from(["host", "zone", "rack"])), weight=weight))
        else:
            rules.append(fp.Spread(group, key=draw(st.sampled_from(["zone", "rack"])),
                                   max_skew=draw(st.integers(1, 2)),
                                   min_domains=draw(st.sampled_from([None, None, 2, 4])), weight=weight))
    return ws, hs, draw(overheads), rules
RATIOS = st.sampled_from([None, None, {"cpu": 4}, {"cpu": 2, "memory": 1.5}, {"cpu": 1.25}, {"gpu": 3}])


@st.composite
def overbook_fleets(draw, max_workloads=16, max_hosts=6):
    """(workloads, hosts, overheads, keywords) with every rule in play and ratios (issue 16): hosts with their own
    ``allocation_ratio`` or none, workloads that may not be overcommitted, the call's ``allocation_ratio`` and
    ``max_utilization`` (or not)."""
    from dataclasses import replace

    hs = [replace(h, allocation_ratio=draw(RATIOS)) for h in draw(hosts(max_size=max_hosts))]
    ws = [replace(w, overcommit=draw(st.sampled_from([True, True, False])))
          for w in draw(workloads(max_size=max_workloads))]
    dims = {"cpu", "memory"} | {d for x in [*ws, *hs] for d in x.extra_units}
    call_ratio = draw(st.sampled_from([None, {"cpu": 3}, {"cpu": 8, "memory": 1.2}]))
    usable = draw(st.sampled_from([None, None, {"cpu": 0.8}, {"memory": 0.5, "cpu": 0.9}]))
    for h in hs:  # a ratio of a dimension no one has is an error: drop it (tests/model has that error)
        if h.allocation_ratio and not set(h.allocation_ratio) <= dims:
            hs[hs.index(h)] = replace(h, allocation_ratio={k: v for k, v in h.allocation_ratio.items() if k in dims})
    return ws, hs, draw(overheads), {"allocation_ratio": call_ratio, "max_utilization": usable}
