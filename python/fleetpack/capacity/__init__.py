"""Capacity planning (issue 17): which hosts to buy, of which types, so that every workload is placed at least
cost; `plan_capacity` returns a `CapacityPlan` (docs/capacity.md)."""

from .planner import OBJECTIVES, plan_capacity
from .result import CapacityPlan

__all__ = ["plan_capacity", "CapacityPlan", "OBJECTIVES"]
