"""The native engine against the Python engine on every shipped model: the same states,
transitions, diameter, coverage, verdicts and traces (the whole --json output but the
timing), with the search stopping once decided and exhaustive.  Large models are shrunk
with settings (--set) or cut at a limit, so that the Python side stays quick; a cut run
must agree too (same counts at the limit, same NOT VERIFIED)."""

from __future__ import annotations

import pytest

from native_support import ROOT, both, comparable, needs_cc
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file

pytestmark = needs_cc

# model -> (settings, limits): every shipped model has an entry (checked below)
CASES = {
    "two_way_handshake.tcp": ({}, {}),
    "time_wait_every_msl.tcp": ({}, {}),
    "spoofing.tcp": ({}, {}),
    "isn_clock.tcp": ({}, {}),
    "offpath_reset.tcp": ({}, {}),
    "close_liveness.tcp": ({}, {}),
    "handshake_liveness.tcp": ({}, {}),
    "handshake_no_fairness.tcp": ({}, {}),
    "syn_backlog.tcp": ({}, {}),
    # two octets each way over a channel that neither loses nor duplicates: 14,169 states
    "data_transfer.tcp": ({"TOTAL": 2, "channel.loss": 0, "channel.duplication": 0}, {}),
    "rfc9293.tcp": ({"channel.capacity": 1}, {"max_states": 15_000}),
    "linux.tcp": ({"channel.capacity": 1}, {"max_states": 15_000}),
    "three_way_handshake.tcp": ({"channel.capacity": 1}, {}),
    "teardown_time_wait.tcp": ({"channel.capacity": 1}, {}),
    "teardown_no_time_wait.tcp": ({"channel.capacity": 1}, {}),
    "teardown_short_time_wait.tcp": ({"channel.capacity": 1}, {}),
    "variants/blind_reset.tcp": ({}, {}),
    "variants/predictable_isn.tcp": ({}, {}),
    "variants/rfc5961.tcp": ({}, {}),
    "variants/syn_cookies.tcp": ({}, {}),
    "variants/syn_flood.tcp": ({}, {}),
    "variants/time_wait_too_short.tcp": ({}, {}),
    "variants/two_way_handshake.tcp": ({}, {}),
    "variants/unpredictable_isn.tcp": ({}, {}),
    "variants/no_time_wait.tcp": ({"channel.capacity": 1}, {}),
    "variants/rfc1337_fix.tcp": ({"channel.capacity": 1}, {}),
    "variants/teardown_tw_short.tcp": ({"channel.capacity": 1}, {}),
    "variants/time_wait_assassination.tcp": ({"channel.capacity": 1}, {}),
}
# at the shipped bounds, cut at a limit: the partial runs agree too
CUT = [("three_way_handshake.tcp", {"max_states": 20_000}),
       ("teardown_time_wait.tcp", {"max_depth": 9}),
       ("variants/time_wait_assassination.tcp", {"max_states": 12_345})]


def _options(model, limits: dict, exhaustive: bool) -> CheckOptions:
    # every property, the liveness ones too (tests/native/test_native_liveness.py)
    return CheckOptions(stop_when_decided=not exhaustive, **limits)


def test_every_shipped_model_has_a_case():
    shipped = {str(p.relative_to(ROOT / "models")) for p in (ROOT / "models").rglob("*.tcp")}
    assert shipped == set(CASES)


@pytest.mark.parametrize("exhaustive", [False, True], ids=["decided", "exhaustive"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_native_equals_python(name, exhaustive):
    settings, limits = CASES[name]
    model = load_file(ROOT / "models" / name, settings)
    native, python = both(model, _options(model, limits, exhaustive))
    assert (native.backend, python.backend) == ("native", "python")
    assert comparable(native, model) == comparable(python, model)
    assert native.stats.states > 0 and native.exit_code == python.exit_code


@pytest.mark.parametrize("name, limits", CUT)
def test_native_equals_python_when_cut_at_a_limit(name, limits):
    model = load_file(ROOT / "models" / name)
    native, python = both(model, _options(model, limits, exhaustive=True))
    assert not native.complete and native.exit_code == 3
    assert comparable(native, model) == comparable(python, model)


@pytest.mark.parametrize("name", ["two_way_handshake.tcp", "variants/unpredictable_isn.tcp",
                                  "variants/blind_reset.tcp", "spoofing.tcp"])
def test_several_counterexamples_equal_python(name):
    model = load_file(ROOT / "models" / name)
    native, python = both(model, _options(model, {"counterexamples": 4}, exhaustive=False))
    assert comparable(native, model) == comparable(python, model)
    assert any(len(p.traces) > 1 for p in native.properties)
