"""Syntax tree -> frozen model: every construct lowers to the right ir values.

Assertions are on the ir records themselves (indices, flag bit masks, types, ops,
step_exprs), never on printed text.
"""

from __future__ import annotations

import textwrap

import pytest

from tcpcheck.diagnostics import ModelError
from tcpcheck.loader import load_string
from tcpcheck.model import ir
from tcpcheck.model.ir import BOOL, Flag

SYN, ACK, FIN, RST, PSH, URG = (int(Flag[n]) for n in ("SYN", "ACK", "FIN", "RST", "PSH", "URG"))


def load(text: str) -> ir.Model:
    return load_string(textwrap.dedent(text).lstrip("\n"), "test.tcp")


FULL = """
    model full "a model using every construct"
    const N = 2
    const M = N * 3 + 1          # 7
    const K = M % 4 - -1         # 4
    bounds { seqspace = 8 incarnations = 2 }
    channel {
      capacity = 3
      loss = unbounded
      duplication = no
      reordering = no
      msl = 5
    }
    segment {
      ghost conn : 0..2
      ghost old : bool
    }
    endpoint client {
      states CLOSED, SYN_SENT, ESTABLISHED
      initial CLOSED
      terminal ESTABLISHED
      var x : 0..N = 1
      var s : seq = 9
      var f : bool = true
      var u : set of 0..5 = {1, 3}
      ghost var g : 0..M
      persistent var p : seq
      ghost persistent var gp : bool
      var r : 2..K
      timer rexmt
      timer other

      transition go [accept, first]: CLOSED, SYN_SENT -> SYN_SENT on open
        when x < N and not f
        "go doc"
      {
        x := x + 1
        send SYN+ACK(seq=s, ack=s + 1, conn=g, old=true)
        send FIN
        choose x
        choose s in 0..2 where s != 1
        choose r in 0..3
        start rexmt N
        stop other
        if x == 0 { x := 1 } else if x == 1 { x := 2 } else { x := 0 }
      }
      transition stay: SYN_SENT -> same on listen
      transition fin: SYN_SENT -> ESTABLISHED on close
      transition back: ESTABLISHED -> CLOSED on abort
      transition boom: SYN_SENT -> CLOSED on crash
      transition tick [accept]: SYN_SENT -> SYN_SENT on timeout other
      transition r1: CLOSED -> CLOSED on recv SYN -ACK ...
        when seg.seq == s and seg.SYN
      { g := seg.conn }
      transition r2: CLOSED -> CLOSED on recv any
      transition r3: CLOSED -> CLOSED on recv ACK
      transition r4: CLOSED -> CLOSED on recv SYN ACK
      transition r5: CLOSED -> CLOSED on recv ...
      transition r6: CLOSED -> CLOSED on recv -RST -FIN ...
    }
    endpoint server {
      states LISTEN, ESTABLISHED
      initial LISTEN
      var y : seq
      transition accept_it: LISTEN -> ESTABLISHED on recv SYN { y := seg.seq + 1 }
    }
    property inv: always client.x <= N => client.state in {CLOSED, SYN_SENT} "inv doc"
    property st: always at client.go, client.accept, client -> SYN_SENT: self.x == 1
    property both: always at client.r1, server -> ESTABLISHED: self.incarnation == 0 and seg.SYN
    property r: reachable exists q in channel.server: q.SYN and q.conn == client.incarnation
    property d: deadlock free
"""


def line_of(needle: str, text: str = FULL) -> int:
    """1-based line of the one line of the dedented source that contains ``needle``."""
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    found = [i + 1 for i, line in enumerate(lines) if needle in line]
    assert len(found) == 1, needle
    return found[0]


@pytest.fixture(scope="module")
def full() -> ir.Model:
    return load(FULL)


@pytest.fixture(scope="module")
def client(full) -> ir.Endpoint:
    return full.endpoints[0]


def transition(endpoint: ir.Endpoint, name: str) -> ir.Transition:
    (t,) = [t for t in endpoint.transitions if t.name == name]
    return t


# ---- model, constants, settings ----------------------------------------------------------

def test_model_header(full):
    assert full.name == "full"
    assert full.doc == "a model using every construct"
    assert full.file == "test.tcp"
    assert full.warnings == ()


