"""Progress on a terminal for runs long enough to wonder about, and silence everywhere else.

A solver call is one opaque step (the Rust core releases the GIL and returns when done), so what can honestly be
shown is the time: elapsed, and against the time limit when there is one. Work that comes in countable steps (many
problems placed one after another) shows the count too. The line appears only after ``delay`` seconds, so quick
runs print nothing, and only when the stream is a terminal, so logs and pipes stay clean.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TextIO

__all__ = ["Progress"]

_SPINNER = "|/-\\"
_BAR = 20


class Progress:
    """A one-line progress display, used as a context manager::

        with Progress("Placing 10000 workloads", time_limit=30):
            plan = place(...)

        with Progress("Placing", total=len(problems)) as progress:
            for n, problem in enumerate(problems, 1):
                ...
                progress.update(n)

    ``enabled`` defaults to whether ``stream`` (default stderr) is a terminal (and ``TERM`` is not ``dumb``).
    """

    def __init__(self, label: str, *, total: int | None = None, time_limit: float | None = None,
                 stream: TextIO | None = None, delay: float = 0.5, interval: float = 0.1,
                 enabled: bool | None = None):
        self.label = label
        self.total = total
        self.time_limit = time_limit
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.interval = interval
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.done = 0
        self._start = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False
        self._width = 0

    def update(self, done: int) -> None:
        """Record that ``done`` of ``total`` steps are finished."""
        self.done = done

    def __enter__(self) -> "Progress":
        self._start = time.monotonic()
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="fleetpack-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._shown:  # leave the terminal as it was: wipe the line
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()

    def line(self, elapsed: float, tick: int = 0) -> str:
        """The progress line after ``elapsed`` seconds."""
        parts = [f"{self.label} {_SPINNER[tick % len(_SPINNER)]}"]
        if self.total:
            fraction = min(self.done / self.total, 1.0)
            parts.append(f"{_bar(fraction)} {self.done}/{self.total}")
        elif self.time_limit:
            parts.append(_bar(min(elapsed / self.time_limit, 1.0)))
        seconds = f"{elapsed:.1f} s"
        if self.time_limit and not self.total:
            seconds += f" of {self.time_limit:g} s limit"
        parts.append(seconds)
        return "  ".join(parts)

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        tick = 0
        while True:
            text = self.line(time.monotonic() - self._start, tick)
            self._width = max(self._width, len(text))
            self.stream.write("\r" + text.ljust(self._width))
            self.stream.flush()
            self._shown = True
            tick += 1
            if self._stop.wait(self.interval):
                return


def _bar(fraction: float) -> str:
    filled = round(fraction * _BAR)
    return "[" + "#" * filled + "." * (_BAR - filled) + "]"


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
