"""pandas is an optional extra: without it (simulated in a fresh interpreter by ``sys.modules['pandas'] = None``)
fleetpack places objects, numpy columns with ids and text columns, and fleet files, and the frames raise an
ImportError that names the extra; with it, placing from numpy columns still does not import it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import fleetpack as fp

_PLACE_EVERY_WAY = """
import numpy as np
import fleetpack as fp
from fleetpack.fleetfile import load_fleet

columns = {"id": np.array(["a", "b", "c"]), "cpu": np.array([0.5, 2.0, 4.0]), "memory": ["1Gi", "4Gi", "16Gi"],
           "form": np.array(["vm", None, "container"], dtype=object), "tenant": ["x", "x", "y"]}
hosts = {"id": ["h1", "h2"], "cpu": [8, 8], "memory": ["32Gi", "32Gi"], "os": ["linux", "Linux"]}
plans = [fp.place(columns, hosts, method="ffd"),
         fp.place([fp.Workload("a", cpu=1, memory="1Gi")], [fp.Host("h", cpu=2, memory="4Gi")], method="bfd"),
         load_fleet(FLEET).place(method="ffd")]
result = {"placed": [p.placed for p in plans], "imported": "pandas" in sys.modules and sys.modules["pandas"] is not None}
"""


def _run(body: str, block_pandas: bool, fleet: str) -> dict:
    script = "import json, sys\n"
    if block_pandas:
        script += "sys.modules['pandas'] = None\n"
    script += f"FLEET = {fleet!r}\n" + textwrap.dedent(body) + "\nprint(json.dumps(result))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_places_every_kind_of_input_without_pandas(tmp_path):
    fleet = tmp_path / "fleet.json"
    fleet.write_text(json.dumps({"workloads": [{"id": "w", "cpu": "500m", "memory": "1Gi"}],
                                 "hosts": [{"id": "h", "cpu": 4, "memory": "8Gi"}]}), encoding="utf-8")
    assert _run(_PLACE_EVERY_WAY, block_pandas=True, fleet=str(fleet)) == {"placed": [3, 1, 1], "imported": False}


def test_numpy_columns_and_fleet_files_do_not_import_pandas(tmp_path):
    fleet = tmp_path / "fleet.json"
    fleet.write_text(json.dumps({"workloads": [{"id": "w", "cpu": 1}], "hosts": [{"id": "h", "cpu": 2}]}),
                     encoding="utf-8")
    assert _run(_PLACE_EVERY_WAY, block_pandas=False, fleet=str(fleet))["imported"] is False


def test_the_frames_name_the_extra_when_pandas_is_missing(tmp_path):
    body = """
    import fleetpack as fp
    plan = fp.place([fp.Workload("a", cpu=1)], [fp.Host("h", cpu=2, memory="1Gi")], method="ffd")
    try:
        plan.to_pandas()
        result = {"error": None}
    except ImportError as exc:
        result = {"error": str(exc)}
    """
    error = _run(body, block_pandas=True, fleet="")["error"]
    assert error is not None and "pip install 'fleetpack[pandas]'" in error


def test_dataframes_are_read_when_pandas_is_there():
    import pandas as pd

    frame = pd.DataFrame({"id": ["a", "b"], "cpu": [1.0, 2.0], "memory": ["1Gi", "2Gi"]})
    plan = fp.place(frame, [fp.Host("h", cpu=4, memory="8Gi")], method="ffd")
    assert plan.host_of("a") == plan.host_of("b") == "h"
