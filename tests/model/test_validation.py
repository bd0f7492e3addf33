"""Bad input: every problem raises `ValidationError` (a ValueError) naming the workload or host and the field, all
problems of one call are reported together, and both implementations of ``place`` report them alike."""

from __future__ import annotations

import numpy as np
import pytest

import fleetpack as fp
import fleetpack.baseline

HOSTS = [fp.Host("h1", cpu=16, memory="64Gi"), fp.Host("h2", cpu=8, memory="32Gi")]
IMPLEMENTATIONS = {"core": fp.place, "baseline": fleetpack.baseline.place}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def place(request):
    """``fleetpack.place`` and ``fleetpack.baseline.place``, which validate alike."""
    return IMPLEMENTATIONS[request.param]


def raised(fn, *args, **kwargs) -> fp.ValidationError:
    """The `ValidationError` that ``fn(*args, **kwargs)`` raises, checked for its general shape."""
    with pytest.raises(fp.ValidationError) as info:
        fn(*args, **kwargs)
    exc = info.value
    assert isinstance(exc, ValueError) and isinstance(exc, fp.FleetpackError)
    assert exc.errors, "a ValidationError lists at least one problem"
    assert all(isinstance(e, fp.ErrorDetail) for e in exc.errors)
    return exc


def detail(exc: fp.ValidationError, where: str, field: str) -> fp.ErrorDetail:
    """The one error at ``where`` (exactly) about ``field``; the exception's message must name both too."""
    found = [e for e in exc.errors if e.where == where and e.field == field]
    assert len(found) == 1, exc.errors
    assert where in str(exc) and field in str(exc)
    assert str(found[0]) == f"{where}: {field}: {found[0].message}"
    return found[0]


def sized(field: str, value) -> dict:
    """Keyword arguments setting one size field (``extra.gpu`` sets an extra dimension)."""
    if field.startswith("extra."):
        return {"extra": {field.split(".", 1)[1]: value}}
    return {field: value}


# --- sizes ----------------------------------------------------------------------------------------------------------

BAD_SIZES = [
    pytest.param(-1, "negative", id="negative-int"),
    pytest.param(-0.5, "negative", id="negative-float"),
    pytest.param("-2Gi", "negative", id="negative-str"),
    pytest.param(float("nan"), "NaN", id="nan"),
    pytest.param(float("inf"), "infinite", id="inf"),
    pytest.param(float("-inf"), "infinite", id="-inf"),
    pytest.param(np.float64("nan"), "NaN", id="numpy-nan"),
    pytest.param("abc", "not a quantity", id="abc"),
    pytest.param("4Gb", "not a quantity", id="4Gb"),
    pytest.param("1.2.3", "not a quantity", id="1.2.3"),
    pytest.param("", "not a quantity", id="empty-str"),
    pytest.param(True, "got True", id="bool-true"),
    pytest.param(False, "got False", id="bool-false"),
    pytest.param(None, "got NoneType", id="none"),
    pytest.param([1], "got list", id="list"),
    pytest.param(2**53 + 1, "too large", id="above-2**53"),
    pytest.param("9Pi", "too large", id="9Pi"),
]
SIZE_FIELDS = ["cpu", "memory", "extra.gpu"]


@pytest.mark.parametrize("field", SIZE_FIELDS)
@pytest.mark.parametrize("value, fragment", BAD_SIZES)
@pytest.mark.parametrize("kind, cls", [("workload", fp.Workload), ("host", fp.Host)])
def test_bad_size_on_construction(kind, cls, field, value, fragment):
    exc = raised(cls, "web-1", **sized(field, value))
    d = detail(exc, f"{kind} 'web-1'", field)
    assert fragment in d.message
    assert len(exc.errors) == 1
    assert d.value is value


@pytest.mark.parametrize("field", SIZE_FIELDS)
@pytest.mark.parametrize("value, fragment", BAD_SIZES[::3])
def test_bad_size_in_dicts_given_to_place(place, field, value, fragment):
    exc = raised(place, [{"id": "api", "cpu": 1}, {"id": "db", **sized(field, value)}], HOSTS)
    assert fragment in detail(exc, "workload 'db'", field).message
    exc = raised(place, [{"id": "api", "cpu": 1}], [{"id": "rack-7", "cpu": 8, **sized(field, value)}])
    assert fragment in detail(exc, "host 'rack-7'", field).message


