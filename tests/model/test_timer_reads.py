"""Reading timers (``E.T``, ``self.T``) and segment ages (``s.age``, ``seg.age``): lowered
in properties and lemmas, refused inside transitions, names kept unambiguous.

Assertions are on ir records, diagnostic codes, positions and hints, not on wording (except
that the refusal must say where timers can be read: that is its whole point).
"""

from __future__ import annotations

import io

import pytest

from tcpcheck.cli import main
from tcpcheck.diagnostics import ModelError
from tcpcheck.loader import load_string
from tcpcheck.model import ir

FILE = "timers.tcp"


def model(a: str = "", b: str = "", top: str = "", props: str = "") -> str:
    return f"""model m
{top}
endpoint client {{
  states CLOSED, OPEN
  initial CLOSED
  var x : 0..3
  timer rexmt
  transition connect: CLOSED -> OPEN on open {{ send SYN(seq=0)  start rexmt 2 }}
{a}
}}
endpoint server {{
  states LISTEN, READY
  initial LISTEN
  transition rx: LISTEN -> READY on recv SYN
{b}
}}
{props}
"""


def load(text: str) -> ir.Model:
    return load_string(text, FILE)


def only_error(text: str):
    with pytest.raises(ModelError) as info:
        load(text)
    errors = [d for d in info.value.diagnostics if d.severity == "error"]
    assert len(errors) == 1, [(d.code, d.message) for d in errors]
    return errors[0]


def at(text: str, needle: str) -> tuple[int, int]:
    """(line, column) of the ``^`` in ``needle``, which occurs once in ``text``."""
    plain = needle.replace("^", "")
    assert text.count(plain) == 1, needle
    index = text.index(plain) + needle.index("^")
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def lit(v: int) -> ir.Lit:
    return ir.Lit(v, ir.IntType(v, v))


REXMT = ir.TimerRef(0, 0, "rexmt")


# ---- accepted in properties and lemmas ----------------------------------------------------------

def test_a_timer_in_an_invariant_is_an_integer_from_minus_one():
    m = load(model(props="property p: always client.rexmt <= 2"))
    assert m.get_property("p").expr == ir.Binary("<=", REXMT, lit(2), ir.BOOL)
    assert REXMT.type == ir.IntType(-1, None) and str(REXMT.type) == "int"


def test_timers_and_ages_in_a_lemma_do_arithmetic():
    m = load(model(top="channel { msl = 3 }",
                   props="lemma l: forall s in channel.server: s.age + client.rexmt <= 3"))
    (lemma,) = m.lemmas
    body = lemma.expr.body
    age = ir.SegField("s", "age", ir.IntType(0, None))
    assert body == ir.Binary("<=", ir.Binary("+", age, REXMT, ir.INT), lit(3), ir.BOOL)


def test_self_timer_and_seg_age_in_a_step_property():
    m = load(model(props="property p: always at server.rx: seg.age == 0\n"
                         "property q: always at client.connect: self.rexmt == 2"))
    assert m.get_property("p").expr.left == ir.SegField("seg", "age", ir.IntType(0, None))
    assert m.get_property("q").expr_for(0).left == REXMT


def test_a_timer_of_each_endpoint_is_told_apart():
    text = model(b="  timer quiet", props="property p: always client.rexmt >= server.quiet")
    expr = load(text).get_property("p").expr
    assert (expr.left, expr.right) == (REXMT, ir.TimerRef(1, 0, "quiet"))


# ---- refused inside transitions -----------------------------------------------------------

T2 = "  transition t2: OPEN -> CLOSED on close"
R2 = "  transition r2: READY -> LISTEN on recv SYN"

REFUSED = {
    "timer-in-guard": (model(a=T2 + " when rexmt == 0"), "when ^rexmt"),
    "own-timer-by-endpoint-name": (model(a=T2 + " when client.rexmt > 0"), "when ^client.rexmt"),
    "timer-in-assignment": (model(a=T2 + " { x := rexmt }"), "x := ^rexmt"),
    "timer-in-duration": (model(a=T2 + " { start rexmt rexmt + 1 }"), "rexmt ^rexmt + 1"),
    "age-in-guard": (model(b=R2 + " when seg.age == 0"), "seg.^age"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_transition_cannot_read_a_timer_or_an_age(name):
    text, needle = REFUSED[name]
    d = only_error(text)
    assert d.code == "timer-read", d.message
    assert (d.span.line, d.span.column) == at(text, needle)
    assert "only in properties and lemmas" in d.message


def test_another_endpoints_timer_is_still_a_foreign_read():
    text = model(b="  timer quiet", a=T2 + " when server.quiet == 0")
    assert only_error(text).code == "foreign-read"


def test_the_command_line_shows_file_line_column_and_a_caret(tmp_path):
    text = model(a=T2 + " when rexmt == 0")
    path = tmp_path / FILE
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", str(path)], out, err) == 2
    line, column = at(text, "when ^rexmt")
    lines = err.getvalue().splitlines()
    assert lines[0].startswith(f"{path}:{line}:{column}: error:")
    assert lines[1].endswith(T2 + " when rexmt == 0")
    assert lines[2].index("^") == lines[1].index("rexmt == 0")
    assert out.getvalue() == ""


# ---- misspellings and clashes --------------------------------------------------------------------

MISTAKES = {
    "misspelled-timer": (model(props="property p: always client.rexnt == 0"),
                         "unknown-name", "client.^rexnt", "did you mean 'rexmt'?"),
    "timer-without-endpoint": (model(props="property p: always rexmt == 0"),
                               "unknown-name", "always ^rexmt", "did you mean 'client.rexmt'?"),
    "misspelled-age": (model(props="property p: always forall s in channel: s.aeg == 0"),
                       "unknown-field", "s.^aeg", "did you mean 'age'?"),
    "timer-named-like-a-variable": (model(a="  timer x"), "duplicate", "timer ^x", None),
    "timer-named-state": (model(a="  timer state"), "duplicate", "timer ^state", None),
    "ghost-field-named-age": (model(top="segment { ghost age : 0..3 }"),
                              "duplicate", "ghost ^age", None),
}


@pytest.mark.parametrize("name", list(MISTAKES))
def test_names_are_resolved_or_reported_with_a_suggestion(name):
    text, code, needle, hint = MISTAKES[name]
    d = only_error(text)
    assert d.code == code, d.message
    assert (d.span.line, d.span.column) == at(text, needle)
    assert d.hint == hint
