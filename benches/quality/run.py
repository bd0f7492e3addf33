"""The quality benchmark: fleetpack on published bin packing instances, against their optima and the best of ~700
published heuristics, and on generated rule-heavy fleets of a known optimum.

    python benches/quality/run.py [--method auto] [--time-limit 1.0 | --no-limit] [--jobs N] [--sets S,...] [--quick]
                                  [--sample N [--sample-seed 1]] [--out results.md] [--data ../shared/data]

Loads BPPLIB's one-dimensional sets (Falkenauer U/T, Scholl 1-3, Schwerin 1-2, Wäscher, Hard28; one dimension,
no overheads) and Mommessin et al.'s vector sets (Panigrahy, New, Triplet; d = 3, 5, 10) from the shared data
folder (workloads shuffled, see `shuffled`), and with ``--sets ruled`` the rule-heavy fleets of
`fleetpack.generators.ruled_fleet` (no data needed; the optimum is the hosts built, the bound is fleetpack's own,
reported beside the plan in a second table), runs the method and plain FFD on every instance with
`fleetpack.bench.compare` (every plan verified), and prints one Markdown table: per set, how many instances each
reaches the optimum on (proven: the optimum when known, else fleetpack's or the dataset's bound), the mean ratio to
the optimum (or to the bound when the optimum is unknown) and the total time; for the vector sets also the published
best of ~700 heuristics. ``--out`` writes the
table there and the per-instance rows beside it as CSV. No data folder: a message and exit status 0.
See docs/quality.md.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import math
import os
import random
import re
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# BPPLIB's sets as bpplib_index.csv names them, in the order of the table
BPPLIB_SETS = ("Falkenauer_U", "Falkenauer_T", "Scholl_1", "Scholl_2", "Scholl_3", "Schwerin_1", "Schwerin_2",
               "Waescher", "Hard28")
VECTOR_BENCHMARKS = ("Panigrahy", "New", "Triplet")
VECTOR_DIMS = (3, 5, 10)
VECTOR_SETS = tuple(f"{b} d={d}" for b in VECTOR_BENCHMARKS for d in VECTOR_DIMS)
# generated sets of a known optimum: `generators.ruled_fleet(hosts, seed)` for these hosts built and seeds
RULED_SETS = ("Ruled",)
RULED_HOSTS = (10, 30, 100)
RULED_SEEDS = 3
# names --sets accepts for several sets at once
GROUPS = {
    "1d": BPPLIB_SETS,
    "classic": BPPLIB_SETS[:-1],  # the "classic" sets: all but Hard28
    "vector": VECTOR_SETS,
    "ruled": RULED_SETS,
    **{b: tuple(s for s in VECTOR_SETS if s.startswith(b + " ")) for b in VECTOR_BENCHMARKS},
}
QUICK_PER_SET = 4
METHODS = ("ffd", "bfd", "auto", "exact")


@dataclass(frozen=True)
class Entry:
    """One instance file of a set, before it is read: the set, the instance's name, its path and, for vector
    instances, the published best of ~700 heuristics (``best_overall``)."""

    set: str
    name: str
    path: Path
    published: int | None = None
    generated: tuple[int, int] | None = None  # (hosts built, seed) of a generated fleet


def default_data() -> Path:
    return Path(os.environ.get("FLEETPACK_SHARED_DATA") or ROOT.parent / "shared" / "data")


def expand_sets(names) -> list[str]:
    """Set names in table order from names and group names (``1d``, ``classic``, ``vector``, ``Panigrahy``, ...)."""
    wanted = set()
    for name in names:
        if name in GROUPS:
            wanted.update(GROUPS[name])
        elif name in BPPLIB_SETS + VECTOR_SETS + RULED_SETS:
            wanted.add(name)
        else:
            raise SystemExit(f"unknown set {name!r}: choose from {', '.join(BPPLIB_SETS + VECTOR_SETS + RULED_SETS)} "
                             f"or {', '.join(GROUPS)}")
    return [s for s in BPPLIB_SETS + VECTOR_SETS + RULED_SETS if s in wanted]


def _natural(text: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def entries(data: Path, sets) -> list[Entry]:
    """The instance files of the chosen sets, per set in natural order of their names. Sets whose folder is
    missing are left out."""
    out: list[Entry] = []
    bpplib = data / "bpplib_1d" / "bpplib_index.csv"
    if any(s in BPPLIB_SETS for s in sets) and bpplib.is_file():
        with bpplib.open(newline="") as f:
            for row in csv.DictReader(f):
                if row["set"] in sets:
                    out.append(Entry(row["set"], row["instance"], bpplib.parent / row["path"]))
    vbp = data / "vbp_mommessin2024" / "vbp_index.csv"
    if any(s in VECTOR_SETS for s in sets) and vbp.is_file():
        with vbp.open(newline="") as f:
            for row in csv.DictReader(f):
                name = f"{row['benchmark']} d={row['d']}"
                if name in sets:
                    out.append(Entry(name, row["instance"], vbp.parent / row["path"], int(row["best_overall"])))
    if "Ruled" in sets:
        out += [Entry("Ruled", f"ruled_h{h}_s{seed}", data, generated=(h, seed))
                for h in RULED_HOSTS for seed in range(RULED_SEEDS)]
    order = {s: k for k, s in enumerate(sets)}
    return sorted(out, key=lambda e: (order[e.set], _natural(e.name)))


def sampled(chosen: list[Entry], per_set: int, seed: int) -> list[Entry]:
    """``per_set`` entries of each set drawn with ``random.Random(seed).sample`` (all of a smaller set), in the
    sets' order: the random samples that guided the search's design (docs/improve.md)."""
    out = []
    for name in dict.fromkeys(e.set for e in chosen):
        of_set = [e for e in chosen if e.set == name]
        out += random.Random(seed).sample(of_set, min(per_set, len(of_set)))
    return out


def quick_order(chosen: list[Entry], per_set: int = QUICK_PER_SET) -> list[Entry]:
    """Each set's entries in the order the quick run tries them: first a fixed, stratified ``per_set`` (evenly
    spaced in the natural order of names, which runs through the sizes and classes of every set: Scholl's N1..N4,
    Panigrahy's class1..class9, ...), then the rest in order, to stand in for files that do not read."""
    by_set: dict[str, list[Entry]] = {}
    for e in chosen:
        by_set.setdefault(e.set, []).append(e)
    out = []
    for items in by_set.values():
        k = min(per_set, len(items))
        picks = sorted({round(i * (len(items) - 1) / max(k - 1, 1)) for i in range(k)})
        out.extend(items[p] for p in picks)
        out.extend(e for p, e in enumerate(items) if p not in picks)
    return out


