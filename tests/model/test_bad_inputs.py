"""Every row of the table in docs/bad-inputs.md, run as written: the input raises exactly the documented error type
(or returns the documented violation), and the message contains the documented text. The table is read from the doc
itself, so the doc cannot go stale."""

from __future__ import annotations

import builtins
import contextlib
import io
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import fleetpack as fp
import fleetpack.baseline
from fleetpack.fleetfile import load_fleet_csv

DOC = Path(__file__).resolve().parents[2] / "docs" / "bad-inputs.md"
ROW = re.compile(r"^\| (\d+) \| `(.+)` \| (.+) \| `(.+)` \|$")
RETURNS = re.compile(r"^returns `Violation` `(\w+)`$")
WARNS = re.compile(r"^warns `(\w+)`$")
EXITS = re.compile(r"^exits `(\d)`$")
ROOT = DOC.parent.parent
SMALL_FLEET = ('{"workloads": [{"id": "web-1", "cpu": 1, "memory": "1Gi"}], '
               '"hosts": [{"id": "node-1", "cpu": 8, "memory": "32Gi"}]}')
ERROR = re.compile(r"^`(\w+)`$")


def table() -> list:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if not re.match(r"^\| \d+ \|", line):
            continue
        match = ROW.match(line)
        assert match, f"a row of docs/bad-inputs.md that does not parse: {line}"
        number, source, error, text = match.groups()
        rows.append(pytest.param(source, error, text, id=f"row{number}"))
    return rows


ROWS = table()


def test_the_table_has_its_rows_numbered_in_order():
    numbers = [int(p.id[3:]) for p in ROWS]
    assert len(numbers) >= 30
    assert numbers == list(range(1, len(numbers) + 1))


def namespace(tmp_path: Path) -> dict:
    """The names the table's inputs use (docs/bad-inputs.md says what each one is)."""
    import pandas as pd

    def fleet_file(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return fp.load_fleet(path)

    def file(name: str, content: str | bytes) -> str:
        target = tmp_path / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        return str(target)

    def path(name: str) -> str:
        return str(tmp_path / name)

    def cli(*args) -> tuple[int, str, str]:
        from fleetpack.cli import main

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in args])
        return code, out.getvalue(), err.getvalue()

    def csv_fleet(workloads: str, hosts: str):
        (tmp_path / "workloads.csv").write_text(workloads, encoding="utf-8")
        (tmp_path / "hosts.csv").write_text(hosts, encoding="utf-8")
        return load_fleet_csv(tmp_path / "workloads.csv", tmp_path / "hosts.csv")

    return {"fp": fp, "baseline": fleetpack.baseline, "np": np, "pd": pd, "W": [fp.Workload("web-1", cpu=1, memory="1Gi")],
            "H": [fp.Host("node-1", cpu=8, memory="32Gi")], "fleet_file": fleet_file, "csv_fleet": csv_fleet,
            "file": file, "path": path, "cli": cli, "FLEET": file("fleet.json", SMALL_FLEET),
            "EXAMPLE": str(ROOT / "examples" / "consolidation.json"),
            "KUBE_PODS": str(ROOT / "examples" / "kube-pods.json"),
            "KUBE_NODES": str(ROOT / "examples" / "kube-nodes.json")}


@pytest.mark.parametrize("source, error, text", ROWS)
def test_bad_input(source, error, text, tmp_path):
    names = namespace(tmp_path)
    warns = WARNS.match(error)
    if warns:  # valid input that is likely a mistake: no error, and exactly one warning saying so
        category = getattr(fp, warns.group(1))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            eval(source, names)
        said = [str(w.message) for w in caught if issubclass(w.category, category)]
        assert sum(text in m for m in said) == 1, said
        return
    exits = EXITS.match(error)
    if exits:  # a command: its exit status, the message on stdout or stderr, and never a traceback
        code, out, err = eval(source, names)
        assert code == int(exits.group(1)), (code, out, err)
        assert text in out + err, out + err
        assert "Traceback" not in err
        return
    returns = RETURNS.match(error)
    if returns:
        violations = eval(source, names)
        rules = [v.rule for v in violations]
        found = [v for v in violations if v.rule == returns.group(1)]
        assert found, f"expected a {returns.group(1)} violation, got {rules}"
        assert any(text in v.message for v in found), [v.message for v in found]
        return
    match = ERROR.match(error)
    assert match, f"error cell {error!r}: expected `Name`, returns `Violation` `rule`, warns `Name` or exits `N`"
    expected = getattr(fp, match.group(1), None) or getattr(builtins, match.group(1))
    with pytest.raises(Exception) as info:
        eval(source, names)
    assert type(info.value) is expected, f"{type(info.value).__name__}: {info.value}"
    assert text in str(info.value)
    if expected is fp.ValidationError:  # one problem per row, and it names where and which field
        assert len(info.value.errors) == 1, info.value.errors
        detail = info.value.errors[0]
        assert detail.where and detail.field and text in str(info.value)
