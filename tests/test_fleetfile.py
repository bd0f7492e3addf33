"""Fleet files: round trips, errors that name the file, entry and field, YAML, plan files, and the shipped example."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import fleetpack as fp
from fleetpack.fleetfile import (Fleet, dump_fleet, dump_fleet_csv, dump_plan, fleet_schema, load_fleet,
                                 load_fleet_csv, load_overheads, load_plan, read_plan_dict)
from fleetpack.model import build_problem
from fleetpack.model.rules import HostState, static_forms

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "consolidation.json"


def sample_fleet() -> Fleet:
    """A fleet that uses every kind of field value: numbers, quantity strings, floats, extras, non-defaults."""
    workloads = [
        fp.Workload("web-1", cpu="500m", memory="512Mi", form="container"),
        fp.Workload("db-1", cpu=4, memory=16 * 2**30, anti_affinity="db"),
        fp.Workload("db-2", cpu=4.5, memory="16Gi", anti_affinity="db"),
        fp.Workload("payroll-win", cpu=2, memory="8Gi", form="vm", os="Windows"),
        fp.Workload("acme-portal", cpu=1, memory="1Gi", tenant="acme", isolation="tenant"),
        fp.Workload("hsm", cpu="250m", memory="256Mi", isolation="dedicated"),
        fp.Workload("ocr", cpu=8, memory="32Gi", extra={"gpu": 1}),
    ]
    hosts = [
        fp.Host("h1", cpu=64, memory="512Gi", max_workloads=110),
        fp.Host("h2", cpu=32, memory=2**38, cost=0.6, hypervisor="paravirtual"),
        fp.Host("gpu-1", cpu=64, memory="512Gi", extra={"gpu": 4}, cost=2.2),
        fp.Host("bare", cpu="16", memory="64Gi", hypervisor=None, containers=True),
    ]
    overheads = fp.Overheads(vm={"cpu": "100m", "memory": "768Mi"}, vm_cpu_factor={"software": 1.5})
    return Fleet(workloads, hosts, overheads, description="a test fleet", legacy_servers=7)


def write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def details(exc_info) -> list[tuple[str, str]]:
    return [(e.where, e.field) for e in exc_info.value.errors]


# --- round trips -----------------------------------------------------------------------------------------------------


def test_json_round_trip_gives_equal_workloads_hosts_and_overheads(tmp_path):
    fleet = sample_fleet()
    path = tmp_path / "fleet.json"
    dump_fleet(fleet, path)
    loaded = load_fleet(path)
    assert loaded.workloads == fleet.workloads
    assert loaded.hosts == fleet.hosts
    assert loaded.overheads == fleet.overheads
    assert loaded == fleet
    # the caller's own quantities are kept, not rewritten in bytes
    assert json.loads(path.read_text())["workloads"][0] == {
        "id": "web-1", "cpu": "500m", "memory": "512Mi", "form": "container"
    }


def test_round_trip_keeps_the_validated_sizes(tmp_path):
    fleet = sample_fleet()
    dump_fleet(fleet, tmp_path / "fleet.json")
    loaded = load_fleet(tmp_path / "fleet.json")
    assert [(w.cpu_millis, w.memory_bytes, w.extra_units) for w in loaded.workloads] == [
        (w.cpu_millis, w.memory_bytes, w.extra_units) for w in fleet.workloads
    ]
    assert loaded.workloads[3].os == "windows"
    assert loaded.hosts[3].hypervisor is None
    assert loaded.overheads.vm_cpu_factor == {"hardware": 1.03, "paravirtual": 1.05, "software": 1.5}


def test_dump_writes_one_entry_per_line(tmp_path):
    path = tmp_path / "fleet.json"
    dump_fleet(sample_fleet(), path)
    lines = path.read_text().splitlines()
    assert sum('"id": ' in line for line in lines) == 7 + 4


def test_dump_accepts_parts_and_dicts(tmp_path):
    workloads = [{"id": "a", "cpu": 1, "memory": "1Gi"}]
    hosts = [{"id": "h", "cpu": 8, "memory": "32Gi"}]
    dump_fleet((workloads, hosts), tmp_path / "parts.json")
    dump_fleet({"workloads": workloads, "hosts": hosts, "legacy_servers": 3}, tmp_path / "dict.json")
    parts, from_dict = load_fleet(tmp_path / "parts.json"), load_fleet(tmp_path / "dict.json")
    assert parts.workloads == from_dict.workloads == (fp.Workload("a", cpu=1, memory="1Gi"),)
    assert parts.hosts == (fp.Host("h", cpu=8, memory="32Gi"),)
    assert parts.overheads == fp.Overheads()
    assert (parts.legacy_servers, from_dict.legacy_servers) == (None, 3)


def test_dump_refuses_invalid_parts(tmp_path):
    with pytest.raises(fp.ValidationError) as exc_info:
        dump_fleet(([{"id": "a", "cpu": "lots"}], []), tmp_path / "x.json")
    assert details(exc_info) == [("workload 'a'", "cpu")]
    assert not (tmp_path / "x.json").exists()


def test_overheads_are_optional_and_default(tmp_path):
    path = write(tmp_path, "f.json", {"workloads": [], "hosts": []})
    fleet = load_fleet(path)
    assert fleet.overheads == fp.Overheads()
    assert (fleet.workloads, fleet.hosts, fleet.description, fleet.legacy_servers) == ((), (), "", None)


def test_fleet_built_directly_coerces_dicts():
    fleet = Fleet([{"id": "a", "cpu": 1}], [{"id": "h", "cpu": 2}], {"container": {"memory": "32Mi"}})
    assert fleet.workloads == (fp.Workload("a", cpu=1),)
    assert isinstance(fleet.hosts[0], fp.Host)
    assert fleet.overheads.container.memory_bytes == 32 * 2**20


# --- errors ----------------------------------------------------------------------------------------------------------


def test_entry_errors_name_the_file_the_entry_and_the_field(tmp_path):
    path = write(tmp_path, "fleet.json", {
        "workloads": [
            {"id": "db-1", "cpu": "lots", "memory": "1Gi"},
            {"id": "web-1", "cpu": 1, "form": "pod"},
            {"cpu": 1},
            {"id": "ok", "cpu": 1, "colour": "red"},
        ],
        "hosts": [{"id": "h1", "cpu": 8, "memory": "-1Gi"}],
    })
    with pytest.raises(fp.ValidationError) as exc_info:
        load_fleet(path)
    prefix = str(path)
    assert details(exc_info) == [
        (f"{prefix}: workload 'db-1'", "cpu"),
        (f"{prefix}: workload 'web-1'", "form"),
        (f"{prefix}: workload #2", "id"),
        (f"{prefix}: workload 'ok'", "colour"),
        (f"{prefix}: host 'h1'", "memory"),
    ]
    message = str(exc_info.value)
    assert f"{prefix}: workload 'db-1': cpu: 'lots' is not a quantity" in message
    assert "5 invalid inputs" in message


def test_file_level_errors_name_the_file_and_key(tmp_path):
    path = write(tmp_path, "fleet.json", {
        "workload": [], "hosts": {"h1": {}}, "overheads": {"vm": {"memory": "big"}}, "legacy_servers": "100",
    })
    with pytest.raises(fp.ValidationError) as exc_info:
        load_fleet(path)
    prefix = str(path)
    assert details(exc_info) == [
        (prefix, "workload"),
        (prefix, "workloads"),
        (prefix, "hosts"),
        (f"{prefix}: overheads", "vm.memory"),
        (prefix, "legacy_servers"),
    ]
    assert "unknown key" in exc_info.value.errors[0].message
    assert exc_info.value.errors[1].message == "is required"


def test_duplicate_ids_are_reported_with_the_file(tmp_path):
    path = write(tmp_path, "fleet.json", {
        "workloads": [{"id": "bad", "cpu": "x"}, {"id": "a"}, {"id": "b"}, {"id": "a"}],
        "hosts": [{"id": "h"}, {"id": "h"}],
    })
    with pytest.raises(fp.ValidationError) as exc_info:
        load_fleet(path)
    assert details(exc_info) == [
        (f"{path}: workload 'bad'", "cpu"), (f"{path}: workload 'a'", "id"), (f"{path}: host 'h'", "id")
    ]
    assert "duplicate id (also workload #1)" in str(exc_info.value)  # counted as in the file


def test_invalid_json_names_file_line_and_column(tmp_path):
    path = write(tmp_path, "fleet.json", '{\n  "workloads": [\n    {"id": "a",}\n  ],\n  "hosts": []\n}\n')
    with pytest.raises(fp.ValidationError) as exc_info:
        load_fleet(path)
    (error,) = exc_info.value.errors
    assert (error.where, error.field) == (str(path), "line 3, column 16")
    assert error.message.startswith("not valid JSON")


def test_a_document_that_is_not_an_object(tmp_path):
    with pytest.raises(fp.ValidationError) as exc_info:
        load_fleet(write(tmp_path, "fleet.json", "[1, 2]"))
    assert "must be an object with 'workloads' and 'hosts', got a list" in str(exc_info.value)


def test_a_missing_file_raises_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_fleet(tmp_path / "nope.json")


def test_description_is_kept_but_must_be_text(tmp_path):
    fleet = load_fleet(write(tmp_path, "f.json", {"description": "old DC", "workloads": [], "hosts": []}))
    assert fleet.description == "old DC"
    with pytest.raises(fp.ValidationError) as exc_info:
        load_fleet(write(tmp_path, "g.json", {"description": 5, "workloads": [], "hosts": []}))
    assert details(exc_info) == [(str(tmp_path / "g.json"), "description")]


# --- YAML ------------------------------------------------------------------------------------------------------------

YAML_FLEET = """\
description: a small YAML fleet
legacy_servers: 2
overheads:
  container: {cpu: 0, memory: 32Mi}
