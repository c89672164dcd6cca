"""Time: timers (start, countdown, timeout at 0, urgency) and segment ageing with an MSL.

A timer is written as its ticks left (``-`` when stopped); a segment in flight as
``s@age``.
"""

from __future__ import annotations

import pytest

from explicit_support import IDLE_B, assert_counts, kinds, load, replay, run
from tcpcheck.explicit.decode import Decoder
from tcpcheck.explicit.semantics import FIRE, TICK, Semantics
from tcpcheck.result import HOLDS, VIOLATED

ONE_TIMER = """
    model one_timer
    endpoint a {
      states S0, S1, S2
      initial S0
      terminal S2
      timer t
      transition arm: S0 -> S1 on open { start t %d }
      transition fire: S1 -> S2 on timeout t
    }
    """


@pytest.mark.parametrize("duration", [0, 1, 2, 5])
def test_timer_counts_down_and_fires_only_at_zero(duration):
    # (S0,-) -arm-> (S1,d) -tick-> (S1,d-1) ... -tick-> (S1,0) -fire-> (S2,-).
    # In (S1,k>0) fire is not enabled; in (S1,0) no tick (urgent); in S2 no timer runs, so
    # no tick either.  States: 1 + (d+1) + 1 = d+3; transitions: 1 + d + 1 = d+2.
    model, r = run(ONE_TIMER % duration + IDLE_B + """
        property fired: reachable a.state == S2
        property dl: deadlock free
        """)
    assert_counts(model, r, duration + 3, duration + 2)
    assert [c.fired for c in r.stats.coverage] == [1, 1]
    assert r.get("dl").status == HOLDS
    trace = r.get("fired").trace
    assert kinds(trace) == ["init", "user"] + ["tick"] * duration + ["timeout"]
    timers = [s.state.endpoint("a").timers for s in trace.steps]
    assert timers == [(("t", None),)] + [(("t", duration - k),) for k in range(duration + 1)] \
        + [(("t", None),)]
    assert trace.steps[-1].trigger == "timeout" and trace.steps[-1].transition == "fire"
    replay(model, trace)


def test_urgency_no_tick_while_a_timer_is_at_zero():
    # a: S0(-) -arm-> S1(1) -tick-> S1(0) -fire-> S2(-);  b: X -listen-> Y at any time.
    # All 4 x 2 = 8 combinations are reachable.  Edges: a's 3 moves in each of the 2 b
    # states (6), b's move in each of the 4 a phases (4); the one tick is a's move from
    # S1(1) (a tick is enabled only there: in S1(0) the timer is expired, elsewhere nothing
    # runs).  8 states, 10 transitions.
    model, r = run(ONE_TIMER % 1 + """
        endpoint b {
          states X, Y
          initial X
          terminal X, Y
          transition go: X -> Y on listen
        }
        """)
    assert_counts(model, r, 8, 10)
    sem = Semantics(model)
    expired = ((1, 0, 0), (0, 0), (), (), 0, 0)  # a in S1 with t at 0, b in X
    moves = sem.successors(expired)
    assert [(a[0], a[1], a[2]) for a, _ in moves] == [(FIRE, 0, 1), (FIRE, 1, 0)]
    assert sem.expired_timers(expired) == [(0, 0)]
    running = ((1, 0, 1), (0, 0), (), (), 0, 0)
    assert [a[0] for a, _ in sem.successors(running)] == [FIRE, TICK]


