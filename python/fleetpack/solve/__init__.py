"""Solving: the options and their checks (`options`), the front every solve comes in by and the calls into the
Rust core (`front`), and the pipeline of ``place`` and ``place_many`` (`pipeline`)."""

from .front import Solver, place_with
from .options import METHODS, OBJECTIVES, SORT_KEYS, Method, Objective, SortKey, check_choice, check_parameters

__all__ = ["Solver", "place_with", "Method", "Objective", "SortKey", "METHODS", "OBJECTIVES", "SORT_KEYS",
           "check_choice", "check_parameters"]
