"""Timers and segment ages in properties and lemmas, symbolically: BMC agrees with the
explicit engine on the hand-checked TIMED model, and k-induction proves with a lemma that
reads a timer and the ages what it cannot prove without one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from symbolic.symbolic_support import load, run, statuses
from tcpcheck.trace import evaluate as trace_eval
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.symbolic import BOUNDED, JUMP, PROVED, UNIT

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "explicit"))
from explicit_support import TIMED, TIMED_LEMMAS, TIMED_NO_MSL, replay  # noqa: E402


def _explicit(model) -> dict:
    result = check(model, CheckOptions(stop_when_decided=False))
    return {p.name: (p.status, len(p.trace) if p.trace is not None else None)
            for p in result.properties}


@pytest.mark.parametrize("text", [TIMED + TIMED_LEMMAS, TIMED_NO_MSL],
                         ids=["msl", "no-msl"])
def test_bmc_finds_what_the_explicit_engine_finds_at_the_same_depth(text):
    model = load(text)
    explicit = _explicit(model)
    for depth in (2, 3, 5):
        result = run(model, engine="bmc", depth=depth, time=UNIT, symbolic_params=False)
        for got in result.properties:
            status, length = explicit[got.name]
            want = (status, length) if length is not None and length <= depth else (BOUNDED, None)
            have = (got.status, len(got.trace) if got.trace is not None else None)
            assert have == want, f"{got.name} at depth {depth}"
            if got.trace is not None:
                replay(model, got.trace)


def test_never_one_is_found_at_depth_three_with_the_timer_at_one():
    model = load(TIMED)
    result = run(model, engine="bmc", depth=3, time=UNIT, properties=("never_one",))
    trace = result.get("never_one").trace
    assert len(trace) == 3
    assert dict(trace.steps[-1].state.endpoint("client").timers) == {"rexmt": 1}


def test_trace_eval_reads_the_same_timer_and_ages_on_a_symbolic_trace():
    model = load(TIMED)
    trace = run(model, engine="bmc", depth=3, time=UNIT, properties=("never_one",)).get(
        "never_one").trace
    rexmt = trace_eval.lower_expression("client.rexmt", model)
    aged = trace_eval.lower_expression("exists s in channel: s.age > 0", model)
    values = [(trace_eval.evaluate(rexmt, s, trace, 4), trace_eval.evaluate(aged, s, trace, 4))
              for s in trace.steps]
    assert values == [(-1, False), (3, False), (2, True), (1, False)]  # the SYN expired at 2


@pytest.mark.parametrize("time", [UNIT, JUMP])
def test_a_lemma_on_timer_and_ages_makes_quiet_when_done_inductive(time):
    without = run(load(TIMED), engine="kind", depth=2, time=time,
                  properties=("quiet_when_done",))
    assert without.get("quiet_when_done").status == BOUNDED
    names = ("quiet_when_done", "below_msl", "in_step")
    result = run(load(TIMED + TIMED_LEMMAS), engine="kind", depth=2, time=time, properties=names)
    assert statuses(result) == dict.fromkeys(names, PROVED)
    assert "in_step" in result.get("quiet_when_done").detail


@pytest.mark.parametrize("time", [UNIT, JUMP])
def test_ages_below_msl_is_inductive_on_its_own(time):
    result = run(load(TIMED), engine="kind", depth=1, time=time, properties=("young",))
    assert statuses(result) == {"young": PROVED}


def test_without_an_msl_ages_are_zero_in_induction_too():
    # the explicit engine never ages a segment without an msl; the encoding's
    # well-formedness says the same of the arbitrary states induction starts from
    result = run(load(TIMED_NO_MSL), engine="kind", depth=1, properties=("zero_age",))
    assert statuses(result) == {"zero_age": PROVED}
    with_msl = run(load(TIMED), engine="kind", depth=3, properties=("zero_age",))
    assert with_msl.get("zero_age").status == "violated"
