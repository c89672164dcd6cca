"""More than one counterexample per property (CheckOptions.counterexamples)."""

from __future__ import annotations

import pytest
from explicit_support import load, replay

from tcpcheck.diagnostics import UsageError
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.render import json as render_json
from tcpcheck.result import VIOLATED

# a picks v in 0..3 on OPEN (S0 -> S1) and may CLOSE from S0 or S1 into S2; b may LISTEN
# once (X -> Y).  The states where a is in S1 are the 8 pairs (v, b's state): 4 at depth 1
# (b still in X) and 4 at depth 2 (b moved first).  So `not_s1` has exactly 8 distinct
# counterexamples, 4 of length 1 then 4 of length 2.
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


def test_three_distinct_shortest_first_and_the_first_is_the_usual_one():
    model, r = _check(3)
    p = r.get("not_s1")
    assert len(p.traces) == 3 and p.traces[0] == p.trace
    assert p.trace == check(model).get("not_s1").trace
    assert [len(t) for t in p.traces] == [1, 1, 1]
    assert [_final(t) for t in p.traces] == [("S1", 0, "X"), ("S1", 1, "X"), ("S1", 2, "X")]
    for t in p.traces:
        replay(model, t)  # each is a real run


def test_more_than_the_shortest_layer_continues_in_breadth_first_order():
    model, r = _check(6)
    finals = [_final(t) for t in r.get("not_s1").traces]
    assert [len(t) for t in r.get("not_s1").traces] == [1, 1, 1, 1, 2, 2]
    assert len(set(finals)) == 6
    assert finals[:4] == [("S1", v, "X") for v in range(4)]
    assert all(f[0] == "S1" and f[2] == "Y" for f in finals[4:])


def test_asking_for_more_than_exist_gives_all_of_them_after_a_complete_run():
    _, r = _check(50)
    p = r.get("not_s1")
    assert len(p.traces) == 8
    assert sorted({_final(t) for t in p.traces}) == sorted(
        ("S1", v, b) for v in range(4) for b in "XY")
    assert r.complete  # the search could not stop before it knew there were no more


def test_stop_when_decided_waits_for_n():
    model = load(CHOICES)
    one = check(model, CheckOptions(properties=("not_s1",)))
    three = check(model, CheckOptions(properties=("not_s1",), counterexamples=3))
    eight = check(model, CheckOptions(properties=("not_s1",), counterexamples=8))
    assert one.stop_reason == three.stop_reason == eight.stop_reason == "decided"
    assert one.stats.states < eight.stats.states
    assert len(three.get("not_s1").traces) == 3 and len(eight.get("not_s1").traces) == 8


def test_step_property_counterexamples_are_distinct_firings():
    # pick with v = 2 fires from (S0, X) and from (S0, Y): two different resulting states
    _, r = _check(5)
    p = r.get("not_two")
    assert [len(t) for t in p.traces] == [1, 2]
    assert [_final(t) for t in p.traces] == [("S1", 2, "X"), ("S1", 2, "Y")]


def test_the_same_firing_from_another_parent_is_not_a_new_counterexample():
    # fin leads to (S2, 0, X) from S0 and from every (S1, v, X): one firing + state, and
    # (S2, 0, Y) likewise: 2 distinct counterexamples, however many edges reach them.
    _, r = _check(10)
    p = r.get("no_fin")
    assert sorted(_final(t) for t in p.traces) == [("S2", 0, "X"), ("S2", 0, "Y")]
    assert [len(t) for t in p.traces] == [1, 2]
    assert p.traces[0].steps[-1].transition == "fin"


def test_deterministic():
    _, first = _check(4)
    _, second = _check(4)
    assert first.get("not_s1").traces == second.get("not_s1").traces
    assert first.get("not_two").traces == second.get("not_two").traces


def test_a_run_cut_short_reports_what_it_found():
    _, r = _check(8, max_states=4)
    p = r.get("not_s1")
    assert not r.complete and r.stop_reason == "max-states"
    assert p.status == VIOLATED and 1 <= len(p.traces) < 8
    assert p.traces[0] == p.trace


def test_properties_that_hold_have_no_counterexamples():
    _, r = _check(3)
    ok = r.get("ok")
    assert ok.trace is None and ok.traces == ()


def test_json_lists_the_counterexamples():
    model, r = _check(3)
    data = render_json.check_result(r, model)
    prop = next(p for p in data["properties"] if p["name"] == "not_s1")
    assert len(prop["counterexamples"]) == 3 and prop["counterexamples"][0] == prop["trace"]
    _, single = _check(1)
    assert all(p["counterexamples"] == []
               for p in render_json.check_result(single, model)["properties"])


def test_zero_counterexamples_is_a_usage_error():
    with pytest.raises(UsageError, match="at least 1"):
        _check(0)
