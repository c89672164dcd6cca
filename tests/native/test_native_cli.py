"""`tcpcheck check --engine`: which engine runs, the notice when auto falls back to
Python, a missing compiler (CC=false) as a clear reason, never a traceback, and the
native engine's limits (exit 3, NOT VERIFIED)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from native_support import ROOT, TIMING, needs_cc

TWO_WAY = "models/two_way_handshake.tcp"
THREE = "models/three_way_handshake.tcp"
LIVENESS = "models/handshake_liveness.tcp"


def tcpcheck(*args, **env):
    done = subprocess.run([sys.executable, "-m", "tcpcheck", *args], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, **env}, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    return done


@needs_cc
def test_auto_runs_native_and_names_it():
    done = tcpcheck("check", TWO_WAY)
    assert done.returncode == 1 and "native engine" in done.stdout
    assert done.stderr == ""
    data = json.loads(tcpcheck("check", TWO_WAY, "--json").stdout)
    assert data["backend"] == "native" and data["engine"] == "explicit"


def test_python_on_request():
    done = tcpcheck("check", TWO_WAY, "--engine", "python", "--json")
    assert json.loads(done.stdout)["backend"] == "python" and done.stderr == ""


@needs_cc
def test_native_and_python_print_the_same_report():
    native = tcpcheck("check", TWO_WAY, "--engine", "native").stdout.splitlines()
    python = tcpcheck("check", TWO_WAY, "--engine", "python").stdout.splitlines()
    stats = [i for i, line in enumerate(native) if " states, " in line]
    assert len(stats) == 1 and re.search(r"native engine \((from the cache|compiled in "
                                         r"\d+\.\d\d s)\)$", native[stats[0]])
    assert python[stats[0]].endswith("python engine")
    del native[stats[0]], python[stats[0]]
    assert native == python


def test_no_compiler_falls_back_with_a_notice():
    done = tcpcheck("check", TWO_WAY, CC="false")
    assert done.returncode == 1 and "python engine" in done.stdout
    notice = done.stderr.strip().splitlines()
    assert len(notice) == 1 and notice[0].startswith("note: using the Python engine")
    assert "'false'" in notice[0]


def test_no_compiler_at_all():
    done = tcpcheck("check", TWO_WAY, CC="no-such-compiler-anywhere")
    assert done.returncode == 1 and "no C compiler found" in done.stderr


def test_native_asked_for_without_a_compiler_is_a_usage_error():
    done = tcpcheck("check", TWO_WAY, "--engine", "native", CC="false")
    assert done.returncode == 2
    assert "the native engine cannot check this model" in done.stderr


@needs_cc
def test_a_liveness_model_runs_natively():
    # auto picks the native engine for liveness too, with no note; the verdicts and the
    # fairness explanation are the reference's
    done = tcpcheck("check", LIVENESS)
    assert done.returncode == 0 and "native engine" in done.stdout and done.stderr == ""
    runs = {engine: tcpcheck("check", "models/handshake_no_fairness.tcp", "--engine", engine)
            for engine in ("native", "python")}
    assert runs["native"].returncode == runs["python"].returncode == 1
    assert "refused" not in runs["native"].stderr and runs["native"].stderr == ""
    assert _verdicts(runs["native"].stdout) == _verdicts(runs["python"].stdout)
    assert "fairness: this cycle is unfair under" in runs["native"].stdout


def _verdicts(out: str) -> list:
    """The report without its statistics line (which names the engine and the time)."""
    return [line for line in out.splitlines() if " states, " not in line]


@needs_cc
def test_several_counterexamples_natively():
    runs = {engine: tcpcheck("check", TWO_WAY, "--engine", engine, "--counterexamples", "3",
                             "--json") for engine in ("native", "python")}
    native, python = (json.loads(runs[e].stdout) for e in ("native", "python"))
    assert (native.pop("backend"), python.pop("backend")) == ("native", "python")
    assert python.pop("workers") == 1 and native.pop("workers") >= 1  # native: the cores
    for data in (native, python):
        for key in TIMING:
            del data["stats"][key]
    assert native == python
    assert len(native["properties"][0]["counterexamples"]) == 3


@needs_cc
@pytest.mark.parametrize("limit, reason", [(["--max-states", "1000"], "max-states"),
                                           (["--max-depth", "5"], "max-depth"),
                                           (["--timeout", "0.3", "--set",
                                             "channel.capacity=3"], "timeout")])
def test_native_limits_exit_3_not_verified(limit, reason):
    done = tcpcheck("check", THREE, "--engine", "native", "--exhaustive", *limit)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "NOT VERIFIED" in done.stdout  # and no verdict line says holds
    assert not any(line.rstrip().endswith(" holds") for line in done.stdout.splitlines())
    data = json.loads(tcpcheck("check", THREE, "--engine", "native", "--exhaustive",
                               "--json", *limit).stdout)
    assert data["stop_reason"] == reason and data["complete"] is False
    assert {p["status"] for p in data["properties"]} <= {"not_verified", "reached", "violated"}
    if reason == "max-states":
        assert data["stats"]["states"] == 1000


@needs_cc
def test_the_spin_models_run_natively_by_default():
    # a shared channel (three_way) and an assumption (teardown): auto picks native, no note
    for name, states in (("three_way", 945), ("teardown", 5_809)):
        done = tcpcheck("check", f"bench/spin/{name}.tcp", "--set", "K=1", "--set", "N=2",
                        "--json")
        data = json.loads(done.stdout)
        assert done.returncode == 0 and done.stderr.count("note:") == 0, done.stderr
        assert data["backend"] == "native" and data["stats"]["states"] == states


def test_the_spin_models_fall_back_to_python_without_a_compiler():
    done = tcpcheck("check", "bench/spin/teardown.tcp", "--set", "K=1", "--set", "N=1",
                    "--json", CC="false")
    data = json.loads(done.stdout)
    assert done.returncode == 0 and data["backend"] == "python"
    assert data["stats"]["states"] == 525 and "note: using the Python engine" in done.stderr
