"""Fleet-file entries read as columns (`fleetpack.model.entries`): the fast quantity parser agrees with the exact
one, the columns hold what the model's objects hold, anything the objects refuse goes the old way (so its errors
read as before), and a fleet file placed through the columns gets the plan its objects get."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fleetpack as fp
from fleetpack.errors import ValidationError
from fleetpack.fleetfile import Fleet, load_fleet
from fleetpack.model.entries import CheckedEntries, entry_table
from fleetpack.model.objects import as_host, as_workload
from fleetpack.model.units import QuantityError, quick_units, to_units

from strategies import hosts as host_objects
from strategies import workloads as workload_objects

SUFFIXES = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
decimal_strings = st.builds(
    lambda whole, fraction, suffix: f"{whole}{'.' + fraction if fraction is not None else ''}{suffix}",
    st.integers(0, 10**12).map(str), st.none() | st.text("0123456789", min_size=1, max_size=12),
    st.sampled_from(SUFFIXES))
quantities = (st.integers(0, 2**60) | st.floats(0, 1e18, allow_nan=False) | decimal_strings
              | st.text("0123456789.eE+-mKiGg ", max_size=10) | st.floats() | st.integers(-10, 10) | st.booleans())


def exact(value, scale, round_up):
    try:
        return to_units(value, scale, round_up=round_up)
    except (QuantityError, ValueError):
        return "refused"


@settings(max_examples=600, deadline=None)
@given(quantities, st.sampled_from([1, 1000]), st.booleans())
def test_the_quick_parser_agrees_with_the_exact_one(value, scale, round_up):
    quick = quick_units(value, scale, round_up=round_up)
    if quick is not None:  # it answers only for valid quantities, and then as the exact parser does
        assert quick == exact(value, scale, round_up)


@given(decimal_strings, st.sampled_from([1, 1000]), st.booleans())
def test_the_quick_parser_reads_every_plain_decimal_in_range(text, scale, round_up):
    if exact(text, scale, round_up) != "refused":
        assert quick_units(text, scale, round_up=round_up) == exact(text, scale, round_up)


def test_the_quick_parser_rounds_as_the_model_says():
    assert quick_units("1.0001m", 1000, round_up=True) == 2  # demands up
    assert quick_units("1.9999m", 1000, round_up=False) == 1  # capacities down
    assert quick_units("1.5Gi", 1, round_up=True) == 3 * 2**29
    assert quick_units(0.5, 1000, round_up=True) is None  # a fractional float: the exact parser's (repr) reading
    assert quick_units(" 2", 1000, round_up=True) is None  # spaces, signs, exponents: the exact parser's too


def _entry(item) -> dict:
    """An object's fields as a fleet file gives them (the caller's own values)."""
    return {f.name: getattr(item, f.name) for f in dataclasses.fields(item) if f.name != "extra" or item.extra}


# values the model refuses, or reads differently from a column, per field
_BAD = {
    "id": [7, "", None, True], "cpu": [True, -1, math.nan, "lots", [1]], "memory": [math.inf, "1Qi", None],
    "form": ["both", None], "os": ["", None, 3], "tenant": [None, 1], "isolation": ["full"],
    "anti_affinity": ["", 5], "extra": [{"cpu": 1}, {"": 1}, {"gpu": "x"}, [1]], "hypervisor": ["kvm", ""],
    "containers": [1, "yes", None], "cost": [True, -1, math.nan, 2**54, "3"], "max_workloads": [math.nan, -1, 1.5, True, 2**54],
    "unknown": [1],
}


@settings(max_examples=150, deadline=None)
@given(workload_objects(max_size=12), host_objects(max_size=6), st.data())
def test_columns_hold_what_the_objects_hold_and_the_rest_goes_the_old_way(workloads, hosts, data):
    for kind, items, convert in (("workload", workloads, as_workload), ("host", hosts, as_host)):
        entries = [_entry(item) for item in items]
        changed = bool(entries) and data.draw(st.booleans())
        if changed:
            row = data.draw(st.integers(0, len(entries) - 1))
            fields = sorted(k for k in _BAD if k in {f.name for f in dataclasses.fields(items[0])} | {"unknown"})
            name = data.draw(st.sampled_from(fields))
            entries[row][name] = data.draw(st.sampled_from(_BAD[name]))
        if entries and data.draw(st.booleans()):  # a duplicate id
            entries.append(dict(entries[0]))
            changed = True
        table = entry_table(entries, kind)
        try:
            objects = [convert(e, k) for k, e in enumerate(entries)]
            refused = len({o.id for o in objects}) < len(objects)
        except ValidationError:
            refused = True
        if refused or not entries:
            assert table is None
            continue
        if table is None:  # accepted by the objects as something else (an id 7 is "7"): read the old way
            assert changed
            continue
        assert table["id"].tolist() == [o.id for o in objects]
        cpu = table.get("cpu_millis", np.zeros(len(objects), np.uint64)).tolist()
        memory = table.get("memory_bytes", np.zeros(len(objects), np.uint64)).tolist()
        assert cpu == [o.cpu_millis for o in objects]
        assert memory == [o.memory_bytes for o in objects]
        for name in {d for o in objects for d in o.extra_units}:
            assert table[f"extra.{name}"].tolist() == [o.extra_units.get(name, 0) for o in objects]


def _plan_dict(plan) -> dict:
    out = plan.to_dict()
    out.pop("elapsed", None)
    return out


@pytest.mark.parametrize("method", ["ffd", "bfd", "auto"])
def test_a_fleet_file_read_as_columns_is_placed_as_its_objects_are(tmp_path, method):
    path = tmp_path / "fleet.json"
    document = json.loads(open(fp.__path__[0] + "/data/consolidation.json", encoding="utf-8").read())
    document["workloads"].append({"id": "half", "cpu": "0.5", "memory": 1.5e9, "extra": {"gpu": 1}})
    path.write_text(json.dumps(document), encoding="utf-8")
    fast = load_fleet(path)
    slow = Fleet.from_dict(document, str(path))
    assert isinstance(fast.workloads, CheckedEntries) and isinstance(fast.hosts, CheckedEntries)
    assert not isinstance(slow.workloads, CheckedEntries)
    assert fast == slow  # the objects, when looked at, are the ones the entries make
    assert fast.workloads + () == slow.workloads and () + fast.hosts == slow.hosts  # a tuple's sum too
    fast_plan = fast.place(method=method, time_limit=2, seed=1)
    slow_plan = slow.place(method=method, time_limit=2, seed=1)
    assert _plan_dict(fast_plan) == _plan_dict(slow_plan)
    assert fast_plan.explain(fast_plan.assignments[0].workload).workload == slow_plan.assignments[0].workload


def test_a_bad_fleet_file_reports_its_errors_as_before(tmp_path):
    document = {"workloads": [{"id": "a", "cpu": 1}, {"id": "a", "cpu": 2}, {"id": "b", "cpu": "1/2"}],
                "hosts": [{"id": "h", "cpu": 8, "memory": "16Gi"}]}
    good = {"workloads": [{"id": "a", "cpu": 1}], "hosts": document["hosts"]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValidationError) as from_file:
        load_fleet(path)
    with pytest.raises(ValidationError) as from_objects:
        Fleet.from_dict(document, str(path))
    assert from_file.value.errors == from_objects.value.errors
    assert {e.message for e in from_file.value.errors} >= {"duplicate id (also workload #0)"}
    assert isinstance(Fleet.from_dict(good).workloads, tuple)  # only files parsed here are read as columns


def test_likely_mistakes_are_warned_as_the_objects_warn_them(tmp_path):
    import warnings

    from fleetpack.model.likely_mistakes import collecting

    document = {"workloads": [{"id": "a", "cpu": "2Gi", "memory": "512m"}, {"id": "b", "cpu": 1, "memory": "512m"}],
                "hosts": [{"id": "h", "cpu": 8, "memory": "16Gi"}]}
    path = tmp_path / "mistakes.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with warnings.catch_warnings(record=True) as fast:
        warnings.simplefilter("always")
        fleet = load_fleet(path)
    assert isinstance(fleet.workloads, CheckedEntries)
    with warnings.catch_warnings(record=True) as slow:
        warnings.simplefilter("always")
        with collecting(str(path)):
            Fleet.from_dict(document, str(path))
    assert sorted(str(w.message) for w in fast) == sorted(str(w.message) for w in slow)
    assert any("(and 1 more like it)" in str(w.message) for w in fast)


_LIVE_FLEET = {
    "workloads": [{"id": "db", "cpu": 4, "memory": "16Gi", "current": "h1", "current_form": "vm", "pinned": True},
                  {"id": "web-1", "cpu": 1, "memory": "2Gi", "current": "h3", "move_cost": 1},
                  {"id": "web-2", "cpu": 1, "memory": "2Gi", "current": "h2"},
                  {"id": "web-3", "cpu": 1, "memory": "2Gi", "current": "h2", "move_cost": "1Gi"},
                  {"id": "batch", "cpu": 2, "memory": "4Gi"}],
    "hosts": [{"id": f"h{j}", "cpu": 16, "memory": "64Gi"} for j in range(1, 5)],
    "drain": ["h3"], "max_moves": 3,
}


@pytest.mark.parametrize("method", ["ffd", "bfd", "auto"])
def test_a_live_fleet_file_read_as_columns_is_placed_as_its_objects_are(tmp_path, method):
    path = tmp_path / "live.json"
    path.write_text(json.dumps(_LIVE_FLEET), encoding="utf-8")
    fast, slow = load_fleet(path), Fleet.from_dict(_LIVE_FLEET, str(path))
    assert isinstance(fast.workloads, CheckedEntries) and fast == slow
    table = fast.workloads.table
    assert table["current"].tolist() == [w.current for w in slow.workloads]
    assert table["current_form"].tolist() == [w.current_form for w in slow.workloads]
    assert table["pinned"].tolist() == [w.pinned for w in slow.workloads]
    assert table["move_cost"].tolist() == [w.move_cost_units for w in slow.workloads]
    fast_plan, slow_plan = fast.place(method=method, seed=1), slow.place(method=method, seed=1)
    assert _plan_dict(fast_plan) == _plan_dict(slow_plan)
    assert fast_plan.moves == slow_plan.moves and fast_plan.host_of("web-1") != "h3"  # drained: it moved
    assert fast_plan.host_of("db") == "h1"


@pytest.mark.parametrize("change", [{"pinned": True}, {"current_form": "vm"}, {"current": 7},
                                    {"current": "h1", "current_form": "pod"}, {"current": "h1", "pinned": "yes"},
                                    {"current": "h1", "move_cost": -1}, {"form": "container", "current": "h1",
                                                                         "current_form": "vm"}])
def test_live_entries_the_objects_refuse_or_convert_go_the_old_way(change):
    entries = [{"id": "a", "cpu": 1}, {"id": "b", "cpu": 1, **change}]
    assert entry_table(entries, "workload") is None


def test_a_live_fleet_file_read_as_columns_words_its_errors_as_its_objects_do(tmp_path):
    path = tmp_path / "live.json"
    path.write_text(json.dumps(_LIVE_FLEET), encoding="utf-8")
    fast, slow = load_fleet(path), Fleet.from_dict(_LIVE_FLEET, str(path))
    errors = []
    for fleet in (fast, slow):  # 'db' is pinned on h1: draining h1 at the call is refused, naming it alike
        with pytest.raises(ValidationError) as error:
            fleet.place(drain=["h1", "h9"])
        errors.append(error.value.errors)
    assert errors[0] == errors[1]
    assert {(e.where, e.field) for e in errors[0]} >= {("workload 'db'", "pinned")}
