"""`fleetpack.datasets.read_huawei_2023`: Huawei Cloud's servers and VM requests (issue 18), on small files the
tests write and, when the shared data folder is there, on the real set."""

from __future__ import annotations

import pytest

import fleetpack as fp
from fleetpack import datasets

from shared_data import shared_data

SERVERS = "server,CPU1,RAM1,CPU2,RAM2\nhost-0,16,32,32,64\nhost-1,8,16,0,0\n"
TOPOLOGY = "host_id,rack_id\nhost-0,0\nhost-1,3\nhost-2,3\n"
REQUESTS = ("request,flavor_vcpus,flavor_ram,numa,strategy,group,domain\n"
            "0,8,16,1,fault_domain,0,1\n1,4,8,1,anti-affinity,7,\n2,4,8,1,anti-affinity,7,\n"
            "3,2,4,1,affinity,1,\n4,2,8,1,,,\n")


def write(folder, servers=SERVERS, topology=TOPOLOGY, requests=REQUESTS):
    (folder / "servers.csv").write_text(servers)
    (folder / "topology.csv").write_text(topology)
    (folder / "vm_requests_C1.csv").write_text(requests)
    return folder


def test_servers_pool_their_numa_nodes_and_keep_their_rack(tmp_path):
    inst = datasets.read_huawei_2023(write(tmp_path))
    assert [h.id for h in inst.hosts] == ["host-0@rack-0", "host-1@rack-3"]
    assert [(h.cpu_millis, h.memory_bytes) for h in inst.hosts] == [(48_000, 96 * 2**30), (8_000, 16 * 2**30)]
    assert [w.id for w in inst.workloads] == [f"vm-{k}" for k in range(5)]
    assert inst.workloads[0].cpu_millis == 8_000 and inst.workloads[0].memory_bytes == 16 * 2**30
    assert {w.form for w in inst.workloads} == {"vm"}
    # anti-affinity groups are kept; affinity and fault-domain groups (rack rules) are not, in this reading
    assert [w.anti_affinity for w in inst.workloads] == [None, "aa-7", "aa-7", None, None]
    plan = fp.place(inst.workloads, inst.hosts, overheads=inst.overheads)
    assert plan.host_of("vm-1") != plan.host_of("vm-2")
    assert fp.verify(inst.workloads, inst.hosts, plan, inst.overheads) == []


def test_every_problem_of_the_files_is_reported_at_once(tmp_path):
    servers = SERVERS + "host-9,4,x,0,0\n"
    requests = REQUESTS + "5,2,4,1,colocate,2,\n6,-1,4,1,,,\n"
    with pytest.raises(fp.ValidationError) as caught:
        datasets.read_huawei_2023(write(tmp_path, servers=servers, requests=requests))
    found = {(e.where.rsplit(", ", 1)[-1], e.field) for e in caught.value.errors}
    # host-9 has no rack and no number of GiB; a strategy the set does not have; a negative size
    assert found == {("line 4", "server"), ("line 4", "RAM1"), ("line 7", "strategy"), ("line 8", "flavor_vcpus")}


def test_a_missing_column_names_the_file(tmp_path):
    with pytest.raises(fp.ValidationError, match="servers.csv, line 1.*lacks columns CPU2, RAM2"):
        datasets.read_huawei_2023(write(tmp_path, servers="server,CPU1,RAM1\nhost-0,16,32\n"))


def test_the_real_set_matches_its_description():
    inst = datasets.read_huawei_2023(shared_data() / "huawei_vm_placement")
    # FORMAT.md: 1,710 servers of 141,856 cores and 262,504 GiB; C1 asks 64,616 vCPUs and 164,748 GiB
    assert len(inst.hosts) == 1710 and len(inst.workloads) == 4998
    assert sum(h.cpu_millis for h in inst.hosts) == 141_856_000
    assert sum(h.memory_bytes for h in inst.hosts) == 262_504 * 2**30
    assert sum(w.cpu_millis for w in inst.workloads) == 64_616_000
    assert sum(w.memory_bytes for w in inst.workloads) == 164_748 * 2**30
    groups = [w.anti_affinity for w in inst.workloads if w.anti_affinity]
    assert len(groups) == 532 and len(set(groups)) == 50
    plan = fp.place(inst.workloads, inst.hosts, overheads=inst.overheads)
    assert not plan.unplaced and fp.verify(inst.workloads, inst.hosts, plan, inst.overheads) == []
    assert plan.lower_bound <= plan.hosts_used


RULE_REQUESTS = ("request,flavor_vcpus,flavor_ram,numa,strategy,group,domain\n"
                 "0,2,4,1,affinity,1,\n1,2,4,1,affinity,1,\n2,2,4,1,anti-affinity,7,\n3,2,4,1,anti-affinity,7,\n"
                 "4,2,4,1,fault_domain,0,0\n5,2,4,1,fault_domain,0,1\n6,2,4,1,fault_domain,0,1\n"
                 "7,2,4,1,fault_domain,3,2\n8,2,4,1,,,\n")


def test_the_full_rules_reading_gives_racks_and_group_rules(tmp_path):
    inst = datasets.read_huawei_2023(write(tmp_path, requests=RULE_REQUESTS), rules=True)
    assert inst.name == "huawei_vm_requests_C1_rules"
    assert [h.labels for h in inst.hosts] == [{"rack": "0"}, {"rack": "3"}]
    # affinity: the group in one rack; fault domain: one VM per domain kept on distinct racks (vm-6 is the second
    # of domain 1; vm-7's group has one domain: no rule); anti-affinity stays the shorthand (distinct servers)
    assert inst.rules == (fp.Affinity("af-1", scope="rack"), fp.AntiAffinity("fd-0", scope="rack"))
    assert [w.groups for w in inst.workloads] == [("af-1",), ("af-1",), (), (), ("fd-0",), ("fd-0",), (), ("fd-3",),
                                                  ()]
    assert [w.anti_affinity for w in inst.workloads][2:4] == ["aa-7", "aa-7"]
    plan = fp.place(inst.workloads, inst.hosts, overheads=inst.overheads, rules=inst.rules)
    assert plan.placed == len(inst.workloads)
    # the default reading is unchanged: no labels, no groups, no rules
    plain = datasets.read_huawei_2023(write(tmp_path, requests=RULE_REQUESTS))
    assert plain.rules == () and not any(h.labels for h in plain.hosts) and not any(w.groups for w in plain.workloads)
    with pytest.raises(fp.ValidationError, match="rules: must be True or False"):
        datasets.read_huawei_2023(tmp_path, rules="all")


def test_the_real_set_with_its_rules():
    inst = datasets.read_huawei_2023(shared_data() / "huawei_vm_placement", rules=True)
    kinds = [r.kind for r in inst.rules]
    # FORMAT.md: 74 affinity groups; of the 216 fault-domain groups, 76 have VMs in several domains
    assert kinds.count("affinity") == 74 and kinds.count("anti_affinity") == 76
    assert len({h.labels["rack"] for h in inst.hosts}) == 100
