"""Time to a proven optimum: fleetpack's exact method against a plain CP-SAT assignment model (no hint, no symmetry
breaking, no bounds) and against VPSolver (arc-flow graph + HiGHS), side by side on the same instances.

Run: ``python benches/exact_vs_plain.py [--limit 10] [--seeds 1] [--workers 2] [--big]``

Instances (``items`` are workloads of memory = size, CPU as the second size in 2-D, on identical hosts):

- ``1d-n``: Falkenauer-like, n sizes uniform in [20, 100], capacity 150 (seed n, then n+1, ...);
- ``2d-n``: two sizes each uniform in [20, 100], capacity 150 x 150;
- ``vps-*``: VPSolver's own example instances, read from the installed ``pyvpsolver`` package when it is there
  (``csp.vbp``: 198 items of 6 sizes; ``bpp.vbp``: 1-D bin packing; ``vbp.vbp``: 51 items in 20 dimensions;
  ``csp9``: csp.vbp with at most 9 items per bin, as VPSolver's example_vbp.py -- max_workloads here);
- with ``--big``: ``1d-100k``, 100 000 items of 81 distinct sizes (VPSolver's strong case).

Columns: seconds and ``proved`` (optimality proven) or ``open`` (best found / bound) for each solver, and the
optimum or best value. fleetpack is timed end to end through ``fleetpack.place(method="exact")`` (validation, the
heuristic portfolio, the exact stage and the plan). VPSolver is timed from its instance file to HiGHS's answer;
``--`` marks a solver that is not installed (``pip install pyvpsolver highspy``; pyvpsolver's sdist needs
``setuptools<81`` in its build environment, e.g. ``PIP_CONSTRAINT`` with that pin).
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from pathlib import Path

import fleetpack as fp

NONE = fp.Overheads.none()


# --- instances: (name, capacity vector, item size vectors) ----------------------------------------------------------


def falkenauer_like(n: int, seed: int, dims: int):
    rng = random.Random(seed)
    items = [tuple(rng.randint(20, 100) for _ in range(dims)) for _ in range(n)]
    return f"{dims}d-{n}" + (f"/s{seed}" if seed != n else ""), (150,) * dims, items


def many_of_few(n: int, seed: int = 0):
    rng = random.Random(seed)
    return f"1d-{n // 1000}k", (150,), [(rng.randint(20, 100),) for _ in range(n)]


def read_vbp(path: Path):
    """A VPSolver .vbp file: dimensions, capacities, number of item types, then per type its sizes and demand."""
    values = [int(v) for v in path.read_text().replace("\n", " ").split() if v.lstrip("-").isdigit()]
    d = values[0]
    cap = tuple(values[1:1 + d])
    m = values[1 + d]
    items = []
    pos = 2 + d
    for _ in range(m):
        sizes = tuple(values[pos:pos + d])
        items += [sizes] * values[pos + d]
        pos += d + 1
    return cap, items


def vpsolver_examples():
    try:
        import pyvpsolver
    except ImportError:
        return []
    root = Path(pyvpsolver.__file__).parent / "webapp" / "data" / "examples" / "vbp"
    out = []
    for name in ("csp", "bpp", "vbp"):
        path = root / f"{name}.vbp"
        if path.is_file():
            cap, items = read_vbp(path)
            out.append((f"vps-{name}", cap, items))
            if name == "csp":  # example_vbp.py: the same items, at most 9 per bin
                out.append(("vps-csp9", cap + (9,), [s + (1,) for s in items]))
    return out


def as_fleet(cap, items):
    """Workloads and hosts: size 0 is memory (bytes), size 1 CPU (millicores), further sizes extra dimensions; as
    many hosts as items (any plan fits)."""
    def fields(sizes):
        f = {"memory": sizes[0], "cpu": f"{sizes[1]}m" if len(sizes) > 1 else 0}
        if len(sizes) > 2:
            f["extra"] = {f"d{k}": sizes[k] for k in range(2, len(sizes))}
        return f

    workloads = [fp.Workload(f"i{k}", form="container", **fields(s)) for k, s in enumerate(items)]
    hosts = [fp.Host(f"b{k}", **fields(cap)) for k in range(len(items))]
    return workloads, hosts


# --- the solvers ----------------------------------------------------------------------------------------------------


def ffd_bins(cap, items) -> int:
    """First-fit decreasing: the number of bins the plain model may use (its upper bound)."""
    order = sorted(items, key=lambda s: -sum(a / c for a, c in zip(s, cap)))
    loads: list[list[int]] = []
    for s in order:
        for load in loads:
            if all(a + b <= c for a, b, c in zip(load, s, cap)):
                for k, a in enumerate(s):
                    load[k] += a
                break
        else:
            loads.append(list(s))
    return len(loads)


def plain_cp_sat(cap, items, limit: float, workers: int):
    """x[i][b] = item i in bin b, y[b] = bin b used; bins = what first-fit decreasing needs; minimise used bins.
    No hint, no symmetry breaking, no lower bound."""
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    m = cp_model.CpModel()
    bins = ffd_bins(cap, items)
    y = [m.new_bool_var(f"y{b}") for b in range(bins)]
    x = [[m.new_bool_var("") for _ in range(bins)] for _ in items]
    for i in range(len(items)):
        m.add_exactly_one(x[i])
    for b in range(bins):
        for d, c in enumerate(cap):
            m.add(sum(items[i][d] * x[i][b] for i in range(len(items))) <= c * y[b])
    m.minimize(sum(y))
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = limit
    s.parameters.num_workers = workers
    status = s.solve(m)
    elapsed = time.perf_counter() - t0
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return elapsed, False, None, None
    return elapsed, status == cp_model.OPTIMAL, int(s.objective_value), int(round(s.best_objective_bound))


def vpsolver_highs(cap, items, limit: float, workers: int):
    """VPSolver's arc-flow graph (vbp2afg, afg2mps), solved with HiGHS; None when not installed."""
    try:
        import highspy
        from pyvpsolver import AFG, MPS, VBP
    except ImportError:
        return None
    t0 = time.perf_counter()
    counts = Counter(items)
    types = list(counts)
    instance = VBP(list(cap), [list(t) for t in types], [counts[t] for t in types], verbose=False)
    mps = MPS(AFG(instance, verbose=False), verbose=False)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", workers)
    h.setOptionValue("time_limit", float(limit))
    h.readModel(mps.filename)
    h.run()
    elapsed = time.perf_counter() - t0
    info = h.getInfo()
    proved = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    value = info.objective_function_value
    return elapsed, proved, int(round(value)) if value < 1e20 else None, int(round(info.mip_dual_bound))