def load(data: Path, chosen: list[Entry], per_set: int | None = None):
    """The `fleetpack.bench.Instance` of each entry, with its optimum and bound from the dataset's tables and its
    set (vector instance names repeat across benchmarks but not within one), and the entries whose file does not
    read (with the first error). With ``per_set``, reading stops at that many instances of each set."""
    from fleetpack import datasets
    from fleetpack.errors import ValidationError

    tables: dict[str, dict] = {}

    def solutions(entry: Entry) -> dict:
        if entry.set in BPPLIB_SETS:
            key, path = "bpplib", data / "bpplib_1d" / "Bounds_BPPLib.jl.txt"
        else:
            bench = entry.set.split(" ")[0]
            key, path = bench, data / "vbp_mommessin2024" / "results" / f"{bench}_summary_known.csv"
        if key not in tables:
            tables[key] = datasets.read_solutions(path)
        return tables[key]

    instances, unreadable = [], []
    count: dict[str, int] = {}
    for e in chosen:
        if per_set is not None and count.get(e.set, 0) >= per_set:
            continue
        if e.generated is not None:
            from fleetpack import generators

            # the bound column is then fleetpack's own (the generator states the optimum as a bound too)
            fleet = generators.ruled_fleet(*e.generated)
            instances.append(shuffled(dataclasses.replace(fleet, lower_bound=None, set=e.set)))
            count[e.set] = count.get(e.set, 0) + 1
            continue
        read = datasets.read_bpplib if e.set in BPPLIB_SETS else datasets.read_vbp
        try:
            instances.append(shuffled(read(e.path, solutions(e), set=e.set)))
            count[e.set] = count.get(e.set, 0) + 1
        except ValidationError as exc:  # some published files are malformed (negative sizes): report, leave out
            unreadable.append((e, str(exc.errors[0]).replace(f"{data}{os.sep}", "")))
    return instances, unreadable


