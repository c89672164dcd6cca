"""Properties: invariants, step properties, goals, deadlock, the built-in domains, coverage."""

from __future__ import annotations

from textwrap import dedent

from explicit_support import (IDLE_B, actors, assert_counts, eval_property, kinds, load, replay,
                              run, shortest_distance)
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.explicit.semantics import Semantics
from tcpcheck.result import (EXIT_HOLDS, EXIT_VIOLATED, HOLDS, NOT_VERIFIED, REACHED,
                             UNREACHABLE, VIOLATED)

# a: S0 -go1(open)-> S1 -go2(close)-> S2;  b: X -go(listen)-> Y.
# States: {S0,S1,S2} x {X,Y} = 6, all reachable.  Edges: a's 2 moves in each b state (4)
# and b's move in each a state (3): 7 transitions.
INTERLEAVE = """
    model inv
    endpoint a {
      states S0, S1, S2
      initial S0
      terminal S2
      transition go1: S0 -> S1 on open
      transition go2: S1 -> S2 on close
    }
    endpoint b {
      states X, Y
      initial X
      terminal Y
      transition go: X -> Y on listen
    }
    property bad: always not (a.state == S2 and b.state == Y)
    property fine: always a.state == S0 => b.state in {X, Y}
    property at_start: reachable a.state == S0
    property init_bad: always a.state != S0
    """


# -- invariants --------------------------------------------------------------------------------

def test_invariant_violated_with_a_shortest_counterexample():
    model, r = run(INTERLEAVE)
    assert_counts(model, r, 6, 7)
    bad = r.get("bad")
    assert bad.status == VIOLATED and bad.trace.kind == "counterexample"
    assert bad.trace.property == "bad"
    # BFS order: (S0,X) -> (S1,X) (S0,Y); (S1,X) -> (S2,X) (S1,Y); (S2,X) -> (S2,Y).
    assert len(bad.trace) == 3
    assert kinds(bad.trace) == ["init", "user", "user", "user"]
    assert actors(bad.trace) == ["init", "a", "a", "b"]
    assert [s.transition for s in bad.trace.steps[1:]] == ["go1", "go2", "go"]
    final = replay(model, bad.trace)
    assert not eval_property(model, "bad", final)
    assert shortest_distance(model, lambda s: not eval_property(model, "bad", s)) == 3
    assert r.get("fine").status == HOLDS
    assert r.exit_code == EXIT_VIOLATED


def test_invariant_violated_in_the_initial_state():
    model, r = run(INTERLEAVE)
    p = r.get("init_bad")
    assert p.status == VIOLATED
    assert len(p.trace) == 0 and kinds(p.trace) == ["init"]
    start = r.get("at_start")
    assert start.status == REACHED and len(start.trace) == 0 and start.trace.kind == "witness"


def test_selected_property_stops_when_decided():
    # Only 'bad' is checked; once it is violated exploration stops: not complete, stop
    # reason "decided", and domains (undecided) is not listed.
    model = load(INTERLEAVE)
    r = check(model, CheckOptions(properties=("bad",)))
    assert [p.name for p in r.properties] == ["bad"]
    assert r.get("bad").status == VIOLATED and len(r.get("bad").trace) == 3
    assert not r.complete and r.stop_reason == "decided"
    assert r.warnings == ()
    assert r.exit_code == EXIT_VIOLATED


# -- step properties ------------------------------------------------------------------------

# a chooses x (4 values), sets n := 1 and sends SYN x; b receives it into r.
# States: s0; (S1, x, L, [SYN x]) for 4 x; (S1, x, E, r = x, []) for 4 x: 9.
# Transitions: go's 4 outcomes, and one recv in each of the 4 middle states: 8.
STEPS = """
    model steps
    channel { capacity = 1  loss = 0  duplication = 0 }
    endpoint a {
      states S0, S1
      initial S0
      terminal S1
      var x : seq
      var n : 0..1
      transition go: S0 -> S1 on open { choose x  n := 1  send SYN(seq=x) }
    }
    endpoint b {
      states L, E
      initial L
      terminal E
      var r : seq
      var n : 0..1
      transition syn_in [acc]: L -> E on recv SYN { r := seg.seq }
    }
    property seq_not_3: always at b.syn_in: seg.seq != 3
    property records: always at b.acc: self.r == seg.seq
    property enters: always at b -> E: b.r == a.x and self.state == E
    property go_not_2: always at a.go: self.x != 2
    property self_n: always at a.go, b.syn_in: self.n == 1
    property no3: always forall s in channel: s.seq != 3
    property got2: reachable b.state == E and b.r == 2
    property never: reachable b.state == E and a.state == S0
    property dl: deadlock free
    """