def test_timers_of_both_endpoints_tick_together():
    # a: S0 -open-> S1 (t := 2) -timeout-> F;  b: X -listen-> Y (u := 1) -timeout-> F.
    # A tick lowers both running timers at once and is blocked while either is at 0.
    # Phases a in {S0, 2, 1, 0, F}, b in {X, 1, 0, F}; the hand BFS (a, b):
    #   (S0,X): (2,X) (S0,1)        (2,X): (2,1) tick(1,X)     (S0,1): (2,1) tick(S0,0)
    #   (1,X): (1,1) tick(0,X)      (2,1): tick(1,0)           (S0,0): (2,0) (S0,F)
    #   (0,X): (F,X) (0,1)          (1,1): tick(0,0)           (1,0): (1,F)
    #   (2,0): (2,F)                (S0,F): (2,F)              (F,X): (F,1)
    #   (0,1): (F,1)                (0,0): (F,0) (0,F)         (1,F): tick(0,F)
    #   (2,F): tick(1,F)            (F,1): tick(F,0)           (F,0): (F,F)
    #   (0,F): (F,F)                (F,F): -
    # All 20 combinations; 2*7 + 1*12 = 26 transitions.
    model, r = run("""
        model two_timers
        endpoint a {
          states S0, S1, F
          initial S0
          terminal F
          timer t
          transition arm: S0 -> S1 on open { start t 2 }
          transition fire: S1 -> F on timeout t
        }
        endpoint b {
          states X, Y, F
          initial X
          terminal F
          timer u
          transition arm: X -> Y on listen { start u 1 }
          transition fire: Y -> F on timeout u
        }
        property dl: deadlock free
        """)
    assert_counts(model, r, 20, 26)
    assert r.get("dl").status == HOLDS


def test_stop_and_restart():
    # arm starts t at 3; cancel (close) stops it from S1 at any count, also at 0.
    # States: S0, S1(3), S1(2), S1(1), S1(0), S2(-) = 6.
    # Edges: arm 1; S1(3..1): cancel + tick = 2 each (6); S1(0): cancel only (1).  8.
    model, r = run("""
        model stop_timer
        endpoint a {
          states S0, S1, S2
          initial S0
          terminal S2
          timer t
          transition arm: S0 -> S1 on open { start t 3 }
          transition cancel: S1 -> S2 on close { stop t }
        }
        """ + IDLE_B + """
        property dl: deadlock free
        """)
    assert_counts(model, r, 6, 8)
    assert r.get("dl").status == HOLDS


def test_periodic_timer_restarted_by_its_timeout():
    # S0(-) -arm-> S1(2) -tick-> S1(1) -tick-> S1(0) -again-> S1(2) (restarted; the
    # timer was stopped before the body ran).  4 states, 4 transitions, a cycle.
    model, r = run("""
        model periodic
        endpoint a {
          states S0, S1
          initial S0
          timer t
          var n : 0..1
          transition arm: S0 -> S1 on open { start t 2 }
          transition again: S1 -> S1 on timeout t { start t 2  n := 1 - n  n := 1 - n }
        }
        """ + IDLE_B + """
        property dl: deadlock free
        """)
    assert_counts(model, r, 4, 4)
    assert r.get("dl").status == HOLDS


# -- segment ageing ---------------------------------------------------------------------------

AGEING = """
    model ageing
    channel {{ capacity = 2  loss = {loss}  duplication = 0  msl = {msl} }}
    endpoint a {{
      states S0, S1
      initial S0
      terminal S1
      transition go: S0 -> S1 on open {{ send SYN(seq=1) }}
    }}
    endpoint b {{
      states L, E
      initial L
      terminal L, E
      transition syn_in: L -> E on recv SYN
    }}
    """


@pytest.mark.parametrize("msl, loss, states, transitions", [
    # msl 2, loss 0: (L,[s@0]) -recv-> (E,[]), -tick-> (L,[s@1]); (L,[s@1]) -recv-> (E,[]);
    # its tick would expire s: lost 1 > 0, so time is blocked.  4 states, 1+2+1 = 4.
    (2, "0", 4, 4),
    # msl 2, loss 1: (L,[s@0],0) -> (E,[],0), lose (L,[],1), tick (L,[s@1],0);
    # (L,[s@1],0) -> (E,[],0), lose (L,[],1), tick: s expires, lost 1 -> (L,[],1) again.
    # 5 states, 1 + 3 + 3 = 7.
    (2, "1", 5, 7),
    # msl 2, unbounded loss: the same shape, lost stays 0.  5 states, 7 transitions.
    (2, "unbounded", 5, 7),
    # msl 1, loss 0: the first tick would expire s: blocked.  (L,[s@0]) -recv-> (E,[]).
    # 3 states, 2 transitions.
    (1, "0", 3, 2),
    # msl 1, loss 1: (L,[s@0],0) -> (E,[],0), lose (L,[],1), tick expires -> (L,[],1).
    # 4 states, 1 + 3 = 4.
    (1, "1", 4, 4),
    # msl 3, unbounded loss: s@0, s@1, s@2 each: recv, lose, tick (the last tick expires
    # s into (L,[]), like lose).  States s0, s@0, s@1, s@2, (E,[]), (L,[]) = 6;
    # transitions 1 + 3*3 = 10.
    (3, "unbounded", 6, 10),
])
def test_ageing_and_expiry(msl, loss, states, transitions):
    model, r = run(AGEING.format(msl=msl, loss=loss))
    assert_counts(model, r, states, transitions)


