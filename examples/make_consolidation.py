"""Make ``consolidation.json``: a mid-sized company's 100 old physical servers, to be consolidated onto modern hosts.

Harbor & Finch Logistics ran 100 physical servers, each with one to four workloads: a few big monoliths, legacy
Windows services (VMs only), Docker hosts full of microservices, database clusters whose replicas must stay apart,
tools that can run either way, some tenant-isolated customer services, two dedicated machines (a licence-bound Oracle
database and an HSM gateway) and two GPU jobs. The new pool has 41 hosts of four shapes. The fleet is drawn from a
seeded random generator, so running this script again gives the same file, byte for byte::

    python examples/make_consolidation.py            # rewrites examples/consolidation.json
    python examples/make_consolidation.py -o x.json

Standard library only, so that it runs without fleetpack installed.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

# a JSON object of the fleet file
JSON = dict[str, Any]

SEED = 20240611
LEGACY_SERVERS = 100

DESCRIPTION = (
    "Harbor & Finch Logistics: the workloads of its 100 physical servers (2012-2017 vintage), to be consolidated "
    "onto a pool of modern hosts. Windows services must run as VMs; database replicas of one cluster must not share "
    "a host; customer-facing tenant services keep their containers apart; the Oracle DB (licensed per host) and the "
    "HSM gateway get a host of their own."
)

# The model's defaults, written out so that the file says what the plan assumes.
OVERHEADS = {
    "vm": {"cpu": 0, "memory": "512Mi"},
    "container": {"cpu": 0, "memory": "16Mi"},
    "hypervisor": {"cpu": 0, "memory": "1Gi"},
    "container_runtime": {"cpu": "100m", "memory": "256Mi"},
    "vm_cpu_factor": {"hardware": 1.03, "paravirtual": 1.05, "software": 1.30},
}

# (prefix, count, cores, memory, cost, max_workloads, extra): the shapes of the new pool, in the order listed.
HOST_SHAPES = [
    ("pool-std", 20, 64, "512Gi", 1.0, 110, None),
    ("pool-large", 8, 96, "768Gi", 1.4, None, None),
    ("pool-small", 10, 32, "256Gi", 0.6, 110, None),
    ("pool-gpu", 3, 64, "512Gi", 2.2, 110, {"gpu": 4}),
]


def cpu(cores: float) -> int | str:
    """Whole cores as a number, fractions as millicores (``"500m"``), as people write them in manifests."""
    millis = round(cores * 1000)
    return millis // 1000 if millis % 1000 == 0 else f"{millis}m"


def workload(ident: str, cores: float, memory: str, *, form: str = "any", os: str = "linux", tenant: str = "",
             isolation: str = "none", anti_affinity: str | None = None, extra: JSON | None = None) -> JSON:
    """A workload entry with only the fields that differ from the model's defaults."""
    entry: JSON = {"id": ident, "cpu": cpu(cores), "memory": memory}
    if extra:
        entry["extra"] = extra
    if form != "any":
        entry["form"] = form
    if os != "linux":
        entry["os"] = os
    if tenant:
        entry["tenant"] = tenant
    if isolation != "none":
        entry["isolation"] = isolation
    if anti_affinity is not None:
        entry["anti_affinity"] = anti_affinity
    return entry


def monolith_servers(rng: random.Random) -> list[list[JSON]]:
    """One big VM per server, some with a batch or reporting job beside it."""
    servers = []
    for name in ("crm", "erp", "billing", "wms", "tms", "customs", "intranet", "claims"):
        server = [workload(f"{name}-monolith", rng.choice([8, 12, 16]), rng.choice(["32Gi", "48Gi", "64Gi"]),
                           form="vm")]
        for job in rng.sample(["batch", "reports", "search", "scheduler"], rng.randint(0, 2)):
            server.append(workload(f"{name}-{job}", rng.choice([1, 2, 4]), rng.choice(["2Gi", "4Gi", "8Gi"])))
        servers.append(server)
    return servers


def windows_servers(rng: random.Random) -> list[list[JSON]]:
    """Legacy Windows services: no Windows container hosts in the new pool, so they must be VMs."""
    services = [
        "payroll-win-1", "payroll-win-2", "ad-connect-win", "fileshare-win-1", "fileshare-win-2", "print-win",
        "sharepoint-win-1", "sharepoint-win-2", "timesheet-win", "hr-portal-win", "edi-gateway-win",
        "label-print-win-1", "label-print-win-2", "label-print-win-3", "scada-bridge-win", "bi-gateway-win",
        "backup-agent-win", "sccm-win", "wsus-win", "fax-win", "dms-win-1", "dms-win-2", "cad-license-win",
        "accounting-win", "expense-win", "helpdesk-win", "visitor-mgmt-win", "canteen-pos-win", "badge-access-win",
    ]
    entries = [
        workload(name, rng.choice([1, 2, 2, 4]), rng.choice(["2Gi", "4Gi", "4Gi", "8Gi", "16Gi"]), form="vm",
                 os="windows")
        for name in services
    ]
    return chunk(rng, entries, 12)


