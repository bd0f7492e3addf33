"""Correctness at the edges (issue 14): verdicts that cannot be fooled, input read however it is encoded, standard
input and output, the machine-readable summary, and the warnings on the command line (the warnings themselves:
tests/model/test_likely_mistakes.py). The single cases are rows of docs/bad-inputs.md; these tests check what a row
cannot: round trips, counts, and what is NOT said."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

import fleetpack as fp
from fleetpack.cli import main
from fleetpack.cli.reports import EXAMPLES_PER_RULE, LISTED_IN_FULL
from fleetpack.fleetfile import load_plan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "consolidation.json"
PODS, NODES = ROOT / "examples" / "kube-pods.json", ROOT / "examples" / "kube-nodes.json"
SMALL = {"workloads": [{"id": "web-1", "cpu": 1, "memory": "1Gi"}, {"id": "web-2", "cpu": 2, "memory": "2Gi"}],
         "hosts": [{"id": "node-1", "cpu": 8, "memory": "32Gi"}]}


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# --- verdicts -------------------------------------------------------------------------------------------------------


def test_a_plan_file_without_assignments_is_refused_not_judged_valid(tmp_path, capsys):
    (tmp_path / "p.json").write_text("{}")
    for args in (("verify", EXAMPLE, tmp_path / "p.json"), ("explain", EXAMPLE, "--plan", tmp_path / "p.json")):
        code, out, err = run(capsys, *args)
        assert code == 2 and "plan is valid" not in out
        assert err.startswith(f"fleetpack: error: {tmp_path / 'p.json'}: assignments: is required")


def test_verify_counts_what_the_plan_places(tmp_path, capsys):
    plan = tmp_path / "plan.json"
    assert run(capsys, "place", EXAMPLE, "-o", plan, "-q", "--method", "ffd")[0] == 0
    data = json.loads(plan.read_text())
    code, out, _ = run(capsys, "verify", EXAMPLE, plan)
    assert code == 0
    assert out == f"{plan}: plan is valid: placed 198 of 198 workloads on {data['hosts_used']} hosts.\n"

    # one workload dropped from the plan: one rule broken, listed in full, and one workload fewer placed
    data["assignments"] = data["assignments"][1:]
    plan.write_text(json.dumps(data))
    code, out, _ = run(capsys, "verify", EXAMPLE, plan)
    assert code == 1
    lines = out.splitlines()
    assert "placed 197 of 198 workloads" in lines[0] and "breaks 1 rule;" in lines[0]
    assert lines[1].startswith("  missing_workload: workload ")


def test_a_long_violation_list_is_grouped_by_rule_and_all_lists_every_one(tmp_path, capsys):
    plan = tmp_path / "plan.json"
    kube_plan = tmp_path / "kube.json"
    assert run(capsys, "place", "--kube-pods", PODS, "--kube-nodes", NODES, "-o", kube_plan, "-q",
               "--method", "ffd")[0] == 0
    plan.write_text(kube_plan.read_text())
    fleet = fp.load_fleet(EXAMPLE)
    violations = fp.verify(fleet.workloads, fleet.hosts, json.loads(plan.read_text()), fleet.overheads)
    assert len(violations) > LISTED_IN_FULL
    code, out, _ = run(capsys, "verify", EXAMPLE, plan)
    assert code == 1
    lines = out.splitlines()
    assert "None of the workloads the plan names" in lines[1] and "another fleet" in lines[1]
    counts = {}
    for v in violations:
        counts[v.rule] = counts.get(v.rule, 0) + 1
    assert lines[2] == "  " + ", ".join(f"{n} {rule}" for rule, n in sorted(counts.items(), key=lambda i: -i[1]))
    for rule, n in counts.items():
        header = lines.index(f"  {rule} ({n}):")
        shown = lines[header + 1: header + 1 + min(n, EXAMPLES_PER_RULE)]
        assert all(line.startswith("    ") and not line.startswith("    ...") for line in shown)
    assert len(lines) < len(violations)  # grouped, not one line each

    code, out, _ = run(capsys, "verify", EXAMPLE, plan, "--all")
    listed = [line for line in out.splitlines() if line.startswith("  ") and ": " in line]
    assert code == 1 and len(listed) == len(violations)


def test_kubernetes_documents_of_the_right_kind_in_every_shape():
    pods, nodes = json.loads(PODS.read_text()), json.loads(NODES.read_text())
    whole = fp.from_kubernetes(pods, nodes)
    # a typed list whose items leave out their kind, as the API server writes it
    typed = {"apiVersion": "v1", "kind": "PodList",
             "items": [{k: v for k, v in p.items() if k != "kind"} for p in pods["items"]]}
    assert fp.from_kubernetes(typed, nodes).workloads == whole.workloads
    node = nodes["items"][0]
    assert [h.id for h in fp.from_kubernetes(pods, node).hosts] == [node["metadata"]["name"]]
    # a List that mixes in other kinds is refused, naming what it holds
    mixed = {**pods, "items": [*pods["items"], {"kind": "Service", "metadata": {"name": "s"}}]}
    with pytest.raises(fp.ValidationError, match="is a List holding 1 Service: expected a Pod"):
        fp.from_kubernetes(mixed, nodes)


# --- reading and writing --------------------------------------------------------------------------------------------


def test_a_byte_order_mark_is_read_like_the_csv_one(tmp_path):
    text = json.dumps(SMALL)
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert fp.load_fleet(tmp_path / "bom.json") == fp.Fleet.from_dict(SMALL)
    (tmp_path / "pods.json").write_bytes(b"\xef\xbb\xbf" + PODS.read_bytes())
    assert fp.from_kubernetes(tmp_path / "pods.json", NODES).workloads == fp.from_kubernetes(PODS, NODES).workloads
    plan = fp.Fleet.from_dict(SMALL).place(method="ffd")
    (tmp_path / "plan.json").write_bytes(b"\xef\xbb\xbf" + plan.to_json().encode())
    assert load_plan(tmp_path / "plan.json").to_dict() == plan.to_dict()


def test_dash_reads_the_fleet_from_stdin_and_writes_the_plan_to_stdout(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(SMALL).encode())))
    code, out, err = run(capsys, "place", "-", "-o", "-", "--method", "ffd")
    assert code == 0
    plan = json.loads(out)  # stdout holds the plan and nothing else
    assert {a["workload"] for a in plan["assignments"]} == {"web-1", "web-2"}
    assert err.startswith("Placed 2 of 2 workloads on 1 host.")  # the summary went to stderr
    (tmp_path / "plan.json").write_text(out)
    assert run(capsys, "verify", _write(tmp_path, SMALL), tmp_path / "plan.json")[0] == 0


def _write(tmp_path: Path, data) -> Path:
    target = tmp_path / "fleet.json"
    target.write_text(json.dumps(data))
    return target


def test_place_json_is_the_summary_as_data(tmp_path, capsys):
    plan_path = tmp_path / "plan.csv"
    code, out, err = run(capsys, "place", EXAMPLE, "--json", "--method", "ffd", "-o", plan_path)
    assert code == 0 and err == ""
    data = json.loads(out)
    plan = fp.load_fleet(EXAMPLE).place(method="ffd")
    assert set(data) == {"workloads", "placed", "unplaced", "hosts", "hosts_used", "legacy_servers", "vms",
                         "containers", "objective", "objective_value", "cost", "lower_bound", "gap",
                         "proven_optimal", "method", "strategy", "elapsed", "utilization", "plan_file", "picture"}
    assert (data["workloads"], data["placed"], data["hosts"], data["legacy_servers"]) == (198, 198, 41, 100)
    assert data["hosts_used"] == plan.hosts_used and data["vms"] == plan.vms and data["cost"] == plan.cost
    assert data["gap"] == plan.gap and data["strategy"] == plan.strategy
    assert set(data["utilization"]) == set(plan.utilization)
    assert data["plan_file"] == str(plan_path) and data["picture"] is None and plan_path.exists()


def test_a_bad_output_fails_before_the_fleet_is_read(tmp_path, capsys):
    # the fleet file does not even exist: the output is checked first, so that is not what is reported
    code, _, err = run(capsys, "place", tmp_path / "nope.json", "--plot", tmp_path / "plan.bmp",
                       "-o", tmp_path / "plan.json")
    assert code == 2 and "plan.bmp: matplotlib cannot write .bmp" in err and "nope.json" not in err
    assert not (tmp_path / "plan.json").exists()


# --- warnings -------------------------------------------------------------------------------------------------------


def test_warnings_reach_the_command_line_stderr(tmp_path, capsys):
    fleet = {"workloads": [{"id": "a", "cpu": 1, "memory": "512m"}], "hosts": [{"id": "h", "cpu": 4}]}
    code, out, err = run(capsys, "place", _write(tmp_path, fleet), "-q")
    lines = err.splitlines()
    assert code == 0 and out == ""
    assert lines[0].startswith("fleetpack: warning: ") and "'512m' is 0.512 bytes" in lines[0]
    assert any("host 'h': memory: is 0 (not given?)" in line for line in lines)