def shuffled(instance):
    """The instance with its workloads in a fixed random order (seeded by its set and name). Some published files
    list items bin by bin of an optimal packing (each three consecutive items of Mommessin et al.'s triplets fill a
    bin), which first fit in input order would read off; shuffled, input order gives no hint."""
    items = list(instance.workloads)
    random.Random(zlib.crc32(f"{instance.set}/{instance.name}".encode())).shuffle(items)
    return dataclasses.replace(instance, workloads=tuple(items))


def run(instances, entries_, method: str = "auto", time_limit: float | None = 1.0, jobs: int = 1,
        progress: bool = False):
    """Run ``method`` and plain FFD on every instance (``jobs`` processes, each solver on one thread); returns the
    per-instance rows of `fleetpack.bench.compare`, with the published best of ~700 heuristics (``published``,
    NaN for the one-dimensional sets) and the reference each ratio is measured against (``reference``)."""
    from fleetpack.bench import compare

    methods = [method] if method == "ffd" else [method, "ffd"]
    frame = compare(methods, instances, time_limit=time_limit, workers=jobs, progress=progress, solver_workers=1)
    published = {(e.set, e.name): e.published for e in entries_}
    frame["published"] = [published.get((s, n)) for s, n in zip(frame["set"], frame["instance"])]
    frame["published"] = frame["published"].astype("float64")
    frame["reference"] = frame["optimum"].where(frame["optimum"].notna(), frame["lower_bound"])
    return frame