# Microservices and their replica counts; replicas of a service have the same size.
MICROSERVICES = {
    "checkout-api": 4, "cart-api": 3, "catalog-api": 3, "search-api": 2, "auth-api": 3, "pricing-api": 2,
    "inventory-api": 3, "tracking-api": 3, "shipping-quote-api": 2, "notification-worker": 2, "email-worker": 2,
    "pdf-renderer": 2, "image-resizer": 2, "webhook-dispatcher": 2, "geo-api": 2, "customer-api": 3,
    "order-api": 3, "returns-api": 2, "invoice-api": 2, "label-api": 2, "route-optimizer": 2, "eta-predictor": 2,
    "partner-gateway": 2, "audit-log-writer": 2, "feature-flags": 1, "config-api": 1, "sms-worker": 1,
    "payment-api": 3, "loyalty-api": 2, "recommendation-api": 2, "warehouse-events": 2,
}


def microservice_servers(rng: random.Random) -> list[list[JSON]]:
    """Docker hosts: two to four containers each, replicas scattered as they happened to be deployed."""
    entries = []
    for name, replicas in MICROSERVICES.items():
        cores = rng.choice([0.25, 0.25, 0.5, 0.5, 0.75, 1, 1.5, 2])
        memory = rng.choice(["256Mi", "512Mi", "512Mi", "768Mi", "1Gi", "1Gi", "2Gi", "3Gi", "4Gi"])
        entries += [workload(f"{name}-{i}", cores, memory, form="container") for i in range(1, replicas + 1)]
    rng.shuffle(entries)
    return chunk(rng, entries, 22, largest=4, smallest=2)


# Database clusters: (group, replicas, cores, memory, form, companion job of each replica or None).
CLUSTERS = [
    ("pg-main", 3, 8, "64Gi", "any", "pgbouncer"),
    ("pg-analytics", 2, 8, "48Gi", "vm", None),
    ("kafka", 3, 4, "32Gi", "vm", "kafka-exporter"),
    ("etcd", 3, 2, "8Gi", "any", None),
    ("elastic", 3, 8, "32Gi", "any", None),
    ("mysql-wms", 2, 4, "16Gi", "vm", None),
    ("rabbitmq", 3, 2, "4Gi", "container", None),
]


def database_servers(rng: random.Random) -> list[list[JSON]]:
    """One replica per old server (that is how they were kept apart); the new plan must keep them apart too."""
    servers = []
    for group, replicas, cores, memory, form, companion in CLUSTERS:
        for i in range(1, replicas + 1):
            server = [workload(f"{group}-{i}", cores, memory, form=form, anti_affinity=group)]
            if companion:
                server.append(workload(f"{companion}-{i}", 0.25, "256Mi", form="container"))
            servers.append(server)
    return servers


def tenant_servers(rng: random.Random) -> list[list[JSON]]:
    """Customer services run per customer. As containers they may only share a host with their own tenant's
    containers (VMs beside them are fine); acme's and globex's must be containers, the others may also be VMs."""
    tenants = {
        "acme": [("portal", "container"), ("edi-worker", "container"), ("reports", "any")],
        "globex": [("portal", "container"), ("sftp", "any")],
        "initech": [("portal", "any")],
        "umbrella": [("portal", "any"), ("api", "any")],
    }
    return [
        [
            workload(f"{tenant}-{service}", rng.choice([0.5, 1, 2]), rng.choice(["1Gi", "2Gi", "4Gi"]), form=form,
                     tenant=tenant, isolation="tenant")
            for service, form in services
        ]
        for tenant, services in tenants.items()
    ]


def dedicated_servers() -> list[list[JSON]]:
    """Workloads that get a host of their own: Oracle is licensed per physical host, the HSM gateway is audited."""
    return [
        [workload("oracle-erp-db", 16, "128Gi", form="vm", isolation="dedicated")],
        [workload("hsm-gateway", 2, "4Gi", isolation="dedicated")],
    ]


def gpu_servers() -> list[list[JSON]]:
    return [
        [workload("eta-model-inference", 4, "16Gi", form="container", extra={"gpu": 1})],
        [workload("parcel-ocr", 8, "32Gi", extra={"gpu": 1}),
         workload("parcel-ocr-queue", 0.5, "1Gi", form="container")],
    ]


