"""RFC 9293 figure notation."""

from __future__ import annotations

import re

from render.render_support import assert_golden, eventful_trace, shipped_traces, two_way_trace

from tcpcheck.render.rfc import rfc, segment_text, spell
from tcpcheck.trace.records import SegmentView


def test_two_way_golden():
    assert_golden("two_way.rfc.txt", rfc(two_way_trace()) + "\n")


def test_eventful_golden():
    assert_golden("eventful.rfc.txt", rfc(eventful_trace()) + "\n")


def test_the_rfc_spellings():
    assert spell("SYN_SENT") == "SYN-SENT" and spell("ESTABLISHED") == "ESTABLISHED"
    seg = SegmentView("a", "b", "SYN+ACK", 300, 101, (("conn", 0),))
    assert segment_text(seg) == "<SEQ=300><ACK=101><CTL=SYN,ACK><conn=0>"
    assert segment_text(SegmentView("a", "b", "RST", 91, 7)) == "<SEQ=91><CTL=RST>"
    assert segment_text(SegmentView("a", "b", "none", 5, 0)) == "<SEQ=5>"


def test_the_stale_syn_waits_in_the_network():
    lines = rfc(two_way_trace()).splitlines()
    assert lines[0].split() == ["TCP", "A", "(client)", "TCP", "B", "(server)"]
    assert re.match(r"1\.\s+CLOSED\s+LISTEN$", lines[2])
    assert lines[4] == "2.  (Open)"  # a comment line, then the line it explains
    assert re.fullmatch(r" {4}SYN-SENT\s+--> <SEQ=0><CTL=SYN><conn=0>\s+\.\.\.", lines[5])
    assert any(line.startswith("3.") and "(crash)" in line for line in lines)
    late = next(line for line in lines if line.startswith("4."))
    assert re.search(r"\.\.\. <SEQ=0><CTL=SYN><conn=0>\s+--> ESTABLISHED$", late)


def test_a_segment_that_arrives_at_once_is_one_line():
    three_way = dict(shipped_traces())
    trace = next(t for label, t in three_way.items()
                 if label.startswith("three_way") and label.endswith("handshake_completes"))
    text = rfc(trace)
    assert re.search(r"SYN-SENT\s+--> <SEQ=0><CTL=SYN><conn=0>\s+--> SYN-RECEIVED", text)
    assert re.search(r"ESTABLISHED <-- <SEQ=0><ACK=1><CTL=SYN,ACK><conn=0>\s+<-- SYN-RECEIVED",
                     text)
    assert "_" not in text.split("\n", 1)[1]  # every state spelled with hyphens


def test_comments_for_what_the_network_and_the_clock_did():
    text = rfc(eventful_trace())
    for comment in ("(Open)", "(duplicated)", "(lost)", "(one tick passes)",
                    "(timeout rexmt)", "(crash)", "(duplicate)", "(client discards it)",
                    "(expired)", "(channel full, dropped)"):
        assert comment in text, comment
