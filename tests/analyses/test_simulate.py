"""``tcpcheck simulate``: random walks find the two-way handshake's stale SYN with a shortest
run, never say "holds", and the same seed gives the same runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tcpcheck.analyses.simulate import simulate
from tcpcheck.engine import registry
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
TWO = str(ROOT / "models/two_way_handshake.tcp")
THREE = str(ROOT / "models/three_way_handshake.tcp")
RFC_SMALL = str(ROOT / "models/rfc9293.tcp")


def cli(*args):
    proc = subprocess.run([sys.executable, "-m", "tcpcheck", "simulate", *args],
                          capture_output=True, text=True, cwd=ROOT)
    return proc.returncode, proc.stdout, proc.stderr


def test_finds_the_stale_syn_with_checks_shortest_length():
    model = load_file(TWO, {})
    result = simulate(model, runs=50, depth=30, seed=0)
    prop = next(p for p in result.properties if p.name == "no_stale_accept")
    assert prop.status == "violated" and prop.shortest
    checked = registry.check(model, CheckOptions(properties=("no_stale_accept",)))
    expected = next(p for p in checked.properties if p.name == "no_stale_accept")
    assert len(prop.trace) == len(expected.trace)
    assert prop.found_length >= len(prop.trace)
    assert result.exit_code == 1


def test_nothing_found_is_exit_3_and_never_holds():
    code, out, err = cli(THREE, "--runs", "20", "--depth", "20", "-p", "no_stale_accept")
    assert code == 3, err
    assert "holds" not in out.lower() and "not verified" in out
    assert "Traceback" not in err


def test_same_seed_same_output_other_seeds_may_differ():
    a = cli(TWO, "--runs", "30", "--seed", "5", "--json")
    b = cli(TWO, "--runs", "30", "--seed", "5", "--json")
    strip = lambda out: {k: v for k, v in json.loads(out).items() if k != "stats"} | {
        "steps": json.loads(out)["stats"]["steps"],
        "states": json.loads(out)["stats"]["states_seen"]}
    assert strip(a[1]) == strip(b[1])
    seeds = {json.dumps(strip(cli(TWO, "--runs", "3", "--seed", str(s), "--json")[1])["steps"])
             for s in range(4)}
    assert len(seeds) > 1  # the seed does steer the walks


def test_json_fields():
    code, out, _ = cli(TWO, "--runs", "20", "--json")
    data = json.loads(out)
    assert code == 1 == data["exit_code"]
    for key in ("seed", "runs", "runs_done", "depth", "weighting", "verified", "properties",
                "not_judged", "stats"):
        assert key in data
    assert data["verified"] is False
    prop = next(p for p in data["properties"] if p["name"] == "no_stale_accept")
    assert prop["status"] == "violated" and prop["trace"]["length"] == 3
    assert {"steps", "states_seen", "coverage", "walk_seconds", "steps_per_second"} <= \
        set(data["stats"])
    assert data["engine"] in ("native", "python")


def test_rare_weighting_runs_and_liveness_is_not_judged():
    code, out, _ = cli(str(ROOT / "models/teardown_time_wait.tcp"), "--runs", "10",
                       "--depth", "30", "--weighting", "rare")
    assert code in (1, 3) and "Traceback" not in out
    assert "coverage:" in out


def test_bad_input_is_exit_2():
    assert cli(TWO, "--runs", "0")[0] == 2
    assert cli(TWO, "-p", "nope")[0] == 2
    assert cli("no/such/model.tcp")[0] == 2
    assert cli(TWO, "--weighting", "heavy")[0] == 2


def test_rare_weighting_fires_more_transitions_than_uniform():
    model = load_file(THREE, {})
    fired = lambda w: sum(1 for c in simulate(model, runs=300, depth=50, weighting=w,
                                               properties=("no_stale_accept",)).coverage
                          if c.fired)
    assert fired("rare") > fired("uniform")


def without_time(data: dict) -> dict:
    data = json.loads(json.dumps(data))
    for key in ("seconds", "walk_seconds", "steps_per_second"):
        del data["stats"][key]
    return data


def test_the_same_runs_and_result_for_any_number_of_workers():
    # rare weighting too: a run sees only the coverage of the rounds before its own; the
    # Python engine's worker processes (the native threads: tests/native)
    for weighting in ("uniform", "rare"):
        outputs = []
        for workers in ("1", "2", "3"):
            code, out, err = cli(RFC_SMALL, "--runs", "40", "--depth", "12", "--seed", "3",
                                 "--weighting", weighting, "--workers", workers, "--json",
                                 "--engine", "python")
            assert code in (1, 3), err
            outputs.append(without_time(json.loads(out)))
        assert outputs[0] == outputs[1] == outputs[2]
        assert outputs[0]["runs_done"] == 40 and outputs[0]["stats"]["steps"] > 0


def test_workers_find_the_stale_syn_as_one_does():
    runs = [cli(TWO, "--runs", "20", "--seed", "1", "--workers", n, "--json", "--engine", "python")
            for n in "12"]
    assert [r[0] for r in runs] == [1, 1]
    assert without_time(json.loads(runs[0][1])) == without_time(json.loads(runs[1][1]))


def test_workers_must_be_positive():
    assert cli(TWO, "--workers", "0")[0] == 2


def test_sigterm_stops_the_workers_too_with_a_partial_result():
    import signal
    import time

    proc = subprocess.Popen([sys.executable, "-m", "tcpcheck", "simulate", THREE, "--runs",
                             "10000000", "--depth", "400", "--workers", "2", "--engine",
                             "python"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, start_new_session=True)
    time.sleep(2.5)  # past start-up: the workers are walking
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 3, err
    assert "stopped early (terminated)" in out and "holds" not in out
    # no worker outlives the command (they are in its session: field 6 of /proc/PID/stat)
    time.sleep(0.5)
    left = [p for p in Path("/proc").iterdir() if p.name.isdigit()
            and _session(p) == proc.pid]
    assert left == []


def _session(proc_dir: Path) -> int | None:
    try:
        fields = (proc_dir / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone meanwhile
        return None
    return int(fields[3])  # after the state, ppid, pgrp: the session
