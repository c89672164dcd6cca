"""docs/explore.ipynb: a valid nbformat 4 notebook whose code cells run (executed here as
IPython would, without Jupyter: one namespace, the cell's last expression displayed)."""

from __future__ import annotations

import ast
import json
import re
import shutil
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "docs" / "explore.ipynb"
CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # nbformat 4.5's rule for cell ids
EXPECTED_CODE_CELLS = ["load", "check", "trace", "chart", "diagram"]


@pytest.fixture(scope="module")
def notebook() -> dict:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_the_notebook_is_nbformat_4(notebook):
    assert notebook["nbformat"] == 4 and notebook["nbformat_minor"] >= 5
    assert notebook["metadata"]["kernelspec"]["language"] == "python"
    ids = [cell["id"] for cell in notebook["cells"]]
    assert len(ids) == len(set(ids)) and all(CELL_ID.match(i) for i in ids)
    for cell in notebook["cells"]:
        assert cell["cell_type"] in ("markdown", "code")
        assert isinstance(cell["metadata"], dict)
        assert isinstance(cell["source"], (list, str))
        if cell["cell_type"] == "code":
            # stored clean: no outputs from someone's run
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_the_notebook_has_the_expected_cells(notebook):
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert [cell["id"] for cell in code] == EXPECTED_CODE_CELLS
    sources = {cell["id"]: _source(cell) for cell in code}
    assert "load_file(" in sources["load"]
    assert "check(" in sources["check"] and sources["check"].rstrip().endswith("result")
    assert notebook["cells"][0]["cell_type"] == "markdown"


class _Formatter:
    """One of IPython's display formatters: functions registered by type."""

    def __init__(self):
        self.by_type = {}

    def for_type(self, type_, function):
        self.by_type[type_] = function


class _IPython:
    """The part of an IPython shell tcpcheck.notebook registers with."""

    def __init__(self):
        self.display_formatter = type("DisplayFormatter", (), {})()
        self.display_formatter.formatters = {"text/html": _Formatter(),
                                             "image/svg+xml": _Formatter()}


class _Display:
    """IPython's ``display`` as far as the notebook uses it: objects shown through the
    formatters registered with the shell, and mime bundles with ``raw=True``."""

    def __init__(self, shell: _IPython):
        self.shell = shell
        self.shown = []  # (mime type, data)

    def __call__(self, *objects, raw: bool = False):
        for obj in objects:
            if raw:
                self.shown += list(obj.items())
                continue
            for mime, formatter in self.shell.display_formatter.formatters.items():
                if type(obj) in formatter.by_type:
                    self.shown.append((mime, formatter.by_type[type(obj)](obj)))
                    break
            else:
                self.shown.append(("text/plain", repr(obj)))


def _run_cell(source: str, namespace: dict, display: _Display) -> None:
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    if last is not None:
        tree.body.pop()
    exec(compile(tree, "<cell>", "exec"), namespace)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
        if value is not None:
            display(value)


@pytest.mark.skipif(shutil.which("dot") is None, reason="the diagram cell needs Graphviz's dot")
def test_the_code_cells_run(notebook, monkeypatch, capsys):
    monkeypatch.chdir(NOTEBOOK.parent)  # Jupyter runs a notebook in its own folder
    shell = _IPython()
    fake_ipython = types.ModuleType("IPython")
    fake_ipython.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython)
    display = _Display(shell)
    namespace = {"display": display, "__name__": "__main__"}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            _run_cell(_source(cell), namespace, display)
    printed = capsys.readouterr().out
    assert "two_way_handshake endpoints: client, server" in printed
    assert "client crashes and restarts" in printed  # the counterexample's steps
    kinds = [kind for kind, _ in display.shown]
    assert kinds == ["text/html", "image/svg+xml", "image/svg+xml"]
    assert "VIOLATED" in display.shown[0][1]
    for _, svg in display.shown[1:]:
        ET.fromstring(svg)  # well-formed
