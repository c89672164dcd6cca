"""The native engine on small models written for one feature each (choices, crashes,
timers and MSL ageing, queues and bags, budgets and overflow, domain and evaluation
errors, deadlocks, step properties): every result equals the Python engine's, traces
included (the models of tests/explicit, and a few more)."""

from __future__ import annotations

import importlib.util
from textwrap import dedent

import pytest

from native_support import ROOT, both, comparable, needs_cc
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_string

pytestmark = needs_cc


def _explicit_support():
    path = ROOT / "tests" / "explicit" / "explicit_support.py"
    spec = importlib.util.spec_from_file_location("_native_explicit_support", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SUPPORT = _explicit_support()
IDLE_B = SUPPORT.IDLE_B
OTHER = "endpoint b { states B initial B }\n"

SENDER = """
    model chan
    channel { %s }
    segment { ghost tag : 0..3 }
    endpoint a {
      states S0, S1
      initial S0
      terminal S1
      var n : 0..3
      transition go: S0 -> S1 on open
      { send SYN(seq=1, tag=0)  send SYN(seq=0, tag=1)  send SYN(seq=1, tag=0)  send ACK(seq=2, tag=2) }
      transition again: S1 -> S1 on recv ACK when n < 3 { n := n + 1  send ACK(seq=n, tag=3) }
    }
    endpoint b {
      states Z
      initial Z
      terminal Z
      transition echo: Z -> Z on recv SYN ... when seg.seq < 2 { send ACK(seq=seg.seq, ack=seg.seq + 1, tag=seg.tag + 1) }
    }
    property small: always forall s in channel: s.seq < 3
    property tags: reachable exists s in channel.a: s.tag == 2
    property echoed: always at b.echo: seg.ack == seg.seq + 1
    property dl: deadlock free
    """
CHANNELS = ["capacity = 4  loss = unbounded  duplication = 1",
            "capacity = 3  loss = 1  duplication = 1  reordering = no",
            "capacity = 2  loss = 0  duplication = 0",
            "capacity = 2  loss = 2  duplication = unbounded  msl = 2",
            "capacity = 5  loss = unbounded  duplication = 2  reordering = no"]

CHOOSER = """
    model chooser
    bounds { seqspace = 8  incarnations = 3 }
    endpoint a {
      states S0, S1, S2
      initial S0
      terminal S2
      var x : 0..5
      var s : seq
      persistent var used : set of seq
      var flag : bool
      timer t
      transition pick: S0 -> S1 on open
      { choose s where s not in used  used := used + {s}
        if s == 0 or s == 2 or s == 5 { choose x in 1..3  flag := true } else { x := 5 }
        start t x }
      transition tick_out: S1 -> S2 on timeout t when x > 2
      transition retry: S1 -> S0 on timeout t when x <= 2
      transition crash: S1, S2 -> S0 on crash
    }
    """ + IDLE_B + """
    property bounded: always a.x <= 5
    property seq_order: always a.state == S1 => (a.s + 1 > a.s or a.s == 7)
    property crashed_twice: reachable a.incarnation == 2 and a.state == S2
    property lemma_like: always a.t <= 5
    property after_pick: always at a.pick: self.x >= 1
    property dl: deadlock free
    """

ERRORS = [("s := s + {x + 5}"), ("x := 3 % x"), ("s := s + {x - 1}"), ("x := x - 1")]
ERROR_MODEL = ("model m\nendpoint a { states A, B initial A\n"
               "  var x : 0..3\n  var s : set of 0..3\n"
               "  transition t: A -> B on open { %s } }\n" + OTHER +
               "property p: always a.x <= 3\n")
EVAL_ERRORS = ["always a.x % b.y == 0", "reachable a.x % b.y == 1", "always (a.x - 1) in a.s"]
EVAL_MODEL = ("model m\nendpoint a { states A initial A var x : 0..3  var s : set of 0..3 }\n"
              "endpoint b { states B initial B var y : 0..1 }\nproperty p: %s\n")

MODELS = {
    "mixed": SUPPORT.MIXED,
    "timed": SUPPORT.TIMED,
    "timed_no_msl": SUPPORT.TIMED_NO_MSL,
    "timed_lemmas": SUPPORT.TIMED + SUPPORT.TIMED_LEMMAS,
    "chooser": CHOOSER,
    **{f"channel{i}": SENDER % c for i, c in enumerate(CHANNELS)},
    **{f"error{i}": ERROR_MODEL % body for i, body in enumerate(ERRORS)},
    **{f"eval{i}": EVAL_MODEL % prop for i, prop in enumerate(EVAL_ERRORS)},
}


@pytest.mark.parametrize("exhaustive", [False, True], ids=["decided", "exhaustive"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_native_equals_python(name, exhaustive):
    model = load_string(dedent(MODELS[name]))
    native, python = both(model, CheckOptions(stop_when_decided=not exhaustive))
    assert native.backend == "native"
    assert comparable(native, model) == comparable(python, model)


SEVERAL = ["mixed", "chooser", "channel0", "channel1", "channel3"]


@pytest.mark.parametrize("n", [2, 5])
@pytest.mark.parametrize("name", SEVERAL)
def test_several_counterexamples_equal_python(name, n):
    # checker._violated/_shape/_revisit: the same runs kept, in the same order
    model = load_string(dedent(MODELS[name]))
    native, python = both(model, CheckOptions(counterexamples=n))
    assert comparable(native, model) == comparable(python, model)
    assert native.backend == "native"


def test_several_counterexamples_are_found():
    model = load_string(dedent(MODELS["channel0"]))
    native, _ = both(model, CheckOptions(counterexamples=3, stop_when_decided=False))
    assert max(len(p.traces) for p in native.properties) >= 2


def test_the_features_are_exercised():
    """The models above do reach what they are for (else the comparison proves little)."""
    results = {name: both(load_string(dedent(MODELS[name])), CheckOptions())[0]
               for name in ("error0", "eval0", "chooser", "channel1")}
    assert results["error0"].get("domains").status == "violated"
    assert results["error0"].stop_reason == "error"
    assert "cannot be evaluated" in results["eval0"].get("p").detail
    assert results["chooser"].get("crashed_twice").status == "reached"
    assert results["channel1"].get("tags").status == "reached"
