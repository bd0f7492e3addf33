"""Real cluster traces as fleets: Alibaba 2018 (machines and containers), Alibaba GPU 2023 (nodes and pods),
Google 2011 (task requests) and Huawei Cloud's topology-aware VM placement set (servers and VM requests), each turned into a `fleetpack.bench.Instance`.

The package ships no trace: pass the paths of your copies of the published files. Each loader keeps what the trace
says about placement (requests, machine sizes, the rules the trace records) and says in its docstring what it
assumes where the trace is silent. Optima are unknown; ``compare`` measures plans against fleetpack's lower bound.
Malformed rows raise `ValidationError` naming the file, line and field.
"""

from __future__ import annotations

import csv
import math
import os
from fractions import Fraction
from pathlib import Path
from typing import Iterator, Sequence

from ..errors import ErrorDetail, ValidationError
from ..model.group_rules import Affinity, AntiAffinity
from ..model.objects import Host, Overheads, Workload
from ..model.units import QuantityError, to_units
from .instance import Instance

__all__ = ["read_alibaba_2018", "read_alibaba_gpu_2023", "read_google_2011", "read_huawei_2023", "GOOGLE_2011_PLATFORMS"]

_MAX_LISTED_ERRORS = 50


class _Reader:
    """CSV rows with their line numbers, and the problems found in them (all reported at once)."""

    def __init__(self, path, columns: Sequence[str] | None = None, required: Sequence[str] = ()):
        """``columns``: the names of a file without a header row; None when the file has one (``required`` names
        the columns it must have)."""
        self.path = os.fspath(path)
        self.errors: list[ErrorDetail] = []
        self._file = Path(self.path).open(newline="", encoding="utf-8-sig")
        self._reader = csv.reader(self._file)
        if columns is None:
            header = next(self._reader, None) or []
            self.columns = [c.strip() for c in header]
            missing = [c for c in required if c not in self.columns]
            if missing:
                self._file.close()
                raise ValidationError.single(f"{self.path}, line 1", "(header)",
                                             f"lacks column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                                             f"found {', '.join(self.columns) or 'nothing'}")
        else:
            self.columns = list(columns)

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number, {column: value}) per non-empty row; rows of the wrong width are reported and skipped."""
        with self._file:
            for fields in self._reader:
                line = self._reader.line_num
                if not fields or all(not f.strip() for f in fields):
                    continue
                if len(fields) != len(self.columns):
                    self.error(line, "(row)", f"has {len(fields)} fields, expected {len(self.columns)} "
                                              f"({', '.join(self.columns)})")
                    continue
                yield line, dict(zip(self.columns, (f.strip() for f in fields)))
                if len(self.errors) >= _MAX_LISTED_ERRORS:
                    return

    def error(self, line: int, field: str, message: str, value=None) -> None:
        self.errors.append(ErrorDetail(f"{self.path}, line {line}", field, message, value))

    def number(self, line: int, row: dict, column: str, *, whole: bool = False) -> Fraction | None:
        """A column's value, exactly (None, with an error, if it is not a non-negative number)."""
        text = row[column]
        try:
            value = Fraction(text)
        except (ValueError, ZeroDivisionError):
            self.error(line, column, f"{text!r} is not a number", text)
            return None
        if value < 0 or (whole and value.denominator != 1):
            self.error(line, column, f"must be a non-negative {'whole ' if whole else ''}number, got {text!r}", text)
            return None
        return value

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors[:_MAX_LISTED_ERRORS])


def _bytes(value, name: str) -> int:
    try:
        return to_units(value, 1, round_up=False)
    except QuantityError as exc:
        raise ValidationError.single("trace loader", name, str(exc), value) from None


# --- Alibaba cluster-trace-v2018 ------------------------------------------------------------------------------------

_MACHINE_META = ("machine_id", "time_stamp", "failure_domain_1", "failure_domain_2", "cpu_num", "mem_size", "status")
_CONTAINER_META = ("container_id", "machine_id", "time_stamp", "app_du", "status", "cpu_request", "cpu_limit",
                   "mem_size")


