"""Capacity planning on pure variable-sized bin packing (issue 17): fleetpack against VPSolver, and at 10k workloads
against the column-generation LP bound.

Instances are generated like the variable-sized bin packing families VPSolver 3 was run on (Monaci's: bin types
of capacity 100, 120 and 150 priced at their capacity, items uniform in [1, 100] or [20, 100]) and a two-dimensional
family of the same kind (three shapes of host, items uniform in [10, 50] per dimension). Workloads are containers
with no overheads, so the model is exactly vector packing.

VPSolver is run as its scripts run it (``vbp2afg`` builds the compressed arc-flow graph, ``afg2mps`` writes the
model), with the MIP solved by SCIP through OR-Tools (no Gurobi or GLPK here); the ``pyvpsolver`` wheel from PyPI
ships the two binaries. Without them (``pip install --no-deps pyvpsolver`` in a venv) the VPSolver columns are
left empty and fleetpack is compared against the LP bound alone.

    python benches/capacity_vpsolver.py                  # VPSolver families, n = 25 .. 200
    python benches/capacity_vpsolver.py --large          # 10,000 workloads, 5 and 10 types, 10 s
    python benches/capacity_vpsolver.py --large --types 5 --types 8    # other numbers of types
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import tempfile
import time

import fleetpack as fp

NONE = fp.Overheads.none()


def one_dim(n: int, low: int, seed: int):
    rng = random.Random(seed)
    types = [fp.HostType(f"b{c}", cpu=c, memory=0, cost=float(c)) for c in (100, 120, 150)]
    ws = [fp.Workload(f"w{i}", cpu=rng.randint(low, 100), memory=0, form="container") for i in range(n)]
    return ws, types


_SHAPES_2D = ((100, 100, 10), (150, 80, 11), (80, 200, 13), (200, 200, 36), (60, 60, 4), (120, 240, 20),
              (240, 120, 19), (50, 150, 6), (150, 50, 6), (300, 300, 80))


def two_dim(n: int, k: int, seed: int, low: int = 10, high: int = 50):
    rng = random.Random(seed)
    types = [fp.HostType(f"t{j}", cpu=c, memory=f"{m}Mi", cost=float(p)) for j, (c, m, p) in enumerate(_SHAPES_2D[:k])]
    ws = [fp.Workload(f"w{i}", cpu=rng.randint(low, high), memory=f"{rng.randint(low, high)}Mi", form="container")
          for i in range(n)]
    return ws, types


def vpsolver(ws, types, seconds: float) -> tuple[float | None, float, str]:
    """VPSolver's arc-flow model, solved by SCIP (OR-Tools): (optimum or best found, seconds, status)."""
    if not shutil.which("vbp2afg") or not shutil.which("afg2mps"):
        return None, 0.0, "not installed"
    from ortools.linear_solver.python import model_builder as mb

    dims = 1 if all(w.memory_bytes == 0 for w in ws) and all(t.memory_bytes == 0 for t in types) else 2
    scale = 10 if any(t.cost != int(t.cost) for t in types) else 1

    def size(x) -> list[int]:
        cpu = x.cpu_millis // 1000
        return [cpu] if dims == 1 else [cpu, x.memory_bytes // 2**20]

    counts: dict[tuple[int, ...], int] = {}
    for w in ws:
        counts[tuple(size(w))] = counts.get(tuple(size(w)), 0) + 1
    lines = [str(dims), str(len(types))]
    lines += [" ".join(map(str, size(t))) + f" {int(round(t.cost * scale))} -1" for t in types]
    lines.append(str(len(counts)))
    for s, q in counts.items():
        lines += [f"1 {q}", " ".join(map(str, s))]
    with tempfile.TemporaryDirectory() as tmp:
        inst, afg, mps = (os.path.join(tmp, f) for f in ("i.mvp", "g.afg", "m.mps"))
        with open(inst, "w") as out:
            out.write("\n".join(lines) + "\n")
        began = time.perf_counter()
        subprocess.run(["vbp2afg", inst, afg], check=True, capture_output=True)
        subprocess.run(["afg2mps", afg, mps], check=True, capture_output=True)
        model = mb.ModelBuilder()
        model.import_from_mps_file(mps)
        solver = mb.Solver("scip")
        solver.set_time_limit_in_seconds(max(1.0, seconds - (time.perf_counter() - began)))
        status = solver.solve(model)
        elapsed = time.perf_counter() - began
    if status not in (mb.SolveStatus.OPTIMAL, mb.SolveStatus.FEASIBLE):
        return None, elapsed, status.name.lower()
    return solver.objective_value / scale, elapsed, "optimal" if status == mb.SolveStatus.OPTIMAL else "feasible"


def run(label: str, ws, types, seconds: float, with_vpsolver: bool) -> None:
    began = time.perf_counter()
    purchase = fp.plan_capacity(ws, types, overheads=NONE, time_limit=seconds)
    ours = time.perf_counter() - began
    assert fp.verify_capacity(ws, types, purchase, overheads=NONE) == []
    theirs, their_time, status = vpsolver(ws, types, 10 * seconds) if with_vpsolver else (None, 0.0, "skipped")
    bought = ", ".join(f"{v} {k}" for k, v in purchase.buy.items())
    vp = f"{theirs:>9.1f} {status:>9} {their_time:>7.1f}" if theirs is not None else f"{'-':>9} {status:>9} {'':>7}"
    print(f"{label:<22} {len(ws):>6} {len(types):>5} {purchase.cost:>9.1f} {purchase.lower_bound:>9.1f} "
          f"{purchase.gap:>6.2%} {ours:>7.1f} {vp}  {bought}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", action="store_true", help="10,000 workloads, 5 and 10 types (no VPSolver)")
    parser.add_argument("--n", type=int, action="append", help="workloads (default 25 50 100 200)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=10.0, help="plan_capacity's (VPSolver gets 10x)")
    parser.add_argument("--no-vpsolver", action="store_true")
    parser.add_argument("--types", type=int, action="append", help="with --large: host types, 1 to 10 (default 5 10)")
    args = parser.parse_args()
    print(f"{'family':<22} {'n':>6} {'types':>5} {'fleetpack':>9} {'bound':>9} {'gap':>6} {'seconds':>7} "
          f"{'VPSolver':>9} {'status':>9} {'seconds':>7}  purchase")
    if args.large:
        for k in args.types or [5, 10]:
            for seed in range(args.seeds):
                ws, types = two_dim(10_000, k, seed)
                run(f"2-D U[10,50] s{seed}", ws, types, args.time_limit, False)
        return
    for n in args.n or [25, 50, 100, 200]:
        for seed in range(args.seeds):
            for low in (1, 20):
                ws, types = one_dim(n, low, seed)
                run(f"1-D U[{low},100] s{seed}", ws, types, args.time_limit, not args.no_vpsolver)
            ws, types = two_dim(n, 3, seed)
            run(f"2-D U[10,50] s{seed}", ws, types, args.time_limit, not args.no_vpsolver)


if __name__ == "__main__":
    main()
