"""Exact state and transition counts of tiny models, derived by hand from the semantics.

Notation in the derivations: a global state is written with only what changes, e.g.
``(S1, x=2)``; "transitions" are edges explored: every (action, next state) pair listed by
Semantics.successors for every reachable state, including edges back to known states.
Unless a model says otherwise the channel is never used, no timer runs, so no tick.
"""

from __future__ import annotations

import pytest

from explicit_support import IDLE_B, actors, assert_counts, kinds, replay, run
from tcpcheck.result import HOLDS, REACHED, UNREACHABLE


def test_trivial_one_transition():
    # (S0) -open-> (S1); S1 has nothing enabled.  2 states, 1 transition.
    model, r = run("""
        model trivial
        endpoint a {
          states S0, S1
          initial S0
          terminal S1
          transition go: S0 -> S1 on open
        }
        """ + IDLE_B + """
        property dl: deadlock free
        """)
    assert_counts(model, r, 2, 1)
    assert r.stats.diameter == 1
    assert r.get("dl").status == HOLDS
    assert r.get("domains").status == HOLDS
    assert r.warnings == ()
    assert r.stop_reason is None


CHOOSE_MODEL = """
    model choices
    endpoint a {
      states S0, S1
      initial S0
      var x : 0..2
      var y : 0..2
      transition pick: S0 -> S1 on open { %s }
    }
    """ + IDLE_B


@pytest.mark.parametrize("body, states, transitions", [
    # x in {0,1,2}: 3 branches -> 1 + 3 states, 3 transitions.
    ("choose x", 4, 3),
    # where x != 1 keeps {0, 2}: 1 + 2 states, 2 transitions.
    ("choose x where x != 1", 3, 2),
    # the explicit domain 1..5 is cut to the variable's 0..2: {1, 2}: 3 states, 2 transitions.
    ("choose x in 1..5", 3, 2),
    # two choices: (0,1) (0,2) (1,2) satisfy y > x: 1 + 3 states, 3 transitions.
    ("choose x  choose y where y > x", 4, 3),
    # a choice with no candidate disables the transition: 1 state, 0 transitions.
    ("choose x where x > 2", 1, 0),
    # the branch taken depends on the value chosen: (0,1) (1,2) (2,2): 4 states, 3 transitions.
    ("choose x  if x == 0 { y := 1 } else { y := 2 }", 4, 3),
    # a choice directly inside an if-branch (x == 0 initially): y in {0,1,2}: 4 / 3.
    ("if x == 0 { choose y }", 4, 3),
    # the if-branch not taken holds the choice: one outcome, y := 1: 2 / 1.
    ("if x == 1 { choose y } else { y := 1 }", 2, 1),
])
def test_choose_branches(body, states, transitions):
    model, r = run(CHOOSE_MODEL % body)
    assert_counts(model, r, states, transitions)
    assert r.stats.coverage[0].fired == transitions


@pytest.mark.parametrize("body, states, transitions", [
    # x == 0, so 'x == 1' fails and the else-if 'y == 0' holds: choose y gives y in {0,1,2}:
    # (S0) plus (S1, y=0), (S1, y=1), (S1, y=2): 4 states, 3 transitions.
    ("if x == 1 { y := 1 } else if y == 0 { choose y }", 4, 3),
    # a choice two ifs deep, then a statement after the outer if, run once per candidate
    # (MANUAL 13.3: "including the statements after an enclosing if"): x := y gives
    # (S1, x=y=0), (S1, 1, 1), (S1, 2, 2): 4 states, 3 transitions.
    ("if x == 0 { if y == 0 { choose y } }  x := y", 4, 3),
])
def test_choose_nested_in_ifs_branches_on_every_value(body, states, transitions):
    # MANUAL 9.6 still lists "a choose nested in an if inside another if's branch keeps only
    # its first candidate" as a known problem; Semantics._run now runs the rest of the body
    # per candidate, which is what 13.3 specifies.
    model, r = run(CHOOSE_MODEL % body)
    assert_counts(model, r, states, transitions)
    assert r.get("domains").status == HOLDS


def test_choose_in_a_self_loop_counts_edges_to_known_states():
    # pick: S0 -> S0, choose x in 0..2: states x=0,1,2 (3); every state has 3 edges: 9.
    model, r = run("""
        model loop
        endpoint a {
          states S0
          initial S0
          terminal S0
          var x : 0..2
          transition pick: S0 -> S0 on open { choose x }
        }
        """ + IDLE_B)
    assert_counts(model, r, 3, 9)
    assert r.stats.coverage[0].fired == 9


def test_choose_where_in_a_self_loop():
    # choose x where x != 1: states x=0 and x=2; 2 edges from each: 2 states, 4 transitions.
    model, r = run("""
        model loop
        endpoint a {
          states S0
          initial S0
          var x : 0..2
          transition pick: S0 -> S0 on open { choose x where x != 1 }
        }
        """ + IDLE_B + """
        property never_one: always a.x != 1
        """)
    assert_counts(model, r, 2, 4)
    assert r.get("never_one").status == HOLDS


def test_user_calls_in_sequence():
    # A -open-> B -listen-> C -close-> D -abort-> E: 5 states, 4 transitions.
    model, r = run("""
        model calls
        endpoint a {
          states A, B, C, D, E
          initial A
          terminal E
          transition t_open: A -> B on open
          transition t_listen: B -> C on listen
          transition t_close: C -> D on close
          transition t_abort: D -> E on abort
          transition wrong: A -> E on close when false
        }
        """ + IDLE_B + """
        property end: reachable a.state == E
        """)
    assert_counts(model, r, 5, 4)
    witness = r.get("end").trace
    assert r.get("end").status == REACHED
    assert kinds(witness) == ["init", "user", "user", "user", "user"]
    assert [s.trigger for s in witness.steps[1:]] == ["open", "listen", "close", "abort"]
    assert [s.transition for s in witness.steps[1:]] == ["t_open", "t_listen", "t_close",
                                                         "t_abort"]
    replay(model, witness)


