"""tcpcheck.notebook: the records' Jupyter displays, registered with IPython's formatters,
and the records themselves free of any renderer."""

from __future__ import annotations

import ast
from pathlib import Path

from render.render_support import two_way_trace

import tcpcheck.notebook as notebook
from tcpcheck.render.svg import svg
from tcpcheck.result import CheckResult
from tcpcheck.trace.records import Trace

ROOT = Path(__file__).resolve().parents[1]


class _Formatter:
    def __init__(self):
        self.by_type = {}

    def for_type(self, type_, function):
        self.by_type[type_] = function


class _Shell:
    def __init__(self):
        self.display_formatter = type("DisplayFormatter", (), {})()
        self.display_formatter.formatters = {"text/html": _Formatter(),
                                             "image/svg+xml": _Formatter(),
                                             "text/plain": _Formatter()}


def test_load_ext_registers_a_display_for_results_and_traces():
    shell = _Shell()
    notebook.load_ipython_extension(shell)
    formatters = shell.display_formatter.formatters
    assert set(formatters["text/html"].by_type) == {CheckResult}
    assert set(formatters["image/svg+xml"].by_type) == {Trace}
    assert formatters["text/plain"].by_type == {}
    trace = two_way_trace()
    assert formatters["image/svg+xml"].by_type[Trace](trace) == svg(trace)


def test_enable_outside_ipython_does_nothing():
    assert notebook.enable() is False  # the suite does not run in IPython


def _imports(path: Path) -> set:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_records_never_import_a_renderer():
    records = [ROOT / "tcpcheck" / "result.py", *(ROOT / "tcpcheck" / "trace").glob("*.py")]
    for path in records:
        assert not {n for n in _imports(path) if n.startswith("tcpcheck.render")}, path
