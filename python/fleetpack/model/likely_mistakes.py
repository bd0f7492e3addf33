"""Warnings for valid input that is likely a mistake: the call goes on, and a `FleetpackWarning` says why.

Each kind of mistake is warned once per call (``place``, ``load_fleet``, ``from_kubernetes``, ...), naming the first
workload or host and field it concerns and counting the others, so that a fleet of 200k workloads that all write
``memory: "512m"`` gives one warning, not 200k. Outside such a call (a `Workload` made on its own) a mistake is
warned at once. The checks over a whole problem work on its arrays, so that they cost next to nothing on the
columnar path.

The mistakes: a fraction of a byte (``"512m"`` is 0.512 bytes: ``m`` is milli), a binary suffix on CPU (``"2Gi"``
cores), a host without CPU or memory when the overheads need some for every workload, an extra dimension that no
host has (``gpus`` beside ``gpu``), an empty fleet, tenant isolation without a tenant, and a key given twice in a
JSON object (`fleetpack.model.textfiles`).
"""

from __future__ import annotations

import difflib
import math
import sys
import threading
import warnings
from collections import Counter
from contextlib import contextmanager
from fractions import Fraction
from types import FrameType

import numpy as np

from ..errors import FleetpackWarning

__all__ = ["FleetpackWarning", "collecting", "note", "note_quantity", "note_column", "check_problem"]

_state = threading.local()


@contextmanager
def collecting(source: str = ""):
    """Gather the notes made inside, and warn once per kind when the block ends without an error (a call that
    raises has its errors to report). Nested blocks report at the outermost one, which puts ``source`` (a file
    name) in front of the messages that do not name it yet."""
    stack = _state.__dict__.setdefault("stack", [])
    if stack:
        yield
        return
    notes: dict[str, list] = {}
    stack.append(notes)
    try:
        yield
    finally:
        stack.pop()
    for message, count in notes.values():
        if source and not message.startswith(source):
            message = f"{source}: {message}"
        _warn(message + (f" (and {count - 1} more like it)" if count > 1 else ""))


def note(kind: str, message: str, count: int = 1) -> None:
    """A likely mistake (``count`` of them, ``message`` about the first): warned now, or at the end of the
    enclosing `collecting` block, where the first message of each kind is shown with the count of the others."""
    stack = getattr(_state, "stack", None)
    if not stack:
        _warn(message + (f" (and {count - 1} more like it)" if count > 1 else ""))
        return
    entry = stack[-1].setdefault(kind, [message, 0])
    entry[1] += count


def _warn(message: str) -> None:
    # attributed to the first caller outside fleetpack, so that the warning points at the user's own line
    frame: FrameType | None = sys._getframe(0)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith(("fleetpack", "contextlib")):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, FleetpackWarning, stacklevel=level)


# --- one quantity ----------------------------------------------------------------------------------------------------


def note_column(where_of_row, dimension: str, values: list) -> None:
    """`note_quantity` over a column of texts and numbers: each distinct value is checked once; the mistake is
    noted for its first row (``where_of_row(row)``) with the count of rows that make it."""
    try:
        distinct = dict.fromkeys(values)  # (hashing in C: one pass, however long the column)
    except TypeError:  # an unhashable value, already reported as an error
        return
    wrong = {v for v in distinct if _is_mistake(v, dimension)}
    if not wrong:
        return
    counts = Counter(values)
    row = next(i for i, v in enumerate(values) if v in wrong)  # (a Python pass only when there is a mistake)
    note_quantity(where_of_row(row), dimension, values[row], dimension, count=sum(counts[v] for v in wrong))


def _is_mistake(value, dimension: str) -> bool:
    if isinstance(value, str):
        text = value.strip()
        if not _suspect(text, dimension):
            return False
        try:
            return dimension == "cpu" or _parse(text).denominator != 1
        except ValueError:  # not a quantity: an error reported elsewhere
            return False
    return dimension == "memory" and isinstance(value, float) and math.isfinite(value) and not value.is_integer()


def _suspect(text: str, dimension: str) -> bool:
    if dimension == "cpu":
        return text.endswith("i")
    return text[-1:] in ("m", "u", "n") or "." in text or "-" in text


def note_quantity(where: str, field: str, value, dimension: str, exact: Fraction | None = None,
                  count: int = 1) -> None:
    """Notes on a size that parsed (``count`` values like it): ``exact`` is its value in the dimension's base
    unit when the caller has it."""
    if isinstance(value, str):
        text = value.strip()
        if dimension == "cpu" and text.endswith("i"):
            cores = _parse(text)
            note("cpu_binary_suffix",
                 f"{where}: {field}: {value!r} is {cores if cores.denominator == 1 else float(cores)} cores: a "
                 "binary suffix (Ki, Mi, Gi) is for bytes; CPU counts cores ('2') or millicores ('500m')", count)
        elif dimension == "memory" and _suspect(text, dimension):
            exact = _parse(text) if exact is None else exact
            if exact.denominator != 1:
                hint = f" (the 'm' suffix is milli: for mebibytes write '{text[:-1]}Mi')" if text.endswith("m") else ""
                note("fractional_bytes", f"{where}: {field}: {value!r} is {float(exact):g} bytes, a fraction of "
                                         f"a byte{hint}", count)
    elif dimension == "memory" and isinstance(value, float) and math.isfinite(value) and not value.is_integer():
        note("fractional_bytes", f"{where}: {field}: {value!r} is a fraction of a byte (memory counts bytes)", count)