def test_step_properties():
    model, r = run(STEPS)
    assert_counts(model, r, 9, 8)
    assert r.get("records").status == HOLDS
    assert r.get("enters").status == HOLDS
    assert r.get("dl").status == HOLDS

    p = r.get("seq_not_3")
    assert p.status == VIOLATED
    assert kinds(p.trace) == ["init", "user", "recv"]
    assert p.trace.steps[1].sent[0].seq == 3
    assert p.trace.steps[-1].received.seq == 3 and p.trace.steps[-1].transition == "syn_in"
    replay(model, p.trace)

    p = r.get("go_not_2")
    assert p.status == VIOLATED and kinds(p.trace) == ["init", "user"]
    assert p.trace.steps[1].state.endpoint("a").value("x") == 2
    replay(model, p.trace)

    # self is a for a.go (n = 1 holds) and b for b.syn_in (b.n stays 0): violated at b's
    # first firing, which BFS meets on x = 0.
    p = r.get("self_n")
    assert p.status == VIOLATED
    assert actors(p.trace) == ["init", "a", "b"]
    assert p.trace.steps[-1].received.seq == 0
    replay(model, p.trace)


def test_quantified_invariant_and_goals():
    model, r = run(STEPS)
    p = r.get("no3")
    assert p.status == VIOLATED and kinds(p.trace) == ["init", "user"]
    assert [v.seq for v in p.trace.steps[-1].state.in_flight] == [3]
    assert not eval_property(model, "no3", replay(model, p.trace))
    got2 = r.get("got2")
    assert got2.status == REACHED and got2.trace.kind == "witness"
    assert kinds(got2.trace) == ["init", "user", "recv"]
    assert eval_property(model, "got2", replay(model, got2.trace))
    never = r.get("never")
    assert never.status == UNREACHABLE and never.trace is None


def test_step_property_checked_on_edges_to_known_states():
    # x flips 0 -> 1 -> 0: 2 states, 2 transitions; the violating firing (1 -> 0) leads
    # back to the initial state, already visited.
    model, r = run("""
        model flip
        endpoint a {
          states S0
          initial S0
          terminal S0
          var x : 0..1
          transition flip: S0 -> S0 on open { x := 1 - x }
        }
        """ + IDLE_B + """
        property after_flip_one: always at a.flip: a.x == 1
        """)
    assert_counts(model, r, 2, 2)
    p = r.get("after_flip_one")
    assert p.status == VIOLATED and kinds(p.trace) == ["init", "user", "user"]
    assert p.trace.steps[-1].state == p.trace.steps[0].state
    replay(model, p.trace)


def test_enters_selector_uses_the_declared_target():
    # (S0,0) -enter-> (S1,0) -loop_explicit-> (S1,1) -loop_same-> (S1,2): 4 states, 3 edges.
    # 'a -> S1' selects enter and loop_explicit (declared target S1), not loop_same (same).
    model, r = run("""
        model enters
        endpoint a {
          states S0, S1
          initial S0
          terminal S1
          var k : 0..2
          transition enter: S0 -> S1 on open
          transition loop_explicit: S1 -> S1 on close when k == 0 { k := 1 }
          transition loop_same: S1 -> same on abort when k == 1 { k := 2 }
        }
        """ + IDLE_B + """
        property never_two: always at a -> S1: a.k != 2
        property never_one: always at a -> S1: a.k != 1
        """)
    assert_counts(model, r, 4, 3)
    assert r.get("never_two").status == HOLDS
    p = r.get("never_one")
    assert p.status == VIOLATED
    assert [s.transition for s in p.trace.steps[1:]] == ["enter", "loop_explicit"]
    replay(model, p.trace)