TOOLS = [
    ("gitlab", 4, "16Gi"), ("gitlab-runner-1", 2, "4Gi"), ("gitlab-runner-2", 2, "4Gi"), ("jenkins", 2, "8Gi"),
    ("jenkins-agent-1", 2, "4Gi"), ("jenkins-agent-2", 2, "4Gi"), ("jenkins-agent-3", 2, "4Gi"),
    ("nexus", 2, "8Gi"), ("sonarqube", 2, "8Gi"), ("grafana", 1, "2Gi"), ("prometheus", 4, "16Gi"),
    ("alertmanager", 0.5, "512Mi"), ("loki", 2, "8Gi"), ("wiki", 1, "2Gi"), ("keycloak", 2, "4Gi"),
    ("vault", 1, "2Gi"), ("nginx-edge-1", 1, "1Gi"), ("nginx-edge-2", 1, "1Gi"), ("sftp-gateway", 1, "2Gi"),
    ("cron-runner", 1, "2Gi"), ("mail-relay", 0.5, "1Gi"), ("ldap-proxy", 0.5, "1Gi"), ("status-page", 0.25, "512Mi"),
    ("matomo", 1, "4Gi"), ("metabase", 2, "4Gi"), ("airflow", 2, "8Gi"), ("airflow-worker-1", 2, "8Gi"),
    ("airflow-worker-2", 2, "8Gi"), ("minio", 2, "8Gi"), ("harbor-registry", 2, "4Gi"), ("dns-cache", 0.25, "256Mi"),
    ("ntp-relay", 0.25, "256Mi"), ("syslog-collector", 1, "2Gi"), ("backup-orchestrator", 2, "4Gi"),
    ("jump-host", 0.5, "1Gi"), ("vpn-gateway", 1, "1Gi"), ("radius", 0.5, "512Mi"), ("license-server", 0.5, "1Gi"),
    ("asset-db", 1, "4Gi"), ("it-inventory", 1, "2Gi"), ("crm-mailer", 1, "2Gi"), ("dwh-loader", 4, "16Gi"),
    ("report-scheduler", 1, "4Gi"), ("translation-memory", 1, "4Gi"), ("enterprise-search", 2, "8Gi"),
]


def tool_servers(rng: random.Random, count: int) -> list[list[JSON]]:
    """Tools and small services that run as a VM or a container, whichever packs better ("any")."""
    return chunk(rng, [workload(name, cores, memory) for name, cores, memory in TOOLS], count)


def chunk(rng: random.Random, entries: list[JSON], servers: int, largest: int = 4,
          smallest: int = 1) -> list[list[JSON]]:
    """Split ``entries`` in order into exactly ``servers`` groups of ``smallest`` to ``largest`` workloads."""
    if not smallest * servers <= len(entries) <= largest * servers:
        raise ValueError(f"cannot put {len(entries)} workloads on {servers} servers")
    sizes = [smallest] * servers
    for _ in range(len(entries) - smallest * servers):
        sizes[rng.choice([i for i, size in enumerate(sizes) if size < largest])] += 1
    groups, start = [], 0
    for size in sizes:
        groups.append(entries[start:start + size])
        start += size
    return groups


def legacy_servers(rng: random.Random) -> list[list[JSON]]:
    """The workloads of each old server, one list per server."""
    servers = (
        monolith_servers(rng) + windows_servers(rng) + microservice_servers(rng) + database_servers(rng)
        + tenant_servers(rng) + dedicated_servers() + gpu_servers()
    )
    servers += tool_servers(rng, LEGACY_SERVERS - len(servers))
    if len(servers) != LEGACY_SERVERS or not all(1 <= len(s) <= 4 for s in servers):
        raise ValueError("every legacy server must hold one to four workloads")
    return servers


def hosts() -> list[JSON]:
    entries = []
    for prefix, count, cores, memory, cost, max_workloads, extra in HOST_SHAPES:
        for i in range(1, count + 1):
            entry: JSON = {"id": f"{prefix}-{i:02d}", "cpu": cores, "memory": memory}
            if extra:
                entry["extra"] = extra
            entry.update({"os": "linux", "hypervisor": "hardware", "containers": True, "cost": cost})
            if max_workloads is not None:
                entry["max_workloads"] = max_workloads
            entries.append(entry)
    return entries


def fleet() -> JSON:
    rng = random.Random(SEED)
    workloads = [entry for server in legacy_servers(rng) for entry in server]
    ids = [w["id"] for w in workloads]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate workload ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    return {
        "description": DESCRIPTION,
        "legacy_servers": LEGACY_SERVERS,
        "overheads": OVERHEADS,
        "workloads": workloads,
        "hosts": hosts(),
    }


def to_json(doc: JSON) -> str:
    """JSON with one workload or host per line: a 200-entry file stays readable and diffs well."""
    lines = []
    for key, value in doc.items():
        if isinstance(value, list):
            items = ",\n".join(f"    {json.dumps(item)}" for item in value)
            lines.append(f"  {json.dumps(key)}: [\n{items}\n  ]")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=Path(__file__).with_name("consolidation.json"),
                        help="where to write the fleet file (default: consolidation.json beside this script)")
    args = parser.parse_args()
    args.output.write_text(to_json(fleet()), encoding="utf-8")


if __name__ == "__main__":
    main()