def set_table(frame, method: str):
    """Per set: instances; per method, how many plans are valid and reach the optimum (proven optimal), the mean
    ratio to the reference (valid plans only) and the total seconds; the published best's count at the reference
    and mean ratio. One row per set, in the frame's order."""
    import pandas as pd

    rows = []
    for set_name, group in frame.groupby("set", sort=False):
        row = {"set": set_name, "instances": group["instance"].nunique()}
        for label in ([method] if method == "ffd" else [method, "ffd"]):
            runs = group[group["method"] == label]
            row[f"{label} valid"] = int(runs["valid"].sum())
            row[f"{label} optimal"] = int(runs["proven_optimal"].sum())
            row[f"{label} mean ratio"] = float(runs["ratio"].mean())
            row[f"{label} seconds"] = float(runs["seconds"].sum())
        firsts = group.drop_duplicates("instance")
        if firsts["published"].notna().any():
            row["best-of-700 optimal"] = int((firsts["published"] <= firsts["reference"]).sum())
            row["best-of-700 mean ratio"] = float((firsts["published"] / firsts["reference"]).mean())
        else:
            row["best-of-700 optimal"] = math.nan
            row["best-of-700 mean ratio"] = math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def markdown(table, method: str, title: str = "", unreadable=()) -> str:
    """The set table as Markdown: counts of optimal plans (and of invalid ones, if any), ratios to 4 places,
    seconds to 1; then a note per set on the files left out as unreadable."""
    labels = [method] if method == "ffd" else [method, "ffd"]
    head = ["set", "instances"]
    for label in labels:
        head += [f"{label} optimal", f"{label} mean ratio", f"{label} time (s)"]
    head += ["best-of-700 optimal", "best-of-700 mean ratio"]
    lines = ([f"### {title}", ""] if title else []) + ["| " + " | ".join(head) + " |",
                                                      "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    for r in table.to_dict("records"):
        cells = [r["set"], str(r["instances"])]
        for label in labels:
            invalid = r["instances"] - r[f"{label} valid"]
            count = f"{r[f'{label} optimal']}" + (f" ({invalid} invalid)" if invalid else "")
            cells += [count, _fmt(r[f"{label} mean ratio"], 4), _fmt(r[f"{label} seconds"], 1)]
        cells += ["–" if math.isnan(r["best-of-700 optimal"]) else str(int(r["best-of-700 optimal"])),
                  _fmt(r["best-of-700 mean ratio"], 4)]
        lines.append("| " + " | ".join(cells) + " |")
    skipped: dict[str, list] = {}
    for entry, error in unreadable:
        skipped.setdefault(entry.set, []).append(error)
    if skipped:
        lines.append("")
    for set_name, errors in skipped.items():
        lines.append(f"- {set_name}: {len(errors)} files left out as unreadable, e.g. {errors[0]}")
    return "\n".join(lines) + "\n"


def known_optimum_table(frame, method: str) -> str:
    """For the generated sets of a known optimum: per set, the instances, the mean plan / optimum and the mean
    bound / optimum (fleetpack's bound: the core's, as `fleetpack.bench.compare` reports it), as Markdown; empty
    when none was run."""
    lines = []
    for set_name, group in frame.groupby("set", sort=False):
        if set_name not in RULED_SETS:
            continue
        runs = group[group["method"] == method]
        lines.append(f"| {set_name} | {len(runs)} | {runs['ratio'].mean():.4f} | {runs['ratio'].max():.4f} | "
                     f"{(runs['lower_bound'] / runs['optimum']).mean():.4f} |")
    if not lines:
        return ""
    return "\n".join([f"| set | instances | {method}: plan / optimum, mean | max | bound / optimum, mean |",
                      "|---|---:|---:|---:|---:|"] + lines) + "\n"


def _fmt(value: float, places: int) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.{places}f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", default="auto", choices=METHODS)
    parser.add_argument("--time-limit", type=float, default=1.0, help="seconds per instance (default 1.0)")
    parser.add_argument("--no-limit", action="store_true", help="no time limit: the method's own budget (default "
                                                                "auto's exact stage is then deterministic)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel runs (default: all cores)")
    parser.add_argument("--sets", default="1d,vector",
                        help="comma-separated sets or groups: " + ", ".join(BPPLIB_SETS + VECTOR_SETS) + "; groups "
                             + ", ".join(GROUPS) + " (default 1d,vector)")
    parser.add_argument("--quick", action="store_true", help=f"a fixed, stratified {QUICK_PER_SET} per set")
    parser.add_argument("--sample", type=int, metavar="N", help="N instances per set drawn at random (as the "
                                                                "samples of docs/improve.md were)")
    parser.add_argument("--sample-seed", type=int, default=1, help="the seed of --sample's draw (default 1)")
    parser.add_argument("--out", type=Path, help="write the Markdown table here and the per-instance rows beside "
                                                 "it (same name, .csv)")
    parser.add_argument("--data", type=Path, default=default_data(), help="the shared data folder")
    parser.add_argument("--progress", action="store_true", help="print progress on stderr")
    args = parser.parse_args(argv)
    if args.time_limit <= 0 or args.jobs < 1 or (args.sample is not None and args.sample < 1):
        parser.error("--time-limit must be positive, --jobs and --sample at least 1")
    if args.sample is not None and args.quick:
        parser.error("--sample and --quick choose the instances two ways: give one")
    sets = expand_sets(s.strip() for s in args.sets.split(",") if s.strip())
    if not args.data.is_dir() and not set(sets) & set(RULED_SETS):
        print(f"quality: no data folder at {args.data}; nothing to run", file=sys.stderr)
        return 0
    chosen = entries(args.data, sets)
    if args.quick:
        chosen = quick_order(chosen)
    if args.sample is not None:
        chosen = sampled(chosen, args.sample, args.sample_seed)
    if not chosen:
        print(f"quality: no instance of {', '.join(sets)} under {args.data}; nothing to run", file=sys.stderr)
        return 0
    start = time.perf_counter()
    instances, unreadable = load(args.data, chosen, QUICK_PER_SET if args.quick else None)
    if not instances:
        print(f"quality: no readable instance of {', '.join(sets)}; nothing to run", file=sys.stderr)
        return 0
    limit = None if args.no_limit else args.time_limit
    frame = run(instances, chosen, args.method, limit, args.jobs, args.progress)
    table = set_table(frame, args.method)
    title = (f"{args.method}, " + ("no time limit" if limit is None else f"time limit {limit:g} s per instance")
             + f", {args.jobs} job(s)"
             + (", quick subset" if args.quick else "")
             + (f", {args.sample} per set drawn with seed {args.sample_seed}" if args.sample is not None else ""))
    text = markdown(table, args.method, title, unreadable)
    known = known_optimum_table(frame, args.method)
    if known:
        text += "\n" + known
    print(text)
    print(f"{len(instances)} instances in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        frame.to_csv(args.out.with_suffix(".csv"), index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
