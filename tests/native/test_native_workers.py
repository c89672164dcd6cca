"""`tcpcheck check --workers N` (issue 13 section 1): for any N the --json output but the
timing is the same (counts, diameter, verdicts, traces), the JSON says how many workers
ran, a larger N than ran is said on stderr, and a limit still gives NOT VERIFIED.

Every search runs one thread today (the parallel native search is not built yet), so
these tests hold the contract the parallel search must keep: they compare N = 1, 2, 3."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from generated_models import models
from native_support import ROOT, TIMING, needs_cc
from tcpcheck.cli import main

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
    for key in TIMING:
        data["stats"].pop(key, None)
    return code, data, err.getvalue()


def same_for_every_n(model: str, *extra: str) -> None:
    code, one, _ = check_json(model, 1, *extra)
    for n in (2, 3):
        code_n, data, _ = check_json(model, n, *extra)
        assert (code_n, data) == (code, one), (model, n)


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


def test_the_json_says_how_many_workers_ran_and_stderr_says_when_fewer_than_asked():
    _, data, err = check_json("models/two_way_handshake.tcp", 1)
    assert data["workers"] == 1 and err == ""
    _, data, err = check_json("models/two_way_handshake.tcp", 2)
    assert data["workers"] == 1
    assert err.count("\n") == 1 and "--workers 2" in err and "1 worker" in err


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
