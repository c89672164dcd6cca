"""The channel: delivery, discard, bags and queues, loss, duplication and overflow.

Derivations write a state as (a's control, what is in flight towards b, lost, duplicated),
dropping what does not change; ``s`` is the one segment a sends.  No model here has an
``msl`` or a timer, so there is never a tick.
"""

from __future__ import annotations

import pytest

from explicit_support import IDLE_B, assert_counts, kinds, load, replay, run
from tcpcheck.explicit.semantics import DISCARD, DUPLICATE, FIRE, LOSE, Semantics
from tcpcheck.result import HOLDS, REACHED, UNREACHABLE


def sender(sends: str, channel: str) -> str:
    """Endpoint a sends ``sends`` once (open), over the channel settings ``channel``."""
    return f"""
        model chan
        channel {{ {channel} }}
        endpoint a {{
          states S0, S1
          initial S0
          terminal S1
          transition go: S0 -> S1 on open {{ {sends} }}
        }}
        """


EMPTY_AFTER = "not exists s in channel: true"


# -- delivery and discard ------------------------------------------------------------------

def test_recv_fires_and_reads_the_segment():
    # (S0,L,[]) -go-> (S1,L,[SYN 3]) -syn_in-> (S1,E,[]) with r = 3 + 1 mod 4 = 0.
    # loss 0 and duplication 0: no fault.  3 states, 2 transitions.
    model, r = run(sender("send SYN(seq=3)", "loss = 0  duplication = 0") + """
        endpoint b {
          states L, E
          initial L
          terminal E
          var r : seq = 2
          transition syn_in: L -> E on recv SYN { r := seg.seq + 1 }
        }
        property wraps: always b.state == E => b.r == 0
        property done: reachable b.state == E
        """)
    assert_counts(model, r, 3, 2)
    assert r.get("wraps").status == HOLDS
    trace = r.get("done").trace
    assert kinds(trace) == ["init", "user", "recv"]
    sent = trace.steps[1].sent
    assert len(sent) == 1 and (sent[0].flags, sent[0].seq, sent[0].src, sent[0].dst) == \
        ("SYN", 3, "a", "b")
    assert trace.steps[1].state.in_flight == sent
    received = trace.steps[2].received
    assert (received.flags, received.seq) == ("SYN", 3)
    assert trace.steps[2].transition == "syn_in"
    assert trace.steps[2].state.in_flight == ()
    assert trace.steps[2].state.endpoint("b").value("r") == 0
    replay(model, trace)


def test_recv_patterns_each_matching_transition_is_a_successor():
    # a sends SYN+ACK.  Matching: rest (SYN ...), any, synack (exactly SYN ACK) and
    # ackrest (ACK -RST ...); not exact (exactly SYN) nor noack (-ACK ...).
    # States: s0, s1, and one per matching transition (F, G, I, J): 6; edges 1 + 4 = 5.
    model, r = run(sender("send SYN+ACK(seq=1, ack=2)", "loss = 0  duplication = 0") + """
        endpoint b {
          states L, E, F, G, H, I, J
          initial L
          terminal E, F, G, H, I, J
          transition exact: L -> E on recv SYN
          transition rest: L -> F on recv SYN ...
          transition anyflags: L -> G on recv any
          transition noack: L -> H on recv -ACK ...
          transition synack: L -> I on recv SYN ACK
          transition ackrest: L -> J on recv ACK -RST ...
        }
        property dl: deadlock free
        """)
    assert_counts(model, r, 6, 5)
    fired = {c.transition: c.fired for c in r.stats.coverage if c.endpoint == "b"}
    assert fired == {"exact": 0, "rest": 1, "anyflags": 1, "noack": 0, "synack": 1,
                     "ackrest": 1}
    assert r.get("dl").status == HOLDS
    assert sorted(w.split()[1] for w in r.warnings) == ["b.exact", "b.noack"]


@pytest.mark.parametrize("b_transition, b_states", [
    ("transition t: L -> E on recv ACK", "L, E"),                          # no pattern matches
    ("transition t: L -> E on recv SYN when seg.seq == 2", "L, E"),        # guard false
    ("transition t: M -> E on recv SYN", "L, M, E"),                       # wrong state
])
def test_discard_when_nothing_takes_the_segment(b_transition, b_states):
    # (S0,L,[]) -go-> (S1,L,[SYN 1]) -discard-> (S1,L,[]).  3 states, 2 transitions.
    model, r = run(sender("send SYN(seq=1)", "loss = 0  duplication = 0") + f"""
        endpoint b {{
          states {b_states}
          initial L
          terminal E
          {b_transition}
        }}
        property gone: reachable a.state == S1 and {EMPTY_AFTER}
        property taken: reachable b.state == E
        """)
    assert_counts(model, r, 3, 2)
    assert r.get("taken").status == UNREACHABLE
    assert [c.fired for c in r.stats.coverage] == [1, 0]
    trace = r.get("gone").trace
    assert kinds(trace) == ["init", "user", "discard"]
    step = trace.steps[2]
    assert step.actor == "b" and step.received.seq == 1 and step.transition is None
    assert "discards" in step.summary
    assert step.state.endpoint("b").state == "L"
    replay(model, trace)