def test_cpu_in_cores_overflows_before_memory_in_bytes():
    # CPU numbers are cores (1000 millicores each), so the limit on cores is a thousandth of the limit on bytes.
    limit = 2**53 // 1000
    assert fp.Workload("w", cpu=limit).cpu_millis == limit * 1000
    exc = raised(fp.Workload, "w", cpu=limit + 1)
    assert "too large" in detail(exc, "workload 'w'", "cpu").message
    assert fp.Host("h", memory=2**53).memory_bytes == 2**53


@pytest.mark.parametrize("name", ["cpu", "memory"])
def test_extra_may_not_restate_cpu_or_memory(name):
    exc = raised(fp.Workload, "w", extra={name: 1})
    assert "field of its own" in detail(exc, "workload 'w'", f"extra.{name}").message


@pytest.mark.parametrize("extra, field", [(["gpu"], "extra"), ({"": 1}, "extra"), ({3: 1}, "extra")])
def test_bad_extra_shape(extra, field):
    exc = raised(fp.Host, "h", extra=extra)
    detail(exc, "host 'h'", field)


# --- choices and text fields ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls, kind, field, value",
    [
        (fp.Workload, "workload", "form", "pod"),
        (fp.Workload, "workload", "form", "VM"),
        (fp.Workload, "workload", "form", None),
        (fp.Workload, "workload", "isolation", "strict"),
        (fp.Workload, "workload", "isolation", ""),
        (fp.Host, "host", "hypervisor", "kvm"),
        (fp.Host, "host", "hypervisor", ""),
        (fp.Host, "host", "hypervisor", 1),
    ],
)
def test_unknown_choice(cls, kind, field, value):
    exc = raised(cls, "x-1", **{field: value})
    d = detail(exc, f"{kind} 'x-1'", field)
    assert "must be one of" in d.message and repr(value) in d.message


def test_known_choices_are_accepted():
    for form in ("any", "vm", "container"):
        assert fp.Workload("w", form=form).form == form
    for isolation in ("none", "tenant", "dedicated"):
        assert fp.Workload("w", isolation=isolation).isolation == isolation
    for hypervisor in ("hardware", "paravirtual", "software", None):
        assert fp.Host("h", hypervisor=hypervisor).hypervisor == hypervisor


@pytest.mark.parametrize(
    "cls, kind, field, value, fragment",
    [
        (fp.Workload, "workload", "os", 3, "must be a string"),
        (fp.Workload, "workload", "os", "", "must not be empty"),
        (fp.Workload, "workload", "tenant", 7, "must be a string"),
        (fp.Workload, "workload", "anti_affinity", "", "must not be empty"),
        (fp.Workload, "workload", "anti_affinity", 5, "must be a string"),
        (fp.Host, "host", "os", None, "must be a string"),
        (fp.Host, "host", "containers", 1, "True or False"),
        (fp.Host, "host", "containers", "yes", "True or False"),
    ],
)
def test_bad_text_and_flags(cls, kind, field, value, fragment):
    exc = raised(cls, "x-1", **{field: value})
    assert fragment in detail(exc, f"{kind} 'x-1'", field).message


# --- place() parameters ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "parameter, value",
    [
        ("objective", "time"),
        ("objective", "Hosts"),
        ("objective", None),
        ("method", "ilp"),
        ("method", "FFD"),
        ("method", 1),
        ("sort_key", "min"),
        ("sort_key", None),
    ],
)
def test_unknown_choice_parameter(place, parameter, value):
    exc = raised(place, [fp.Workload("w", cpu=1)], HOSTS, **{parameter: value})
    d = detail(exc, "place()", parameter)
    assert "must be one of" in d.message and repr(value) in d.message


@pytest.mark.parametrize("value", [0, 0.0, -1, float("nan"), float("inf"), "1", True, [1]], ids=repr)
def test_bad_time_limit(place, value):
    exc = raised(place, [fp.Workload("w", cpu=1)], HOSTS, time_limit=value)
    assert "positive number of seconds" in detail(exc, "place()", "time_limit").message


