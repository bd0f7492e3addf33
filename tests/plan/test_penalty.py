"""A plan's penalty and soft violations (issue 16): worked out from the assignment and the rule table, stated in the
plan's data, kept through JSON and pickling, and equal to what the verifier recomputes from the objects."""

import pickle

import fleetpack as fp
from fleetpack.plan.plan import Plan


def _fleet():
    hosts = [fp.Host(f"h{k}", cpu=8, memory="16Gi", labels={"zone": "ab"[k % 2]}) for k in range(4)]
    workloads = [fp.Workload(f"w{k}", cpu=1, memory="1Gi", groups=("db",)) for k in range(5)]
    return workloads, hosts


def test_soft_rules_cost_weight_times_excess():
    workloads, hosts = _fleet()
    rules = [fp.AntiAffinity("db", scope="zone", weight=3), fp.Spread("db", "zone", weight=2),
             fp.Affinity("db", scope="zone", weight=7)]
    plan = fp.place(workloads, hosts, rules=rules, method="ffd")
    zones = [hosts[int(plan.host_of(w.id)[1:])].labels["zone"] for w in workloads]
    per_zone = [zones.count("a"), zones.count("b")]
    expected = {"AntiAffinity('db', scope='zone')": sum(max(0, n - 1) for n in per_zone),
                "Spread('db', key='zone')": max(0, max(per_zone) - min(per_zone) - 1),
                "Affinity('db', scope='zone')": 5 - max(per_zone)}
    weights = {"AntiAffinity('db', scope='zone')": 3, "Spread('db', key='zone')": 2,
               "Affinity('db', scope='zone')": 7}
    assert {v.rule: v.excess for v in plan.soft_violations} == {k: v for k, v in expected.items() if v}
    assert plan.penalty == sum(weights[k] * v for k, v in expected.items()) > 0
    assert all(v.penalty == weights[v.rule] * v.excess for v in plan.soft_violations)
    assert fp.verify(workloads, hosts, plan) == []
    data = plan.to_dict()
    assert data["penalty"] == plan.penalty and len(data["soft_violations"]) == len(plan.soft_violations)
    assert fp.verify(workloads, hosts, data, rules=rules) == []
    back = Plan.from_json(plan.to_json())
    assert (back.penalty, back.soft_violations) == (plan.penalty, plan.soft_violations)
    again = pickle.loads(pickle.dumps(plan))
    assert (again.penalty, again.soft_violations) == (plan.penalty, plan.soft_violations)


def test_plans_without_rules_state_no_penalty():
    workloads, hosts = _fleet()
    plan = fp.place(workloads, hosts)
    assert plan.penalty == 0 and plan.soft_violations == ()
    assert "penalty" not in plan.to_dict()
    hard = fp.place(workloads, hosts, rules=[fp.AntiAffinity("db", scope="host", max_per_domain=5)])
    assert hard.to_dict()["penalty"] == 0 and hard.to_dict()["soft_violations"] == []


def test_the_cores_penalty_equals_the_plans():
    # the core reports the penalty of its own answer; the plan works it out from the assignment
    from fleetpack import _core

    workloads, hosts = _fleet()
    rules = [fp.AntiAffinity("db", scope="zone", weight=3), fp.Spread("db", "zone", max_skew=1, weight=2)]
    for method in ("ffd", "bfd", "wfd"):
        plan = fp.place(workloads, hosts, rules=rules, method=method)
        answer = _core.place(plan.problem.encode(), method, "sum", "hosts")
        assert (answer["host_index"] == plan.host_index).all()
        assert answer["penalty"] == plan.penalty


