//! The placement rules, one at a time: each test builds a case in which the rule binds and the placement changes
//! because of it. Every solution is also checked against every rule by `common::check_valid`.

mod common;

use common::*;
use fleetpack_core::fit::{effective, smallest_demand, HostStates};
use fleetpack_core::model::vm_cpu;
use fleetpack_core::{Form, FormSet, HostSpec, Hypervisor, Isolation, Overheads, WorkloadSpec};

const GI: u64 = 1 << 30;

fn vm_only_host(cpu: u64, memory: u64) -> HostSpec {
    h(cpu, memory).containers(false)
}

fn container_only_host(cpu: u64, memory: u64) -> HostSpec {
    h(cpu, memory).hypervisor(None)
}

// ---- the checker itself ---------------------------------------------------------------------------------------------

#[test]
fn checker_catches_broken_plans() {
    let mut o = Overheads::none(2);
    o.hypervisor = vec![0, 10];
    o.container_runtime = vec![10, 0];
    let p = problem(
        &[
            w(50, 50).group(1),
            w(50, 50).group(1),
            w(10, 10).isolation(Isolation::Dedicated),
            w(10, 10).tenant(1, Isolation::Tenant),
            w(10, 10).tenant(2, Isolation::None),
            w(10, 10).forms(FormSet::VM).os(3),
        ],
        &[h(100, 100).max_workloads(1), container_only_host(100, 100), h(100, 100), vm_only_host(100, 100).os(3)],
        o,
    );
    let n = p.workload_count();
    let valid: Placement = vec![
        Some((1, Form::Container)),
        Some((2, Form::Vm)),
        Some((0, Form::Vm)),
        Some((2, Form::Container)),
        Some((3, Form::Vm)),
        Some((3, Form::Vm)),
    ];
    assert_eq!(violations(&p, &valid), Vec::<String>::new());
    let broken = |i: usize, place: Option<(u32, Form)>| {
        let mut plan = valid.clone();
        plan[i] = place;
        assert!(!violations(&p, &plan).is_empty(), "workload {i} at {place:?} should break a rule");
    };
    broken(0, Some((2, Form::Container))); // anti-affinity with workload 1 (and capacity with the runtime)
    broken(2, Some((1, Form::Vm))); // no hypervisor
    broken(2, Some((2, Form::Vm))); // dedicated not alone
    broken(4, Some((2, Form::Container))); // beside a tenant-isolated container of another tenant
    broken(4, Some((0, Form::Container))); // max_workloads 1
    broken(5, Some((3, Form::Container))); // VM-only as a container (and no containers)
    broken(5, Some((7, Form::Vm))); // no such host
    broken(0, Some((3, Form::Container))); // containers disabled, other os
    // capacity: 50 + 50 + runtime 10 on one host's CPU
    let mut plan: Placement = vec![None; n];
    plan[0] = Some((1, Form::Container));
    plan[4] = Some((1, Form::Container));
    assert!(violations(&p, &plan).is_empty());
    // the runtime overhead, paid by the first container, tips the host over
    let mut o = Overheads::none(2);
    o.container_runtime = vec![45, 0];
    let tight = problem(&[w(50, 0), w(10, 0)], &[h(100, 100)], o);
    assert!(violations(&tight, &vec![Some((0, Form::Vm)), Some((0, Form::Vm))]).is_empty());
    assert_eq!(violations(&tight, &vec![Some((0, Form::Vm)), Some((0, Form::Container))]).len(), 1);
    assert_eq!(violations(&tight, &vec![Some((0, Form::Container)), Some((0, Form::Container))]).len(), 1);
}

// ---- effective demand ------------------------------------------------------------------------------------------------

#[test]
fn vm_cpu_factor_rounds_up() {
    assert_eq!(vm_cpu(1000, 1_030_000), 1030);
    assert_eq!(vm_cpu(100, 1_005_000), 101); // 100.5
    assert_eq!(vm_cpu(1, 1_030_000), 2); // 1.03
    assert_eq!(vm_cpu(0, 1_300_000), 0);
    assert_eq!(vm_cpu(1000, 1_000_000), 1000);
    // the largest size at the largest factor stays exact
    assert_eq!(vm_cpu(1 << 53, 1_000_000_000), (1u64 << 53) * 1000);
}

