"""The native engine on SPIN's anchor models (bench/spin/*.tcp: a shared channel, and in
teardown an assumption) and on small models of those two constructs: the same --json
output as the Python engine but the timing (states, transitions, diameter, coverage,
verdicts, counterexamples, rebuilt by replaying the native run through the Python
semantics), and SPIN's -DNOREDUCE state counts and shortest counterexamples."""

from __future__ import annotations

from textwrap import dedent

import pytest

from native_support import ROOT, both, comparable, needs_cc
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file, load_string
from tcpcheck.native import runner, support
from tcpcheck.result import HOLDS, VIOLATED

pytestmark = needs_cc

SPIN = ROOT / "bench" / "spin"
EXHAUSTIVE = CheckOptions(stop_when_decided=False)
# SPIN 6.5.2 -DNOREDUCE "states, stored" (bench/compare_spin.py's SPIN_STATES; pan -A for
# the whole spaces of the violated models), at sizes the Python engine explores in a second
SPIN_STATES = {
    ("three_way", 1, 2): 945, ("three_way", 2, 1): 1_619, ("three_way", 3, 1): 5_043,
    ("teardown", 1, 2): 5_809, ("teardown", 2, 1): 2_091, ("teardown", 3, 1): 3_655,
    ("two_way", 1, 2): 737, ("two_way", 2, 1): 1_555, ("two_way", 3, 1): 5_075,
    ("teardown_no_timewait", 1, 2): 5_193, ("teardown_no_timewait", 2, 1): 2_411,
}
# SPIN -DREACH -i: the shortest counterexample, in steps (bench/compare_spin.py)
SPIN_SHORTEST = {("two_way", 2, 2): 4, ("teardown_no_timewait", 2, 2): 13}
HOLDING = ("three_way", "teardown")


def spin_model(name: str, k: int, n: int):
    return load_file(SPIN / f"{name}.tcp", {"K": k, "N": n})


def native_check(model, options=CheckOptions()):
    return runner.check(runner.compile_model(model), options)


@pytest.mark.parametrize("name, k, n", sorted(SPIN_STATES))
def test_native_equals_python_and_spin_on_the_bench_models(name, k, n):
    model = spin_model(name, k, n)
    assert support.unsupported(model) is None
    native, python = both(model, EXHAUSTIVE)
    assert native.backend == "native" and native.complete
    assert comparable(native, model) == comparable(python, model)
    assert native.stats.states == SPIN_STATES[(name, k, n)]
    if name in HOLDING:
        assert {p.status for p in native.properties} == {HOLDS}


@pytest.mark.parametrize("name, k, n", sorted(SPIN_SHORTEST))
def test_native_finds_spins_shortest_counterexample(name, k, n):
    model = spin_model(name, k, n)
    native, python = both(model, CheckOptions())  # stops once decided
    assert comparable(native, model) == comparable(python, model)
    violated = [p for p in native.properties if p.status == VIOLATED]
    assert violated
    assert min(len(p.trace.steps) - 1 for p in violated) == SPIN_SHORTEST[(name, k, n)]


@pytest.mark.parametrize("name", ["two_way", "teardown_no_timewait"])
def test_several_counterexamples_agree(name):
    model = spin_model(name, 2, 1)
    options = CheckOptions(counterexamples=3, stop_when_decided=False)
    native, python = both(model, options)
    assert comparable(native, model) == comparable(python, model)


def test_the_assumption_removes_runs_natively_as_in_python():
    # teardown without its assumption: TIME_WAIT may end with old segments in flight
    text = (SPIN / "teardown.tcp").read_text()
    start = text.index("assume tw_quiet")
    end = text.index("\n\n", start)
    free = load_string(text[:start] + text[end:], overrides={"K": 2, "N": 1})
    assumed = spin_model("teardown", 2, 1)
    assert not free.assumptions and assumed.assumptions
    for model in (free, assumed):
        native, python = both(model, EXHAUSTIVE)
        assert comparable(native, model) == comparable(python, model)
    assert native_check(free, EXHAUSTIVE).stats.states != \
        native_check(assumed, EXHAUSTIVE).stats.states


