"""Standard benchmark instances: BPPLIB one-dimensional files, VPSolver ``.vbp`` vector files, and tables of their
known optima; the real cluster traces' loaders (`fleetpack.bench.traces`) are re-exported here.

Every instance becomes a `fleetpack.bench.Instance` of plain vector bin packing, the same way for both formats:

- dimension *k* of the file (of *d*) is the extra dimension ``"d<k>"`` (``"d1"``; ``"d01"`` ... ``"d10"`` when
  *d* ≥ 10, so that fleetpack's sorted order of dimensions is the file's order), in whole units; CPU and memory are 0,
  so no overhead or unit conversion touches the sizes. A BPPLIB instance is a 1-dimensional vector instance;
- item *k* is the workload ``"i<k>"`` (from 1, in file order, multiplicities expanded), a container;
- the bins are identical hosts ``"h1"``, ``"h2"``, ..., as many as there are items unless ``n_hosts`` says otherwise
  (every item fits alone, so every heuristic places them all), with no hypervisor;
- the overheads are `Overheads.none()`;
- ``optimum`` and ``lower_bound`` come from a solutions table when given; ``lower_bound`` is at least the
  continuous bound: the largest, over the dimensions, of ⌈total size / capacity⌉.

The package ships no instance: pass the paths of your copies (BPPLIB is CC BY-NC-ND; read it in place).
"""

from __future__ import annotations

import copy
import csv
import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, NamedTuple, Sequence

from ..errors import ErrorDetail, ValidationError
from ..model.inputs import build_problem
from ..model.objects import Host, Overheads, Workload
from .instance import Instance
# the real traces' loaders live in their own module; they are exported here too, so that every data source is in one
# place
from .traces import read_alibaba_2018, read_alibaba_gpu_2023, read_google_2011, read_huawei_2023

__all__ = [
    "Known",
    "dimension_names",
    "from_vectors",
    "read_bpplib",
    "write_bpplib",
    "read_vbp",
    "write_vbp",
    "read_solutions",
    "read_set",
    "read_alibaba_2018",
    "read_alibaba_gpu_2023",
    "read_google_2011",
    "read_huawei_2023",
]

_MAX_LISTED_ERRORS = 50  # a badly broken file need not report every one of its lines
_MAX_ITEMS = 10**7  # one workload per item: a multiplicity beyond this is a typo, not an instance to expand


class Known(NamedTuple):
    """What a solutions table says about one instance: a lower bound and the optimum, each None when unknown."""

    lower_bound: int | None
    optimum: int | None


def dimension_names(d: int) -> tuple[str, ...]:
    """The names of a *d*-dimensional instance's dimensions: ``d1`` ... ``d<d>``, zero-padded so that they sort in
    order (``d01`` ... ``d10``)."""
    width = len(str(d))
    return tuple(f"d{k:0{width}d}" for k in range(1, d + 1))


