"""tcpcheck.render.packetdrill: runs as packetdrill scripts that packetdrill's grammar
accepts, whose segments are exactly the run's segments to and from the system under test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from render.packetdrill_grammar import Line, check_script
from render.render_support import assert_golden, eventful_trace, shipped_traces, two_way_trace
from tcpcheck.diagnostics import UsageError
from tcpcheck.render.packetdrill import (Settings, endpoints, flag_letters, packetdrill,
                                         seconds_text, tick_count)
from tcpcheck.trace.records import EndpointView, SegmentView, Snapshot, Step, Trace


def _scriptable(trace: Trace, sut: str) -> bool:
    start = trace.steps[0].state.endpoint(sut).state
    return start in ("CLOSED", "LISTEN") and not any(
        s.kind == "crash" and s.actor == sut for s in trace.steps)


def _runs():
    """(label, trace, sut) for every shipped run and endpoint that can be scripted."""
    out = [(f"{label} as {sut}", trace, sut) for label, trace in shipped_traces()
           for sut in trace.endpoint_names if _scriptable(trace, sut)]
    assert len(out) >= 10  # the shipped models' runs, not an empty loop
    return out


def _expected(trace: Trace, sut: str) -> list:
    """(direction, letters) of every segment delivered to or sent by ``sut``, in order."""
    out = []
    for step in trace.steps:
        if step.actor != sut:
            continue
        if step.received is not None:
            out.append(("<", flag_letters(step.received.flags)))
        out += [(">", flag_letters(seg.flags)) for seg in step.sent]
    return out


# ---- the grammar ---------------------------------------------------------------------------

def test_every_shipped_run_is_a_script_packetdrill_parses():
    for label, trace, sut in _runs():
        try:
            check_script(packetdrill(trace, Settings(endpoint=sut, seqspace=16)))
        except AssertionError as err:
            pytest.fail(f"{label}: {err}")


def test_the_checker_refuses_what_packetdrill_refuses():
    for bad in ("+0 < S 0:0(0)",                      # inbound without a window
                "+0 < S 0:0(0) win 1 <...>",          # <...> inbound
                "+0 > S 0:1(0) <...>",                # end != start + len
                "+0 > SX 0:0(0) <...>",               # X is no flag
                "+0 > S 0:0(0) win 65536 <...>",      # window beyond 16 bits
                "-1 close(3) = 0",                    # negative time
                "+0 connect(3, ..., ...) = -1",       # a failure without its errno
                "+0 listen(3) = 0",                   # listen takes two arguments
                "0 frobnicate(3) = 0"):
        with pytest.raises(AssertionError):
            check_script(bad)
    assert check_script("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                        "+.1 < S. 0:0(0) ack 1 win 32000\n// c\n\n+0 > . 1:1(0) ack 1 <...>") \
        == (Line("<", "S.", 0, 1), Line(">", ".", 1, 1))


# ---- the segments ----------------------------------------------------------------------------

def test_the_segments_are_the_runs_segments_to_and_from_the_sut_in_order():
    for label, trace, sut in _runs():
        lines = check_script(packetdrill(trace, Settings(endpoint=sut, seqspace=16)))
        assert [(x.direction, x.flags) for x in lines] == _expected(trace, sut), label
        for x in lines:
            assert (x.ack is not None) == x.flags.endswith("."), label


def test_a_new_connection_of_the_sut_starts_at_0_and_later_numbers_keep_their_distance():
    for label, trace, sut in _runs():
        lines = check_script(packetdrill(trace, Settings(endpoint=sut, seqspace=8)))
        sent = [seg for s in trace.steps if s.actor == sut for seg in s.sent]
        out = [x for x in lines if x.direction == ">"]
        isn = None
        for seg, line in zip(sent, out):
            if "S" in line.flags and line.seq == 0:
                isn = seg.seq
            if isn is not None:
                assert line.seq == (seg.seq - isn) % 8, label


def test_the_stale_syn_with_the_server_as_kernel():
    script = packetdrill(two_way_trace(), Settings(seqspace=4))
    assert check_script(script) == (Line("<", "S", 0, None), Line(">", "S.", 0, 1))
    events = [x.split(" ", 1)[1] for x in script.splitlines() if x and x[0] in "0+"]
    assert [x.split("(")[0] for x in events if x[0] not in "<>"] == \
        ["socket", "bind", "listen", "accept"]  # the server starts in LISTEN, then accepts


def test_the_header_says_what_the_script_cannot_express():
    script = packetdrill(two_way_trace(), Settings(seqspace=4, command="tcpcheck export x",
                                                   model_file="models/two_way_handshake.tcp"))
    head = "\n".join(x for x in script.splitlines() if x.startswith("//"))
    for words in ("counterexample of no_stale_accept", "two_way_handshake",
                  "system under test: server", "packetdrill plays client",
                  "sequence space, 4", "made by: tcpcheck export x", "not the kernel's RTO",
                  "no data"):
        assert words in head, words


def test_an_unrecorded_sequence_space_is_said_to_be_assumed():
    assert "2**32 (the run does not record" in packetdrill(two_way_trace())


# ---- time --------------------------------------------------------------------------------

def test_ticks_become_relative_times_of_the_next_event():
    script = packetdrill(eventful_trace(), Settings(tick=Decimal("0.5"), seqspace=8))
    events = [x for x in script.splitlines() if x and not x.startswith("//")]
    assert events[0].startswith("0 socket(")
    assert "+0.5 < S 0:0(0) win 65535" in events  # one tick before the delivery
    assert "+0.5 > S. 0:0(0) ack 1 <...>" in events  # the server's timer, a tick later
    check_script(script)


@pytest.mark.parametrize("seconds, text", [("0", "0"), ("1", "1"), ("0.5", "0.5"),
                                           ("2.50", "2.5"), ("1E+1", "10"), ("0.001", "0.001")])
def test_times_are_written_as_packetdrill_reads_them(seconds, text):
    assert seconds_text(Decimal(seconds)) == text


def test_a_lasso_is_played_once_and_says_so():
    trace = eventful_trace()
    lasso = Trace(trace.model, trace.steps, trace.kind, trace.property, loop_start=4)
    assert packetdrill(lasso).splitlines()[-1] == \
        "// the run repeats steps 4 to the last for ever; the script plays them once"
    assert "for ever" not in packetdrill(trace)


def test_a_jump_of_several_ticks_counts_them_all():
    init = eventful_trace().steps[0]
    tick = Step(1, "clock", "tick", "3 ticks pass", init.state)
    assert tick_count(tick) == 3
    assert tick_count(Step(1, "clock", "tick", "one tick passes", init.state)) == 1


# ---- system calls ----------------------------------------------------------------------------

def _view(name, state):
    return EndpointView(name, state, 0, (), ())


def _mini(*steps) -> Trace:
    """A run from a list of (actor, kind, trigger, client state, server state, sent,
    received)."""
    snap = lambda c, s: Snapshot((_view("client", c), _view("server", s)), ())
    out = [Step(0, "init", "init", "initial state", snap("CLOSED", "CLOSED"))]
    for i, (actor, kind, trigger, c, s, sent, received) in enumerate(steps, 1):
        out.append(Step(i, actor, kind, f"{actor} {kind}", snap(c, s),
                        transition="t" if kind != "discard" else None,
                        trigger=trigger, sent=sent, received=received))
    return Trace("mini", tuple(out), "witness", "goal")


SYN = SegmentView("client", "server", "SYN", 5, 0)
RST = SegmentView("client", "server", "RST+ACK", 6, 0)


def test_an_active_open_and_an_abort():
    trace = _mini(("client", "user", "open", "SYN_SENT", "CLOSED", (SYN,), None),
                  ("client", "user", "abort", "CLOSED", "CLOSED", (RST,), None))
    script = packetdrill(trace, Settings(endpoint="client", seqspace=8))
    events = [x.split(" ", 1)[1] for x in script.splitlines() if x and x[0] in "0+"]
    assert events == ["socket(..., SOCK_STREAM, IPPROTO_TCP) = 3",
                      "fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0",
                      "connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)",
                      "> S 0:0(0) <...>",
                      "setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0",
                      "close(3) = 0",
                      "> R. 1:1(0) ack 0 <...>"]
    check_script(script)


def test_a_listen_call_and_the_peers_steps_as_comments():
    trace = _mini(("server", "user", "listen", "CLOSED", "LISTEN", (), None),
                  ("client", "user", "open", "SYN_SENT", "LISTEN", (SYN,), None),
                  ("server", "discard", None, "SYN_SENT", "LISTEN", (), SYN))
    script = packetdrill(trace, Settings(window=1000))
    assert "// step 2, client: client user" in script
    events = [x.split(" ", 1)[1] for x in script.splitlines() if x and x[0] in "0+"]
    assert events == ["socket(..., SOCK_STREAM, IPPROTO_TCP) = 3", "bind(3, ..., ...) = 0",
                      "listen(3, 1) = 0", "< S 0:0(0) win 1000"]  # delivered, then dropped


@pytest.mark.parametrize("flags, letters", [("SYN", "S"), ("SYN+ACK", "S."), ("ACK", "."),
                                            ("FIN+ACK", "F."), ("RST", "R"), ("none", "-"),
                                            ("ACK+PSH+FIN", "FP.")])
def test_flags(flags, letters):
    assert flag_letters(flags) == letters


# ---- what cannot be scripted -------------------------------------------------------------

def test_a_crash_of_the_sut_is_refused():
    with pytest.raises(UsageError, match="client crashes at step 6.*cannot crash"):
        packetdrill(eventful_trace(), Settings(endpoint="client"))


def test_a_sut_that_starts_connected_is_refused():
    trace = [t for label, t in shipped_traces() if label.startswith("time_wait_every_msl")][0]
    with pytest.raises(UsageError, match="peer starts in CLOSE_WAIT; a packetdrill script "
                                         "starts with no socket"):
        packetdrill(trace)  # no endpoint named server: the second, peer


def test_an_unknown_endpoint_is_refused_with_a_suggestion():
    with pytest.raises(UsageError, match="clinet.*client and server.*did you mean 'client'"):
        endpoints(two_way_trace(), "clinet")
    assert endpoints(two_way_trace(), None) == ("server", "client")
    other = Trace("m", two_way_trace().steps[:1], endpoint_names=("a", "b"))
    assert endpoints(other, None) == ("b", "a")  # no server: the second


# ---- golden files ------------------------------------------------------------------------

def test_golden_two_way():
    assert_golden("two_way.packetdrill.pkt", packetdrill(two_way_trace(), Settings(
        seqspace=4, model_file="models/two_way_handshake.tcp",
        command="tcpcheck export packetdrill run.json")))


def test_golden_eventful():
    assert_golden("eventful.packetdrill.pkt", packetdrill(eventful_trace(), Settings(
        tick=Decimal("0.2"), seqspace=8)))
