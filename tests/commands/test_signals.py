"""Ctrl-C (SIGINT) and SIGTERM stop every command within a second, wherever it is, with its
partial result printed, every undecided property NOT VERIFIED, and exit code 3; during
start-up (nothing established yet) the shell's convention, 128 + the signal's number."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from pty_support import ROOT, _child_setup, run_on_terminal
from engine_note import has_compiler

TW = "models/teardown_time_wait.tcp"
THREE = "models/three_way_handshake.tcp"

# Each would run for minutes; the signal comes once its progress line shows it is working.
COMMANDS = {
    "check": (["check", "models/rfc9293.tcp", "--engine", "python"], "NOT VERIFIED"),
    "check-native": (["check", THREE, "--engine", "native", "--set", "channel.capacity=3",
                      "--exhaustive"], "NOT VERIFIED"),
    "prove": (["prove", TW], "UNKNOWN"),
    "synth": (["synth", "models/time_wait_every_msl.tcp", "-p", "no_old_segment_confusion",
               "--param", "TW"], "stopped:"),
    "explain": (["explain", THREE, "--engine", "python"], "NOT VERIFIED"),
    "compare": (["compare", THREE, TW, "models/rfc9293.tcp", "--engine", "python"], "not verified"),
    "diff": (["diff", TW, "models/variants/rfc1337_fix.tcp", "--set", "channel.capacity=3"],
             "not explored further"),
    "scan": (["scan", "models/rfc9293.tcp", "--max-states", "10000000"], "stopped at"),
    "report": (["report", THREE, "-o", "{tmp}/report.html", "--engine", "python"], "NOT VERIFIED"),
}
SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM}
WITHIN = 1.0  # seconds from the signal to the end of the process


@pytest.mark.parametrize("signame", sorted(SIGNALS))
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_signal_stops_the_command_with_its_partial_result(name, signame, tmp_path):
    if name.endswith("-native") and not has_compiler():
        pytest.skip("no C compiler (cc) here")
    args, partial = COMMANDS[name]
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    run = run_on_terminal(args, signum=SIGNALS[signame])
    assert run.signalled, f"{name} ended before its progress line showed: {run.output}"
    assert "Traceback" not in run.output and "internal error" not in run.output, run.output
    assert run.code == 3, run.output
    assert run.stop_seconds < WITHIN, f"{name} took {run.stop_seconds:.2f} s to stop"
    assert partial in run.output, run.output
    reason = "interrupt" if signame == "SIGINT" else "SIGTERM"
    assert reason in run.output or "terminated" in run.output, run.output


# A model that takes long to load: main's loading is slowed down from inside the process.
SLOW_START = """
import sys, time
from tcpcheck import cli, loader
real = loader.load_file
def slow(*args, **kwargs):
    time.sleep(30)
    return real(*args, **kwargs)
loader.load_file = slow
import tcpcheck.commands._common as common
common.load_file = slow
sys.exit(cli.main(["check", "models/two_way_handshake.tcp"]))
"""


@pytest.mark.parametrize("signame", sorted(SIGNALS))
def test_a_signal_during_start_up_ends_with_128_plus_its_number(signame):
    signum = SIGNALS[signame]
    proc = subprocess.Popen([sys.executable, "-c", SLOW_START], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_child_setup)
    time.sleep(1.0)
    sent = time.monotonic()
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - sent < WITHIN
    assert proc.returncode == 128 + signum, (out, err)
    assert "Traceback" not in err and "before any property was decided" in err, err


BACKGROUND = {"python": ["--engine", "python"],
              "native": ["--engine", "native", "--set", "channel.capacity=3", "--exhaustive"]}


@pytest.mark.parametrize("engine", sorted(BACKGROUND))
def test_a_background_process_keeps_ignoring_sigint(engine):
    if engine == "native" and not has_compiler():
        pytest.skip("no C compiler (cc) here")
    # a shell starts background jobs with SIGINT ignored; tcpcheck must not undo that
    proc = subprocess.Popen([sys.executable, "-m", "tcpcheck", "check", THREE,
                             *BACKGROUND[engine]], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        time.sleep(1.5)
        proc.send_signal(signal.SIGINT)
        time.sleep(1.0)
        assert proc.poll() is None  # still running
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert proc.returncode == 3  # SIGTERM still stops it, with its partial result
