"""The group rules' model: the rule objects, membership and the compiled rule table, alike from rows and columns."""

import pickle

import numpy as np
import pandas as pd
import pytest

import fleetpack as fp
from fleetpack.model import build_problem
from fleetpack.model.group_rules import HOST_SCOPE


def _fleet():
    workloads = [fp.Workload(f"w{i}", cpu=1, memory="1Gi", groups=("db",) if i < 3 else (),
                             anti_affinity="web" if i >= 5 else None) for i in range(7)]
    hosts = [fp.Host(f"h{j}", cpu=8, memory="32Gi", labels={"zone": "ab"[j % 2]} if j < 3 else {}) for j in range(4)]
    return workloads, hosts


RULES = [fp.AntiAffinity("db", scope="zone", max_per_domain=2), fp.Spread("web", "zone", weight=3),
         {"kind": "affinity", "group": "db"}]


def test_the_table_holds_domains_members_and_parameters():
    part = build_problem(*_fleet(), rules=RULES).rules
    assert part.keys == ("zone",)
    assert part.domain.tolist() == [[1, 2, 1, 0]]  # by first appearance; 0: the host lacks the label
    assert part.kind.tolist() == [0, 2, 1]
    assert part.key.tolist() == [0, 0, HOST_SCOPE]
    assert part.cap.tolist() == [2, 1, 0] and part.weight.tolist() == [0, 3, 0] and part.soft
    assert [part.members_of(r).tolist() for r in range(3)] == [[0, 1, 2], [5, 6], [0, 1, 2]]


def test_columns_give_the_same_table_and_it_survives_a_pickle():
    workloads, hosts = _fleet()
    rows = build_problem(workloads, hosts, rules=RULES).rules
    table = pd.DataFrame({"id": [w.id for w in workloads], "cpu": 1, "memory": 2**30,
                          "groups": ["db" if w.groups else None for w in workloads],
                          "anti_affinity": [w.anti_affinity for w in workloads]})
    columns = pickle.loads(pickle.dumps(build_problem(table, hosts, rules=RULES))).rules
    for name in ("domain", "kind", "key", "cap", "min_domains", "weight", "offsets", "members"):
        assert np.array_equal(getattr(rows, name), getattr(columns, name)), name
    assert build_problem(table, hosts, rules=RULES).materialize().workloads[0].groups == ("db",)


def test_no_rules_sends_nothing_new():
    problem = build_problem(*_fleet())
    assert problem.rules is None and not any(key.startswith("rule") for key in problem.encode())


def test_a_scope_no_host_carries_is_warned_of():
    with pytest.warns(fp.FleetpackWarning, match="no host has label 'rack'"):
        build_problem(*_fleet(), rules=[fp.AntiAffinity("db", scope="rack")])


def test_every_problem_at_once():
    with pytest.raises(fp.ValidationError) as info:
        build_problem(*_fleet(), rules=[fp.AntiAffinity("nope"), {"kind": "spread", "group": "db"}, 3])
    assert len(info.value.errors) == 3


def test_rules_round_trip_through_their_dicts():
    for rule in (fp.AntiAffinity("db", "zone", 2, 5), fp.Affinity("db", "rack"), fp.Spread("db", "zone", 2, 3, 1)):
        assert build_problem(*_fleet(), rules=[rule.to_dict()]).rules.rules == (rule,)