workloads:
  - {id: web-1, cpu: 500m, memory: 1Gi, form: container}
  - id: db-1
    cpu: 2.5
    memory: 8Gi
    anti_affinity: db
hosts:
  - {id: h1, cpu: 16, memory: 64Gi, max_workloads: 10}
"""


def test_yaml_fleet_loads(tmp_path):
    pytest.importorskip("yaml")
    fleet = load_fleet(write(tmp_path, "fleet.yaml", YAML_FLEET))
    assert [w.id for w in fleet.workloads] == ["web-1", "db-1"]
    assert fleet.workloads[0].cpu_millis == 500 and fleet.workloads[1].cpu_millis == 2500
    assert fleet.workloads[1].memory_bytes == 8 * 2**30
    assert fleet.hosts == (fp.Host("h1", cpu=16, memory="64Gi", max_workloads=10),)
    assert fleet.overheads.container.memory_bytes == 32 * 2**20
    assert (fleet.description, fleet.legacy_servers) == ("a small YAML fleet", 2)


def test_yaml_round_trip(tmp_path):
    pytest.importorskip("yaml")
    fleet = sample_fleet()
    dump_fleet(fleet, tmp_path / "fleet.yml")
    assert load_fleet(tmp_path / "fleet.yml") == fleet


def test_yaml_errors_name_the_file(tmp_path):
    pytest.importorskip("yaml")
    path = write(tmp_path, "fleet.yaml", YAML_FLEET.replace("cpu: 2.5", "cpu: two"))
    with pytest.raises(fp.ValidationError) as exc_info:
        load_fleet(path)
    assert details(exc_info) == [(f"{path}: workload 'db-1'", "cpu")]
    with pytest.raises(fp.ValidationError) as exc_info:
        load_fleet(write(tmp_path, "broken.yaml", "workloads: [\n"))
    assert exc_info.value.errors[0].where == str(tmp_path / "broken.yaml")
    assert "not valid YAML" in exc_info.value.errors[0].message


def test_yaml_without_pyyaml_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml", None)  # makes `import yaml` fail
    with pytest.raises(fp.ValidationError) as exc_info:
        load_fleet(write(tmp_path, "fleet.yaml", YAML_FLEET))
    assert "PyYAML" in str(exc_info.value)


# --- plan files ------------------------------------------------------------------------------------------------------


def plan_dict() -> dict:
    return {
        "assignments": [{"workload": "a", "host": "h1", "form": "container"}],
        "unplaced": {"b": {"code": "too_large", "message": "needs 99 cpu"}},
        "objective": "hosts", "objective_value": 1, "hosts_used": 1, "cost": 1.0, "lower_bound": 1,
        "proven_optimal": False, "method": "ffd", "strategy": "ffd/sum", "elapsed": 0.01,
        "utilization": {"h1": {"cpu": 0.25, "memory": 0.5}}, "dimensions": ["cpu", "memory"],
    }


def test_plan_file_round_trip(tmp_path):
    plan = fp.Plan.from_dict(plan_dict())
    dump_plan(plan, tmp_path / "plan.json")
    loaded = load_plan(tmp_path / "plan.json")
    assert loaded.to_dict() == plan.to_dict()
    assert loaded.host_of("a") == "h1" and loaded.unplaced["b"].code == "too_large"
    assert read_plan_dict(tmp_path / "plan.json") == plan.to_dict()


def test_bad_plan_files_name_the_file(tmp_path):
    incomplete = plan_dict()
    del incomplete["hosts_used"]
    with pytest.raises(fp.ValidationError) as exc_info:
        load_plan(write(tmp_path, "plan.json", incomplete))
    assert details(exc_info) == [(str(tmp_path / "plan.json"), "hosts_used")]
    with pytest.raises(fp.ValidationError) as exc_info:
        read_plan_dict(write(tmp_path, "list.json", "[]"))
    assert details(exc_info) == [(str(tmp_path / "list.json"), "(document)")]
    with pytest.raises(fp.ValidationError, match="not valid JSON"):
        load_plan(write(tmp_path, "junk.json", "{"))


# --- the shipped example ---------------------------------------------------------------------------------------------


def test_example_is_what_its_script_makes(tmp_path):
    out = tmp_path / "consolidation.json"
    subprocess.run([sys.executable, str(ROOT / "examples" / "make_consolidation.py"), "-o", str(out)], check=True)
    assert out.read_text() == EXAMPLE.read_text()


def test_example_has_the_promised_shape():
    fleet = load_fleet(EXAMPLE)
    assert fleet.legacy_servers == 100
    assert fleet.description
    assert 180 <= len(fleet.workloads) <= 220
    assert fleet.overheads.to_dict() == fp.Overheads().to_dict()  # the defaults, written out
    forms = Counter(w.form for w in fleet.workloads)
    assert set(forms) == {"vm", "container", "any"} and min(forms.values()) >= 30
    windows = [w for w in fleet.workloads if w.os == "windows"]
    assert windows and all(w.form == "vm" for w in windows)
    groups = Counter(w.anti_affinity for w in fleet.workloads if w.anti_affinity)
    assert {"pg-main", "kafka", "etcd"} <= set(groups) and groups["pg-main"] == 3
    assert {w.tenant for w in fleet.workloads if w.isolation == "tenant"} >= {"acme", "globex"}
    assert {w.id for w in fleet.workloads if w.isolation == "dedicated"} == {"oracle-erp-db", "hsm-gateway"}
    assert sum(w.extra_units.get("gpu", 0) for w in fleet.workloads) == 2
    shapes = Counter((h.cpu_millis // 1000, h.memory_bytes // 2**30, h.extra_units.get("gpu", 0), h.cost)
                     for h in fleet.hosts)
    assert shapes == {(64, 512, 0, 1.0): 20, (96, 768, 0, 1.4): 8, (32, 256, 0, 0.6): 10, (64, 512, 4, 2.2): 3}
    assert all(h.os == "linux" and h.hypervisor == "hardware" and h.containers for h in fleet.hosts)


def test_every_example_workload_fits_some_empty_host():
    fleet = load_fleet(EXAMPLE)
    problem = build_problem(fleet.workloads, fleet.hosts, fleet.overheads)
    for w in problem.workloads:
        assert any(
            HostState(problem, h).blocker(w, form) is None for h in problem.hosts for form in static_forms(w, h)
        ), w.id


# --- CSV fleets ------------------------------------------------------------------------------------------------------


def test_csv_round_trip_gives_equal_workloads_and_hosts(tmp_path):
    fleet = sample_fleet()
    dump_fleet_csv(fleet, tmp_path / "w.csv", tmp_path / "h.csv")
    loaded = load_fleet_csv(tmp_path / "w.csv", tmp_path / "h.csv", fleet.overheads)
    assert [(w.id, w.cpu_millis, w.memory_bytes, w.extra_units, w.form, w.os, w.tenant, w.isolation,
             w.anti_affinity) for w in loaded.workloads] == \
        [(w.id, w.cpu_millis, w.memory_bytes, w.extra_units, w.form, w.os, w.tenant, w.isolation, w.anti_affinity)
         for w in fleet.workloads]
    assert [(h.id, h.cpu_millis, h.memory_bytes, h.extra_units, h.os, h.hypervisor, h.containers, h.cost,
             h.max_workloads) for h in loaded.hosts] == \
        [(h.id, h.cpu_millis, h.memory_bytes, h.extra_units, h.os, h.hypervisor, h.containers, h.cost,
          h.max_workloads) for h in fleet.hosts]
    header = (tmp_path / "h.csv").read_text().splitlines()[0].split(",")
    assert header[0] == "id" and "extra.gpu" in header and "hypervisor" in header
    assert "bare,16,64Gi,none" in (tmp_path / "h.csv").read_text()  # no hypervisor is written "none"


def test_csv_cells_default_when_empty_and_spreadsheet_leftovers_are_ignored(tmp_path):
    w = write(tmp_path, "w.csv", "\ufeffid,cpu,memory,form,anti_affinity\n a , 2 ,4Gi,,\nb,1,1Gi,vm,db\n,,,,\n")
    h = write(tmp_path, "h.csv", "id,cpu,memory,containers,max_workloads,cost\nh1,8,32Gi,no,none,1.5\n")
    fleet = load_fleet_csv(w, h)
    assert fleet.workloads == (fp.Workload("a", cpu="2", memory="4Gi"),
                               fp.Workload("b", cpu="1", memory="1Gi", form="vm", anti_affinity="db"))
    assert fleet.hosts == (fp.Host("h1", cpu="8", memory="32Gi", containers=False, cost=1.5),)
    assert fleet.overheads == fp.Overheads()


def test_csv_errors_name_the_file_line_entry_and_field(tmp_path):
    w = write(tmp_path, "w.csv", "id,cpu,colour\na,lots,red\nb,1,\nb,2,\n")
    h = write(tmp_path, "h.csv", "name,cpu\nh1,8\n")
    with pytest.raises(fp.ValidationError) as exc_info:
        load_fleet_csv(w, h, {"vm": {"memory": "big"}})
    assert details(exc_info) == [
        (str(w), "(header)"), (f"{w}:2: workload 'a'", "cpu"), (f"{w}:4: workload 'b'", "id"),
        (str(h), "(header)"), ("overheads", "vm.memory"),
    ]
    message = str(exc_info.value)
    assert "unknown column 'colour'" in message and "duplicate id (also line 3)" in message
    assert "needs an 'id' column" in message


def test_a_csv_path_given_as_a_fleet_file_says_how_to_read_it(tmp_path):
    with pytest.raises(fp.ValidationError, match="load_fleet_csv"):
        load_fleet(write(tmp_path, "w.csv", "id\n"))


def test_overheads_from_a_file_or_from_a_fleet_file(tmp_path):
    assert load_overheads(write(tmp_path, "o.json", {"vm": {"memory": "1Gi"}})).vm.memory_bytes == 2**30
    assert load_overheads(EXAMPLE) == load_fleet(EXAMPLE).overheads
    with pytest.raises(fp.ValidationError) as exc_info:
        load_overheads(write(tmp_path, "bad.json", {"vm": {"memory": "x"}}))
    assert details(exc_info) == [(f"{tmp_path / 'bad.json'}: overheads", "vm.memory")]


# --- plan files as CSV, and plans read back with their fleet ---------------------------------------------------------


def test_csv_plans_are_read_with_their_fleet(tmp_path):
    fleet = sample_fleet()
    plan = fleet.place(method="ffd")
    dump_plan(plan, tmp_path / "plan.csv")
    data = read_plan_dict(tmp_path / "plan.csv")
    assert data["assignments"] == plan.to_dict()["assignments"]
    assert set(data["unplaced"]) == set(plan.unplaced)
    assert fp.verify(fleet.workloads, fleet.hosts, data, fleet.overheads) == []
    with pytest.raises(fp.ValidationError, match="fleet="):
        load_plan(tmp_path / "plan.csv")
    again = load_plan(tmp_path / "plan.csv", fleet=fleet)
    assert again.assignments == plan.assignments and again.hosts_used == plan.hosts_used
    assert dict(again.utilization) == dict(plan.utilization)
    assert again.problem is not None and again.explain("db-2").host == plan.host_of("db-2")


def test_a_plan_for_another_fleet_is_refused_naming_the_file(tmp_path):
    path = write(tmp_path, "plan.json", {"assignments": [{"workload": "ghost", "host": "h1", "form": "vm"}]})
    with pytest.raises(fp.ValidationError) as exc_info:
        load_plan(path, fleet=sample_fleet())
    assert details(exc_info) == [(str(path), "assignments[0]")]


# --- the JSON Schema -------------------------------------------------------------------------------------------------


def test_the_schema_knows_exactly_the_model_fields():
    schema = fleet_schema()
    defs = schema["$defs"]
    assert set(defs["workload"]["properties"]) == {f.name for f in dataclasses.fields(fp.Workload)}
    assert set(defs["host"]["properties"]) == {f.name for f in dataclasses.fields(fp.Host)}
    assert set(defs["overheads"]["properties"]) == {f.name for f in dataclasses.fields(fp.Overheads)}
    assert set(schema["properties"]) == {"description", "legacy_servers", "overheads", "workloads", "hosts", "drain",
                                         "max_moves", "max_move_cost", "host_types", "rules", "allocation_ratio",
                                         "max_utilization"}
    assert set(defs["host_type"]["properties"]) == {f.name for f in dataclasses.fields(fp.HostType)}
    assert defs["workload"]["properties"]["form"]["enum"] == ["any", "vm", "container"]
    assert defs["host"]["properties"]["hypervisor"]["enum"] == ["hardware", "paravirtual", "software", None]


def test_the_schema_accepts_the_example_and_refuses_what_the_loader_refuses(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(fleet_schema())
    jsonschema.Draft202012Validator.check_schema(fleet_schema())
    assert list(validator.iter_errors(json.loads(EXAMPLE.read_text()))) == []
    good = sample_fleet().to_dict()
    assert list(validator.iter_errors(json.loads(json.dumps(good)))) == []
    for workload in ({"id": "a", "cpu": "lots"}, {"id": "a", "form": "pod"}, {"id": "a", "colour": "red"},
                     {"cpu": 1}, {"id": "a", "memory": "-1Gi"}, {"id": "a", "extra": {"cpu": 1}}):
        doc = {"workloads": [workload], "hosts": []}
        assert list(validator.iter_errors(doc)), workload
        with pytest.raises(fp.ValidationError):
            load_fleet(write(tmp_path, "f.json", doc))


# --- live fleets ----------------------------------------------------------------------------------------------------


def test_a_live_fleet_file_round_trips_and_places_with_its_own_drain_and_budgets(tmp_path):
    import fleetpack.baseline

    doc = {"drain": ["h1"], "max_moves": 2, "max_move_cost": 2**31,
           "workloads": [{"id": "a", "cpu": 1, "memory": "1Gi", "current": "h1", "current_form": "vm"},
                         {"id": "b", "cpu": 1, "memory": "1Gi", "current": "h2", "pinned": True, "move_cost": 5},
                         {"id": "c", "cpu": 1, "memory": "1Gi"}],
           "hosts": [{"id": "h1", "cpu": 8, "memory": "32Gi"}, {"id": "h2", "cpu": 8, "memory": "32Gi"}]}
    fleet = load_fleet(write(tmp_path, "live.json", doc))
    assert (fleet.drain, fleet.max_moves, fleet.max_move_cost) == (("h1",), 2, 2**31)
    assert fleet.workloads[1].pinned and fleet.workloads[1].move_cost_units == 5
    again = load_fleet(write(tmp_path, "again.json", fleet.to_dict()))
    assert again == fleet
    plan = fleetpack.baseline.place(fleet.workloads, fleet.hosts, overheads=fleet.overheads, **fleet.live_options())
    assert [(m.workload, m.source, m.target) for m in plan.moves] == [("a", "h1", "h2")]
    dump_plan(plan, tmp_path / "plan.json")
    read_back = load_plan(tmp_path / "plan.json", fleet=fleet)  # rebuilt against the fleet: its moves again
    assert read_back.moves == plan.moves and read_back.to_dict()["move_count"] == 1
    assert load_plan(tmp_path / "plan.json").moves == plan.moves  # and from the file alone


def test_a_csv_fleet_takes_the_live_columns(tmp_path):
    (tmp_path / "w.csv").write_text("id,cpu,memory,current,current_form,pinned,move_cost\n"
                                    "a,1,1Gi,h1,vm,true,5\nb,1,1Gi,,,,\n", encoding="utf-8")
    (tmp_path / "h.csv").write_text("id,cpu,memory\nh1,8,32Gi\n", encoding="utf-8")
    fleet = load_fleet_csv(tmp_path / "w.csv", tmp_path / "h.csv")
    a, b = fleet.workloads
    assert (a.current, a.current_form, a.pinned, a.move_cost_units) == ("h1", "vm", True, 5)
    assert (b.current, b.pinned, b.move_cost_units) == (None, False, 2**30)


def test_ratios_travel_through_fleet_files_and_csv(tmp_path):
    workloads = [fp.Workload("a", cpu=2, memory="1Gi", overcommit=False), fp.Workload("b", cpu=3, memory="1Gi")]
    hosts = [fp.Host("h1", cpu=4, memory="8Gi", allocation_ratio={"cpu": 4}), fp.Host("h2", cpu=4, memory="8Gi")]
    fleet = Fleet(workloads, hosts, allocation_ratio={"cpu": 2}, max_utilization={"memory": 0.9})
    path = tmp_path / "fleet.json"
    dump_fleet(fleet, path)
    again = load_fleet(path)
    assert again == fleet
    assert (again.allocation_ratio, again.max_utilization) == ({"cpu": 2}, {"memory": 0.9})
    plan = again.place()
    # h1 at 4:1 takes both: physical room 4 - 0.1 (runtime) - 2 (a, not overcommitted) = 1.9 cores, x 4 = 7.6 >= 3
    assert {a.host for a in plan.assignments} == {"h1"}
    assert fp.verify(workloads, hosts, plan, **again.ratio_options()) == []
    dump_fleet_csv(fleet, tmp_path / "w.csv", tmp_path / "h.csv")
    assert "overcommit" in (tmp_path / "w.csv").read_text() and "allocation_ratio.cpu" in (tmp_path / "h.csv").read_text()
    csv_fleet = load_fleet_csv(tmp_path / "w.csv", tmp_path / "h.csv")
    assert [w.overcommit for w in csv_fleet.workloads] == [False, True]
    assert [h.allocation_ratio for h in csv_fleet.hosts] == [{"cpu": 4}, None]
