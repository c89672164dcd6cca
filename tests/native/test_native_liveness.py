"""Liveness on the native engine (tcpcheck.native.graph): on every shipped model with a
liveness property and on the liveness fixtures, the native run gives the Python run's
whole --json output but the timing: the same verdicts, state and transition counts,
lassos (steps and loop_start), fairness hints and bound-edge counts; every state of a
native lasso is the reference semantics' own (a graph that disagrees is refused)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from native_support import ROOT, TIMING, both, comparable, needs_cc
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file, load_string
from tcpcheck.native import graph as graph_mod
from tcpcheck.native import runner
from tests.liveness.models import GIVE_UP, SYN_LOSS, TOGGLE, ZENO
from tests.liveness.test_bound_edge import BLOCKED

pytestmark = needs_cc

# shipped models with liveness properties -> settings that keep the Python side quick
SHIPPED = {
    "handshake_liveness.tcp": {},
    "handshake_no_fairness.tcp": {},
    "close_liveness.tcp": {},
    "syn_backlog.tcp": {},
    "variants/syn_cookies.tcp": {},
    "variants/syn_flood.tcp": {},
    # the small configuration: every liveness property holds
    "rfc9293.tcp": {"CLIENT_TCBS": 1, "SERVER_TCBS": 1, "channel.capacity": 1},
    "linux.tcp": {"CLIENT_TCBS": 1, "SERVER_TCBS": 1, "channel.capacity": 1},
}
# the model's second configuration (its Scope): three violated, one NOT VERIFIED at the
# bound's edge, fairness hints
RFC9293_ABORTS = {"channel.capacity": 1, "channel.duplication": 1, "channel.loss": 1,
                  "CLIENT_ABORTS": 1, "SERVER_ABORTS": 1}


def _liveness_models() -> set:
    found = set()
    for path in (ROOT / "models").rglob("*.tcp"):
        if any(p.liveness for p in load_file(path).properties):
            found.add(str(path.relative_to(ROOT / "models")))
    return found


def _same(model, **options):
    native, python = both(model, CheckOptions(**options))
    assert (native.backend, python.backend) == ("native", "python")
    assert comparable(native, model) == comparable(python, model)
    return native


def test_every_shipped_liveness_model_has_a_case():
    assert _liveness_models() == set(SHIPPED)


@pytest.mark.parametrize("exhaustive", [False, True], ids=["decided", "exhaustive"])
@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_models_native_equals_python(name, exhaustive):
    model = load_file(ROOT / "models" / name, SHIPPED[name])
    result = _same(model, stop_when_decided=not exhaustive)
    assert any(p.kind in ("eventually", "leads_to", "always_eventually")
               for p in result.properties)


def test_rfc9293_violations_hints_and_bound_edge():
    model = load_file(ROOT / "models" / "rfc9293.tcp", RFC9293_ABORTS)
    result = _same(model)
    status = {p.name: p.status for p in result.properties}
    assert status["close_completes"] == status["open_is_answered"] == "violated"
    assert status["passive_close_completes"] == "not_verified"
    assert result.get("passive_close_completes").channel_full > 0
    lasso = result.get("close_completes")
    assert lasso.trace.loop_start is not None and lasso.hints


@pytest.mark.parametrize("limits", [{"max_states": 15_000}, {"max_depth": 9}],
                         ids=["max-states", "max-depth"])
def test_rfc9293_cut_at_a_limit(limits):
    # the violations found among the expanded states are real; the rest is not verified
    model = load_file(ROOT / "models" / "rfc9293.tcp")
    result = _same(model, **limits)
    assert not result.complete


# SYN_LOSS with a bool and a number in every segment: the action keys (and the hints that
# name segments) carry ghost fields as the Python engine writes them
GHOSTS = SYN_LOSS.replace(
    "channel {", "segment { ghost again : bool  ghost n : 0..3 }\nchannel {").replace(
    "on open { send SYN(seq=0)", "on open { send SYN(seq=0, again=false, n=1)").replace(
    "on timeout rexmt { send SYN(seq=0)", "on timeout rexmt { send SYN(seq=0, again=true, n=2)")
FIXTURES = [(SYN_LOSS, ""), (SYN_LOSS, "weak channel"), (SYN_LOSS, "strong channel"),
            (SYN_LOSS, "strong channel.server"), (SYN_LOSS, "strong channel.client"),
            (ZENO, ""), (ZENO, "weak tick"), (ZENO, "weak timers"),
            (ZENO, "weak tick weak timers"), (ZENO, "weak tick weak client.done"),
            (TOGGLE, ""), (TOGGLE, "weak client.back"), (TOGGLE, "strong client.back"),
            (TOGGLE, "strong client.back weak client.fro"),
            (GIVE_UP, ""), (GIVE_UP, "weak client.win"),
            (BLOCKED, ""), (BLOCKED.replace("capacity = 1", "capacity = 2"), ""),
            (GHOSTS, ""), (GHOSTS, "strong channel.server")]


def _fixture(text: str, fairness: str):
    block = f"fairness {{ {fairness} }}" if fairness else ""
    return load_string(text.replace("FAIRNESS", block), "m.tcp")


@pytest.mark.parametrize("text, fairness", FIXTURES)
def test_fixtures_native_equals_python(text, fairness):
    model = _fixture(text, fairness)
    _same(model)
    _same(model, stop_when_decided=False, counterexamples=3)


@pytest.mark.parametrize("limits", [{"max_states": 10}, {"max_states": 20},
                                    {"max_depth": 3}])
def test_fixtures_cut_at_a_limit(limits):
    _same(_fixture(SYN_LOSS, "strong channel"), **limits)


def test_a_chosen_liveness_property_alone():
    model = _fixture(SYN_LOSS, "")
    result = _same(model, properties=("answered",))
    assert [p.name for p in result.properties][0] == "answered"


def test_teardown_hint_recheck_edge():
    # tests/liveness/test_hint_recheck.py's run: the hint's re-check meets the bound's edge
    text = (ROOT / "models" / "teardown_time_wait.tcp").read_text(encoding="utf-8") + \
        "\nproperty fin_wait_1_left: client.state == FIN_WAIT_1 ~> client.state != FIN_WAIT_1\n"
    model = load_string(text, "teardown.tcp", {"CONNECTIONS": 1, "MSL": 1})
    result = _same(model, properties=("fin_wait_1_left",))
    assert result.stats.states == 2397 and result.get("fin_wait_1_left").hints


# a goal or a premise that cannot be evaluated in state 1 (x % 0): violated there, with
# the reason, as the reference says it
EVAL = ("model m\nendpoint a { states A, B initial A terminal B var x : 0..1 = 1\n"
        "  transition go: A -> B on open { x := 0 }\n"
        "  transition back: B -> A on close { x := 1 } }\n"
        "endpoint b { states S initial S terminal S }\nproperty p: %s\n")
EVAL_ERRORS = ["eventually 1 % a.x == 5", "1 % a.x == 7 ~> a.state == B",
               "a.state == A ~> 1 % a.x == 0", "always eventually 1 % a.x == 3"]


@pytest.mark.parametrize("prop", EVAL_ERRORS)
def test_an_evaluation_error_in_a_liveness_property(prop):
    model = load_string(dedent(EVAL % prop))
    result = _same(model)
    p = result.get("p")
    assert p.status == "violated" and "cannot be evaluated" in p.detail


def test_a_lasso_that_the_reference_does_not_take_is_refused(monkeypatch):
    # the lasso's edges are replayed: a graph whose edge leads elsewhere is a mismatch
    read = graph_mod.read

    def wrong(lib, model, nstates):
        graph = read(lib, model, nstates)
        graph.succ = type(graph.succ)(graph.succ.typecode, [0] * len(graph.succ))
        return graph

    monkeypatch.setattr(graph_mod, "read", wrong)
    model = load_file(ROOT / "models" / "handshake_no_fairness.tcp")
    with pytest.raises(runner.NativeMismatch):
        runner.check(runner.compile_model(model), CheckOptions())


def test_the_native_lasso_is_replayed_state_by_state(monkeypatch):
    # every state of the lasso is compared with the native one
    compared = []
    same = runner._Result.same
    monkeypatch.setattr(runner._Result, "same",
                        lambda self, index, state: compared.append(index) or
                        same(self, index, state))
    model = load_file(ROOT / "models" / "handshake_no_fairness.tcp")
    result = runner.check(runner.compile_model(model), CheckOptions())
    trace = result.get("handshake_completes").trace
    assert trace.loop_start is not None
    cycle = len(trace.steps) - trace.loop_start
    assert len(compared) >= cycle > 0


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "tcpcheck", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("name", ["handshake_no_fairness.tcp", "close_liveness.tcp"])
def test_cli_native_and_auto_on_a_liveness_model(name):
    path = str(Path("models") / name)
    runs = {engine: _cli("check", path, "--engine", engine, "--json")
            for engine in ("native", "auto", "python")}
    data = {e: json.loads(done.stdout) for e, done in runs.items()}
    assert all(done.stderr == "" for done in runs.values())  # no refusal, no fallback note
    assert [data[e]["backend"] for e in ("native", "auto", "python")] == \
        ["native", "native", "python"]
    for d in data.values():
        d.pop("backend")
        for key in TIMING:
            d["stats"].pop(key)
    assert data["native"] == data["auto"] == data["python"]
    assert len({done.returncode for done in runs.values()}) == 1


@pytest.mark.parametrize("text, fairness", [(SYN_LOSS, ""), (TOGGLE, ""), (BLOCKED, ""),
                                            (GIVE_UP, "")])
def test_the_c_region_is_the_python_region(text, fairness, monkeypatch):
    # graph.NativeRegion (tc_region, tc_region_preds) against liveness.Region on the same
    # graph and the same avoided states, for every property's goal
    from tcpcheck.explicit import liveness
    regions = []
    native_region = graph_mod.NativeExplorer._region

    def both_regions(self, avoid, starts, from_initial):
        region = native_region(self, avoid, starts, from_initial)
        regions.append((self.graph, region, liveness.Region(self.graph, avoid, starts,
                                                            from_initial)))
        return region

    monkeypatch.setattr(graph_mod.NativeExplorer, "_region", both_regions)
    runner.check(runner.compile_model(_fixture(text, fairness)), CheckOptions())
    assert regions
    for graph, c, py in regions:
        assert (c.candidates, c.nodes, c.dead_ends) == (py.candidates, py.nodes, py.dead_ends)
        assert sorted(map(sorted, c.components)) == sorted(map(sorted, py.components))
        preds = py.preds(graph)
        assert all(sorted(c.preds(graph).get(v, ())) == sorted(preds.get(v, ()))
                   for v in range(len(graph.lo)))


def test_a_run_stopped_by_its_timeout_claims_no_liveness_verdict():
    # as the Python engine: a run the clock stopped is not judged (the properties stay
    # not verified, for the run's stop reason), and it says so quickly
    model = load_file(ROOT / "models" / "rfc9293.tcp")
    result = runner.check(runner.compile_model(model), CheckOptions(timeout=0.2))
    assert not result.complete and result.stop_reason == "timeout"
    live = [p for p in result.properties if p.kind == "leads_to"]
    assert live and all(p.status == "not_verified" for p in live)
