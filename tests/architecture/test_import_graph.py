"""The house plan, enforced: stages import only themselves, earlier stages or the core; no import
cycle between modules; no stage imports another stage's private names; no module outgrows 400
lines. Read from the source with `ast` (lazy imports inside functions count too, `TYPE_CHECKING`
blocks do not), so a violation fails here before anyone has to notice it in review."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "simulator"

# Bottom to top: a stage may import its own modules and those of any stage before it.
LAYERS = ("core", "words", "spec", "values", "llm", "load", "plan", "simulate", "judge", "curate", "export",
          "run", "review", "eval", "author", "cli")
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "(face)"


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _parse(source: str) -> ast.Module:
    """`ast.parse` with the garbage collector paused: on CPython 3.11 a collection that runs
    finalizers (objects earlier tests left behind) in the middle of building the tree trips its
    recursion-depth check ("AST constructor recursion depth mismatch"), depending on test order."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(source)
    finally:
        if was_enabled:
            gc.enable()


def imports_of(path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every simulator import outside TYPE_CHECKING."""
    tree = _parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, list[str], int]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("simulator"):
            found.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((a.name, [], node.lineno) for a in node.names if a.name.startswith("simulator"))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(module: str, names: list[str]) -> list[str]:
    """The modules an import statement really loads: `from simulator.a import b` is module
    `simulator.a.b` when that is a module, else names of package `simulator.a`."""
    targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES]
    return targets if len(targets) == len(names) and names else [module]


def graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for name, path in MODULES.items():
        g.add_node(name)
        for module, names, _ in imports_of(path):
            for target in resolve(module, names):
                if target != name:
                    g.add_edge(name, target)
    return g


def test_every_stage_is_a_known_layer():
    stages = {stage_of(m) for m in MODULES} - {"(face)"}
    assert stages <= set(LAYERS), f"stages outside the plan: {stages - set(LAYERS)}"


@pytest.mark.slow
def test_no_import_cycle():
    g = graph()
    # A package's __init__ re-exporting its modules is not a cycle of design: drop edges into
    # a package face from its own modules.
    g.remove_edges_from([(a, b) for a, b in list(g.edges) if a.startswith(b + ".")])
    cycles = list(nx.simple_cycles(g))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c + [c[0]]) for c in cycles[:5])


@pytest.mark.slow
def test_imports_point_down_the_pipeline():
    wrong = []
    for name, path in MODULES.items():
        here = stage_of(name)
        if here == "(face)":
            continue
        for module, _, line in imports_of(path):
            there = stage_of(module)
            if there == "(face)":
                wrong.append(f"{path.relative_to(ROOT)}:{line}: imports the package face {module}")
            elif LAYERS.index(there) > LAYERS.index(here):
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {here} imports {module} ({there} comes later)")
    assert not wrong, "\n".join(wrong)


def test_no_stage_imports_another_stages_private_names():
    wrong = []
    for name, path in MODULES.items():
        for module, names, line in imports_of(path):
            if stage_of(module) == stage_of(name):
                continue
            private = [n for n in names if n.startswith("_")]
            private += [p for p in module.split(".") if p.startswith("_") and p != "__init__"]
            if private:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: takes {', '.join(private)} from {module}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", [p for p in MODULES.values()], ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (at most {MAX_LINES})"


def test_tool_sims_use_only_the_public_toolkit():
    """Tool-sim modules are what users copy: they import from the package face or from a module's
    declared `__all__`, never a name the package does not promise."""
    wrong = []
    for path in sorted((ROOT / "tool_sims").glob("*.py")):
        for module, names, line in imports_of(path):
            if module == "simulator":
                continue
            exported = _declared_all(MODULES.get(module))
            undeclared = [n for n in names if exported is None or n not in exported]
            if undeclared:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {', '.join(undeclared)} not in {module}.__all__")
    assert not wrong, "\n".join(wrong)


def _declared_all(path: Path | None) -> set[str] | None:
    if path is None:
        return None
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return None