#[test]
fn vm_cpu_factor_binds() {
    let mut o = Overheads::none(2);
    o.vm_cpu_factor_ppm = [1_030_000, 1_050_000, 1_300_000];
    // 1000 m as a VM takes 1030 m on a hardware hypervisor: a host of 1029 m refuses it, one of 1030 m takes it.
    let p = problem(&[w(1000, 0)], &[vm_only_host(1029, 10), vm_only_host(1030, 10)], o.clone());
    assert_eq!(effective(&p, 0, Form::Vm, Some(Hypervisor::Hardware), 0), 1030);
    assert_eq!(effective(&p, 0, Form::Vm, Some(Hypervisor::Software), 0), 1300);
    assert_eq!(effective(&p, 0, Form::Container, Some(Hypervisor::Software), 0), 1000);
    assert_eq!(ff(&p).placement, vec![Some((1, Form::Vm))]);

    // The factor is the host's: software (1.30) refuses what hardware (1.03) and paravirtual (1.05) take.
    let p = problem(
        &[w(1000, 0), w(1000, 0)],
        &[
            vm_only_host(1200, 10).hypervisor(Some(Hypervisor::Software)),
            vm_only_host(1050, 10).hypervisor(Some(Hypervisor::Paravirtual)),
            vm_only_host(1200, 10),
        ],
        o,
    );
    assert_eq!(hosts_of(&ff(&p)), vec![Some(1), Some(2)]);

    // Rounding up binds: 100 m at 1.005 is 101 m.
    let mut o = Overheads::none(2);
    o.vm_cpu_factor_ppm = [1_005_000; 3];
    let p = problem(&[w(100, 0)], &[vm_only_host(100, 10), vm_only_host(101, 10)], o);
    assert_eq!(ff(&p).placement, vec![Some((1, Form::Vm))]);

    // The factor scales CPU only: memory and extra dimensions are taken as they are.
    let mut o = Overheads::none(3);
    o.vm_cpu_factor_ppm = [2_000_000; 3];
    let p = problem(&[WorkloadSpec::new(vec![10, 100, 2])], &[HostSpec::new(vec![20, 100, 2]).containers(false)], o);
    assert_eq!(ff(&p).placement, vec![Some((0, Form::Vm))]);
}

#[test]
fn container_and_vm_fixed_overheads_bind() {
    let mut o = Overheads::none(2);
    o.container = vec![0, 100];
    // A container of 1000 memory takes 1100: the first host (1050) refuses it.
    let p = problem(
        &[w(0, 1000).forms(FormSet::CONTAINER)],
        &[container_only_host(10, 1050), container_only_host(10, 1100)],
        o.clone(),
    );
    assert_eq!(ff(&p).placement, vec![Some((1, Form::Container))]);

    // Allowed both forms, it goes as a VM (no VM overhead) on the first host, where the container does not fit.
    let p = problem(&[w(0, 1000)], &[h(10, 1050), h(10, 1100)], o.clone());
    assert_eq!(ff(&p).placement, vec![Some((0, Form::Vm))]);

    // With a VM overhead of 60 neither form fits the first host.
    o.vm = vec![0, 60];
    let p = problem(&[w(0, 1000)], &[h(10, 1050), h(10, 1100)], o.clone());
    assert_eq!(ff(&p).placement, vec![Some((1, Form::Container))]);

    // smallest_demand takes the smaller form per dimension.
    assert_eq!(smallest_demand(&p, 0), vec![0, 1060]);
}

#[test]
fn defaults_are_the_documented_ones() {
    let o = Overheads::defaults(3);
    let mi = 1u64 << 20;
    assert_eq!(o.vm, vec![0, 512 * mi, 0]);
    assert_eq!(o.container, vec![0, 16 * mi, 0]);
    assert_eq!(o.hypervisor, vec![0, 1024 * mi, 0]);
    assert_eq!(o.container_runtime, vec![100, 256 * mi, 0]);
    assert_eq!(o.vm_cpu_factor_ppm, [1_030_000, 1_050_000, 1_300_000]);
    // A 1000 m / 1 Gi workload: as a container 1000 m + runtime 100 m = 1100 m; as a VM 1030 m.
    let p = problem(&[w(1000, GI)], &[h(1029, 8 * GI), h(1100, 8 * GI)], Overheads::defaults(2));
    assert_eq!(ff(&p).placement, vec![Some((1, Form::Container))]);
    let p = problem(&[w(1000, GI)], &[h(1029, 8 * GI), h(1099, 8 * GI)], Overheads::defaults(2));
    assert_eq!(ff(&p).placement, vec![Some((1, Form::Vm))]);
    // memory: a container takes 1 Gi + 16 Mi + 256 Mi, a VM 1 Gi + 512 Mi + 1 Gi
    let mi = 1u64 << 20;
    let p = problem(&[w(0, GI)], &[h(1000, GI + 272 * mi - 1), h(1000, GI + 272 * mi)], Overheads::defaults(2));
    assert_eq!(ff(&p).placement, vec![Some((1, Form::Container))]);
}