@pytest.mark.parametrize("value", [-1, 1.5, 2.0, True, "1", None, 2**63], ids=repr)
def test_bad_seed(place, value):
    exc = raised(place, [fp.Workload("w", cpu=1)], HOSTS, seed=value)
    assert "non-negative integer" in detail(exc, "place()", "seed").message


def test_good_parameters_are_accepted(place):
    w = [fp.Workload("w", cpu=1)]
    for kwargs in ({"time_limit": 0.5}, {"time_limit": 3}, {"time_limit": None}, {"seed": 0},
                   {"seed": 2**63 - 1}, {"seed": np.int64(7)}):
        assert place(w, HOSTS, **kwargs).host_of("w") is not None


# --- ids ------------------------------------------------------------------------------------------------------------


def test_duplicate_workload_ids_from_dicts(place):
    exc = raised(place, [{"id": "a", "cpu": 1}, {"id": "b"}, {"id": "a", "cpu": 2}], HOSTS)
    d = detail(exc, "workload 'a'", "id")
    assert "duplicate" in d.message and "#0" in d.message
    assert len(exc.errors) == 1


def test_duplicate_workload_ids_from_objects(place):
    exc = raised(place, [fp.Workload("a"), fp.Workload("a", cpu=1)], HOSTS)
    assert "duplicate" in detail(exc, "workload 'a'", "id").message


def test_duplicate_ids_mixing_objects_dicts_and_int_ids(place):
    # an integer id becomes its string, so 1 and "1" collide
    exc = raised(place, [fp.Workload(1), {"id": "1"}], [fp.Host("h"), {"id": "h", "cpu": 2}])
    assert "duplicate" in detail(exc, "workload '1'", "id").message
    assert "duplicate" in detail(exc, "host 'h'", "id").message
    assert len(exc.errors) == 2


def test_duplicate_host_ids(place):
    exc = raised(place, [], [fp.Host("rack", cpu=1), fp.Host("rack", cpu=2)])
    assert "duplicate" in detail(exc, "host 'rack'", "id").message
    exc = raised(place, [], [{"id": "rack"}, {"id": "rack"}])
    assert "duplicate" in detail(exc, "host 'rack'", "id").message


def test_same_id_for_a_workload_and_a_host_is_fine(place):
    plan = place([fp.Workload("x", cpu=1)], [fp.Host("x", cpu=2, memory="1Gi")])
    assert plan.host_of("x") == "x"


@pytest.mark.parametrize("cls, kind", [(fp.Workload, "workload"), (fp.Host, "host")])
def test_empty_id(cls, kind):
    exc = raised(cls, "")
    assert "empty" in detail(exc, f"{kind} ''", "id").message


@pytest.mark.parametrize("ident", [1.5, None, True, ["a"], b"web", ("a",)], ids=repr)
@pytest.mark.parametrize("cls, kind", [(fp.Workload, "workload"), (fp.Host, "host")])
def test_non_string_id(cls, kind, ident):
    exc = raised(cls, ident)
    d = detail(exc, f"{kind} {ident!r}", "id")
    assert "must be a non-empty string" in d.message and type(ident).__name__ in d.message


def test_integer_ids_become_strings(place):
    assert fp.Workload(7).id == "7"
    assert fp.Host(np.int64(3)).id == "3"
    plan = place([{"id": 5, "cpu": 1}], [{"id": 9, "cpu": 2, "memory": "1Gi"}])
    assert plan.host_of("5") == "9"


# --- dict inputs ----------------------------------------------------------------------------------------------------


def test_unknown_workload_key(place):
    exc = raised(place, [{"id": "web", "cpu": 1, "mem": "1Gi"}], HOSTS)
    d = detail(exc, "workload 'web'", "mem")
    assert "unknown field" in d.message and "memory" in d.message
    assert len(exc.errors) == 1


def test_unknown_host_key(place):
    exc = raised(place, [], [{"id": "h9", "cpu": 4, "hypervsor": "hardware"}])
    assert "unknown field" in detail(exc, "host 'h9'", "hypervsor").message


