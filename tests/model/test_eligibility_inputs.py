"""Eligibility (issue 16) through every input: objects, fleet files (JSON, YAML, CSV), tables (dicts of columns and
DataFrames) and rows beside a table give the same problem and the same plans; bad values are reported at once."""

import json

import numpy as np
import pytest
from hypothesis import given, settings

import fleetpack as fp
from fleetpack.fleetfile import Fleet, dump_fleet, dump_fleet_csv, fleet_schema, load_fleet, load_fleet_csv
from fleetpack.model.eligibility import selector_from_text, selector_to_text

from strategies import eligibility_fleets


def _columns(items, kind):
    """Objects as a table: sizes in units, selector.<key> / labels.<key> cells, taints or tolerations as text."""
    table = {"id": np.array([o.id for o in items], dtype=object),
             "cpu_millis": np.array([o.cpu_millis for o in items], dtype=np.uint64),
             "memory_bytes": np.array([o.memory_bytes for o in items], dtype=np.uint64)}
    for name in sorted({d for o in items for d in o.extra_units}):
        table[f"extra.{name}"] = np.array([o.extra_units.get(name, 0) for o in items], dtype=np.uint64)
    fields = ("form", "os", "tenant", "isolation", "anti_affinity") if kind == "workload" else \
        ("os", "hypervisor", "containers", "cost", "max_workloads")
    for field in fields:
        values = [getattr(o, field) for o in items]
        dtype = {"containers": bool, "cost": np.float64, "max_workloads": np.float64}.get(field, object)
        table[field] = np.array([np.nan if v is None and field == "max_workloads" else v for v in values], dtype=dtype)
    keys = sorted({k for o in items for k in ((o.selector or {}) if kind == "workload" else o.labels)})
    for key in keys:
        cells = []
        for o in items:
            mapping = (o.selector or {}) if kind == "workload" else o.labels
            cells.append(None if key not in mapping else
                         selector_to_text(mapping[key]) if kind == "workload" else mapping[key])
        table[("selector." if kind == "workload" else "labels.") + key] = np.array(cells, dtype=object)
    name = "tolerations" if kind == "workload" else "taints"
    table[name] = np.array([" ".join(getattr(o, name)) or None for o in items], dtype=object)
    return table


@settings(max_examples=60, deadline=None)
@given(eligibility_fleets())
def test_tables_plan_as_objects_do(fleet):
    ws, hs, over = fleet
    objects = fp.place(ws, hs, overheads=over, method="ffd")
    columns = fp.place(_columns(ws, "workload"), _columns(hs, "host"), overheads=over, method="ffd")
    assert columns.assignments == objects.assignments
    assert {k: u.message for k, u in columns.unplaced.items()} == {k: u.message for k, u in objects.unplaced.items()}
    beside = fp.place(ws, _columns(hs, "host"), overheads=over, method="ffd")  # rows beside a table
    assert beside.assignments == objects.assignments
    assert fp.verify(ws, hs, columns, over) == []


@settings(max_examples=30, deadline=None)
@given(eligibility_fleets(max_workloads=8, max_hosts=4))
def test_fleet_files_keep_labels_selectors_taints_and_tolerations(tmp_path_factory, fleet):
    ws, hs, over = fleet
    folder = tmp_path_factory.mktemp("fleet")
    fleet_object = Fleet(ws, hs, over)
    dump_fleet(fleet_object, folder / "f.json")
    dump_fleet(fleet_object, folder / "f.yaml")
    dump_fleet_csv(fleet_object, folder / "w.csv", folder / "h.csv")
    for again in (load_fleet(folder / "f.json"), load_fleet(folder / "f.yaml"),
                  load_fleet_csv(folder / "w.csv", folder / "h.csv", over)):
        assert [(w.selector_terms, set(w.tolerations)) for w in again.workloads] == \
            [(w.selector_terms, set(w.tolerations)) for w in ws]
        assert [(h.labels, h.taints) for h in again.hosts] == [(h.labels, h.taints) for h in hs]
        assert fp.place(again.workloads, again.hosts, overheads=again.overheads).assignments == \
            fp.place(ws, hs, overheads=over).assignments


def test_cell_texts_read_back():
    for value in ("a", ["a", "b"], None, {"not_in": ["a", "b"]}, {"exists": False}, {"exists": True},
                  {"in": ["x"]}):
        again = selector_from_text(selector_to_text(value))
        assert fp.Workload("w", selector={"k": again}).selector_terms == \
            fp.Workload("w", selector={"k": value}).selector_terms


def test_the_schema_takes_selectors_and_refuses_bad_ones(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(fleet_schema())
    good = {"workloads": [{"id": "w", "selector": {"zone": ["a", "b"], "gpu": None, "x": {"not_in": ["c"]},
                                                   "y": {"exists": False}, "l": "oracle"},
                           "tolerations": ["gpu"]}],
            "hosts": [{"id": "h", "labels": {"zone": "a"}, "taints": ["gpu"]}]}
    assert list(validator.iter_errors(good)) == []
    for workload, host in (({"id": "w", "selector": {"zone": 3}}, {"id": "h"}),
                           ({"id": "w", "selector": {"zone": {"near": ["a"]}}}, {"id": "h"}),
                           ({"id": "w", "tolerations": "gpu"}, {"id": "h"}),
                           ({"id": "w"}, {"id": "h", "labels": {"zone": 1}}),
                           ({"id": "w"}, {"id": "h", "taints": [""]})):
        doc = {"workloads": [workload], "hosts": [host]}
        assert list(validator.iter_errors(doc)), doc
        path = tmp_path / "f.json"
        path.write_text(json.dumps(doc))
        with pytest.raises(fp.ValidationError):
            load_fleet(path)


def test_csv_cells_name_their_file_and_line(tmp_path):
    (tmp_path / "w.csv").write_text("id,cpu,selector.zone,tolerations\nw1,1,a|b,gpu spot\nw2,1,!*,\n")
    (tmp_path / "h.csv").write_text("id,cpu,memory,labels.zone,taints\nh1,4,8Gi,a,gpu\nh2,4,8Gi,,\nh3,4,8Gi,c,\n")
    fleet = load_fleet_csv(tmp_path / "w.csv", tmp_path / "h.csv")
    assert fleet.workloads[0].selector == {"zone": ["a", "b"]} and fleet.workloads[0].tolerations == ("gpu", "spot")
    assert fleet.workloads[1].selector == {"zone": {"exists": False}}
    assert [h.labels for h in fleet.hosts] == [{"zone": "a"}, {}, {"zone": "c"}]
    plan = fp.place(fleet.workloads, fleet.hosts)
    assert plan.host_of("w1") == "h1" and plan.host_of("w2") == "h2"
    (tmp_path / "bad.csv").write_text("id,cpu,selector.\nw1,1,a\n")
    with pytest.raises(fp.ValidationError, match="unknown column 'selector.'"):
        load_fleet_csv(tmp_path / "bad.csv", tmp_path / "h.csv")
