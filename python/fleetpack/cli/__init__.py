"""The ``fleetpack`` command: `main` (the sub-commands place, verify, explain, demo), the ``bench`` sub-command
(`fleetpack.cli.bench`), the progress line (`progress`) and argparse's value types (`argtypes`)."""

from .main import main, summary

__all__ = ["main", "summary"]