// ---- per-host activation overheads ----------------------------------------------------------------------------------

#[test]
fn hypervisor_overhead_tips_a_host_over_and_is_paid_once() {
    let mut o = Overheads::none(2);
    o.hypervisor = vec![0, 500];
    // 1000 + 500 > 1499
    let p = problem(&[w(10, 1000), w(10, 499)], &[vm_only_host(100, 1499), vm_only_host(100, 1500)], o.clone());
    assert_eq!(ff(&p).placement, vec![Some((1, Form::Vm)), Some((0, Form::Vm))]);

    // Paid once per host: three VMs of 500 plus 500 fill 2000 exactly; a fourth does not fit.
    let p = problem(&[w(1, 500), w(1, 500), w(1, 500), w(1, 1)], &[vm_only_host(100, 2000)], o);
    let mut fleet = HostStates::new(&p);
    assert_eq!(fleet.usage_after(0, 0, Form::Vm, 1), 1000);
    assert_eq!(fleet.first_form(0, 0), Some(Form::Vm));
    fleet.add(0, 0, Form::Vm);
    assert_eq!(fleet.usage_after(1, 0, Form::Vm, 1), 1500);
    assert_eq!(fleet.used(0), &[1, 1000]);
    assert_eq!(hosts_of(&ff(&p)), vec![Some(0), Some(0), Some(0), None]);
}

#[test]
fn container_runtime_overhead_tips_a_host_over() {
    let mut o = Overheads::none(2);
    o.container_runtime = vec![100, 0];
    // 950 + 100 > 1000
    let p = problem(
        &[w(950, 0).forms(FormSet::CONTAINER)],
        &[container_only_host(1000, 10), container_only_host(1050, 10)],
        o.clone(),
    );
    assert_eq!(ff(&p).placement, vec![Some((1, Form::Container))]);

    // A host that runs a VM pays the runtime for its first container: the second workload goes as a VM instead
    // (500 + 450 + 100 > 1000 but 500 + 450 fits), and a container of 0 m no longer fits at all (950 + 100).
    let p = problem(
        &[w(500, 0).forms(FormSet::VM), w(450, 0), w(0, 0).forms(FormSet::CONTAINER), w(50, 0).forms(FormSet::VM)],
        &[h(1000, 10), h(1000, 10)],
        o.clone(),
    );
    let s = ff(&p);
    assert_eq!(s.placement, vec![Some((0, Form::Vm)), Some((0, Form::Vm)), Some((1, Form::Container)), Some((0, Form::Vm))]);

    // Once a host runs a container, the next container does not pay the runtime again.
    let p = problem(&[w(400, 0), w(500, 0)], &[container_only_host(1000, 10)], o);
    let mut fleet = HostStates::new(&p);
    assert_eq!(fleet.usage_after(0, 0, Form::Container, 0), 500);
    fleet.add(0, 0, Form::Container);
    assert_eq!(fleet.usage_after(1, 0, Form::Container, 0), 1000);
    assert!(fleet.fits(1, 0, Form::Container));
    assert!(!fleet.fits(1, 0, Form::Vm)); // no hypervisor
    assert_eq!(ff(&p).placement, vec![Some((0, Form::Container)), Some((0, Form::Container))]);
}

// ---- forms, OS, hypervisor, containers -----------------------------------------------------------------------------

#[test]
fn form_is_respected() {
    let p = problem(
        &[w(1, 1).forms(FormSet::VM), w(1, 1).forms(FormSet::CONTAINER), w(1, 1)],
        &[h(100, 100)],
        Overheads::none(2),
    );
    for objective in OBJECTIVES {
        for (method, key) in every_heuristic() {
            let s = run(&p, method, key, objective);
            assert_eq!(s.placement, vec![Some((0, Form::Vm)), Some((0, Form::Container)), Some((0, Form::Container))]);
        }
    }
    // A container-only workload skips a VM-only host; a VM-only one skips a container-only host.
    let p = problem(
        &[w(1, 1).forms(FormSet::CONTAINER), w(1, 1).forms(FormSet::VM)],
        &[vm_only_host(100, 100), container_only_host(100, 100)],
        Overheads::none(2),
    );
    assert_eq!(ff(&p).placement, vec![Some((1, Form::Container)), Some((0, Form::Vm))]);
}

