"""fleetpack.datasets: BPPLIB and VPSolver files, solutions tables, whole sets, and the real traces' loaders.

The first part works on small files the tests write; the last part reads the shared data folder (``../shared/data``
beside the repository, or $FLEETPACK_SHARED_DATA) and is skipped when it is absent.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

import fleetpack as fp
from fleetpack import datasets
from fleetpack.bench import traces
from fleetpack.bench import Instance
from fleetpack.datasets import Known

from shared_data import shared_data, sizes



def write(path: Path, text: str, newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode())
    return path


# --- BPPLIB ----------------------------------------------------------------------------------------------------------


def test_read_bpplib_maps_weights_onto_one_dimension(tmp_path):
    path = write(tmp_path / "tiny_07.txt", "5\n10\n6\n4\n3\n3\n7\n", newline="\r\n")  # BPPLIB files are CRLF
    inst = datasets.read_bpplib(path)
    assert (inst.name, inst.set, inst.source) == ("tiny_07", tmp_path.name, str(path))
    assert sizes(inst) == [[6], [4], [3], [3], [7]]
    assert [w.id for w in inst.workloads] == ["i1", "i2", "i3", "i4", "i5"]
    assert all(w.form == "container" and (w.cpu_millis, w.memory_bytes) == (0, 0) for w in inst.workloads)
    # one host per item, all identical, none with a hypervisor
    assert [h.id for h in inst.hosts] == ["h1", "h2", "h3", "h4", "h5"]
    assert {(h.extra_units["d1"], h.hypervisor, h.cpu_millis) for h in inst.hosts} == {(10, None, 0)}
    assert inst.overheads == fp.Overheads.none()
    # no solutions: the optimum is unknown, the bound is the continuous one, ceil(23 / 10)
    assert (inst.optimum, inst.lower_bound) == (None, 3)


def test_bpplib_round_trip_keeps_capacity_and_weights_in_order(tmp_path):
    original = datasets.read_bpplib(write(tmp_path / "a.txt", "4\n100\n50\n20\n50\n99\n"))
    datasets.write_bpplib(original, tmp_path / "b.txt")
    assert (tmp_path / "b.txt").read_text() == "4\n100\n50\n20\n50\n99\n"
    again = datasets.read_bpplib(tmp_path / "b.txt", n_hosts=2, set="mine")
    assert sizes(again) == sizes(original)
    assert (len(again.hosts), again.set) == (2, "mine")


def test_bpplib_takes_optimum_and_bound_from_a_bounds_table(tmp_path):
    # BPPLIB's table: name, LB, UB; equal bounds give the optimum, else only the lower bound is known
    table = write(tmp_path / "Bounds.txt", "closed\t3\t3\nopen\t4\t5\n", newline="\r\n")
    closed = datasets.read_bpplib(write(tmp_path / "closed.txt", "3\n10\n9\n9\n9\n"), table)
    opened = datasets.read_bpplib(write(tmp_path / "open.txt", "3\n10\n9\n9\n9\n"), str(table))
    unlisted = datasets.read_bpplib(write(tmp_path / "other.txt", "3\n10\n9\n9\n9\n"), table)
    assert (closed.optimum, closed.lower_bound) == (3, 3)
    assert (opened.optimum, opened.lower_bound) == (None, 4)
    assert (unlisted.optimum, unlisted.lower_bound) == (None, 3)  # the continuous bound, ceil(27 / 10)


@pytest.mark.parametrize(
    "text, line, field, message",
    [
        ("", None, "n (number of items)", "missing: the file ends early"),
        ("3\n10\n4\nx\n5\n", 4, "weight 2", "'x' is not a whole number"),
        ("3\n10\n4\n5\n", None, "weight 3", "missing: the file ends early"),
        ("2\n10\n4\n5\n6\n", 5, "weights", "more values than the 2 weights announced by n"),
        ("2\n10\n4\n11\n", 4, "weight 2", "11 exceeds the capacity 10"),
        ("2\n0\n4\n1\n", 2, "c (capacity)", "must be at least 1, got 0"),
        ("2\n10\n-4\n1\n", 3, "weight 1", "must be at least 0, got -4"),
        ("2.5\n10\n4\n1\n", 1, "n (number of items)", "'2.5' is not a whole number"),
    ],
)
def test_malformed_bpplib_files_name_file_line_and_field(tmp_path, text, line, field, message):
    path = write(tmp_path / "bad.txt", text)
    with pytest.raises(fp.ValidationError) as info:
        datasets.read_bpplib(path)
    error = info.value.errors[0]
    assert error.where == (f"{path}, line {line}" if line else str(path))
    assert (error.field, error.message.startswith(message)) == (field, True), error


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    path = write(tmp_path / "bad.txt", "3\n10\nx\n12\ny\n")
    with pytest.raises(fp.ValidationError) as info:
        datasets.read_bpplib(path)
    assert [(e.where.rsplit(" ", 1)[-1], e.field) for e in info.value.errors] == [
        ("3", "weight 1"), ("4", "weight 2"), ("5", "weight 3")]


# --- VPSolver .vbp ---------------------------------------------------------------------------------------------------


VBP = """\
2
10 20
3
1 2 2
3 4 1
1 2 1
"""


def test_read_vbp_expands_multiplicities_in_file_order(tmp_path):
    inst = datasets.read_vbp(write(tmp_path / "v.vbp", VBP))
    assert sizes(inst) == [[1, 2], [1, 2], [3, 4], [1, 2]]
    assert {tuple(sorted(h.extra_units.items())) for h in inst.hosts} == {(("d1", 10), ("d2", 20))}
    assert (len(inst.hosts), inst.lower_bound) == (4, 1)


def test_vbp_round_trip_groups_runs_of_identical_items(tmp_path):
    inst = datasets.read_vbp(write(tmp_path / "v.vbp", VBP))
    datasets.write_vbp(inst, tmp_path / "w.vbp")
    # the first two items become one type of multiplicity 2; the last one is not merged with them (order is kept)
    assert (tmp_path / "w.vbp").read_text() == VBP
    assert sizes(datasets.read_vbp(tmp_path / "w.vbp")) == sizes(inst)


def test_ten_dimensions_keep_their_file_order(tmp_path):
    capacity = list(range(100, 110))
    item = list(range(1, 11))
    text = f"10\n{' '.join(map(str, capacity))}\n1\n{' '.join(map(str, item))} 1\n"
    inst = datasets.read_vbp(write(tmp_path / "d10.vbp", text))
    assert list(inst.workloads[0].extra_units) == list(datasets.dimension_names(10))
    assert datasets.dimension_names(10)[:2] == ("d01", "d02")
    assert sizes(inst) == [item]
    datasets.write_vbp(inst, tmp_path / "again.vbp")
    assert (tmp_path / "again.vbp").read_text() == text


def test_a_one_dimensional_vbp_file_is_the_same_instance_as_its_bpplib_file(tmp_path):
    one = datasets.read_bpplib(write(tmp_path / "x.txt", "3\n10\n6\n4\n4\n"))
    datasets.write_vbp(one, tmp_path / "x.vbp")
    other = datasets.read_vbp(tmp_path / "x.vbp")
    assert (sizes(one), one.hosts[0].extra_units) == (sizes(other), other.hosts[0].extra_units)
    datasets.write_bpplib(other, tmp_path / "y.txt")
    assert (tmp_path / "y.txt").read_text() == "3\n10\n6\n4\n4\n"


@pytest.mark.parametrize(
    "text, line, field, message",
    [
        ("0\n", 1, "d (number of dimensions)", "must be at least 1"),
        ("2\n10 20\n1\n1 21 1\n", 4, "item type 1, size 2", "21 exceeds the capacity 20 of dimension 2"),
        ("2\n10 20\n2\n1 2 1\n", None, "item type 2, size 1", "missing: the file ends early"),
        ("2\n10 20\n1\n1 2 1\n7\n", 5, "item types", "more values than the 1 item types announced by m"),
        ("2\n10 x\n1\n1 2 1\n", 2, "capacity 2", "'x' is not a whole number"),
        ("1\n10\n1\n1 -1\n", 4, "item type 1, multiplicity", "must be at least 0"),
    ],
)
def test_malformed_vbp_files_name_file_line_and_field(tmp_path, text, line, field, message):
    path = write(tmp_path / "bad.vbp", text)
    with pytest.raises(fp.ValidationError) as info:
        datasets.read_vbp(path)
    error = info.value.errors[0]
    assert error.where == (f"{path}, line {line}" if line else str(path))
    assert (error.field, error.message.startswith(message)) == (field, True), error


def test_writers_refuse_what_their_format_cannot_hold(tmp_path):
    hosts = [fp.Host("a", cpu=8, memory="16Gi"), fp.Host("b", cpu=16, memory="16Gi")]
    workloads = [fp.Workload("w", cpu=1, memory="1Gi", anti_affinity="g", isolation="dedicated")]
    rich = Instance("rich", workloads, hosts, fp.Overheads())
    with pytest.raises(fp.ValidationError) as info:
        datasets.write_vbp(rich, tmp_path / "rich.vbp")
    fields = {(e.field, e.message.split(";")[0]) for e in info.value.errors}
    assert fields == {
        ("overheads", "must be Overheads.none(): the format has no overheads"),
        ("hosts", "have 2 different sizes"),
        ("workload 'w'", "has an anti-affinity group"),
        ("workload 'w'", "has isolation 'dedicated'"),
    }
    two_dims = datasets.read_vbp(write(tmp_path / "v.vbp", VBP))
    with pytest.raises(fp.ValidationError, match="BPPLIB files have one dimension; this instance uses 2"):
        datasets.write_bpplib(two_dims, tmp_path / "v.txt")
    assert not (tmp_path / "rich.vbp").exists() and not (tmp_path / "v.txt").exists()


def test_write_vbp_writes_cpu_and_memory_in_their_integer_units(tmp_path):
    inst = Instance("plain", [fp.Workload("a", cpu="500m", memory="1Gi"), fp.Workload("b", cpu=2, memory="2Gi")],
                    [fp.Host("h", cpu=4, memory="8Gi")])
    datasets.write_vbp(inst, tmp_path / "plain.vbp")
    assert (tmp_path / "plain.vbp").read_text().split("\n")[:5] == [
        "2", f"4000 {8 * 2**30}", "2", f"500 {2**30} 1", f"2000 {2 * 2**30} 1"]


# --- solutions tables ------------------------------------------------------------------------------------------------


def test_solutions_tables_with_headers(tmp_path):
    # Mommessin et al.'s results: tab-separated, OPT -1 when unknown
    mommessin = write(tmp_path / "summary.csv", "instance_name\tLB\tOPT\tbest_overall\n"
                                                "a\t10\t11\t11\nb\t9\t-1\t10\n")
    assert datasets.read_solutions(mommessin) == {"a": Known(10, 11), "b": Known(9, None)}
    # a CSV such as BPPLIB's index: the name column is "instance", bounds lb and ub
    index = write(tmp_path / "index.csv", "set,instance,path,lb,ub\nS,a,x/a.txt,4,4\nS,b,x/b.txt,4,6\n")
    assert datasets.read_solutions(index) == {"a": Known(4, 4), "b": Known(4, None)}
    plain = write(tmp_path / "optima.txt", "# optimum per instance\na 7\n\nb 8\n")
    assert datasets.read_solutions(plain) == {"a": Known(7, 7), "b": Known(8, 8)}


@pytest.mark.parametrize(
    "text, line, field, message",
    [
        ("a\t3\t3\nb\tx\t4\n", 2, "LB", "'x' is not a whole number"),
        ("a 3 3\nb 4 4\na 3 4\n", 3, "name", "'a' is listed again with other values (first on line 1)"),
        ("name,LB,OPT\na,5,4\n", 2, "LB", "lower bound 5 exceeds the optimum 4"),
        ("name;best\na;5\n", 1, "(header)", "needs a name column"),
        ("a 1 2 3\n", 1, "(row)", "4 fields and no header"),
    ],
)
def test_malformed_solutions_tables_name_file_line_and_field(tmp_path, text, line, field, message):
    path = write(tmp_path / "sol.txt", text)
    with pytest.raises(fp.ValidationError) as info:
        datasets.read_solutions(path)
    error = info.value.errors[0]
    assert (error.where, error.field) == (f"{path}, line {line}", field)
    assert error.message.startswith(message), error.message


def test_a_name_repeated_with_the_same_values_is_fine(tmp_path):
    path = write(tmp_path / "sol.txt", "a 3 3\na 3 3\n")
    assert datasets.read_solutions(path) == {"a": Known(3, 3)}


# --- whole sets ------------------------------------------------------------------------------------------------------


def test_read_set_reads_a_directory_in_natural_order_with_one_solutions_table(tmp_path):
    folder = tmp_path / "Uniform"
    folder.mkdir()
    for name in ("u10", "u2", "u1"):
        write(folder / f"{name}.txt", "2\n10\n5\n5\n")
    write(folder / "v3.vbp", "1\n10\n1\n5 3\n")
    write(folder / "README.md", "not an instance\n")
    table = write(tmp_path / "bounds.txt", "u2 1 1\nv3 2 2\n")
    instances = datasets.read_set(folder, solutions=table)
    assert [i.name for i in instances] == ["u1", "u2", "u10", "v3"]
    assert {i.set for i in instances} == {"Uniform"}
    assert [i.optimum for i in instances] == [None, 1, None, 2]
    assert datasets.read_set(folder / "u2.txt", solutions=table)[0].optimum == 1


def test_read_set_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(fp.ValidationError, match="holds no instance file"):
        datasets.read_set(tmp_path / "empty")
    with pytest.raises(FileNotFoundError):
        datasets.read_set(tmp_path / "nowhere")
    with pytest.raises(fp.ValidationError, match="is not an instance file"):
        datasets.read_set(write(tmp_path / "notes.md", "x\n"))


def test_instances_validate_their_contents():
    with pytest.raises(fp.ValidationError) as info:
        Instance("x", [fp.Workload("a"), {"id": "a"}], [fp.Host("h")], optimum=1, lower_bound=2)
    assert {(e.field, e.message) for e in info.value.errors} == {
        ("workload 'a'", "duplicate id"), ("lower_bound", "2 exceeds the optimum 1")}
    with pytest.raises(fp.ValidationError, match="optimum: must be a non-negative whole number"):
        Instance("x", [], [], optimum=-1)


# --- the shared data folder ------------------------------------------------------------------------------------------


def _index(path: Path) -> dict[str, dict]:
    with path.open(newline="") as f:
        return {row["instance"]: row for row in csv.DictReader(f)}


def test_bpplib_sets_match_the_index_and_the_bounds_table():
    root = shared_data() / "bpplib_1d"
    bounds = datasets.read_solutions(root / "Bounds_BPPLib.jl.txt")
    index = _index(root / "bpplib_index.csv")
    instances = [i for folder in ("Falkenauer/Falkenauer_U", "Falkenauer/Falkenauer_T", "Hard28", "Scholl/Scholl_3")
                 for i in datasets.read_set(root / folder, bounds)]
    assert len(instances) == 80 + 80 + 28 + 10
    for inst in instances:
        row = index[inst.name]
        assert len(inst.workloads) == int(row["n"])
        assert inst.hosts[0].extra_units["d1"] == int(row["capacity"])
        assert sum(w.extra_units["d1"] for w in inst.workloads) == int(row["sum_w"])
        assert inst.lower_bound == max(int(row["L1"]), int(row["lb"]))
        assert inst.optimum == (int(row["ub"]) if row["status"] == "optimal" else None)
    # Falkenauer's sets and Hard28 are all closed; the triplets' optimum is n / 3
    assert all(i.optimum is not None for i in instances)
    assert all(i.optimum == len(i.workloads) // 3 for i in instances if i.set == "Falkenauer_T")


def test_vbp_sets_match_the_index_and_the_published_bounds():
    root = shared_data() / "vbp_mommessin2024"
    with (root / "vbp_index.csv").open(newline="") as f:
        index = {(row["benchmark"], row["instance"]): row for row in csv.DictReader(f)}
    for benchmark, folder in (("Panigrahy", "Panigrahy_instances_multidim/class8"),
                              ("New", "New_instances_multidim/class4"),
                              ("Triplet", "Triplet_instances_multidim/Falkenauer")):
        known = datasets.read_solutions(root / "results" / f"{benchmark}_summary_known.csv")
        files = sorted((root / "instances" / folder).glob("*_6*_*.vbp"))[:12]  # n = 60 or 60-odd: quick to read
        assert files
        for path in files:
            inst = datasets.read_vbp(path, known)
            row = index[(benchmark, inst.name)]
            d = int(row["d"])
            assert (len(inst.workloads), len(inst.hosts[0].extra_units)) == (int(row["n_items"]), d)
            assert [inst.hosts[0].extra_units[k] for k in datasets.dimension_names(d)] == \
                [int(c) for c in row["capacity"].split()]
            assert inst.lower_bound == max(int(row["LB"]), int(row["L1_maxdim"]))
            assert inst.optimum == (None if row["OPT"] == "-1" else int(row["OPT"]))


def test_alibaba_2018_matches_the_trace_description():
    root = shared_data() / "alibaba_v2018"
    everything = datasets.read_alibaba_2018(root / "machine_meta.csv", root / "container_meta_first20000rows.csv",
                                            include_stopped=True)
    # FORMAT.md: at time 0, 3,528 containers asking 17,606 cores in all: 184 machines of 96 cores at least
    assert len(everything.workloads) == 3528
    assert sum(w.cpu_millis for w in everything.workloads) == 17_606_000
    assert {h.cpu_millis for h in everything.hosts} == {96_000} and len(everything.hosts) <= 4034
    assert math.ceil(17_606 / 96) == 184
    running = datasets.read_alibaba_2018(root / "machine_meta.csv", root / "container_meta_first20000rows.csv")
    assert 0 < len(running.workloads) < 3528  # stopped containers left out
    plan = fp.place(running.workloads, running.hosts, method="ffd", overheads=running.overheads)
    assert not plan.unplaced and fp.verify(running.workloads, running.hosts, plan, running.overheads) == []
    # containers of one application never share a machine
    apps = {w.id: w.anti_affinity for w in running.workloads}
    pairs = {(a.host, apps[a.workload]) for a in plan.assignments}
    assert len(pairs) == len(plan.assignments)


def test_alibaba_gpu_2023_matches_the_trace_description():
    root = shared_data() / "alibaba_gpu_v2023"
    nodes = root / "openb_node_list_all_node.csv"
    inst = datasets.read_alibaba_gpu_2023(nodes, root / "openb_pod_list_default.csv")
    # FORMAT.md: 1523 nodes, 1213 with GPUs, 6212 GPUs; 8152 pods
    assert len(inst.hosts) == 1523 and len(inst.workloads) == 8152
    assert sum(h.extra_units["gpu"] > 0 for h in inst.hosts) == 1213
    assert sum(h.extra_units["gpu"] for h in inst.hosts) == 6212 * 1000
    with pytest.raises(fp.ValidationError) as info:
        datasets.read_alibaba_gpu_2023(nodes, root / "openb_pod_list_gpuspec33.csv")
    assert info.value.errors[0].field == "gpu_spec"
    relaxed = datasets.read_alibaba_gpu_2023(nodes, root / "openb_pod_list_gpuspec33.csv", gpu_models="relax")
    t4 = [w for w in relaxed.workloads if "gpu_T4" in w.extra_units]
    assert t4 and all(w.extra_units["gpu_T4"] == w.extra_units["gpu"] for w in t4)
    assert {h.extra_units.get("gpu_T4", 0) > 0 for h in relaxed.hosts} == {True, False}
    # the docstring's claim: the first 6000 pods fit
    first = datasets.read_alibaba_gpu_2023(nodes, root / "openb_pod_list_default.csv", limit=6000)
    plan = fp.place(first.workloads, first.hosts, method="bfd", overheads=first.overheads)
    assert len(first.workloads) == 6000 and not plan.unplaced


def test_google_2011_matches_the_trace_description():
    path = shared_data() / "google_v2011" / "task_events_part00000_first20000rows.csv"
    inst = datasets.read_google_2011(path)
    assert len(inst.workloads) == 19_886  # FORMAT.md: SUBMIT rows carrying requests
    groups: dict[str, int] = {}
    for w in inst.workloads:
        if w.anti_affinity:
            groups[w.anti_affinity] = groups.get(w.anti_affinity, 0) + 1
    assert len(inst.hosts) > max(groups.values())
    shapes = {(h.cpu_millis, h.memory_bytes) for h in inst.hosts}
    assert len(shapes) == len(traces.GOOGLE_2011_PLATFORMS)
    plan = fp.place(inst.workloads, inst.hosts, method="ffd", overheads=inst.overheads)
    assert not plan.unplaced  # "enough" machines, as documented
