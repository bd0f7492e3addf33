"""A user script with misspelt choices: `mypy --strict` names each (tests/test_typing.py)."""

import fleetpack as fp

fp.place([], [], method="fastest")
fp.Workload("w", form="pod")
fp.Host("h", hypervisor="kvm")
