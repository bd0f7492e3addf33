"""The package's layout stays layered (issue 13): its imports, read with `ast`, form no circle; each layer imports
only its own layer and those below; production code never imports the pure-Python reference (`fleetpack.baseline`,
`fleetpack.reference`); the verifier imports only the errors and the model; no module is much above 600 lines.

Imports under ``if TYPE_CHECKING:`` do not count (they never run); imports inside functions do (they run, later).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "python" / "fleetpack"
MAX_LINES = 650

# Bottom to top; a module may import its own layer and those below. `reference` sits beside `plan`; the package's
# own `__init__` (the public names, and `__version__` for the CLI) sits with the CLI at the top, and so does the public
# scale-out module `distributed` (its `place_iter` shows the CLI's progress line).
LAYERS = (
    ("fleetpack.errors",),
    ("fleetpack.model", "fleetpack._core"),
    ("fleetpack.plan", "fleetpack.reference"),
    ("fleetpack.exact",),
    ("fleetpack.solve",),
    ("fleetpack.api", "fleetpack.baseline", "fleetpack.frontier"),
    ("fleetpack.capacity",),
    ("fleetpack.verify", "fleetpack.verify_groups", "fleetpack.verify_capacity", "fleetpack.fleetfile",
     "fleetpack.kube"),
    ("fleetpack.bench", "fleetpack.datasets", "fleetpack.generators"),
    ("fleetpack.cli", "fleetpack.__main__", "fleetpack", "fleetpack.distributed"),
)
REFERENCE = ("fleetpack.baseline", "fleetpack.reference")
VERIFIER_MAY_IMPORT = ("fleetpack.errors", "fleetpack.model")


def _pending_exact_split() -> tuple[set[tuple[str, str]], set[str]]:
    """What the split of the flat ``exact.py`` into the ``exact/`` package (another change of issue 13) removes:
    its import of the baseline's lower bound, and its length. Applies only while the flat module exists."""
    if not (PACKAGE / "exact.py").exists():
        return set(), set()
    return {("fleetpack.exact", "fleetpack.baseline")}, {"fleetpack.exact"}


PENDING_EDGES, PENDING_LONG = _pending_exact_split()


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path | None]:
    modules: dict[str, Path | None] = {_name(p): p for p in PACKAGE.rglob("*.py")}
    modules.setdefault("fleetpack._core", None)  # the extension module: imports nothing of the package
    return modules


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """The ids of the nodes under ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else None
            if name == "TYPE_CHECKING":
                for statement in node.body:
                    skipped.update(id(n) for n in ast.walk(statement))
    return skipped


def _resolve(target: str, modules: dict) -> str | None:
    """The module an import of ``target`` loads: the longest known module that names it (``pkg.mod.name`` with
    ``name`` a function or class is ``pkg.mod``); None outside the package."""
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def import_graph() -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        if path is None:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        skipped = _type_checking_nodes(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base_parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(base_parts + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                # `from pkg import sub` loads the submodule `pkg.sub`; `from pkg import name` the package
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                resolved = _resolve(target, modules) if target.startswith("fleetpack") else None
                if resolved is not None and resolved != name and (name, resolved) not in PENDING_EDGES:
                    graph[name].add(resolved)
    return graph


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The circles of the graph: its strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return circles


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _layer(module: str) -> int:
    """The layer of a module: the one whose name is the longest prefix of it."""
    best, rank = -1, None
    for k, names in enumerate(LAYERS):
        for prefix in names:
            if _within(module, (prefix,)) and len(prefix) > best:
                best, rank = len(prefix), k
    assert rank is not None, f"{module} is in no layer of tests/test_layout.py: give it one"
    return rank


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_the_graph_sees_the_imports_it_should(graph):
    # the reader itself: relative, absolute and function-level imports are edges, TYPE_CHECKING ones are not
    assert "fleetpack.api" in graph["fleetpack"]  # `from .api import place`
    assert "fleetpack.exact" in graph["fleetpack.solve.pipeline"]  # inside a function
    assert "fleetpack.plan.plan" not in graph["fleetpack.plan.view"]  # under TYPE_CHECKING
    assert "fleetpack.reference.bounds" in graph["fleetpack.baseline"]


def test_no_import_circle(graph):
    assert import_circles(graph) == []


def test_import_circles_are_found():
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_each_layer_imports_only_its_own_and_those_below(graph):
    upward = [(m, t) for m, targets in graph.items() for t in sorted(targets) if _layer(t) > _layer(m)]
    assert upward == []


def test_production_code_never_imports_the_reference(graph):
    offenders = [(m, t) for m, targets in graph.items() if not _within(m, REFERENCE)
                 for t in sorted(targets) if _within(t, REFERENCE)]
    assert offenders == []


def test_the_verifier_imports_only_the_errors_and_the_model(graph):
    # (its statement of the group rules is a module of its own, held to the same)
    allowed = (*VERIFIER_MAY_IMPORT, "fleetpack.verify_groups")
    assert {t for t in graph["fleetpack.verify"] if not _within(t, allowed)} == set()
    assert {t for t in graph["fleetpack.verify_groups"] if not _within(t, VERIFIER_MAY_IMPORT)} == set()


def test_no_module_is_long():
    long = {name: n for name, path in _modules().items() if path is not None and name not in PENDING_LONG
            for n in [len(path.read_text(encoding="utf-8").splitlines())] if n > MAX_LINES}
    assert long == {}


def test_the_purchase_verifier_imports_only_the_errors_the_model_and_the_verifier(graph):
    allowed = (*VERIFIER_MAY_IMPORT, "fleetpack.verify")
    assert {t for t in graph["fleetpack.verify_capacity"] if not _within(t, allowed)} == set()