def test_unknown_key_does_not_hide_other_problems(place):
    exc = raised(place, [{"id": "web", "mem": "1Gi", "cpu": -1, "form": "pod"}], HOSTS)
    detail(exc, "workload 'web'", "mem")
    assert "negative" in detail(exc, "workload 'web'", "cpu").message
    detail(exc, "workload 'web'", "form")
    assert len(exc.errors) == 3


def test_missing_id(place):
    exc = raised(place, [{"id": "a"}, {"cpu": 1}], [{"id": "h"}, {"id": "g"}, {"cpu": 2}])
    assert "required" in detail(exc, "workload #1", "id").message
    assert "required" in detail(exc, "host #2", "id").message
    assert len(exc.errors) == 2


def test_missing_id_does_not_hide_other_problems(place):
    exc = raised(place, [{"cpu": "abc"}], HOSTS)
    detail(exc, "workload #0", "id")
    assert "not a quantity" in detail(exc, "workload #0", "cpu").message


def test_item_that_is_neither_object_nor_dict(place):
    exc = raised(place, [fp.Workload("a"), 3], HOSTS)
    assert "got int" in detail(exc, "workload #1", "(item)").message
    exc = raised(place, [], ["h1"])
    assert "got str" in detail(exc, "host #0", "(item)").message


def test_argument_that_is_not_a_sequence(place):
    exc = raised(place, "web", HOSTS)
    assert "sequence" in detail(exc, "workloads", "(argument)").message
    exc = raised(place, [], 5)
    assert "sequence" in detail(exc, "hosts", "(argument)").message


# --- overheads ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["vm", "container", "hypervisor", "container_runtime"])
@pytest.mark.parametrize("dimension", ["cpu", "memory"])
@pytest.mark.parametrize(
    "value, fragment",
    [(-1, "negative"), (float("nan"), "NaN"), (float("inf"), "infinite"), ("lots", "not a quantity"), (True, "True")],
)
def test_bad_fixed_overhead(place, name, dimension, value, fragment):
    overheads = {name: {dimension: value}}
    exc = raised(place, [], [], overheads=overheads)
    assert fragment in detail(exc, "overheads", f"{name}.{dimension}").message
    exc = raised(fp.Overheads, **overheads)
    assert fragment in detail(exc, "overheads", f"{name}.{dimension}").message


def test_bad_resources_object():
    exc = raised(fp.Resources, cpu=-1, memory="x")
    assert "negative" in detail(exc, "overheads", "cpu").message
    assert "not a quantity" in detail(exc, "overheads", "memory").message


def test_fixed_overhead_of_wrong_type_or_with_unknown_key(place):
    exc = raised(place, [], [], overheads={"vm": 5})
    assert "got int" in detail(exc, "overheads", "vm").message
    exc = raised(place, [], [], overheads={"container": {"mem": "16Mi"}})
    assert "unknown field" in detail(exc, "overheads", "container.mem").message


@pytest.mark.parametrize(
    "factors, field, fragment",
    [
        ({"kvm": 1.1}, "vm_cpu_factor.kvm", "unknown hypervisor kind"),
        ({"hardware": -0.5}, "vm_cpu_factor.hardware", "negative"),
        ({"software": float("nan")}, "vm_cpu_factor.software", "finite"),
        ({"paravirtual": float("inf")}, "vm_cpu_factor.paravirtual", "finite"),
        ({"hardware": "1.1"}, "vm_cpu_factor.hardware", "must be a number"),
        ({"hardware": True}, "vm_cpu_factor.hardware", "must be a number"),
        ({"hardware": 1001}, "vm_cpu_factor.hardware", "at most 1000"),
        ([1.1], "vm_cpu_factor", "must be a dict"),
    ],
)
def test_bad_vm_cpu_factor(place, factors, field, fragment):
    exc = raised(place, [], [], overheads={"vm_cpu_factor": factors})
    assert fragment in detail(exc, "overheads", field).message
    exc = raised(fp.Overheads, vm_cpu_factor=factors)
    assert fragment in detail(exc, "overheads", field).message


def test_partial_vm_cpu_factor_overrides_only_named_kinds():
    factors = fp.Overheads(vm_cpu_factor={"software": 2}).vm_cpu_factor
    assert factors == {"hardware": 1.03, "paravirtual": 1.05, "software": 2.0}


