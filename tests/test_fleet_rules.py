"""Group rules (issue 16) outside Python: a fleet file's ``rules`` and workload ``groups``, CSV ``groups`` cells,
the JSON Schema, and the fleet's rules passed to every call that solves it."""

from __future__ import annotations

import json
from unittest import mock

import pytest

import fleetpack as fp
from fleetpack.model.entries import CheckedEntries
from fleetpack.fleetfile import Fleet, dump_fleet, dump_fleet_csv, fleet_json, fleet_schema, load_fleet, load_fleet_csv

DOC = {
    "workloads": [{"id": f"db-{k}", "cpu": 1, "memory": "1Gi", "groups": ["db", "stateful"]} for k in range(3)]
    + [{"id": "web-1", "cpu": 1, "memory": "1Gi", "anti_affinity": "web"}],
    "hosts": [{"id": f"h{k}", "cpu": 8, "memory": "32Gi", "labels": {"zone": "ab"[k % 2]}} for k in range(4)],
    "rules": [{"kind": "anti_affinity", "group": "db", "scope": "zone", "max_per_domain": 2},
              {"kind": "spread", "group": "stateful", "key": "zone", "max_skew": 1, "weight": 3},
              {"kind": "affinity", "group": "web"}],
}
RULES = (fp.AntiAffinity("db", scope="zone", max_per_domain=2), fp.Spread("stateful", "zone", weight=3),
         fp.Affinity("web"))


def write(tmp_path, name: str, doc) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return str(path)


def test_a_fleet_file_reads_its_rules_and_groups_and_writes_them_back(tmp_path):
    fleet = load_fleet(write(tmp_path, "f.json", DOC))
    assert fleet.rules == RULES
    assert isinstance(fleet.workloads, CheckedEntries)  # (read as columns: groups a text column)
    assert [w.groups for w in fleet.workloads] == [("db", "stateful")] * 3 + [()]
    # a name with a space cannot be a column's: those entries are read one by one, the same groups
    spaced = {**DOC, "workloads": [{**DOC["workloads"][0], "groups": ["db", "a b"]}], "rules": DOC["rules"][:1]}
    read = load_fleet(write(tmp_path, "g.json", spaced))
    assert not isinstance(read.workloads, CheckedEntries) and read.workloads[0].groups == ("db", "a b")
    assert Fleet.from_dict(fleet.to_dict()) == fleet
    # defaults left out (weight None), and one rule a line in the JSON text
    assert fleet.to_dict()["rules"][2] == {"kind": "affinity", "group": "web", "scope": "host"}
    assert '\n    {"kind": "spread", "group": "stateful"' in fleet_json(fleet)
    dump_fleet(fleet, tmp_path / "f.yaml")
    assert load_fleet(tmp_path / "f.yaml") == fleet
    # entries given as objects (not read as columns) hold the same groups
    assert Fleet([fp.Workload(**w) for w in DOC["workloads"]], fleet.hosts, rules=DOC["rules"]).rules == RULES


def test_a_fleet_passes_its_rules_to_place(tmp_path):
    fleet = load_fleet(write(tmp_path, "f.json", DOC))
    assert fleet.place_options()["rules"] == RULES
    assert "rules" not in Fleet(fleet.workloads, fleet.hosts).place_options()  # (none: the keyword left out)
    with mock.patch("fleetpack.api.place_with", return_value="plan") as solved:
        assert fleet.place(method="ffd") == "plan"
    assert solved.call_args.kwargs["rules"] == RULES


def test_every_rule_problem_names_the_file_the_rule_and_the_field(tmp_path):
    doc = {**DOC, "rules": [{"kind": "spread", "group": "db"}, {"kind": "anti_affinity", "group": "db",
                                                                  "max_per_domain": 0},
                            {"kind": "affinity", "group": "cache"}, "db", {"kind": "colocate", "group": "db"}]}
    with pytest.raises(fp.ValidationError) as caught:
        load_fleet(write(tmp_path, "f.json", doc))
    found = [(e.where, e.field) for e in caught.value.errors]
    where = str(tmp_path / "f.json")
    assert found == [(f"{where}: rules[0]", "key"),
                     (f"{where}: rules[1] (rule AntiAffinity('db', scope='host'))", "max_per_domain"),
                     (f"{where}: rules[3]", "(rule)"), (f"{where}: rules[4]", "kind"),
                     (f"{where}: rules[2] (Affinity('cache', scope='host'))", "group")]
    with pytest.raises(fp.ValidationError, match=r"f\.json: rules: must be a list of rules, got an object"):
        load_fleet(write(tmp_path, "f.json", {**DOC, "rules": DOC["rules"][0]}))
    with pytest.raises(fp.ValidationError, match=r"workload 'a': groups: must be a list of group names"):
        load_fleet(write(tmp_path, "f.json", {"workloads": [{"id": "a", "groups": "db"}], "hosts": []}))


