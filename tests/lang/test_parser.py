"""Source text -> syntax tree: every construct of spec/tcpspec.lark becomes the right node.

These tests look at :mod:`tcpcheck.lang.ast` nodes (what was written, unresolved).  The
lowered, resolved form is tested in tests/model/test_lower.py.
"""

from __future__ import annotations

import textwrap

import pytest

from tcpcheck.lang import ast
from tcpcheck.lang.parser import parse


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def expr_of(text: str):
    """The syntax tree of one expression (as the body of an 'always' property)."""
    return parse(f"model m\nproperty p: always {text}\n").properties[0].expr


def shape(node):
    """An expression tree as nested tuples, without spans: easy to compare."""
    if isinstance(node, ast.IntLit):
        return node.value
    if isinstance(node, ast.BoolLit):
        return node.value
    if isinstance(node, ast.NameRef):
        return node.name
    if isinstance(node, ast.DottedRef):
        return f"{node.base.name}.{node.attr.name}"
    if isinstance(node, ast.SetLit):
        return ("set", *(shape(i) for i in node.items))
    if isinstance(node, ast.Unary):
        return (node.op, shape(node.operand))
    if isinstance(node, ast.Binary):
        return (node.op, shape(node.left), shape(node.right))
    if isinstance(node, ast.Quantified):
        direction = node.direction.name if node.direction else None
        return (node.kind, node.var.name, direction, shape(node.body))
    raise AssertionError(f"unexpected node {node!r}")


# ---- model header, constants, settings, segment ------------------------------------------

def test_model_name_and_one_line_doc():
    tree = parse('model handshake "a short doc"\n', "f.tcp")
    assert tree.name.name == "handshake"
    assert (tree.name.span.line, tree.name.span.column) == (1, 7)
    assert tree.doc == "a short doc"
    assert tree.file == "f.tcp"
    assert tree.endpoints == () and tree.properties == () and tree.consts == ()


def test_long_doc_is_stripped_line_by_line():
    tree = parse('model m\n"""\n   first line\n     second line\n"""\n')
    assert tree.doc == "first line\nsecond line"


def test_string_doc_escapes_are_decoded():
    tree = parse('model m "say \\"hi\\""\n')
    assert tree.doc == 'say "hi"'


def test_model_without_doc():
    assert parse("model m").doc is None


def test_comments_are_ignored():
    tree = parse("# leading comment\nmodel m # trailing\nconst N = 1 # more\n")
    assert [c.name.name for c in tree.consts] == ["N"]


def test_constants_keep_their_expressions_and_positions():
    tree = parse("model m\nconst N = 3\nconst M = N * 2 + 1\n")
    n, m = tree.consts
    assert n.name.name == "N" and shape(n.value) == 3
    assert (n.name.span.line, n.name.span.column) == (2, 7)
    assert m.name.name == "M"
    assert shape(m.value) == ("+", ("*", "N", 2), 1)


def test_bounds_and_channel_settings():
    tree = parse(src("""
        model m
        bounds { seqspace = 8 incarnations = N }
        channel {
          capacity = 2
          loss = unbounded
          duplication = no
          reordering = yes
          msl = 3
        }
    """))
    assert [(s.name.name, shape(s.value)) for s in tree.bounds] == [
        ("seqspace", 8), ("incarnations", "N")]
    values = {s.name.name: s.value for s in tree.channel}
    assert values["loss"] == "unbounded"
    assert values["duplication"] == "no"
    assert values["reordering"] == "yes"
    assert shape(values["capacity"]) == 2 and shape(values["msl"]) == 3
    assert [s.name.name for s in tree.channel] == ["capacity", "loss", "duplication",
                                                    "reordering", "msl"]
    assert tree.channel[1].span.line == 5


def test_two_bounds_blocks_are_merged_in_order():
    tree = parse("model m\nbounds { seqspace = 4 }\nbounds { incarnations = 2 }\n")
    assert [s.name.name for s in tree.bounds] == ["seqspace", "incarnations"]


