"""fleetpack.bench: compare() runs and verifies every method's plans, summaries, performance profiles, the CLI."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import fleetpack as fp
from fleetpack import bench, generators
from fleetpack.bench import COLUMNS, Instance, compare, performance_ratios, summary
from fleetpack.cli import main
from fleetpack.datasets import from_vectors


def next_fit(instance: Instance) -> dict:
    """A researcher's own heuristic, written against the Instance alone: next fit, on one dimension."""
    capacity = instance.hosts[0].extra_units["d1"]
    plan, host, room = {}, 0, capacity
    for w in instance.workloads:
        size = w.extra_units["d1"]
        if size > room:
            host, room = host + 1, capacity
        plan[w.id] = (instance.hosts[host].id, "container")
        room -= size
    return plan


def everything_on_one_host(instance: Instance) -> dict:
    return {w.id: (instance.hosts[0].id, "container") for w in instance.workloads}


def half_of_them(instance: Instance) -> dict:
    plan = next_fit(instance)
    return {wid: (where if k % 2 else None) for k, (wid, where) in enumerate(plan.items())}


def crashes(instance: Instance) -> dict:
    return {w.id: 1 / 0 for w in instance.workloads}


def returns_a_list(instance: Instance):
    return list(next_fit(instance).items())


def unknown_host(instance: Instance) -> dict:
    plan = next_fit(instance)
    plan[instance.workloads[0].id] = ("nowhere", "container")
    return plan


@pytest.fixture(scope="module")
def instances() -> list[Instance]:
    return [generators.falkenauer_triplets(30, seed=1), generators.falkenauer_uniform(40, seed=2),
            generators.perfect_packing(6, seed=3)]


def test_compare_runs_fleetpack_methods_and_a_callable_side_by_side(instances):
    results = compare(["ffd", "bfd", next_fit], instances, workers=1)
    assert list(results.columns) == list(COLUMNS)
    assert list(results["instance"]) == [i.name for i in instances for _ in range(3)]
    assert list(results["method"]) == ["ffd", "bfd", "next_fit"] * 3
    assert results["valid"].all() and (results["error"] == "").all() and (results["unplaced"] == 0).all()
    for inst in instances:
        rows = results[results["instance"] == inst.name].set_index("method")
        assert rows.loc["next_fit", "hosts_used"] == len({h for h, _ in next_fit(inst).values()})
        ffd = fp.place(inst.workloads, inst.hosts, method="ffd", overheads=inst.overheads)
        assert rows.loc["ffd", "hosts_used"] == ffd.hosts_used
        assert (rows["lower_bound"] == inst.lower_bound).all()
        reference = inst.optimum if inst.optimum is not None else inst.lower_bound
        assert rows["ratio"].tolist() == pytest.approx((rows["hosts_used"] / reference).tolist())
        assert rows["proven_optimal"].tolist() == (rows["hosts_used"] == reference).tolist()
        assert math.isnan(rows["optimum"].iloc[0]) == (inst.optimum is None)
        assert (rows["seconds"] >= 0).all() and (rows["set"] == inst.set).all()


@pytest.mark.parametrize("method, error, hosts_used, unplaced", [
    (everything_on_one_host, "capacity: host 'h1'", 1, 0),
    (half_of_them, "15 of 30 workloads left unplaced", None, 15),
    (crashes, "the method raised ZeroDivisionError: division by zero", math.nan, 30),
    (returns_a_list, "the method returned list, expected a mapping", math.nan, 30),
    (unknown_host, "unknown_host: workload 'i1' is assigned to unknown host 'nowhere'", None, 1),
])
def test_a_broken_custom_plan_is_flagged_invalid_and_says_why(instances, method, error, hosts_used, unplaced):
    row = compare(method, instances[0], workers=1).iloc[0]
    assert not row["valid"] and not row["proven_optimal"] and math.isnan(row["ratio"])
    assert row["error"].startswith(error), row["error"]
    assert row["unplaced"] == unplaced
    if hosts_used is not None:
        assert row["hosts_used"] == hosts_used or (math.isnan(hosts_used) and math.isnan(row["hosts_used"]))


