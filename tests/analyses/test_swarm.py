"""``tcpcheck swarm``: Ray tasks find the two-way handshake's stale SYN with a run that replays
through the reference semantics, never say "holds", and each task is deterministic given
its seed.  One local Ray (two CPUs) is started for the module; the tests that need it are
skipped with a message when Ray is not installed (``pip install 'tcpcheck[ray]'``)."""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

import pytest

from engine_note import needs_cc
from tcpcheck import cli
from tcpcheck.analyses import swarm as swarm_mod
from tcpcheck.analyses.simulate import simulate
from tcpcheck.analyses.swarm import (Finding, TaskSpec, _replayed, moves_of, plan, replay,
                                     run_task, swarm, task_share)
from tcpcheck.diagnostics import UsageError
from tcpcheck.engine import registry
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file
from tcpcheck.render import swarm as render_swarm

ROOT = Path(__file__).resolve().parents[2]
TWO = str(ROOT / "models/two_way_handshake.tcp")
THREE = str(ROOT / "models/three_way_handshake.tcp")
FAR = 1e12  # a task deadline (time.time()) that never comes


def main(*args):
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["swarm", *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_a_swarm_finds_the_stale_syn_and_its_run_replays(ray):
    model = load_file(TWO, {})
    result = swarm(model, ray, tasks=3, budget=20, depth=30, engine="python")
    prop = next(p for p in result.properties if p.name == "no_stale_accept")
    assert result.exit_code == 1 and result.stop_reason == "violated"
    assert prop.status == "violated" and prop.task is not None
    # the run shown is a real one: rebuilt from its moves, it breaks the property again
    again, _ = replay(model, Finding(prop.name, "violated", moves_of(model, prop.trace)))
    assert again == prop.trace
    shortest = registry.check(model, CheckOptions(properties=("no_stale_accept",)), "python")
    # a walk's run is shortened as simulate shortens it; a breadth-first task's is shortest
    assert len(prop.trace) == len(shortest.get("no_stale_accept").trace) == 3
    assert prop.shortest == (prop.task.kind != "bfs")
    assert prop.found_length >= len(prop.trace)
    assert sum(c.fired for c in result.coverage) > 0 and result.states_seen > 0


def test_a_walks_run_is_shortened_by_a_bounded_check(ray):
    model = load_file(TWO, {})
    walks = TaskSpec(0, "uniform", 0, 30)
    record = run_task(model, walks, ("no_stale_accept",), FAR, "python")
    [finding] = [f for f in record.findings if f.status == "violated"]
    prop = _replayed(model, model.get_property("no_stale_accept"), finding, walks, "python")
    assert prop.shortest and len(prop.trace) == 3 and prop.found_length == len(finding.moves)


def test_a_swarm_where_the_property_holds_is_not_verified_never_holds(ray):
    code, out, err = main(THREE, "--ray", "local", "--tasks", "3", "--budget", "2",
                          "--depth", "20", "-p", "no_stale_accept", "--engine", "python")
    assert code == 3, err
    assert "holds" not in out.lower() and "Traceback" not in err
    assert "no violation found by 3 tasks in" in out and "not verified" in out
    assert "coverage:" in out and "3 of 3 tasks finished" in out


def test_json_of_a_violation(ray):
    code, out, err = main(TWO, "--ray", "local", "--tasks", "2", "--budget", "20",
                          "--depth", "30", "--json", "--engine", "python")
    data = json.loads(out)
    assert code == 1 == data["exit_code"], err
    assert data["command"] == "swarm" and data["verified"] is False
    prop = next(p for p in data["properties"] if p["name"] == "no_stale_accept")
    assert prop["status"] == "violated" and prop["trace"]["length"] >= 3
    assert prop["task"]["kind"] in ("uniform", "rare", "bfs", "bitstate")
    assert len(data["tasks"]) == 2 and {"steps", "states_seen", "coverage"} <= set(data["stats"])


def test_a_walk_task_is_simulate_with_its_seed_and_is_deterministic():
    model = load_file(TWO, {})
    names = ("no_stale_accept",)
    spec = TaskSpec(0, "uniform", 7, 30)
    a, b = (run_task(model, spec, names, FAR, "python") for _ in range(2))
    assert a.findings == b.findings and a.fired == b.fired and a.states == b.states
    found = simulate(model, runs=50, depth=30, seed=7, properties=names, engine="python")
    assert len(a.findings[0].moves) == found.properties[0].found_length
    assert a.findings[0].status == "violated" and a.stop_reason == "violated"


@needs_cc
def test_a_walk_task_walks_natively_the_runs_simulate_walks():
    """With the native engine a walk task walks its first round of runs in C: the run it
    keeps is simulate's over as many runs with its seed (the engines walk the same runs),
    and the driver's replay accepts it."""
    model = load_file(TWO, {})
    names = ("no_stale_accept",)
    spec = TaskSpec(1, "rare", 7, 30)
    record = run_task(model, spec, names, FAR, "native")
    again = run_task(model, spec, names, FAR, "auto")
    assert (again.findings, again.fired, again.steps) == \
        (record.findings, record.fired, record.steps)
    found = simulate(model, runs=swarm_mod.NATIVE_ROUNDS[0], depth=30, seed=7,
                     weighting="rare", properties=names, engine="native")
    [finding] = record.findings
    assert finding.status == "violated" and record.stop_reason == "violated"
    assert len(finding.moves) == found.properties[0].found_length
    assert record.steps == found.steps and record.states == found.states_seen
    trace, _ = replay(model, finding)
    assert len(trace) == len(finding.moves)


def test_a_breadth_first_task_finds_a_shortest_run():
    model = load_file(TWO, {})
    record = run_task(model, TaskSpec(2, "bfs", 2, 10), ("no_stale_accept",), FAR, "python")
    assert [(f.name, f.status, len(f.moves)) for f in record.findings] == \
        [("no_stale_accept", "violated", 3)]
    trace, _ = replay(model, record.findings[0])
    assert len(trace) == 3


def test_a_run_that_does_not_break_the_property_is_refused():
    model = load_file(TWO, {})
    with pytest.raises(Exception, match="not violated"):
        replay(model, Finding("no_stale_accept", "violated", (0,)))


def test_the_plan_spreads_kinds_seeds_and_depths():
    specs = plan(9, 5, 40)
    assert [s.kind for s in specs[:4]] == ["uniform", "rare", "bfs", "bitstate"]
    assert [s.seed for s in specs] == list(range(5, 14))
    assert len({(s.kind, s.depth) for s in specs}) >= 6
    assert plan(9, 5, 40) == specs


def test_bitstate_tasks_cycle_depth_bounds_and_bit_arrays_each_with_its_hash_seed():
    specs = [s for s in plan(16, 5, 40) if s.kind == "bitstate"]
    assert [s.index for s in specs] == [3, 7, 11, 15]
    assert [(s.depth, s.bits) for s in specs] == [(40, 27), (80, 24), (160, 21), (40, 27)]
    assert len({s.seed for s in specs}) == 4  # each its own hash function
    assert all(s.bits is None for s in plan(16, 5, 40) if s.kind != "bitstate")
    # without the native engine: uniform walks of the same depth and seed
    walks = plan(16, 5, 40, bitstate=False)
    assert [(walks[i].kind, walks[i].depth, walks[i].seed) for i in (3, 7)] == \
        [("uniform", 40, 8), ("uniform", 80, 12)]
    assert [w for w in walks if w.index % 4 != 3] == [s for s in plan(16, 5, 40)
                                                         if s.index % 4 != 3]


@needs_cc
def test_a_bitstate_task_finds_the_stale_syn_and_its_run_replays():
    model = load_file(TWO, {})
    spec = TaskSpec(3, "bitstate", 3, 30, 27)
    record = run_task(model, spec, ("no_stale_accept",), FAR)
    [finding] = [f for f in record.findings if f.status == "violated"]
    trace, _ = replay(model, finding)  # through the reference semantics
    assert len(trace) == 3 and record.states > 0 and sum(n for _, _, n in record.fired) > 0
    assert record.spec == spec and record.no_bitstate is None and not record.complete


@needs_cc
def test_bitstate_tasks_with_other_hash_seeds_miss_other_states_each_repeatably():
    # 27,555 states; 2^14 bits keep about a third, a different third for each hash seed
    model = load_file(ROOT / "bench/spin/three_way.tcp", {"K": 2, "N": 2})
    names = ("no_stale_accept",)
    states = [run_task(model, TaskSpec(3, "bitstate", seed, 100, 14), names, FAR).states
              for seed in (0, 1, 2, 1)]
    assert states == [8_503, 8_470, 8_433, 8_470]


def test_a_bitstate_task_without_the_native_engine_walks_and_says_why(monkeypatch):
    def refuse(model, options, engine="auto", **_):
        raise UsageError("no C compiler found ('cc'; set $CC)")

    monkeypatch.setattr(swarm_mod.registry, "check", refuse)
    model = load_file(TWO, {})
    record = run_task(model, TaskSpec(3, "bitstate", 3, 30, 27), ("no_stale_accept",), FAR)
    assert record.spec == TaskSpec(3, "uniform", 3, 30)
    assert "no C compiler" in record.no_bitstate
    assert record.findings and record.findings[0].status == "violated"


def test_a_swarm_without_the_native_engine_runs_walks_and_notes_it(ray):
    code, out, err = main(TWO, "--ray", "local", "--tasks", "4", "--budget", "20",
                          "--depth", "30", "--engine", "python")
    assert code == 1, err
    assert "note (no_bitstate): task 3 ran uniform walks instead of bitstate" in out
    assert "--engine python" in out
    code, out, err = main(TWO, "--ray", "local", "--tasks", "4", "--budget", "20",
                          "--depth", "30", "--engine", "python", "--json")
    data = json.loads(out)
    assert data["notes"][0]["code"] == "no_bitstate" and data["notes"][0]["tasks"] == [3]
    assert data["tasks"][3]["kind"] == "uniform" and "bits" not in data["tasks"][3]


@needs_cc
def test_a_swarm_with_bitstate_tasks_never_says_holds_and_sums_their_coverage(ray):
    model = load_file(THREE, {})
    result = swarm(model, ray, tasks=4, budget=3, depth=12, properties=("no_stale_accept",))
    assert result.exit_code == 3 and result.no_bitstate is None
    assert result.properties[0].status == "not verified"
    bit = next(r for r in result.records if r.spec.kind == "bitstate")
    assert bit.spec.bits == 27 and bit.states > 0 and not bit.complete
    assert result.states_seen == sum(r.states for r in result.records) > bit.states
    assert sum(c.fired for c in result.coverage) == \
        sum(n for r in result.records for _, _, n in r.fired)
    text = render_swarm.text(result)
    assert "holds" not in text.lower() and "no_bitstate" not in text
    data = render_swarm.data(result, model)
    assert data["notes"] == [] and data["tasks"][3]["bits"] == 27
    assert data["task_seconds"] == result.share == 1.5  # 4 tasks on 2 CPUs: two waves


def test_without_ray_the_message_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    code, out, err = main(TWO, "--ray", "local")
    assert code == 2 and "pip install 'tcpcheck[ray]'" in err and "Traceback" not in err


@pytest.mark.parametrize("args, words", [
    (["--tasks", "0"], "expected 1 to 1,000,000"),
    (["--budget", "-1"], "positive"),
    (["-p", "nope"], "no property 'nope'"),
])
def test_bad_input_is_exit_2(args, words):
    code, out, err = main(TWO, "--ray", "local", *args)
    assert code == 2 and words in err and "Traceback" not in err


def test_a_missing_model_or_ray_option_is_exit_2():
    assert main("no/such/model.tcp", "--ray", "local")[0] == 2
    assert main(TWO)[0] == 2  # --ray is required


def test_an_address_where_nothing_answers_is_exit_2_at_once(monkeypatch):
    pytest.importorskip("ray", reason="Ray is not installed: pip install 'tcpcheck[ray]'")
    import ray

    monkeypatch.setattr(ray, "is_initialized", lambda: False)  # as in a fresh process
    for address, words in (("127.0.0.1:1", "nothing answers"), ("nonsense", "HOST:PORT")):
        code, out, err = main(TWO, "--ray", address)
        assert code == 2 and words in err and "Traceback" not in err


def test_a_stop_request_ends_the_swarm_not_verified(ray):
    import signal

    from tcpcheck.limits import STOP

    model = load_file(THREE, {})
    ask = lambda *figures: STOP.request(signal.SIGINT)  # Ctrl-C while the swarm waits
    try:
        result = swarm(model, ray, tasks=2, budget=60, depth=20, engine="python",
                       properties=("no_stale_accept",), progress=ask)
    finally:
        STOP.reset()
    assert result.stop_reason == "interrupted" and result.exit_code == 3
    assert result.seconds < 30 and result.properties[0].status == "not verified"


def test_with_more_tasks_than_cpus_each_task_gets_its_share_of_the_budget():
    assert task_share(20, 8, 2) == 5.0 and task_share(20, 7, 2) == 5.0
    assert task_share(20, 2, 4) == 20 and task_share(9, 3, 0.5) == 3.0
    model = load_file(THREE, {})
    started = time.monotonic()
    record = run_task(model, TaskSpec(0, "uniform", 0, 20), ("no_stale_accept",), FAR,
                      share=0.3)
    assert record.stop_reason == "timeout" and time.monotonic() - started < 5