def test_constants_are_evaluated_in_order(full):
    assert full.constants == (("N", 2), ("M", 7), ("K", 4))


def test_bounds(full):
    assert full.bounds == ir.Bounds(seqspace=8, incarnations=2)


def test_channel_settings(full):
    assert full.channel == ir.Channel(capacity=3, loss=None, duplication=0, reordering=False,
                                      msl=5)


@pytest.mark.parametrize("setting, expected", [
    ("loss = unbounded", dict(loss=None)),
    ("loss = yes", dict(loss=None)),
    ("loss = no", dict(loss=0)),
    ("loss = 3", dict(loss=3)),
    ("duplication = unbounded", dict(duplication=None)),
    ("duplication = no", dict(duplication=0)),
    ("duplication = 1", dict(duplication=1)),
    ("reordering = yes", dict(reordering=True)),
    ("reordering = no", dict(reordering=False)),
    ("capacity = 1", dict(capacity=1)),
    ("msl = 7", dict(msl=7)),
])
def test_each_channel_setting(setting, expected):
    model = load(f"""
        model m
        channel {{ {setting} }}
        endpoint a {{ states A initial A }}
        endpoint b {{ states B initial B }}
    """)
    assert model.channel == ir.Channel(**expected)


def test_defaults_without_settings():
    model = load("""
        model m
        endpoint a { states A initial A }
        endpoint b { states B initial B }
    """)
    assert model.channel == ir.Channel()
    assert model.bounds == ir.Bounds()
    assert (model.bounds.seqspace, model.bounds.incarnations) == (4, 1)
    assert model.properties == () and model.ghost_fields == () and model.constants == ()


def test_settings_may_use_constants():
    model = load("""
        model m
        const C = 2
        bounds { seqspace = C * 8 }
        channel { capacity = C + 1 }
        endpoint a { states A initial A }
        endpoint b { states B initial B }
    """)
    assert model.bounds.seqspace == 16 and model.channel.capacity == 3


def test_ghost_fields(full):
    assert [(f.name, f.type) for f in full.ghost_fields] == [
        ("conn", ir.IntType(0, 2)), ("old", BOOL)]
    assert full.ghost_fields[0].span.line == line_of("ghost conn") == 14


# ---- endpoints ---------------------------------------------------------------------------

def test_states_initial_terminal(full, client):
    assert [e.name for e in full.endpoints] == ["client", "server"]
    assert client.states == ("CLOSED", "SYN_SENT", "ESTABLISHED")
    assert client.initial == 0
    assert client.terminal == frozenset({2})
    server = full.endpoints[1]
    assert server.states == ("LISTEN", "ESTABLISHED")
    assert server.terminal == frozenset()
    assert full.endpoint_index("server") == 1


def test_initial_state_index_when_not_first():
    model = load("""
        model m
        endpoint a { states A, B, C initial C terminal A, C
                     transition t: C -> B on open  transition u: B -> A on close }
        endpoint b { states B initial B }
    """)
    assert model.endpoints[0].initial == 2
    assert model.endpoints[0].terminal == frozenset({0, 2})


def test_variable_types_and_initial_values(client):
    got = [(v.name, v.type, v.init, v.ghost, v.persistent) for v in client.variables]
    assert got == [
        ("x", ir.IntType(0, 2), 1, False, False),
        ("s", ir.SeqType(8), 1, False, False),            # 9 modulo seqspace 8
        ("f", BOOL, True, False, False),
        ("u", ir.SetType(ir.IntType(0, 5)), 0b1010, False, False),  # {1, 3} as a bit mask
        ("g", ir.IntType(0, 7), 0, True, False),
        ("p", ir.SeqType(8), 0, False, True),
        ("gp", BOOL, False, True, True),
        ("r", ir.IntType(2, 4), 2, False, False),          # default: the low end
    ]


def test_default_initial_values():
    model = load("""
        model m
        endpoint a {
          states A initial A
          var b : bool
          var s : seq
          var r : -3..3
          var e : set of seq
          var i : bool = false
        }
        endpoint b { states B initial B }
    """)
    assert [v.init for v in model.endpoints[0].variables] == [False, 0, -3, 0, False]


