"""Syntax errors: one diagnostic, code "syntax", the exact place, and what was expected
said in words (never a Lark terminal name such as NAME, LBRACE or __ANON_1)."""

from __future__ import annotations

import re

import pytest

from tcpcheck.diagnostics import ModelError
from tcpcheck.lang.grammar import model_parser
from tcpcheck.lang.parser import parse
from tcpcheck.loader import load_string

GOOD = """\
model m
endpoint a {
  states S0, S1
  initial S0
  var x : 0..3
  transition t: S0 -> S1 on open { x := 1 }
}
endpoint b {
  states L0
  initial L0
}
"""

# Every terminal name of the grammar, plus Lark's own end marker: none may reach a user.
TERMINAL_NAMES = sorted({t.name for t in model_parser().terminals} | {"$END"})


def syntax_error(text: str, file: str = "bad.tcp"):
    with pytest.raises(ModelError) as info:
        load_string(text, file)
    err = info.value
    assert len(err.diagnostics) == 1
    (d,) = err.diagnostics
    assert d.code == "syntax"
    assert d.severity == "error"
    assert d.span.file == file
    assert err.source == text
    assert_no_terminal_names(d.message)
    if d.hint:
        assert_no_terminal_names(d.hint)
    return d


def assert_no_terminal_names(message: str) -> None:
    assert "__ANON" not in message and "$END" not in message
    leaked = [n for n in TERMINAL_NAMES if re.search(rf"(?<![\w$]){re.escape(n)}(?!\w)", message)]
    assert leaked == [], f"terminal names leak into {message!r}"


def test_the_good_model_parses():
    tree = parse(GOOD)
    assert [e.name.name for e in tree.endpoints] == ["a", "b"]


def test_the_leak_check_would_catch_a_terminal_name():
    with pytest.raises(AssertionError):
        assert_no_terminal_names("expected LBRACE or NAME")
    with pytest.raises(AssertionError):
        assert_no_terminal_names("expected __ANON_3")


def test_missing_opening_brace():
    d = syntax_error(GOOD.replace("endpoint b {", "endpoint b"))
    # the parser meets 'states' on line 9, but the '{' is missing on line 8: the error is
    # reported just after the endpoint's name, on the line of the mistake
    assert (d.span.line, d.span.column) == (8, 11)
    assert "expected '{'" in d.message
    assert "found 'states' on line 9" in d.message


def test_missing_closing_brace_at_the_end_of_the_file():
    text = GOOD[: GOOD.rindex("}")]  # drop the last '}'
    d = syntax_error(text)
    # after "  initial L0" on line 10: the end of the file is just past its last character
    assert (d.span.line, d.span.column) == (10, 13)
    assert "'}'" in d.message
    assert "the end of the file" in d.message


def test_missing_closing_brace_of_a_block():
    d = syntax_error(GOOD.replace("{ x := 1 }", "{ x := 1"))
    # the endpoint's '}' on line 7 is taken as ending the block; then the parser meets
    # 'endpoint' on line 8 where a transition, variable, ... or '}' was due: the '}' is
    # missing after line 7's
    assert (d.span.line, d.span.column) == (7, 2)
    assert "'}'" in d.message and "found 'endpoint' on line 8" in d.message
    assert d.hint == "the '{' on line 2 is not closed"


def test_misspelled_keyword_in_an_endpoint():
    d = syntax_error(GOOD.replace("  initial S0", "  inital S0"))
    assert (d.span.line, d.span.column) == (4, 3)
    assert "found 'inital'" in d.message
    assert "'initial'" in d.message
    # only what can really follow a 'states' list (no ']' or '->' from other contexts)
    assert "']'" not in d.message and "'->'" not in d.message


def test_misspelled_transition_keyword():
    d = syntax_error(GOOD.replace("  transition t", "  transtion t"))
    assert (d.span.line, d.span.column) == (6, 3)
    assert "'transition'" in d.message and "found 'transtion'" in d.message


def test_misspelled_model_keyword():
    d = syntax_error("modle m\n")
    assert (d.span.line, d.span.column) == (1, 1)
    assert d.message == "expected 'model', but found 'modle'"


def test_misspelled_trigger():
    d = syntax_error(GOOD.replace("on open", "on opne"))
    assert (d.span.line, d.span.column) == (6, 29)
    for word in ("'open'", "'listen'", "'recv'", "'timeout'"):
        assert word in d.message