@pytest.mark.parametrize("loss, states, transitions, discarded", [
    # loss 0: b's reply (2 segments into a direction of capacity 1) would overflow one
    # segment, lost would become 1 > 0, so reply cannot fire and the SYN waits in the
    # channel (it is not discarded; MANUAL 13.2).  (S0,L) -go-> (S1,L,[SYN]), which has no
    # successor: 2 states, 1 transition.
    (0, 2, 1, True),
    # loss 1: from (S1,L,[SYN],0): reply fires (ACK 0 accepted, ACK 1 overflows, lost = 1)
    # -> (S1,E,to a [ACK 0],1), which a discards -> (S1,E,[],1); or the SYN is lost ->
    # (S1,L,[],1).  5 states, 1 + 2 + 1 = 4 transitions.
    (1, 5, 4, False),
])
def test_recv_whose_reply_would_overflow_a_spent_budget(loss, states, transitions, discarded):
    model, r = run(sender("send SYN(seq=1)", f"capacity = 1  loss = {loss}  duplication = 0")
                   + """
        endpoint b {
          states L, E
          initial L
          terminal L, E
          transition reply: L -> E on recv SYN { send ACK(seq=0)  send ACK(seq=1) }
        }
        """)
    assert_counts(model, r, states, transitions)
    reply = [c for c in r.stats.coverage if c.transition == "reply"][0]
    assert reply.fired == (0 if discarded else 1)


# -- bags and queues -----------------------------------------------------------------------

def test_identical_copies_in_a_bag_are_delivered_once():
    # a sends SYN 1 twice: (S1,n=0,[s,s]) has ONE delivery (the copies are identical):
    # -> (n=1,[s]) -> (n=2,[]).  4 states, 3 transitions (not 4).
    model, r = run(sender("send SYN(seq=1)  send SYN(seq=1)", "loss = 0  duplication = 0") + """
        endpoint b {
          states L
          initial L
          terminal L
          var n : 0..2
          transition count: L -> L on recv SYN { n := n + 1 }
        }
        property both: reachable b.n == 2
        """)
    assert_counts(model, r, 4, 3)
    assert r.stats.coverage[1].fired == 2
    assert kinds(r.get("both").trace) == ["init", "user", "recv", "recv"]


RECORDER = """
    endpoint b {
      states L
      initial L
      terminal L
      var last : seq
      transition rec: L -> L on recv SYN { last := seg.seq }
    }
    property two_last: reachable b.last == 2 and """ + EMPTY_AFTER + """
    """


def test_bag_delivers_any_segment():
    # a sends SYN 2 then SYN 1; the bag holds them sorted [1, 2].
    # (last=0,[1,2]) -> (1,[2]) and (2,[1]);  (1,[2]) -> (2,[]);  (2,[1]) -> (1,[]).
    # States 1 + 1 + 2 + 2 = 6; transitions 1 + 2 + 1 + 1 = 5.
    model, r = run(sender("send SYN(seq=2)  send SYN(seq=1)", "loss = 0  duplication = 0")
                   + RECORDER)
    assert_counts(model, r, 6, 5)
    assert r.get("two_last").status == REACHED
    sem = Semantics(model)
    after_send = sem.successors(sem.initial_state())[0][1]
    assert [seg[1] for seg in after_send[3]] == [1, 2]  # a bag is kept sorted


def test_fifo_delivers_only_the_head():
    # reordering = no: the queue is [2, 1] in send order; only the head is deliverable:
    # (0,[2,1]) -> (2,[1]) -> (1,[]).  4 states, 3 transitions; last == 2 with nothing in
    # flight is unreachable.
    model, r = run(sender("send SYN(seq=2)  send SYN(seq=1)",
                          "loss = 0  duplication = 0  reordering = no") + RECORDER)
    assert_counts(model, r, 4, 3)
    assert r.get("two_last").status == UNREACHABLE
    sem = Semantics(model)
    after_send = sem.successors(sem.initial_state())[0][1]
    assert [seg[1] for seg in after_send[3]] == [2, 1]


