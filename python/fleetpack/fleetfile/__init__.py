"""Fleet files: the workloads, hosts and overheads of one placement problem, in JSON (or YAML), and plan files.

A fleet file is one object::

    {
      "description": "optional free text",
      "legacy_servers": 100,
      "overheads": {"vm": {"cpu": 0, "memory": "512Mi"}, ...},
      "workloads": [{"id": "web-1", "cpu": "500m", "memory": "1Gi", "form": "container"}, ...],
      "hosts": [{"id": "h1", "cpu": 64, "memory": "512Gi", "max_workloads": 110}, ...]
    }

Entries use the field names of `Workload`, `Host` and `Overheads`, with quantities as numbers or Kubernetes strings.
``overheads`` (default: the model's defaults), ``description`` and ``legacy_servers`` (how many servers the fleet
ran on before; shown by the command line) are optional; so are, for a live fleet (workloads with ``current``,
``pinned``, ``move_cost``), the hosts to ``drain`` and the budgets ``max_moves`` and ``max_move_cost``; and the
group ``rules`` (issue 16) over the workloads' ``groups``, each an object with its ``kind``: ``{"kind":
"anti_affinity", "group": "db", "scope": "zone"}``, ``{"kind": "affinity", "group": "cache", "scope": "rack"}``,
``{"kind": "spread", "group": "web", "key": "zone", "max_skew": 1, "weight": 5}`` (errors name ``rules[k]`` and the
field). Files ending in ``.yaml`` or ``.yml`` are read as YAML when PyYAML is installed. The package ships a JSON Schema of the format (`fleet_schema`, or the file
``fleetpack/schema/fleet.schema.json``) for editors and other tools; fleetpack itself checks files with the model's
own validation, which says more than a schema can.

A fleet may also be two CSV files, one of workloads and one of hosts (`load_fleet_csv`): a header row of field
names, one entry per row, ``extra.NAME`` columns for extra dimensions, and an empty cell for a field's default
(``none`` for a host without hypervisor). Plans may be written and read as CSV too: one row per workload.

Every problem found is reported in one `ValidationError` whose details name the file, the entry and the field, e.g.
``examples/x.json: workload 'db-1': memory: ...``, or for CSV the line: ``hosts.csv:4: host 'h3': cpu: ...``.
"""

from .fleet import Fleet, dump_fleet, fleet_json, fleet_schema, load_fleet, load_overheads, parse_document
from .plans import dump_plan, load_plan, read_plan_dict
from .tables import dump_fleet_csv, load_fleet_csv

__all__ = ["Fleet", "load_fleet", "dump_fleet", "load_fleet_csv", "dump_fleet_csv", "load_overheads",
           "fleet_schema", "parse_document", "read_plan_dict", "load_plan", "dump_plan", "fleet_json"]
