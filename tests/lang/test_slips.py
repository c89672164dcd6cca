"""Syntax errors a beginner can act on (issue 11): several per file, counted right, on the
line of the mistake, with a hint for the common slips (tcpcheck.lang.slips).  Tests assert
codes, places and the telling part of a hint; a few golden files pin the whole rendering."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tcpcheck.diagnostics import ModelError
from tcpcheck.lang import slips
from tcpcheck.lang.grammar import model_parser
from tcpcheck.lang.recovery import MAX_SYNTAX_ERRORS
from tcpcheck.loader import load_string
from tcpcheck.render.text import model_error
from tests.golden import check_golden

GOLDEN = Path(__file__).resolve().parent / "golden"

GOOD = """\
model m
const N = 3
bounds { seqspace = 8 }
endpoint client {
  states CLOSED, SYN_SENT
  initial CLOSED
  var x : 0..3
  var iss : seq
  timer rexmt
  transition connect: CLOSED -> SYN_SENT on open when x < 3
  { choose iss  send SYN(seq=iss)  start rexmt 2  x := x + 1 }
  transition retry: SYN_SENT -> SYN_SENT on timeout rexmt { send SYN(seq=iss) }
}
endpoint server {
  states LISTEN
  initial LISTEN
  transition drop: LISTEN -> LISTEN on recv SYN ...
}
property bounded: always client.x <= 3
"""


def diagnostics(text: str):
    with pytest.raises(ModelError) as info:
        load_string(text, "m.tcp")
    return info.value.diagnostics


def one(text: str):
    found = diagnostics(text)
    assert len(found) == 1, [d.message for d in found]
    assert found[0].code == "syntax"
    return found[0]


def test_the_good_model_loads():
    load_string(GOOD, "m.tcp")


# (what is replaced, by what, the place of the error, a telling part of the hint)
SLIPS = [
    ("send SYN(seq=iss)  start", "send SYN ACK(seq=iss)  start", (11, 26), "SYN+ACK"),
    ("start rexmt 2  x := x + 1 }", "start rexmt\n  }", (11, 47), "duration"),
    ("x := x + 1", "x = x + 1", (11, 53), "':='"),
    ("when x < 3", "when x = 3", (10, 57), "'=='"),
    ("SYN_SENT on timeout", "SYN_SENT timeout", (12, 42), "'on'"),
    ("var x : 0..3", "var x 0..3", (7, 9), "':'"),
    ("var x : 0..3", "var x : int", (7, 14), "a range such as 0..3"),
    ("transition retry:", "transition retry", (12, 20), "':'"),
    ("property bounded:", "property bounded", (19, 18), "':'"),
    ("const N = 3", "const N := 3", (2, 9), "'='"),
    ("seqspace = 8", "seqspace == 8", (3, 19), "single '='"),
    ("send SYN(seq=iss)  start", "send SYN(seq := iss)  start", (11, 30), "seq=iss"),
    ("on recv SYN ...", "on recv SYN+ACK", (17, 48), "spaces"),
    ("x := x + 1 }", "if x == 1 then { x := 2 } }", (11, 61), "no 'then'"),
    ("x := x + 1 }", "if x == 1 { x := 2 } elif x == 2 { x := 3 } }", (11, 72), "else if"),
    ("send SYN(seq=iss)  start", "send (seq=iss)  start", (11, 22), "at least one flag"),
    ("  initial CLOSED", "  inital CLOSED", (6, 3), "did you mean 'initial'?"),
    ("transition retry", "trasition retry", (12, 3), "did you mean 'transition'?"),
    ("on open when", "on opne when", (10, 45), "did you mean 'open'?"),
    ("var x : 0..3", "var in : 0..3", (7, 7), "reserved word"),
    ("on recv SYN ...", "on recv syn ...", (17, 45), "capitals: SYN"),
    ("x := x + 1 }", "x := x + 1", (11, 61), "the '{' on line 11 is not closed"),
    ("}\nendpoint server", "}\n}\nendpoint server", (14, 1), "closes nothing"),
    ("when x < 3", "when x < 3 && x > 0", (10, 61), "'and'"),
    ("x := x + 1 }", "x := x + 1; }", (11, 61), "no ';'"),
    ("when x < 3", "when x < 3 || x > 0", (10, 61), "'or'"),
    ("states CLOSED, SYN_SENT", "states CLOSED SYN_SENT", (5, 17), "','"),
    ("send SYN(seq=iss)  start", "send SYN(seq=iss ack=1)  start", (11, 34), "','"),
]


@pytest.mark.parametrize("old, new, place, hint", SLIPS, ids=[s[1].split("\n")[0][:30] for s in SLIPS])
def test_a_common_slip_gets_a_hint_at_the_place_of_the_mistake(old, new, place, hint):
    assert GOOD.count(old) == 1
    d = one(GOOD.replace(old, new))
    assert (d.span.line, d.span.column) == place, d.message
    assert d.hint is not None and hint in d.hint, d.hint


def test_a_missing_token_at_the_end_of_a_line_is_reported_on_that_line():
    # the parser meets '}' on the next line; the duration is missing after 'rexmt'
    d = one(GOOD.replace("start rexmt 2  x := x + 1 }", "start rexmt\n  }"))
    assert d.span.line == 11 and "on line 12" in d.message
    # a wrong word that begins a line is reported where it is
    d = one(GOOD.replace("  initial CLOSED", "  inital CLOSED"))
    assert (d.span.line, d.span.column) == (6, 3)


def test_several_errors_are_reported_in_one_run_and_counted():
    text = (GOOD.replace("send SYN(seq=iss)  start", "send SYN ACK(seq=iss)  start")
                .replace("SYN_SENT on timeout", "SYN_SENT timeout")
                .replace("  initial LISTEN", "  inital LISTEN")
                .replace("property bounded:", "property bounded"))
    found = diagnostics(text)
    assert [(d.code, d.span.line) for d in found] == [("syntax", 11), ("syntax", 12),
                                                      ("syntax", 16), ("syntax", 19)]
    assert model_error(ModelError(found, text)).splitlines()[-1].startswith(
        "4 syntax errors in the model")


def test_an_error_that_follows_from_the_last_recovery_is_not_reported():
    # '&&' is skipped; the parser then meets 'x' where an operator was due: one mistake
    found = diagnostics(GOOD.replace("when x < 3", "when x < 3 && x > 0"))
    assert len(found) == 1


def test_the_parser_stops_after_the_limit_and_says_so():
    bad = "".join(f"  var v{i} bool\n" for i in range(MAX_SYNTAX_ERRORS + 5))
    text = GOOD.replace("  timer rexmt\n", "  timer rexmt\n" + bad)
    found = diagnostics(text)
    errors = [d for d in found if d.severity == "error"]
    assert len(errors) == MAX_SYNTAX_ERRORS
    assert found[-1].code == slips.LIMIT_CODE and found[-1].severity == "note"
    last = model_error(ModelError(found, text)).splitlines()[-1]
    assert last.startswith(f"{MAX_SYNTAX_ERRORS} syntax errors") and "maybe more" in last


def test_a_run_of_nul_bytes_is_one_error():
    d = one(GOOD.replace("  timer rexmt", "  timer rexmt\0\0\0\0\0\0\0\0"))
    assert (d.span.line, d.span.column) == (9, 14)
    assert "NUL" in d.message


def test_a_string_not_closed_on_its_line_is_one_error():
    d = one(GOOD.replace("property bounded: always client.x <= 3",
                         'property bounded: always client.x <= 3 "no end'))
    assert d.span.line == 19 and "not closed" in d.hint


@pytest.mark.parametrize("slip", [s for s in slips.SLIPS if s.examples], ids=lambda s: s.name)
def test_every_example_of_the_table_fails_where_its_row_says(slip):
    keys = slips.example_keys(model_parser(), slip.name)
    assert len(keys) >= 1
    for context, example in slip.examples:
        text = slips._CONTEXTS[context].format(example)
        found = diagnostics(text)
        assert found[0].code == "syntax" and found[0].hint is not None, example


def test_no_row_of_the_table_hides_another():
    """Two rows may share a parser state only when the earlier one has a test of its own
    (else the later row could never match)."""
    lark = model_parser()
    seen = {}
    for slip in slips.SLIPS:
        for key in slips.example_keys(lark, slip.name):
            earlier = seen.get(key)
            assert earlier is None or earlier.when is not None, (slip.name, earlier.name)
            seen.setdefault(key, slip)


def test_golden_rendering_of_several_slips():
    text = (GOOD.replace("send SYN(seq=iss)  start", "send SYN ACK(seq=iss)  start")
                .replace("start rexmt 2  x := x + 1 }", "start rexmt\n  }")
                .replace("  initial LISTEN", "  inital LISTEN"))
    with pytest.raises(ModelError) as info:
        load_string(text, "slips.tcp")
    check_golden(GOLDEN / "slips.txt", model_error(info.value) + "\n")


@pytest.mark.parametrize("escape", ["\\x", "\\N{NO SUCH NAME}", "\\u12", "\\q", "\\777"])
def test_a_string_escape_that_means_nothing_is_an_error_at_the_string(escape):
    d = one(GOOD.replace("model m", f'model m "doc {escape}"'))
    assert (d.span.line, d.span.column) == (1, 9) and "escape" in d.message


def test_a_file_of_nothing_but_errors_ends_soon():
    # every 'start' lacks its duration, all on one line: one error is reported, the others
    # follow from it; the parser stops after MAX_RECOVERIES of them instead of crawling on
    text = GOOD.replace("start rexmt 2", " start rexmt" * 2000)
    started = time.monotonic()
    found = diagnostics(text)
    assert time.monotonic() - started < 20
    assert [d.code for d in found] == ["syntax", slips.LIMIT_CODE]
    last = model_error(ModelError(found, text)).splitlines()[-1]
    assert last.startswith("1 syntax error in the model, and maybe more")


def test_a_long_string_never_closed_is_one_error_at_its_start():
    d = one(GOOD.replace('model m\n', 'model m\n"""the doc\n'))
    assert (d.span.line, d.span.column) == (2, 1) and "never closed" in d.message