def test_a_pool_of_workers_gives_the_same_results_and_runs_unpicklable_callables_here(instances):
    methods = {"ffd": "ffd", "next_fit": next_fit, "lambda": lambda inst: next_fit(inst)}
    alone = compare(methods, instances, workers=1)
    pooled = compare(methods, instances, workers=2)
    assert list(pooled["method"]) == ["ffd", "next_fit", "lambda"] * 3
    pd.testing.assert_frame_equal(alone.drop(columns="seconds"), pooled.drop(columns="seconds"))


def test_callables_that_take_a_time_limit_are_given_it(instances):
    seen = []

    def patient(instance, time_limit=None):
        seen.append(time_limit)
        return next_fit(instance)

    compare([patient, next_fit], instances[:1], time_limit=0.25, workers=1)
    assert seen == [0.25]


def test_progress_is_reported_after_every_run(instances, capsys):
    calls = []
    compare(["ffd", next_fit], instances, workers=1, progress=lambda done, total, row: calls.append((done, total,
                                                                                                   row["method"])))
    assert [c[:2] for c in calls] == [(k, 6) for k in range(1, 7)]
    compare(["ffd"], instances, workers=1, progress=True)
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == f"[3/3] {instances[-1].set}/{instances[-1].name} ffd"


def test_a_plan_below_the_stated_optimum_is_warned_about():
    wrong = from_vectors("wrong", [10], [[1], [2], [3]], optimum=2)  # all three fit in one bin
    with pytest.warns(UserWarning, match="fewer than its stated optimum 2"):
        results = compare(["ffd"], wrong, workers=1)
    assert results["hosts_used"].iloc[0] == 1


@pytest.mark.parametrize("methods, instances_, kwargs, message", [
    (["ffd", "magic"], None, {}, "unknown method 'magic'"),
    (["ffd", "ffd"], None, {}, "two methods are labelled 'ffd'"),
    ([42], None, {}, "expected a method name or a callable, got int"),
    ([], None, {}, "no method given"),
    (["ffd"], "twice", {}, "two instances are named"),
    (["ffd"], "not an instance", {}, "expected a fleetpack.bench.Instance, got str"),
    (["ffd"], None, {"workers": 0}, "workers: must be a positive whole number"),
    (["ffd"], None, {"time_limit": -1}, "time_limit: must be a positive number of seconds"),
])
def test_bad_arguments_raise_validation_errors(instances, methods, instances_, kwargs, message):
    if instances_ == "twice":
        instances_ = [instances[0], instances[0]]
    elif instances_ is None:
        instances_ = instances
    else:
        instances_ = [instances_]
    with pytest.raises(fp.ValidationError, match=message):
        compare(methods, instances_, **kwargs)


# --- summaries and profiles, on results written by hand --------------------------------------------------------------


def results_by_hand() -> pd.DataFrame:
    rows = [
        # instance, method, hosts_used, lower_bound, optimum, valid, set, seconds
        ("a", "m1", 10, 9, 10, True, "S", 1.0),
        ("a", "m2", 12, 9, 10, True, "S", 3.0),
        ("b", "m1", 4, 5, math.nan, False, "S", 2.0),
        ("b", "m2", 5, 5, math.nan, True, "S", 1.0),
        ("c", "m1", 0, 0, 0, True, "T", 0.5),
        ("c", "m2", 0, 0, 0, True, "T", 0.5),
    ]
    frame = pd.DataFrame(rows, columns=["instance", "method", "hosts_used", "lower_bound", "optimum", "valid", "set",
                                        "seconds"])
    reference = frame["optimum"].where(frame["optimum"].notna(), frame["lower_bound"])
    frame["ratio"] = (frame["hosts_used"] / reference).where(frame["valid"]).fillna(1.0).where(frame["valid"])
    frame["proven_optimal"] = frame["valid"] & (frame["hosts_used"] <= reference)
    return frame


def test_summary_counts_per_set_and_method():
    table = summary(results_by_hand())
    assert list(table.index) == [("S", "m1"), ("S", "m2"), ("T", "m1"), ("T", "m2")]
    s1, s2 = table.loc[("S", "m1")], table.loc[("S", "m2")]
    assert (s1["instances"], s1["valid"], s1["optimal"], s1["hosts"], s1["excess"]) == (2, 1, 1, 10, 0)
    assert (s2["instances"], s2["valid"], s2["optimal"], s2["hosts"], s2["excess"]) == (2, 2, 1, 17, 2)
    assert s2["mean_ratio"] == pytest.approx((1.2 + 1.0) / 2) and s2["max_ratio"] == pytest.approx(1.2)
    assert s1["mean_ratio"] == 1.0  # the invalid run is left out of the ratios
    assert (s1["mean_seconds"], s1["total_seconds"]) == (1.5, 3.0)