def test_segment_ghost_fields():
    tree = parse("model m\nsegment {\n  ghost conn : 0..2\n  ghost old : bool\n}\n")
    conn, old = tree.fields
    assert conn.name.name == "conn" and conn.type.kind == "range"
    assert (shape(conn.type.lo), shape(conn.type.hi)) == (0, 2)
    assert old.name.name == "old" and old.type.kind == "bool"
    assert (conn.name.span.line, conn.name.span.column) == (3, 9)


# ---- endpoints ---------------------------------------------------------------------------

ENDPOINT = src('''
    model m
    endpoint client """
      The active opener.
    """ {
      states CLOSED, SYN_SENT, ESTABLISHED
      initial CLOSED
      terminal ESTABLISHED, CLOSED
      var a : bool
      var b : seq = 3
      var c : 0..N + 1 = 2
      var d : set of 0..5 = {1, 3}
      ghost var e : 0..2
      persistent var f : set of seq
      ghost persistent var g : bool = true
      timer rexmt
      timer keepalive
    }
''')


def test_endpoint_states_initial_terminal_and_doc():
    e = parse(ENDPOINT).endpoints[0]
    assert e.name.name == "client"
    assert e.doc == "The active opener."
    assert [s.name for s in e.states] == ["CLOSED", "SYN_SENT", "ESTABLISHED"]
    assert e.initial.name == "CLOSED"
    assert [t.name for t in e.terminal] == ["ESTABLISHED", "CLOSED"]
    assert e.states_declarations == 1 and e.initial_declarations == 1
    second = e.states[1]
    assert (second.span.line, second.span.column) == (5, 18)


def test_endpoint_variables_types_modifiers_and_initial_values():
    variables = parse(ENDPOINT).endpoints[0].variables
    by_name = {v.name.name: v for v in variables}
    assert [v.name.name for v in variables] == list("abcdefg")
    assert by_name["a"].type.kind == "bool" and by_name["a"].init is None
    assert by_name["b"].type.kind == "seq" and shape(by_name["b"].init) == 3
    c = by_name["c"]
    assert c.type.kind == "range"
    assert (shape(c.type.lo), shape(c.type.hi)) == (0, ("+", "N", 1))
    assert shape(c.init) == 2
    d = by_name["d"]
    assert d.type.kind == "set" and d.type.element.kind == "range"
    assert shape(d.init) == ("set", 1, 3)
    assert by_name["f"].type.kind == "set" and by_name["f"].type.element.kind == "seq"
    flags = {n: (v.ghost, v.persistent) for n, v in by_name.items()}
    assert flags == {"a": (False, False), "b": (False, False), "c": (False, False),
                     "d": (False, False), "e": (True, False), "f": (False, True),
                     "g": (True, True)}
    assert by_name["g"].init.value is True


def test_persistent_ghost_in_either_order():
    tree = parse("model m\nendpoint a { persistent ghost var x : bool }\n")
    v = tree.endpoints[0].variables[0]
    assert (v.ghost, v.persistent) == (True, True)


def test_endpoint_timers():
    e = parse(ENDPOINT).endpoints[0]
    assert [t.name for t in e.timers] == ["rexmt", "keepalive"]


def test_repeated_states_and_initial_declarations_are_counted():
    tree = parse("model m\nendpoint a { states A states B initial A initial B }\n")
    e = tree.endpoints[0]
    assert [s.name for s in e.states] == ["A", "B"]
    assert e.states_declarations == 2 and e.initial_declarations == 2
    assert e.initial.name == "A"


# ---- transitions -------------------------------------------------------------------------

def transition(text: str) -> ast.TransitionNode:
    tree = parse(f"model m\nendpoint a {{\n{text}\n}}\n")
    (t,) = tree.endpoints[0].transitions
    return t


