"""The shape of the code: which package may import which.

Read statically from the source (every import statement, at module level or inside a
function), and followed through Ordinance's own modules, so that an import reached
indirectly counts too.
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "webapp", "samplecity", "benchmarks")


def _module_name(path: Path) -> str:
    """The dotted module name of a source file under ROOT."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def sources() -> dict[str, Path]:
    """Every module of Ordinance's own packages (migrations aside) by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


@cache
def imports_of(module: str) -> frozenset[str]:
    """The dotted names a module imports, directly (a `from a import b` names both a and a.b)."""
    names: set[str] = set()
    tree = ast.parse(sources()[module].read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(names)


def reached_from(module: str) -> set[str]:
    """Every name imported by a module or by any of Ordinance's modules it reaches, with the packages on the way."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        current = todo.pop()
        for name in imports_of(current):
            if name in seen:
                continue
            seen.add(name)
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):
                prefix = ".".join(parts[:depth])
                if prefix in sources() and prefix not in seen | {current}:
                    seen.add(prefix)
                    todo.append(prefix)
            if name in sources():
                todo.append(name)
    return seen


def offending(names: set[str] | frozenset[str], forbidden: tuple[str, ...]) -> list[str]:
    """The names that are, or are inside, one of the forbidden packages."""
    return sorted(n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden))


def modules_in(package: str) -> list[str]:
    """Every module of a package, itself included."""
    return sorted(m for m in sources() if m == package or m.startswith(package + "."))


CORE_FORBIDS = ("sqlalchemy", "engine.store", "engine.workflow", "engine.money.billing", "engine.money.ledger",
                "engine.money.payments", "engine.rulebook", "engine.sweeps", "flask", "webapp")


@pytest.mark.parametrize("module", modules_in("engine.rules"))
def test_the_rule_core_touches_no_database_runtime_or_billing(module):
    assert offending(reached_from(module), CORE_FORBIDS) == []


@pytest.mark.parametrize("module", modules_in("engine"))
def test_the_engine_never_imports_the_sample_city_benchmarks_or_the_web_app(module):
    assert offending(imports_of(module), ("samplecity", "benchmarks", "webapp", "flask")) == []


def test_the_checks_above_can_fail():
    """A module that imports the database through another is caught (the closure is followed)."""
    assert offending(reached_from("engine.rulebook.store"), CORE_FORBIDS)
    assert offending(imports_of("webapp.cli.demo"), ("samplecity",))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


def module_graph() -> dict[str, set[str]]:
    """Each engine module with the engine modules it imports (a module importing its own package aside)."""
    engine = [m for m in sources() if m.startswith("engine.")]
    return {m: {n for n in imports_of(m) if n in engine and n != m and not m.startswith(n + ".")} for m in engine}


def package_of(name: str) -> str:
    """The engine package a module belongs to; engine.money.amounts is pure arithmetic, its own node."""
    if name.startswith("engine.money.amounts") or name == "engine.money":
        return "engine.money.amounts"
    return ".".join(name.split(".")[:2])


def package_graph() -> dict[str, set[str]]:
    """Each engine package with the engine packages its modules import."""
    graph: dict[str, set[str]] = {}
    for module in (m for m in sources() if m.startswith("engine.") and m.count(".") >= 1):
        graph.setdefault(package_of(module), set()).update(
            package_of(n) for n in imports_of(module) if n in sources() and n.startswith("engine.")
            and package_of(n) != package_of(module))
    for targets in list(graph.values()):
        for target in targets:
            graph.setdefault(target, set())
    return graph


def test_no_circle_of_imports_between_engine_modules():
    """A package's __init__ importing its own modules is not a circle; two modules needing each other is."""
    assert _cycles(module_graph()) == []


def test_no_circle_of_imports_between_engine_packages():
    """engine.money.amounts is pure arithmetic the rule core may use; it is its own node here."""
    assert _cycles(package_graph()) == []


def test_the_circle_checks_can_fail():
    """One import more, an action calling back into the runtime or the rule core reading the store, is a circle."""
    modules = module_graph()
    modules["engine.workflow.actions.open_linked"].add("engine.workflow.runtime")
    [circle] = _cycles(modules)
    assert {"engine.workflow.actions.open_linked", "engine.workflow.runtime"} <= set(circle)
    packages = package_graph()
    packages["engine.rules"].add("engine.rulebook")
    [circle] = _cycles(packages)
    assert {"engine.rulebook", "engine.rules"} <= set(circle)
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_workflow_actions_never_reach_the_runtime():
    """The runtime runs the actions and hands them what they need (StepContext.open_linked)."""
    assert "engine.workflow.runtime" not in reached_from("engine.workflow.actions")


# --- the core's types, not Any ---------------------------------------------------------------------------------------

CORE_PACKAGES = ("engine.rules", "engine.rulebook", "engine.workflow")
CORE_OBJECTS = ("session", "db", "library", "rules", "workflows", "services", "catalog", "doc", "document")


def _parameters(tree: ast.AST) -> list[tuple[str, ast.arg]]:
    """Every annotated parameter of every function of a module, with its function's name."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg,
                        arguments.kwarg]:
                if arg is not None and arg.annotation is not None:
                    found.append((node.name, arg))
    return found


def _says_any(annotation: ast.expr) -> bool:
    """True when an annotation is, or holds, typing's Any."""
    return any(isinstance(n, ast.Name) and n.id == "Any" or isinstance(n, ast.Attribute) and n.attr == "Any"
               for n in ast.walk(annotation))


def parameters_typed_any(module: str, tree: ast.AST) -> list[str]:
    """The parameters that say Any where the core has a type: any parameter of the rule core, the rulebook and the
    workflow; anywhere in the engine, a session, a library, the rules, the workflows or the catalog."""
    core = any(module == p or module.startswith(p + ".") for p in CORE_PACKAGES)
    return [f"{module}.{function}({arg.arg})" for function, arg in _parameters(tree)
            if _says_any(arg.annotation) and (core or arg.arg in CORE_OBJECTS)]


def test_no_core_parameter_is_typed_any():
    """The issue counted 41 (`rules`, `workflows`, `services`); a value read from YAML or kept as JSON says so
    (engine.rules.types.YamlValue, JsonValue)."""
    found = [p for module in modules_in("engine") for p in parameters_typed_any(module, ast.parse(sources()[module]
                                                                                                  .read_text()))]
    assert found == []


def test_the_any_check_can_fail():
    tree = ast.parse("def run_sweep(factory, *, services: Any = None): ...\n"
                     "def read(spec: Mapping[str, typing.Any]): ...\ndef cell(value: Any): ...\n")
    assert parameters_typed_any("engine.sweeps.runner", tree) == ["engine.sweeps.runner.run_sweep(services)"]
    assert parameters_typed_any("engine.workflow.selectors", tree) == [
        "engine.workflow.selectors.run_sweep(services)", "engine.workflow.selectors.read(spec)",
        "engine.workflow.selectors.cell(value)"]
