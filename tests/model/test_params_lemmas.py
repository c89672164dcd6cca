"""``param`` and ``lemma``: lowering to ir (ParamRef, derived constants, msl_expr,
constraints, Lemma), every error code, ``--set`` on a param, and the explicit engine's
treatment of both (params at their defaults, lemmas checked as invariants).

Assertions are on ir records, diagnostic codes and positions, never on wording.
"""

from __future__ import annotations

import textwrap

import pytest

from tcpcheck.diagnostics import ModelError, UsageError
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.explicit.compile import expression_source
from tcpcheck.loader import load_file, load_string
from tcpcheck.model import ir
from tcpcheck.model.expressions import reads_ghost
from tcpcheck.render import json as render_json
from tcpcheck.render import text as render_text
from tcpcheck.render import values as render_values
from tcpcheck.result import HOLDS, NOT_VERIFIED, VIOLATED

FULL = CheckOptions(stop_when_decided=False)


def load(text: str, **kw) -> ir.Model:
    return load_string(textwrap.dedent(text).lstrip("\n"), "test.tcp", **kw)


def errors(text: str, **kw) -> list[tuple[str, int]]:
    """(code, line) of every error the model has."""
    with pytest.raises(ModelError) as info:
        load(text, **kw)
    return [(d.code, d.span.line) for d in info.value.errors]


def lit(v: int) -> ir.Lit:
    return ir.Lit(v, ir.IntType(v, v))


# A timed model: `go` starts a timer for TW ticks, `fire` counts when it expires.
TIMED = """
    model timed
    {decl} TW = 3{where}
    endpoint a {{
      states IDLE, WAIT, DONE
      initial IDLE
      terminal DONE
      var n : 0..5
      timer t
      transition go: IDLE -> WAIT on open when n < TW {{ start t TW }}
      transition fire: WAIT -> DONE on timeout t {{ n := n + 1 }}
    }}
    endpoint b {{ states Z initial Z terminal Z }}
    {extra}
"""


def timed(decl: str = "param", where: str = " where TW >= 1", extra: str = "", **kw):
    return load(TIMED.format(decl=decl, where=where, extra=extra), **kw)


# ---- lowering -----------------------------------------------------------------------------

def test_a_param_lowers_to_a_param_record_and_refs():
    model = timed()
    (p,) = model.params
    ref = ir.ParamRef(0, "TW", 3)
    assert p == ir.Param("TW", 3, ir.Binary(">=", ref, lit(1), ir.BOOL), None, p.span)
    assert (p.span.line, p.span.column) == (2, 1)
    go = model.endpoints[0].transitions[0]
    assert go.body == (ir.StartTimer(0, ref, go.body[0].span),)  # a timer duration
    assert go.guard.right == ref  # a guard
    assert ref.type == ir.INT
    assert model.constants == ()  # params are not constants


def test_param_refs_are_not_ghosts_and_compile_to_the_default():
    model = timed()
    guard = model.endpoints[0].transitions[0].guard
    assert not reads_ghost(guard)
    assert expression_source(guard.right, in_transition=True, modulus=4) == "3"


def test_a_const_defined_from_a_param_is_derived():
    model = load("""
        model m
        param MSL = 2 where MSL >= 1 "maximum segment lifetime"
        const TW2 = 2 * MSL
        const PLAIN = 3 + 4
        endpoint a { states S initial S var x : 0..9 timer t
          transition go: S -> S on open when x < TW2 { start t TW2 + PLAIN } }
        endpoint b { states S initial S }
        property p: always a.x <= TW2
    """)
    msl = ir.ParamRef(0, "MSL", 2)
    derived = ir.Binary("*", lit(2), msl, ir.INT)
    go = model.endpoints[0].transitions[0]
    assert go.guard.right == derived
    assert go.body[0].duration == ir.Binary("+", derived, lit(7), ir.INT)
    assert model.properties[0].expr.right == derived
    assert model.constants == (("TW2", 4), ("PLAIN", 7))  # derived: its value at the defaults
    assert model.params[0].doc == "maximum segment lifetime"


def test_a_default_may_use_earlier_params_and_constants():
    model = load("""
        model m
        const K = 2
        param A = K + 1
        param B = A * 2 where B > A
        endpoint a { states S initial S }
        endpoint b { states S initial S }
    """)
    a, b = model.params
    assert (a.default, b.default) == (3, 6)
    ref_a, ref_b = ir.ParamRef(0, "A", 3), ir.ParamRef(1, "B", 6)
    assert b.constraint == ir.Binary(">", ref_b, ref_a, ir.BOOL)


