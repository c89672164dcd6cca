"""Stopping a run: the limits are looked at inside one state's expansion too (a large
`choose`), and a stop request (SIGINT, SIGTERM: tcpcheck.limits.STOP) ends the run cleanly
with what it found, everything undecided NOT VERIFIED."""

from __future__ import annotations

import signal
import time

import pytest

from explicit_support import IDLE_B, load
from tcpcheck import limits
from tcpcheck.analyses.diff import DiffOptions, diff
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.result import HOLDS, NOT_VERIFIED
from tcpcheck.analyses.scan import scan

# One state with 40,001 * 40,001 successors: its expansion alone would take an hour.
WIDE = """
    model wide
    endpoint a {
      states S0, S1
      initial S0
      terminal S0, S1
      var x : 0..40000
      var y : 0..40000
      transition spread: S0 -> S1 on open { choose x  choose y }
    }
    """ + IDLE_B + """
    property fine: always a.x >= 0
    """

# A line of 100,000 states: long enough to be stopped on the way.
LINE = """
    model line
    endpoint a {
      states S0
      initial S0
      terminal S0
      var x : 0..100000
      transition inc: S0 -> S0 on open when x < 100000 { x := x + 1 }
    }
    """ + IDLE_B + """
    property fine: always a.x >= 0
    property end: reachable a.x == 100000
    """


@pytest.fixture(autouse=True)
def no_stop_left_behind():
    limits.STOP.reset()
    yield
    limits.STOP.reset()


def test_a_timeout_stops_inside_one_huge_expansion():
    started = time.monotonic()
    r = check(load(WIDE), CheckOptions(timeout=0.5))
    assert time.monotonic() - started < 2.0  # not the hour the expansion would take
    assert r.stop_reason == "timeout" and not r.complete
    assert r.get("fine").status == NOT_VERIFIED and r.get("domains").status == NOT_VERIFIED


def signal_at_poll(monkeypatch, n: int, signum=signal.SIGINT) -> None:
    """A stop request arrives at the ``n``-th time the run looks at its limits."""
    polls = {"n": 0}
    real = limits.Watch.reason

    def reason(self):
        polls["n"] += 1
        if polls["n"] == n:
            limits.STOP.request(signum)  # inside polled(): recorded, not raised
        return real(self)

    monkeypatch.setattr(limits.Watch, "reason", reason)


def test_a_stop_request_inside_one_huge_expansion(monkeypatch):
    # the request arrives while the single state is being expanded (a poll inside `choose`)
    signal_at_poll(monkeypatch, 5, signal.SIGTERM)
    r = check(load(WIDE), CheckOptions())
    assert r.stop_reason == "terminated" and r.stats.states == 1
    assert {p.status for p in r.properties} == {NOT_VERIFIED}
    assert r.exit_code == 3


def test_a_stop_request_ends_check_with_the_partial_result(monkeypatch):
    signal_at_poll(monkeypatch, 1000)  # one look per expanded state
    r = check(load(LINE), CheckOptions())
    assert r.stop_reason == "interrupted" and not r.complete
    assert 990 <= r.stats.states <= 1010
    assert r.get("fine").status == NOT_VERIFIED and r.get("end").status == NOT_VERIFIED
    assert HOLDS not in {p.status for p in r.properties}


def test_a_stop_request_outside_a_polled_loop_raises_at_once():
    with pytest.raises(limits.Interrupted):
        limits.STOP.request(signal.SIGINT)
    assert limits.STOP.reason == "interrupted"


def test_a_second_request_forces_the_stop():
    with limits.polled():
        limits.STOP.request(signal.SIGINT)
        with pytest.raises(limits.ForcedStop):
            limits.STOP.request(signal.SIGINT)


def test_a_pending_stop_request_stops_the_next_run_at_once():
    # compare, explain's ablation and report run one check after another: after a
    # Ctrl-C each of them stops before its first expansion, so the command stops as a whole
    with limits.polled():
        limits.STOP.request(signal.SIGINT)
    r = check(load(LINE), CheckOptions())
    assert r.stats.states == 1 and r.stop_reason == "interrupted"


def test_diff_and_scan_stop_on_request_and_inside_an_expansion():
    wide = load(WIDE)
    started = time.monotonic()
    d = diff(wide, wide, DiffOptions(timeout=0.5))
    assert time.monotonic() - started < 3.0
    assert [x.stop_reason for x in d.directions] == ["timeout", "timeout"]
    s = scan(wide, "a", timeout=0.5)
    assert s.stop_reason == "timeout" and not s.complete
    with limits.polled():
        limits.STOP.request(signal.SIGTERM)
    d = diff(load(LINE), load(LINE))
    assert [x.stop_reason for x in d.directions] == ["terminated", "terminated"]
    assert scan(load(LINE), "a").stop_reason == "terminated"


def test_max_memory_stops_the_run(monkeypatch):
    monkeypatch.setattr(limits, "resident_mb", lambda: 5000.0)
    r = check(load(LINE), CheckOptions(max_memory_mb=4000))
    assert r.stop_reason == "max-memory" and r.get("fine").status == NOT_VERIFIED


# A lasso through a state with 2,001 successors: rebuilding its steps re-expands that state.
WIDE_LASSO = """
    model wide_lasso
    endpoint a {
      states S0, S1
      initial S0
      var x : 0..2000
      transition spread: S0 -> S1 on open { choose x }
      transition back: S1 -> S0 on close { x := 0 }
    }
    """ + IDLE_B + """
    property never_there: eventually a.x == 1 and a.state == S0
    """


def test_a_limit_after_the_search_leaves_the_rebuilt_runs_alone(monkeypatch):
    # found by the model fuzzer: the time limit ran out after the search, while a lasso's
    # steps were being rebuilt; the expansion still polled the run's watch and raised
    # LimitReached outside the search (exit 4).  Expansions after the search are one state
    # each: they finish.
    from tcpcheck.explicit import checker

    late = {"now": False}
    real_reason, real_action = limits.Watch.reason, checker._Explorer._action

    def reason(self):
        return "timeout" if late["now"] else real_reason(self)

    def action(self, u, k, v):
        late["now"] = True  # the clock runs out the moment the rebuilding starts
        return real_action(self, u, k, v)

    monkeypatch.setattr(limits.Watch, "reason", reason)
    monkeypatch.setattr(checker._Explorer, "_action", action)
    r = check(load(WIDE_LASSO), CheckOptions(timeout=60))
    assert late["now"]
    p = r.get("never_there")
    assert p.status == "violated" and p.trace.loop_start is not None
