"""The package's layers: imports point one way, down the list, and there is no import circle.

Each module's `sim.*` imports are read from its source (ast), including imports inside functions,
so the rule holds for lazy imports too.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"

# Lowest first: a module may import from its own layer and from layers before it, never after.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("version", "model", "scenario"),
    ("runner", "data"),
    ("analysis",),
    ("experiments", "validation"),
    ("report",),
    ("api",),
    ("cli", "app", "__main__"),
)
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}
HEAVY_LIBRARIES = ("pandas", "pydantic", "matplotlib")


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(SIM.rglob("*.py"))}


def imported(path: Path) -> set[str]:
    """The modules a file imports (absolute and relative, anywhere in the file)."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "sim" or len(parts) < 2:
        return None
    return parts[1]


def sim_imports(path: Path, known: dict[str, Path]) -> set[str]:
    return {name for name in imported(path) if name in known and name != module_name(path)}


def test_every_module_belongs_to_a_layer():
    unplaced = sorted(m for m in modules() if m != "sim" and layer_of(m) not in RANK)
    assert not unplaced, f"modules outside every layer: {unplaced}"


def test_imports_point_down_the_layers():
    known = modules()
    upward = []
    for name, path in known.items():
        own = layer_of(name)
        if own is None:
            continue
        for target in sim_imports(path, known):
            other = layer_of(target)
            if other is not None and RANK[other] > RANK[own]:
                upward.append(f"{name} -> {target}")
    assert not upward, "imports from a higher layer:\n" + "\n".join(sorted(upward))


def test_no_import_circle():
    known = modules()
    graph = {name: sim_imports(path, known) - {"sim"} for name, path in known.items()}
    for package in [m for m in known if known[m].name == "__init__.py"]:
        graph[package] -= {m for m in graph[package] if m.startswith(package + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            pytest.fail("import circle: " + " -> ".join(cycle))


@pytest.mark.parametrize("library", HEAVY_LIBRARIES)
def test_model_imports_no_heavy_library(library):
    users = [name for name, path in modules().items() if layer_of(name) == "model"
             and any(imp.split(".")[0] == library for imp in imported(path))]
    assert not users, f"sim.model modules importing {library}: {users}"


@pytest.mark.parametrize("constant", ["DAYS_PER_YEAR", "DAYS_PER_MONTH", "DEFAULT_CAPS"])
def test_shared_constants_are_defined_once(constant):
    homes = []
    for name, path in modules().items():
        for node in ast.parse(path.read_text()).body:
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, ast.AnnAssign) else [])
            if any(isinstance(t, ast.Name) and t.id == constant for t in targets):
                homes.append(name)
    assert len(homes) == 1, f"{constant} is defined in {homes}"