def _parse(text: str) -> Fraction:
    from .units import parse_quantity

    return parse_quantity(text)


# --- a whole problem -------------------------------------------------------------------------------------------------


def check_problem(problem) -> None:
    """The mistakes that show only across a whole problem (a `Problem` or a `ColumnarProblem`): an empty fleet,
    hosts the overheads leave no room on, extra dimensions no host has, tenant isolation without a tenant."""
    w_ids, h_ids = problem.workload_ids, problem.host_ids
    if len(w_ids) == 0:
        note("empty_fleet", "workloads: the fleet has no workloads: there is nothing to place")
    if len(h_ids) == 0 and len(w_ids):
        note("empty_fleet", "hosts: the fleet has no hosts: every workload is left unplaced")
    if len(h_ids) == 0 or len(w_ids) == 0:
        return
    capacities = problem.capacities
    _hosts_without_room(problem, capacities)
    _dimensions_no_host_has(problem, capacities)
    _tenant_isolation_without_tenant(problem)


def _host_flags(problem) -> tuple[np.ndarray, np.ndarray]:
    """Per host: runs containers, runs VMs."""
    arrays = getattr(problem, "arrays", None)
    if arrays is not None:
        return np.asarray(arrays["containers"], dtype=bool), np.asarray(arrays["hypervisor"]) != 0
    hosts = problem.hosts
    return (np.fromiter((h.containers for h in hosts), dtype=bool, count=len(hosts)),
            np.fromiter((h.hypervisor is not None for h in hosts), dtype=bool, count=len(hosts)))


def _hosts_without_room(problem, capacities: np.ndarray) -> None:
    over = problem.overheads
    containers, vms = _host_flags(problem)
    for d, dim, unit in ((0, "cpu", "cpu_millis"), (1, "memory", "memory_bytes")):
        zero = capacities[:, d] == 0
        if not zero.any():
            continue
        per_container = getattr(over.container, unit) + getattr(over.container_runtime, unit)
        per_vm = getattr(over.vm, unit) + getattr(over.hypervisor, unit)
        if per_container == 0 and per_vm == 0:
            continue
        blocked = zero & (~containers | (per_container > 0)) & (~vms | (per_vm > 0)) & (containers | vms)
        rows = np.flatnonzero(blocked)
        if len(rows) == 0:
            continue
        from .units import format_amount

        needs = " and ".join(f"{format_amount(dim, amount)} per {form}" for form, amount in
                             (("container", per_container), ("VM", per_vm)) if amount)
        note(f"host_without_{dim}",
             f"host {problem.host_ids[int(rows[0])]!r}: {dim}: is 0 (not given?), and the overheads need {dim} for "
             f"every workload ({needs}): no workload can be placed on it", len(rows))


def _dimensions_no_host_has(problem, capacities: np.ndarray) -> None:
    extra = problem.dimensions[2:]
    if not extra:
        return
    had = capacities[:, 2:].max(axis=0) > 0
    host_dims = [d for d, has in zip(extra, had) if has]
    arrays = getattr(problem, "arrays", None)
    for k, dim in enumerate(extra):
        if had[k]:
            continue
        if arrays is not None:
            rows = np.flatnonzero(np.asarray(arrays["demand"][2 + k]) > 0)
        else:
            rows = np.array([i for i, w in enumerate(problem.workloads) if w.extra_units.get(dim, 0) > 0], dtype=np.intp)
        if len(rows) == 0:
            continue
        close = difflib.get_close_matches(dim, host_dims, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        listed = ", ".join(["cpu", "memory", *host_dims])
        many = f"the {len(rows)} workloads that need it" if len(rows) > 1 else "it"
        note(f"dimension_{dim}",
             f"workload {problem.workload_ids[int(rows[0])]!r}: extra.{dim}: no host has a {dim!r} dimension "
             f"(hosts have {listed}), so {many} cannot be placed{hint}")


def _tenant_isolation_without_tenant(problem) -> None:
    arrays = getattr(problem, "arrays", None)
    if arrays is not None:
        isolated = np.asarray(arrays["isolation"]) == 1
        if not isolated.any():
            return
        tenants = problem._rows[0].get("tenant")  # the tenant labels, when the table has a tenant column
        if tenants is None:
            rows = np.flatnonzero(isolated)
        else:
            labels = list(tenants._labels)
            empty = labels.index("") if "" in labels else -1
            rows = np.flatnonzero(isolated & (np.asarray(tenants._codes) == empty))
    else:
        rows = np.array([i for i, w in enumerate(problem.workloads) if w.isolation == "tenant" and not w.tenant],
                        dtype=np.intp)
    if len(rows):
        note("tenant_isolation_without_tenant",
             f"workload {problem.workload_ids[int(rows[0])]!r}: tenant: is empty, but isolation is 'tenant': it is "
             "kept apart only from containers that have a tenant (give its tenant)", len(rows))
