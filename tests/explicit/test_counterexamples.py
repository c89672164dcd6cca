"""More than one counterexample per property (CheckOptions.counterexamples)."""

from __future__ import annotations

import pytest
from explicit_support import load, replay

from tcpcheck.diagnostics import UsageError
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.render import json as render_json
from tcpcheck.result import VIOLATED

# a picks v in 0..3 on OPEN (S0 -> S1) and may CLOSE from S0 or S1 into S2; b may LISTEN
# once (X -> Y).  A "way" to break a property is a sequence of actions, values aside, that
# ends at the first violation.  `not_s1` breaks in 2 ways: [pick] (any v: one way) and
# [go, pick]; [pick, go] is no new way (it passes through a state that breaks it already).
# `no_fin` breaks in 4 ways: [fin], [pick, fin], [go, fin] and [pick, go, fin] (the run to
# a state is the first one breadth-first search found, so [go, pick, fin] is not seen).
CHOICES = """
    model choices
    endpoint a {
      states S0, S1, S2
      initial S0
      terminal S0, S1, S2
      var v : 0..3
      transition pick: S0 -> S1 on open { choose v }
      transition fin: S0, S1 -> S2 on close { v := 0 }
    }
    endpoint b {
      states X, Y
      initial X
      terminal X, Y
      transition go: X -> Y on listen
    }
    property not_s1: always a.state != S1
    property not_two: always at a.pick: a.v != 2
    property no_fin: always at a.fin: false
    property ok: always a.v <= 3
    """


def _final(trace):
    last = trace.steps[-1].state
    return (last.endpoint("a").state, last.endpoint("a").value("v"), last.endpoint("b").state)


def _check(n, **kw):
    model = load(CHOICES)
    return model, check(model, CheckOptions(counterexamples=n, **kw))


def test_one_counterexample_is_the_default_and_unchanged():
    _, default = _check(1)
    _, explicit_one = _check(1, properties=None)
    p = default.get("not_s1")
    assert p.status == VIOLATED and len(p.trace) == 1 and p.traces == ()
    assert explicit_one.get("not_s1") == p
    assert check(load(CHOICES)).get("not_s1") == p  # CheckOptions() is counterexamples=1


def _shape(trace):
    return [step.transition for step in trace.steps[1:]]


def test_distinct_ways_shortest_first_and_the_first_is_the_usual_one():
    model, r = _check(3)
    p = r.get("not_s1")
    assert p.traces[0] == p.trace == check(model).get("not_s1").trace
    assert [_shape(t) for t in p.traces] == [["pick"], ["go", "pick"]]
    for t in p.traces:
        replay(model, t)  # each is a real run


def test_values_alone_do_not_make_a_new_way():
    _, r = _check(8)
    finals = [_final(t) for t in r.get("not_s1").traces]
    assert len(finals) == 2 and finals[0] == ("S1", 0, "X") and finals[1][2] == "Y"


def test_asking_for_more_than_exist_gives_all_of_them_after_a_complete_run():
    _, r = _check(50)
    assert [_shape(t) for t in r.get("no_fin").traces] == [
        ["fin"], ["pick", "fin"], ["go", "fin"], ["pick", "go", "fin"]]
    assert r.complete  # the search could not stop before it knew there were no more


def test_stop_when_decided_waits_for_n():
    model = load(CHOICES)
    one = check(model, CheckOptions(properties=("no_fin",)))
    two = check(model, CheckOptions(properties=("no_fin",), counterexamples=2))
    four = check(model, CheckOptions(properties=("no_fin",), counterexamples=4))
    assert one.stop_reason == two.stop_reason == four.stop_reason == "decided"
    assert one.stats.states <= two.stats.states < four.stats.states
    assert [len(t) for t in two.get("no_fin").traces] == [1, 2]
    assert [len(t) for t in four.get("no_fin").traces] == [1, 2, 2, 3]


def test_step_property_counterexamples_are_distinct_ways():
    # pick with v = 2 fires from S0 with b in X or, after go, in Y
    _, r = _check(5)
    p = r.get("not_two")
    assert [_shape(t) for t in p.traces] == [["pick"], ["go", "pick"]]
    assert [_final(t) for t in p.traces] == [("S1", 2, "X"), ("S1", 2, "Y")]


def test_deterministic():
    _, first = _check(4)
    _, second = _check(4)
    assert first.get("not_s1").traces == second.get("not_s1").traces
    assert first.get("not_two").traces == second.get("not_two").traces


def test_a_run_cut_short_reports_what_it_found():
    _, r = _check(8, max_states=8)
    p = r.get("no_fin")
    assert not r.complete and r.stop_reason == "max-states"
    assert p.status == VIOLATED and 1 <= len(p.traces) < 4
    assert p.traces[0] == p.trace


def test_properties_that_hold_have_no_counterexamples():
    _, r = _check(3)
    ok = r.get("ok")
    assert ok.trace is None and ok.traces == ()


def test_json_lists_the_counterexamples():
    model, r = _check(3)
    data = render_json.check_result(r, model)
    prop = next(p for p in data["properties"] if p["name"] == "no_fin")
    assert len(prop["counterexamples"]) == 3 and prop["counterexamples"][0] == prop["trace"]
    _, single = _check(1)
    assert all(p["counterexamples"] == []
               for p in render_json.check_result(single, model)["properties"])


def test_zero_counterexamples_is_a_usage_error():
    with pytest.raises(UsageError, match="at least 1"):
        _check(0)