def test_performance_ratios_are_relative_to_the_best_method():
    ratios = performance_ratios(results_by_hand())
    assert list(ratios.columns) == ["m1", "m2"]
    assert ratios.loc[("S", "a")].tolist() == [1.0, 1.2]
    assert ratios.loc[("S", "b")].tolist() == [math.inf, 1.0]  # an invalid run never counts as solved
    assert ratios.loc[("T", "c")].tolist() == [1.0, 1.0]  # 0 hosts both: a tie, not 0/0
    by_time = performance_ratios(results_by_hand(), metric="seconds")
    assert by_time.loc[("S", "a")].tolist() == [1.0, 3.0]
    against = performance_ratios(results_by_hand(), against="optimum")
    assert against.loc[("S", "a")].tolist() == [1.0, 1.2] and against.loc[("S", "b")].tolist() == [math.inf, 1.0]
    with pytest.raises(fp.ValidationError, match="against"):
        performance_ratios(results_by_hand(), metric="seconds", against="optimum")


def test_performance_profile_draws_one_curve_per_method(tmp_path):
    pytest.importorskip("matplotlib")
    ax = bench.performance_profile(results_by_hand(), path=tmp_path / "profile.png")
    assert (tmp_path / "profile.png").stat().st_size > 0
    curves = {line.get_label(): line for line in ax.get_lines()}
    assert set(curves) == {"m1", "m2"}
    # m1 is best on 2 of the 3 instances and never solves b: its curve rises to 2/3 at τ = 1 and stays there
    assert curves["m1"].get_ydata()[-1] == pytest.approx(2 / 3)
    assert curves["m2"].get_ydata()[-1] == pytest.approx(1.0)


# --- the command line ------------------------------------------------------------------------------------------------


def write_set(folder: Path) -> Path:
    folder.mkdir()
    (folder / "t1.txt").write_text("7\n10\n2\n5\n4\n7\n1\n3\n8\n")  # first fit uses 4 bins; 3 suffice
    (folder / "t2.txt").write_text("3\n10\n9\n9\n9\n")
    (folder / "bounds.csv").write_text("instance,lb,ub\nt1,3,3\nt2,3,3\n")
    return folder


def test_bench_command_prints_the_summary_and_writes_results(tmp_path, capsys):
    pytest.importorskip("matplotlib")  # for --plot
    folder = write_set(tmp_path / "tiny")
    code = main(["bench", "--set", str(folder), "--solutions", str(folder / "bounds.csv"), "--methods", "ffd,ff",
                 "--workers", "1", "-o", str(tmp_path / "runs.csv"), "--plot", str(tmp_path / "profile.png")])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["set", "method", "instances", "valid", "optimal", "hosts", "excess", "mean_ratio",
                                "max_ratio", "mean_seconds", "total_seconds"]
    assert [line.split()[:7] for line in lines[1:]] == [["tiny", "ffd", "2", "2", "2", "6", "0"],
                                                         ["tiny", "ff", "2", "2", "1", "7", "1"]]
    assert err.splitlines()[0] == "fleetpack bench: 2 instances in 1 set, 2 methods"
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert list(runs.columns) == list(COLUMNS) and len(runs) == 4
    assert (tmp_path / "profile.png").stat().st_size > 0


def test_bench_command_reports_bad_input_with_status_2(tmp_path, capsys):
    folder = write_set(tmp_path / "tiny")
    assert main(["bench", "--set", str(folder), "--methods", "ffd,best", "-q"]) == 2
    assert "unknown method 'best'" in capsys.readouterr().err
    assert main(["bench", "--set", str(tmp_path / "missing"), "-q"]) == 2
    assert "missing" in capsys.readouterr().err
    (folder / "t3.txt").write_text("2\n10\n4\n")
    assert main(["bench", "--set", str(folder), "-q"]) == 2
    assert f"{folder / 't3.txt'}: weight 2: missing: the file ends early" in capsys.readouterr().err
