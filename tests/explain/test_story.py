"""Segment histories on a hand-built trace: previous incarnation, duplicate, delayed,
lost, retransmission, expired, and the merged ticks."""

from __future__ import annotations

from tcpcheck.explain.story import segment_histories, tell
from tcpcheck.trace.records import EndpointView, SegmentView, Snapshot, Step, Trace

SYN = SegmentView("client", "server", "SYN", 0, 0, (("conn", 0),))
SYN_B = SegmentView("client", "server", "SYN", 2, 0, (("conn", 1),))


def view(name, state, incarnation=0):
    return EndpointView(name, state, incarnation, (), ())


def snap(client, server, *flight):
    return Snapshot((client, server), tuple(flight))


def step(i, actor, kind, state, **extra):
    return Step(i, actor, kind, f"step {i}", state, **extra)


def build() -> Trace:
    c0, c1 = view("client", "SYN_SENT"), view("client", "CLOSED", 1)
    listen = view("server", "LISTEN")
    steps = (
        step(0, "init", "init", snap(view("client", "CLOSED"), listen)),
        step(1, "client", "user", snap(c0, listen, SYN), transition="connect",
             trigger="open", sent=(SYN,)),
        step(2, "channel", "duplicate", snap(c0, listen, SYN, SYN), segment=SYN),
        step(3, "client", "timeout", snap(c0, listen, SYN, SYN, SYN), transition="again",
             trigger="timeout", sent=(SYN,)),
        step(4, "client", "crash", snap(c1, listen, SYN, SYN, SYN), transition="crash",
             trigger="crash"),
        step(5, "channel", "lose", snap(c1, listen, SYN, SYN), segment=SYN),
        step(6, "clock", "tick", snap(c1, listen, SYN, SYN)),
        step(7, "clock", "tick", snap(c1, listen, SYN, SYN)),
        step(8, "server", "recv", snap(c1, view("server", "SYN_RECEIVED"), SYN),
             transition="syn_in", trigger="recv", received=SYN),
        step(9, "client", "user", snap(view("client", "SYN_SENT", 1), view(
            "server", "SYN_RECEIVED"), SYN, SYN_B), transition="connect", trigger="open",
             sent=(SYN_B,)),
        step(10, "clock", "tick", snap(view("client", "SYN_SENT", 1),
                                       view("server", "SYN_RECEIVED"), SYN_B),
             expired=(SYN,)),
    )
    return Trace("hand_built", steps)


def test_every_copy_has_its_origin_and_fate():
    h = segment_histories(build())
    assert [(x.sender, x.sent_at, x.incarnation) for x in h] == [
        ("client", 1, 0), ("client", 1, 0), ("client", 3, 0), ("client", 9, 1)]
    original, copy, retransmission, fresh = h
    assert copy.copy_of == original.uid and copy.duplicated_at == 2
    assert original.copy_of is None and retransmission.retransmits == 1
    # the loss and the delivery take the oldest copy in flight; the last one expires
    assert (original.fate, original.fate_at) == ("lost", 5)
    assert (copy.fate, copy.fate_at) == ("delivered", 8)
    assert (retransmission.fate, retransmission.fate_at) == ("expired", 10)
    assert (fresh.fate, fresh.fate_at) == ("in_flight", None)


def test_the_delivered_segment_is_old_duplicated_and_delayed():
    story = tell(build())
    delivery = next(f for f in story.steps if f.kind == "recv")
    assert delivery.received.old and delivery.received.duplicate and delivery.received.delayed
    assert delivery.before.state == "LISTEN" and delivery.after.state == "SYN_RECEIVED"
    fresh = next(f for f in story.steps if f.index == 9).sent[0]
    assert not fresh.old and not fresh.delayed and not fresh.duplicate


def test_a_crash_lists_what_its_old_incarnation_left_in_flight():
    crash = next(f for f in tell(build()).steps if f.kind == "crash")
    assert [f.history.sent_at for f in crash.left_behind] == [1, 1, 3]
    assert all(f.old for f in crash.left_behind)


def test_ticks_in_a_row_are_one_fact_unless_something_expires():
    kinds = [(f.kind, f.index, f.ticks) for f in tell(build()).steps]
    assert ("tick", 6, 2) in kinds and ("tick", 10, 1) in kinds
    assert [k for k, _, _ in kinds].count("tick") == 2


def test_a_segment_of_unknown_origin_is_tolerated():
    # a trace whose first step receives a segment nobody is known to have sent
    listen = view("server", "LISTEN")
    steps = (step(0, "init", "init", snap(view("client", "CLOSED"), listen)),
             step(1, "server", "discard", snap(view("client", "CLOSED"), listen),
                  received=SYN))
    fact = tell(Trace("t", steps)).steps[0]
    assert fact.received.history.sender is None and not fact.received.old
