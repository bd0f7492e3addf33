"""Seeded generators of the published benchmark classes, and of realistic VM/container fleets.

Each generator returns a `fleetpack.bench.Instance`; the same arguments and ``seed`` always give the same instance
(``random.Random(seed)`` drives every draw). Bin packing classes use the mapping of `fleetpack.datasets` (dimension
*k* is the extra dimension ``"d<k>"``, items are containers ``"i<k>"``, bins identical hosts ``"h<j>"``, no
overheads); classes built around a known packing carry their ``optimum`` and that packing as ``witness``.

- `falkenauer_uniform`, `falkenauer_triplets`: Falkenauer (1996), "A hybrid grouping genetic algorithm for bin
  packing" (BPPLIB's Falkenauer U and T);
- `scholl1`, `scholl2`, `scholl3`: Scholl, Klein and Jürgens (1997), "BISON" (BPPLIB's Scholl 1, 2, 3);
- `vector_class`: the ten vector classes of Caprara and Toth (2001), "Lower bounds and algorithms for the
  2-dimensional vector packing problem", in *d* dimensions as Panigrahy et al. (2011), "Heuristics for vector bin
  packing", generalise them (and as Mommessin et al. (2025) regenerated them);
- `perfect_packing`: bins cut into items, so the optimum is known;
- `realistic_fleet`: VM and container workloads on heterogeneous hosts, with every rule of fleetpack's model;
- `ruled_fleet`: a rule-heavy fleet of three host types whose optimum is known by construction.
"""

from __future__ import annotations

import math
import numbers
import random
from dataclasses import dataclass
from typing import Sequence

from ..errors import ValidationError
from ..model.objects import Host, Overheads, Workload
from .datasets import from_vectors
from .instance import Instance

__all__ = [
    "falkenauer_uniform",
    "falkenauer_triplets",
    "scholl1",
    "scholl2",
    "scholl3",
    "VectorClass",
    "VECTOR_CLASSES",
    "vector_class",
    "perfect_packing",
    "realistic_fleet",
    "ruled_fleet",
]


