"""The wire format is written once (fleetpack/model/wire.py) and the extension's stub (fleetpack/_core.pyi) says
the same: both problem paths encode the same arrays, and every key of the core's answer is a field of `Answer`."""

import ast
from pathlib import Path

import numpy as np
import pandas as pd

import fleetpack as fp
from fleetpack import _core
from fleetpack.model import Answer, build_problem
from fleetpack.model.wire import PLACED_FORMS, UNPLACED

STUB = Path(fp.__file__).resolve().parent / "_core.pyi"

WORKLOADS = [
    fp.Workload("a", cpu=2, memory="4Gi", form="vm", tenant="t1", isolation="tenant", anti_affinity="g"),
    fp.Workload("b", cpu="500m", memory="1Gi", extra={"gpu": 1}, form="container", os="windows"),
    fp.Workload("c", cpu=1, memory="2Gi", isolation="dedicated"),
]
HOSTS = [
    fp.Host("h1", cpu=16, memory="64Gi", extra={"gpu": 2}, hypervisor="software", cost=3.5, max_workloads=4),
    fp.Host("h2", cpu=8, memory="32Gi", os="windows", hypervisor=None),
]


def _stub_answer_keys(optional: bool = False) -> list[str]:
    """The keys of the stub's CoreAnswer: those every answer has, or (``optional``) the ``NotRequired`` ones."""
    tree = ast.parse(STUB.read_text())
    (answer,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "CoreAnswer"]
    return [n.target.id for n in answer.body if isinstance(n, ast.AnnAssign)
            and ast.unparse(n.annotation).startswith("NotRequired[") == optional]


def _frame(items, fields) -> pd.DataFrame:
    """The items as a table: their sizes in units, every field, every extra dimension (0 where absent)."""
    extra = sorted({d for item in items for d in item.extra_units})
    return pd.DataFrame({"id": [i.id for i in items], "cpu_millis": [i.cpu_millis for i in items],
                         "memory_bytes": [i.memory_bytes for i in items],
                         **{f"extra.{d}": [i.extra_units.get(d, 0) for i in items] for d in extra},
                         **{f: [getattr(i, f) for i in items] for f in fields}})


def _caps(items) -> dict:
    return {"max_workloads": [float("nan") if h.max_workloads is None else h.max_workloads for h in items]}


def test_rows_and_columns_encode_the_same_arrays():
    rows = build_problem(WORKLOADS, HOSTS).encode()
    columns = build_problem(_frame(WORKLOADS, ("form", "os", "tenant", "isolation", "anti_affinity")),
                            _frame(HOSTS, ("os", "hypervisor", "containers", "cost")).assign(**_caps(HOSTS))).encode()
    assert rows.keys() == columns.keys()
    for key in rows:
        left, right = rows[key], columns[key]
        if isinstance(left, tuple) or isinstance(right, tuple):  # the columnar path keeps one array per dimension
            left, right = np.column_stack(left) if isinstance(left, tuple) else left, np.column_stack(right)
        assert np.array_equal(np.asarray(left), np.asarray(right)), key


def test_the_core_answers_what_the_stub_says_and_answer_reads_all_of_it():
    answer = _core.place(build_problem(WORKLOADS, HOSTS).encode(), "ffd", "sum", "hosts")
    assert sorted(answer) == sorted(_stub_answer_keys())
    # a greenfield problem: the live keys, which the core always sends, say nothing moved
    live = {key: answer[key] for key in ("moves", "move_cost", "pin_conflicts", "forced_moves")}
    assert all(np.size(value) == 0 or value == 0 for value in live.values())
    decoded = Answer.from_core(answer, "hosts")
    assert decoded.to_core().keys() == answer.keys()
    hosts, forms = decoded.to_lists()
    assert all(f in PLACED_FORMS for j, f in zip(hosts, forms) if j is not None)
    assert [c == UNPLACED for c in answer["form_codes"].tolist()] == [j is None for j in hosts]


LIVE_KEYS = {"current_host", "current_form", "pinned", "move_cost", "drain"}


def test_greenfield_problems_send_no_live_key_and_live_ones_send_the_same_from_rows_and_columns():
    assert not LIVE_KEYS & build_problem(WORKLOADS, HOSTS).encode().keys()
    live = [fp.Workload("a", cpu=1, memory="1Gi", current="h2", current_form="vm", pinned=True),
            fp.Workload("b", cpu=1, memory="2Gi", current="h1", move_cost="1Mi"), fp.Workload("c", cpu=1)]
    rows = build_problem(live, HOSTS, drain=["h1"], max_moves=2).encode()
    columns = build_problem(pd.DataFrame({"id": ["a", "b", "c"], "cpu": [1, 1, 1], "memory": ["1Gi", "2Gi", "0"],
                                          "current": ["h2", "h1", None], "current_form": ["vm", None, None],
                                          "pinned": [True, False, False], "move_cost": [None, "1Mi", None]}),
                            HOSTS, drain=["h1"], max_moves=2).encode()
    assert rows["current_host"].tolist() == columns["current_host"].tolist() == [1, 0, -1]
    assert rows["current_form"].tolist() == columns["current_form"].tolist() == [1, -1, -1]
    assert rows["current_form"].dtype == columns["current_form"].dtype == np.int8
    assert rows["pinned"].tolist() == columns["pinned"].tolist() == [True, False, False]
    assert rows["move_cost"].tolist() == columns["move_cost"].tolist() == [2**30, 2**20, 0]
    assert rows["drain"].tolist() == columns["drain"].tolist() == [True, False]
    assert rows["max_moves"] == columns["max_moves"] == 2
    assert "max_move_cost" not in rows and "max_move_cost" not in columns


def test_lists_and_arrays_are_one_answer():
    answer = Answer.from_lists([1, None, 0], ["vm", None, "container"], "ffd/sum", 2)
    assert answer.host_index.tolist() == [1, -1, 0]
    assert answer.form_codes.tolist() == [1, UNPLACED, 0]
    assert answer.to_lists() == ([1, None, 0], ["vm", None, "container"])


def test_both_kinds_of_problem_keep_the_contract():
    from fleetpack.model import ProblemLike
    from fleetpack.model.columnar import ColumnarProblem

    rows = build_problem(WORKLOADS, HOSTS)
    columns = build_problem({"id": ["a", "b"], "cpu": [1, 2], "memory": ["1Gi", "2Gi"]},
                            {"id": ["h"], "cpu": [8], "memory": ["16Gi"]})
    assert isinstance(columns, ColumnarProblem)
    assert not hasattr(columns, "spelling_mistake")  # an unknown name is an AttributeError ...
    assert "_materialized" not in vars(columns)  # ... and makes no objects
    assert isinstance(rows, ProblemLike) and isinstance(columns, ProblemLike)
    assert [w.id for w in columns.workloads] == ["a", "b"] and columns.demand(columns.workloads[1])[0] == 2000
