"""Shared helpers for the explicit engine's tests (imported by the test_*.py files here).

* :func:`load` / :func:`run`: a model written inline, checked with full exploration;
* :func:`independent_counts`: a second, minimal breadth-first exploration written directly
  on :meth:`Semantics.successors`, to cross-check the checker's statistics;
* :func:`replay`: proves that a trace is a real run of the semantics, step by step;
* :func:`eval_property`: evaluates a state property of the model on a compact state.
"""

from __future__ import annotations

from collections import deque
from textwrap import dedent

from tcpcheck.explicit import CheckOptions, check
from tcpcheck.explicit.compile import compile_expr, timer_bases
from tcpcheck.explicit.decode import Decoder
from tcpcheck.engine.state import view
from tcpcheck.explicit.semantics import Semantics
from tcpcheck.loader import load_string

FULL = CheckOptions(stop_when_decided=False)

# An endpoint that never acts (no transitions) and is always terminal.
IDLE_B = """
endpoint b {
  states Z
  initial Z
  terminal Z
}
"""


# A bit of everything: choose, crash with a persistent-free restart, a retransmission
# timer, loss and duplication budgets, MSL ageing, ghost fields, step properties reading
# seg, nested quantifiers.
MIXED = """
    model mixed
    bounds { incarnations = 2 }
    channel { capacity = 2  loss = 1  duplication = 1  msl = 2 }
    segment { ghost inc : 0..1 }
    endpoint a {
      states CLOSED, SENT, DONE
      initial CLOSED
      terminal CLOSED, DONE
      var iss : seq
      timer rexmt
      transition connect: CLOSED -> SENT on open
      { choose iss where iss != 3  send SYN(seq=iss, inc=incarnation)  start rexmt 2 }
      transition rexmit: SENT -> same on timeout rexmt
      { send SYN(seq=iss, inc=incarnation)  start rexmt 2 }
      transition crash: SENT -> CLOSED on crash
      transition acked: SENT -> DONE on recv ACK when seg.ack == iss + 1 { stop rexmt }
    }
    endpoint b {
      states LISTEN, GOT
      initial LISTEN
      terminal LISTEN, GOT
      var peer : seq
      ghost var who : 0..1
      transition syn_in: LISTEN, GOT -> GOT on recv SYN
      { peer := seg.seq  who := seg.inc  send ACK(ack=seg.seq + 1, inc=seg.inc) }
    }
    property acked_current: always at a.acked: seg.inc == a.incarnation
    property done: reachable a.state == DONE and b.state == GOT
    property two_syns: reachable exists s in channel.b: exists t in channel.b:
                         s.SYN and t.SYN and s.seq != t.seq
    property dl: deadlock free
    """

# One timer and one segment with an MSL, small enough to check by hand: the client sends a
# SYN and starts rexmt at 3; the SYN expires after 2 ticks (age 2 = MSL), the timer runs out
# after 3 and the client gives up.  Every shortest length below is counted by hand.
TIMED = """
    model timed
    const MSL = 2
    channel { msl = MSL  duplication = no }
    endpoint client {
      states CLOSED, WAIT, DONE
      initial CLOSED
      terminal CLOSED, DONE
      timer rexmt
      transition go: CLOSED -> WAIT on open { send SYN(seq=0)  start rexmt 3 }
      transition give_up: WAIT -> DONE on timeout rexmt
    }
    endpoint server {
      states LISTEN, GOT
      initial LISTEN
      terminal LISTEN, GOT
      transition rx: LISTEN -> GOT on recv SYN
    }
    property timer_bounded: always client.rexmt <= 3
    property never_one: always client.rexmt != 1
    property young: always forall s in channel: s.age < MSL
    property zero_age: always forall s in channel: s.age == 0
    property aged: reachable exists s in channel: s.age > 0
    property fresh_delivery: always at server.rx: seg.age == 0
    property started_at_three: always at client.go: self.rexmt == 3
    property stopped_when_done: always client.state == DONE => client.rexmt == -1
    property quiet_when_done: always client.state == DONE => not (exists s in channel.server: s.SYN)
    property done: reachable client.state == DONE
    """
