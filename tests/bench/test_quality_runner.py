"""The quality runner (benches/quality/run.py) on a few small published instances: its table's numbers are those of
the plans it ran, checked again here from scratch (no timing)."""

import importlib.util
import math
import sys

import pytest

import fleetpack as fp
from shared_data import ROOT, shared_data

pytest.importorskip("pandas")


def runner():
    spec = importlib.util.spec_from_file_location("quality_run", ROOT / "benches" / "quality" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("quality_run", module)
    spec.loader.exec_module(module)
    return module


def test_sets_and_groups():
    q = runner()
    assert q.expand_sets(["Hard28", "classic"]) == list(q.BPPLIB_SETS)  # table order, once each
    assert q.expand_sets(["Triplet", "Scholl_3"]) == ["Scholl_3", "Triplet d=3", "Triplet d=5", "Triplet d=10"]
    with pytest.raises(SystemExit, match="unknown set 'Nope'"):
        q.expand_sets(["Nope"])


def test_quick_order_is_stratified_and_fixed():
    q = runner()
    entries = [q.Entry("Scholl_1", f"x{k}", ROOT) for k in range(10)] + [q.Entry("Hard28", "h0", ROOT)]
    order = q.quick_order(entries, per_set=4)
    assert [e.name for e in order[:4]] == ["x0", "x3", "x6", "x9"]  # evenly spaced first, then the rest
    assert sorted(e.name for e in order[4:10]) == ["x1", "x2", "x4", "x5", "x7", "x8"]
    assert order[10].name == "h0" and order == q.quick_order(entries, per_set=4)


def test_no_data_folder_is_a_clean_exit(tmp_path, capsys):
    q = runner()
    assert q.main(["--data", str(tmp_path / "absent"), "--quick"]) == 0
    assert "no data folder" in capsys.readouterr().err


def test_table_matches_the_plans(tmp_path, capsys):
    data = shared_data()
    q = runner()
    chosen = [e for e in q.entries(data, ["Scholl_1", "Panigrahy d=3"])
              if e.name in ("N1C1W1_A", "N1C1W1_B", "class1_20_3_0", "class9_20_3_0")]
    if len(chosen) < 3:
        pytest.skip("the small Scholl / Panigrahy instances are not in this data folder")
    instances, unreadable = q.load(data, chosen)
    assert not unreadable and len(instances) == len(chosen)
    # shuffled, by a fixed seed: the same items, in an order that does not change between runs
    again, _ = q.load(data, chosen)
    assert [[w.id for w in i.workloads] for i in instances] == [[w.id for w in i.workloads] for i in again]
    frame = q.run(instances, chosen, method="bfd", time_limit=1.0, jobs=1)
    assert len(frame) == 2 * len(instances) and frame["valid"].all()

    # every row against a plan made here, verified here
    by_name = {i.name: i for i in instances}
    for row in frame.to_dict("records"):
        inst = by_name[row["instance"]]
        plan = fp.place(inst.workloads, inst.hosts, method=row["method"], overheads=inst.overheads)
        assert fp.verify(inst.workloads, inst.hosts, plan, inst.overheads) == []
        assert row["hosts_used"] == plan.hosts_used
        reference = inst.optimum if inst.optimum is not None else row["lower_bound"]
        assert row["reference"] == reference and row["ratio"] == pytest.approx(plan.hosts_used / reference)
        assert row["proven_optimal"] == (plan.hosts_used <= row["lower_bound"] or plan.hosts_used == inst.optimum)
        entry = next(e for e in chosen if e.name == inst.name)
        assert (math.isnan(row["published"]) if entry.published is None else row["published"] == entry.published)

    table = q.set_table(frame, "bfd")
    assert list(table["set"]) == ["Scholl_1", "Panigrahy d=3"]
    for r in table.to_dict("records"):
        rows = frame[frame["set"] == r["set"]]
        assert r["instances"] == rows["instance"].nunique()
        for label in ("bfd", "ffd"):
            runs = rows[rows["method"] == label]
            assert r[f"{label} optimal"] == sum(runs["hosts_used"] <= runs["reference"])
            assert r[f"{label} mean ratio"] == pytest.approx((runs["hosts_used"] / runs["reference"]).mean())
        firsts = rows.drop_duplicates("instance")
        if r["set"] == "Scholl_1":
            assert math.isnan(r["best-of-700 mean ratio"])
        else:
            assert r["best-of-700 mean ratio"] == pytest.approx((firsts["published"] / firsts["reference"]).mean())
    text = q.markdown(table, "bfd", "test")
    assert text.startswith("### test") and "| Scholl_1 | 2 |" in text and "| Panigrahy d=3 |" in text


def test_ruled_fleets_report_plan_and_bound_against_the_known_optimum(tmp_path):
    q = runner()
    assert q.expand_sets(["ruled", "Hard28"]) == ["Hard28", "Ruled"]
    chosen = [e for e in q.entries(tmp_path, ["Ruled"]) if e.generated == (10, 0)]  # (no data folder needed)
    instances, unreadable = q.load(tmp_path, chosen)
    assert not unreadable and [i.optimum for i in instances] == [10]
    assert instances[0].lower_bound is None and instances[0].set == "Ruled"  # the bound column is fleetpack's own
    frame = q.run(instances, chosen, method="ffd", time_limit=1.0, jobs=1)
    runs = frame[frame["method"] == "ffd"]
    table = q.known_optimum_table(frame, "ffd")
    plan, bound = runs["ratio"].iloc[0], runs["lower_bound"].iloc[0] / 10
    assert plan >= 1.0 and bound <= 1.0  # the optimum is 10: no plan below it, no sound bound above it
    assert f"| Ruled | 1 | {plan:.4f} | {plan:.4f} | {bound:.4f} |" in table
    assert q.known_optimum_table(frame[frame["set"] != "Ruled"], "ffd") == ""