def test_user_calls_of_both_endpoints_interleave():
    # a: A -open-> B; b: X -listen-> Y.  States: the product {A,B} x {X,Y} = 4.
    # Edges: (A,X): 2, (B,X): 1, (A,Y): 1, (B,Y): 0 -> 4 transitions.
    model, r = run("""
        model interleave
        endpoint a {
          states A, B
          initial A
          terminal B
          transition go: A -> B on open
        }
        endpoint b {
          states X, Y
          initial X
          terminal Y
          transition go: X -> Y on listen
        }
        property both: reachable a.state == B and b.state == Y
        """)
    assert_counts(model, r, 4, 4)
    trace = r.get("both").trace
    # BFS: endpoint 0's move is listed first, so the witness is a then b.
    assert actors(trace) == ["init", "a", "b"]
    replay(model, trace)


def test_guards_select_transitions():
    # inc fires while x < 2: (S0,0) -> (S0,1) -> (S0,2); done fires at x == 2: (S1,2).
    # 4 states; edges: inc twice, done once = 3.
    model, r = run("""
        model guards
        endpoint a {
          states S0, S1
          initial S0
          terminal S1
          var x : 0..3
          transition inc: S0 -> S0 on open when x < 2 { x := x + 1 }
          transition done: S0 -> S1 on close when x == 2
        }
        """ + IDLE_B + """
        property no_three: always a.x != 3
        """)
    assert_counts(model, r, 4, 3)
    assert r.get("no_three").status == HOLDS
    assert [c.fired for c in r.stats.coverage] == [2, 1]


CRASH_MODEL = """
    model crash
    bounds { incarnations = %(lives)d }
    endpoint a {
      states S0, S1
      initial S0
      var x : 0..1
      persistent var p : 0..3
      transition bump: S0 -> S1 on open { x := 1  p := p + 1 }
      transition crash: S1 -> S0 on crash %(guard)s
    }
    """ + IDLE_B + """
    property x_reset: always a.state == S1 or a.x == 0
    property twice: reachable a.incarnation == 2 and a.state == S0 and a.p == 2 and a.x == 0
    property thrice: reachable a.incarnation == 3
    """


@pytest.mark.parametrize("guard", ["", "when x == 1"])
def test_crash_bounded_by_incarnations_resets_volatile_keeps_persistent(guard):
    # (state, incarnation, x, p):
    #   (S0,0,0,0) -bump-> (S1,0,1,1) -crash-> (S0,1,0,1)   x reset, p kept
    #   -bump-> (S1,1,1,2) -crash-> (S0,2,0,2) -bump-> (S1,2,1,3); a third crash needs
    #   incarnation 3 >= incarnations = 3: disabled.  6 states, 5 transitions.
    # The guard 'x == 1' is read before the reset (MANUAL 9.4), so it changes nothing.
    model, r = run(CRASH_MODEL % {"lives": 3, "guard": guard})
    assert_counts(model, r, 6, 5)
    assert r.get("x_reset").status == HOLDS
    assert r.get("thrice").status == UNREACHABLE
    twice = r.get("twice")
    assert twice.status == REACHED
    assert kinds(twice.trace) == ["init", "user", "crash", "user", "crash"]
    last = twice.trace.steps[-1].state.endpoint("a")
    assert (last.incarnation, last.value("x"), last.value("p")) == (2, 0, 2)
    assert twice.trace.steps[2].transition == "crash"
    assert twice.trace.steps[2].state.endpoint("a").incarnation == 1
    replay(model, twice.trace)


def test_crash_disabled_with_one_incarnation():
    # incarnations = 1 (no crash at all): (S0,0,0,0) -bump-> (S1,0,1,1).  2 states, 1 edge.
    model, r = run(CRASH_MODEL % {"lives": 1, "guard": ""})
    assert_counts(model, r, 2, 1)
    assert [c.fired for c in r.stats.coverage] == [1, 0]
    assert r.get("twice").status == UNREACHABLE
    assert any("a.crash" in w and "never fired" in w for w in r.warnings)


def test_crash_guard_false_before_the_reset():
    # 'when x == 0' is false in S1 (x = 1 there) although it would hold after the reset:
    # the crash never fires.  2 states, 1 transition.
    model, r = run(CRASH_MODEL % {"lives": 3, "guard": "when x == 0"})
    assert_counts(model, r, 2, 1)


def test_crash_stops_timers():
    # (state, incarnation, timer t): A=(S0,0,-) -arm-> B=(S1,0,1)
    #   B: crash -> C=(S0,1,-); tick -> D=(S1,0,0)            2 edges
    #   C: arm -> E=(S1,1,1)                                  1
    #   D: crash -> C; timeout -> A (no tick: t is 0)         2
    #   E: crash disabled (incarnations = 2); tick -> F=(S1,1,0)   1
    #   F: timeout -> C                                       1
    # 6 states, 1+2+1+2+1+1 = 8 transitions.
    model, r = run("""
        model crash_timer
        bounds { incarnations = 2 }
        endpoint a {
          states S0, S1
          initial S0
          terminal S0
          timer t
          transition arm: S0 -> S1 on open { start t 1 }
          transition crash: S1 -> S0 on crash
          transition fire: S1 -> S0 on timeout t
        }
        """ + IDLE_B + """
        property dl: deadlock free
        """)
    assert_counts(model, r, 6, 8)
    assert [c.fired for c in r.stats.coverage] == [2, 2, 2]
    assert r.get("dl").status == HOLDS