def test_transition_with_labels_several_sources_guard_doc_and_body():
    t = transition('  transition go [accept, fast]: A, B -> C on open when x > 1 "why" { x := 0 }')
    assert t.name.name == "go"
    assert [l.name for l in t.labels] == ["accept", "fast"]
    assert [s.name for s in t.sources] == ["A", "B"]
    assert t.target.name == "C"
    assert t.trigger.kind == "open"
    assert shape(t.guard) == (">", "x", 1)
    assert t.doc == "why"
    assert len(t.body) == 1 and isinstance(t.body[0], ast.AssignStmt)
    assert (t.span.line, t.span.column) == (3, 3)
    assert (t.sources[1].span.line, t.sources[1].span.column) == (3, 36)


def test_transition_without_labels_guard_doc_or_body():
    t = transition("  transition t: A -> B on close")
    assert t.labels == () and t.guard is None and t.doc is None and t.body == ()


def test_target_same_is_kept_as_a_name():
    t = transition("  transition t: A, B -> same on listen")
    assert t.target.name == "same"


@pytest.mark.parametrize("trigger", ["open", "listen", "close", "abort", "crash"])
def test_user_call_and_crash_triggers(trigger):
    t = transition(f"  transition t: A -> B on {trigger}")
    assert t.trigger.kind == trigger
    assert t.trigger.timer is None and t.trigger.pattern is None


def test_timeout_trigger_names_its_timer():
    t = transition("  transition t: A -> B on timeout rexmt")
    assert t.trigger.kind == "timeout"
    assert t.trigger.timer.name == "rexmt"
    assert (t.trigger.timer.span.line, t.trigger.timer.span.column) == (3, 35)


@pytest.mark.parametrize("pattern, must_set, must_clear, rest", [
    ("SYN", ("SYN",), (), False),
    ("SYN ACK", ("SYN", "ACK"), (), False),
    ("ACK -RST ...", ("ACK",), ("RST",), True),
    ("-ACK -RST ...", (), ("ACK", "RST"), True),
    ("FIN PSH URG", ("FIN", "PSH", "URG"), (), False),
    ("...", (), (), True),
    ("any", (), (), True),
])
def test_recv_flag_patterns(pattern, must_set, must_clear, rest):
    t = transition(f"  transition t: A -> B on recv {pattern}")
    assert t.trigger.kind == "recv"
    assert t.trigger.pattern == ast.FlagPatternNode(must_set, must_clear, rest)


def test_doc_without_guard_and_guard_without_doc():
    t = transition('  transition t: A -> B on recv SYN "doc" { }')
    assert t.doc == "doc" and t.guard is None and t.body == ()
    t = transition("  transition t: A -> B on recv SYN when seg.SYN")
    assert t.doc is None and shape(t.guard) == "seg.SYN"


# ---- statements --------------------------------------------------------------------------

def body(text: str) -> tuple:
    return transition(f"  transition t: A -> B on open {{\n{text}\n  }}").body


def test_assignment():
    (s,) = body("    x := x + 1")
    assert isinstance(s, ast.AssignStmt)
    assert s.target.name == "x" and shape(s.value) == ("+", "x", 1)
    assert (s.span.line, s.span.column) == (4, 5)


def test_send_with_and_without_fields():
    plain, combined, empty = body("    send FIN\n    send SYN+ACK(seq=iss, ack=rcv + 1, conn=2)\n"
                                  "    send RST()")
    assert isinstance(plain, ast.SendStmt)
    assert plain.flags == ("FIN",) and plain.fields == ()
    assert combined.flags == ("SYN", "ACK")
    assert [(i.name, shape(v)) for i, v in combined.fields] == [
        ("seq", "iss"), ("ack", ("+", "rcv", 1)), ("conn", 2)]
    assert empty.flags == ("RST",) and empty.fields == ()


def test_choose_forms():
    bare, typed, where, both = body("    choose iss\n    choose iss in 0..3\n"
                                    "    choose iss where iss != 1\n"
                                    "    choose iss in seq where iss not in used")
    assert all(isinstance(s, ast.ChooseStmt) for s in (bare, typed, where, both))
    assert bare.target.name == "iss" and bare.domain is None and bare.where is None
    assert typed.domain.kind == "range" and typed.where is None
    assert (shape(typed.domain.lo), shape(typed.domain.hi)) == (0, 3)
    assert where.domain is None and shape(where.where) == ("!=", "iss", 1)
    assert both.domain.kind == "seq" and shape(both.where) == ("notin", "iss", "used")