def test_fifo_may_lose_any_segment():
    # reordering = no, loss = 1, b never accepts anything (discards).  From ([2,1],0):
    #   discard head -> ([1],0); lose 2 -> ([1],1); lose 1 -> ([2],1)       3 edges
    #   ([1],0): discard -> ([],0); lose -> ([],1)                         2
    #   ([1],1): discard -> ([],1);  ([2],1): discard -> ([],1)             1 + 1
    # States: s0, ([2,1],0), ([1],0), ([1],1), ([2],1), ([],0), ([],1) = 7;
    # transitions 1 + 3 + 2 + 1 + 1 = 8.
    model, r = run(sender("send SYN(seq=2)  send SYN(seq=1)",
                          "loss = 1  duplication = 0  reordering = no") + IDLE_B)
    assert_counts(model, r, 7, 8)


def test_duplicate_is_inserted_next_to_its_original_in_a_queue():
    model = load(sender("send SYN(seq=1)  send SYN(seq=2)",
                        "capacity = 3  loss = 0  duplication = 1  reordering = no") + IDLE_B)
    sem = Semantics(model)
    queued = sem.successors(sem.initial_state())[0][1]
    moves = sem.successors(queued)
    dups = [(a[2][1], [seg[1] for seg in nxt[3]], nxt[5]) for a, nxt in moves
            if a[0] == DUPLICATE]
    assert dups == [(1, [1, 1, 2], 1), (2, [1, 2, 2], 1)]
    assert [a[0] for a, _ in moves] == [DISCARD, DUPLICATE, DUPLICATE]


# -- loss and duplication budgets ------------------------------------------------------------

@pytest.mark.parametrize("loss, dup, states, transitions", [
    # s1 = (S1,[s],0,0); b discards whatever it receives.
    # 0/0: s1 -discard-> ([],0,0).  3 states, 2 transitions.
    ("0", "0", 3, 2),
    # 1/0: s1 -discard-> ([],0,0), -lose-> ([],1,0).  4 states, 3 transitions.
    ("1", "0", 4, 3),
    # unbounded/0: lost stays 0, so lose leads to the same ([],0,0) as discard.
    # 3 states, 1 + 2 = 3 transitions.
    ("unbounded", "0", 3, 3),
    # 0/1: s1 -discard-> ([],0,0), -dup-> C=([s,s],0,1); C -discard (once)-> D=([s],0,1);
    # D -discard-> ([],0,1).  6 states, 1 + 2 + 1 + 1 = 5 transitions.
    ("0", "1", 6, 5),
    # 0/unbounded: dup stays 0: s1 -dup-> ([s,s]); that -discard-> s1 again; no dup when
    # full.  4 states, 1 + 2 + 1 = 4 transitions.
    ("0", "unbounded", 4, 4),
    # 1/1: s1 -> A=([],0,0), B=([],1,0), C=([s,s],0,1)                     3 edges
    #      C -> D=([s],0,1) (discard), E=([s],1,1) (lose, once)           2
    #      D -> F=([],0,1), G=([],1,1);  E -> G (discard)                 2 + 1
    # 9 states, 1 + 3 + 2 + 2 + 1 = 9 transitions.
    ("1", "1", 9, 9),
    # unbounded/unbounded: s1 -> A (discard), A (lose), C=([s,s]) (dup);
    # C -> s1 (discard), s1 (lose); C is full: no dup.  4 states, 1 + 3 + 2 = 6 transitions.
    ("unbounded", "unbounded", 4, 6),
])
def test_loss_and_duplication_budgets(loss, dup, states, transitions):
    model, r = run(sender("send SYN(seq=1)", f"loss = {loss}  duplication = {dup}") + IDLE_B)
    assert_counts(model, r, states, transitions)


def test_fault_steps_in_traces():
    # loss 1, duplication 1: the counters show in the snapshots of the trace.
    model, r = run(sender("send SYN(seq=1)", "loss = 1  duplication = 1") + IDLE_B + """
        property two_faults: reachable a.state == S1 and """ + EMPTY_AFTER + """
        """, stop_when_decided=True)
    # The shortest run to an empty channel is go, discard (the discard is listed first).
    trace = r.get("two_faults").trace
    assert kinds(trace) == ["init", "user", "discard"]
    sem = Semantics(model)
    s1 = sem.successors(sem.initial_state())[0][1]
    moves = sem.successors(s1)
    assert [a[0] for a, _ in moves] == [DISCARD, LOSE, DUPLICATE]
    assert [nxt[4:] for _, nxt in moves] == [(0, 0), (1, 0), (0, 1)]


