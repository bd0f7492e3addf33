"""Quantities: parsing numbers and Kubernetes-style strings exactly, rounding demands up and capacities down, and
formatting sizes back for messages."""

from __future__ import annotations

from fractions import Fraction

import pytest

import fleetpack as fp
from fleetpack.model.units import (
    MAX_QUANTITY,
    QuantityError,
    format_amount,
    format_cpu,
    format_memory,
    parse_quantity,
    to_units,
)

KI, MI, GI, TI = 2**10, 2**20, 2**30, 2**40


def cpu(value, *, round_up=True) -> int:
    """Millicores, as the model converts a CPU amount."""
    return to_units(value, 1000, round_up=round_up)


def mem(value, *, round_up=True) -> int:
    """Bytes, as the model converts a memory amount."""
    return to_units(value, 1, round_up=round_up)


# --- parse_quantity -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (2, Fraction(2)),
        (0, Fraction(0)),
        (0.1, Fraction(1, 10)),  # the shortest repr, not the binary double just above 0.1
        (0.5, Fraction(1, 2)),
        ("500m", Fraction(1, 2)),
        ("2", Fraction(2)),
        ("0.5", Fraction(1, 2)),
        (".5", Fraction(1, 2)),
        ("5.", Fraction(5)),
        ("+3", Fraction(3)),
        (" 2 ", Fraction(2)),
        ("1e3", Fraction(1000)),
        ("1E3", Fraction(1000)),
        ("1e-3", Fraction(1, 1000)),
        ("2.5e2", Fraction(250)),
        ("100n", Fraction(1, 10**7)),
        ("250u", Fraction(1, 4000)),
        ("2k", Fraction(2000)),
        ("1M", Fraction(10**6)),
        ("1G", Fraction(10**9)),
        ("3T", Fraction(3 * 10**12)),
        ("1P", Fraction(10**15)),
        ("1E", Fraction(10**18)),
        ("10Ki", Fraction(10 * KI)),
        ("512Mi", Fraction(512 * MI)),
        ("16Gi", Fraction(16 * GI)),
        ("1.5Gi", Fraction(3 * GI, 2)),
        ("2Ti", Fraction(2 * TI)),
        ("1Pi", Fraction(2**50)),
        ("1Ei", Fraction(2**60)),
    ],
)
def test_parse_quantity_is_exact(value, expected):
    result = parse_quantity(value)
    assert isinstance(result, Fraction)
    assert result == expected


def test_float_is_read_by_shortest_repr_not_binary_value():
    # The binary double nearest 0.1 is slightly above it, so an exact float conversion would differ.
    assert Fraction(0.1) != Fraction(1, 10)
    assert parse_quantity(0.1) == Fraction(1, 10)
    assert parse_quantity(1.1) == Fraction(11, 10)
    assert parse_quantity(0.3) == Fraction(3, 10)


def test_integers_are_exact_even_beyond_float_precision():
    assert parse_quantity(2**53 + 1) == Fraction(2**53 + 1)


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("4Gb", "'4Gb' is not a quantity"),
        ("abc", "'abc' is not a quantity"),
        ("1.2.3", "'1.2.3' is not a quantity"),
        ("", "is not a quantity"),
        ("Gi", "is not a quantity"),
        ("1 Gi", "is not a quantity"),
        ("1gi", "is not a quantity"),
        ("0x10", "is not a quantity"),
        ("1e", "is not a quantity"),
        ("-1", "is negative"),
        ("-500m", "is negative"),
        (-1, "is negative"),
        (-0.5, "is negative"),
        (float("nan"), "NaN"),
        (float("inf"), "infinite"),
        (float("-inf"), "infinite"),
        ("1e41", "exponent out of range"),
        ("1e-41", "exponent out of range"),
        (True, "got True"),
        (False, "got False"),
        (None, "got NoneType"),
        ([1], "got list"),
        (b"1", "got bytes"),
    ],
)
def test_parse_quantity_rejects(value, fragment):
    with pytest.raises(QuantityError) as info:
        parse_quantity(value)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


# --- to_units: scale and rounding -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, millicores",
    [("500m", 500), (2, 2000), (0.1, 100), (0.5, 500), ("1.5", 1500), ("1e3", 10**6), ("250m", 250), (0, 0),
     (1.1, 1100), ("1e-3", 1)],
)
def test_cpu_to_millicores(value, millicores):
    assert cpu(value, round_up=True) == millicores
    assert cpu(value, round_up=False) == millicores  # exact values need no rounding either way