# -- small models of the two constructs ------------------------------------------------------

def two_senders(channel: str, extra: str = "") -> str:
    """a and b each send one segment and may send it again; b counts what it receives."""
    return dedent(f"""\
        model shared_native
        bounds {{ seqspace = 4 }}
        channel {{ {channel} }}
        endpoint a {{
          states S0, S1
          initial S0
          terminal S0, S1
          var x : 0..2
          transition go: S0 -> S1 on open {{ send SYN(seq=1) }}
          transition again: S1 -> same on open when x < 2 {{ x := x + 1  send SYN(seq=2) }}
          transition take: S0, S1 -> same on recv ACK {{ }}
        }}
        endpoint b {{
          states T0
          initial T0
          terminal T0
          var got : 0..3
          transition go: T0 -> same on open when got < 1 {{ got := got + 1  send ACK(seq=3) }}
          transition take: T0 -> same on recv SYN when got < 3 {{ got := got + 1 }}
        }}
        property few: always a.x + b.got <= 4
        """) + extra


@pytest.mark.parametrize("channel", [
    "capacity = 1  shared = yes",
    "capacity = 2  shared = yes",
    "capacity = 2  shared = no",
    "capacity = 2  shared = yes  duplication = 1  loss = no",
    "capacity = 1  shared = yes  loss = 1  duplication = no",
    "capacity = 3  shared = yes  loss = 2  duplication = 1  msl = 2",
])
def test_shared_channel_agrees(channel):
    model = load_string(two_senders(channel))
    for options in (EXHAUSTIVE, CheckOptions()):
        native, python = both(model, options)
        assert comparable(native, model) == comparable(python, model)


def test_shared_channel_with_a_spent_loss_budget_blocks_the_sender_natively():
    # b answers a's SYN with two segments: the receipt empties the bag of one, so one of
    # them would overflow, which a loss budget of 0 forbids: b waits, for ever
    model = load_string(dedent("""\
        model shared_blocked
        channel { capacity = 1  shared = yes  loss = no  duplication = no }
        endpoint a {
          states S0, S1
          initial S0
          terminal S0
          transition go: S0 -> S1 on open { send SYN(seq=0) }
        }
        endpoint b {
          states B0
          initial B0
          terminal B0
          transition take: B0 -> same on recv SYN { send ACK(seq=1)  send ACK(seq=2) }
        }
        property p: deadlock free
        """))
    native, python = both(model, EXHAUSTIVE)
    assert comparable(native, model) == comparable(python, model)
    assert any("waits for room" in w for w in native.warnings)
    assert native.properties[0].status == HOLDS  # a bound, not a deadlock


@pytest.mark.parametrize("assumption, verdict", [
    # the second resend only once b has received something
    ("assume slow: always at a.again: b.got >= 1", HOLDS),
    # never: a.again never fires (a firing whose state breaks an assumption does not happen)
    ("assume never: always at a.again: false", HOLDS),
    # two assumptions on one transition, and one on b's user call
    ("assume one: always at a.again: a.x <= 1\nassume two: always at a.go, b.go: "
     "forall s in channel: s.seq != 3", HOLDS),
    # an assumption that cannot be evaluated: a domain error of the state, as in Python
    ("assume broken: always at a.again: 1 % (b.got - 1) == 0", VIOLATED),
    # the first false assumption ends it: the second (which would fail) is not evaluated
    ("assume first: always at a.again: false\nassume second: always at a.again: "
     "1 % (b.got - 1) == 0", HOLDS),
])
def test_assumptions_agree(assumption, verdict):
    model = load_string(two_senders("capacity = 2  shared = yes", assumption + "\n"))
    assert model.assumptions
    for options in (CheckOptions(), EXHAUSTIVE):
        native, python = both(model, options)
        assert comparable(native, model) == comparable(python, model)
    domains = next(p for p in native.properties if p.name == "domains")  # exhaustive run
    assert domains.status == verdict