def read_alibaba_2018(machines: str | os.PathLike, containers: str | os.PathLike, *, at: int = 0,
                      machine_memory="100Gi", anti_affinity: bool = True, include_stopped: bool = False,
                      name: str | None = None) -> Instance:
    """The Alibaba cluster-trace-v2018 fleet at time ``at`` (seconds): its machines and the containers they run.

    ``machines`` is ``machine_meta.csv`` and ``containers`` ``container_meta.csv`` (or any prefix of it), both
    without header, as Alibaba publishes them. Each table holds status snapshots; a machine or container counts
    with its latest snapshot at or before ``at``. Hosts are the machines then in status ``USING``, of their
    ``cpu_num`` cores (96 in the published table), with no hypervisor: the trace's containers run on the machines'
    kernel. Workloads are the containers then present, except ``stopped`` ones unless ``include_stopped``, as
    containers of their CPU request (given in hundredths of a core).

    The trace normalises memory to 0-100 per machine; ``machine_memory`` (default ``"100Gi"``: one unit a GiB) is an
    assumed scale, which matters only for rounding since instances have no overheads. Containers whose memory the
    trace marks invalid (-1 or 101) are left out. With ``anti_affinity`` (default), containers of one application
    (``app_du``) never share a machine: the trace's own placement spreads them, with rare exceptions.
    """
    memory_scale = Fraction(_bytes(machine_memory, "machine_memory"), 100)
    hosts, host_problems = _alibaba_machines(machines, at, memory_scale)
    reader = _Reader(containers, _CONTAINER_META)
    workloads = []
    for cid, (line, row) in _latest(reader, "container_id", at).items():
        if row["status"] == "stopped" and not include_stopped:
            continue
        if row["mem_size"] in ("-1", "101"):  # the trace's marks of an invalid value
            continue
        cpu = reader.number(line, row, "cpu_request", whole=True)
        memory = reader.number(line, row, "mem_size")
        if cpu is None or memory is None:
            continue
        if memory > 100:
            reader.error(line, "mem_size", f"must be at most 100 (a share of a machine), got {row['mem_size']!r}")
            continue
        workloads.append(Workload(cid, cpu=f"{int(cpu) * 10}m", memory=math.ceil(memory * memory_scale),
                                  form="container", anti_affinity=row["app_du"] if anti_affinity else None))
    reader.errors[:0] = host_problems
    reader.raise_if_any()
    return Instance(name or f"alibaba_2018_t{at}", tuple(workloads), tuple(hosts), Overheads.none(),
                    set="alibaba_2018", source=f"{os.fspath(machines)} + {os.fspath(containers)}")


def _alibaba_machines(path, at: int, memory_scale: Fraction) -> tuple[list[Host], list[ErrorDetail]]:
    reader = _Reader(path, _MACHINE_META)
    hosts = []
    for mid, (line, row) in _latest(reader, "machine_id", at).items():
        if row["status"] != "USING":
            continue
        cpu = reader.number(line, row, "cpu_num", whole=True)
        memory = reader.number(line, row, "mem_size")
        if cpu is None or memory is None:
            continue
        hosts.append(Host(mid, cpu=int(cpu), memory=math.floor(memory * memory_scale), hypervisor=None))
    return hosts, reader.errors


def _latest(reader: _Reader, key: str, at: int) -> dict[str, tuple[int, dict]]:
    """Per machine or container, its last snapshot at or before ``at``: (line, row), in order of first appearance."""
    latest: dict[str, tuple[int, int, dict]] = {}
    for line, row in reader.rows():
        stamp = reader.number(line, row, "time_stamp", whole=True)
        if stamp is None or stamp > at:
            continue
        current = latest.get(row[key])
        if current is None or stamp >= current[0]:
            latest[row[key]] = (stamp, line, row)
    return {k: (line, row) for k, (_, line, row) in latest.items()}


# --- Huawei Cloud's topology-aware VM placement dataset ---------------------------------------------------------------

_HUAWEI_STRATEGIES = ("", "affinity", "anti-affinity", "fault_domain")


