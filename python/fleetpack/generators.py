"""``fleetpack.generators``, the public path of `fleetpack.bench.generators`: the classic instance generators of
the bin-packing literature and a realistic fleet."""

from .bench.generators import *  # noqa: F403
from .bench.generators import __all__ as __all__  # noqa: F401