def test_a_constraint_is_over_param_refs_and_literals_only():
    model = load("""
        model m
        const LO = 1
        param A = 2
        const TWICE = 2 * A
        param B = 5 where not (B < LO or B > 9) and B % 2 == 1 and B >= TWICE => true
        endpoint a { states S initial S }
        endpoint b { states S initial S }
    """)
    kinds = set()

    def walk(e):
        kinds.add(type(e))
        for child in (getattr(e, a, None) for a in ("operand", "left", "right")):
            if child is not None:
                walk(child)

    walk(model.params[1].constraint)
    assert kinds == {ir.Binary, ir.Unary, ir.ParamRef, ir.Lit}


def test_msl_may_be_a_param():
    model = load("""
        model m
        param MSL = 2 where MSL >= 1
        channel { msl = MSL + 1 }
        endpoint a { states S initial S }
        endpoint b { states S initial S }
    """)
    assert model.channel.msl == 3
    assert model.channel.msl_expr == ir.Binary("+", ir.ParamRef(0, "MSL", 2), lit(1), ir.INT)
    plain = load("""
        model m
        const MSL = 2
        channel { msl = MSL }
        endpoint a { states S initial S }
        endpoint b { states S initial S }
    """)
    assert (plain.channel.msl, plain.channel.msl_expr) == (2, None)


def test_params_may_appear_in_send_fields_assignments_and_properties():
    model = load("""
        model m
        param P = 1
        segment { ghost tag : 0..3 }
        endpoint a { states S initial S var x : 0..3 var s : seq
          transition go: S -> S on open { x := P  send SYN(seq=s + P, tag=P) } }
        endpoint b { states S initial S }
        property p: always forall m in channel: m.tag <= P
        property q: reachable a.x == P
    """)
    ref = ir.ParamRef(0, "P", 1)
    assign, send = model.endpoints[0].transitions[0].body
    assert assign.value == ref and send.ghosts == (ref,)
    assert send.seq.right == ref
    assert model.properties[1].expr.right == ref


def test_a_lemma_lowers_like_an_always_property():
    model = timed(extra="""
    property inv: always a.n <= TW
    lemma n_bounded: a.n <= TW "n never exceeds the timeout"
    lemma in_flight: forall s in channel: s.SYN
    """)
    bounded, flight = model.lemmas
    assert bounded == ir.Lemma("n_bounded", model.get_property("inv").expr,
                               "n never exceeds the timeout", bounded.span)
    assert isinstance(flight.expr, ir.Quantifier)
    assert [p.name for p in model.properties] == ["inv"]


def test_python_built_models_need_no_params_or_lemmas():
    model = ir.Model("m", (ir.Endpoint("a", ("S",), 0), ir.Endpoint("b", ("S",), 0)))
    assert (model.params, model.lemmas, model.channel.msl_expr) == ((), (), None)


# ---- errors -------------------------------------------------------------------------------

ENDS = """
    endpoint client { states A, B initial A var x : 0..3 timer t
      transition go: A -> B on open
    }
    endpoint server { states L initial L }
"""


def model_with(top: str, tail: str = "") -> str:
    return "model m\n" + textwrap.dedent(top) + textwrap.dedent(ENDS) + textwrap.dedent(tail)


def test_a_default_that_violates_its_constraint():
    assert errors(model_with("param MSL = 0 where MSL >= 1\n")) == [("param-default", 2)]


def test_every_constraint_must_hold_at_the_defaults():
    top = "param A = 3 where A >= 1\nparam B = 2 where B > A\n"
    assert errors(model_with(top)) == [("param-default", 3)]


@pytest.mark.parametrize("constraint", [
    "A > x",                                   # a variable
    "A > client.x",                            # an endpoint's variable
    "A > incarnation",                         # a built-in
    "exists s in channel: s.SYN",              # the channel
    "A in {1, 2}",                             # a set
])
def test_a_constraint_reads_only_params_constants_and_literals(constraint):
    assert errors(model_with(f"param A = 1 where {constraint}\n")) == [("param-constraint", 2)]


def test_a_constraint_must_be_a_well_typed_condition():
    assert errors(model_with("param A = 1 where A + 1\n")) == [("type", 2)]
    assert errors(model_with("param A = 1 where A == true\n")) == [("type", 2)]
    assert errors(model_with("param A = true\n")) == [("type", 2)]


def test_a_misspelled_name_in_a_constraint_gets_a_suggestion():
    with pytest.raises(ModelError) as info:
        load(model_with("param MSL = 2 where MSLL >= 1\n"))
    (d,) = info.value.errors
    assert (d.code, d.span.line, d.span.column) == ("unknown-name", 2, 21)
    assert "MSL" in d.hint


