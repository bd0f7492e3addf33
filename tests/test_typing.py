"""fleetpack is typed for its users (``py.typed``, `Literal` choices): ``mypy --strict`` passes on a script that
uses it well, and names the misspelt choices of one that does not."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "typed"

pytestmark = pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")


def _mypy(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null", str(HERE / script)],
                          capture_output=True, text=True, timeout=600)


def test_a_typed_user_script_passes_mypy_strict():
    run = _mypy("user_script.py")
    assert run.returncode == 0, run.stdout + run.stderr


def test_misspelt_choices_are_type_errors():
    run = _mypy("misspelt_script.py")
    assert run.returncode == 1, run.stdout + run.stderr
    for line, argument in ((5, "method"), (6, "form"), (7, "hypervisor")):
        assert f"misspelt_script.py:{line}: error: Argument \"{argument}\"" in run.stdout, run.stdout