def test_set_initial_values_of_seq_wrap():
    model = load("""
        model m
        bounds { seqspace = 4 }
        endpoint a { states A initial A  var e : set of seq = {0, 5} }
        endpoint b { states B initial B }
    """)
    assert model.endpoints[0].variables[0].init == 0b0011


def test_timers(client):
    assert client.timers == ("rexmt", "other")


# ---- transitions and triggers ------------------------------------------------------------

def test_transition_sources_target_labels_doc(client):
    go = client.transitions[0]
    assert go.name == "go"
    assert go.sources == frozenset({0, 1})
    assert go.target == 1
    assert go.labels == frozenset({"accept", "first"})
    assert go.doc == "go doc"
    assert go.span.line == line_of("transition go") == 32
    assert [t.name for t in client.transitions] == [
        "go", "stay", "fin", "back", "boom", "tick", "r1", "r2", "r3", "r4", "r5", "r6"]


def test_target_same_is_none(client):
    assert transition(client, "stay").target is None
    assert transition(client, "stay").sources == frozenset({1})


@pytest.mark.parametrize("name, kind", [
    ("go", "open"), ("stay", "listen"), ("fin", "close"), ("back", "abort"), ("boom", "crash")])
def test_user_call_and_crash_triggers(client, name, kind):
    assert transition(client, name).trigger == ir.Trigger(kind)


def test_timeout_trigger_has_the_timer_index(client):
    assert transition(client, "tick").trigger == ir.Trigger("timeout", timer=1)


@pytest.mark.parametrize("name, must_set, must_clear, others_free", [
    ("r1", SYN, ACK, True),               # recv SYN -ACK ...
    ("r2", 0, 0, True),                   # recv any
    ("r3", ACK, 0, False),                # recv ACK        (exactly ACK)
    ("r4", SYN | ACK, 0, False),          # recv SYN ACK    (exactly SYN+ACK)
    ("r5", 0, 0, True),                   # recv ...
    ("r6", 0, RST | FIN, True),           # recv -RST -FIN ...
])
def test_recv_patterns_become_bit_masks(client, name, must_set, must_clear, others_free):
    trig = transition(client, name).trigger
    assert trig == ir.Trigger("recv", must_set=must_set, must_clear=must_clear,
                              others_free=others_free)


def test_recv_pattern_matching(client):
    exact = transition(client, "r4").trigger
    assert exact.matches(SYN | ACK)
    assert not exact.matches(SYN) and not exact.matches(SYN | ACK | PSH)
    open_ = transition(client, "r1").trigger
    assert open_.matches(SYN) and open_.matches(SYN | PSH | FIN)
    assert not open_.matches(SYN | ACK) and not open_.matches(ACK)
    assert transition(client, "r2").trigger.matches(0)


def test_flag_bits_are_the_tcp_header_bits():
    assert (FIN, SYN, RST, PSH, ACK, URG) == (1, 2, 4, 8, 16, 32)
    assert ir.flags_of(["SYN", "ACK"]) == 18


def test_guard(client):
    guard = transition(client, "go").guard
    x = ir.VarRef(0, 0, "x", ir.IntType(0, 2), False)
    f = ir.VarRef(0, 2, "f", BOOL, False)
    assert guard == ir.Binary("and",
                              ir.Binary("<", x, ir.Lit(2, ir.IntType(2, 2)), BOOL),
                              ir.Unary("not", f, BOOL), BOOL)


def test_recv_guard_reads_segment_fields(client):
    guard = transition(client, "r1").guard
    s = ir.VarRef(0, 1, "s", ir.SeqType(8), False)
    assert guard == ir.Binary(
        "and",
        ir.Binary("==", ir.SegField("seg", "seq", ir.SeqType(8)), s, BOOL),
        ir.SegField("seg", "SYN", BOOL), BOOL)
    assert transition(client, "r2").guard is None


# ---- statements --------------------------------------------------------------------------

def test_statement_kinds_in_order(client):
    kinds = [type(s) for s in transition(client, "go").body]
    assert kinds == [ir.Assign, ir.Send, ir.Send, ir.Choose, ir.Choose, ir.Choose,
                     ir.StartTimer, ir.StopTimer, ir.If]