def test_the_plan_and_the_verifier_agree_on_random_assignments():
    # two statements of the soft rules' cost, one from the rule table (plan/penalty.py), one from the objects
    # (verify_groups.py): on random assignments, random labels (some hosts without) and every kind of rule
    import random

    import numpy as np

    from fleetpack.model.inputs import build_problem
    from fleetpack.plan.penalty import soft_violations

    for seed in range(60):
        rnd = random.Random(seed)
        hosts = [fp.Host(f"h{j}", cpu=8, memory="16Gi", taints=("gpu",) if rnd.random() < 0.15 else (),
                         labels={k: rnd.choice("abc") for k in ("zone", "rack") if rnd.random() < 0.8})
                 for j in range(rnd.randint(2, 6))]
        workloads = [fp.Workload(f"w{i}", cpu=1, memory="1Gi", groups=tuple(rnd.sample("gh", rnd.randint(1, 2))))
                     for i in range(rnd.randint(2, 9))]
        groups = sorted({g for w in workloads for g in w.groups})
        rules = []
        for _ in range(rnd.randint(1, 4)):
            g, weight, key = rnd.choice(groups), rnd.randint(1, 5), rnd.choice(["host", "zone", "rack"])
            rules.append(rnd.choice([
                fp.AntiAffinity(g, scope=key, max_per_domain=rnd.randint(1, 3), weight=weight),
                fp.Affinity(g, scope=key, weight=weight),
                fp.Spread(g, rnd.choice(["zone", "rack"]), max_skew=rnd.randint(1, 2),
                          min_domains=rnd.choice([None, 2, 4]), weight=weight)]))
        problem = build_problem(workloads, hosts, None, rules=rules).materialize()
        index = np.array([rnd.randrange(-1, len(hosts)) for _ in workloads], dtype=np.int64)
        penalty, _ = soft_violations(problem, index)
        plan = {"assignments": [{"workload": w.id, "host": hosts[j].id, "form": "container"}
                                for w, j in zip(workloads, index.tolist()) if j >= 0],
                "unplaced": {w.id: {} for w, j in zip(workloads, index.tolist()) if j < 0}, "penalty": penalty}
        found = [v for v in fp.verify(workloads, hosts, plan, rules=rules) if v.rule == "penalty"]
        assert found == [], (seed, found)


def test_spread_domains_from_columns_equal_those_from_objects():
    # a columnar problem's spread domains come from its arrays; an object problem's from static_forms
    import random

    import pandas as pd

    from fleetpack.model.inputs import build_problem
    from fleetpack.plan.penalty import spread_domains

    for seed in range(20):
        rnd = random.Random(seed)
        hosts = [fp.Host(f"h{j}", cpu=8, memory="16Gi", os=rnd.choice(["linux", "windows"]),
                         hypervisor=rnd.choice([None, "hardware"]), containers=rnd.random() < 0.7,
                         taints=("gpu",) if rnd.random() < 0.2 else (),
                         labels={"zone": rnd.choice("abcd")} if rnd.random() < 0.9 else {})
                 for j in range(8)]
        workloads = [fp.Workload(f"w{i}", cpu=1, memory="1Gi", groups=("g",), form=rnd.choice(["any", "vm", "container"]),
                                 os=rnd.choice(["linux", "windows"]), tolerations=("gpu",) if rnd.random() < 0.3 else (),
                                 selector={"zone": ["a", "b"]} if rnd.random() < 0.3 else None)
                     for i in range(3)]
        rules = [fp.Spread("g", "zone", weight=1)]
        objects = build_problem(workloads, hosts, None, rules=rules).materialize()
        w_frame = pd.DataFrame({"id": [w.id for w in workloads], "cpu": 1, "memory": "1Gi", "groups": "g",
                                "form": [w.form for w in workloads], "os": [w.os for w in workloads],
                                "tolerations": [" ".join(w.tolerations) for w in workloads],
                                "selector.zone": ["a|b" if w.selector else None for w in workloads]})
        h_frame = pd.DataFrame({"id": [h.id for h in hosts], "cpu": 8, "memory": "16Gi", "os": [h.os for h in hosts],
                                "hypervisor": [h.hypervisor for h in hosts], "containers": [h.containers for h in hosts],
                                "taints": [" ".join(h.taints) for h in hosts],
                                "labels.zone": [h.labels.get("zone") for h in hosts]})
        columnar = build_problem(w_frame, h_frame, None, rules=rules)
        assert getattr(columnar, "arrays", None) is not None
        assert spread_domains(objects, 0).tolist() == spread_domains(columnar, 0).tolist(), seed
