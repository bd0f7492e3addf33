"""Reading the text of input files: one place that turns every way a file can be unreadable into a clean error.

A file is read as UTF-8, with or without a byte-order mark (editors on Windows write one); a byte that is not UTF-8
(a Latin-1 "é" from an old export) is a `ValidationError` naming the file, line and column, not a traceback. ``-``
names standard input. JSON is parsed with two guards the standard parser lacks: nesting too deep for Python's stack
is refused with a clear error (not a RecursionError), and a key given twice in one object, which JSON parsers
silently resolve to the last value, is reported as a `FleetpackWarning`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from .likely_mistakes import note

__all__ = ["STDIN", "read_text", "decode", "parse_json", "source_name"]

STDIN = "-"  # as a path: standard input
_STDIN_NAME = "<stdin>"


def source_name(path) -> str:
    """The name errors give a path: the path itself, or ``<stdin>`` for ``-``."""
    source = os.fspath(path)
    return _STDIN_NAME if source == STDIN else source


def read_text(path) -> str:
    """A file's text (``-``: standard input), decoded as UTF-8 with an optional byte-order mark. Raises
    `ValidationError` naming the file for bytes that are not UTF-8, and `OSError` when it cannot be read."""
    source = os.fspath(path)
    if source == STDIN:
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    else:
        data = Path(source).read_bytes()
    return decode(data, source_name(source))


def decode(data: bytes | str, source: str) -> str:
    """``data`` as text: UTF-8, a leading byte-order mark dropped; a byte that is not UTF-8 is a `ValidationError`
    naming ``source``, the line and column, and the byte."""
    if isinstance(data, str):
        return data[1:] if data.startswith("\ufeff") else data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start:exc.start + 1]
        raise ValidationError.single(
            source, f"line {line}, column {column}",
            f"is not UTF-8 text: byte {byte!r} (save the file as UTF-8; a Latin-1 or Windows-1252 export writes "
            "such bytes for accented letters)", byte) from None


def parse_json(text: str, source: str) -> Any:
    """JSON text; errors name ``source``, line and column. Nesting too deep for the parser is an error; a key
    repeated in an object is warned about (the last value counts, as in every JSON parser)."""
    try:
        return json.loads(text, object_pairs_hook=_DuplicateKeys(source))
    except json.JSONDecodeError as exc:
        raise ValidationError.single(
            source, f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise ValidationError.single(source, "(document)", "not a fleetpack document: its JSON is nested too "
                                                           "deeply to read") from None


class _DuplicateKeys:
    """``object_pairs_hook`` that builds the dict and notes keys given twice; the object's ``id`` or ``name``,
    when it has one, says which entry it is."""

    def __init__(self, source: str):
        self.source = source

    def __call__(self, pairs: list) -> dict:
        obj = dict(pairs)
        if len(obj) != len(pairs):  # the common case costs one comparison
            seen: set = set()
            for key, _ in pairs:
                if key in seen:
                    label = obj.get("id", (obj.get("metadata") or {}).get("name")
                                    if isinstance(obj.get("metadata"), dict) else None)
                    entry = f"the object with id {label!r}" if isinstance(label, (str, int)) else "an object"
                    note("duplicate_key", f"{self.source}: {entry}: {key}: key given more than once; the last "
                                          f"value ({obj[key]!r}) counts")
                    break
                seen.add(key)
        return obj