# -- overflow ----------------------------------------------------------------------------

@pytest.mark.parametrize("loss, states, transitions", [
    # capacity 1, a sends SYN 1 and SYN 2 at once: SYN 2 overflows.
    # loss 0: lost would be 1 > 0, so go cannot fire at all: 1 state, 0 transitions.
    ("0", 1, 0),
    # loss 1: (S1,[SYN 1],lost=1) -discard-> (S1,[],1); no loss left.  3 states, 2.
    ("1", 3, 2),
    # unbounded: lost stays 0; (S1,[SYN 1]) -discard/lose-> (S1,[]).  3 states, 3.
    ("unbounded", 3, 3),
])
def test_overflow_counts_against_the_loss_budget(loss, states, transitions):
    model, r = run(sender("send SYN(seq=1)  send SYN(seq=2)",
                          f"capacity = 1  loss = {loss}  duplication = 0") + IDLE_B + """
        property sent: reachable a.state == S1
        """)
    assert_counts(model, r, states, transitions)
    if loss == "0":
        assert r.get("sent").status == UNREACHABLE
        return
    trace = r.get("sent").trace
    step = trace.steps[1]
    assert [s.seq for s in step.sent] == [1, 2]
    assert [s.seq for s in step.overflowed] == [2]
    assert [s.seq for s in step.state.in_flight] == [1]
    assert "channel full, dropped" in step.summary
    assert step.state.lost == (1 if loss == "1" else 0)
    replay(model, trace)


def test_repeated_sends_into_a_full_direction_stop_when_the_budget_is_spent():
    # capacity 1, loss 1; a sends SYN 1 on every open (S0 -> S0); b discards.
    # (ch, lost):  ([],0) -go-> ([s],0)                                         1 edge
    #   ([s],0): go overflows -> ([s],1); discard -> ([],0); lose -> ([],1)      3
    #   ([s],1): go would make lost 2 > 1: disabled; discard -> ([],1)           1
    #   ([],1):  go -> ([s],1)                                                   1
    # 4 states, 6 transitions; go fired 3 times.
    model, r = run("""
        model repeat
        channel { capacity = 1  loss = 1  duplication = 0 }
        endpoint a {
          states S0
          initial S0
          terminal S0
          transition go: S0 -> S0 on open { send SYN(seq=1) }
        }
        """ + IDLE_B)
    assert_counts(model, r, 4, 6)
    assert r.stats.coverage[0].fired == 3
    sem = Semantics(model)
    full_and_spent = ((0, 0), (0, 0), (), ((2, 1, 0, 0),), 1, 0)
    assert [a[0] for a, _ in sem.successors(full_and_spent)] == [DISCARD]
    full_not_spent = full_and_spent[:4] + (0, 0)
    fire = [a for a, _ in sem.successors(full_not_spent) if a[0] == FIRE]
    assert len(fire) == 1 and len(fire[0][5]) == 1  # one segment overflowed


# -- the successor function reports a wait for room, and changes nothing ------------------

CROSSED = """
    model crossed
    channel { capacity = 1  loss = 0  duplication = 0 }
    endpoint a {
      states S0, S1, S2
      initial S0
      terminal S2
      transition go: S0 -> S1 on open { send SYN(seq=0) }
      transition answer: S1 -> S2 on recv SYN { send ACK(seq=1, ack=1) }
    }
    endpoint b {
      states S0, S1, S2
      initial S0
      terminal S2
      transition go: S0 -> S1 on open { send SYN(seq=0) }
      transition answer: S1 -> S2 on recv SYN { send ACK(seq=1, ack=1) }
    }
    """


def test_successors_say_blocked_in_what_they_return_and_mutate_nothing():
    # Both SYNs in flight fill both directions (capacity 1 each, no loss allowed): each
    # endpoint's answer would overflow its peer's direction, so both receipts wait.
    sem = Semantics(load(CROSSED))
    state = sem.initial_state()
    for endpoint in (0, 1):  # a then b opens
        [(_, state)] = [(a, n) for a, n in sem.successors(state)
                        if a[0] == FIRE and a[1] == endpoint]
    before = dict(vars(sem))
    moves = sem.successors(state)
    assert len(moves) == 0 and moves.blocked is True
    assert sem.deliveries(state, 0).blocked is True and len(sem.deliveries(state, 0)) == 0
    start = sem.successors(sem.initial_state())
    assert len(start) == 2 and start.blocked is False
    assert vars(sem).keys() == before.keys()  # no attribute set by an expansion
    assert all(vars(sem)[k] is before[k] for k in before)
