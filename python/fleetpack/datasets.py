"""``fleetpack.datasets``, the public path of `fleetpack.bench.datasets`: readers and writers of benchmark instance
files (BPPLIB, VPSolver) and tables of known optima, and the cluster-trace readers."""

from .bench.datasets import *  # noqa: F403
from .bench.datasets import __all__ as __all__  # noqa: F401