def test_assign(client):
    assign = transition(client, "go").body[0]
    x = ir.VarRef(0, 0, "x", ir.IntType(0, 2), False)
    assert assign.var == 0
    assert assign.value == ir.Binary("+", x, ir.Lit(1, ir.IntType(1, 1)), ir.INT)
    assert assign.span.line == line_of("x := x + 1") == 36


def test_send_flags_fields_and_ghosts(client):
    full_send, bare = transition(client, "go").body[1:3]
    s = ir.VarRef(0, 1, "s", ir.SeqType(8), False)
    assert full_send.flags == SYN | ACK
    assert full_send.seq == s
    assert full_send.ack == ir.Binary("seq+", s, ir.Lit(1, ir.IntType(1, 1)), ir.SeqType(8))
    assert full_send.ghosts == (ir.VarRef(0, 4, "g", ir.IntType(0, 7), True),
                                ir.Lit(True, BOOL))
    # fields not given: seq and ack 0, ghosts their type's default, in field order
    assert bare.flags == FIN
    assert (bare.seq.value, bare.ack.value) == (0, 0)
    assert bare.ghosts == (ir.Lit(0, ir.IntType(0, 2)), ir.Lit(False, BOOL))


def test_choose_domains(client):
    plain, where, narrowed = transition(client, "go").body[3:6]
    # domains are ranges (never enumerated by lowering: a seq's may hold 2^32 values)
    assert (plain.var, plain.domain, plain.where) == (0, range(0, 3), None)  # x : 0..N
    assert where.var == 1 and tuple(where.domain) == (0, 1, 2)
    assert where.where == ir.Binary("!=", ir.VarRef(0, 1, "s", ir.SeqType(8), False),
                                    ir.Lit(1, ir.IntType(1, 1)), BOOL)
    # 'in 0..3' is intersected with the variable's own domain r : 2..4
    assert (narrowed.var, narrowed.domain) == (7, range(2, 4))


def test_choose_over_seq_takes_every_sequence_number():
    model = load("""
        model m
        bounds { seqspace = 4 }
        endpoint a { states A initial A  var iss : seq
                     transition t: A -> A on open { choose iss } }
        endpoint b { states B initial B }
    """)
    assert model.endpoints[0].transitions[0].body[0].domain == range(4)


def test_start_and_stop(client):
    start, stop = transition(client, "go").body[6:8]
    assert start == ir.StartTimer(0, ir.Lit(2, ir.IntType(2, 2)), start.span)
    assert stop == ir.StopTimer(1, stop.span)


def test_if_else_if_else(client):
    stmt = transition(client, "go").body[8]
    x = ir.VarRef(0, 0, "x", ir.IntType(0, 2), False)
    lit = lambda v: ir.Lit(v, ir.IntType(v, v))
    assert stmt.cond == ir.Binary("==", x, lit(0), BOOL)
    assert [(a.var, a.value) for a in stmt.then] == [(0, lit(1))]
    (inner,) = stmt.otherwise
    assert isinstance(inner, ir.If)
    assert inner.cond == ir.Binary("==", x, lit(1), BOOL)
    assert [(a.var, a.value) for a in inner.then] == [(0, lit(2))]
    assert [(a.var, a.value) for a in inner.otherwise] == [(0, lit(0))]


def test_ghost_assignment_from_a_ghost_segment_field(client):
    (assign,) = transition(client, "r1").body
    assert assign.var == 4
    assert assign.value == ir.SegField("seg", "conn", ir.IntType(0, 2), ghost_index=0, ghost=True)


def test_other_endpoint_indices_are_its_own(full):
    server = full.endpoints[1]
    (t,) = server.transitions
    assert t.sources == frozenset({0}) and t.target == 1
    assert t.trigger == ir.Trigger("recv", must_set=SYN)
    (assign,) = t.body
    assert assign.var == 0
    assert assign.value == ir.Binary("seq+", ir.SegField("seg", "seq", ir.SeqType(8)),
                                     ir.Lit(1, ir.IntType(1, 1)), ir.SeqType(8))


# ---- expressions in properties -----------------------------------------------------------