def read_huawei_2023(folder: str | os.PathLike, *, requests: str = "vm_requests_C1.csv",
                     name: str | None = None, rules: bool = False) -> Instance:
    """Huawei Cloud's servers and VM requests (the "Dataset for topology-aware VM placement"): by default a first
    reading with the anti-affinity groups only; ``rules=True`` adds the rack rules as group rules.

    ``folder`` holds ``servers.csv`` (``server,CPU1,RAM1,CPU2,RAM2``: cores and GiB per NUMA node),
    ``topology.csv`` (``host_id,rack_id``) and the request file ``requests`` (``request,flavor_vcpus,flavor_ram,
    numa,strategy,group,domain``). Each server is one host with the cores and memory of both NUMA nodes pooled (a
    relaxation: a VM may straddle the nodes) and no overheads; its id is ``<server>@rack-<rack>`` so that the rack
    stays readable. Each request is a VM of its vCPUs and GiB, named ``vm-<request>``. Anti-affinity groups become
    ``anti_affinity="aa-<group>"`` (the group's VMs on distinct servers). Affinity (one rack) and fault-domain
    (domains in distinct racks) groups are read but not kept: they are rules between racks, which the model does not
    have yet, so a plan of this reading may break them and its lower bound is a bound on this relaxation only.

    ``rules=True`` (issue 16; the readings of the dataset's FORMAT.md) gives each host the label ``rack`` and the
    instance ``rules``: an affinity group is ``groups=("af-<group>",)`` with ``Affinity("af-<group>", scope="rack")``
    (the group's VMs in one rack, exact); a fault-domain group ("VMs of different ``domain`` in different racks") is
    ``AntiAffinity("fd-<group>", scope="rack")`` over one VM per domain (the first of each, in request order;
    ``groups=("fd-<group>",)``). Where every domain of the group has one VM (28 of C1's 76 groups with several
    domains) this is the rule exactly; where a domain has several VMs only the first of each is kept apart, a
    relaxation (the rule "a rack holds VMs of one domain only" is no cap on one group's count), so a plan may put a
    later VM of one domain in a rack of another, and the lower bound stays a bound for the real rule. A group with
    one domain (140 in C1) has no rule (its VM is in the group all the same).
    Anti-affinity groups stay ``anti_affinity="aa-<group>"`` (distinct servers), NUMA nodes pooled as above.
    """
    if not isinstance(rules, bool):
        raise ValidationError.single("read_huawei_2023()", "rules", f"must be True or False, got {rules!r}", rules)
    folder = Path(folder)
    racks: dict[str, str] = {}
    topology = _Reader(folder / "topology.csv", required=("host_id", "rack_id"))
    for _, row in topology.rows():
        racks[row["host_id"]] = row["rack_id"]
    servers = _Reader(folder / "servers.csv", required=("server", "CPU1", "RAM1", "CPU2", "RAM2"))
    hosts = []
    for line, row in servers.rows():
        values = [servers.number(line, row, c, whole=True) for c in ("CPU1", "RAM1", "CPU2", "RAM2")]
        if row["server"] not in racks:
            servers.error(line, "server", f"{row['server']!r} has no rack in topology.csv", row["server"])
            continue
        if any(v is None for v in values):
            continue
        cpu1, ram1, cpu2, ram2 = (int(v) for v in values)  # type: ignore[arg-type]
        hosts.append(Host(f"{row['server']}@rack-{racks[row['server']]}", cpu=cpu1 + cpu2,
                          memory=f"{ram1 + ram2}Gi", hypervisor="hardware",
                          labels={"rack": racks[row["server"]]} if rules else None))
    reader = _Reader(folder / requests, required=("request", "flavor_vcpus", "flavor_ram", "strategy", "group"))
    workloads = []
    group_rules: dict[str, Affinity | AntiAffinity] = {}
    fault_domains: dict[str, set[str]] = {}  # group -> the domains that have a VM in it already
    for line, row in reader.rows():
        cpu = reader.number(line, row, "flavor_vcpus", whole=True)
        memory = reader.number(line, row, "flavor_ram", whole=True)
        strategy = row["strategy"]
        if strategy not in _HUAWEI_STRATEGIES:
            reader.error(line, "strategy", f"must be one of {', '.join(repr(s) for s in _HUAWEI_STRATEGIES)}, "
                                           f"got {strategy!r}", strategy)
            continue
        if cpu is None or memory is None:
            continue
        group = f"aa-{row['group']}" if strategy == "anti-affinity" else None
        groups: tuple[str, ...] = ()
        if rules and strategy == "affinity":
            groups = (f"af-{row['group']}",)
            group_rules.setdefault(groups[0], Affinity(groups[0], scope="rack"))
        elif rules and strategy == "fault_domain":
            seen = fault_domains.setdefault(f"fd-{row['group']}", set())
            if row.get("domain", "") not in seen:  # the first VM of its domain in the group
                seen.add(row.get("domain", ""))
                groups = (f"fd-{row['group']}",)
        workloads.append(Workload(f"vm-{row['request']}", cpu=int(cpu), memory=f"{int(memory)}Gi", form="vm",
                                  anti_affinity=group, groups=groups))
    reader.errors[:0] = topology.errors + servers.errors
    reader.raise_if_any()
    group_rules.update((g, AntiAffinity(g, scope="rack")) for g, domains in fault_domains.items() if len(domains) > 1)
    suffix = "_rules" if rules else ""
    return Instance(name or f"huawei_{Path(requests).stem}{suffix}", tuple(workloads), tuple(hosts),
                    Overheads.none(), set="huawei_2023", source=f"{os.fspath(folder)} ({requests})",
                    rules=tuple(group_rules.values()))


