"""The extension's stub (python/fleetpack/_core.pyi) against the compiled module: the same functions with the same
arguments (from `__text_signature__`), the problem arrays the stub names are exactly those the extension reads, in
the stub's dtypes, and an answer holds exactly the stub's keys, in its types."""

import ast
import inspect
from pathlib import Path

import numpy as np
import pytest

import fleetpack
from fleetpack import _core

STUB = Path(fleetpack.__file__).with_name("_core.pyi")


def stub_tree() -> ast.Module:
    return ast.parse(STUB.read_text(encoding="utf-8"))


def stub_functions() -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in stub_tree().body if isinstance(node, ast.FunctionDef)}


def stub_fields(class_name: str, optional: bool = False) -> dict[str, str]:
    """A TypedDict of the stub: its required keys (or, with ``optional``, its ``NotRequired`` ones) and their
    annotations as written (inside ``NotRequired[...]``)."""
    (cls,) = [n for n in stub_tree().body if isinstance(n, ast.ClassDef) and n.name == class_name]
    out = {}
    for n in cls.body:
        if isinstance(n, ast.AnnAssign):
            text = ast.unparse(n.annotation)
            if text.startswith("NotRequired[") == optional:
                out[n.target.id] = text[len("NotRequired["):-1] if optional else text
    return out


def dtype_of(annotation: str) -> type:
    """`NDArray[np.uint64] | tuple[...]` -> np.uint64."""
    name = annotation.split("NDArray[np.", 1)[1].split("]", 1)[0]
    return getattr(np, name)


# A problem of two workloads and one host in two dimensions, per key of the stub's ProblemArrays (the dtype comes
# from the stub, so a stub that names a wrong one fails here).
VALUES = {
    "demand": [[1_000, 1 << 30], [2_000, 2 << 30]],
    "allowed": [3, 1],
    "w_os": [0, 0],
    "tenant": [0, 0],
    "isolation": [0, 0],
    "group": [0, 0],
    "capacity": [[8_000, 16 << 30]],
    "h_os": [0],
    "hypervisor": [1],
    "containers": [True],
    "cost": [1.5],
    "max_workloads": [np.iinfo(np.uint64).max],
    "factor_ppm": [1_000_000, 1_000_000, 1_000_000],
    "vm": [0, 0],
    "container": [0, 0],
    "hypervisor_overhead": [0, 0],
    "runtime_overhead": [0, 0],
}


def arrays(without: str | None = None) -> dict[str, np.ndarray]:
    fields = stub_fields("ProblemArrays")
    assert set(fields) == set(VALUES), "the test's problem and the stub's ProblemArrays name different keys"
    return {key: np.array(VALUES[key], dtype=dtype_of(fields[key])) for key in fields if key != without}


def check_answer(answer: dict) -> None:
    fields = stub_fields("CoreAnswer")
    optional = stub_fields("CoreAnswer", optional=True)
    assert set(fields) <= set(answer) <= set(fields) | set(optional)
    for key, annotation in {**fields, **optional}.items():
        if key not in answer:
            continue
        if annotation.startswith("NDArray"):
            assert isinstance(answer[key], np.ndarray) and answer[key].dtype == dtype_of(annotation), key
        else:
            assert type(answer[key]) is {"str": str, "float": float, "int": int}[annotation], key
    # both workloads on the one host, as containers (the first form tried), which is then the one host used
    assert answer["host_index"].tolist() == [0, 0] and answer["form_codes"].tolist() == [0, 0]
    assert answer["hosts_used"] == 1 and answer["cost"] == 1.5
    assert answer["used"].tolist() == [[3_000, 3 << 30]]


def test_the_stub_names_the_module_functions():
    compiled = {name for name, value in vars(_core).items() if inspect.isbuiltin(value)}
    assert set(stub_functions()) == compiled


@pytest.mark.parametrize("name", sorted(stub_functions()))
def test_stub_arguments_match_the_text_signature(name):
    compiled = inspect.signature(getattr(_core, name))  # read from __text_signature__
    stub = stub_functions()[name].args
    defaults = [None] * (len(stub.args) - len(stub.defaults)) + [ast.literal_eval(d) for d in stub.defaults]
    written = [(a.arg, d) for a, d in zip(stub.args, defaults)]
    assert written == [(p.name, None if p.default is p.empty else p.default) for p in compiled.parameters.values()]
    assert not (stub.vararg or stub.kwarg or stub.kwonlyargs or stub.posonlyargs)


def test_place_answers_with_the_stub_keys_and_types():
    check_answer(_core.place(arrays(), "ffd", "sum", "hosts"))
    # the demands as a tuple of columns, as the stub allows
    columns = arrays()
    columns["demand"] = tuple(np.ascontiguousarray(c) for c in columns["demand"].T)
    check_answer(_core.place(columns, "bfd", "max", "cost", None, 3, None))