def test_start_and_stop_timer():
    start, stop = body("    start rexmt 2 * N\n    stop rexmt")
    assert isinstance(start, ast.StartStmt) and isinstance(stop, ast.StopStmt)
    assert start.timer.name == "rexmt" and shape(start.duration) == ("*", 2, "N")
    assert stop.timer.name == "rexmt"


def test_if_else_if_else_nests_in_the_else_branch():
    (s,) = body("    if x == 0 { x := 1 } else if x == 1 { x := 2 send FIN } else { x := 0 }")
    assert isinstance(s, ast.IfStmt)
    assert shape(s.cond) == ("==", "x", 0)
    assert [type(t) for t in s.then] == [ast.AssignStmt]
    (inner,) = s.otherwise
    assert isinstance(inner, ast.IfStmt)
    assert shape(inner.cond) == ("==", "x", 1)
    assert [type(t) for t in inner.then] == [ast.AssignStmt, ast.SendStmt]
    (last,) = inner.otherwise
    assert isinstance(last, ast.AssignStmt) and shape(last.value) == 0


def test_if_without_else():
    (s,) = body("    if ok { stop rexmt }")
    assert shape(s.cond) == "ok" and len(s.then) == 1 and s.otherwise == ()


def test_empty_body_braces():
    assert body("") == ()


# ---- expressions -------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # arithmetic: * and % bind tighter than + and -, both left-associative
    ("a + b * c", ("+", "a", ("*", "b", "c"))),
    ("a * b + c", ("+", ("*", "a", "b"), "c")),
    ("a - b - c", ("-", ("-", "a", "b"), "c")),
    ("a % b * c", ("*", ("%", "a", "b"), "c")),
    ("(a + b) * c", ("*", ("+", "a", "b"), "c")),
    ("-a + b", ("+", ("-", "a"), "b")),
    ("a - -b", ("-", "a", ("-", "b"))),
    # comparisons bind looser than arithmetic
    ("a + 1 == b", ("==", ("+", "a", 1), "b")),
    ("a != b", ("!=", "a", "b")),
    ("a < b", ("<", "a", "b")),
    ("a <= b", ("<=", "a", "b")),
    ("a > b", (">", "a", "b")),
    ("a >= b", (">=", "a", "b")),
    ("a in {1, 2}", ("in", "a", ("set", 1, 2))),
    ("a not in {}", ("notin", "a", ("set",))),
    ("a + 1 in s", ("in", ("+", "a", 1), "s")),
    # not binds tighter than and, and tighter than or, or tighter than =>
    ("not a == b", ("not", ("==", "a", "b"))),
    ("not a and b", ("and", ("not", "a"), "b")),
    ("not not a", ("not", ("not", "a"))),
    ("a or b and c", ("or", "a", ("and", "b", "c"))),
    ("a and b or c", ("or", ("and", "a", "b"), "c")),
    ("a and b and c", ("and", ("and", "a", "b"), "c")),
    ("a or b or c", ("or", ("or", "a", "b"), "c")),
    ("a => b or c", ("=>", "a", ("or", "b", "c"))),
    ("a and b => c", ("=>", ("and", "a", "b"), "c")),
    ("(a => b) => c", ("=>", ("=>", "a", "b"), "c")),
    # literals and references
    ("true", True),
    ("false", False),
    ("42", 42),
    ("client.state == SYN_SENT", ("==", "client.state", "SYN_SENT")),
    ("client.state in {CLOSED, LISTEN}", ("in", "client.state", ("set", "CLOSED", "LISTEN"))),
    ("seg.seq == seg.ack", ("==", "seg.seq", "seg.ack")),
    ("seg.SYN and not seg.RST", ("and", "seg.SYN", ("not", "seg.RST"))),
    ("server.peer < client.incarnation", ("<", "server.peer", "client.incarnation")),
    ("incarnation == 0", ("==", "incarnation", 0)),
    ("self.x == 1", ("==", "self.x", 1)),
])
def test_expression_shapes_and_precedence(text, expected):
    assert shape(expr_of(text)) == expected