def always(expr: str, extra_vars: str = ""):
    model = load(f"""
        model m
        const C = 3
        bounds {{ seqspace = 8 }}
        segment {{ ghost tag : 0..1 }}
        endpoint a {{
          states A0, A1
          initial A0
          var x : 0..5
          var s : seq
          var f : bool
          var u : set of 0..5
          ghost var g : 0..3
          {extra_vars}
          transition t: A0 -> A1 on open
        }}
        endpoint b {{
          states B0, B1
          initial B0
          var y : 0..5
          transition t: B0 -> B1 on listen
        }}
        property p: always {expr}
    """)
    return model.properties[0].expr


X = ir.VarRef(0, 0, "x", ir.IntType(0, 5), False)
S = ir.VarRef(0, 1, "s", ir.SeqType(8), False)
F = ir.VarRef(0, 2, "f", BOOL, False)
U = ir.VarRef(0, 3, "u", ir.SetType(ir.IntType(0, 5)), False)
G = ir.VarRef(0, 4, "g", ir.IntType(0, 3), True)
Y = ir.VarRef(1, 0, "y", ir.IntType(0, 5), False)


def lit(v):
    return ir.Lit(v, BOOL) if isinstance(v, bool) else ir.Lit(v, ir.IntType(v, v))


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
def test_integer_comparisons(op):
    assert always(f"a.x {op} b.y") == ir.Binary(op, X, Y, BOOL)


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_sequence_number_orderings_are_modular(op):
    assert always(f"a.s {op} 2") == ir.Binary("seq" + op, S, lit(2), BOOL)


def test_sequence_number_equality_stays_plain():
    assert always("a.s == 2") == ir.Binary("==", S, lit(2), BOOL)


@pytest.mark.parametrize("op", ["+", "-", "*", "%"])
def test_integer_arithmetic(op):
    assert always(f"a.x {op} 2 == 1") == ir.Binary(
        "==", ir.Binary(op, X, lit(2), ir.INT), lit(1), BOOL)


@pytest.mark.parametrize("op", ["+", "-"])
def test_sequence_arithmetic(op):
    assert always(f"a.s {op} 1 == 0") == ir.Binary(
        "==", ir.Binary("seq" + op, S, lit(1), ir.SeqType(8)), lit(0), BOOL)


def test_negation_and_constants():
    assert always("-a.x == -C") == ir.Binary(
        "==", ir.Unary("-", X, ir.INT), ir.Unary("-", lit(3), ir.INT), BOOL)


@pytest.mark.parametrize("op", ["and", "or", "=>"])
def test_boolean_connectives(op):
    assert always(f"a.f {op} true") == ir.Binary(op, F, lit(True), BOOL)


def test_not():
    assert always("not a.f") == ir.Unary("not", F, BOOL)


def test_precedence_survives_lowering():
    expr = always("a.x + 1 * 2 == 3 or not a.f and a.s < 1 => false")
    arith = ir.Binary("+", X, ir.Binary("*", lit(1), lit(2), ir.INT), ir.INT)
    assert expr == ir.Binary(
        "=>",
        ir.Binary("or",
                  ir.Binary("==", arith, lit(3), BOOL),
                  ir.Binary("and", ir.Unary("not", F, BOOL),
                            ir.Binary("seq<", S, lit(1), BOOL), BOOL),
                  BOOL),
        lit(False), BOOL)


def test_set_literals_membership_union_difference():
    items = (lit(1), lit(4))
    set_lit = ir.SetLiteral(items, ir.SetType(ir.IntType(1, 4)))
    assert always("a.x in {1, 4}") == ir.Binary("in", X, set_lit, BOOL)
    assert always("a.x not in a.u") == ir.Binary("notin", X, U, BOOL)
    assert always("2 in a.u + {1, 4}") == ir.Binary(
        "in", lit(2), ir.Binary("union", U, set_lit, U.type), BOOL)
    assert always("2 in a.u - {1, 4}") == ir.Binary(
        "in", lit(2), ir.Binary("difference", U, set_lit, U.type), BOOL)


def test_state_tests():
    a_state = ir.ControlState(0, ir.StateType(0))
    a1 = ir.StateLit(0, 1, "A1", ir.StateType(0))
    assert always("a.state == A1") == ir.Binary("==", a_state, a1, BOOL)
    assert always("A1 != a.state") == ir.Binary("!=", a_state, a1, BOOL)
    b_state = ir.ControlState(1, ir.StateType(1))
    members = ir.SetLiteral((ir.StateLit(1, 0, "B0", ir.StateType(1)),
                             ir.StateLit(1, 1, "B1", ir.StateType(1))),
                            ir.SetType(ir.StateType(1)))
    assert always("b.state in {B0, B1}") == ir.Binary("in", b_state, members, BOOL)
    assert always("b.state not in {B0, B1}") == ir.Binary("notin", b_state, members, BOOL)