def test_place_many_answers_each_job_with_the_stub_keys():
    answers = _core.place_many([(arrays(), "ffd", "sum", "hosts", None, 0, None),
                                (arrays(), "auto", "sum", "hosts", 1.0, 7, 0)], 2)
    assert len(answers) == 2
    for answer in answers:
        check_answer(answer)


def test_the_optional_keys_are_the_live_part_eligibility_and_rules():
    assert set(stub_fields("ProblemArrays", optional=True)) == {
        "current_host", "current_form", "pinned", "move_cost", "drain", "max_moves", "max_move_cost",
        "eligibility_class", "eligible", "domain", "rule_kind", "rule_key", "rule_cap", "rule_min_domains",
        "rule_weight", "rule_offsets", "rule_members", "ratio_ppm", "overcommit", "usable_ppm"}
    # the answer's live keys are no option: the core sends them for every problem (0 and empty when greenfield);
    # the penalty comes with group rules only
    assert set(stub_fields("CoreAnswer", optional=True)) == {"penalty"}
    assert {"moves", "move_cost", "pin_conflicts", "forced_moves"} <= set(stub_fields("CoreAnswer"))


@pytest.mark.parametrize("key", sorted(VALUES))
def test_the_extension_reads_every_key_of_the_stub(key):
    with pytest.raises(KeyError, match=f'"{key}"'):
        _core.place(arrays(without=key), "ffd", "sum", "hosts")


def test_eligibility_keys_have_the_stub_types_and_go_together():
    fields = stub_fields("ProblemArrays", optional=True)
    problem = arrays()
    problem["eligibility_class"] = np.array([0, 1], dtype=dtype_of(fields["eligibility_class"]))
    problem["eligible"] = np.array([[True], [False]], dtype=dtype_of(fields["eligible"]))  # classes x hosts
    answer = _core.place(problem, "ffd", "sum", "hosts")
    assert answer["host_index"].tolist() == [0, -1]  # the second workload's class may not use the host
    del problem["eligible"]
    with pytest.raises(ValueError, match="go together"):
        _core.place(problem, "ffd", "sum", "hosts")
    problem["eligible"] = np.array([[True, False]], dtype=bool)  # a column per host: 2 for 1 host
    with pytest.raises(ValueError, match="2 columns for 1 hosts"):
        _core.place(problem, "ffd", "sum", "hosts")


def test_rule_keys_have_the_stub_types_and_the_answer_a_penalty():
    fields = stub_fields("ProblemArrays", optional=True)
    problem = arrays()
    # one soft anti-affinity rule, host-scoped, over both workloads (which share the one host)
    for key, value in [("domain", np.zeros((0, 1))), ("rule_kind", [0]), ("rule_key", [2**32 - 1]), ("rule_cap", [1]),
                       ("rule_min_domains", [0]), ("rule_weight", [7]), ("rule_offsets", [0, 2]),
                       ("rule_members", [0, 1])]:
        problem[key] = np.array(value, dtype=dtype_of(fields[key]))
    answer = _core.place(problem, "ffd", "sum", "hosts")
    assert answer["host_index"].tolist() == [0, 0] and answer["penalty"] == 7  # one member over the cap, weight 7
    problem["rule_members"] = np.array([0, 5], dtype=np.uint32)
    with pytest.raises(ValueError, match="rule_members: workload 5 is out of range"):
        _core.place(problem, "ffd", "sum", "hosts")


def test_ratio_keys_have_the_stub_types_and_are_checked():
    fields = stub_fields("ProblemArrays", optional=True)
    problem = arrays()
    dims = np.asarray(problem["demand"]).shape[1]
    n, m = len(problem["allowed"]), len(problem["cost"])
    problem["ratio_ppm"] = np.full((m, dims), 4 * 10**6, dtype=dtype_of(fields["ratio_ppm"]))
    problem["overcommit"] = np.ones(n, dtype=dtype_of(fields["overcommit"]))
    problem["usable_ppm"] = np.full(dims, 10**6, dtype=dtype_of(fields["usable_ppm"]))
    check_answer(_core.place(problem, "ffd", "sum", "hosts"))
    problem["ratio_ppm"] = np.full((m, dims), 5 * 10**5, dtype=np.uint64)  # a ratio below 1
    with pytest.raises(ValueError, match="ratio_ppm"):
        _core.place(problem, "ffd", "sum", "hosts")
    problem["ratio_ppm"] = np.full((m, dims), 10**6, dtype=np.uint64)
    problem["usable_ppm"] = np.zeros(dims, dtype=np.uint64)  # nothing usable
    with pytest.raises(ValueError, match="usable_ppm"):
        _core.place(problem, "ffd", "sum", "hosts")
