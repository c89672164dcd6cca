"""Validation (lowering) errors: each rule, its diagnostic code and its exact position.

Assertions are on codes and positions, not on wording.  Positions are given as a needle
in the source with a ``^`` where the diagnostic must point (``"-> ^S2"``: at ``S2``); the
needle must occur exactly once, or ``nth`` says which occurrence.
"""

from __future__ import annotations

import pytest

from tcpcheck.diagnostics import ModelError
from tcpcheck.loader import load_string

FILE = "check.tcp"


def model(a: str = "", b: str = "", top: str = "", props: str = "") -> str:
    """A small valid model with room for extra lines in each part."""
    return f"""model m
{top}
endpoint client {{
  states CLOSED, OPEN
  initial CLOSED
  var x : 0..3
  ghost var g : 0..3
  timer rexmt
  transition connect [hello]: CLOSED -> OPEN on open
{a}
}}
endpoint server {{
  states LISTEN, READY
  initial LISTEN
  var y : seq
  var flag : bool
  transition rx: LISTEN -> READY on recv SYN
{b}
}}
{props}
"""


def pos(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, column), 1-based, of the ``^`` in ``needle`` as it occurs in ``text``."""
    assert needle.count("^") == 1
    offset = needle.index("^")
    plain = needle.replace("^", "")
    starts, i = [], text.find(plain)
    while i >= 0:
        starts.append(i)
        i = text.find(plain, i + 1)
    if nth == 0:
        assert len(starts) == 1, f"{plain!r} occurs {len(starts)} times"
        index = starts[0] + offset
    else:
        index = starts[nth - 1] + offset
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def test_pos_helper():
    assert pos("ab\ncd ef\n", "cd ^ef") == (2, 4)
    assert pos("x y x", "^x", nth=2) == (1, 5)


def diagnostics(text: str):
    with pytest.raises(ModelError) as info:
        load_string(text, FILE)
    return info.value.diagnostics


def only_error(text: str):
    errors = [d for d in diagnostics(text) if d.severity == "error"]
    assert len(errors) == 1, [(d.code, d.message) for d in errors]
    (d,) = errors
    assert d.span.file == FILE
    return d


def test_the_base_model_is_valid():
    m = load_string(model(), FILE)
    assert [e.name for e in m.endpoints] == ["client", "server"]
    assert m.warnings == ()


# ---- one error each: (source, code, where, hint) ------------------------------------------

T2 = "  transition t2: OPEN -> CLOSED on close"  # an extra transition of the client
R2 = "  transition r2: READY -> LISTEN on recv ACK"  # an extra transition of the server


CASES = {
    # duplicate names of every kind
    "dup-state": (model().replace("states CLOSED, OPEN", "states CLOSED, OPEN, CLOSED"),
                  "duplicate", "OPEN, ^CLOSED", None),
    "dup-variable": (model(a="  var x : bool"), "duplicate", "var ^x : bool", None),
    "dup-timer": (model(a="  timer  rexmt"), "duplicate", "timer  ^rexmt", None),
    "dup-transition": (model(a="  transition connect: OPEN -> CLOSED on close"),
                       "duplicate", "transition ^connect: OPEN", None),
    "dup-property": (model(props="property p: deadlock free\nproperty p: reachable true"),
                     "duplicate", "property ^p: reachable", None),
    "dup-endpoint": (model().replace("endpoint server", "endpoint client"),
                     "duplicate", ("endpoint ^client", 2), None),
    "dup-constant": (model(top="const N = 1\nconst N = 2"), "duplicate", "const ^N = 2", None),
    "dup-ghost-field": (model(top="segment { ghost c : 0..1  ghost c : bool }"),
                        "duplicate", "ghost ^c : bool", None),
    "ghost-field-named-like-a-flag": (model(top="segment { ghost ACK : bool }"),
                                      "duplicate", "ghost ^ACK", None),
    "dup-channel-setting": (model(top="channel { capacity = 1 capacity = 2 }"),
                            "duplicate", "capacity = 1 ^capacity", None),
    "dup-bounds-setting": (model(top="bounds { seqspace = 4 seqspace = 8 }"),
                           "duplicate", "seqspace = 4 ^seqspace", None),
    "dup-setting-in-two-blocks": (model(top="bounds { seqspace = 4 }\nbounds { seqspace = 8 }"),
                                  "duplicate", "bounds { ^seqspace = 8", None),
    "ghost-field-named-ack": (model(top="segment { ghost ack : bool }"),
                              "duplicate", "ghost ^ack", None),
    "states-twice": (model(b="  states DONE"), "duplicate", "endpoint ^server", None),
    "initial-twice": (model(b="  initial READY"), "duplicate", "endpoint ^server", None),
    "dup-send-field": (model(a=T2 + " { send SYN(seq=1, seq=2) }"),
                       "duplicate", "seq=1, ^seq=2", None),

    # unknown names, with a did-you-mean hint where a close name exists
    "unknown-source-state": (model(a="  transition t2: OPNE -> CLOSED on close"),
                             "unknown-state", "t2: ^OPNE", "did you mean 'OPEN'?"),
    "unknown-target-state": (model(a="  transition t2: OPEN -> CLOSD on close"),
                             "unknown-state", "-> ^CLOSD", "did you mean 'CLOSED'?"),
    "unknown-state-no-hint": (model(a="  transition t2: OPEN -> ZZZ on close"),
                              "unknown-state", "-> ^ZZZ", None),
    "unknown-initial-state": (model().replace("initial CLOSED", "initial CLOSE"),
                              "unknown-state", "initial ^CLOSE", "did you mean 'CLOSED'?"),
    "unknown-terminal-state": (model(a="  terminal OPNE"),
                               "unknown-state", "terminal ^OPNE", "did you mean 'OPEN'?"),
    "unknown-variable-assigned": (model(a=T2 + " { xx := 1 }"),
                                  "unknown-name", "{ ^xx :=", "did you mean 'x'?"),
    "unknown-variable-read": (model(a=T2 + " when xx == 1"),
                              "unknown-name", "when ^xx", "did you mean 'x'?"),
    "unknown-variable-chosen": (model(a=T2 + " { choose xx }"),
                                "unknown-name", "choose ^xx", "did you mean 'x'?"),
    "unknown-timer-started": (model(a=T2 + " { start rexnt 1 }"),
                              "unknown-timer", "start ^rexnt", "did you mean 'rexmt'?"),
    "unknown-timer-stopped": (model(a=T2 + " { stop rexnt }"),
                              "unknown-timer", "stop ^rexnt", "did you mean 'rexmt'?"),
    "unknown-timer-timeout": (model(a="  transition t2: OPEN -> CLOSED on timeout rexnt"),
                              "unknown-timer", "timeout ^rexnt", "did you mean 'rexmt'?"),
    "unknown-flag": (model(b=R2 + " when seg.SYNN"),
                     "unknown-field", "seg.^SYNN", "did you mean 'SYN'?"),
    "unknown-segment-field": (model(b=R2 + " when seg.aack == 1"),
                              "unknown-field", "seg.^aack", "did you mean 'ack'?"),
    "unknown-send-field": (model(a=T2 + " { send SYN(sqe=1) }"),
                           "unknown-field", "SYN(^sqe", "did you mean 'seq'?"),
    "unknown-ghost-field": (model(top="segment { ghost conn : 0..2 }",
                                  b=R2 + " when seg.con == 1"),
                            "unknown-field", "seg.^con", "did you mean 'conn'?"),
    "unknown-endpoint": (model(props="property p: always clinet.x == 1"),
                         "unknown-name", "always ^clinet", "did you mean 'client'?"),
    "unknown-endpoint-in-selector": (model(props="property p: always at sever.rx: server.y == 1"),
                                     "unknown-name", "at ^sever", "did you mean 'server'?"),
    "unknown-endpoint-of-channel": (model(props="property p: always exists q in channel.sever: q.SYN"),
                                    "unknown-name", "channel.^sever", "did you mean 'server'?"),
    "unknown-transition-in-selector": (model(props="property p: always at client.conect: client.x == 1"),
                                       "unknown-transition", "client.^conect",
                                       "did you mean 'connect'?"),
    "unknown-label-in-selector": (model(props="property p: always at client.helo: client.x == 1"),
                                  "unknown-transition", "client.^helo", "did you mean 'hello'?"),
    "unknown-state-in-selector": (model(props="property p: always at client -> OPNE: client.x == 1"),
                                  "unknown-state", "-> ^OPNE", "did you mean 'OPEN'?"),
    "unknown-state-in-state-test": (model(props="property p: always client.state == OPNE"),
                                    "unknown-state", "== ^OPNE", "did you mean 'OPEN'?"),
    "unknown-state-in-state-set": (model(props="property p: always server.state in {LISTEN, REDY}"),
                                   "unknown-state", "LISTEN, ^REDY", "did you mean 'READY'?"),
    "state-of-the-other-endpoint": (model(props="property p: always client.state == READY"),
                                    "unknown-state", "== ^READY", None),
    "unknown-variable-of-endpoint": (model(props="property p: always client.xx == 1"),
                                     "unknown-name", "client.^xx", "did you mean 'x'?"),
    "unknown-name-in-property": (model(props="property p: always client.x == NN"),
                                 "unknown-name", "== ^NN", None),
    "unknown-constant": (model(top="const LIMIT = 3", a="  var e : 0..LIMT"),
                         "unknown-name", "0..^LIMT", "did you mean 'LIMIT'?"),
    "unknown-setting": (model(top="channel { capcity = 2 }"),
                        "unknown-setting", "{ ^capcity", "did you mean 'capacity'?"),
    "unknown-bounds-setting": (model(top="bounds { seqspce = 8 }"),
                               "unknown-setting", "{ ^seqspce", "did you mean 'seqspace'?"),

    # values outside their domain
    "initial-above-range": (model().replace("var x : 0..3", "var x : 0..3 = 5"),
                            "domain", "0..3 = ^5", None),
    "initial-below-range": (model().replace("var x : 0..3", "var x : 0..3 = -1"),
                            "domain", "0..3 = ^-1", None),
    "initial-bool-for-number": (model().replace("var x : 0..3", "var x : 0..3 = true"),
                                "domain", "= ^true", None),
    "initial-number-for-bool": (model(b="  var z : bool = 1"), "domain", "bool = ^1", None),
    "initial-set-element-outside": (model(a="  var e : set of 0..3 = {1, 7}"),
                                    "domain", "= ^{1, 7}", None),
    "initial-set-element-negative": (model(a="  var e : set of 0..3 = {-1}"),
                                     "domain", "= ^{-1}", None),
    "initial-set-not-a-literal": (model(a="  var e : set of 0..3 = 1"), "type", "0..3 = ^1", None),
    "setting-out-of-range": (model(top="bounds { seqspace = 1 }"), "value", "{ ^seqspace", None),
    "capacity-too-large": (model(top="channel { capacity = 17 }"), "value", "{ ^capacity", None),
    "no-incarnation": (model(top="bounds { incarnations = 0 }"), "value", "{ ^incarnations", None),
    "loss-too-large": (model(top="channel { loss = 1001 }"), "value", "{ ^loss", None),
    "set-element-range-too-wide": (model(a="  var e : set of 0..63"), "value", "e : ^set", None),
    "set-of-seq-too-wide": (model(top="bounds { seqspace = 64 }", a="  var e : set of seq"),
                            "value", "e : ^set", None),
    "constant-not-a-number": (model(top="const K = 1 == 1"), "not-constant", "= ^1 == 1", None),
    "constant-used-before-declared": (model(top="const A = B\nconst B = 1"),
                                      "unknown-name", "A = ^B", None),
    "variable-in-a-range": (model(a="  var e : 0..x"), "unknown-name", "0..^x", None),
    "capacity-not-a-number": (model(top="channel { capacity = yes }"), "value", "{ ^capacity", None),
    "reordering-not-yes-or-no": (model(top="channel { reordering = 3 }"),
                                 "value", "{ ^reordering", None),
    "empty-range": (model(a="  var e : 3..1"), "value", "e : ^3..1", None),
    "division-by-zero": (model(top="const K = 1 % 0"), "value", "= ^1 % 0", None),

    # the ghost rule: the protocol must not read what only the observer sees
    "ghost-in-guard": (model(a=T2 + " when g == 1"),
                       "ghost-read", "when ^g == 1", None),
    "incarnation-in-guard": (model(a=T2 + " when incarnation == 0"),
                             "ghost-read", "when ^incarnation", None),
    "ghost-in-plain-assignment": (model(a=T2 + " { x := g }"),
                                  "ghost-read", "x := ^g", None),
    "ghost-field-in-plain-assignment": (
        model(top="segment { ghost conn : 0..3 }",
              b="  var z : 0..3\n  transition r2: READY -> LISTEN on recv ACK { z := seg.conn }"),
        "ghost-read", "z := ^seg.conn", None),
    "ghost-in-send-seq": (model(a=T2 + " { send SYN(seq=g) }"),
                          "ghost-read", "seq=^g", None),
    "ghost-in-send-ack": (model(a=T2 + " { send ACK(ack=g + 1) }"),
                          "ghost-read", "ack=^g + 1", None),
    "ghost-in-timer-duration": (model(a=T2 + " { start rexmt g }"),
                                "ghost-read", "rexmt ^g", None),
    "ghost-in-choice-condition": (model(a=T2 + " { choose x where x != g }"),
                                  "ghost-read", "where ^x != g", None),
    "send-under-ghost-if": (model(a=T2 + " { if g == 1 { send SYN } }"),
                            "ghost-read", "{ ^send SYN", None),
    "start-under-ghost-if": (model(a=T2 + " { if g == 1 { start rexmt 1 } }"),
                             "ghost-read", "{ ^start", None),
    "stop-under-ghost-if": (model(a=T2 + " { if g == 1 { stop rexmt } }"),
                            "ghost-read", "{ ^stop", None),
    "choose-under-ghost-if": (model(a=T2 + " { if g == 1 { choose x } }"),
                              "ghost-read", "{ ^choose", None),
    "assign-under-ghost-if": (model(a=T2 + " { if g == 1 { x := 1 } }"),
                              "ghost-read", "{ ^x := 1", None),
    "send-in-else-of-ghost-if": (
        model(a=T2 + " { if g == 1 { g := 2 } else { send FIN } }"),
        "ghost-read", "else { ^send", None),
    "send-in-nested-if-under-ghost-if": (
        model(a=T2 + " { if g == 1 { if x == 1 { send FIN } } }"),
        "ghost-read", "x == 1 { ^send", None),

    # an endpoint cannot read the other endpoint, nor the channel
    "read-other-endpoint-variable": (model(a=T2 + " when server.y == 1"),
                                     "foreign-read", "when ^server.y", None),
    "read-other-endpoint-state": (model(a=T2 + " when server.state == READY"),
                                  "foreign-read", "when ^server.state", None),
    "quantifier-in-transition": (
        model(a=T2 + " when exists q in channel: q.SYN"),
        "foreign-read", "when ^exists", None),
    "read-own-endpoint-by-name": (model(a=T2 + " when client.x == 1"),
                                  "foreign-read", "when ^client.x", None),
    "own-state-in-guard": (model(a=T2 + " when OPEN"),
                           "state-in-guard", "when ^OPEN", None),

    # 'seg' only where a segment was received
    "seg-in-non-recv-guard": (model(a=T2 + " when seg.SYN"),
                              "no-segment", "when ^seg", None),
    "seg-in-non-recv-body": (model(a=T2 + " { x := seg.ack }"),
                             "no-segment", ":= ^seg", None),
    "seg-in-always": (model(props="property p: always seg.SYN"), "no-segment", "always ^seg", None),
    "seg-in-reachable": (model(props="property p: reachable seg.SYN"),
                         "no-segment", "reachable ^seg", None),
    "seg-in-step-of-non-recv": (model(props="property p: always at server.rx, client.connect: seg.SYN"),
                                "no-segment", "^property p", None),
    "seg-in-step-entering-by-non-recv": (model(props="property p: always at client -> OPEN: seg.SYN"),
                                         "no-segment", "^property p", None),
    "seg-without-field": (model(b=R2 + " when seg == 1"),
                          "type", "when ^seg", None),
    "self-outside-always-at": (model(props="property p: always self.x == 1"),
                               "no-self", "always ^self", None),

    # two endpoints, exactly
    "one-endpoint": ("model m\nendpoint client {\n  states A\n  initial A\n}\n",
                     "endpoints", "^model m", None),
    "no-endpoint": ("model m\nconst N = 1\n", "endpoints", "^model m", None),
    "three-endpoints": (model() + "endpoint third {\n  states C\n  initial C\n}\n",
                        "endpoints", "^endpoint third", None),
    "no-initial": (model().replace("  initial LISTEN\n", ""), "initial", "endpoint ^server", None),

    # types
    "compare-bool-with-seq": (model(b=R2 + " when flag == y"),
                              "type", "when ^flag == y", None),
    "arithmetic-on-bool": (model(b=R2 + " { y := flag + 1 }"),
                           "type", "y := ^flag + 1", None),
    "guard-not-a-condition": (model(a=T2 + " when x + 1"),
                              "type", "when ^x + 1", None),
    "assign-bool-to-number": (model(a=T2 + " { x := true }"),
                              "type", "x := ^true", None),
    "assign-number-to-bool": (model(b=R2 + " { flag := 1 }"),
                              "type", "flag := ^1", None),
    "multiply-sequence-numbers": (model(b=R2 + " { y := y * 2 }"),
                                  "type", "y := ^y * 2", None),
    "in-without-a-set": (model(props="property p: always client.x in 3"),
                         "type", "always ^client.x in 3", None),
    "send-seq-bool": (model(a=T2 + " { send SYN(seq=true) }"),
                      "type", "seq=^true", None),
    "choose-a-set-type": (model(a=T2 + " { choose x in set of bool }"),
                          "type", "{ ^choose", None),
    "set-of-sets": (model(a="  var e : set of set of bool"), "type", "set of ^set of", None),
    "negate-a-bool": (model(props="property p: always -true == 1"), "type", "always ^-true", None),
    "not-a-number": (model(props="property p: always not 1"), "type", "not ^1", None),
    "state-compared-with-number": (model(props="property p: always client.state == 1"),
                                   "type", "always ^client.state", None),
    "property-not-a-condition": (model(props="property p: reachable client.x"),
                                 "type", "reachable ^client.x", None),
    "flag-required-and-excluded": (model(b="  transition r2: READY -> LISTEN on recv SYN -SYN"),
                                   "flags", "on ^recv SYN -SYN", None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_one_error(name):
    text, code, where, hint = CASES[name]
    needle, nth = where if isinstance(where, tuple) else (where, 0)
    d = only_error(text)
    assert d.code == code, d.message
    assert (d.span.line, d.span.column) == pos(text, needle, nth), d.message
    assert d.hint == hint


def test_endpoint_without_states_or_initial_state():
    text = model().replace("  states LISTEN, READY\n  initial LISTEN\n", "").replace(
        "  transition rx: LISTEN -> READY on recv SYN\n", "")
    found = [(d.code, d.span.line, d.span.column) for d in diagnostics(text)]
    where = pos(text, "endpoint ^server")
    assert found == [("states", *where), ("initial", *where)]


# ---- a few positions written out by hand, independent of the helper ----------------------

def test_exact_position_of_an_unknown_target_state():
    text = model(a="  transition t2: OPEN -> CLOSD on close")
    d = only_error(text)
    # line 10 is the extra line of endpoint client; "  transition t2: OPEN -> " is 25 chars
    assert (d.code, d.span.line, d.span.column) == ("unknown-state", 10, 26)
    assert (d.span.end_line, d.span.end_column) == (10, 31)


def test_exact_position_of_a_ghost_read_in_a_guard():
    text = model(a="  transition t2: OPEN -> CLOSED on close when g == 1")
    d = only_error(text)
    assert (d.code, d.span.line, d.span.column) == ("ghost-read", 10, 47)


def test_exact_position_of_a_duplicate_property():
    text = model(props="property p: deadlock free\nproperty p: deadlock free")
    d = only_error(text)
    # 19 model lines before the properties; the second 'p' is column 10 of line 21
    assert (d.code, d.span.line, d.span.column) == ("duplicate", 21, 10)


# ---- several errors at once, sorted by position ------------------------------------------

MANY = model(
    top="const N = 2\nconst N = 3",
    a="  transition t2: OPEN -> CLOSD on close when g == 1 { x := true }\n"
      "  transition t3: OPEN -> CLOSED on timeout rexnt",
    b="  transition r2: READY -> LISTEN on recv ACK when client.x == 1",
    props="property p: always seg.SYN\nproperty q: always clinet.x == 1",
)


def test_several_errors_are_all_reported_in_order_of_position():
    found = [(d.code, d.span.line, d.span.column) for d in diagnostics(MANY)]
    expected = [
        ("duplicate", *pos(MANY, "const ^N = 3")),
        ("unknown-state", *pos(MANY, "-> ^CLOSD")),
        ("ghost-read", *pos(MANY, "when ^g == 1")),
        ("type", *pos(MANY, "x := ^true")),
        ("unknown-timer", *pos(MANY, "timeout ^rexnt")),
        ("foreign-read", *pos(MANY, "when ^client.x")),
        ("no-segment", *pos(MANY, "always ^seg")),
        ("unknown-name", *pos(MANY, "always ^clinet")),
    ]
    assert found == expected
    assert found == sorted(found, key=lambda f: (f[1], f[2]))


def test_the_error_message_of_many_names_the_first():
    with pytest.raises(ModelError) as info:
        load_string(MANY, FILE)
    err = info.value
    line, column = pos(MANY, "const ^N = 3")
    assert str(err).startswith(f"{FILE}:{line}:{column}: ")
    assert err.source == MANY
    assert len(err.errors) == 8


def test_errors_come_before_warnings():
    text = model(a="  transition t2: OPEN -> CLOSED on close { xx := 1 }").replace(
        "states CLOSED, OPEN", "states CLOSED, OPEN, NEVER")
    ds = diagnostics(text)
    assert [(d.severity, d.code) for d in ds] == [("error", "unknown-name"),
                                                  ("warning", "unreachable-state")]
    with pytest.raises(ModelError) as info:
        load_string(text, FILE)
    assert [d.code for d in info.value.errors] == ["unknown-name"]


def test_one_misspelling_in_a_step_property_is_reported_once():
    text = model(props="property p: always at client.connect, server.rx: self.xyz == 1")
    errors = [d for d in diagnostics(text) if d.severity == "error"]
    assert len(errors) == 1
    assert errors[0].code == "unknown-name"


# ---- warnings ----------------------------------------------------------------------------

def test_unreachable_state_is_a_warning_and_the_model_loads():
    text = model().replace("states CLOSED, OPEN", "states CLOSED, OPEN, LOST")
    m = load_string(text, FILE)
    (w,) = m.warnings
    assert (w.severity, w.code) == ("warning", "unreachable-state")
    assert (w.span.line, w.span.column) == pos(text, "OPEN, ^LOST")
    assert w.span.file == FILE
    assert m.endpoints[0].states == ("CLOSED", "OPEN", "LOST")


def test_state_entered_only_from_an_unreachable_state_is_unreachable_too():
    text = model(a="  transition t2: LOST -> GONE on close").replace(
        "states CLOSED, OPEN", "states CLOSED, OPEN, LOST, GONE")
    m = load_string(text, FILE)
    assert [(w.code, w.span.line, w.span.column) for w in m.warnings] == [
        ("unreachable-state", *pos(text, "OPEN, ^LOST")),
        ("unreachable-state", *pos(text, "LOST, ^GONE")),
    ]


def test_a_loop_on_a_state_does_not_make_it_reachable():
    text = model(a="  transition t2: LOST -> same on close\n"
                   "  transition t3: LOST -> LOST on abort").replace(
        "states CLOSED, OPEN", "states CLOSED, OPEN, LOST")
    m = load_string(text, FILE)
    assert [(w.code, w.span.line, w.span.column) for w in m.warnings] == [
        ("unreachable-state", *pos(text, "OPEN, ^LOST"))]


def test_states_reached_through_a_chain_are_not_warned():
    text = model(a="  transition t2: OPEN -> LATER on close\n  transition t3: LATER -> same on abort"
                 ).replace("states CLOSED, OPEN", "states CLOSED, OPEN, LATER")
    assert load_string(text, FILE).warnings == ()


def test_selector_that_selects_nothing_is_a_warning():
    text = model(props="property p: always at server -> LISTEN: server.y == 0")
    m = load_string(text, FILE)
    (w,) = m.warnings
    assert (w.severity, w.code) == ("warning", "empty-selector")
    assert (w.span.line, w.span.column) == pos(text, "at ^server -> LISTEN")
    assert m.get_property("p").selectors == frozenset()


# ---- things that are allowed -------------------------------------------------------------

@pytest.mark.parametrize("extra", [
    "  transition t2: OPEN -> CLOSED on close { if g == 1 { g := 2 } else { g := 0 } }",
    "  transition t2: OPEN -> CLOSED on close { g := x + 1 }",
    "  transition t2: OPEN -> CLOSED on close { choose g where g != x }",
    "  transition t2: OPEN -> CLOSED on close { if x == 1 { send FIN } }",
])
def test_ghost_rule_allows_ghosts_to_depend_on_anything(extra):
    m = load_string(model(a=extra), FILE)
    assert m.endpoints[0].transitions[-1].name == "t2"


def test_ghost_segment_fields_may_carry_ghosts_and_feed_ghosts():
    text = model(top="segment { ghost conn : 0..3 }",
                 a="  transition t2: OPEN -> CLOSED on close { send SYN(conn=g) }",
                 b="  ghost var peer : 0..3\n"
                   "  transition r2: READY -> LISTEN on recv ACK { peer := seg.conn }")
    m = load_string(text, FILE)
    assert m.endpoints[1].variables[-1].ghost


def test_properties_may_read_ghosts_and_both_endpoints():
    text = model(props="property p: always client.g <= 3 and server.y == server.y\n"
                       "property q: always at server.rx: seg.SYN and self.state == READY")
    m = load_string(text, FILE)
    assert [p.kind for p in m.properties] == ["always", "step"]