def test_a_constraint_may_not_mention_a_later_param():
    assert errors(model_with("param A = 1 where A < B\nparam B = 2\n")) == [("unknown-name", 2)]


def test_a_misspelled_param_in_a_transition_gets_a_suggestion():
    text = model_with("param MSL = 2\n").replace("on open", "on open { start t MLS }")
    with pytest.raises(ModelError) as info:
        load(text)
    (d,) = info.value.errors
    assert d.code == "unknown-name" and "MSL" in d.hint


@pytest.mark.parametrize("top", [
    "param A = 1\nparam A = 2\n",
    "const A = 1\nparam A = 2\n",
    "param A = 1\nconst A = 2\n",
])
def test_a_param_name_is_unique_among_constants_and_params(top):
    assert errors(model_with(top)) == [("duplicate", 3)]


@pytest.mark.parametrize("name", ["incarnation", "state"])
def test_a_param_may_not_take_a_built_in_name(name):
    assert errors(model_with(f"param {name} = 1\n")) == [("duplicate", 2)]


def test_a_variable_may_not_take_a_params_name():
    assert errors(model_with("param x = 1\n")) == [("duplicate", 4)]


@pytest.mark.parametrize("top, line", [
    ("param A = 4\nbounds { seqspace = A }\n", 3),
    ("param A = 1\nbounds { incarnations = A }\n", 3),
    ("param A = 1\nchannel { capacity = A }\n", 3),
    ("param A = 1\nchannel { loss = A }\n", 3),
    ("param A = 1\nchannel { duplication = A + 1 }\n", 3),
    ("param A = 1\nchannel { reordering = A }\n", 3),
    ("param A = 1\nconst C = A + 1\nbounds { seqspace = C }\n", 4),  # through a derived const
])
def test_params_are_refused_where_the_state_space_is_shaped(top, line):
    assert errors(model_with(top)) == [("param-not-allowed", line)]


@pytest.mark.parametrize("replace, line", [
    (("var x : 0..3", "var x : 0..A"), 4),                  # a variable's type range
    (("var x : 0..3", "var x : 0..3 = A"), 4),              # an initial value
    (("var x : 0..3", "var x : set of 0..3 = {A}"), 4),     # an element of an initial set
    (("on open", "on open { choose x in 0..A }"), 5),       # the type of a choose
])
def test_params_are_refused_in_types_and_initial_values(replace, line):
    text = model_with("param A = 2\n").replace(*replace)
    assert errors(text) == [("param-not-allowed", line)]


def test_a_ghost_field_range_may_not_use_a_param():
    assert errors(model_with("param A = 2\nsegment { ghost g : 0..A }\n")) == \
        [("param-not-allowed", 3)]


def test_msl_at_the_defaults_must_be_in_range():
    assert errors(model_with("param A = 0\nchannel { msl = A }\n")) == [("value", 3)]


@pytest.mark.parametrize("tail, line", [
    ("property p: always true\nlemma p: client.x < 3\n", 8),
    ("lemma p: client.x < 3\nproperty p: always true\n", 8),
    ("lemma p: true\nlemma p: client.x < 3\n", 8),
])
def test_lemmas_and_properties_share_names(tail, line):
    assert errors(model_with("", tail)) == [("duplicate", line)]


@pytest.mark.parametrize("expr, code", [
    ("client.y < 3", "unknown-name"),
    ("client.x", "type"),
    ("seg.SYN", "no-segment"),
    ("self.x == 1", "no-self"),
])
def test_a_lemma_is_checked_like_an_always_property(expr, code):
    assert errors(model_with("", f"lemma l: {expr}\n")) == [(code, 7)]


# ---- --set --------------------------------------------------------------------------------

def test_set_overrides_a_params_default(tmp_path):
    path = tmp_path / "timed.tcp"
    path.write_text(textwrap.dedent(TIMED.format(decl="param", where=" where TW >= 1",
                                                 extra="")))
    model = load_file(path, {"TW": 5})
    assert model.params[0].default == 5
    assert model.endpoints[0].transitions[0].body[0].duration == ir.ParamRef(0, "TW", 5)
    with pytest.raises(ModelError) as info:
        load_file(path, {"TW": 0})
    assert [d.code for d in info.value.errors] == ["param-default"]
    with pytest.raises(UsageError):
        load_file(path, {"TW": "yes"})
    with pytest.raises(UsageError):
        load_file(path, {"WT": 2})


def test_set_of_a_param_moves_the_constants_derived_from_it():
    model = load("""
        model m
        param MSL = 2
        const TW = 2 * MSL
        endpoint a { states S initial S }
        endpoint b { states S initial S }
    """, overrides={"MSL": 5})
    assert model.constants == (("TW", 10),)