# --- Alibaba cluster-trace-gpu-v2023 --------------------------------------------------------------------------------

_GPU_MODES = ("exact", "relax", "ignore")


def read_alibaba_gpu_2023(nodes: str | os.PathLike, pods: str | os.PathLike, *, limit: int | None = None,
                          gpu_models: str = "exact", name: str | None = None) -> Instance:
    """The Alibaba GPU cluster of cluster-trace-gpu-v2023 (the FGD / OpenB trace): its nodes and a pod list.

    ``nodes`` is ``openb_node_list_*.csv`` (``sn, cpu_milli, memory_mib, gpu, model``) and ``pods``
    ``openb_pod_list_*.csv`` (``name, cpu_milli, memory_mib, num_gpu, gpu_milli`` and, optionally, ``gpu_spec``).
    Every pod is a container workload; nodes have no hypervisor. ``limit`` keeps the first pods of the list only
    (the published lists are in creation order). The whole default list asks for about 98% of the cluster's GPUs,
    so plans of it leave pods out (fleetpack's heuristics leave a quarter); ``limit=6000`` (about 72% of the GPUs)
    gives a fleet that fits.

    GPUs are one dimension ``gpu`` in thousandths of a GPU: a node has 1000 per GPU, a pod needs ``num_gpu ×
    gpu_milli``. Pooling a node's GPUs is a relaxation for GPU-sharing pods (two 600-milli pods fit a 2-GPU node,
    but three pods of 600, 600 and 700 do not, though they sum to less than 2000): plans are feasible for the model
    here, an optimistic view of fragmentation. A ``gpu_spec`` naming one GPU model is kept exactly, as a dimension
    ``gpu_<model>`` that only nodes of that model have. A ``gpu_spec`` allowing several models cannot be written in
    fleetpack's model: ``gpu_models="exact"`` (default) refuses such pods with a `ValidationError`, ``"relax"``
    drops those constraints (keeping single-model ones), ``"ignore"`` drops every GPU model constraint.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValidationError.single("read_alibaba_gpu_2023()", "limit", f"must be a non-negative whole number or "
                                                                         f"None, got {limit!r}", limit)
    if gpu_models not in _GPU_MODES:
        raise ValidationError.single("read_alibaba_gpu_2023()", "gpu_models",
                                     f"must be one of {', '.join(map(repr, _GPU_MODES))}, got {gpu_models!r}")
    node_reader = _Reader(nodes, required=("sn", "cpu_milli", "memory_mib", "gpu", "model"))
    node_rows = []
    for line, row in node_reader.rows():
        values = [node_reader.number(line, row, c, whole=True) for c in ("cpu_milli", "memory_mib", "gpu")]
        if None not in values:
            node_rows.append((row["sn"], *map(int, values), row["model"]))

    pod_reader = _Reader(pods, required=("name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"))
    pod_rows = []
    for line, row in pod_reader.rows():
        if limit is not None and len(pod_rows) >= limit:
            break
        values = [pod_reader.number(line, row, c, whole=True) for c in ("cpu_milli", "memory_mib", "num_gpu",
                                                                       "gpu_milli")]
        if None in values:
            continue
        cpu, memory, num_gpu, gpu_milli = map(int, values)
        if num_gpu and not 0 < gpu_milli <= 1000:
            pod_reader.error(line, "gpu_milli", f"must be 1 to 1000 (thousandths of one GPU) for a GPU pod, got "
                                                f"{gpu_milli}", gpu_milli)
            continue
        models = sorted({m for m in row.get("gpu_spec", "").split("|") if m})
        if gpu_models == "ignore" or (gpu_models == "relax" and len(models) > 1):
            models = []
        elif len(models) > 1:
            pod_reader.error(line, "gpu_spec", f"allows several GPU models ({'|'.join(models)}), which fleetpack's "
                                               "model cannot express: pass gpu_models='relax' or 'ignore'")
            continue
        pod_rows.append((row["name"], cpu, memory, num_gpu * gpu_milli, models[0] if models else None))
    node_reader.errors.extend(pod_reader.errors)
    node_reader.raise_if_any()

    constrained = {model for *_, model in pod_rows if model is not None}
    hosts = []
    for sn, cpu, memory, gpus, model in node_rows:
        extra = {"gpu": gpus * 1000}
        if model in constrained:
            extra[f"gpu_{model}"] = gpus * 1000
        hosts.append(Host(sn, cpu=f"{cpu}m", memory=f"{memory}Mi", extra=extra, hypervisor=None))
    workloads = []
    for pod, cpu, memory, gpu, model in pod_rows:
        extra = {"gpu": gpu}
        if model is not None:
            extra[f"gpu_{model}"] = gpu
        workloads.append(Workload(pod, cpu=f"{cpu}m", memory=f"{memory}Mi", extra=extra, form="container"))
    default_name = f"alibaba_gpu_2023_{Path(os.fspath(pods)).stem}" + (f"_first{limit}" if limit is not None else "")
    return Instance(name or default_name, tuple(workloads), tuple(hosts),
                    Overheads.none(), set="alibaba_gpu_2023", source=f"{os.fspath(nodes)} + {os.fspath(pods)}")


# --- Google cluster-usage trace 2011 --------------------------------------------------------------------------------

# The 2011 cell's machine platforms, as (CPU, memory) normalised to the largest machine, and their share of its
# machines (Reiss et al., "Heterogeneity and dynamicity of clouds at scale: Google trace analysis", SoCC 2012).
GOOGLE_2011_PLATFORMS = (
    (0.5, 0.5, 0.5347),
    (0.5, 0.25, 0.3074),
    (0.5, 0.75, 0.0795),
    (1.0, 1.0, 0.0632),
    (0.25, 0.25, 0.0099),
    (0.5, 0.12, 0.0043),
    (0.5, 0.03, 0.0004),
    (0.5, 0.97, 0.0003),
    (1.0, 0.5, 0.0002),
    (0.5, 0.06, 0.0001),
)

_TASK_EVENTS = ("timestamp", "missing_info", "job_id", "task_index", "machine_id", "event_type", "user",
                "scheduling_class", "priority", "cpu_request", "memory_request", "disk_request", "different_machine")


def read_google_2011(task_events: str | os.PathLike, *, machines: int | None = None,
                     platforms: Sequence[tuple[float, float, float]] = GOOGLE_2011_PLATFORMS,
                     largest_machine=(64, "256Gi"), anti_affinity: bool = True, slack: float = 1.25,
                     name: str | None = None) -> Instance:
    """Tasks of the Google cluster-usage trace 2011 (``task_events`` table) on a fleet of the cell's platforms.

    Every task with a SUBMIT event (``event_type`` 0) that carries CPU and memory requests becomes a container
    workload, with the requests of its first SUBMIT; a file with a header row is expected (the column names of the
    trace's schema). With ``anti_affinity`` (default), tasks flagged ``different_machine`` keep apart from the
    other flagged tasks of their job, as the trace's constraint says. The disk request is not used: the trace
    gives no machine disk sizes.

    The trace normalises sizes to its largest machine and does not list machines in this table, so hosts are made:
    ``machines`` of them (default: enough, namely ``slack`` times the continuous bound plus the size of the largest
    anti-affinity group) split over ``platforms`` (``(cpu, memory, share)`` tuples, default the 2011 cell's) by
    share. ``largest_machine`` is the assumed size of a machine of 1.0 (default 64 cores and 256Gi); it matters only
    for rounding to millicores and bytes, since instances have no overheads.
    """
    cpu_scale = Fraction(to_units(largest_machine[0], 1000, round_up=False))
    memory_scale = Fraction(_bytes(largest_machine[1], "largest_machine"))
    reader = _Reader(task_events, required=("job_id", "task_index", "event_type", "cpu_request", "memory_request",
                                            "different_machine"))
    seen: set[str] = set()
    workloads = []
    for line, row in reader.rows():
        if row["event_type"] != "0" or not row["cpu_request"] or not row["memory_request"]:
            continue
        wid = f"{row['job_id']}-{row['task_index']}"
        if wid in seen:  # a resubmitted task: its first request stands
            continue
        cpu = reader.number(line, row, "cpu_request")
        memory = reader.number(line, row, "memory_request")
        if cpu is None or memory is None:
            continue
        if cpu > 1 or memory > 1:
            reader.error(line, "cpu_request" if cpu > 1 else "memory_request",
                         "must be at most 1 (a share of the largest machine)")
            continue
        seen.add(wid)
        apart = anti_affinity and row["different_machine"] == "1"
        workloads.append(Workload(wid, cpu=f"{math.ceil(cpu * cpu_scale)}m", memory=math.ceil(memory * memory_scale),
                                  form="container", anti_affinity=f"job-{row['job_id']}" if apart else None))
    reader.raise_if_any()

    shapes = [(Fraction(str(c)), Fraction(str(m)), Fraction(str(s))) for c, m, s in platforms]
    if not shapes or any(s < 0 for *_, s in shapes) or sum(s for *_, s in shapes) <= 0:
        raise ValidationError.single("read_google_2011()", "platforms", "needs (cpu, memory, share) tuples with "
                                                                        "positive shares")
    if machines is None:
        machines = _enough_machines(workloads, shapes, cpu_scale, memory_scale, slack)
    hosts = []
    for k, ((cpu, memory, _), count) in enumerate(zip(shapes, _apportion(machines, [s for *_, s in shapes]))):
        hosts += [Host(f"p{k + 1}-m{j + 1}", cpu=f"{math.floor(cpu * cpu_scale)}m",
                       memory=math.floor(memory * memory_scale), hypervisor=None) for j in range(count)]
    return Instance(name or f"google_2011_{Path(os.fspath(task_events)).stem}", tuple(workloads), tuple(hosts),
                    Overheads.none(), set="google_2011", source=os.fspath(task_events))


def _apportion(total: int, shares: list[Fraction]) -> list[int]:
    """``total`` split by ``shares`` (largest remainders), every platform of positive share getting at least one
    machine when there are enough."""
    whole = sum(shares)
    exact = [total * s / whole for s in shares]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(shares)), key=lambda k: exact[k] - counts[k], reverse=True)
    for k in by_remainder[: total - sum(counts)]:
        counts[k] += 1
    for k, s in enumerate(shares):  # a rare platform still appears, taken from the most common one
        if s > 0 and counts[k] == 0 and max(counts) > 1:
            counts[counts.index(max(counts))] -= 1
            counts[k] = 1
    return counts


def _enough_machines(workloads, shapes, cpu_scale, memory_scale, slack: float) -> int:
    whole = sum(s for *_, s in shapes)
    mean_cpu = sum(c * s for c, _, s in shapes) / whole * cpu_scale
    mean_memory = sum(m * s for _, m, s in shapes) / whole * memory_scale
    bound = max((sum(demand(w) for w in workloads) / mean for demand, mean in (
        (lambda w: w.cpu_millis, mean_cpu), (lambda w: w.memory_bytes, mean_memory)) if mean > 0), default=0)
    groups: dict[str, int] = {}
    for w in workloads:
        if w.anti_affinity is not None:
            groups[w.anti_affinity] = groups.get(w.anti_affinity, 0) + 1
    # an anti-affinity group needs a host per member beside hosts the other tasks may fill: count both
    return max(math.ceil(bound * Fraction(str(slack))) + max(groups.values(), default=0), 1)
