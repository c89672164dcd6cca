"""models/rfc9293.tcp, the complete RFC 9293 connection state machine: its verdicts in both
configurations its docstring names, and each figure goal's witness against the figure.

The full check (1,132,492 states) runs once for the module, with ``--engine auto``'s choice
(natively in a few seconds where a C compiler is here, liveness included); the figures' runs are the
shortest witnesses breadth-first search found in it.  A figure is compared as the order in
which the two endpoints change control state and the flags of what they send: the RFC
draws exactly that (its sequence numbers are examples; ours are the ISN clock's)."""

from __future__ import annotations

import pytest

from tcpcheck.engine import registry
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file

from manifest_pin import ROOT, assert_matches_manifest, verdicts

MODEL = ROOT / "models" / "rfc9293.tcp"
SAFETY = ("no_old_segment_confusion", "handshake_answers_this_tcb", "synchronized_agree",
          "no_deadlock", "domains")
FIGURES = ("figure_6_open", "figure_7_simultaneous_open", "figure_8_old_duplicate_syn",
           "figure_9_half_open", "figure_10_active_side", "figure_12_normal_close",
           "figure_13_simultaneous_close")
LIVENESS = ("open_is_answered", "active_close_is_answered", "passive_close_completes")
# the second configuration of the docstring: duplicates and ABORT, one segment per
# direction, one loss
WITH_ABORT = {"channel.capacity": 1, "channel.duplication": 1, "channel.loss": 1,
              "CLIENT_ABORTS": 1, "SERVER_ABORTS": 1}


@pytest.fixture(scope="module")
def result():
    return registry.check(load_file(MODEL), CheckOptions())


def test_matches_the_manifest(result):
    assert_matches_manifest("models/rfc9293.tcp", result)


def test_every_safety_and_liveness_property_holds_and_every_figure_is_reached(result):
    found = verdicts(result)
    assert result.complete and result.stats.states == 1_132_492
    assert {name: found[name][0] for name in SAFETY + LIVENESS} == dict.fromkeys(
        SAFETY + LIVENESS, "holds")
    assert {name: found[name][0] for name in FIGURES} == dict.fromkeys(FIGURES, "reached")


def test_fin_wait_2_waits_for_ever_when_the_peer_gives_up(result):
    """RFC 9293 has no FIN-WAIT-2 timer: the lasso ends with the client in FIN-WAIT-2 and
    the server gone, its FIN and the retransmission lost and R2 spent."""
    close = next(p for p in result.properties if p.name == "close_completes")
    assert close.status == "violated"
    trace = close.trace
    assert trace.loop_start is not None
    cycle = trace.steps[trace.loop_start:]
    assert all(s.state.endpoint("client").state == "FIN_WAIT_2" for s in cycle)
    assert any(s.transition == "fin_give_up" and s.actor == "server"
               for s in trace.steps[:trace.loop_start])


def test_with_duplicates_and_abort_the_safety_properties_still_hold():
    res = registry.check(load_file(MODEL, WITH_ABORT), CheckOptions(properties=SAFETY))
    assert res.complete and res.stats.states == 86_099
    assert {p.name: p.status for p in res.properties} == dict.fromkeys(SAFETY, "holds")
    fired = {(c.endpoint, c.transition) for c in res.stats.coverage if c.fired}
    assert {("client", "abort_reset"), ("client", "abort_quiet"), ("server", "abort_reset"),
            ("server", "abort_quiet")} <= fired


def test_with_data_both_ways_the_safety_properties_still_hold():
    """DATA=1: one octet each way (SEND, retransmission, the acceptability test with a
    window, RECEIVE), in the second configuration (the full one with data is 21 million
    states: a minute natively, not in the suite)."""
    res = registry.check(load_file(MODEL, {**WITH_ABORT, "DATA": 1}),
                         CheckOptions(properties=SAFETY))
    assert res.stats.states == 2_565_262
    assert {p.name: p.status for p in res.properties} == dict.fromkeys(SAFETY, "holds")
    fired = {(c.endpoint, c.transition) for c in res.stats.coverage if c.fired}
    data = {"write", "data_rexmt", "data_give_up", "read", "acked", "data_in", "fw1_data"}
    assert {(side, t) for side in ("client", "server") for t in data} <= fired


# ---- the figures ----

def _story(trace) -> list:
    """What the figure draws: each control-state change ("client SYN_SENT") and each
    segment sent ("client > SYN"), in order (within a step, the sends first); channel
    faults and ticks draw nothing."""
    events, before = [], trace.steps[0].state
    for step in trace.steps[1:]:
        for seg in step.sent:
            events.append(f"{seg.src} > {seg.flags}")
        for old, new in zip(before.endpoints, step.state.endpoints):
            if old.state != new.state:
                events.append(f"{new.name} {new.state}")
        before = step.state
    return events