#[test]
fn vm_needs_a_hypervisor() {
    let p = problem(
        &[w(1, 1).forms(FormSet::VM), w(1, 1).forms(FormSet::VM)],
        &[h(100, 100).hypervisor(None), h(100, 100)],
        Overheads::none(2),
    );
    assert_eq!(ff(&p).placement, vec![Some((1, Form::Vm)), Some((1, Form::Vm))]);
    let fleet = HostStates::new(&p);
    assert!(!fleet.fits(0, 0, Form::Vm));
    assert_eq!(fleet.first_form(0, 0), None);
    // no host with a hypervisor: left out
    let p = problem(&[w(1, 1).forms(FormSet::VM)], &[container_only_host(100, 100)], Overheads::none(2));
    assert_eq!(ff(&p).placement, vec![None]);
}

#[test]
fn container_needs_containers_enabled_and_the_same_os() {
    let p = problem(
        &[w(1, 1).forms(FormSet::CONTAINER).os(0), w(1, 1).forms(FormSet::CONTAINER).os(1)],
        &[h(100, 100).os(1).containers(false), h(100, 100).os(0), h(100, 100).os(1)],
        Overheads::none(2),
    );
    assert_eq!(ff(&p).placement, vec![Some((1, Form::Container)), Some((2, Form::Container))]);
    // Of another OS, a workload that may run as a VM does so (a VM brings its own OS).
    let p = problem(&[w(1, 1).os(2), w(1, 1).os(2).forms(FormSet::CONTAINER)], &[h(100, 100).os(1)], Overheads::none(2));
    assert_eq!(ff(&p).placement, vec![Some((0, Form::Vm)), None]);
    // Containers disabled: the same.
    let p = problem(&[w(1, 1)], &[h(100, 100).containers(false)], Overheads::none(2));
    assert_eq!(ff(&p).placement, vec![Some((0, Form::Vm))]);
}

// ---- host limits and placement constraints -------------------------------------------------------------------------

#[test]
fn max_workloads_binds() {
    let p = problem(&[w(1, 1), w(1, 1), w(1, 1)], &[h(100, 100).max_workloads(2), h(100, 100)], Overheads::none(2));
    assert_eq!(hosts_of(&ff(&p)), vec![Some(0), Some(0), Some(1)]);
    // a cap of 0: the host is never used
    let p = problem(&[w(1, 1)], &[h(100, 100).max_workloads(0), h(100, 100)], Overheads::none(2));
    assert_eq!(hosts_of(&ff(&p)), vec![Some(1)]);
    let p = problem(&[w(1, 1), w(1, 1)], &[h(100, 100).max_workloads(1)], Overheads::none(2));
    assert_eq!(hosts_of(&ff(&p)), vec![Some(0), None]);
}

#[test]
fn anti_affinity_forces_another_host() {
    let p = problem(
        &[w(1, 1).group(1), w(1, 1).group(1), w(1, 1).group(2), w(1, 1), w(1, 1).group(1).forms(FormSet::VM)],
        &[h(100, 100), h(100, 100)],
        Overheads::none(2),
    );
    // the third member of group 1 (a VM: the group binds whatever the form) has no host left
    assert_eq!(hosts_of(&ff(&p)), vec![Some(0), Some(1), Some(0), Some(0), None]);
}

#[test]
fn tenant_isolated_container_refuses_other_tenants_containers_but_not_vms() {
    let big = || h(1000, 1000);
    let p = problem(
        &[
            w(1, 1).forms(FormSet::CONTAINER).tenant(1, Isolation::Tenant),
            w(1, 1).forms(FormSet::CONTAINER).tenant(2, Isolation::None), // refused on host 0
            w(1, 1).forms(FormSet::VM).tenant(2, Isolation::None),        // a VM beside it is fine
            w(1, 1).forms(FormSet::CONTAINER).tenant(1, Isolation::None), // same tenant: fine
            w(1, 1).tenant(3, Isolation::None),                           // any form: goes as a VM
            w(1, 1).forms(FormSet::CONTAINER).tenant(1, Isolation::Tenant), // same tenant, isolated too
        ],
        &[big(), big()],
        Overheads::none(2),
    );
    assert_eq!(
        ff(&p).placement,
        vec![
            Some((0, Form::Container)),
            Some((1, Form::Container)),
            Some((0, Form::Vm)),
            Some((0, Form::Container)),
            Some((0, Form::Vm)),
            Some((0, Form::Container)),
        ]
    );

    // The other way round: a host with another tenant's container refuses an isolated container, which then runs
    // as a VM there (it may) or goes elsewhere (container only). As a VM it constrains nobody.
    let p = problem(
        &[
            w(1, 1).forms(FormSet::CONTAINER).tenant(2, Isolation::None),
            w(1, 1).tenant(1, Isolation::Tenant),
            w(1, 1).forms(FormSet::CONTAINER).tenant(1, Isolation::Tenant),
            w(1, 1).forms(FormSet::CONTAINER).tenant(3, Isolation::None),
        ],
        &[big(), big()],
        Overheads::none(2),
    );
    assert_eq!(
        ff(&p).placement,
        vec![Some((0, Form::Container)), Some((0, Form::Vm)), Some((1, Form::Container)), Some((0, Form::Container))]
    );

    // Containers of two tenants on a host (own tenant among them) refuse an isolated container.
    let p = problem(
        &[
            w(1, 1).forms(FormSet::CONTAINER).tenant(1, Isolation::None),
            w(1, 1).forms(FormSet::CONTAINER).tenant(2, Isolation::None),
            w(1, 1).forms(FormSet::CONTAINER).tenant(1, Isolation::Tenant),
        ],
        &[big(), big()],
        Overheads::none(2),
    );
    assert_eq!(hosts_of(&ff(&p)), vec![Some(0), Some(0), Some(1)]);
}