def fleetpack_exact(cap, items, limit: float, workers: int):
    workloads, hosts = as_fleet(cap, items)
    t0 = time.perf_counter()
    plan = fp.place(workloads, hosts, overheads=NONE, method="exact", time_limit=limit, workers=workers)
    elapsed = time.perf_counter() - t0
    assert not plan.unplaced
    return elapsed, plan.proven_optimal, plan.hosts_used, int(plan.lower_bound), plan.strategy


def cell(result) -> str:
    if result is None:
        return "--"
    elapsed, proved, value, bound = result[:4]
    if proved:
        return f"{elapsed:6.2f} s proved"
    if value is None:
        return f"{elapsed:6.2f} s none"
    return f"{elapsed:6.2f} s open {value}/{bound}"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=10.0, help="seconds per solver and instance")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sizes", default="20,50,100,120")
    ap.add_argument("--big", action="store_true", help="also 100 000 items of 81 sizes (fleetpack and VPSolver)")
    ap.add_argument("--no-plain", action="store_true")
    args = ap.parse_args(argv)

    instances = []
    for dims in (1, 2):
        for n in map(int, args.sizes.split(",")):
            for s in range(args.seeds):
                instances.append(falkenauer_like(n, n + s, dims))
    instances += vpsolver_examples()
    if args.big:
        instances.append(many_of_few(100_000))

    print(f"time limit {args.limit:g} s per solver and instance, {args.workers} workers/threads")
    print("| instance | items | plain CP-SAT | VPSolver + HiGHS | fleetpack exact | optimum or best "
          "| fleetpack strategy |")
    print("| --- | ---: | --- | --- | --- | ---: | --- |")
    for name, cap, items in instances:
        big = len(items) > 5000
        plain = None if (args.no_plain or big) else plain_cp_sat(cap, items, args.limit, args.workers)
        vps = vpsolver_highs(cap, items, args.limit, args.workers)
        ours = fleetpack_exact(cap, items, args.limit, args.workers)
        values = [r[2] for r in (plain, vps, ours) if r is not None and r[2] is not None]
        proved = any(r is not None and r[1] for r in (plain, vps, ours))
        best = min(values) if values else "?"
        print(f"| {name} | {len(items)} | {cell(plain) if not big else 'n/a'} | {cell(vps)} | {cell(ours)} | "
              f"{best}{'' if proved else ' (open)'} | {ours[4]} |", flush=True)


if __name__ == "__main__":
    main()
