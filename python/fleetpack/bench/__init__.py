"""The research harness: benchmark instances (`Instance`), running and verifying methods on them and comparing the
results (`compare`, `summary`, performance profiles), the instance files and traces (`datasets`, `traces`) and the
generators of the literature (`generators`). pandas and matplotlib are imported only when used."""

from .compare import COLUMNS, compare, format_summary, performance_profile, performance_ratios, summary
from .instance import Instance

__all__ = ["Instance", "compare", "summary", "format_summary", "performance_ratios", "performance_profile", "COLUMNS"]