def test_incarnation_and_ghost_variables_in_properties():
    assert always("a.incarnation == b.incarnation") == ir.Binary(
        "==", ir.IncarnationRef(0, ir.IntType(0, None)),
        ir.IncarnationRef(1, ir.IntType(0, None)), BOOL)
    assert always("a.g == 1") == ir.Binary("==", G, lit(1), BOOL)


def test_quantifiers():
    q_syn = ir.SegField("q", "SYN", BOOL)
    assert always("exists q in channel: q.SYN") == ir.Quantifier("exists", "q", None, q_syn)
    assert always("forall q in channel.b: q.SYN") == ir.Quantifier("forall", "q", 1, q_syn)
    body = always("exists q in channel.a: q.seq == a.s and q.tag == 1 and q.dst == 0").body
    assert body == ir.Binary(
        "and",
        ir.Binary("and",
                  ir.Binary("==", ir.SegField("q", "seq", ir.SeqType(8)), S, BOOL),
                  ir.Binary("==", ir.SegField("q", "tag", ir.IntType(0, 1), 0, True),
                            lit(1), BOOL), BOOL),
        ir.Binary("==", ir.SegField("q", "dst", ir.IntType(0, 1)), lit(0), BOOL), BOOL)


def test_transition_reads_incarnation_as_a_ghost():
    model = load("""
        model m
        segment { ghost conn : 0..3 }
        endpoint a { states A initial A
                     transition t: A -> A on open { send SYN(conn=incarnation) } }
        endpoint b { states B initial B }
    """)
    (send,) = model.endpoints[0].transitions[0].body
    assert send.ghosts == (ir.IncarnationRef(0, ir.IntType(0, None)),)
    assert send.ghosts[0].ghost is True


# ---- properties --------------------------------------------------------------------------

def test_property_kinds_and_docs(full):
    assert [(p.name, p.kind) for p in full.properties] == [
        ("inv", "always"), ("st", "step"), ("both", "step"), ("r", "reachable"),
        ("d", "deadlock")]
    assert full.get_property("inv").doc == "inv doc"
    d = full.get_property("d")
    assert d.expr is None and d.selectors == frozenset() and d.step_exprs == ()


def test_always_property_expression(full):
    inv = full.get_property("inv")
    x = ir.VarRef(0, 0, "x", ir.IntType(0, 2), False)
    states = ir.SetLiteral((ir.StateLit(0, 0, "CLOSED", ir.StateType(0)),
                            ir.StateLit(0, 1, "SYN_SENT", ir.StateType(0))),
                           ir.SetType(ir.StateType(0)))
    assert inv.expr == ir.Binary(
        "=>", ir.Binary("<=", x, ir.Lit(2, ir.IntType(2, 2)), BOOL),
        ir.Binary("in", ir.ControlState(0, ir.StateType(0)), states, BOOL), BOOL)
    assert inv.selectors == frozenset() and inv.step_exprs == ()


def test_step_selectors_by_name_label_and_entered_state(full, client):
    st = full.get_property("st")
    # client.go (index 0), label 'accept' (go and tick, index 5), client -> SYN_SENT
    # (go and tick target SYN_SENT explicitly; 'stay' goes to 'same')
    assert st.selectors == frozenset({(0, 0), (0, 5)})
    assert client.transitions[5].name == "tick"


def test_step_exprs_resolve_self_per_acting_endpoint(full):
    st = full.get_property("st")
    x = ir.VarRef(0, 0, "x", ir.IntType(0, 2), False)
    expected = ir.Binary("==", x, ir.Lit(1, ir.IntType(1, 1)), BOOL)
    assert st.step_exprs == ((0, expected),)
    assert st.expr_for(0) == expected

    both = full.get_property("both")
    assert both.selectors == frozenset({(0, 6), (1, 0)})
    seg_syn = ir.SegField("seg", "SYN", BOOL)
    for e in (0, 1):
        incarnation = ir.IncarnationRef(e, ir.IntType(0, None))
        assert both.expr_for(e) == ir.Binary(
            "and", ir.Binary("==", incarnation, ir.Lit(0, ir.IntType(0, 0)), BOOL),
            seg_syn, BOOL)
    assert [e for e, _ in both.step_exprs] == [0, 1]