# never_one: open (rexmt 3), tick (2), tick (1)                      -> violated in 3 steps
# aged: open, tick                                                   -> reached in 2 steps
# zero_age: open, tick                                               -> violated in 2 steps
# fresh_delivery: open, tick, the server takes the SYN at age 1      -> violated in 3 steps
# done: open, three ticks, give_up                                   -> reached in 5 steps
TIMED_NO_MSL = TIMED.replace("channel { msl = MSL  duplication = no }",
                             "channel { duplication = no }")

# What k-induction needs to prove quiet_when_done: ages stay below MSL, and a SYN in flight
# is exactly as old as the timer has run (so none is left when the timer expires).
TIMED_LEMMAS = """
    lemma below_msl: forall s in channel: s.age < MSL
    lemma in_step: forall s in channel.server:
                     client.state == WAIT and s.age + client.rexmt == 3
    """


def load(text: str):
    return load_string(dedent(text))


def run(text: str, **options):
    """Load ``text`` and check it with full exploration (unless ``options`` say otherwise)."""
    model = load(text)
    options.setdefault("stop_when_decided", False)
    return model, check(model, CheckOptions(**options))


def independent_counts(model) -> tuple[int, int]:
    """(distinct reachable states, edges explored), by a BFS independent of the checker."""
    sem = Semantics(model)
    init = sem.initial_state()
    seen = {init}
    queue = deque([init])
    edges = 0
    while queue:
        state = queue.popleft()
        succs = sem.successors(state)
        for _, nxt in succs:  # none after an error move
            edges += 1
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return len(seen), edges


def assert_counts(model, result, states: int, transitions: int) -> None:
    """The hand-computed numbers, checked against the checker and the semantics alike."""
    assert result.complete, result.stop_reason
    assert (result.stats.states, result.stats.transitions) == (states, transitions)
    assert independent_counts(model) == (states, transitions)


def replay(model, trace):
    """Replay ``trace`` with Semantics.successors from the initial state.

    Every step must be the decoding of some enabled action leading to the state the step
    shows (the whole snapshot must match).  A final ``error`` step (the domains property)
    must be the error move of the last state (tcpcheck.engine.state).  Returns the compact
    state reached (the last state before an error step)."""
    sem, dec = Semantics(model), Decoder(model)
    state = sem.initial_state()
    steps = trace.steps
    assert steps[0] == dec.initial_step(state), "step 0 is not the initial state"
    for i, step in enumerate(steps[1:], start=1):
        assert step.index == i
        if step.kind == "error":
            assert i == len(steps) - 1, "an error step can only end a trace"
            succs = sem.successors(state)
            assert succs.error is not None and not succs, "the last state has no error move"
            error = view(succs.error)
            e = model.endpoint_index(step.actor)
            assert error.endpoint == e
            assert model.endpoints[e].transitions[error.transition].name == step.transition
            assert step.state == dec.snapshot(state)
            return state
        matches = [nxt for action, nxt in sem.successors(state)
                   if dec.step(i, action, nxt) == step]
        assert matches, f"step {i} ({step.summary}) is not a move of the semantics"
        state = matches[0]
    return state


def eval_property(model, name: str, state) -> bool:
    """The truth of state property ``name`` (always / reachable) in compact ``state``."""
    prop = model.get_property(name)
    fn = compile_expr(prop.expr, in_transition=False, modulus=model.bounds.seqspace,
                      timer_base=timer_bases(model))
    return bool(fn(state, None))


def kinds(trace) -> list:
    return [s.kind for s in trace.steps]


def actors(trace) -> list:
    return [s.actor for s in trace.steps]


def shortest_distance(model, predicate) -> int | None:
    """Length of a shortest run to a state satisfying ``predicate`` (independent BFS)."""
    sem = Semantics(model)
    init = sem.initial_state()
    depth = {init: 0}
    queue = deque([init])
    while queue:
        state = queue.popleft()
        if predicate(state):
            return depth[state]
        for _, nxt in sem.successors(state):  # none after an error move
            if nxt not in depth:
                depth[nxt] = depth[state] + 1
                queue.append(nxt)
    return None