def test_unknown_overheads_key_does_not_hide_other_problems(place):
    exc = raised(place, [], [], overheads={"vmm": {}, "vm": {"cpu": -1}})
    assert "unknown field" in detail(exc, "overheads", "vmm").message
    assert "negative" in detail(exc, "overheads", "vm.cpu").message
    assert len(exc.errors) == 2


def test_overheads_of_wrong_type(place):
    exc = raised(place, [], [], overheads=[1, 2])
    assert "got list" in detail(exc, "overheads", "(value)").message


# --- host numbers: max_workloads and cost ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, fragment",
    [(-1, "negative"), (1.5, "whole number"), ("2", "whole number"), (True, "whole number"),
     (float("nan"), "whole number"), (-2.0, "whole number"), (2**53 + 1, "too large")],
    ids=repr,
)
def test_bad_max_workloads(place, value, fragment):
    exc = raised(fp.Host, "h7", max_workloads=value)
    assert fragment in detail(exc, "host 'h7'", "max_workloads").message
    exc = raised(place, [], [{"id": "h7", "max_workloads": value}])
    assert fragment in detail(exc, "host 'h7'", "max_workloads").message


def test_good_max_workloads():
    assert fp.Host("h", max_workloads=0).max_workloads == 0
    assert fp.Host("h", max_workloads=2.0).max_workloads == 2
    assert isinstance(fp.Host("h", max_workloads=np.int32(3)).max_workloads, int)
    assert fp.Host("h").max_workloads is None


@pytest.mark.parametrize(
    "value, fragment",
    [(-1, "negative"), (-0.01, "negative"), (float("nan"), "finite"), (float("inf"), "finite"),
     ("1", "must be a number"), (None, "must be a number"), (True, "must be a number")],
    ids=repr,
)
def test_bad_cost(place, value, fragment):
    exc = raised(fp.Host, "h7", cost=value)
    assert fragment in detail(exc, "host 'h7'", "cost").message
    exc = raised(place, [], [{"id": "h7", "cost": value}])
    assert fragment in detail(exc, "host 'h7'", "cost").message


def test_good_cost_becomes_float():
    assert fp.Host("h", cost=0).cost == 0.0 and isinstance(fp.Host("h", cost=3).cost, float)


# --- all problems at once -------------------------------------------------------------------------------------------


def test_three_bad_workloads_three_errors(place):
    bad = [{"id": "w1", "cpu": -1}, {"id": "ok", "cpu": 1}, {"id": "w2", "memory": "4Gb"}, {"id": "w3", "form": "x"}]
    exc = raised(place, bad, HOSTS)
    assert len(exc.errors) == 3
    detail(exc, "workload 'w1'", "cpu")
    detail(exc, "workload 'w2'", "memory")
    detail(exc, "workload 'w3'", "form")
    assert str(exc).startswith("3 invalid inputs:")


def test_every_field_of_one_workload_is_reported():
    exc = raised(fp.Workload, "w", cpu=-1, memory="abc", extra={"gpu": float("nan")}, form="pod", isolation="x")
    assert [e.field for e in exc.errors] == ["cpu", "memory", "extra.gpu", "form", "isolation"]
    assert all(e.where == "workload 'w'" for e in exc.errors)


def test_workloads_hosts_overheads_and_parameters_are_reported_together(place):
    exc = raised(
        place,
        [{"id": "w", "cpu": "x"}, {"id": "d"}, {"id": "d"}],
        [{"id": "h", "cost": -1}],
        objective="fastest",
        seed=-1,
        overheads={"vm": {"memory": -1}},
    )
    assert {(e.where, e.field) for e in exc.errors} == {
        ("place()", "objective"),
        ("place()", "seed"),
        ("workload 'w'", "cpu"),
        ("workload 'd'", "id"),
        ("host 'h'", "cost"),
        ("overheads", "vm.memory"),
    }


def test_many_errors_are_all_kept_and_the_message_is_capped(place):
    exc = raised(place, [{"id": f"w{i}", "cpu": -1} for i in range(25)], HOSTS)
    assert len(exc.errors) == 25
    assert [e.where for e in exc.errors] == [f"workload 'w{i}'" for i in range(25)]
    assert "... and 5 more" in str(exc) and "w19" in str(exc) and "w20" not in str(exc)


