"""The liveness syntax: property bodies, the fairness block, and their errors."""

from __future__ import annotations

import pytest

from tcpcheck.diagnostics import ModelError
from tcpcheck.lang.parser import parse
from tcpcheck.loader import load_string
from tcpcheck.model import ir

BASE = """model m
endpoint client {
  states A, B
  initial A
  timer t
  transition go: A -> B on open
  transition tick_tock [begin]: B -> same on timeout t
}
endpoint server { states S initial S }
"""


def lowered(extra: str) -> ir.Model:
    return load_string(BASE + extra + "\n", "m.tcp")


def errors(extra: str) -> list:
    with pytest.raises(ModelError) as info:
        lowered(extra)
    return [(d.code, d.message, d.span.line, d.span.column, d.hint)
            for d in info.value.diagnostics if d.severity == "error"]


def test_the_three_liveness_bodies_and_both_spellings_of_leads_to():
    m = lowered('property p1: eventually client.state == B "doc one"\n'
                "property p2: always eventually client.state == B\n"
                "property p3: client.state == A ~> client.state == B\n"
                "property p4: client.state == A leads_to client.state == B\n"
                "property p5: always client.state == A or client.state == B")
    kinds = [(p.name, p.kind, p.premise is not None, p.liveness) for p in m.properties]
    assert kinds == [("p1", "eventually", False, True), ("p2", "always_eventually", False, True),
                     ("p3", "leads_to", True, True), ("p4", "leads_to", True, True),
                     ("p5", "always", False, False)]
    assert m.properties[0].doc == "doc one"
    assert m.properties[2] == m.properties[3].__class__(
        "p3", "leads_to", m.properties[3].expr, doc=None, span=m.properties[2].span,
        premise=m.properties[3].premise)


def test_leads_to_binds_looser_than_implication():
    node = parse(BASE + "property p: client.state == A => true ~> client.state == B\n")
    prop = node.properties[0]
    assert prop.kind == "leads_to"
    assert prop.premise.op == "=>"


def test_a_fairness_block_lowers_to_constraints():
    m = lowered("fairness {\n  weak channel\n  strong channel.server\n  weak tick\n"
                "  strong timers\n  weak client.go\n  strong client.begin\n}")
    assert [(f.strength, f.target, f.endpoint, sorted(f.transitions), f.text)
            for f in m.fairness] == [
        ("weak", "channel", None, [], "weak channel"),
        ("strong", "channel", 1, [], "strong channel.server"),
        ("weak", "tick", None, [], "weak tick"),
        ("strong", "timers", None, [], "strong timers"),
        ("weak", "transition", 0, [(0, 0)], "weak client.go"),
        ("strong", "transition", 0, [(0, 1)], "strong client.begin"),  # a label
    ]


def test_a_model_without_fairness_has_none():
    assert lowered("").fairness == ()
    assert ir.Model("x", ()).fairness == ()  # built from Python, as before


def test_unknown_names_in_fairness_have_positions_and_suggestions():
    got = errors("fairness { weak tik  strong channel.servr  weak clent.go  weak client.goo }")
    assert got == [
        ("unknown-name", "unknown fairness target 'tik'; a constraint names 'channel', "
         "'channel.E', 'tick', 'timers' or a transition 'E.t'", 10, 17, "did you mean 'tick'?"),
        ("unknown-name", "unknown endpoint 'servr'", 10, 37, "did you mean 'server'?"),
        ("unknown-name", "unknown endpoint 'clent'", 10, 49, "did you mean 'client'?"),
        ("unknown-transition", "endpoint 'client' has no transition or label 'goo'", 10, 71,
         "did you mean 'go'?"),
    ]


def test_one_fairness_block_and_each_constraint_once():
    got = errors("fairness { weak tick strong tick }\nfairness { weak channel }")
    assert [(c, line, col) for c, _, line, col, _ in got] == [("duplicate", 10, 22),
                                                              ("duplicate", 11, 1)]
    assert "at most one fairness block" in got[1][1]


def test_liveness_expressions_are_state_predicates():
    got = errors("property p: eventually seg.seq == 0\n"
                 "property q: always eventually self.state == A\n"
                 "property r: client.state == C ~> true")
    assert [(c, line) for c, _, line, _, _ in got] == [("no-segment", 10), ("no-self", 11),
                                                       ("unknown-state", 12)]


@pytest.mark.parametrize("text, found", [
    ("property p: eventually", "the end of the file"),
    ("property p: client.state == A ~>", "the end of the file"),
    ("fairness { weak }", "'}'"),
    ("fairness { medium channel }", "'medium'"),
])
def test_syntax_errors(text, found):
    got = errors(text)
    assert got[0][0] == "syntax" and got[0][1].endswith(f"but found {found}")


@pytest.mark.parametrize("word", ["eventually", "leads_to", "fairness", "weak", "strong"])
def test_the_new_keywords_are_not_names(word):
    got = errors(f"const {word} = 1")
    assert got[0][0] == "syntax"
