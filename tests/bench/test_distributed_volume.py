"""bench/distributed_volume.py, the message volume of a partitioned breadth-first search
(docs/distributed.md): it sees the state space `tcpcheck check` sees, and its counts obey
what a partition must (nothing crosses with one worker; batching only removes messages)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import distributed_volume as dv  # noqa: E402

from tcpcheck.engine import registry  # noqa: E402
from tcpcheck.explicit import CheckOptions  # noqa: E402
from tcpcheck.loader import load_file  # noqa: E402

MODEL, SIZE = "bench/spin/teardown.tcp", {"K": 1, "N": 1}


def test_the_simulation_explores_the_states_and_edges_of_check():
    run = dv.explore(MODEL, SIZE, workers=(1, 2, 4))
    checked = registry.check(load_file(ROOT / MODEL, SIZE),
                             CheckOptions(stop_when_decided=False), "python")
    assert run["states"] == checked.stats.states == 525
    assert run["edges"] == checked.stats.transitions
    assert len(run["levels"]) == checked.stats.diameter + 1
    assert sum(level["states"] for level in run["levels"]) == run["states"]


def test_one_worker_sends_nothing_and_batching_only_removes_messages():
    run = dv.explore(MODEL, SIZE, workers=(1, 2, 4))
    for scheme in dv.SCHEMES:
        assert dv.totals(run, f"{scheme}/1")["sent"] == 0
        two, four = dv.totals(run, f"{scheme}/2"), dv.totals(run, f"{scheme}/4")
        assert 0 < two["batched"] <= two["sent"] <= four["sent"] <= run["edges"]
        assert four["bytes"] == four["batched"] * run["state_bytes"]
    # keeping channel-only moves at home sends less than hashing the whole state
    assert dv.totals(run, "endpoints/4")["sent"] < dv.totals(run, "state/4")["sent"]
    assert "| 4 |" in dv.table([run], workers=(2, 4))
