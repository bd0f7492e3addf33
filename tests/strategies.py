"""Hypothesis strategies for random valid problems with every rule of the model in play."""

from hypothesis import strategies as st

import fleetpack as fp

OS = st.sampled_from(["linux", "linux", "linux", "windows"])


@st.composite
def workloads(draw, max_size=20):
    count = draw(st.integers(0, max_size))
    items = []
    for i in range(count):
        extra = draw(st.sampled_from([None, None, {"gpu": 1}, {"gpu": 2}]))
        items.append(
            fp.Workload(
                f"w{i}",
                cpu=f"{draw(st.integers(0, 8000))}m",
                memory=draw(st.integers(0, 16)) * 2**29,
                extra=extra,
                form=draw(st.sampled_from(["any", "any", "vm", "container"])),
                os=draw(OS),
                tenant=draw(st.sampled_from(["", "a", "b"])),
                isolation=draw(st.sampled_from(["none", "none", "none", "tenant", "dedicated"])),
                anti_affinity=draw(st.sampled_from([None, None, None, "g1", "g2"])),
            )
        )
    return items


@st.composite
def hosts(draw, max_size=8):
    count = draw(st.integers(0, max_size))
    return [
        fp.Host(
            f"h{j}",
            cpu=draw(st.sampled_from([2, 4, 8, 16])),
            memory=draw(st.sampled_from(["4Gi", "8Gi", "16Gi", "32Gi"])),
            extra=draw(st.sampled_from([None, None, {"gpu": 2}])),
            os=draw(OS),
            hypervisor=draw(st.sampled_from(["hardware", "hardware", "paravirtual", "software", None])),
            containers=draw(st.booleans()),
            cost=draw(st.sampled_from([0.5, 1.0, 1.0, 2.5])),
            max_workloads=draw(st.sampled_from([None, None, 1, 3])),
        )
        for j in range(count)
    ]


overheads = st.sampled_from([None, fp.Overheads.none(), fp.Overheads(vm_cpu_factor={"software": 1.7})])