@pytest.mark.parametrize(
    "args, kwargs",
    [
        (([{"id": "a", "cpu": -1}, {"id": "b", "memory": "1.2.3"}], HOSTS), {}),
        (([{"id": "a"}, {"id": "a"}], [{"id": "h"}, {"id": "h"}]), {}),
        (([{"id": "a", "mem": 1}], [{"cpu": 4}]), {}),
        (([], []), {"overheads": {"vm_cpu_factor": {"kvm": 2}, "vmm": 1}}),
        (([], []), {"method": "ilp", "sort_key": "min", "time_limit": 0}),
        (([{"id": "a", "cpu": float("nan")}], [{"id": "h", "max_workloads": -1}]), {"objective": "x"}),
    ],
)
def test_core_and_baseline_report_the_same_errors(args, kwargs):
    core = raised(fp.place, *args, **kwargs)
    base = raised(fleetpack.baseline.place, *args, **kwargs)
    assert str(core) == str(base)
    assert [(e.where, e.field, e.message) for e in core.errors] == [(e.where, e.field, e.message) for e in base.errors]


def test_validation_error_is_not_infeasible(place):
    with pytest.raises(fp.ValidationError) as info:
        place([{"id": "a", "cpu": -1}], HOSTS, strict=True)
    assert not isinstance(info.value, fp.InfeasibleError)


# --- empty inputs are valid -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("objective", ["hosts", "cost", "spread"])
@pytest.mark.parametrize("hosts", [[], HOSTS], ids=["no-hosts", "hosts"])
def test_no_workloads_gives_an_empty_plan(place, hosts, objective):
    plan = place([], hosts, objective=objective)
    assert plan.assignments == ()
    assert dict(plan.unplaced) == {}
    assert plan.hosts_used == 0 and plan.cost == 0 and plan.objective_value == 0
    assert dict(plan.utilization) == {}
    assert plan.placed == 0 and plan.gap == 0
    assert fp.verify([], hosts, plan) == []
    assert place([], hosts, objective=objective, strict=True).placed == 0


@pytest.mark.parametrize("form", ["any", "vm", "container"])
def test_workloads_with_no_hosts_are_all_unplaced(place, form):
    workloads = [fp.Workload("a", cpu=1, form=form), fp.Workload("b", memory="1Gi", form=form)]
    plan = place(workloads, [])
    assert plan.assignments == ()
    assert list(plan.unplaced) == ["a", "b"]
    for reason in plan.unplaced.values():
        assert reason.code == "no_eligible_host"
        assert reason.message == "there are no hosts"
    assert plan.hosts_used == 0 and not plan.proven_optimal
    assert plan.host_of("a") is None and plan.form_of("b") is None
    with pytest.raises(fp.InfeasibleError) as info:
        place(workloads, [], strict=True)
    assert set(info.value.unplaced) == {"a", "b"} and "there are no hosts" in str(info.value)


def test_none_for_workloads_or_hosts_means_none_given(place):
    assert place(None, HOSTS).placed == 0
    assert place([fp.Workload("a")], None).unplaced["a"].code == "no_eligible_host"


def test_errors_cross_process_boundaries_whole():
    import pickle

    try:
        fp.place([{"id": "a", "cpu": -1}, {"id": "b", "memory": "x"}], [fp.Host("h", cpu=1)])
    except fp.ValidationError as exc:
        error = exc
    copy = pickle.loads(pickle.dumps(error))
    assert copy.errors == error.errors and str(copy) == str(error) and len(copy.errors) == 2
    try:
        fp.place([fp.Workload("a", cpu=100)], [fp.Host("h", cpu=1)], strict=True)
    except fp.InfeasibleError as exc:
        infeasible = exc
    copy = pickle.loads(pickle.dumps(infeasible))
    assert isinstance(copy, fp.InfeasibleError) and str(copy) == str(infeasible)
    assert copy.unplaced == infeasible.unplaced and copy.plan is not None  # plans pickle (tests/plan/test_pickle.py)
    assert list(copy.plan.assignments) == list(infeasible.plan.assignments)
