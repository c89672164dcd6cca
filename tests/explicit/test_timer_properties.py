"""Properties and lemmas that read timers (``E.T``, -1 when stopped) and segment ages
(``s.age``, ``seg.age``), on the hand-checked TIMED model of explicit_support."""

from __future__ import annotations

from explicit_support import (TIMED, TIMED_LEMMAS, TIMED_NO_MSL, eval_property, load, replay,
                              run, shortest_distance)
from tcpcheck.explicit.compile import expression_source, timer_bases
from tcpcheck.explicit.semantics import Semantics
from tcpcheck.result import HOLDS, REACHED, UNREACHABLE, VIOLATED

HAND_CHECKED = {  # property -> (status, shortest run length), counted in explicit_support
    "timer_bounded": (HOLDS, None),
    "never_one": (VIOLATED, 3),
    "young": (HOLDS, None),
    "zero_age": (VIOLATED, 2),
    "aged": (REACHED, 2),
    "fresh_delivery": (VIOLATED, 3),
    "started_at_three": (HOLDS, None),
    "stopped_when_done": (HOLDS, None),
    "quiet_when_done": (HOLDS, None),
    "done": (REACHED, 5),
    "below_msl": (HOLDS, None),
    "in_step": (HOLDS, None),
}


def _verdicts(result) -> dict:
    return {p.name: (p.status, len(p.trace) if p.trace is not None else None)
            for p in result.properties if p.name != "domains"}


def test_timer_and_age_properties_have_the_hand_checked_verdicts():
    model, result = run(TIMED + TIMED_LEMMAS)
    assert _verdicts(result) == HAND_CHECKED
    for p in result.properties:
        if p.trace is not None:
            replay(model, p.trace)


def test_the_shortest_violation_of_never_one_is_three_steps_and_ends_at_rexmt_one():
    model, result = run(TIMED)
    trace = result.get("never_one").trace
    assert [s.kind for s in trace.steps] == ["init", "user", "tick", "tick"]
    assert dict(trace.steps[-1].state.endpoint("client").timers) == {"rexmt": 1}
    # an independent BFS over the semantics agrees on the length
    base = timer_bases(model)[0]
    assert shortest_distance(model, lambda s: s[0][base] == 1) == 3


def test_a_stopped_timer_reads_minus_one():
    model = load(TIMED + "property p: always client.rexmt == -1\n")
    sem = Semantics(model)
    init = sem.initial_state()
    assert eval_property(model, "p", init)  # stopped at start
    (_, started), = [(a, n) for a, n in sem.successors(init) if a[0] == "fire"]
    assert not eval_property(model, "p", started)  # 3 ticks left after `go`
    assert eval_property(load(TIMED + "property p: always client.rexmt == 3\n"), "p", started)


def test_the_generated_code_reads_the_timer_slot_and_the_age_slot():
    model = load(TIMED)
    timers = timer_bases(model)
    never_one = model.get_property("never_one").expr
    assert expression_source(never_one.left, in_transition=False, modulus=4,
                             timer_base=timers) == f"S[0][{timers[0]}]"
    young = model.get_property("young").expr
    assert "q_s[-1]" in expression_source(young, in_transition=False, modulus=4, timer_base=timers)


def test_without_an_msl_every_age_is_zero():
    model, result = run(TIMED_NO_MSL)
    verdicts = _verdicts(result)
    assert verdicts["zero_age"] == (HOLDS, None)
    assert verdicts["aged"] == (UNREACHABLE, None)
    assert verdicts["fresh_delivery"] == (HOLDS, None)
    assert verdicts["never_one"] == (VIOLATED, 3)  # timers run with or without an msl