@pytest.mark.parametrize(
    "value, num_bytes",
    [("16Gi", 16 * GI), ("512Mi", 512 * MI), ("1G", 10**9), ("10Ki", 10 * KI), ("1e3", 1000), ("1.5Gi", 3 * GI // 2),
     (4096, 4096), ("1k", 1000), ("0", 0)],
)
def test_memory_to_bytes(value, num_bytes):
    assert mem(value, round_up=True) == num_bytes
    assert mem(value, round_up=False) == num_bytes


@pytest.mark.parametrize(
    "value, scale, up, down",
    [
        ("0.5", 1, 1, 0),  # half a byte
        ("1.0005", 1000, 1001, 1000),  # 1000.5 millicores
        ("100u", 1000, 1, 0),  # a tenth of a millicore
        ("1.5", 1, 2, 1),
        ("1500m", 1, 2, 1),  # an extra dimension in whole units
        (0.0001, 1000, 1, 0),
        (2.9999, 1, 3, 2),
    ],
)
def test_demands_round_up_capacities_round_down(value, scale, up, down):
    assert to_units(value, scale, round_up=True) == up
    assert to_units(value, scale, round_up=False) == down


def test_model_rounds_workload_up_and_host_down():
    assert fp.Workload("w", memory="0.5").memory_bytes == 1
    assert fp.Host("h", memory="0.5").memory_bytes == 0
    assert fp.Workload("w", cpu="1.0005").cpu_millis == 1001
    assert fp.Host("h", cpu="1.0005").cpu_millis == 1000
    assert fp.Workload("w", extra={"gpu": "0.5"}).extra_units == {"gpu": 1}
    assert fp.Host("h", extra={"gpu": "1.5"}).extra_units == {"gpu": 1}
    # overheads are demands too
    assert fp.Resources(cpu="0.0001", memory="0.5").cpu_millis == 1
    assert fp.Resources(cpu="0.0001", memory="0.5").memory_bytes == 1


def test_model_units_of_numbers_cpu_is_cores_memory_is_bytes():
    w = fp.Workload("w", cpu=2, memory=2048, extra={"gpu": 2})
    assert (w.cpu_millis, w.memory_bytes, w.extra_units) == (2000, 2048, {"gpu": 2})
    h = fp.Host("h", cpu=0.25, memory="1Gi")
    assert (h.cpu_millis, h.memory_bytes) == (250, GI)


def test_rounding_never_overcommits():
    # A workload and a host given the same fractional size: the workload needs at least what the host offers.
    for value in ("0.5", "1.0005", "0.3333", 0.1, 1 / 3, "7.77777m"):
        assert cpu(value, round_up=True) >= cpu(value, round_up=False)
        assert cpu(value, round_up=True) - cpu(value, round_up=False) <= 1


def test_largest_quantity_is_accepted_and_one_more_refused():
    assert mem(MAX_QUANTITY) == MAX_QUANTITY == 2**53
    with pytest.raises(QuantityError, match="too large"):
        mem(MAX_QUANTITY + 1)
    assert cpu(MAX_QUANTITY // 1000) == MAX_QUANTITY // 1000 * 1000
    with pytest.raises(QuantityError, match="too large"):
        cpu(MAX_QUANTITY // 1000 + 1)
    with pytest.raises(QuantityError, match="too large"):
        mem("9Pi")  # 9 * 2**50 > 2**53


# --- formatting -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "millicores, text",
    [(0, "0"), (1, "1m"), (100, "100m"), (999, "999m"), (1000, "1"), (1500, "1.5"), (2000, "2"), (64000, "64"),
     (1001, "1.001"), (99100, "99.1"), (10250, "10.25")],
)
def test_format_cpu(millicores, text):
    assert format_cpu(millicores) == text


@pytest.mark.parametrize(
    "num_bytes, text",
    [
        (0, "0"),
        (300, "300"),
        (1023, "1023"),
        (1025, "1025"),  # no suffix keeps it exact with one decimal, and it is under 10Ki
        (KI, "1Ki"),
        (3 * KI // 2, "1.5Ki"),
        (512 * MI, "512Mi"),
        (GI, "1Gi"),
        (3 * GI // 2, "1.5Gi"),
        (16 * GI, "16Gi"),
        (256 * GI, "256Gi"),
        (2 * TI, "2Ti"),
        (3 * 2**60, "3Ei"),
        (300 * GI + 272 * MI, "300.27Gi"),  # at least ten of a suffix: two decimals
    ],
)
def test_format_memory(num_bytes, text):
    assert format_memory(num_bytes) == text


@pytest.mark.parametrize("millicores", [0, 1, 250, 999, 1000, 1001, 2500, 64000, 10**9])
def test_format_cpu_parses_back(millicores):
    assert cpu(format_cpu(millicores)) == millicores


@pytest.mark.parametrize("num_bytes", [0, 1, 300, KI, 3 * KI // 2, 512 * MI, 3 * GI // 2, 16 * GI, 5 * TI, 2**53])
def test_format_memory_parses_back_when_exact(num_bytes):
    assert mem(format_memory(num_bytes)) == num_bytes


def test_format_amount_by_dimension():
    assert format_amount("cpu", 1500) == "1.5"
    assert format_amount("cpu", 3000) == "3"
    assert format_amount("memory", 16 * GI) == "16Gi"
    assert format_amount("gpu", 4) == "4"