# ---- the explicit engine ------------------------------------------------------------------

def test_a_param_checks_exactly_like_a_const_with_its_default():
    for value in (None, 2):
        overrides = {"TW": value} if value is not None else None
        with_param = check(timed(overrides=overrides), FULL)
        with_const = check(timed("const", "", overrides=overrides), FULL)
        assert with_param.complete and with_const.complete
        assert (with_param.stats.states, with_param.stats.transitions) == \
            (with_const.stats.states, with_const.stats.transitions)
    # IDLE, WAIT with t = 3, 2, 1, 0, DONE: six states; one fewer tick with TW = 2
    assert check(timed(), FULL).stats.states == 6
    assert check(timed(overrides={"TW": 2}), FULL).stats.states == 5


def test_a_param_msl_ages_segments_like_its_default():
    text = """
        model m
        {decl} MSL = 2
        channel {{ msl = MSL }}
        endpoint a {{ states S, T initial S transition go: S -> T on open {{ send SYN }} }}
        endpoint b {{ states Z initial Z }}
    """
    with_param = check(load(text.format(decl="param")), FULL)
    with_const = check(load(text.format(decl="const")), FULL)
    assert with_param.stats.states == with_const.stats.states


def test_a_false_lemma_is_violated_with_a_shortest_counterexample():
    model = timed(extra='lemma never_counts: a.n == 0 "n stays 0"\n')
    result = check(model)
    lemma = result.get("never_counts")
    assert (lemma.kind, lemma.status, lemma.doc) == ("lemma", VIOLATED, "n stays 0")
    assert lemma.detail is not None
    # open, three ticks, the timeout that counts
    assert len(lemma.trace) == 5
    last = lemma.trace.steps[-1].state.endpoints[0]
    assert (last.state, last.value("n")) == ("DONE", 1)


def test_a_true_lemma_holds():
    result = check(timed(extra="lemma bounded: a.n <= TW and a.n <= 1\n"), FULL)
    assert result.get("bounded").kind == "lemma"
    assert result.get("bounded").status == HOLDS
    assert result.exit_code == 0


def test_a_lemma_can_be_selected_by_name():
    model = timed(extra="property p: always a.n <= 1\nlemma l: a.n <= 1\n")
    result = check(model, CheckOptions(properties=("l",), stop_when_decided=False))
    assert [p.name for p in result.properties] == ["l", "domains"]
    limited = check(model, CheckOptions(max_depth=1))
    assert limited.get("l").status == NOT_VERIFIED


def test_lemmas_are_rendered_like_invariants():
    model = timed(extra="lemma never_counts: a.n == 0\n")
    result = check(model)
    text = render_text.check_result(result, model)
    assert "never_counts (lemma)" in text
    assert "Counterexample for lemma never_counts" in text
    data = render_json.property_result(result.get("never_counts"))
    assert data["kind"] == "lemma" and data["trace"]["length"] == 5


# ---- summaries ----------------------------------------------------------------------------

def test_the_summary_lists_params_and_lemmas():
    model = load("""
        model m
        param MSL = 2 where MSL >= 1 and MSL % 2 == 0 "lifetime"
        channel { msl = 2 * MSL }
        endpoint a { states S initial S }
        endpoint b { states S initial S }
        lemma l: a.state == S "always S"
    """)
    summary = render_text.model_summary(model)
    assert "MSL = 2 where MSL >= 1 and MSL % 2 == 0: lifetime" in summary
    assert "msl=2 * MSL (4 at the defaults)" in summary
    assert "l: always S" in summary
    assert render_json.params(model) == [{"name": "MSL", "default": 2, "constraint":
                                          "MSL >= 1 and MSL % 2 == 0", "doc": "lifetime"}]
    assert render_json.lemmas(model) == [{"name": "l", "doc": "always S"}]
    assert render_json.msl_expr(model) == "2 * MSL"


@pytest.mark.parametrize("constraint", [
    "not (A < 1 or A > 9) and (A + 1) * 2 - -A % 3 >= 0 => A != 5",
    "(A > 1 => A > 0) => A >= 0",
    "A - (A - 1) == 1 and A * (A + 1) > -(A % 2)",
])
def test_a_printed_constraint_reads_back_as_the_same_expression(constraint):
    first = load(model_with(f"param A = 2 where {constraint}\n")).params[0]
    printed = render_values.expr_text(first.constraint)
    again = load(model_with(f"param A = 2 where {printed}\n")).params[0]
    assert again.constraint == first.constraint