# -- deadlock --------------------------------------------------------------------------------

def test_deadlock_stuck_after_a_discard():
    # (S0,L) -go-> (S1,L,[SYN]) -discard-> (S1,L,[]): b waits for an ACK in L, which is not
    # terminal: 3 states, 2 transitions, the last one stuck.
    model, r = run("""
        model stuck
        channel { loss = 0  duplication = 0 }
        endpoint a {
          states S0, S1
          initial S0
          terminal S1
          transition go: S0 -> S1 on open { send SYN(seq=1) }
        }
        endpoint b {
          states L, E
          initial L
          terminal E
          transition ack_in: L -> E on recv ACK
        }
        property dl: deadlock free
        """)
    assert_counts(model, r, 3, 2)
    p = r.get("dl")
    assert p.status == VIOLATED and p.detail.startswith("stuck")
    assert kinds(p.trace) == ["init", "user", "discard"]
    final = replay(model, p.trace)
    assert not Semantics(model).successors(final)


def test_deadlock_stuck_in_the_initial_state():
    # a's only transition chooses among no candidates: nothing is enabled at all.
    model, r = run("""
        model stuck0
        endpoint a {
          states S0, S1
          initial S0
          terminal S1
          var x : 0..2
          transition go: S0 -> S1 on open { choose x where x > 2 }
        }
        """ + IDLE_B + """
        property dl: deadlock free
        """)
    assert_counts(model, r, 1, 0)
    p = r.get("dl")
    assert p.status == VIOLATED and p.detail.startswith("stuck") and len(p.trace) == 0


TIMELOCK = """
    model timelock
    endpoint a {
      states S0, S1, S2
      initial S0
      terminal S2 %s
      timer t
      transition arm: S0 -> S1 on open { start t 1 }
      transition fire: S2 -> S0 on timeout t
    }
    """ + IDLE_B + """
    property dl: deadlock free
    """


def test_deadlock_timelock_expired_timer_nothing_handles():
    # (S0,-) -arm-> (S1,1) -tick-> (S1,0): fire only handles t in S2, and the expired timer
    # forbids ticks.  3 states, 2 transitions.
    model, r = run(TIMELOCK % "")
    assert_counts(model, r, 3, 2)
    p = r.get("dl")
    assert p.status == VIOLATED
    assert p.detail.startswith("timelock") and "a.t" in p.detail and "S1" in p.detail
    assert kinds(p.trace) == ["init", "user", "tick"]
    assert p.trace.steps[-1].state.endpoint("a").timers == (("t", 0),)
    replay(model, p.trace)


def test_terminal_states_are_not_deadlocks():
    # the same state space, with S1 terminal for a (b is always terminal): no deadlock.
    model, r = run(TIMELOCK % ", S1")
    assert_counts(model, r, 3, 2)
    assert r.get("dl").status == HOLDS


def test_both_endpoints_must_be_terminal():
    # (S0,Z) -go-> (S1,Z): a is terminal in S1, b has no terminal state: deadlock.
    model, r = run("""
        model half
        endpoint a {
          states S0, S1
          initial S0
          terminal S1
          transition go: S0 -> S1 on open
        }
        endpoint b {
          states Z
          initial Z
        }
        property dl: deadlock free
        """)
    assert_counts(model, r, 2, 1)
    p = r.get("dl")
    assert p.status == VIOLATED and p.detail.startswith("stuck") and len(p.trace) == 1


# -- the built-in domains property ------------------------------------------------------------