#[test]
fn dedicated_is_alone() {
    let p = problem(
        &[w(1, 1).isolation(Isolation::Dedicated), w(1, 1), w(1, 1)],
        &[h(100, 100), h(100, 100)],
        Overheads::none(2),
    );
    assert_eq!(hosts_of(&ff(&p)), vec![Some(0), Some(1), Some(1)]);
    // a dedicated workload needs an empty host
    let p = problem(
        &[w(1, 1), w(1, 1).isolation(Isolation::Dedicated), w(1, 1).isolation(Isolation::Dedicated)],
        &[h(100, 100), h(100, 100)],
        Overheads::none(2),
    );
    assert_eq!(hosts_of(&ff(&p)), vec![Some(0), Some(1), None]);
    // as a VM too
    let p = problem(
        &[w(1, 1).forms(FormSet::VM).isolation(Isolation::Dedicated), w(1, 1).forms(FormSet::VM)],
        &[h(100, 100), h(100, 100)],
        Overheads::none(2),
    );
    assert_eq!(ff(&p).placement, vec![Some((0, Form::Vm)), Some((1, Form::Vm))]);
}

// ---- extra dimensions ----------------------------------------------------------------------------------------------

#[test]
fn extra_dimension_with_a_host_of_capacity_zero() {
    let host = |gpus: u64| HostSpec::new(vec![16_000, 64 * GI, gpus]);
    let gpu = |n: u64| WorkloadSpec::new(vec![1000, GI, n]);
    let p = problem(&[gpu(1), gpu(0), gpu(1), gpu(1)], &[host(0), host(2)], Overheads::defaults(3));
    for objective in OBJECTIVES {
        let s = run(&p, fleetpack_core::heuristics::Method::FirstFit, fleetpack_core::SortKey::Sum, objective);
        assert_eq!(s.placed(), 3);
        assert_eq!(s.placement[3], None, "{objective:?}");
        for i in [0, 2] {
            assert_eq!(s.placement[i].map(|(j, _)| j), Some(1), "{objective:?}");
        }
    }
    // In input order (spread), the GPU-less workload takes host 0 (no GPUs is fine with a demand of 0).
    assert_eq!(hosts_of(&ff(&p)), vec![Some(1), Some(0), Some(1), None]);

    // A dimension that no host has: workloads needing none of it place; the others cannot.
    let p = problem(&[gpu(0), gpu(1)], &[host(0), host(0)], Overheads::defaults(3));
    let s = run_auto(&p, fleetpack_core::Objective::Spread);
    assert_eq!(hosts_of(&s), vec![Some(0), None]);
    assert!(s.objective_value.is_finite());
}

/// A problem works out every workload's smallest demand at once; it must be the per-workload rule's.
#[test]
fn problem_smallest_demands_follow_the_rule() {
    let mut rng = Rng::new(17);
    for case in 0..300 {
        let p = random_problem(&mut rng);
        for i in 0..p.workload_count() {
            assert_eq!(p.smallest(i), smallest_demand(&p, i).as_slice(), "case {case}, workload {i}");
        }
    }
    // no fixed overheads but a factor above 1: a VM-only workload's CPU is not its demand
    let mut factor = Overheads::none(2);
    factor.vm_cpu_factor_ppm = [1_300_000; 3];
    let p = problem(&[w(100, 5).forms(FormSet::VM), w(100, 5)], &[h(1000, 100)], factor);
    assert_eq!((p.smallest(0), p.smallest(1)), (&[130, 5][..], &[100, 5][..]));
}
