"""Which side of the cost gap is weak on a realistic fleet (issue 18): the class LP's model again, built from the
objects, solved as an LP (GLOP) and with whole hosts (SCIP, a mixed-integer program: hosts per type, pool and mode
integer, workloads fractional), offline.

    python benches/gap_split.py 1000 0 mip 60      # n, seed, lp|mip, the MIP's time limit in seconds

The MIP's dual bound is a lower bound too (a relaxation of the model: anti-affinity and the workloads' integrality
left out), too slow for ``auto``; docs/quality.md has the numbers.
"""
import sys
import time
from collections import Counter, defaultdict
from ortools.linear_solver import pywraplp
from fleetpack import generators

def eff(w, form, h, ov):
    if form == "vm":
        ppm = ov.factor_ppm(h.hypervisor)
        cpu = -(-w.cpu_millis * ppm // 10**6) + ov.vm.cpu_millis
        mem = w.memory_bytes + ov.vm.memory_bytes
    else:
        cpu = w.cpu_millis + ov.container.cpu_millis
        mem = w.memory_bytes + ov.container.memory_bytes
    return (cpu, mem, w.extra_units.get("gpu", 0))

def build(inst, solver_name="GLOP", integer=False, anti=False, limit=60):
    ov = inst.overheads
    ws, hs = inst.workloads, inst.hosts
    types = Counter()
    rep = {}
    for h in hs:
        key = (h.cpu_millis, h.memory_bytes, h.extra_units.get("gpu", 0), h.os, h.hypervisor, h.containers, h.cost, h.max_workloads)
        types[key] += 1; rep[key] = h
    tenants = sorted({w.tenant for w in ws if w.isolation == "tenant"})
    pools = ["gen", "ded"] + ["iso:" + t for t in tenants]
    modes = ["vm", "ct", "both"]
    s = pywraplp.Solver.CreateSolver(solver_name)
    y = {}
    cost = s.Objective()
    for t, n in types.items():
        h = rep[t]
        tot = []
        for p in pools:
            for m in modes:
                if m in ("vm", "both") and h.hypervisor is None: continue
                if m in ("ct", "both") and not h.containers: continue
                if p.startswith("iso") and m == "vm": continue  # an iso host has an isolated container
                v = s.IntVar(0, n, "") if integer else s.NumVar(0, n, "")
                y[t, p, m] = v; tot.append(v); cost.SetCoefficient(v, h.cost)
        s.Add(sum(tot) <= n)
    cost.SetMinimization()
    # classes
    classes = Counter()
    members = defaultdict(list)
    for i, w in enumerate(ws):
        key = (w.cpu_millis, w.memory_bytes, w.extra_units.get("gpu", 0), w.form, w.os, w.tenant, w.isolation)
        classes[key] += 1; members[key].append(i)
    load = defaultdict(lambda: [[], [], [], []])  # (t,p,m) -> per dim list of (coef, var)
    for key, cnt in classes.items():
        w = ws[members[key][0]]
        terms = []
        for (t, p, m), yv in y.items():
            h = rep[t]
            if w.isolation == "dedicated":
                if p != "ded": continue
            elif p == "ded": continue
            for form in ("vm", "container"):
                if w.form not in ("any", form): continue
                if form == "vm" and (m == "ct" or h.hypervisor is None): continue
                if form == "container" and (m == "vm" or not h.containers or h.os != w.os): continue
                if form == "container" and p.startswith("iso") and w.tenant != p[4:]: continue
                if form == "container" and p == "gen" and w.isolation == "tenant": continue
                d = eff(w, form, h, ov)
                room = [h.cpu_millis, h.memory_bytes, h.extra_units.get("gpu", 0)]
                if m in ("vm", "both"): room[0] -= ov.hypervisor.cpu_millis; room[1] -= ov.hypervisor.memory_bytes
                if m in ("ct", "both"): room[0] -= ov.container_runtime.cpu_millis; room[1] -= ov.container_runtime.memory_bytes
                if any(d[k] > room[k] for k in range(3)): continue
                x = s.NumVar(0, cnt, "")
                terms.append(x)
                L = load[t, p, m]
                for k in range(3): L[k].append((d[k], x))
                L[3].append((1, x))
        s.Add(sum(terms) == cnt)
    for (t, p, m), L in load.items():
        h = rep[t]; yv = y[t, p, m]
        room = [h.cpu_millis, h.memory_bytes, h.extra_units.get("gpu", 0)]
        if m in ("vm", "both"): room[0] -= ov.hypervisor.cpu_millis; room[1] -= ov.hypervisor.memory_bytes
        if m in ("ct", "both"): room[0] -= ov.container_runtime.cpu_millis; room[1] -= ov.container_runtime.memory_bytes
        sc = [1000, 2**20, 1]
        for k in range(3):
            if L[k]:
                s.Add(sum(c / sc[k] * x for c, x in L[k]) <= room[k] / sc[k] * yv)
        cap = 1 if p == "ded" else h.max_workloads
        if cap is not None and L[3]:
            s.Add(sum(x for _, x in L[3]) <= cap * yv)
    if integer:
        s.SetTimeLimit(limit * 1000)
    t0 = time.time()
    st = s.Solve()
    el = time.time() - t0
    bound = s.Objective().BestBound() if integer else s.Objective().Value()
    usage = defaultdict(float)
    for (t, p, m), v in y.items():
        if v.solution_value() > 1e-6: usage[(rep[t].id.split('-')[0], p, m)] += v.solution_value()
    return st, s.Objective().Value(), bound, el, len(classes), usage

if __name__ == "__main__":
    n = int(sys.argv[1]); seed = int(sys.argv[2]); mode = sys.argv[3] if len(sys.argv) > 3 else "lp"
    inst = generators.realistic_fleet(n, seed)
    if mode == "lp":
        r = build(inst)
    else:
        r = build(inst, "SCIP", integer=True, limit=int(sys.argv[4]) if len(sys.argv) > 4 else 60)
    st, val, bound, el, nc, usage = r
    print(f"n={n} seed={seed} {mode} status={st} value={val:.4f} bound={bound:.4f} time={el:.2f}s classes={nc}")
    for k, v in sorted(usage.items()): print("  ", k, round(v, 2))