def test_expiry_is_reported_on_the_tick():
    model = load(AGEING.format(msl=1, loss="unbounded"))
    sem, dec = Semantics(model), Decoder(model)
    sent = sem.successors(sem.initial_state())[0][1]
    ticks = [(a, nxt) for a, nxt in sem.successors(sent) if a[0] == TICK]
    assert len(ticks) == 1
    action, nxt = ticks[0]
    assert len(action[1]) == 1 and action[1][0][0] == 1  # direction towards b
    assert nxt[3] == ()
    step = dec.step(2, action, nxt)
    assert step.kind == "tick" and step.actor == "clock"
    assert [(v.seq, v.src, v.dst) for v in step.expired] == [(1, "a", "b")]
    assert "expired" in step.summary


def test_expiry_over_budget_blocks_time_until_delivery():
    # msl 1, loss 0; a also starts t := 5 when sending.  (S1 t5, L, [s@0]): no tick (s
    # would expire), only b's recv -> (S1 t5, E, []); then ticks t4 .. t0 and late.
    # States: s0, s1, t5, t4, t3, t2, t1, t0, (S2) = 9; transitions 1 + 1 + 5 + 1 = 8.
    model, r = run("""
        model block_time
        channel { capacity = 2  loss = 0  duplication = 0  msl = 1 }
        endpoint a {
          states S0, S1, S2
          initial S0
          terminal S2
          timer t
          transition go: S0 -> S1 on open { send SYN(seq=1)  start t 5 }
          transition late: S1 -> S2 on timeout t
        }
        endpoint b {
          states L, E
          initial L
          terminal E
          transition syn_in: L -> E on recv SYN
        }
        property first_recv: always at b.syn_in: a.state == S1
        property dl: deadlock free
        """)
    assert_counts(model, r, 9, 8)
    assert r.get("first_recv").status == HOLDS
    assert r.get("dl").status == HOLDS


DELIVERABLE = """
    model deliverable
    channel {{ capacity = 2  loss = unbounded  duplication = 0  msl = {msl} }}
    endpoint a {{
      states S0, S1, S2
      initial S0
      terminal S2
      timer t
      transition go: S0 -> S1 on open {{ send SYN(seq=1)  start t {k} }}
      transition late: S1 -> S2 on timeout t
    }}
    endpoint b {{
      states L, E
      initial L
      terminal L, E
      transition syn_in: L -> E on recv SYN
    }}
    property not_after_k: always at b.syn_in: a.state != S2
    """


@pytest.mark.parametrize("msl", [1, 2, 3])
def test_segment_sent_at_t_is_deliverable_through_t_plus_msl_minus_1(msl):
    # a sends at tick 0 and starts t with k ticks; t reaches 0 at tick k, and then a may
    # fire late (entering S2) before b receives.  b can receive in S2 iff the segment is
    # still alive at tick k: k = msl - 1 yes (a shortest run: go, k ticks, late, recv),
    # k = msl no (the tick that brings t to 0 expires the segment).
    model, r = run(DELIVERABLE.format(msl=msl, k=msl - 1))
    p = r.get("not_after_k")
    assert p.status == VIOLATED
    assert kinds(p.trace) == ["init", "user"] + ["tick"] * (msl - 1) + ["timeout", "recv"]
    assert p.trace.steps[-1].received.age == msl - 1
    # the segment ages one per tick in the snapshots: 0 after go, then 1, 2, ...
    ages = [[v.age for v in step.state.in_flight] for step in p.trace.steps[1:msl + 1]]
    assert ages == [[k] for k in range(msl)]
    replay(model, p.trace)
    model, r = run(DELIVERABLE.format(msl=msl, k=msl))
    assert r.complete and r.get("not_after_k").status == HOLDS