def _witness(result, name):
    return next(p for p in result.properties if p.name == name).trace


def test_figure_6_basic_three_way_handshake(result):
    story = _story(_witness(result, "figure_6_open"))
    assert [e for e in story if ">" in e] == ["client > SYN", "server > SYN+ACK", "client > ACK"]
    assert [e for e in story if ">" not in e] == [
        "client SYN_SENT", "server LISTEN", "server SYN_RECEIVED", "client ESTABLISHED",
        "server ESTABLISHED"]


def test_figure_7_simultaneous_open(result):
    story = _story(_witness(result, "figure_7_simultaneous_open"))
    # lines 2-7: both SYN-SENT, each SYN crosses the other, both SYN-RECEIVED sending
    # SYN,ACK, and each SYN,ACK (its SYN trimmed) moves its receiver to ESTABLISHED
    assert [e for e in story if ">" in e] == [
        "client > SYN", "server > SYN", "client > SYN+ACK", "server > SYN+ACK"]
    assert [e for e in story if ">" not in e] == [
        "client SYN_SENT", "server SYN_SENT", "client SYN_RECEIVED", "server SYN_RECEIVED",
        "client ESTABLISHED", "server ESTABLISHED"]


def test_figure_8_recovery_from_old_duplicate_syn(result):
    trace = _witness(result, "figure_8_old_duplicate_syn")
    story = _story(trace)
    # the old SYN (of a TCB the client has closed) reaches LISTEN; its SYN,ACK meets the
    # client in SYN-SENT with a new ISN, which answers with a RST (line 5-6); the server
    # goes back to LISTEN (line 7) and the new SYN connects (lines 8-10)
    assert story[story.index("server LISTEN"):] == [
        "server LISTEN", "server > SYN+ACK", "server SYN_RECEIVED", "client > RST",
        "server LISTEN", "server > SYN+ACK", "server SYN_RECEIVED", "client > ACK",
        "client ESTABLISHED", "server ESTABLISHED"]
    rst = next(s for s in trace.steps if s.transition == "sent_bad_ack")
    assert rst.state.endpoint("client").state == "SYN_SENT"
    old_syn = next(s for s in trace.steps if s.transition == "listen_syn")
    client = dict(rst.state.endpoint("client").variables)
    assert old_syn.received.seq != client["iss"]  # the SYN is of an earlier TCB


def test_figure_9_half_open_discovery(result):
    trace = _witness(result, "figure_9_half_open")
    kinds = [(s.actor, s.transition) for s in trace.steps[1:]]
    assert ("client", "crash_established") in kinds
    after = kinds[kinds.index(("client", "crash_established")) + 1:]
    # the crashed side opens again; its SYN meets the half-open TCB, which answers with an
    # ACK (the first check); the client's SYN-SENT resets it with <SEQ=SEG.ACK><CTL=RST>
    assert after[0] == ("client", "active_open")
    assert ("client", "sent_bad_ack") in after
    assert after[-1] == ("server", "reset")
    assert trace.steps[-1].state.endpoint("server").state == "CLOSED"
    assert trace.steps[-1].state.endpoint("client").state == "SYN_SENT"


def test_figure_10_active_side_causes_discovery(result):
    trace = _witness(result, "figure_10_active_side")
    kinds = [(s.actor, s.transition) for s in trace.steps[1:]]
    after = kinds[kinds.index(("client", "crash_established")) + 1:]
    # the server sends on the half-open connection (here its FIN), the crashed client in
    # CLOSED answers with a RST, the server aborts
    assert ("server", "close") in after
    assert after[-2:] == [("client", "closed_ack_rst"), ("server", "reset")]
    assert trace.steps[-1].state.endpoint("server").state == "CLOSED"


def test_figure_12_normal_close(result):
    story = _story(_witness(result, "figure_12_normal_close"))
    close = story[story.index("client FIN_WAIT_1") - 1:]
    assert close == [
        "client > FIN+ACK", "client FIN_WAIT_1", "server > ACK", "server CLOSE_WAIT",
        "client FIN_WAIT_2", "server > FIN+ACK", "server LAST_ACK", "client > ACK",
        "client TIME_WAIT", "server CLOSED"]


def test_figure_13_simultaneous_close(result):
    story = _story(_witness(result, "figure_13_simultaneous_close"))
    close = story[story.index("client FIN_WAIT_1") - 1:]
    closing_states = ("FIN_WAIT_1", "CLOSING", "TIME_WAIT")
    assert [e for e in close if e.split()[-1] in closing_states and ">" not in e] == [
        "client FIN_WAIT_1", "server FIN_WAIT_1", "client CLOSING", "server CLOSING",
        "client TIME_WAIT", "server TIME_WAIT"]
    assert [e for e in close if ">" in e] == [
        "client > FIN+ACK", "server > FIN+ACK", "client > ACK", "server > ACK"]
