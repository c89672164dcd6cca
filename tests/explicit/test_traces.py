"""Traces: every run reported is a real run, shortest, well formed; runs are deterministic."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import pytest

from explicit_support import (MIXED, eval_property, independent_counts, kinds, load, replay,
                              run, shortest_distance)
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file
from tcpcheck.result import HOLDS, NOT_VERIFIED, REACHED, UNREACHABLE, VIOLATED

MODELS = sorted((Path(__file__).resolve().parents[2] / "models").glob("*.tcp"))



def comparable(result):
    """Everything of a result except wall time and memory."""
    stats = dataclasses.replace(result.stats, seconds=0.0, peak_memory_mb=0.0, stored_mb=0.0)
    return dataclasses.replace(result, stats=stats)


def check_traces(model, result) -> int:
    """Replay every trace of ``result`` and check it against its property; returns how
    many traces were checked."""
    checked = 0
    for p in result.properties:
        if p.status in (VIOLATED, REACHED):
            assert p.trace is not None, p.name
        else:
            assert p.status in (HOLDS, UNREACHABLE, NOT_VERIFIED)
            assert p.trace is None, p.name
            continue
        trace = p.trace
        assert trace.property == p.name
        assert trace.kind == ("witness" if p.status == REACHED else "counterexample")
        assert trace.model == model.name
        assert trace.endpoint_names == tuple(e.name for e in model.endpoints)
        assert len(trace) == len(trace.steps) - 1
        assert trace.steps[0].kind == "init" and trace.steps[0].actor == "init"
        names = {e.name for e in model.endpoints}
        for step in trace.steps[1:]:
            assert step.summary
            assert step.actor in names | {"channel", "clock"}
        final = replay(model, trace)
        if p.kind in ("always", "reachable"):
            wanted = p.kind == "reachable"
            assert eval_property(model, p.name, final) is wanted
            # shortest: no run to such a state is shorter
            distance = shortest_distance(
                model, lambda s, n=p.name: eval_property(model, n, s) is wanted)
            assert distance == len(trace)
        elif p.kind == "step":
            last = trace.steps[-1]
            e = model.endpoint_index(last.actor)
            t = [t.name for t in model.endpoints[e].transitions].index(last.transition)
            assert (e, t) in model.get_property(p.name).selectors
        elif p.kind == "deadlock":
            from tcpcheck.explicit.semantics import Semantics
            assert not Semantics(model).successors(final)
        checked += 1
    return checked


def test_mixed_model_traces_are_real_shortest_runs():
    model, r = run(MIXED)
    assert r.complete
    assert independent_counts(model) == (r.stats.states, r.stats.transitions)
    statuses = {p.name: p.status for p in r.properties}
    assert statuses == {"acked_current": VIOLATED, "done": REACHED, "two_syns": REACHED,
                        "dl": HOLDS, "domains": HOLDS}
    assert check_traces(model, r) == 3
    # acked_current: a connects, crashes, connects again with the same ISN and accepts
    # the ACK of its first incarnation's SYN.
    trace = r.get("acked_current").trace
    assert kinds(trace) == ["init", "user", "crash", "user", "recv", "recv"]
    assert trace.steps[-1].received.ghosts == (("inc", 0),)
    assert trace.steps[-1].state.endpoint("a").incarnation == 1


def test_two_runs_are_identical():
    model = load(MIXED)
    first = check(model, CheckOptions(stop_when_decided=False))
    second = check(load(MIXED), CheckOptions(stop_when_decided=False))
    assert comparable(first) == comparable(second)
    for p, q in zip(first.properties, second.properties):
        if p.trace is not None:
            assert [s.summary for s in p.trace.steps] == [s.summary for s in q.trace.steps]


@functools.cache
def _example(path):
    """A model's run at 20,000 states, and how many of its traces check_traces replayed and
    checked: once per test run, for the two tests below."""
    model = load_file(path)
    first = check(model, CheckOptions(max_states=20000))
    return first, check_traces(model, first)


@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_example_models_deterministic_and_replayable(path):
    first, _ = _example(path)
    second = check(load_file(path), CheckOptions(max_states=20000))
    assert comparable(first) == comparable(second)
    if not first.complete:
        assert all(p.status not in (HOLDS, UNREACHABLE) for p in first.properties)


def test_example_models_give_traces():
    # not vacuous: the example models do produce runs to replay
    assert sum(_example(path)[1] for path in MODELS) >= 3


def test_order_of_successors():
    # MANUAL 13.5: endpoint 0 (local moves, then deliveries), endpoint 1 (local moves, then
    # deliveries in channel order), then faults per distinct segment (loss, duplication),
    # then the tick.  The order decides which shortest run is reported.
    from tcpcheck.explicit.semantics import DUPLICATE, FIRE, LOSE, TICK, Semantics
    model = load("""
        model order
        channel { capacity = 3  loss = 1  duplication = 1 }
        endpoint a {
          states S0, S1
          initial S0
          timer t
          transition send2: S0 -> S1 on open { send SYN(seq=2)  send SYN(seq=1)  start t 3 }
          transition poke: S1 -> S1 on close
        }
        endpoint b {
          states L
          initial L
          transition call: L -> L on listen
          transition rec: L -> L on recv SYN
        }
        """)
    sem = Semantics(model)
    first = sem.successors(sem.initial_state())
    assert [(a[1], a[2]) for a, _ in first] == [(0, 0), (1, 0)]  # a's send2, then b's call
    state = first[0][1]
    assert [seg[1] for seg in state[3]] == [1, 2]
    got = [(a[0],) + ((a[1], a[2]) if a[0] == FIRE else ()) +
           ((a[3][1],) if a[0] == FIRE and a[3] else ()) +
           ((a[2][1],) if a[0] in (LOSE, DUPLICATE) else ()) for a, _ in sem.successors(state)]
    assert got == [(FIRE, 0, 1), (FIRE, 1, 0), (FIRE, 1, 1, 1), (FIRE, 1, 1, 2),
                   (LOSE, 1), (DUPLICATE, 1), (LOSE, 2), (DUPLICATE, 2), (TICK,)]