def test_reachable_with_quantifier_towards_an_endpoint(full):
    r = full.get_property("r")
    assert r.kind == "reachable"
    assert isinstance(r.expr, ir.Quantifier)
    assert (r.expr.kind, r.expr.var, r.expr.direction) == ("exists", "q", 1)
    assert r.expr.body.right == ir.Binary(
        "==", ir.SegField("q", "conn", ir.IntType(0, 2), ghost_index=0, ghost=True),
        ir.IncarnationRef(0, ir.IntType(0, None)), BOOL)


def test_selector_by_label_shared_by_both_endpoints():
    model = load("""
        model m
        endpoint a { states A0, A1 initial A0
                     transition t1 [done]: A0 -> A1 on open
                     transition t2: A1 -> A0 on close }
        endpoint b { states B0, B1 initial B0
                     transition u1: B0 -> B1 on listen
                     transition u2 [done]: B1 -> B0 on close }
        property p: always at a.done, b.done, b -> B1: self.incarnation == 0
    """)
    assert model.properties[0].selectors == frozenset({(0, 0), (1, 1), (1, 0)})


def test_the_shipped_models_lower(models_dir):
    for path in sorted(models_dir.glob("*.tcp")):
        model = load_string(path.read_text(encoding="utf-8"), str(path))
        assert len(model.endpoints) == 2, path
        assert model.properties, path
        assert all(w.severity == "warning" for w in model.warnings), path


# ---- corners the manual promises ---------------------------------------------------------

OTHER = "endpoint b { states B initial B }\n"


def test_a_state_called_same_wins_over_the_keyword():
    model = load_string("model m\nendpoint a { states A, same initial A\n"
                        "  transition t: A -> same on open }\n" + OTHER)
    assert model.endpoints[0].transitions[0].target == 1


def test_an_endpoint_called_self_wins_over_the_acting_endpoint():
    model = load_string("model m\n"
                        "endpoint self { states A initial A var x : 0..1\n"
                        "  transition t: A -> A on open }\n"
                        "endpoint b { states B initial B var x : 0..1\n"
                        "  transition u: B -> B on open }\n"
                        "property p: always at b.u: self.x == 0\n")
    (actor, expr), = model.properties[0].step_exprs
    assert actor == 1
    assert expr.left == ir.VarRef(0, 0, "x", ir.IntType(0, 1), False)


def test_a_variable_may_not_shadow_incarnation_or_a_constant():
    for decl, extra in (("var incarnation : 0..3", ""), ("var K : 0..3", "const K = 1\n")):
        with pytest.raises(ModelError) as info:
            load_string("model m\n" + extra + "endpoint a { states A initial A " + decl + "\n"
                        "  transition t: A -> A on open }\n" + OTHER)
        assert [d.code for d in info.value.errors] == ["duplicate"]


def test_terminal_may_be_repeated():
    model = load_string("model m\nendpoint a { states A, B initial A terminal A terminal B\n"
                        "  transition t: A -> B on open }\n" + OTHER)
    assert model.endpoints[0].terminal == frozenset({0, 1})


def test_constant_modulo_takes_the_sign_of_the_divisor():
    model = load_string("model m\nconst K = -3 % 4\nconst L = 3 % -4\n"
                        "endpoint a { states A initial A }\n" + OTHER)
    assert model.constants == (("K", 1), ("L", -1))


def test_unicode_in_a_one_line_docstring():
    model = load_string('model m "café ✓ \\"quoted\\" tab:\\tend"\n'
                        "endpoint a { states A initial A }\n" + OTHER)
    assert model.doc == 'café ✓ "quoted" tab:\tend'


def test_two_blocks_of_settings_are_merged():
    model = load_string("model m\nchannel { capacity = 1 }\nchannel { msl = 2 }\n"
                        "endpoint a { states A initial A }\n" + OTHER)
    assert (model.channel.capacity, model.channel.msl) == (1, 2)
