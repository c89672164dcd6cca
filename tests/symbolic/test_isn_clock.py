"""models/isn_clock.tcp: the ISN clock of RFC 9293 3.4.1 and the quiet time of 3.4.3.

The model's claims, each checked here: with the clock and the quiet time no segment of an
earlier connection lies in the open connection's window (the manifest pins the explicit
verdict; k-induction with the model's lemmas proves it for every clock value at MSL = QUIET
= 2); a constant ISN breaks it without any crash; skipping the quiet time after a crash
breaks it, also with 32-bit numbers (BMC); a quiet time shorter than MSL is refused.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

from tcpcheck import cli
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file
from tcpcheck.symbolic import PROVED, ProveOptions, prove

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "isn_clock.tcp"
PROPERTY = "no_old_duplicate_in_window"


def _explicit(**overrides):
    model = load_file(MODEL, overrides)
    return check(model, CheckOptions(properties=(PROPERTY,))).get(PROPERTY)


WND = 4  # the model's window


def _in_window_at_the_end(trace, modulus: int = 16) -> list:
    """The segments of earlier connections in flight at the end that lie in the open
    connection's window [ISS, ISS + WND)."""
    last = trace.steps[-1].state
    host = last.endpoint("host")
    return [s for s in last.in_flight if dict(s.ghosts)["conn"] != host.value("opened")
            and (s.seq - host.value("iss")) % modulus < WND]


def test_skipping_the_quiet_time_after_a_crash_lets_an_old_syn_into_the_window():
    p = _explicit(KEEP_QUIET=0)
    assert p.status == "violated"
    kinds = [(s.kind, s.transition) for s in p.trace.steps[1:]]
    assert kinds == [("user", "boot"), ("user", "connect"), ("crash", "crash"),
                     ("timeout", "quiet_over"), ("user", "connect")]
    old = _in_window_at_the_end(p.trace)
    assert old and all(dict(s.ghosts)["inc"] == 0 for s in old)  # sent before the crash


def test_a_constant_isn_lets_an_old_syn_into_the_window_without_a_crash():
    p = _explicit(RATE=0)
    assert p.status == "violated"
    assert all(s.kind != "crash" for s in p.trace.steps)
    assert [s.transition for s in p.trace.steps if s.kind == "user"] == [
        "boot", "connect", "close", "connect"]
    assert _in_window_at_the_end(p.trace)


def test_the_same_verdicts_with_two_segments_in_flight_and_a_duplicate():
    wide = {"channel.capacity": 2, "channel.duplication": 1}
    assert _explicit(KEEP_QUIET=0, **wide).status == "violated"
    assert _explicit(RATE=0, **wide).status == "violated"


def test_a_quiet_time_below_msl_is_refused():
    err = io.StringIO()
    code = cli.main(["check", str(MODEL), "--set", "QUIET=1"], stdout=io.StringIO(), stderr=err)
    assert code == 2 and "QUIET" in err.getvalue()


def test_bmc_finds_the_crash_run_with_32_bit_numbers():
    model = load_file(MODEL, {"KEEP_QUIET": 0})
    result = prove(model, ProveOptions(engine="bmc", depth=6, properties=(PROPERTY,)))
    p = result.get(PROPERTY)
    assert p.status == "violated" and len(p.trace) == 5
    assert any(s.kind == "crash" for s in p.trace.steps)
    assert {name for name, _ in p.trace.params} == {"MSL", "QUIET"}
    assert _in_window_at_the_end(p.trace, 2 ** 32)


def test_kind_proves_it_for_every_clock_value():
    # 8-bit sequence numbers keep this test at about 30 s; the same lemmas prove it with
    # 32-bit numbers in about 2 minutes (`tcpcheck prove models/isn_clock.tcp --engine kind
    # --fixed-params`, recorded in the README), too long for the suite's budget.
    model = load_file(MODEL)
    result = prove(model, ProveOptions(engine="kind", depth=1, properties=(PROPERTY,),
                                       seqspace=256, symbolic_params=False))
    p = result.get(PROPERTY)
    assert p.status == PROVED and "1-induction" in p.detail


def test_without_a_lemma_kind_names_what_is_not_inductive():
    model = load_file(MODEL)
    weaker = dataclasses.replace(model, lemmas=tuple(
        lem for lem in model.lemmas if lem.name != "closed_past"))
    result = prove(weaker, ProveOptions(engine="kind", depth=1, properties=(PROPERTY,),
                                        seqspace=256, symbolic_params=False))
    p = result.get(PROPERTY)
    assert p.status == "bounded" and "counterexample to induction" in p.detail