def _whole(where: str, name: str, value, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValidationError.single(where, name, f"must be a whole number of at least {minimum}, got {value!r}",
                                     value)
    return int(value)


def _rng(where: str, seed) -> random.Random:
    return random.Random(_whole(where, "seed", seed))


def _shuffled(rng: random.Random, items: list, bins: list[int]) -> tuple[list, list[int]]:
    """Items and their bins in a random order, so that input order gives a heuristic no hint of the packing."""
    order = list(range(len(items)))
    rng.shuffle(order)
    return [items[k] for k in order], [bins[k] for k in order]


def _call(function: str, **arguments) -> str:
    return f"fleetpack.generators.{function}({', '.join(f'{k}={v!r}' for k, v in arguments.items())})"


# --- one-dimensional classes ----------------------------------------------------------------------------------------


def _uniform_sizes(where: str, n, capacity, low, high) -> tuple[int, int, int, int]:
    """The checked parameters of a class of weights drawn uniformly from ``low..high`` into bins of ``capacity``."""
    n = _whole(where, "n", n)
    capacity = _whole(where, "capacity", capacity, 1)
    low, high = _whole(where, "low", low), _whole(where, "high", high)
    if not low <= high <= capacity:
        raise ValidationError.single(where, "high", f"must satisfy low <= high <= capacity, got {low}, {high}, "
                                                    f"{capacity}")
    return n, capacity, low, high


def falkenauer_uniform(n: int = 120, seed: int = 0, *, capacity: int = 150, low: int = 20,
                       high: int = 100) -> Instance:
    """Falkenauer's uniform class: ``n`` weights drawn uniformly from ``low..high`` (20..100), bins of 150. BPPLIB's
    Falkenauer U has n = 120, 250, 500 and 1000. The optimum is not known by construction."""
    where = "falkenauer_uniform()"
    n, capacity, low, high = _uniform_sizes(where, n, capacity, low, high)
    rng = _rng(where, seed)
    return from_vectors(f"falkenauer_u{n}_s{seed}", [capacity], [[rng.randint(low, high)] for _ in range(n)],
                        set="falkenauer_u", source=_call("falkenauer_uniform", n=n, seed=seed, capacity=capacity,
                                                         low=low, high=high))


def falkenauer_triplets(n: int = 60, seed: int = 0, *, capacity: int = 1000) -> Instance:
    """Falkenauer's triplets: ``n / 3`` bins of ``capacity`` each filled exactly by three items, so the optimum is
    ``n / 3`` (the total size is ``n / 3`` bins). Per bin, the first item is drawn from 38%-49% of the capacity,
    the second from 25% to half of what is left, and the third completes the bin; every item is between a quarter
    and a half of a bin, which is what makes the class hard for heuristics. BPPLIB's Falkenauer T has n = 60, 120,
    249, 501 and capacity 1000. Items come in random order; ``witness`` is the exact packing."""
    where = "falkenauer_triplets()"
    n = _whole(where, "n", n)
    capacity = _whole(where, "capacity", capacity, 4)
    if n % 3:
        raise ValidationError.single(where, "n", f"must be a multiple of 3 (three items per bin), got {n}", n)
    rng = _rng(where, seed)
    items, bins = [], []
    for b in range(n // 3):
        first = rng.randint(math.ceil(capacity * 0.38), math.floor(capacity * 0.49))
        rest = capacity - first
        second = rng.randint(math.ceil(capacity / 4), rest // 2)
        items += [[first], [second], [rest - second]]
        bins += [b, b, b]
    items, bins = _shuffled(rng, items, bins)
    return from_vectors(f"falkenauer_t{n}_s{seed}", [capacity], items, optimum=n // 3, bins=bins,
                        set="falkenauer_t", source=_call("falkenauer_triplets", n=n, seed=seed, capacity=capacity))


def scholl1(n: int = 50, seed: int = 0, *, capacity: int = 100, low: int = 1, high: int = 100) -> Instance:
    """Scholl's set 1: ``n`` weights uniform in ``low..high``. The published set crosses n = 50, 100, 200, 500 with
    capacity 100, 120, 150 and weights in 1..100, 20..100, 30..100."""
    where = "scholl1()"
    n, capacity, low, high = _uniform_sizes(where, n, capacity, low, high)
    rng = _rng(where, seed)
    return from_vectors(f"scholl1_n{n}_c{capacity}_w{low}_s{seed}", [capacity],
                        [[rng.randint(low, high)] for _ in range(n)], set="scholl1",
                        source=_call("scholl1", n=n, seed=seed, capacity=capacity, low=low, high=high))


def scholl2(n: int = 50, seed: int = 0, *, items_per_bin: int = 3, spread: float = 0.2,
            capacity: int = 1000) -> Instance:
    """Scholl's set 2: bins of 1000 and weights around a mean of ``capacity / items_per_bin`` (3, 5, 7 or 9 items
    a bin), uniform within ``spread`` (20%, 50% or 90%) of that mean. The published set crosses these with
    n = 50, 100, 200, 500."""
    where = "scholl2()"
    n = _whole(where, "n", n)
    capacity = _whole(where, "capacity", capacity, 1)
    k = _whole(where, "items_per_bin", items_per_bin, 1)
    if isinstance(spread, bool) or not isinstance(spread, numbers.Real) or not 0 <= spread < 1:
        raise ValidationError.single(where, "spread", f"must be a fraction in [0, 1), got {spread!r}", spread)
    mean = capacity / k
    low, high = max(1, round(mean * (1 - spread))), min(capacity, round(mean * (1 + spread)))
    rng = _rng(where, seed)
    return from_vectors(f"scholl2_n{n}_k{k}_d{round(spread * 100)}_s{seed}", [capacity],
                        [[rng.randint(low, high)] for _ in range(n)], set="scholl2",
                        source=_call("scholl2", n=n, seed=seed, items_per_bin=k, spread=spread, capacity=capacity))


def scholl3(n: int = 200, seed: int = 0) -> Instance:
    """Scholl's set 3 ("hard"): 200 weights uniform in 20000..35000, bins of 100000 (three to five items a bin)."""
    where = "scholl3()"
    n = _whole(where, "n", n)
    rng = _rng(where, seed)
    return from_vectors(f"scholl3_n{n}_s{seed}", [100_000], [[rng.randint(20_000, 35_000)] for _ in range(n)],
                        set="scholl3", source=_call("scholl3", n=n, seed=seed))


# --- vector classes -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VectorClass:
    """One of the ten vector classes: the bin capacity (in every dimension), the range every item size falls in,
    and how sizes are drawn."""

    capacity: int
    low: int
    high: int
    description: str


VECTOR_CLASSES = {
    1: VectorClass(1000, 100, 400, "uniform in 100..400, independently per dimension"),
    2: VectorClass(1000, 1, 1000, "uniform in 1..1000"),
    3: VectorClass(1000, 200, 800, "uniform in 200..800"),
    4: VectorClass(1000, 50, 200, "uniform in 50..200"),
    5: VectorClass(1000, 25, 100, "uniform in 25..100"),
    6: VectorClass(150, 20, 100, "uniform in 20..100"),
    7: VectorClass(150, 10, 110, "correlated: dimensions in pairs, the first uniform in 20..100, the second within "
                                 "10 of it; an odd last dimension uniform in 20..100"),
    8: VectorClass(150, 10, 110, "anti-correlated: dimensions in pairs, the first x uniform in 20..100, the second "
                                 "in 110-x..130-x; an odd last dimension uniform in 20..100"),
    9: VectorClass(100, 0, 100, "similar shapes: 2d units dealt at random over the dimensions, each unit worth s "
                                 "(uniform in 10..40, one per item) plus 0 or 1; items with a size over 100 redrawn"),
    10: VectorClass(100, 0, 50, "triplets: per bin and dimension, two sizes uniform in 25..50 and a third that "
                                "fills the bin; the optimum is n/3"),
}


def vector_class(cls: int, n: int = 100, d: int = 2, seed: int = 0) -> Instance:
    """An instance of vector class ``cls`` (1-10, see `VECTOR_CLASSES`) with ``n`` items in ``d`` dimensions.

    Classes 1-9 follow Panigrahy et al.'s *d*-dimensional generalisation of Caprara and Toth's classes (the
    Mommessin et al. regeneration has the same capacities and ranges, with n = 20..500 and d = 3, 5, 10); class 10
    is Caprara and Toth's triplet class, whose optimum ``n / 3`` comes with its packing as ``witness``. Sizes are
    drawn with inclusive bounds, and exactly ``n`` items are made.
    """
    where = "vector_class()"
    if cls not in VECTOR_CLASSES or isinstance(cls, bool):
        raise ValidationError.single(where, "cls", f"must be one of 1-10, got {cls!r}", cls)
    n = _whole(where, "n", n)
    d = _whole(where, "d", d, 1)
    rng = _rng(where, seed)
    spec = VECTOR_CLASSES[cls]
    name = f"ct{cls}_n{n}_d{d}_s{seed}"
    source = _call("vector_class", cls=cls, n=n, d=d, seed=seed)
    if cls == 10:
        if n % 3:
            raise ValidationError.single(where, "n", f"must be a multiple of 3 for the triplet class, got {n}", n)
        triplets = []
        for _ in range(n // 3):
            per_dimension = []
            for _ in range(d):
                a, b = rng.randint(25, 50), rng.randint(25, 50)
                per_dimension.append((a, b, spec.capacity - a - b))
            triplets.append(per_dimension)
        items = [[triplet[k][j] for k in range(d)] for triplet in triplets for j in range(3)]
        items, bins = _shuffled(rng, items, [b for b in range(n // 3) for _ in range(3)])
        return from_vectors(name, [spec.capacity] * d, items, optimum=n // 3, bins=bins, set=f"ct{cls}",
                            source=source)
    items = [_vector_item(cls, d, rng) for _ in range(n)]
    return from_vectors(name, [spec.capacity] * d, items, set=f"ct{cls}", source=source)


def _vector_item(cls: int, d: int, rng: random.Random) -> list[int]:
    spec = VECTOR_CLASSES[cls]
    if cls <= 6:
        return [rng.randint(spec.low, spec.high) for _ in range(d)]
    if cls in (7, 8):
        sizes = []
        for _ in range(d // 2):
            x = rng.randint(20, 100)
            sizes += [x, rng.randint(x - 10, x + 10) if cls == 7 else rng.randint(110 - x, 130 - x)]
        if d % 2:
            sizes.append(rng.randint(20, 100))
        return sizes
    while True:  # class 9
        units = [0] * d
        for _ in range(2 * d):
            units[rng.randrange(d)] += 1
        s = rng.randint(10, 40)
        sizes = [s * u + rng.randint(0, 1) for u in units]
        if max(sizes) <= spec.capacity:
            return sizes


def perfect_packing(bins: int = 20, seed: int = 0, *, d: int = 1, capacity: int = 1000,
                    items_per_bin: tuple[int, int] = (2, 5)) -> Instance:
    """``bins`` bins of ``capacity`` in ``d`` dimensions, each cut into a random number of items (in the range
    ``items_per_bin``) that fill it exactly in every dimension: the optimum is ``bins`` (the total size is exactly
    ``bins`` bins in each dimension, and the cut is a packing). Items come in random order; ``witness`` is the
    packing."""
    where = "perfect_packing()"
    bins = _whole(where, "bins", bins)
    d = _whole(where, "d", d, 1)
    capacity = _whole(where, "capacity", capacity, 1)
    if (not isinstance(items_per_bin, Sequence) or len(items_per_bin) != 2
            or not all(isinstance(q, int) and not isinstance(q, bool) for q in items_per_bin)
            or not 1 <= items_per_bin[0] <= items_per_bin[1] <= capacity):
        raise ValidationError.single(where, "items_per_bin", f"must be (low, high) with 1 <= low <= high <= "
                                                             f"capacity, got {items_per_bin!r}", items_per_bin)
    rng = _rng(where, seed)
    items, owner = [], []
    for b in range(bins):
        q = rng.randint(*items_per_bin)
        columns = []
        for _ in range(d):
            cuts = sorted(rng.sample(range(1, capacity), q - 1))
            columns.append([hi - lo for lo, hi in zip([0, *cuts], [*cuts, capacity])])
        items += [[columns[k][j] for k in range(d)] for j in range(q)]
        owner += [b] * q
    items, owner = _shuffled(rng, items, owner)
    return from_vectors(f"perfect_b{bins}_d{d}_s{seed}", [capacity] * d, items, optimum=bins, bins=owner,
                        set="perfect", source=_call("perfect_packing", bins=bins, seed=seed, d=d, capacity=capacity,
                                                    items_per_bin=tuple(items_per_bin)))


# --- realistic fleets -----------------------------------------------------------------------------------------------

_GI = 2**30


@dataclass(frozen=True)
class _Shape:
    name: str
    cpu: int  # cores
    memory_gi: int
    gpu: int
    os: str
    hypervisor: str | None
    containers: bool
    cost: float
    max_workloads: int | None
    weight: int  # how many of these per round of the fleet's mix


# Host types of a mixed private cloud: VM hosts under each hypervisor kind, bare-metal container hosts (no
# hypervisor), GPU nodes, Windows hosts (the only ones to run Windows containers) and old VM-only hosts.
_SHAPES = (
    _Shape("gen", 32, 128, 0, "linux", "hardware", True, 1.0, 110, 6),
    _Shape("big", 64, 512, 0, "linux", "paravirtual", True, 2.4, 110, 3),
    _Shape("bare", 48, 192, 0, "linux", None, True, 1.2, 250, 2),
    _Shape("gpu", 48, 384, 4, "linux", "hardware", True, 4.0, 110, 1),
    _Shape("win", 32, 128, 0, "windows", "hardware", True, 1.3, None, 1),
    _Shape("old", 16, 64, 0, "linux", "software", False, 0.5, None, 1),
)
_TENANTS = ("acme", "globex", "initech", "umbrella")


def realistic_fleet(n: int = 200, seed: int = 0, *, slack: float = 1.5) -> Instance:
    """A private cloud's fleet with every rule of fleetpack's model in play, and the default `Overheads`.

    ``n`` workloads: replicated web services (containers, replicas kept apart by anti-affinity), APIs and batch jobs
    that may run either way, replicated databases (VMs), Windows applications (VMs on Linux hosts, or containers on
    Windows hosts), tenant-isolated containers, dedicated workloads, and GPU jobs (an extra dimension ``gpu``).
    Sizes are the round requests people write (``"500m"``, ``"4Gi"``). Hosts mix six types: VM hosts under
    hardware, paravirtual and software hypervisors, bare-metal container hosts with no hypervisor, GPU nodes and
    Windows hosts, with costs and pod limits (``max_workloads``); there are ``slack`` times the hosts the workloads'
    size needs. The optimum is unknown.
    """
    where = "realistic_fleet()"
    n = _whole(where, "n", n)
    if isinstance(slack, bool) or not isinstance(slack, numbers.Real) or not slack >= 1:
        raise ValidationError.single(where, "slack", f"must be a number of at least 1, got {slack!r}", slack)
    rng = _rng(where, seed)
    workloads: list[Workload] = []
    groups = 0
    kinds = ("web", "api", "db", "windows", "isolated", "batch", "gpu", "dedicated")
    weights = (30, 20, 10, 8, 12, 10, 5, 5)
    while len(workloads) < n:
        kind = rng.choices(kinds, weights)[0]
        groups += 1
        for w in _workloads(kind, groups, rng):
            if len(workloads) < n:
                workloads.append(w)
    hosts = _hosts(workloads, slack, rng)
    return Instance(f"realistic_n{n}_s{seed}", tuple(workloads), tuple(hosts), Overheads(), set="realistic",
                    source=_call("realistic_fleet", n=n, seed=seed, slack=slack))


def _workloads(kind: str, group: int, rng: random.Random) -> list[Workload]:
    """One unit of demand of a kind: a service's replicas, or a single workload."""
    tenant = rng.choice(_TENANTS)
    if kind == "web":
        cpu, memory = rng.choice(("250m", "500m", "1", "2")), rng.choice(("512Mi", "1Gi", "2Gi", "4Gi"))
        return [Workload(f"web{group}-{r}", cpu=cpu, memory=memory, form="container", tenant=tenant,
                         anti_affinity=f"web{group}") for r in range(rng.randint(2, 4))]
    if kind == "db":
        cpu, memory = rng.choice((2, 4, 8)), rng.choice(("8Gi", "16Gi", "32Gi", "64Gi"))
        return [Workload(f"db{group}-{r}", cpu=cpu, memory=memory, form="vm", tenant=tenant,
                         anti_affinity=f"db{group}") for r in range(2)]
    if kind == "api":
        return [Workload(f"api{group}", cpu=rng.choice(("500m", "1", "2", "4")),
                         memory=rng.choice(("1Gi", "2Gi", "4Gi", "8Gi")), tenant=tenant)]
    if kind == "windows":
        return [Workload(f"win{group}", cpu=rng.choice((1, 2, 4)), memory=rng.choice(("4Gi", "8Gi", "16Gi")),
                         os="windows", tenant=tenant)]
    if kind == "isolated":
        return [Workload(f"iso{group}", cpu=rng.choice(("500m", "1", "2")), memory=rng.choice(("1Gi", "2Gi", "4Gi")),
                         form="container", tenant=tenant, isolation="tenant")]
    if kind == "batch":
        return [Workload(f"batch{group}", cpu=rng.choice((2, 4, 8)), memory=rng.choice(("4Gi", "8Gi", "16Gi")),
                         tenant=tenant)]
    if kind == "gpu":
        return [Workload(f"gpu{group}", cpu=rng.choice((4, 8)), memory=rng.choice(("16Gi", "32Gi")),
                         extra={"gpu": rng.choice((1, 1, 2))}, form="container", tenant=tenant)]
    return [Workload(f"ded{group}", cpu=rng.choice((8, 16)), memory=rng.choice(("32Gi", "64Gi")),
                     isolation="dedicated", tenant=tenant)]


def _hosts(workloads: list[Workload], slack: float, rng: random.Random) -> list[Host]:
    """Rounds of the host mix until there is ``slack`` times the room the workloads need: in CPU, memory and GPUs,
    a host per dedicated workload beside the others, and a host per member of the largest anti-affinity group."""
    cpu = sum(w.cpu_millis for w in workloads) / 1000
    memory = sum(w.memory_bytes for w in workloads) / _GI + 0.5 * len(workloads)  # VM guest OS, roughly
    gpus = sum(w.extra_units.get("gpu", 0) for w in workloads)
    dedicated = sum(w.isolation == "dedicated" for w in workloads)
    group_sizes: dict[str, int] = {}
    for w in workloads:
        if w.anti_affinity:
            group_sizes[w.anti_affinity] = group_sizes.get(w.anti_affinity, 0) + 1
    widest = max(group_sizes.values(), default=0)
    mix = [shape for shape in _SHAPES for _ in range(shape.weight)]
    chosen: list[_Shape] = []
    while True:
        have_cpu = sum(s.cpu for s in chosen)
        have_memory = sum(s.memory_gi for s in chosen)
        have_gpu = sum(s.gpu for s in chosen)
        if (have_cpu >= slack * cpu and have_memory >= slack * memory and have_gpu >= slack * gpus
                and len(chosen) >= max(len(mix), dedicated + widest)):
            break
        round_ = list(mix)
        rng.shuffle(round_)
        chosen += round_
    counters: dict[str, int] = {}
    hosts = []
    for s in chosen:
        counters[s.name] = counters.get(s.name, 0) + 1
        hosts.append(Host(f"{s.name}-{counters[s.name]}", cpu=s.cpu, memory=s.memory_gi * _GI,
                          extra={"gpu": s.gpu} if s.gpu else None, os=s.os, hypervisor=s.hypervisor,
                          containers=s.containers, cost=s.cost, max_workloads=s.max_workloads))
    return hosts


# --- rule-heavy fleets of a known optimum ---------------------------------------------------------------------------

# (name, cpu cores, os, hypervisor, containers): one memory size for all, so that memory decides the count
_RULED_TYPES = (("vmhost", 32, "linux", "hardware", True), ("bare", 48, "linux", None, True),
                ("winhost", 24, "windows", "hardware", True))
_RULED_MEMORY_GI = 64


def ruled_fleet(hosts: int = 10, seed: int = 0, *, spare: float = 0.5) -> Instance:
    """A fleet where the rules do most of the work and the optimum is known: ``hosts`` hosts are built full, and
    the fleet has ``spare`` times as many more hosts again (at least one of each type) to choose from.

    Three host types of one memory size (64 GiB) and different CPU, OS and runtimes: Linux VM hosts (a hardware
    hypervisor, containers too), bare-metal Linux container hosts, Windows hosts. Each built host is one of:

    - a **dedicated** host: one dedicated workload that takes all its memory;
    - a **tenant** host (bare metal): containers of one tenant-isolated tenant;
    - a **Windows** host: Windows containers;
    - a **general** VM host: VMs, and workloads that may run either way (placed as containers).

    A host's workloads split its memory exactly (whole GiB) and leave CPU to spare; **anti-affinity** groups take
    one workload from each of 2-4 different general hosts. No overheads (`Overheads.none()`), so every workload's
    smallest form is its request. Workloads come in random order; ``witness`` is the built plan.

    Why ``hosts`` is the optimum: the built plan is valid (each host's workloads fit it and every rule holds, as the
    witness shows) and uses ``hosts`` hosts; every host of the fleet has the same 64 GiB of memory, and the
    workloads' memory adds up to exactly ``hosts`` × 64 GiB, so no plan that places them all uses fewer.
    """
    where = "ruled_fleet()"
    hosts = _whole(where, "hosts", hosts, 1)
    if isinstance(spare, bool) or not isinstance(spare, numbers.Real) or not spare >= 0:
        raise ValidationError.single(where, "spare", f"must be a number of at least 0, got {spare!r}", spare)
    rng = _rng(where, seed)
    roles = rng.choices(("dedicated", "tenant", "windows", "general"), (2, 3, 2, 5), k=hosts)
    built: list[Host] = []
    workloads: list[Workload] = []
    witness: dict[str, tuple[str, str]] = {}
    general: list[list[int]] = []  # per general host, its workloads' indices
    counts = {name: 0 for name, *_ in _RULED_TYPES}

    def new_host(kind: int) -> Host:
        name, cpu, os, hypervisor, containers = _RULED_TYPES[kind]
        counts[name] += 1
        return Host(f"{name}-{counts[name]}", cpu=cpu, memory=_RULED_MEMORY_GI * _GI, os=os, hypervisor=hypervisor,
                    containers=containers)

    for b, role in enumerate(roles):
        host = new_host({"tenant": 1, "windows": 2}.get(role, 0))
        built.append(host)
        pieces = 1 if role == "dedicated" else rng.randint(2, 6)
        cuts = sorted(rng.sample(range(1, _RULED_MEMORY_GI), pieces - 1))
        memories = [hi - lo for lo, hi in zip([0, *cuts], [*cuts, _RULED_MEMORY_GI])]
        # CPU: at most the host's cores, split at random, in whole hundreds of millicores
        cpu_share = host.cpu_millis // (100 * pieces)
        tenant = f"t{b}"
        members = []
        for k, memory in enumerate(memories):
            cpu = f"{100 * rng.randint(1, cpu_share)}m"
            wid = f"{role}{b}-{k}"
            if role == "dedicated":
                w = Workload(wid, cpu=cpu, memory=f"{memory}Gi", isolation="dedicated", tenant=tenant)
                form = "container"
            elif role == "tenant":
                w = Workload(wid, cpu=cpu, memory=f"{memory}Gi", form="container", tenant=tenant, isolation="tenant")
                form = "container"
            elif role == "windows":
                w = Workload(wid, cpu=cpu, memory=f"{memory}Gi", form="container", os="windows")
                form = "container"
            else:
                form = rng.choice(("vm", "container"))
                w = Workload(wid, cpu=cpu, memory=f"{memory}Gi", form="vm" if form == "vm" else "any",
                             tenant=rng.choice(_TENANTS))
                members.append(len(workloads))
            workloads.append(w)
            witness[wid] = (host.id, form)
        if role == "general":
            general.append(members)
    # anti-affinity groups: one workload from each of 2-4 general hosts
    free = [list(m) for m in general]
    for g in range(len(general)):
        with_free = [m for m in free if m]
        if len(with_free) < 2:
            break
        for m in rng.sample(with_free, min(len(with_free), rng.randint(2, 4))):
            i = m.pop(rng.randrange(len(m)))
            w = workloads[i]
            workloads[i] = Workload(w.id, cpu=w.cpu, memory=w.memory, form=w.form, tenant=w.tenant,
                                    anti_affinity=f"g{g}")
    spares = [new_host(k % 3) for k in range(max(3, math.ceil(spare * hosts)))]
    fleet = built + spares
    rng.shuffle(fleet)
    order = list(range(len(workloads)))
    rng.shuffle(order)
    return Instance(f"ruled_h{hosts}_s{seed}", tuple(workloads[k] for k in order), tuple(fleet), Overheads.none(),
                    optimum=hosts, lower_bound=hosts, set="ruled", witness=witness,
                    source=_call("ruled_fleet", hosts=hosts, seed=seed, spare=spare))
