"""`tcpcheck check --workers N` (issue 13 section 1): for any N the --json output but the
timing and the number of workers is the same (counts, diameter, verdicts, traces, the
stop under a limit), the JSON says how many workers ran, fewer than asked is said on
stderr, and a limit still gives NOT VERIFIED.  The native search runs N threads
(docs/parallel.md); liveness and the Python engine run one."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from generated_models import models
from native_support import ROOT, TIMING, needs_cc
from tcpcheck.cli import main
from tcpcheck.commands.check import default_workers

pytestmark = needs_cc

SHIPPED = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "models").rglob("*.tcp"))
BENCH = [("bench/spin/two_way.tcp", "K=2", "N=2"), ("bench/spin/three_way.tcp", "K=1", "N=2"),
         ("bench/spin/teardown.tcp", "K=1", "N=2"),
         ("bench/spin/teardown_no_timewait.tcp", "K=1", "N=2")]


def check_json(model: str, workers: int, *extra: str) -> tuple[int, dict, str]:
    """(exit code, the --json output without timing, stderr) of one native check."""
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(ROOT / model) if not Path(model).is_absolute() else model,
                 "--engine", "native", "--json", "--workers", str(workers), *extra],
                out, err)
    assert "Traceback" not in err.getvalue(), err.getvalue()
    data = json.loads(out.getvalue())
    data["ran"] = data.pop("workers")  # the one field that may differ: compared apart
    for key in TIMING:
        data["stats"].pop(key, None)
    return code, data, err.getvalue()


def same_for_every_n(model: str, *extra: str) -> dict:
    """The N = 1 --json, after checking that N = 2 and 3 give the same."""
    code, one, _ = check_json(model, 1, *extra)
    assert one.pop("ran") == 1
    for n in (2, 3):
        code_n, data, _ = check_json(model, n, *extra)
        ran = data.pop("ran")
        assert ran in (1, n)  # 1: liveness is checked
        assert (code_n, data) == (code, one), (model, n)
        if ran == 1:  # one thread whatever was asked: a third run would repeat the second
            break
    return one


@pytest.mark.parametrize("model", SHIPPED)
def test_every_shipped_model_gives_the_same_json_for_any_workers(model):
    same_for_every_n(model)


@pytest.mark.parametrize("model,k,n", BENCH)
def test_the_bench_models_give_the_same_json_for_any_workers(model, k, n):
    same_for_every_n(model, "--set", k, "--set", n)


@settings(max_examples=8, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(text=models())
def test_generated_models_give_the_same_json_for_any_workers(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("gen") / "model.tcp"
    path.write_text(text)
    same_for_every_n(str(path), "--max-states", "20000")


# where a divergence between threads would show: a stop in the middle of a batch (the
# states, transitions and coverage counted up to it), several counterexamples per
# property (the shapes kept depend on the order of commits), goals and deadlocks judged
# on every state (--exhaustive), a depth bound (batches end at a level)
DIVERGENCE = [
    ("bench/spin/three_way.tcp", "--set", "K=2", "--set", "N=2", "--max-states", "12345"),
    ("bench/spin/three_way.tcp", "--set", "K=2", "--set", "N=2", "--max-states", "40001",
     "--exhaustive"),
    ("bench/spin/two_way.tcp", "--set", "K=2", "--set", "N=2", "--counterexamples", "3",
     "--exhaustive"),
    ("models/spoofing.tcp", "--counterexamples", "3", "--exhaustive"),
    ("models/two_way_handshake.tcp", "--counterexamples", "3"),
    ("models/teardown_time_wait.tcp", "--exhaustive"),
    ("models/teardown_time_wait.tcp", "--max-depth", "9", "--counterexamples", "2"),
]


@pytest.mark.parametrize("args", DIVERGENCE, ids=" ".join)
def test_stops_counterexamples_goals_and_deadlocks_are_the_same_for_any_workers(args):
    same_for_every_n(*args)


def test_a_stop_mid_batch_counts_exactly_up_to_the_stop():
    one = same_for_every_n("bench/spin/three_way.tcp", "--set", "K=2", "--set", "N=2",
                           "--max-states", "12345")
    assert one["stats"]["states"] == 12345 and one["stop_reason"] == "max-states"


def test_the_json_says_how_many_workers_ran_and_stderr_says_when_fewer_than_asked():
    _, data, err = check_json("models/two_way_handshake.tcp", 1)
    assert data["ran"] == 1 and err == ""
    _, data, err = check_json("models/two_way_handshake.tcp", 2)
    assert data["ran"] == 2 and err == ""
    _, data, err = check_json("models/syn_backlog.tcp", 2)  # leads_to: one thread
    assert data["ran"] == 1
    assert err.count("\n") == 1 and "--workers 2" in err and "1 worker" in err
    assert "liveness" in err


def test_without_workers_the_search_takes_the_cores_and_says_nothing():
    out, err = io.StringIO(), io.StringIO()
    main(["check", str(ROOT / "models/isn_clock.tcp"), "--engine", "python", "--json"],
         out, err)
    assert "note: --workers" not in err.getvalue()
    out, err = io.StringIO(), io.StringIO()
    main(["check", str(ROOT / "models/two_way_handshake.tcp"), "--engine", "native", "--json"],
         out, err)
    assert json.loads(out.getvalue())["workers"] == default_workers() >= 1
    assert "note: --workers" not in err.getvalue()


def test_python_engine_takes_workers_with_a_note():
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(ROOT / "models/two_way_handshake.tcp"), "--engine", "python",
                 "--workers", "4"], out, err)
    assert code == 1 and "python engine explored with 1 worker" in err.getvalue()


@pytest.mark.parametrize("workers", [1, 2])
def test_max_states_with_workers_is_not_verified(workers):
    code, data, _ = check_json("bench/spin/three_way.tcp", workers, "--set", "K=2",
                               "--set", "N=2", "--max-states", "500")
    assert code == 3 and data["complete"] is False and data["stop_reason"] == "max-states"
    assert all(p["status"] != "holds" for p in data["properties"])


def test_workers_must_be_positive():
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(ROOT / "models/two_way_handshake.tcp"), "--workers", "0"],
                out, err)
    assert code == 2 and "Traceback" not in err.getvalue()


def test_the_scaling_bench_runs_the_curve_and_checks_the_results_agree():
    done = subprocess.run([sys.executable, str(ROOT / "bench/scaling.py"), "--max-workers",
                           "2", "--repeat", "1", "--json", "models/two_way_handshake.tcp"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["identical_results"] is True
    assert [(r["asked"], r["ran"]) for r in data["rows"]] == [(1, 1), (2, 2)]


@pytest.mark.parametrize("args", [
    # 2^14 bits for 27,555 states: a third stored, the rest taken for others; the same
    # third, in the same order, for any number of threads, whatever the seed
    ("bench/spin/three_way.tcp", "--set", "K=2", "--set", "N=2", "--storage", "bitstate=14"),
    ("bench/spin/three_way.tcp", "--set", "K=2", "--set", "N=2", "--storage", "hashcompact",
     "--hash-seed", "9", "--exhaustive"),
    ("models/teardown_no_time_wait.tcp", "--storage", "hashcompact", "--property",
     "no_old_segment_confusion", "--counterexamples", "3"),
    ("bench/spin/three_way.tcp", "--set", "K=2", "--set", "N=2", "--storage", "bitstate=14",
     "--hash-seed", "3"),
    ("models/teardown_no_time_wait.tcp", "--storage", "bitstate=16", "--max-depth", "12"),
    ("models/two_way_handshake.tcp", "--storage", "bitstate", "--exhaustive"),
], ids=" ".join)
def test_approximate_storage_gives_the_same_result_for_any_workers(args):
    code, one, _ = check_json(args[0], 1, *args[1:])
    assert code in (1, 3) and one.pop("ran") == 1
    for n in (2, 3):
        code_n, data, _ = check_json(args[0], n, *args[1:])
        assert data.pop("ran") == n and (code_n, data) == (code, one)

