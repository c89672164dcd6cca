"""Rendering a diagnostic as text: ``file:line:col``, the source line, a caret under it."""

from __future__ import annotations

import pytest

from tcpcheck.diagnostics import Diagnostic, ModelError, Span
from tcpcheck.loader import load_string
from tcpcheck.render import text

SOURCE = """model m
endpoint client {
  states CLOSED, OPEN
  initial CLOSED
  transition go: CLOSED -> OPNE on open
}
endpoint server {
  states LISTEN
  initial LISTEN
}
"""


def rendered_lines(d: Diagnostic, source: str | None):
    return text.diagnostic(d, source).split("\n")


def caret_column(head_gutter: str, caret_line: str) -> int:
    """The 1-based source column the first caret stands under."""
    gutter = head_gutter[: head_gutter.index("| ") + 2]
    return caret_line.index("^") - len(gutter) + 1


def load_error(source: str, file: str = "m.tcp") -> ModelError:
    with pytest.raises(ModelError) as info:
        load_string(source, file)
    return info.value


def test_semantic_error_shows_place_source_line_and_caret():
    err = load_error(SOURCE)
    d = err.errors[0]
    head, quoted, caret = rendered_lines(d, err.source)
    assert head.startswith("m.tcp:5:28: error: ")
    assert head.endswith("(did you mean 'OPEN'?)")
    assert quoted.endswith("|   transition go: CLOSED -> OPNE on open")
    assert quoted.lstrip().startswith("5 |")
    assert caret_column(quoted, caret) == 28
    # the caret underlines the whole name, and nothing else
    assert caret.split("|", 1)[1].strip() == "^^^^"
    source_line = SOURCE.splitlines()[4]
    start = caret.index("^") - (quoted.index("| ") + 2)
    assert source_line[start:start + caret.count("^")] == "OPNE"


def test_syntax_error_caret_points_at_the_offending_token():
    source = SOURCE.replace("initial CLOSED", "inital CLOSED")
    err = load_error(source, "s.tcp")
    (d,) = err.diagnostics
    head, quoted, caret = rendered_lines(d, err.source)
    assert head.startswith("s.tcp:4:3: error: expected ")
    assert quoted.endswith("|   inital CLOSED")
    assert caret_column(quoted, caret) == 3
    assert caret.count("^") == len("inital")  # the whole unexpected token


def test_caret_column_on_a_line_with_a_tab():
    source = "model m\nendpoint a {\n\tstates S0 $\n}\n"
    err = load_error(source)
    (d,) = err.diagnostics
    _, quoted, caret = rendered_lines(d, err.source)
    assert "\t" not in quoted  # a tab is shown as one space, the width Lark counts
    assert caret_column(quoted, caret) == d.span.column == 12
    assert quoted[caret.index("^")] == "$"


def test_caret_aligns_for_a_line_number_of_several_digits():
    source = "\n" * 120 + SOURCE
    err = load_error(source)
    d = err.errors[0]
    head, quoted, caret = rendered_lines(d, err.source)
    assert head.startswith("m.tcp:125:28: ")
    assert quoted.lstrip().startswith("125 |")
    assert caret_column(quoted, caret) == 28
    assert quoted[caret.index("^"):].startswith("OPNE")


def test_multi_line_span_gets_a_single_caret():
    d = Diagnostic("x", "spans lines", Span("f", 2, 3, 4, 1))
    _, quoted, caret = rendered_lines(d, "a\nbcdef\ng\nh\n")
    assert caret.count("^") == 1
    assert quoted[caret.index("^")] == "d"


def test_warning_renders_with_its_severity():
    d = Diagnostic("unreachable-state", "state 'X' is never entered", Span("w.tcp", 1, 7, 1, 8),
                   "warning")
    head, quoted, caret = rendered_lines(d, "model m\n")
    assert head == "w.tcp:1:7: warning: state 'X' is never entered"
    assert quoted[caret.index("^")] == "m"


def test_without_source_only_the_head_line():
    d = Diagnostic("x", "no source", Span("f.tcp", 3, 4))
    assert text.diagnostic(d, None) == "f.tcp:3:4: error: no source"


def test_line_outside_the_source_only_the_head_line():
    d = Diagnostic("x", "far away", Span("f.tcp", 9, 1))
    assert text.diagnostic(d, "one line\n") == "f.tcp:9:1: error: far away"


def test_model_error_renders_every_diagnostic_and_a_count():
    source = SOURCE.replace("initial LISTEN", "initial LISTN").replace(
        "states CLOSED, OPEN", "states CLOSED, OPEN, NEVER")
    err = load_error(source)
    out = text.model_error(err)
    assert "m.tcp:5:28: error:" in out
    assert "m.tcp:9:11: error:" in out
    assert "m.tcp:3:18: warning:" in out  # OPEN: the only transition to it names OPNE
    assert "m.tcp:3:24: warning:" in out  # NEVER
    assert (out.index("m.tcp:5:28") < out.index("m.tcp:9:11") < out.index("m.tcp:3:18")
            < out.index("m.tcp:3:24"))
    assert out.endswith("2 errors in the model")
    assert out.count("^") == 4 + 5 + 4 + 5


def test_thousands_of_errors_list_the_first_hundred_and_count_them_all():
    source = SOURCE.replace("OPNE", "OPEN") + "".join(f"const C{i} = X\n" for i in range(300))
    err = load_error(source)
    assert len(err.errors) == len(err.diagnostics) == 300
    lines = text.model_error(err).splitlines()
    assert lines[-2] == f"... and {300 - text.MAX_SHOWN} more diagnostics"
    assert lines[-1] == "300 errors in the model"
    assert sum(1 for l in lines if ": error: " in l) == text.MAX_SHOWN