def test_quantifiers_over_the_channel():
    both = expr_of("exists q in channel: q.SYN")
    assert shape(both) == ("exists", "q", None, "q.SYN")
    towards = expr_of("forall q in channel.server: q.seq != 0 and q.ACK")
    assert shape(towards) == ("forall", "q", "server", ("and", ("!=", "q.seq", 0), "q.ACK"))


def test_quantifier_body_extends_as_far_as_possible():
    e = expr_of("a and exists q in channel: q.SYN or q.FIN")
    assert shape(e) == ("and", "a", ("exists", "q", None, ("or", "q.SYN", "q.FIN")))


def test_expression_spans_point_at_the_operand():
    e = expr_of("a.x == 10")
    assert (e.span.line, e.span.column) == (2, 20)
    assert (e.left.base.span.column, e.left.attr.span.column) == (20, 22)
    assert (e.right.span.column, e.right.span.end_column) == (27, 29)


# ---- properties --------------------------------------------------------------------------

PROPERTIES = src('''
    model m
    property inv: always client.x <= 3 "bounded"
    property step:
      always at client.go, client.accept, server -> ESTABLISHED: self.x == seg.seq
      """
      after each of them
      """
    property goal: reachable client.state == ESTABLISHED
    property live: deadlock free
''')


def test_property_kinds_expressions_and_docs():
    inv, step, goal, live = parse(PROPERTIES).properties
    assert (inv.name.name, inv.kind, inv.doc) == ("inv", "always", "bounded")
    assert shape(inv.expr) == ("<=", "client.x", 3) and inv.selectors == ()
    assert (step.name.name, step.kind, step.doc) == ("step", "step", "after each of them")
    assert shape(step.expr) == ("==", "self.x", "seg.seq")
    assert (goal.kind, goal.doc) == ("reachable", None)
    assert shape(goal.expr) == ("==", "client.state", "ESTABLISHED")
    assert (live.kind, live.expr, live.selectors) == ("deadlock", None, ())
    assert (live.span.line, live.span.column) == (9, 1)


def test_step_property_selectors():
    step = parse(PROPERTIES).properties[1]
    sels = [(s.kind, s.endpoint.name, s.name.name) for s in step.selectors]
    assert sels == [("transition", "client", "go"), ("transition", "client", "accept"),
                    ("enters", "server", "ESTABLISHED")]
    third = step.selectors[2]
    assert (third.span.line, third.span.column) == (4, 39)
    assert (third.name.span.line, third.name.span.column) == (4, 49)


def test_every_item_kind_in_any_order():
    tree = parse(src("""
        model m
        property p: deadlock free
        endpoint a { states A initial A }
        const N = 1
        segment { ghost g : bool }
        channel { capacity = 1 }
        endpoint b { states B initial B }
        bounds { seqspace = 2 }
    """))
    assert [e.name.name for e in tree.endpoints] == ["a", "b"]
    assert [p.name.name for p in tree.properties] == ["p"]
    assert [c.name.name for c in tree.consts] == ["N"]
    assert [f.name.name for f in tree.fields] == ["g"]
    assert [s.name.name for s in tree.channel] == ["capacity"]
    assert [s.name.name for s in tree.bounds] == ["seqspace"]


def test_the_shipped_models_parse(models_dir):
    for path in sorted(models_dir.glob("*.tcp")):
        tree = parse(path.read_text(encoding="utf-8"), str(path))
        assert len(tree.endpoints) == 2, path
        # a variant (models/linux.tcp) may add no property: its base's are its own
        assert tree.properties or tree.extends is not None, path
