"""Typing for users: `mypy --strict` passes on the shipped example scripts and on a typed user script
(tests/typed/typed_user.py) against the installed fleetpack (its py.typed and the extension's _core.pyi), and flags a
wrong call. Skipped when mypy is not installed (it is in the `test` extra)."""

import runpy
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")

ROOT = Path(__file__).resolve().parents[1]
USER_SCRIPT = ROOT / "tests" / "typed" / "typed_user.py"


def mypy_strict(tmp_path: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    # run from an empty folder with a cache of its own: the installed package is what gets checked
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), *map(str, files)]
    return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=300)


def test_examples_and_a_typed_user_script_pass_mypy_strict(tmp_path):
    examples = sorted((ROOT / "examples").glob("*.py"))
    assert examples, "no example scripts found"
    run = mypy_strict(tmp_path, *examples, USER_SCRIPT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"no issues found in {len(examples) + 1} source files" in run.stdout


def test_mypy_sees_the_package_and_the_extension_types(tmp_path):
    # wrong uses that only the package's annotations and the stub can catch: each line must be reported
    script = tmp_path / "wrong.py"
    script.write_text(
        "import fleetpack as fp\n"
        "from fleetpack import _core\n"
        "plan = fp.place([fp.Workload('a', cpu=1)], [fp.Host('h', cpu=2)], time_limit='soon')\n"
        "count: str = plan.hosts_used\n"
        "answer = _core.place({}, 'ffd', 'sum', 'hosts')\n"
        "strategy: int = answer['strategy']\n"
        "_core.place_many([], workers='two')\n",
        encoding="utf-8",
    )
    run = mypy_strict(tmp_path, script)
    reported = {int(line.split(":")[1]) for line in run.stdout.splitlines() if ": error:" in line}
    assert reported == {3, 4, 5, 6, 7}, run.stdout


def test_the_typed_user_script_runs(capsys):
    runpy.run_path(str(USER_SCRIPT), run_name="__main__")
    out = capsys.readouterr().out
    assert "db" in out and "hosts used per fleet:" in out


def test_misspelt_choices_are_type_errors(tmp_path):
    # the choices are `Literal` types: a misspelt method, form or hypervisor is named by mypy, not found at run time
    script = ROOT / "tests" / "typed" / "misspelt_script.py"
    run = mypy_strict(tmp_path, script)
    assert run.returncode == 1, run.stdout + run.stderr
    for line, argument in ((5, "method"), (6, "form"), (7, "hypervisor")):
        assert f"misspelt_script.py:{line}: error: Argument \"{argument}\"" in run.stdout, run.stdout
