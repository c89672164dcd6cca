"""The terminal sequence chart: goldens, the 80-column rule, colour."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from render.render_support import assert_golden, eventful_trace, shipped_traces, two_way_trace

from tcpcheck.render.chart import chart, use_color
from tcpcheck.trace.records import SegmentView, Trace

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_two_way_counterexample_golden():
    assert_golden("two_way.chart.txt", chart(two_way_trace()) + "\n")


def test_two_way_counterexample_full_golden():
    assert_golden("two_way.full.chart.txt", chart(two_way_trace(), full=True) + "\n")


def test_two_way_counterexample_colour_golden():
    assert_golden("two_way.color.chart.txt", chart(two_way_trace(), color=True) + "\n")


def test_eventful_golden():
    assert_golden("eventful.chart.txt", chart(eventful_trace()) + "\n")
    assert_golden("eventful.full.chart.txt", chart(eventful_trace(), full=True) + "\n")


def _block(text: str, step: int) -> str:
    """The lines of one step: from its number in the margin to the next number."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"\s*{step} ", line))
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"\s*\d+ ", lines[i])),
               len(lines))
    return "\n".join(lines[start:end])


def test_the_stale_syn_is_a_stub_at_1_and_an_arrow_at_3():
    text = chart(two_way_trace())
    assert re.search(r"\|-+> SYN seq=0 conn=0", _block(text, 1))
    arrival = _block(text, 3)
    assert "SYN seq=0 conn=0 (sent at step 1)" in arrival
    assert re.search(r"\|-+>\| \[syn_in\]", arrival)
    assert "ESTABLISHED" in arrival and "CRASH [crash]" in _block(text, 2)


def test_each_event_is_marked_at_its_step():
    text = chart(eventful_trace())
    assert "OPEN [connect]" in _block(text, 1)
    assert "channel duplicates SYN" in _block(text, 2)
    assert "lost: SYN seq=0 conn=0" in _block(text, 3) and "-x" in _block(text, 3)
    assert "(one tick passes)" in _block(text, 4)
    assert "timeout rexmt" in _block(text, 5) and "[again]" in _block(text, 5)
    assert "CRASH [crash]" in _block(text, 6) and "incarnation=1" in _block(text, 6)
    assert "(dup, sent at" in _block(text, 7) and "step 1)" in _block(text, 7)
    assert "discards it" in _block(text, 8)
    assert "expired (older than MSL)" in _block(text, 9) and "-x" in _block(text, 9)
    assert "channel full, dropped" in _block(text, 10) and "x--|" in _block(text, 10)


def test_only_what_changed_unless_full():
    text = chart(two_way_trace())
    assert "peer=0" in _block(text, 0) and "peer=" not in _block(text, 1)
    assert "iss=0" not in _block(text, 3)  # the server's iss did not change
    full = chart(two_way_trace(), full=True)
    assert "peer=0" in _block(full, 1) and "LISTEN" in _block(full, 2)


def _inflated(trace: Trace) -> Trace:
    """The same run with 32-bit-sized numbers, as `tcpcheck prove` prints them."""
    big = lambda v: v + 4294967290 if isinstance(v, int) and not isinstance(v, bool) else v
    seg = lambda s: dataclasses.replace(s, seq=big(s.seq), ack=big(s.ack))

    def fix(value):
        if isinstance(value, SegmentView):
            return seg(value)
        if isinstance(value, tuple):
            return tuple(fix(v) for v in value)
        return value

    steps = []
    for step in trace.steps:
        endpoints = tuple(dataclasses.replace(e, variables=tuple(
            (k, tuple(big(x) for x in v) if isinstance(v, tuple) else big(v))
            for k, v in e.variables)) for e in step.state.endpoints)
        state = dataclasses.replace(step.state, endpoints=endpoints,
                                    in_flight=fix(step.state.in_flight))
        steps.append(dataclasses.replace(
            step, state=state, received=fix(step.received), sent=fix(step.sent),
            overflowed=fix(step.overflowed), expired=fix(step.expired),
            segment=fix(step.segment)))
    return dataclasses.replace(trace, steps=tuple(steps))


def _widest(text: str) -> int:
    return max(len(ANSI.sub("", line)) for line in text.splitlines())


@pytest.mark.parametrize("full", [False, True])
def test_every_shipped_run_fits_80_columns(full):
    traces = shipped_traces()
    assert len(traces) >= 10  # counterexamples and witnesses of every shipped model
    for label, trace in traces:
        assert _widest(chart(trace, full=full)) <= 80, label
        assert _widest(chart(_inflated(trace), full=full)) <= 80, label + " at 32 bits"


@pytest.mark.parametrize("width", [48, 60, 100, 132])
def test_other_widths_are_kept(width):
    for trace in (eventful_trace(), _inflated(two_way_trace())):
        assert _widest(chart(trace, full=True, width=width)) <= width


def test_colour_carries_no_information_of_its_own():
    for trace in (two_way_trace(), eventful_trace()):
        plain = chart(trace)
        coloured = chart(trace, color=True)
        assert coloured != plain and "\x1b[" not in plain
        assert ANSI.sub("", coloured) == plain


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_use_color_only_on_a_terminal_without_no_color():
    assert use_color(_Terminal(), {})
    assert use_color(_Terminal(), {"NO_COLOR": ""})  # empty means unset (no-color.org)
    assert not use_color(_Terminal(), {"NO_COLOR": "1"})
    assert not use_color(_Terminal(), {"TERM": "dumb"})
    assert not use_color(io.StringIO(), {})
    assert not use_color(object(), {})
