"""``tcpcheck simulate`` in the native engine (tcpcheck/native/walk.c): the same runs as the
Python walks for a seed (the same verdicts, lengths, traces, coverage, steps and states on
every shipped model, both weightings), the same result for any number of threads, every
run it reports replayed through the reference semantics, and the Python walks (with a
one-line note) where no compiler works or a native run does not replay."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, seed, settings

from generated_models import models
from native_support import ROOT, needs_cc
from tcpcheck.analyses import simulate as sim
from tcpcheck.diagnostics import UsageError
from tcpcheck.limits import Watch
from tcpcheck.loader import load_file, load_string
from tcpcheck.native import runner
from tcpcheck.render import simulate as render

MANIFEST = json.loads((ROOT / "models/manifest.json").read_text())
TWO = ROOT / "models/two_way_handshake.tcp"
THREE = ROOT / "models/three_way_handshake.tcp"
RFC = ROOT / "models/rfc9293.tcp"
TIMING = ("seconds", "walk_seconds", "steps_per_second")


@pytest.fixture(autouse=True)
def quick_compiles(monkeypatch):
    """-O0, as test_native_generated: compiling is most of these tests' time, and what
    they compare is the walks, not their speed."""
    monkeypatch.setenv("TCPCHECK_CFLAGS", "-O0")


def comparable(result, model) -> dict:
    """The JSON of a simulation without what legitimately differs: time and engine."""
    data = {k: v for k, v in render.data(result, model).items() if k != "engine"}
    data["stats"] = {k: v for k, v in data["stats"].items() if k not in TIMING}
    return data


def walked(model, engine, **how):
    result = sim.simulate(model, engine=engine, **how)
    assert result.engine == engine
    return comparable(result, model)


def tally(model, engine, runs, depth, seed, weighting, workers=1):
    """What the walks of one engine found, before any shortening: per property decided, its
    status, detail, length, run and moves; the coverage, steps, states and runs done."""
    _, names = sim.judged(model, None)
    job = sim._Job(model, names, seed, weighting, None, time.monotonic(), depth)
    t = sim._Tally(sim._Judge(job))
    if engine == "native":
        sim._walk_native(runner.compile_model(model), job, t, runs, workers, None)
    else:
        sim._walk_all(job, t, runs, workers, None)
    return (t.decided, t.found, t.run_of, t.runs_to, t.fired, t.ticks, t.steps, t.runs_done,
            t.states_seen())


@needs_cc
@pytest.mark.parametrize("path", sorted(MANIFEST))
def test_native_walks_are_the_python_walks_on_every_shipped_model(path):
    model = load_file(str(ROOT / path), {})
    for weighting, start in (("uniform", 1), ("rare", 2)):
        native = tally(model, "native", 24, 20, start, weighting)
        assert native == tally(model, "python", 24, 20, start, weighting), (path, weighting)
        assert native[6] > 0  # steps


@needs_cc
@seed(5)
@settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(text=models())
def test_native_walks_are_the_python_walks_on_generated_models(text):
    # invariants, goals, step properties, deadlocks, assumptions and domain errors (x := x + 1
    # beyond 0..2, 1 % 0 in an assumption), which the shipped models' walks rarely meet
    model = load_string(text)
    for weighting in ("uniform", "rare"):
        native = tally(model, "native", 30, 25, 7, weighting)
        assert native == tally(model, "python", 30, 25, 7, weighting), text


@needs_cc
def test_a_whole_result_is_the_same_in_both_engines():
    model = load_file(str(TWO), {})
    for weighting in ("uniform", "rare"):
        how = dict(runs=60, depth=30, seed=11, weighting=weighting)
        assert walked(model, "native", **how) == walked(model, "python", **how)


@needs_cc
def test_the_same_seed_gives_the_same_runs_and_another_seed_others():
    model = load_file(str(RFC), {})
    how = dict(runs=100, depth=40, weighting="uniform")
    first, again = walked(model, "native", seed=5, **how), walked(model, "native", seed=5, **how)
    assert first == again
    other = walked(model, "native", seed=6, **how)
    assert (other["stats"]["steps"], other["stats"]["states_seen"]) != \
        (first["stats"]["steps"], first["stats"]["states_seen"])


@needs_cc
@pytest.mark.parametrize("weighting", ["uniform", "rare"])
def test_any_number_of_threads_gives_the_same_result(weighting):
    model = load_file(str(RFC), {})
    results = [tally(model, "native", 3000, 40, 9, weighting, workers=n) for n in (1, 2, 3)]
    assert results[0] == results[1] == results[2]
    assert results[0][7] == 3000  # runs done


@needs_cc
def test_the_threads_are_used_and_the_kept_run_is_the_shortest_lowest_run():
    model = load_file(str(TWO), {})
    native = runner.compile_model(model)
    names = ("no_stale_accept",)
    watch = Watch()
    walks = [runner.walks(native, names, 0, 500, 30, False, n, watch) for n in (1, 4)]
    assert walks[1].threads == 4 and walks[0].threads == 1
    assert walks[0].found == walks[1].found
    found = next(f for f in walks[0].found if f.name == "no_stale_accept")
    # every run of the Python walks: none decides it sooner, nor as soon with a lower index
    judge = sim._Judge(sim._Job(model, names, 0, "uniform", None, 0.0, 30))
    best = min((length, i) for i in range(500)
               for name, length, *_ in judge.walk(i, {}, 0).found if name == names[0])
    assert best == (found.length, found.run)


@needs_cc
def test_a_violation_comes_back_replayed_and_shortened():
    model = load_file(str(TWO), {})
    result = sim.simulate(model, runs=200, depth=30, seed=4, engine="native")
    prop = next(p for p in result.properties if p.name == "no_stale_accept")
    assert result.engine == "native" and prop.status == "violated" and prop.shortest
    assert len(prop.trace) == 3 <= prop.found_length
    assert result.exit_code == 1 and result.steps_per_second > 0


@needs_cc
def test_a_run_that_does_not_replay_falls_back_to_python(monkeypatch):
    model = load_file(str(TWO), {})
    real = runner.walks

    def wrong(*args, **kwargs):  # the native walks' first run, with a move that is none
        out = real(*args, **kwargs)
        bad = runner.WalkFound(out.found[0].name, out.found[0].status, out.found[0].length,
                               out.found[0].run, (99,) * out.found[0].length)
        return runner.dataclasses.replace(out, found=(bad, *out.found[1:]))

    monkeypatch.setattr(runner, "walks", wrong)
    notes = []
    result = sim.simulate(model, runs=50, depth=30, engine="auto", notice=notes.append)
    assert result.engine == "python"
    assert any("native walks were abandoned" in n for n in notes)
    expected = sim.simulate(model, runs=50, depth=30, engine="python")
    assert comparable(result, model) == comparable(expected, model)


@needs_cc
def test_a_replay_must_decide_the_property_at_the_same_step():
    model = load_file(str(TWO), {})
    judge = sim._Judge(sim._Job(model, ("no_stale_accept",), 0, "uniform", None, 0.0, 30))
    with pytest.raises(sim.ReplayMismatch):
        judge.walk(0, {}, 0, forced=(10_000,))
    assert judge.walk(0, {}, 0, forced=()).steps == 0  # judged in the initial state only


def cli(*args, **env):
    return subprocess.run([sys.executable, "-m", "tcpcheck", "simulate", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **env})


def test_without_a_compiler_auto_walks_in_python_with_one_note():
    done = cli(TWO, "--runs", "20", "--depth", "20", "--json", CC="false")
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["engine"] == "python"
    notes = done.stderr.splitlines()
    assert len(notes) == 1 and notes[0].startswith("note: using the Python engine")
    refused = cli(TWO, "--runs", "20", "--engine", "native", CC="false")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "native engine cannot simulate" in refused.stderr


@needs_cc
def test_the_cli_says_which_engine_and_how_fast():
    done = cli(THREE, "--runs", "500", "--depth", "30", "--workers", "2")
    assert done.returncode == 3, done.stderr
    assert "native walks" in done.stdout and "steps/s" in done.stdout
    assert "holds" not in done.stdout.lower()
    data = json.loads(cli(THREE, "--runs", "50", "--json").stdout)
    assert data["engine"] == "native" and data["stats"]["walk_seconds"] >= 0


def test_an_unknown_engine_is_a_usage_error():
    with pytest.raises(UsageError):
        sim.simulate(load_file(str(TWO), {}), runs=1, engine="fast")


def test_the_stream_is_splitmix64():
    # splitmix64's first output from state 0 (add the increment, then mix)
    assert sim._mix(sim._GAMMA) == 0xE220A8397B1DCDAF
    first = [sim.Stream(3, i).below(10) for i in range(8)]
    assert first == [sim.Stream(3, i).below(10) for i in range(8)]
    assert len({sim.Stream(3, i).state for i in range(1000)}) == 1000  # a stream per run


@needs_cc
def test_a_time_limit_stops_the_native_walks_with_a_partial_result():
    model = load_file(str(THREE), {})
    result = sim.simulate(model, runs=10**9, depth=50, timeout=0.5, engine="native",
                          workers=2, properties=("no_stale_accept",))
    assert result.engine == "native" and result.stop_reason == "timeout"
    assert 0 < result.runs_done < 10**9 and result.exit_code == 3
    assert all(p.status == "not verified" for p in result.properties)
