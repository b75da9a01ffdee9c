"""The package layout: imports run only downward through the stages, there
is no import cycle, and the applications reach the stages only through the
pipeline.  Imports are read from the source (the module level and inside
functions alike), so a function-local import cannot hide an edge."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

DSL = Path(__file__).resolve().parent.parent / "dsl"

# lowest first; a module may import from its own stage and the ones before it
ORDER = ["core", "builtins", "language", "shapes", "frontends", "compute", "verify", "derive", "render",
         "pipeline", "api", "apps"]

# the stage modules an application must reach through dsl.pipeline
BEHIND_THE_PIPELINE = {"dsl.shapes.checker", "dsl.compute.evaluate", "dsl.compute.autodiff",
                       "dsl.verify.claims"}


def module_name(path: Path) -> str:
    parts = path.relative_to(DSL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(DSL.rglob("*.py"))}


def imported(source: str, known: set[str]) -> set[str]:
    """Every ``dsl`` module ``source`` imports, anywhere in it: ``from a.b
    import c`` is ``a.b.c`` when that is a module, else ``a.b``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
    return {m for m in found if m == "dsl" or m.startswith("dsl.")}


def stage(module: str) -> int | None:
    """The stage's place in ORDER; None for the package root (``import dsl``
    and ``%load_ext dsl`` enter there) and ``__main__``."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] == "__main__":
        return None
    assert parts[1] in ORDER, f"{module}: dsl/{parts[1]} has no place in the stage order {ORDER}"
    return ORDER.index(parts[1])


def test_the_scanner_sees_function_level_imports():
    known = {"dsl.compute", "dsl.compute.evaluate", "dsl.pipeline"}
    source = ("from dsl import pipeline\n"
              "def f():\n"
              "    from dsl.compute import evaluate\n"
              "    import dsl.verify.claims\n")
    assert imported(source, known) == {"dsl.pipeline", "dsl.compute.evaluate", "dsl.verify.claims"}


@pytest.mark.parametrize("path", sorted((DSL / "apps").glob("*.py")), ids=lambda p: p.name)
def test_apps_reach_the_stages_through_the_pipeline(path):
    known = set(modules())
    direct = imported(path.read_text(encoding="utf-8"), known) & BEHIND_THE_PIPELINE
    assert not direct, f"dsl/apps/{path.name} imports {sorted(direct)}; call dsl.pipeline instead"


def test_imports_run_downward():
    known = modules()
    upward = []
    for name, path in known.items():
        own = stage(name)
        if own is None:
            continue
        for target in imported(path.read_text(encoding="utf-8"), set(known)):
            other = stage(target)
            if other is not None and other > own:
                upward.append(f"{name} -> {target}")
    assert upward == []


def test_no_import_cycle():
    known = modules()
    graph = {name: imported(path.read_text(encoding="utf-8"), set(known)) & set(known)
             for name, path in known.items()}
    state: dict[str, int] = {}          # 1: on the current path, 2: done
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                here = [*path, node]
                cycles.append(" -> ".join([*here[here.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, node])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert cycles == []


MAX_LINES = 400   # a module past this holds two ideas; split it where they part


@pytest.mark.parametrize("name", sorted(modules()))
def test_module_size(name):
    lines = modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines"