def test_domains_violated_by_an_out_of_range_assignment():
    # a: x := x + 1 (x : 0..2) on open; b: X -listen-> Y.
    # (0,X) -> (1,X), (0,Y);  (1,X) -> (2,X), (1,Y);  (0,Y) -> (1,Y);  (1,Y) -> (2,Y).
    # In (2,X) and (2,Y) inc would store 3: those states get no successor at all (not even
    # b's listen, MANUAL 12.5).  6 states, 2 + 2 + 1 + 1 = 6 transitions.
    model, r = run("""
        model dom
        endpoint a {
          states S0
          initial S0
          terminal S0
          var x : 0..2
          transition inc: S0 -> S0 on open { x := x + 1 }
        }
        endpoint b {
          states X, Y
          initial X
          terminal X, Y
          transition go: X -> Y on listen
        }
        property small: always a.x <= 2
        """)
    assert (r.stats.states, r.stats.transitions) == (6, 6)
    dom = r.get("domains")
    assert dom.status == VIOLATED and dom.kind == "domains"
    assert "a.x := 3" in dom.detail
    assert kinds(dom.trace) == ["init", "user", "user", "error"]
    error = dom.trace.steps[-1]
    assert (error.actor, error.transition) == ("a", "inc")
    assert "a.x := 3" in error.summary
    final = replay(model, dom.trace)
    assert final[0][2] == 2
    # the state space is truncated where the error happened: nothing may be claimed to hold
    assert r.get("small").status != HOLDS
    assert r.exit_code == EXIT_VIOLATED


def test_domains_violated_by_a_ghost_field_and_by_a_negative_timer():
    model, r = run("""
        model ghost_dom
        segment { ghost g : 0..1 }
        endpoint a {
          states S0, S1
          initial S0
          terminal S1
          transition go: S0 -> S1 on open { send SYN(seq=0, g=2) }
        }
        """ + IDLE_B)
    dom = r.get("domains")
    assert dom.status == VIOLATED and kinds(dom.trace) == ["init", "error"]
    assert (r.stats.states, r.stats.transitions) == (1, 0)
    replay(model, dom.trace)

    model, r = run("""
        model timer_dom
        endpoint a {
          states S0, S1
          initial S0
          terminal S1
          var x : 0..1
          timer t
          transition go: S0 -> S1 on open { start t x - 1 }
        }
        """ + IDLE_B)
    dom = r.get("domains")
    assert dom.status == VIOLATED and "negative" in dom.detail
    assert kinds(dom.trace) == ["init", "error"]
    replay(model, dom.trace)


def test_domains_holds_when_seq_wraps():
    # x : seq wraps modulo 4: x = 0 -> 1 -> 2 -> 3 -> 0: 4 states, 4 transitions.
    model, r = run("""
        model wrap
        endpoint a {
          states S0
          initial S0
          terminal S0
          var x : seq
          transition inc: S0 -> S0 on open { x := x + 1 }
        }
        """ + IDLE_B)
    assert_counts(model, r, 4, 4)
    assert r.get("domains").status == HOLDS
    assert r.exit_code == EXIT_HOLDS


# -- coverage --------------------------------------------------------------------------------

def test_coverage_counts_every_firing():
    model, r = run(INTERLEAVE)
    fired = [(c.endpoint, c.transition, c.fired) for c in r.stats.coverage]
    # go1 fires in (S0,X) and (S0,Y); go2 in (S1,X) and (S1,Y); b's go in (S0|S1|S2, X).
    assert fired == [("a", "go1", 2), ("a", "go2", 2), ("b", "go", 3)]
    assert r.warnings == ()


def test_never_fired_warning():
    text = dedent("""
        model cover
        endpoint a {
          states S0, S1
          initial S0
          terminal S1
          var x : 0..2
          transition go: S0 -> S1 on open
          transition never: S0 -> S1 on close when x == 2
        }
        """) + IDLE_B
    model, r = run(text)
    assert_counts(model, r, 2, 1)
    line = text.splitlines().index("  transition never: S0 -> S1 on close when x == 2") + 1
    assert [c.line for c in r.stats.coverage][1] == line
    assert r.warnings == (f"transition a.never (line {line}) never fired",)
    # a run cut short gives no coverage warning
    r = check(model, CheckOptions(max_depth=0, stop_when_decided=False))
    assert not r.complete and r.warnings == ()
    assert all(p.status == NOT_VERIFIED for p in r.properties)
