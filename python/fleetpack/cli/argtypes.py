"""Argument types shared by the command line's subcommands: each turns a word into a value or says what is wrong."""

from __future__ import annotations

import argparse
import math


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def positive_int(text: str) -> int:
    value = _whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


def seed(text: str) -> int:
    value = _whole(text)
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer below 2**63, got {text!r}")
    return value


def budget(text: str) -> int:
    """A move budget: a whole number >= 0 (``--max-moves``, ``--max-move-cost``)."""
    value = _whole(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text!r}")
    return value


def host_ids(text: str) -> tuple[str, ...]:
    """Host ids separated by commas (``--drain h1,h2``); whether they exist is checked with the fleet."""
    ids = tuple(part.strip() for part in text.split(","))
    if not all(ids):
        raise argparse.ArgumentTypeError(f"expected host ids separated by commas, got {text!r}")
    return ids


def budget_list(text: str) -> tuple[int | None, ...]:
    """Move budgets separated by commas, increasing, ``unlimited`` last (``replan --frontier 0,5,10,unlimited``)."""
    items: list[int | None] = []
    for part in (p.strip() for p in text.split(",")):
        if part.lower() == "unlimited":
            items.append(None)
            continue
        try:
            items.append(budget(part))
        except argparse.ArgumentTypeError as exc:
            raise argparse.ArgumentTypeError(f"{exc} in budget list {text!r} (expected whole numbers >= 0 "
                                             "separated by commas, e.g. 0,5,10,unlimited)") from None
    finite = [b for b in items if b is not None]
    if None in items[:-1] or any(a >= b for a, b in zip(finite, finite[1:])):
        raise argparse.ArgumentTypeError(f"budgets must increase, 'unlimited' last, got {text!r}")
    return tuple(items)
