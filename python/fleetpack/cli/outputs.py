"""Where the command writes: the plan file (``-o``, ``-`` for standard output) and the picture (``--plot``).

Both are checked before any work is done (a fleet read, a solve that may take minutes), so that a typo in a path or
a format matplotlib cannot write fails at once with status 2 instead of after the solve, with the plan half-written.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TextIO

from ..errors import ErrorDetail, ValidationError
from ..fleetfile import dump_plan
from ..model.textfiles import STDIN
from ..plan.plan import Plan

__all__ = ["STDOUT", "PLAN_SUFFIXES", "check_outputs", "plot_formats", "write_plan"]

STDOUT = STDIN  # "-" as -o: standard output
PLAN_SUFFIXES = (".json", ".csv")


def check_outputs(output: str | None, plot: str | None) -> None:
    """Refuse, before any work, a plan file or picture that cannot be written: an unknown format, a folder that does
    not exist or cannot be written to, a path that is a folder. Raises one `ValidationError` naming each option."""
    errors: list[ErrorDetail] = []
    if output is not None and output != STDOUT:
        suffix = Path(output).suffix.lower()
        if suffix not in PLAN_SUFFIXES:
            errors.append(ErrorDetail("-o", output, f"a plan file is .json or .csv (or '-' for standard output), "
                                                    f"not {suffix or 'a name without suffix'}"))
        _check_writable("-o", output, errors)
    if plot is not None:
        if plot == STDOUT:
            errors.append(ErrorDetail("--plot", plot, "a picture is written to a file, not to standard output"))
        elif importlib.util.find_spec("matplotlib") is None:
            errors.append(ErrorDetail("--plot", plot, "drawing a plan needs matplotlib: pip install "
                                                      "'fleetpack[plot]'"))
        else:
            suffix = Path(plot).suffix.lower().lstrip(".")
            formats = plot_formats()
            if suffix not in formats:
                what = f".{suffix} pictures" if suffix else "a picture named without a suffix"
                errors.append(ErrorDetail("--plot", plot, f"matplotlib cannot write {what} (it writes "
                                                          f"{', '.join(sorted(formats))})"))
            _check_writable("--plot", plot, errors)
        if output is not None and output != STDOUT and os.path.abspath(output) == os.path.abspath(plot):
            errors.append(ErrorDetail("--plot", plot, "is also the plan file (-o)"))
    if errors:
        raise ValidationError(errors)


def plot_formats() -> set[str]:
    """The file suffixes matplotlib can save to (png, svg, pdf, ...), without drawing anything."""
    from matplotlib.backend_bases import FigureCanvasBase

    return set(FigureCanvasBase.get_supported_filetypes())


def _check_writable(option: str, path: str, errors: list[ErrorDetail]) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        errors.append(ErrorDetail(option, path, "is a folder"))
    elif not os.path.isdir(folder):
        errors.append(ErrorDetail(option, path, f"its folder {folder} does not exist"))
    elif not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        errors.append(ErrorDetail(option, path, "cannot be written (permission denied)"))


def write_plan(plan: Plan, output: str, out: TextIO) -> None:
    """The plan to its file, or as JSON to ``out`` for ``-``."""
    if output == STDOUT:
        out.write(plan.to_json() + "\n")
    else:
        dump_plan(plan, output)
