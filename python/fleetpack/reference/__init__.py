"""The pure-Python reference solver, file for file like the Rust core (rust/core/src): `rules` (what it reads of the
rules beyond `fleetpack.model.rules`), `heuristics`, `bounds`. Only `fleetpack.baseline` (and the tests) import it;
production code never does."""

from .bounds import fekete_schepers, lower_bound, lower_bound_explained, martello_toth_l2
from .heuristics import heuristic, opening_order, portfolio, solve, sort_value, strategy_name, workload_order
from .rules import largest_capacity, normalised, placeable

__all__ = ["solve", "heuristic", "portfolio", "workload_order", "opening_order", "sort_value", "strategy_name",
           "lower_bound", "lower_bound_explained", "martello_toth_l2", "fekete_schepers", "largest_capacity", "normalised", "placeable"]
