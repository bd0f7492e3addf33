"""The ``fleetpack`` command, run through ``fleetpack.cli.main`` as a user would run it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import fleetpack as fp
from fleetpack.cli import main, summary
from fleetpack.fleetfile import Fleet, load_fleet
from fleetpack.cli.progress import Progress

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "consolidation.json"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write_json(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


SMALL_FLEET = {
    "workloads": [
        {"id": "db-1", "cpu": 4, "memory": "8Gi", "anti_affinity": "db"},
        {"id": "db-2", "cpu": 4, "memory": "8Gi", "anti_affinity": "db"},
        {"id": "web", "cpu": "500m", "memory": "1Gi", "form": "container"},
    ],
    "hosts": [
        {"id": "h1", "cpu": 8, "memory": "32Gi"},
        {"id": "h2", "cpu": 8, "memory": "32Gi"},
    ],
}


# --- place -----------------------------------------------------------------------------------------------------------


def test_place_example_writes_a_plan_that_verify_accepts(tmp_path, capsys):
    plan_path = tmp_path / "plan.json"
    code, out, err = run(capsys, "place", EXAMPLE, "-o", plan_path)
    assert (code, err) == (0, "")
    plan = json.loads(plan_path.read_text())
    fleet = load_fleet(EXAMPLE)
    assert fp.verify(fleet.workloads, fleet.hosts, plan, fleet.overheads) == []
    assert len(plan["assignments"]) == len(fleet.workloads) and plan["unplaced"] == {}

    lines = out.splitlines()
    assert lines[0] == (f"Placed {len(fleet.workloads)} of {len(fleet.workloads)} workloads on "
                        f"{plan['hosts_used']} hosts instead of the 100 it had.")
    assert lines[1].startswith("Lower bound ") or lines[1].startswith("Proven optimal")
    vms = sum(a["form"] == "vm" for a in plan["assignments"])
    assert f"{vms} VMs and {len(fleet.workloads) - vms} containers" in lines[2]
    assert f"Plan written to {plan_path}." in out

    # the table lists the used hosts in the fleet file's order, with the extra dimension as a column
    header = next(i for i, line in enumerate(lines) if line.startswith("Host "))
    assert lines[header].split() == ["Host", "Workloads", "VMs", "Containers", "CPU", "Memory", "gpu"]
    rows = [line.split() for line in lines[header + 1: header + 1 + plan["hosts_used"]]]
    used = {a["host"] for a in plan["assignments"]}
    assert [r[0] for r in rows] == [h.id for h in fleet.hosts if h.id in used]
    for row in rows:
        on_host = [a for a in plan["assignments"] if a["host"] == row[0]]
        assert int(row[1]) == len(on_host) == int(row[2]) + int(row[3])
        assert row[4] == f"{plan['utilization'][row[0]]['cpu']:.0%}"
        assert row[6] == ("-" if not row[0].startswith("pool-gpu") else f"{plan['utilization'][row[0]]['gpu']:.0%}")

    code, out, err = run(capsys, "verify", EXAMPLE, plan_path)
    assert code == 0 and "plan is valid" in out


def test_verify_lists_every_rule_a_hand_broken_plan_breaks(tmp_path, capsys):
    plan_path = tmp_path / "plan.json"
    assert run(capsys, "place", EXAMPLE, "-o", plan_path, "--quiet")[0] == 0
    plan = json.loads(plan_path.read_text())
    host_of = {a["workload"]: a["host"] for a in plan["assignments"]}
    for a in plan["assignments"]:  # two replicas of one anti-affinity group on one host
        if a["workload"] == "pg-main-2":
            a["host"] = host_of["pg-main-1"]
    broken = write_json(tmp_path / "broken.json", plan)

    code, out, err = run(capsys, "verify", EXAMPLE, broken)
    assert code == 1
    assert "plan is valid" not in out
    fleet = load_fleet(EXAMPLE)
    violations = fp.verify(fleet.workloads, fleet.hosts, plan, fleet.overheads)
    assert any(v.rule == "anti_affinity" for v in violations)
    assert f"breaks {len(violations)} rule" in out
    for v in violations:
        assert f"  {v.rule}: {v.message}" in out.splitlines()


def test_place_passes_its_options_to_the_solver(tmp_path, capsys):
    plan_path = tmp_path / "plan.json"
    code, out, _ = run(capsys, "place", EXAMPLE, "-o", plan_path, "--method", "ffd", "--objective", "cost",
                       "--sort-key", "max", "--seed", "3", "--time-limit", "30")
    assert code == 0
    plan = json.loads(plan_path.read_text())
    assert (plan["method"], plan["objective"], plan["strategy"]) == ("ffd", "cost", "ffd/max")
    assert "Method ffd/max" in out
    assert "Lower bound cost " in out or "Proven optimal: lower bound cost " in out


def test_workers_reach_the_exact_solver(tmp_path, capsys, monkeypatch):
    from fleetpack import exact

    seen = []
    real = exact.engine

    def spy(*args, **kwargs):
        seen.append(kwargs.get("workers"))
        return real(*args, **kwargs)

    monkeypatch.setattr(exact, "engine", spy)
    fleet = write_json(tmp_path / "fleet.json", SMALL_FLEET)
    code, out, _ = run(capsys, "place", fleet, "--method", "exact", "--workers", "1", "-q")
    assert (code, seen) == (0, [1])


def test_quiet_prints_nothing_and_still_writes_the_plan(tmp_path, capsys):
    plan_path = tmp_path / "plan.json"
    assert run(capsys, "place", EXAMPLE, "-o", plan_path, "-q") == (0, "", "")
    assert fp.Plan.from_json(plan_path.read_text()).placed == len(load_fleet(EXAMPLE).workloads)


def test_strict_exits_1_and_writes_no_plan_when_something_does_not_fit(tmp_path, capsys):
    doc = json.loads(json.dumps(SMALL_FLEET))
    doc["workloads"].append({"id": "huge", "cpu": 64, "memory": "1Gi"})
    fleet_path = write_json(tmp_path / "fleet.json", doc)
    plan_path = tmp_path / "plan.json"

    code, out, err = run(capsys, "place", fleet_path, "-o", plan_path, "--strict")
    assert code == 1
    assert not plan_path.exists()
    assert "1 workload(s) could not be placed (--strict)" in err
    assert "Placed 3 of 4 workloads" in out
    assert "  huge: too_large: " in out

    code, out, err = run(capsys, "place", fleet_path, "-o", plan_path)
    assert code == 0
    assert json.loads(plan_path.read_text())["unplaced"]["huge"]["code"] == "too_large"
    assert "Unplaced workloads (1):" in out and "not every workload was placed" in out


def test_place_keeps_apart_what_the_rules_keep_apart(tmp_path, capsys):
    plan_path = tmp_path / "plan.json"
    assert run(capsys, "place", write_json(tmp_path / "f.json", SMALL_FLEET), "-o", plan_path)[0] == 0
    plan = fp.Plan.from_json(plan_path.read_text())
    assert plan.host_of("db-1") != plan.host_of("db-2")
    assert plan.form_of("web") == "container"


# --- bad input -------------------------------------------------------------------------------------------------------


def test_bad_fleet_file_exits_2_naming_file_entry_and_field(tmp_path, capsys):
    doc = json.loads(json.dumps(SMALL_FLEET))
    doc["workloads"][1]["memory"] = "8 gigs"
    doc["hosts"][0]["hypervisor"] = "kvm"
    path = write_json(tmp_path / "fleet.json", doc)
    code, out, err = run(capsys, "place", path)
    assert (code, out) == (2, "")
    assert f"{path}: workload 'db-2': memory: '8 gigs' is not a quantity" in err
    assert f"{path}: host 'h1': hypervisor: must be one of" in err
    assert "Traceback" not in err


def test_invalid_json_and_missing_files_exit_2(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text('{"workloads": [', encoding="utf-8")
    code, _, err = run(capsys, "place", broken)
    assert code == 2 and f"{broken}: line 1, column 16: not valid JSON" in err

    missing = tmp_path / "missing.json"
    code, _, err = run(capsys, "place", missing)
    assert code == 2 and str(missing) in err and "No such file" in err

    fleet = write_json(tmp_path / "fleet.json", SMALL_FLEET)
    code, _, err = run(capsys, "verify", fleet, missing)
    assert code == 2 and str(missing) in err


def test_verify_names_the_plan_file_when_the_plan_is_malformed(tmp_path, capsys):
    fleet = write_json(tmp_path / "fleet.json", SMALL_FLEET)
    plan = write_json(tmp_path / "plan.json", {"assignments": [{"workload": "db-1"}]})
    code, out, err = run(capsys, "verify", fleet, plan)
    assert (code, out) == (2, "")
    assert f"{plan}: plan.assignments[0]:" in err


def test_bad_options_exit_2(tmp_path, capsys):
    fleet = write_json(tmp_path / "fleet.json", SMALL_FLEET)
    for argv in (["place", fleet, "--method", "nope"], ["place", fleet, "--time-limit", "-1"],
                 ["place", fleet, "--seed", "x"], ["place", fleet, "--workers", "0"], [], ["frobnicate"]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "" and "usage: fleetpack" in err, argv


# --- verify without a solver -----------------------------------------------------------------------------------------


def test_verify_hand_written_plans(tmp_path, capsys):
    fleet = write_json(tmp_path / "fleet.json", SMALL_FLEET)
    good = {"assignments": [{"workload": "db-1", "host": "h1", "form": "vm"},
                            {"workload": "db-2", "host": "h2", "form": "container"},
                            {"workload": "web", "host": "h2", "form": "container"}],
            "unplaced": {}}
    code, out, _ = run(capsys, "verify", fleet, write_json(tmp_path / "good.json", good))
    assert code == 0
    assert out == f"{tmp_path / 'good.json'}: plan is valid: placed 3 of 3 workloads on 2 hosts.\n"

    bad = {"assignments": [{"workload": "db-1", "host": "h1", "form": "container"},
                           {"workload": "db-2", "host": "h1", "form": "container"},
                           {"workload": "web", "host": "h1", "form": "vm"}],
           "unplaced": {}}
    code, out, _ = run(capsys, "verify", fleet, write_json(tmp_path / "bad.json", bad))
    assert code == 1
    # web must be a container; db-1 and db-2 share a group; the two containers and the VM overflow h1's 8 cores
    rules = [line.split(":")[0].strip() for line in out.splitlines()[1:]]
    assert sorted(rules) == ["anti_affinity", "capacity", "form"]
    assert out.splitlines()[0] == f"{tmp_path / 'bad.json'}: plan breaks 3 rules; placed 3 of 3 workloads on 1 host."


# --- the summary's words ---------------------------------------------------------------------------------------------


def plan_of(**overrides) -> fp.Plan:
    base = {
        "assignments": [{"workload": "db-1", "host": "h1", "form": "vm"},
                        {"workload": "db-2", "host": "h2", "form": "container"},
                        {"workload": "web", "host": "h2", "form": "container"}],
        "unplaced": {}, "objective": "hosts", "objective_value": 2, "hosts_used": 2, "cost": 2.0,
        "lower_bound": 2, "proven_optimal": True, "method": "auto", "strategy": "bfd/sum", "elapsed": 0.004,
        "utilization": {"h1": {"cpu": 0.515, "memory": 0.281}, "h2": {"cpu": 0.58, "memory": 0.3}},
        "dimensions": ["cpu", "memory"],
    }
    base.update(overrides)
    return fp.Plan.from_dict(base)


def test_summary_of_a_proven_optimal_plan():
    text = summary(Fleet.from_dict({**SMALL_FLEET, "legacy_servers": 5}), plan_of())
    assert text.splitlines()[:4] == [
        "Placed 3 of 3 workloads on 2 hosts instead of the 5 it had.",
        "Proven optimal: lower bound 2 hosts.",
        "Cost 2; 1 VM and 2 containers.",
        "Method auto (best strategy: bfd/sum), 4 ms.",
    ]
    assert text.splitlines()[5:] == [
        "Host  Workloads  VMs  Containers  CPU  Memory",
        "h1            1    1           0  52%     28%",
        "h2            2    0           2  58%     30%",
        "0 of 2 hosts left empty.",
    ]


def test_summary_states_the_gap_rounded_up():
    fleet = Fleet.from_dict(SMALL_FLEET)
    text = summary(fleet, plan_of(objective_value=12, hosts_used=12, lower_bound=11, proven_optimal=False))
    assert "Lower bound 11 hosts, so at most 9.1% above the optimum." in text
    assert "instead of" not in text  # the file has no legacy_servers
    text = summary(fleet, plan_of(objective="cost", objective_value=2.0, lower_bound=1.6, proven_optimal=False))
    assert "Lower bound cost 1.6, so at most 25% above the optimum." in text
    text = summary(fleet, plan_of(objective="spread", objective_value=0.58, lower_bound=0.5, proven_optimal=False))
    assert "Lower bound peak utilisation 50.0%, so at most 16% above the optimum." in text


def test_summary_lists_unplaced_workloads_and_extra_dimensions():
    doc = json.loads(json.dumps(SMALL_FLEET))
    doc["hosts"].append({"id": "gpu-1", "cpu": 8, "memory": "32Gi", "extra": {"gpu": 4}})
    doc["workloads"].append({"id": "ocr", "cpu": 1, "memory": "1Gi", "extra": {"gpu": 8}})
    plan = plan_of(unplaced={"ocr": {"code": "too_large", "message": "needs 8 gpu"}}, proven_optimal=False,
                   dimensions=["cpu", "memory", "gpu"],
                   utilization={"h1": {"cpu": 0.5, "memory": 0.25, "gpu": 0.0},
                                "h2": {"cpu": 0.5, "memory": 0.25, "gpu": 0.0}})
    lines = summary(Fleet.from_dict(doc), plan).splitlines()
    assert lines[0] == "Placed 3 of 4 workloads on 2 hosts."
    assert "Unplaced workloads (1):" in lines and "  ocr: too_large: needs 8 gpu" in lines
    assert lines[-4].split() == ["Host", "Workloads", "VMs", "Containers", "CPU", "Memory", "gpu"]
    assert lines[-3].split()[-1] == "-"  # h1 has no gpu at all, which is not 0% used
    assert lines[-1] == "1 of 3 hosts left empty."


# --- version and help ------------------------------------------------------------------------------------------------


def test_version_and_help(capsys):
    assert run(capsys, "--version") == (0, f"fleetpack {fp.__version__}\n", "")
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "fleetpack place examples/consolidation.json" in out
    code, out, _ = run(capsys, "place", "--help")
    assert code == 0 and "--strict" in out and "examples:" in out and "objectives:" in out
    code, out, _ = run(capsys, "verify", "--help")
    assert code == 0 and "FLEET" in out and "PLAN" in out


def test_python_dash_m_runs_the_command():
    package_root = Path(fp.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package_root), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-m", "fleetpack", "--version"], capture_output=True, text=True,
                            env=env, check=False)
    assert (result.returncode, result.stdout) == (0, f"fleetpack {fp.__version__}\n")


# --- other fleet sources: CSV and Kubernetes ------------------------------------------------------------------------

KUBE = ["--kube-pods", ROOT / "examples" / "kube-pods.json", "--kube-nodes", ROOT / "examples" / "kube-nodes.json"]


def write_csv_fleet(tmp_path: Path) -> tuple[Path, Path]:
    workloads = tmp_path / "workloads.csv"
    workloads.write_text("id,cpu,memory,form,anti_affinity,extra.gpu\n"
                         "db-1,4,8Gi,,db,\n"
                         "db-2,4,8Gi,,db,\n"
                         "web,500m,1Gi,container,,\n"
                         "ocr,1,2Gi,,,1\n", encoding="utf-8")
    hosts = tmp_path / "hosts.csv"
    hosts.write_text("id,cpu,memory,hypervisor,extra.gpu\n"
                     "h1,8,32Gi,,\n"
                     "h2,8,32Gi,none,2\n", encoding="utf-8")
    return workloads, hosts


def test_place_a_csv_fleet_and_write_and_verify_a_csv_plan(tmp_path, capsys):
    workloads, hosts = write_csv_fleet(tmp_path)
    overheads = write_json(tmp_path / "overheads.json", {"container": {"memory": "32Mi"}})
    plan_csv = tmp_path / "plan.csv"
    code, out, err = run(capsys, "place", "--workloads", workloads, "--hosts", hosts, "--overheads", overheads,
                         "-o", plan_csv)
    assert (code, err) == (0, "")
    assert out.startswith("Placed 4 of 4 workloads on 2 hosts.")
    rows = plan_csv.read_text().splitlines()
    assert rows[0] == "workload,host,form,unplaced,reason" and len(rows) == 5
    assert any(r.startswith("ocr,h2,container") for r in rows)  # the only gpu, and h2 runs no VMs
    code, out, _ = run(capsys, "verify", "--workloads", workloads, "--hosts", hosts, "--overheads", overheads,
                       plan_csv)
    assert code == 0 and "plan is valid: placed 4 of 4 workloads on 2 hosts" in out


def test_bad_csv_cells_name_the_file_line_entry_and_field(tmp_path, capsys):
    workloads, hosts = write_csv_fleet(tmp_path)
    hosts.write_text("id,cpu,memory,containers\nh1,8,32 gigs,maybe\n", encoding="utf-8")
    code, out, err = run(capsys, "place", "--workloads", workloads, "--hosts", hosts)
    assert (code, out) == (2, "")
    assert f"{hosts}:2: host 'h1': memory: '32 gigs' is not a quantity" in err
    assert f"{hosts}:2: host 'h1': containers: must be true or false, got 'maybe'" in err


def test_place_from_kubernetes_shows_what_the_import_left_out(capsys):
    code, out, err = run(capsys, "place", *KUBE, "--method", "bfd", "--kube-greenfield")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Imported from Kubernetes: 23 pods as container workloads, 7 nodes as hosts."
    assert "Taints: CriticalAddonsOnly=true:NoSchedule; pods go to a tainted node only if they tolerate" in out
    assert "Pods left out: 2 finished (Succeeded or Failed)." in lines
    assert "ip-10-0-2-200.ec2.internal (cordoned)" in out
    placed = next(line for line in lines if line.startswith("Placed "))
    assert placed.startswith("Placed 23 of 23 workloads on ") and placed.endswith("instead of the 8 it had.")
    assert "nvidia.com/gpu" in next(line for line in lines if line.startswith("Host "))
    # by default the cluster is live: the cordoned node is kept to drain, the tainted one is a host
    code, out, err = run(capsys, "place", *KUBE, "--method", "bfd")
    assert (code, err) == (0, "")
    assert out.startswith("Imported from Kubernetes: 23 pods as container workloads, 8 nodes as hosts.")
    assert "Cordoned nodes to drain: ip-10-0-2-200.ec2.internal." in out and "(cordoned)" not in out
    assert "Empties " in out and "ip-10-0-2-200.ec2.internal" in next(
        line for line in out.splitlines() if line.startswith("Empties "))


def test_explain_a_kubernetes_pod_by_namespace_and_name(capsys):
    code, out, _ = run(capsys, "explain", *KUBE, "shop/storefront-canary-6b8f9c7d54-lq8rw", "--method", "bfd")
    assert code == 0
    assert out.startswith("Workload 'shop/storefront-canary-6b8f9c7d54-lq8rw' runs on host 'ip-10-0-")
    assert "anti-affinity group 'shop/app=storefront' is there already" in out


def test_fleet_sources_are_checked(tmp_path, capsys):
    fleet = write_json(tmp_path / "fleet.json", SMALL_FLEET)
    workloads, hosts = write_csv_fleet(tmp_path)
    for argv, message in (
        (["place"], "give a fleet"),
        (["place", fleet, "--workloads", workloads, "--hosts", hosts], "give one fleet source"),
        (["place", "--workloads", workloads], "--workloads and --hosts go together"),
        (["place", "--kube-pods", workloads], "--kube-pods and --kube-nodes go together"),
        (["place", fleet, "--overheads", fleet], "--overheads is for a CSV fleet"),
        (["verify", "--kube-include-tainted", fleet, fleet], "--kube-include-tainted goes with --kube-pods"),
            (["place", fleet, "--kube-greenfield", "--kube-evict-local-storage"],
             "--kube-greenfield, --kube-evict-local-storage go with --kube-pods and --kube-nodes"),
    ):
        code, out, err = run(capsys, *argv)
        assert (code, out) == (2, ""), argv
        assert "usage: fleetpack" in err and message in err, argv
    code, _, err = run(capsys, "place", workloads)
    assert code == 2 and "a CSV fleet is two files" in err


# --- plots ------------------------------------------------------------------------------------------------------------


def test_place_draws_the_plan(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    image = tmp_path / "plan.png"
    code, out, _ = run(capsys, "place", write_json(tmp_path / "f.json", SMALL_FLEET), "--plot", image)
    assert code == 0 and f"Picture drawn to {image}." in out
    assert image.read_bytes()[:4] == b"\x89PNG" and image.stat().st_size > 5_000


def test_plot_without_matplotlib_fails_before_solving(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, out, err = run(capsys, "place", write_json(tmp_path / "f.json", SMALL_FLEET), "--plot", tmp_path / "x.png")
    assert (code, out) == (2, "")
    assert "needs matplotlib: pip install 'fleetpack[plot]'" in err


# --- explain ----------------------------------------------------------------------------------------------------------


def test_explain_a_placed_and_an_unplaced_workload(tmp_path, capsys):
    doc = json.loads(json.dumps(SMALL_FLEET))
    doc["workloads"].append({"id": "huge", "cpu": 2, "memory": "64Gi"})
    fleet = write_json(tmp_path / "fleet.json", doc)
    code, out, err = run(capsys, "explain", fleet, "db-2", "huge")
    assert (code, err) == (0, "")
    placed, unplaced = out.split("\n\n")
    assert placed.startswith("Workload 'db-2' runs on host 'h")
    assert "anti-affinity group 'db' is there already" in placed
    assert unplaced.startswith("Workload 'huge' was not placed (too_large): ")
    assert "0/2 hosts can take it now:" in unplaced
    assert "Smallest change: a host with " in unplaced

    code, out, _ = run(capsys, "explain", fleet)  # no id: every unplaced workload
    assert code == 0 and out.startswith("Workload 'huge' was not placed") and "db-2" not in out

    code, out, _ = run(capsys, "explain", fleet, "huge", "--json")
    (data,) = json.loads(out)
    assert (data["workload"], data["placed"], data["code"]) == ("huge", False, "too_large")
    assert data["changes"][0]["kind"] == "larger_host"


def test_explain_says_when_everything_is_placed_and_suggests_ids(tmp_path, capsys):
    fleet = write_json(tmp_path / "fleet.json", SMALL_FLEET)
    code, out, _ = run(capsys, "explain", fleet)
    assert code == 0 and out.startswith("All 3 workloads are placed")
    code, out, err = run(capsys, "explain", fleet, "db1")
    assert (code, out) == (2, "")
    assert "no workload 'db1' in the fleet (did you mean 'db-1'" in err


def test_explain_a_plan_file_and_refuse_a_broken_one(tmp_path, capsys):
    fleet = write_json(tmp_path / "fleet.json", SMALL_FLEET)
    plan_path = tmp_path / "plan.json"
    assert run(capsys, "place", fleet, "-o", plan_path, "-q")[0] == 0
    host = json.loads(plan_path.read_text())
    code, out, _ = run(capsys, "explain", fleet, "web", "--plan", plan_path)
    expected = next(a["host"] for a in host["assignments"] if a["workload"] == "web")
    assert code == 0 and out.startswith(f"Workload 'web' runs on host '{expected}' as a container.")
    broken = write_json(tmp_path / "broken.json", {
        "assignments": [{"workload": w, "host": "h1", "form": "container"} for w in ("db-1", "db-2", "web")],
        "unplaced": {}})
    code, out, err = run(capsys, "explain", fleet, "web", "--plan", broken)
    assert (code, out) == (1, "") and "breaks 2 rules" in err and "fleetpack verify" in err


# --- demo and progress ------------------------------------------------------------------------------------------------


def test_demo_places_the_shipped_example_and_explains_a_workload(tmp_path, capsys):
    plan_path = tmp_path / "plan.json"
    code, out, err = run(capsys, "demo", "-o", plan_path)
    assert (code, err) == (0, "")
    assert out.startswith("Harbor & Finch Logistics")
    assert "Placed 198 of 198 workloads on " in out and "instead of the 100 it had." in out
    assert "$ fleetpack explain consolidation.json pg-main-2\nWorkload 'pg-main-2' runs on host " in out
    fleet = load_fleet(EXAMPLE)
    assert fp.verify(fleet.workloads, fleet.hosts, json.loads(plan_path.read_text()), fleet.overheads) == []


def test_the_packaged_demo_fleet_is_the_example():
    packaged = Path(fp.__file__).resolve().parent / "data" / "consolidation.json"
    assert packaged.read_text() == EXAMPLE.read_text()


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_only_and_wipes_its_line():
    terminal = FakeTerminal()
    with Progress("Placing 10 workloads", time_limit=4, stream=terminal, delay=0, interval=0.01):
        time.sleep(0.05)
    shown = terminal.getvalue()
    assert "Placing 10 workloads" in shown and "s of 4 s limit" in shown and "[" in shown
    assert shown.endswith("\r")  # the line is wiped at the end
    quiet = io.StringIO()  # not a terminal: a log file or a pipe
    with Progress("Placing", stream=quiet, delay=0, interval=0.01):
        time.sleep(0.03)
    assert quiet.getvalue() == ""
    counted = Progress("Placing", total=8, stream=FakeTerminal())
    counted.update(2)
    assert "[#####...............] 2/8" in counted.line(1.0)


def test_help_explains_every_command(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and all(c in out for c in ("place", "verify", "explain", "demo", "--kube-pods"))
    code, out, _ = run(capsys, "explain", "--help")
    assert code == 0 and "--plan" in out and "0/9 nodes are available" in out and "--kube-nodes" in out
    code, out, _ = run(capsys, "place", "--help")
    assert code == 0 and "--plot" in out and "--workloads" in out and "extra.NAME" in out