def test_equals_where_assignment_is_needed():
    d = syntax_error(GOOD.replace("x := 1", "x = 1"))
    # "  transition t: S0 -> S1 on open { x = 1 }": '=' is column 38
    assert (d.span.line, d.span.column) == (6, 38)
    assert "expected ':='" in d.message and "found '='" in d.message
    assert d.hint == "assignment is written ':='"


def test_equals_where_equality_is_needed():
    d = syntax_error(GOOD.replace("on open", "on open when x = 1"))
    # "  transition t: S0 -> S1 on open when x = 1 { ...": '=' is column 41
    assert (d.span.line, d.span.column) == (6, 41)
    assert "found '='" in d.message
    assert d.hint == "equality is written '=='"


def test_assignment_where_a_constant_needs_equals():
    d = syntax_error("model m\nconst N := 3\n")
    assert (d.span.line, d.span.column) == (2, 9)
    assert d.message == "expected '=', but found ':='"


@pytest.mark.parametrize("written, column", [("syn", 34), ("Ack", 34)])
def test_lowercase_flag_in_a_pattern(written, column):
    d = syntax_error(GOOD.replace("on open", f"on recv {written}"))
    assert (d.span.line, d.span.column) == (6, column)
    assert "a flag (SYN, ACK, FIN, RST, PSH, URG)" in d.message
    assert f"found '{written}'" in d.message
    assert d.hint == f"flags are written in capitals: {written.upper()}"


def test_lowercase_flag_in_a_send():
    d = syntax_error(GOOD.replace("x := 1", "send SYN+ack"))
    # "  transition t: S0 -> S1 on open { send SYN+ack }": 'ack' is column 45
    assert (d.span.line, d.span.column) == (6, 45)
    assert d.hint == "flags are written in capitals: ACK"


def test_garbage_character():
    d = syntax_error(GOOD.replace("states S0, S1", "states S0, S1 @"))
    assert (d.span.line, d.span.column) == (3, 17)
    assert d.message.startswith("unexpected character '@'")
    assert "expected" in d.message and "'initial'" in d.message


def test_garbage_character_after_a_tab():
    d = syntax_error("model m\nendpoint a {\n\tstates S0 $\n}\n")
    assert (d.span.line, d.span.column) == (3, 12)
    assert d.message.startswith("unexpected character '$'")


def test_unexpected_end_of_file_inside_an_expression():
    d = syntax_error("model m\nconst N = ")
    assert (d.span.line, d.span.column) == (2, 10)  # just after the '='
    assert "an expression" in d.message
    assert "but found the end of the file" in d.message


def test_unexpected_end_of_file_after_trailing_newlines():
    d = syntax_error("model m\nendpoint a {\n  states S0\n\n\n")
    # reported just after the last character written, not on an empty last line
    assert (d.span.line, d.span.column) == (3, 12)
    assert "the end of the file" in d.message


def test_empty_file():
    d = syntax_error("")
    assert (d.span.line, d.span.column) == (1, 1)
    assert d.message == "expected 'model', but found the end of the file"


def test_missing_arrow_in_a_selector():
    d = syntax_error(GOOD + "property p: always at a: a.x == 1\n")
    assert (d.span.line, d.span.column) == (12, 24)
    assert d.message == "expected '->' or '.', but found ':'"


def test_chained_comparison_is_a_syntax_error():
    d = syntax_error(GOOD + "property p: always a.x == 1 == 2\n")
    assert (d.span.line, d.span.column) == (12, 29)
    assert "found '=='" in d.message


def test_keyword_used_as_a_name():
    d = syntax_error(GOOD.replace("var x : 0..3", "var seq : 0..3"))
    assert (d.span.line, d.span.column) == (5, 7)
    assert "a name" in d.message and "found 'seq'" in d.message


def test_every_syntax_error_is_reported_once():
    with pytest.raises(ModelError) as info:
        load_string(GOOD.replace("initial S0", "inital S0").replace("initial L0", "inital L0"))
    assert [(d.code, d.span.line, d.span.column) for d in info.value.diagnostics] == \
        [("syntax", 4, 3), ("syntax", 10, 3)]
    assert all(d.hint == "did you mean 'initial'?" for d in info.value.diagnostics)


def test_parse_raises_model_error_with_source():
    with pytest.raises(ModelError) as info:
        parse("model m\n@", "x.tcp")
    assert info.value.source == "model m\n@"
    assert str(info.value).startswith("x.tcp:2:1: unexpected character '@'")
