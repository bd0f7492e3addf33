"""The linear relaxation of a CP-SAT model, solved with GLOP: a lower bound on its objective (issue 18).

CP-SAT's presolve turns short rows over Booleans (the rule cuts of `fleetpack.exact.cuts`, such as ``dedicated +
isolated-tenant flags <= used``) into clauses, which its default LP worker then no longer sees; only its
``max_lp`` worker, absent from the parallel search on two threads, relaxes them again. On the realistic fleets of
100 workloads the relaxation of the assignment model with those cuts proves the plan (11 hosts: 4 dedicated
workloads, 3 isolated tenants and a group of 4 replicas of a fourth tenant), where CP-SAT's search alone reported 8
after 90 s. So the exact solver relaxes the model itself, before CP-SAT, from the model's linear rows as built:
every variable within its domain's hull, every row without an enforcement literal within its domain's hull
(clauses and implications are left out, which only weakens the bound). Sound: every solution of the model is a
point of the relaxation.
"""

from __future__ import annotations

import time

# the relaxation's optimum is a float: it bounds the integer objective from below after this relative slack
_TOLERANCE = 1e-7
#: models with more variables are not relaxed: building the LP in Python and solving it takes seconds beyond that
#: (`realistic_fleet(400)`: 11 000 variables, 5-13 s on a loaded machine, for no better bound; `realistic_fleet(100)`
#: has about 1 800, the demo fleet 1 000)
MAX_VARIABLES = 10_000
# the dual simplex: 2-4 times faster than GLOP's default primal on the assignment models of 100 workloads
_GLOP_PARAMETERS = "use_dual_simplex: true"


def lp_bound(model, deadline: float | None = None) -> tuple[float, list[float]] | None:
    """A lower bound on the objective of the CP-SAT model ``model`` (minimised, in the model's own units: scaling
    and offset applied) and the relaxation's solution (a value per variable, by index), or None when GLOP does not
    prove the relaxation's optimum (or ``deadline``, a ``time.perf_counter()`` value, has passed)."""
    from ortools.linear_solver import pywraplp

    proto = model.proto
    if not _has(proto, "objective") or proto.objective.scaling_factor < 0:
        return None
    if len(proto.variables) > MAX_VARIABLES:
        return None
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:
        return None
    lp.SetSolverSpecificParametersAsString(_GLOP_PARAMETERS)
    if deadline is not None and deadline <= time.perf_counter():
        return None
    # (OR-Tools' C++-backed repeated fields take no negative index: lists first)
    xs = []
    for v in proto.variables:
        domain = list(v.domain)
        xs.append(lp.NumVar(float(domain[0]), float(domain[-1]), ""))

    def ref(r: int, c: float):
        """A reference ``r`` (negative: the negation of variable ``-r - 1``) with coefficient ``c``: (var, coef,
        constant)."""
        return (xs[r], c, 0.0) if r >= 0 else (xs[-r - 1], -c, c)

    for k, ct in enumerate(proto.constraints):
        if k % 1024 == 1023 and deadline is not None and time.perf_counter() > deadline:
            return None
        if not _has(ct, "linear") or len(ct.enforcement_literal):
            continue
        domain = list(ct.linear.domain)
        lo, hi = domain[0], domain[-1]
        row = lp.Constraint(-lp.infinity() if lo <= -(1 << 62) else float(lo),
                            lp.infinity() if hi >= (1 << 62) else float(hi))
        shift = 0.0
        for r, c in zip(ct.linear.vars, ct.linear.coeffs):
            x, a, k = ref(r, float(c))
            row.SetCoefficient(x, row.GetCoefficient(x) + a)
            shift += k
        if shift:
            row.SetBounds(row.lb() - shift, row.ub() - shift)
    obj = lp.Objective()
    constant = float(proto.objective.offset)
    for r, c in zip(proto.objective.vars, proto.objective.coeffs):
        x, a, k = ref(r, float(c))
        obj.SetCoefficient(x, obj.GetCoefficient(x) + a)
        constant += k
    obj.SetMinimization()
    if deadline is not None:
        left = deadline - time.perf_counter()
        if left <= 0:
            return None
        lp.SetTimeLimit(max(int(left * 1000), 1))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    scale = proto.objective.scaling_factor or 1.0
    value = (obj.Value() + constant) * scale
    return value - _TOLERANCE * max(abs(value), 1.0), [x.solution_value() for x in xs]


def _has(message, name: str) -> bool:
    """Whether the proto ``message`` has the field ``name`` set (OR-Tools' C++-backed protos, 9.13 on, and the
    protobuf ones before)."""
    has = getattr(message, f"has_{name}", None)
    return bool(has()) if has is not None else message.HasField(name)