def from_vectors(name: str, capacity: Sequence[int], items: Sequence[Sequence[int]], *, n_hosts: int | None = None,
                 optimum: int | None = None, lower_bound: int | None = None, set: str = "",
                 bins: Sequence[int] | None = None, source: str = "") -> Instance:
    """A vector bin packing instance: identical bins of size ``capacity`` (one integer per dimension) and items of
    the given sizes, as workloads and hosts (see the module's docstring for the mapping).

    ``n_hosts`` hosts (default: one per item, at least one). ``bins``, when given, is a packing that uses exactly
    ``optimum`` bins (item *k* in bin ``bins[k]``, counted from 0); it becomes the instance's ``witness``.
    ``lower_bound`` is raised to the continuous bound.
    """
    d = len(capacity)
    where = f"instance {name!r}"
    problems = []
    if d < 1:
        problems.append(ErrorDetail(where, "capacity", "needs at least one dimension"))
    for k, c in enumerate(capacity):
        if isinstance(c, bool) or not isinstance(c, int) or c <= 0:
            problems.append(ErrorDetail(where, f"capacity {k + 1}", f"must be a positive whole number, got {c!r}", c))
    for i, sizes in enumerate(items):
        if len(sizes) != d:
            problems.append(ErrorDetail(where, f"item {i + 1}", f"has {len(sizes)} sizes for {d} dimensions"))
        elif any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in sizes):
            problems.append(ErrorDetail(where, f"item {i + 1}", f"sizes must be non-negative whole numbers, got "
                                                                f"{list(sizes)}"))
        elif not problems and any(s > c for s, c in zip(sizes, capacity)):
            problems.append(ErrorDetail(where, f"item {i + 1}", f"sizes {list(sizes)} exceed the capacity "
                                                                f"{list(capacity)}"))
    if n_hosts is not None and (isinstance(n_hosts, bool) or not isinstance(n_hosts, int) or n_hosts < 1):
        problems.append(ErrorDetail(where, "n_hosts", f"must be a whole number of at least 1, got {n_hosts!r}"))
    if problems:
        raise ValidationError(problems[:_MAX_LISTED_ERRORS])
    names = dimension_names(d)
    totals = [sum(sizes[k] for sizes in items) for k in range(d)]
    continuous = max((-(-t // c) for t, c in zip(totals, capacity)), default=0)  # exact ceilings
    if n_hosts is None:
        n_hosts = max(len(items), 1)
    witness = None
    if bins is not None:
        if len(bins) != len(items) or (items and max(bins) >= n_hosts):
            raise ValidationError.single(where, "bins", "must give a bin below n_hosts for every item")
        witness = {f"i{i + 1}": (f"h{b + 1}", "container") for i, b in enumerate(bins)}
    # Validating a model object costs far more than copying one: validate each distinct size once, and give copies
    # their own ids (only the id differs, and it is a valid one).
    templates: dict[tuple, Workload] = {}
    workloads = []
    for i, sizes in enumerate(items):
        key = tuple(sizes)
        if key not in templates:
            templates[key] = Workload("i", extra=dict(zip(names, sizes)), form="container")
        workloads.append(_with_id(templates[key], f"i{i + 1}"))
    host = Host("h", extra=dict(zip(names, capacity)), hypervisor=None)
    return Instance(
        name=name,
        workloads=tuple(workloads),
        hosts=tuple(_with_id(host, f"h{j + 1}") for j in range(n_hosts)),
        overheads=Overheads.none(),
        optimum=optimum,
        lower_bound=max(continuous, lower_bound or 0),
        set=set,
        witness=witness,
        source=source,
    )


def _with_id(template, ident: str):
    item = copy.copy(template)
    object.__setattr__(item, "id", ident)  # frozen dataclass: set like its own __post_init__ does
    return item


# --- reading numbers with their line numbers ------------------------------------------------------------------------


class _Tokens:
    """The whitespace-separated values of a file, each with its line number, read in order; errors name the line."""

    def __init__(self, path: str):
        self.path = path
        text = Path(path).read_text(encoding="utf-8-sig")  # BPPLIB files have CRLF endings; some tools add a BOM
        self._items = [(tok, n) for n, line in enumerate(text.splitlines(), 1) for tok in line.split()]
        self._next = 0
        self._ended = False
        self.last_line = max(len(text.splitlines()), 1)
        self.errors: list[ErrorDetail] = []

    def error(self, line: int | None, field: str, message: str, value=None) -> None:
        where = self.path if line is None else f"{self.path}, line {line}"
        self.errors.append(ErrorDetail(where, field, message, value))

    def integer(self, field: str, minimum: int = 0) -> tuple[int | None, int]:
        """The next value as a whole number ≥ ``minimum`` (None, with an error, if it is missing or not one)."""
        if self._next >= len(self._items):
            if not self._ended:  # one report is enough: every later value is missing too
                self.error(None, field, f"missing: the file ends early (after {len(self._items)} values)")
                self._ended = True
            return None, self.last_line
        token, line = self._items[self._next]
        self._next += 1
        if not re.fullmatch(r"[+-]?\d+", token):
            self.error(line, field, f"{token!r} is not a whole number", token)
            return None, line
        value = int(token)
        if value < minimum:
            self.error(line, field, f"must be at least {minimum}, got {value}", value)
            return None, line
        return value, line

    @property
    def stop(self) -> bool:
        """Whether reading on is pointless: the file has ended, or enough problems were found."""
        return self._ended or len(self.errors) >= _MAX_LISTED_ERRORS

    def remaining(self) -> list[tuple[str, int]]:
        return self._items[self._next:]

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors[:_MAX_LISTED_ERRORS])


def _known(name: str, solutions) -> Known:
    if solutions is None:
        return Known(None, None)
    table = read_solutions(solutions) if isinstance(solutions, (str, os.PathLike)) else solutions
    return table.get(name, Known(None, None))


def _default_set(path: str) -> str:
    return Path(path).resolve().parent.name


# --- BPPLIB ---------------------------------------------------------------------------------------------------------


def read_bpplib(path: str | os.PathLike, solutions=None, *, n_hosts: int | None = None,
                set: str | None = None) -> Instance:
    """Read a BPPLIB one-dimensional instance: ``n``, the capacity ``c``, then ``n`` integer weights.

    ``solutions``: a solutions table's path (see `read_solutions`) or its already-read dict; the instance, named by
    the file's stem (``Falkenauer_u120_00``), takes its optimum and lower bound from it. ``set`` defaults to the
    name of the file's directory. Raises `ValidationError` naming the file, line and field of every problem, and
    `OSError` when the file cannot be read.
    """
    source = os.fspath(path)
    tokens = _Tokens(source)
    n, _ = tokens.integer("n (number of items)")
    c, _ = tokens.integer("c (capacity)", minimum=1)
    weights = []
    for k in range(n or 0):
        w, line = tokens.integer(f"weight {k + 1}")
        if w is not None and c is not None and w > c:
            tokens.error(line, f"weight {k + 1}", f"{w} exceeds the capacity {c}", w)
        weights.append(w)
        if tokens.stop:
            break
    extra = tokens.remaining()
    if n is not None and extra and not tokens.errors:
        tokens.error(extra[0][1], "weights", f"more values than the {n} weights announced by n ({len(extra)} more)")
    tokens.raise_if_any()
    name = Path(source).stem
    known = _known(name, solutions)
    return from_vectors(name, [c], [[w] for w in weights], n_hosts=n_hosts, optimum=known.optimum,
                        lower_bound=known.lower_bound, set=_default_set(source) if set is None else set,
                        source=source)


def write_bpplib(instance: Instance, path: str | os.PathLike) -> None:
    """Write a one-dimensional instance in BPPLIB's format. The instance must be plain bin packing: identical hosts,
    one dimension in use, no overheads and no rule beyond size (see `write_vbp`). The number of hosts, the names
    and any known optimum are not part of the format."""
    dims, capacity, items = _vector_view(instance)
    if len(dims) != 1:
        raise ValidationError.single(f"instance {instance.name!r}", "dimensions",
                                     f"BPPLIB files have one dimension; this instance uses {len(dims)} "
                                     f"({', '.join(dims)}): write it with write_vbp")
    lines = [str(len(items)), str(capacity[0]), *(str(sizes[0]) for sizes in items)]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- VPSolver .vbp --------------------------------------------------------------------------------------------------


def read_vbp(path: str | os.PathLike, solutions=None, *, n_hosts: int | None = None,
             set: str | None = None) -> Instance:
    """Read a VPSolver ``.vbp`` vector instance: ``d``, the ``d`` bin capacities, the number ``m`` of item types,
    then per type its ``d`` sizes and its multiplicity. Items of a type with multiplicity *q* become *q* workloads.

    ``solutions``, ``n_hosts`` and ``set`` as in `read_bpplib`. Raises `ValidationError` naming the file, line and
    field of every problem.
    """
    source = os.fspath(path)
    tokens = _Tokens(source)
    d, _ = tokens.integer("d (number of dimensions)", minimum=1)
    capacity = []
    for k in range(d or 0):
        capacity.append(tokens.integer(f"capacity {k + 1}", minimum=1)[0])
        if tokens.stop:
            tokens.raise_if_any()
    m, _ = tokens.integer("m (number of item types)")
    items = []
    for t in range(m or 0):
        sizes = []
        for k in range(d or 0):
            s, line = tokens.integer(f"item type {t + 1}, size {k + 1}")
            if s is not None and capacity[k] is not None and s > capacity[k]:
                tokens.error(line, f"item type {t + 1}, size {k + 1}",
                             f"{s} exceeds the capacity {capacity[k]} of dimension {k + 1}", s)
            sizes.append(s)
            if tokens.stop:
                break
        if tokens.stop:
            break
        q, line = tokens.integer(f"item type {t + 1}, multiplicity")
        if q is not None and len(items) + q > _MAX_ITEMS:
            tokens.error(line, f"item type {t + 1}, multiplicity", f"{q} would make more than {_MAX_ITEMS} items", q)
            break
        items.extend([sizes] * (q or 0))
        if tokens.stop:
            break
    extra = tokens.remaining()
    if m is not None and extra and not tokens.errors:
        tokens.error(extra[0][1], "item types", f"more values than the {m} item types announced by m "
                                                f"({len(extra)} more)")
    tokens.raise_if_any()
    name = Path(source).stem
    known = _known(name, solutions)
    return from_vectors(name, capacity, items, n_hosts=n_hosts, optimum=known.optimum,
                        lower_bound=known.lower_bound, set=_default_set(source) if set is None else set,
                        source=source)


def write_vbp(instance: Instance, path: str | os.PathLike) -> None:
    """Write an instance in VPSolver's ``.vbp`` format, one item type per run of identical consecutive workloads (so
    that reading the file back gives the same items in the same order).

    The instance must be plain vector bin packing, which the format can express: identical hosts, no overheads,
    no anti-affinity, isolation or ``max_workloads``, and every workload allowed on the hosts. Its dimensions are
    those in use (a host capacity or a demand not 0), in fleetpack's order (cpu in millicores, memory in bytes, then
    the extra dimensions by name). Otherwise raises `ValidationError` listing what the format cannot hold.
    """
    dims, capacity, items = _vector_view(instance)
    runs: list[list] = []
    for sizes in items:
        if runs and runs[-1][0] == sizes:
            runs[-1][1] += 1
        else:
            runs.append([sizes, 1])
    lines = [str(len(dims)), " ".join(map(str, capacity)), str(len(runs))]
    lines += [" ".join(map(str, [*sizes, q])) for sizes, q in runs]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _vector_view(instance: Instance) -> tuple[list[str], list[int], list[list[int]]]:
    """The instance as (dimensions in use, bin capacity, item sizes), or a `ValidationError` saying why the
    instance is not plain vector bin packing."""
    where = f"instance {instance.name!r}"
    problems: list[ErrorDetail] = []
    if instance.overheads.to_dict() != Overheads.none().to_dict():
        problems.append(ErrorDetail(where, "overheads", "must be Overheads.none(): the format has no overheads"))
    if not instance.hosts:
        problems.append(ErrorDetail(where, "hosts", "there must be at least one host, to give the bin size"))
    problem = build_problem(instance.workloads, instance.hosts, instance.overheads)
    demands = [problem.demand(w) for w in problem.workloads]
    capacities = [problem.capacity(h) for h in problem.hosts]
    used = [k for k in range(len(problem.dimensions))
            if any(c[k] for c in capacities) or any(s[k] for s in demands)]
    shapes = {tuple(c[k] for k in used) for c in capacities}
    if len(shapes) > 1:
        problems.append(ErrorDetail(where, "hosts", f"have {len(shapes)} different sizes; the format has one bin "
                                                    "size"))
    for h in problem.hosts:
        if h.max_workloads is not None:
            problems.append(ErrorDetail(where, f"host {h.id!r}", "max_workloads is set; the format has no such rule"))
    kinds = {(h.os, h.hypervisor is not None, h.containers) for h in problem.hosts}
    for w in problem.workloads:
        if w.anti_affinity is not None:
            problems.append(ErrorDetail(where, f"workload {w.id!r}", "has an anti-affinity group; the format has "
                                                                     "none"))
        if w.isolation != "none":
            problems.append(ErrorDetail(where, f"workload {w.id!r}", f"has isolation {w.isolation!r}; the format "
                                                                     "has none"))
        for os_, vms, containers in kinds:
            as_container = w.form != "vm" and containers and w.os == os_
            as_vm = w.form != "container" and vms
            if not (as_container or as_vm):
                problems.append(ErrorDetail(where, f"workload {w.id!r}", "may not run on every host; the format "
                                                                         "has no placement rule"))
                break
    if problems:
        raise ValidationError(problems[:_MAX_LISTED_ERRORS])
    capacity = [capacities[0][k] for k in used]
    items = [[s[k] for k in used] for s in demands]
    for w, sizes in zip(problem.workloads, items):
        if any(s > c for s, c in zip(sizes, capacity)):
            problems.append(ErrorDetail(where, f"workload {w.id!r}", "is larger than the hosts"))
    if not used:
        problems.append(ErrorDetail(where, "dimensions", "no dimension is in use: every size is 0"))
    if problems:
        raise ValidationError(problems[:_MAX_LISTED_ERRORS])
    return [problem.dimensions[k] for k in used], capacity, items


# --- tables of known optima and bounds ------------------------------------------------------------------------------

_NAME_COLUMNS = ("instance_name", "instance", "name")
_LB_COLUMNS = ("lb", "lower_bound")
_OPT_COLUMNS = ("opt", "optimum")
_UB_COLUMNS = ("ub", "upper_bound", "best_known")


@dataclass
class _Row:
    line: int
    fields: list[str]


def _rows(path: str) -> Iterator[_Row]:
    text = Path(path).read_text(encoding="utf-8-sig")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    if not lines:
        return
    if "," in lines[0][1]:
        for (n, _), fields in zip(lines, csv.reader(line for _, line in lines)):
            yield _Row(n, [f.strip() for f in fields])
    else:
        for n, line in lines:
            yield _Row(n, line.split())


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[+-]?\d+(\.\d*)?", text))


def read_solutions(path: str | os.PathLike) -> dict[str, Known]:
    """Read a table of known optima and lower bounds, keyed by instance name (a file's stem). It reads:

    - BPPLIB's bounds table (``Bounds_BPPLib.jl.txt``): ``name LB UB`` per line, no header; LB = UB means the
      optimum is known, otherwise only the lower bound is;
    - ``name optimum`` per line, no header;
    - a table with a header (tab- or space-separated, or CSV), such as Mommessin et al.'s
      ``*_summary_known.csv`` (``instance_name LB OPT ...``, OPT -1 when unknown) or BPPLIB's ``bpplib_index.csv``:
      the name column is ``instance_name``, ``instance`` or ``name``; bounds come from ``lb`` / ``lower_bound``,
      ``opt`` / ``optimum`` and ``ub`` / ``upper_bound`` (any case). A value of -1 or empty means unknown.

    An upper bound alone is not an optimum: it counts only when it equals the lower bound. A name listed twice with
    different values raises `ValidationError`, as does any value that is not a whole number (naming file and line).
    """
    source = os.fspath(path)
    problems: list[ErrorDetail] = []
    table: dict[str, Known] = {}
    first_line: dict[str, int] = {}
    columns = None
    for row in _rows(source):
        if len(problems) >= _MAX_LISTED_ERRORS:
            break
        where = f"{source}, line {row.line}"
        if columns is None:
            columns = _columns(row, source, problems)
            if columns is None:
                break
            if columns.header:
                continue
        if len(row.fields) <= columns.last:
            problems.append(ErrorDetail(where, "(row)", f"has {len(row.fields)} fields, expected "
                                                        f"{columns.last + 1}"))
            continue
        name = row.fields[columns.name]
        values = {}
        for key, index in (("lb", columns.lb), ("opt", columns.opt), ("ub", columns.ub)):
            if index is None:
                continue
            text = row.fields[index]
            if text in ("", "-1", "-1.0", "NA", "nan", "NaN"):
                continue
            if not _is_number(text) or float(text) != int(float(text)) or float(text) < 0:
                problems.append(ErrorDetail(where, columns.names[index], f"{text!r} is not a whole number", text))
                continue
            values[key] = int(float(text))
        lb, opt, ub = values.get("lb"), values.get("opt"), values.get("ub")
        if opt is None and lb is not None and ub is not None and lb == ub:
            opt = lb
        if opt is not None and lb is not None and lb > opt:
            problems.append(ErrorDetail(where, columns.names[columns.lb], f"lower bound {lb} exceeds the optimum "
                                                                          f"{opt}"))
            continue
        known = Known(lb if lb is not None else opt, opt)
        if name in table and table[name] != known:
            problems.append(ErrorDetail(where, columns.names[columns.name],
                                        f"{name!r} is listed again with other values (first on line "
                                        f"{first_line[name]}): key the table by one benchmark"))
            continue
        table.setdefault(name, known)
        first_line.setdefault(name, row.line)
    if problems:
        raise ValidationError(problems)
    return table


@dataclass
class _Columns:
    header: bool
    names: list[str]
    name: int
    lb: int | None
    opt: int | None
    ub: int | None

    @property
    def last(self) -> int:
        return max(i for i in (self.name, self.lb, self.opt, self.ub) if i is not None)


def _columns(row: _Row, source: str, problems: list[ErrorDetail]) -> _Columns | None:
    """Which column holds what: from the header if the first row has one, else by position."""
    where = f"{source}, line {row.line}"
    if all(_is_number(f) for f in row.fields[1:]) and len(row.fields) >= 2:
        if len(row.fields) == 2:
            return _Columns(False, ["name", "optimum"], 0, None, 1, None)
        if len(row.fields) == 3:
            return _Columns(False, ["name", "LB", "UB"], 0, 1, None, 2)
        problems.append(ErrorDetail(where, "(row)", f"{len(row.fields)} fields and no header: expected 'name "
                                                    "optimum' or 'name LB UB'"))
        return None
    lower = [f.lower() for f in row.fields]

    def find(options) -> int | None:
        return next((lower.index(o) for o in options if o in lower), None)

    name, lb, opt, ub = find(_NAME_COLUMNS), find(_LB_COLUMNS), find(_OPT_COLUMNS), find(_UB_COLUMNS)
    if name is None or (lb is None and opt is None):
        problems.append(ErrorDetail(where, "(header)", f"needs a name column ({', '.join(_NAME_COLUMNS)}) and a "
                                                       f"bound column ({', '.join(_LB_COLUMNS + _OPT_COLUMNS)}); "
                                                       f"got {', '.join(row.fields)}"))
        return None
    return _Columns(True, row.fields, name, lb, opt, ub)


# --- whole sets -----------------------------------------------------------------------------------------------------

_READERS = {".txt": read_bpplib, ".bpp": read_bpplib, ".vbp": read_vbp}


def _natural_key(path: Path) -> list:
    """``u120`` before ``u1000``: digits compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def read_set(path: str | os.PathLike, solutions=None, *, n_hosts: int | None = None,
             set: str | None = None) -> list[Instance]:
    """Read every instance file of a directory (``.txt`` / ``.bpp``: BPPLIB; ``.vbp``: VPSolver), in natural order
    of their names, or a single file. ``set`` defaults to the directory's name. ``solutions`` as in `read_bpplib`
    (its table is read once). Raises `ValidationError` if the directory holds no instance file."""
    source = Path(path)
    if not source.exists():
        raise FileNotFoundError(errno.ENOENT, "no such file or directory", os.fspath(source))
    if isinstance(solutions, (str, os.PathLike)):
        solutions = read_solutions(solutions)
    if source.is_dir():
        files = sorted((p for p in source.iterdir() if p.is_file() and p.suffix.lower() in _READERS),
                       key=_natural_key)
        if not files:
            raise ValidationError.single(os.fspath(source), "(directory)",
                                         f"holds no instance file ({', '.join(sorted(_READERS))})")
        name = source.resolve().name if set is None else set
    else:
        if source.suffix.lower() not in _READERS:
            raise ValidationError.single(os.fspath(source), "(file)", f"is not an instance file (expected "
                                                                      f"{', '.join(sorted(_READERS))})")
        files = [source]
        name = set
    return [_READERS[p.suffix.lower()](p, solutions, n_hosts=n_hosts, set=name) for p in files]