def test_a_rule_may_name_the_anti_affinity_shorthand_group(tmp_path):
    doc = {**DOC, "rules": [{"kind": "spread", "group": "web", "key": "zone"}]}
    assert load_fleet(write(tmp_path, "f.json", doc)).rules == (fp.Spread("web", "zone"),)


def test_csv_groups_cells_list_names_separated_by_spaces(tmp_path):
    (tmp_path / "w.csv").write_text("id,cpu,groups\ndb-1,1,db stateful\ndb-2,1,db\nweb,1,\n")
    (tmp_path / "h.csv").write_text("id,cpu,memory,labels.zone\nh1,8,8Gi,a\nh2,8,8Gi,b\n")
    fleet = load_fleet_csv(tmp_path / "w.csv", tmp_path / "h.csv", rules=[{"kind": "anti_affinity", "group": "db"}])
    assert [w.groups for w in fleet.workloads] == [("db", "stateful"), ("db",), ()]
    assert fleet.rules == (fp.AntiAffinity("db"),)
    dump_fleet_csv(fleet, tmp_path / "w2.csv", tmp_path / "h2.csv")
    assert "db-1,1,db stateful" in (tmp_path / "w2.csv").read_text()
    assert load_fleet_csv(tmp_path / "w2.csv", tmp_path / "h2.csv").workloads == fleet.workloads
    with pytest.raises(fp.ValidationError, match=r"rules\[0\] .*: group: no workload is in group 'cache'"):
        load_fleet_csv(tmp_path / "w.csv", tmp_path / "h.csv", rules=[fp.Affinity("cache")])


def test_the_schema_accepts_rules_and_refuses_what_the_loader_refuses(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(fleet_schema())
    assert list(validator.iter_errors(DOC)) == []
    for rule in ({"kind": "spread", "group": "db"}, {"kind": "affinity", "group": "db", "max_skew": 1},
                 {"kind": "colocate", "group": "db"}, {"kind": "anti_affinity", "group": "db", "max_per_domain": 0},
                 {"kind": "anti_affinity", "group": ""}, {"kind": "affinity", "group": "db", "weight": 0}):
        doc = {**DOC, "rules": [rule]}
        assert list(validator.iter_errors(doc)), rule
        with pytest.raises(fp.ValidationError):
            load_fleet(write(tmp_path, "f.json", doc))


def test_the_commands_that_solve_a_fleet_pass_its_rules(tmp_path, capsys):
    from fleetpack.cli.main import main

    path = write(tmp_path, "f.json", DOC)
    for argv, target in ((["place", path, "--quiet"], "fleetpack.cli.main.place"),
                         (["replan", path, "--frontier", "0,1", "--quiet"], "fleetpack.cli.replan.replan_frontier")):
        with mock.patch(target, side_effect=RuntimeError("stop")) as solved, pytest.raises(RuntimeError):
            main(argv)
        assert tuple(solved.call_args.kwargs["rules"]) == RULES, argv
    with mock.patch("fleetpack.distributed.plan_stream", side_effect=RuntimeError("stop")) as solved, \
            pytest.raises(RuntimeError):
        main(["scenarios", path, "--growth", "1", "--quiet"])
    assert tuple(solved.call_args.kwargs["rules"]) == RULES
    with mock.patch("fleetpack.cli.buy.plan_capacity", side_effect=RuntimeError("stop")) as solved, \
            pytest.raises(RuntimeError):
        main(["buy", path])  # (buy plans with the fleet's rules now)
    assert tuple(solved.call_args.kwargs["rules"]) == RULES


def test_place_many_and_the_frontier_take_rules():
    workloads = [fp.Workload(f"db-{k}", cpu=1, memory="1Gi", groups=["db"]) for k in range(2)]
    hosts = [fp.Host(f"h{k}", cpu=8, memory="8Gi") for k in range(2)]
    with pytest.raises(fp.ValidationError, match=r"problems\[0\].*no workload is in group 'cache'"):
        fp.place_many([{"workloads": workloads, "hosts": hosts, "rules": [fp.AntiAffinity("cache")]}])
    with pytest.raises(fp.ValidationError, match="no workload is in group 'cache'"):
        fp.replan_frontier(workloads, hosts, [0], rules=[fp.AntiAffinity("cache")])
    with mock.patch("fleetpack.distributed.plan_stream", return_value=iter(())) as stream:
        from fleetpack.distributed import place_iter

        list(place_iter([(workloads, hosts)], rules=[fp.AntiAffinity("db")]))
    assert stream.call_args.kwargs["rules"] == [fp.AntiAffinity("db")]
