"""The package's layers, read from the code's own imports (every ``import``, also those
inside functions): data flows one way, language -> model -> engine -> analyses ->
explain/render -> commands, and a few rules of the brief hold by construction."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tcpcheck"


def _unit(module: str) -> str:
    """tcpcheck.render.svg -> render; tcpcheck.result -> result (a package or a module)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """The absolute names ``path`` imports (relative imports resolved)."""
    here = _module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            stem = ".".join([*base, *([node.module] if node.module else [])])
            found.add(stem)
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


IMPORTS = {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _units_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, names in IMPORTS.items():
        source = _unit(module)
        for name in names:
            if name.startswith("tcpcheck.") and _unit(name) != source:
                target = _unit(name)
                if (PACKAGE / target).is_dir() or (PACKAGE / f"{target}.py").exists():
                    graph.setdefault(source, set()).add(target)
    return graph


def _importers_of(prefix: str) -> set[str]:
    return {m for m, names in IMPORTS.items()
            if any(n == prefix or n.startswith(prefix + ".") for n in names)}


def test_the_packages_import_each_other_without_a_circle():
    graph = _units_graph()
    done, on_path = set(), []

    def visit(unit):
        if unit in on_path:
            cycle = on_path[on_path.index(unit):] + [unit]
            pytest.fail("a circle of imports: " + " -> ".join(cycle))
        if unit in done:
            return
        on_path.append(unit)
        for target in sorted(graph.get(unit, ())):
            visit(target)
        on_path.pop()
        done.add(unit)

    for unit in sorted(graph):
        visit(unit)


@pytest.mark.parametrize("lower, higher", [
    ("lang", "model"), ("model", "engine"), ("engine", "explicit"), ("engine", "native"),
    ("explicit", "analyses"), ("analyses", "render"), ("render", "explain"),
    ("explain", "commands"), ("render", "commands"),
])
def test_a_lower_layer_never_imports_a_higher_one(lower, higher):
    offenders = {m for m in _importers_of(f"tcpcheck.{higher}") if _unit(m) == lower}
    assert not offenders, f"{lower} imports {higher}: {sorted(offenders)}"


@pytest.mark.parametrize("library, owner", [("z3", "symbolic"), ("lark", "lang")])
def test_only_one_stage_imports_each_library(library, owner):
    assert {_unit(m) for m in _importers_of(library)} == {owner}


def test_an_engine_never_reads_source_text():
    for engine in ("engine", "explicit", "native"):
        assert not {m for m in _importers_of("tcpcheck.lang") if _unit(m) == engine}


def test_a_renderer_never_explores():
    explorers = ("tcpcheck.explicit", "tcpcheck.native", "tcpcheck.symbolic",
                 "tcpcheck.engine.search", "tcpcheck.engine.registry")
    offenders = {m for prefix in explorers for m in _importers_of(prefix)
                 if _unit(m) == "render"}
    assert not offenders, sorted(offenders)


def test_a_record_never_imports_a_renderer():
    records = {"tcpcheck.result", "tcpcheck.trace.records", "tcpcheck.engine.state"}
    records |= {m for m in IMPORTS if _unit(m) == "analyses"}
    offenders = {m for m in _importers_of("tcpcheck.render") if m in records}
    assert not offenders, sorted(offenders)


def test_the_reader_of_imports_sees_a_known_edge():
    # guards the test itself: a parser that saw nothing would pass every rule above
    assert "tcpcheck.render.lang" in IMPORTS["tcpcheck.explain.words"] or \
        "tcpcheck.render.lang.TABLES" in IMPORTS["tcpcheck.explain.words"]
    assert "render" in _units_graph()["explain"]
