"""Plans: the result of a placement (`Plan`, its `Assignment` and `Unplaced` parts), built from any solver's answer
by `build_plan`, scored by the reference rules (`scoring`) and described (`explain`, `frames`, `plot`)."""

from .plan import Plan, build_plan
from .scoring import host_states, meets_bound, objective_value
from .types import Assignment, Move, Unplaced

__all__ = ["Plan", "Assignment", "Move", "Unplaced", "build_plan", "host_states", "objective_value", "meets_bound"]
