"""Every long-running command on a pseudo-terminal, as a user types it: a progress line
appears once the run has taken a second, it is wiped before the result is printed, and
nothing ends in a traceback (the progress line of prove and synth once crashed only there)."""

from __future__ import annotations

import re

import pytest

from pty_support import run_on_terminal
from engine_note import has_compiler

TW = "models/teardown_time_wait.tcp"
THREE = "models/three_way_handshake.tcp"

# Each runs for about two seconds and then stops at its --timeout: exit 3.
COMMANDS = {
    "check": ["check", THREE, "--engine", "python", "--timeout", "2"],
    # the native engine explores three_way_handshake in a second: a larger channel instead
    "check-native": ["check", THREE, "--engine", "native", "--set", "channel.capacity=3",
                     "--exhaustive", "--timeout", "2"],
    "prove": ["prove", THREE, "--engine", "bmc", "--timeout", "2.5"],
    "explain": ["explain", THREE, "--timeout", "2", "--engine", "python"],
    "compare": ["compare", THREE, TW, "--engine", "python", "--timeout", "1.2"],
    "diff": ["diff", TW, "models/variants/rfc1337_fix.tcp", "--set", "channel.capacity=3",
             "--timeout", "1.2"],
    "simulate": ["simulate", THREE, "--runs", "1000000", "--timeout", "2"],
    "scan": ["scan", "models/rfc9293.tcp", "--timeout", "2", "--max-states", "10000000"],
    "report": ["report", THREE, "-o", "{tmp}/report.html", "--engine", "python", "--timeout", "2"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_progress_line_on_a_terminal(name, tmp_path):
    if name.endswith("-native") and not has_compiler():
        pytest.skip("no C compiler (cc) here")
    args = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[name]]
    run = run_on_terminal(args)
    assert "Traceback" not in run.output and "internal error" not in run.output, run.output
    assert run.code == 3, run.output
    assert run.progress_shown, run.output
    # the last progress line is wiped (a carriage return, spaces, a carriage return)
    last = [m.start() for m in re.finditer(r"\r  \S", run.output)][-1]
    assert re.search(r"\r +\r", run.output[last + 1:]), run.output[last:last + 300]


def test_synth_on_a_terminal_shows_progress_and_stops_on_ctrl_c():
    import signal

    run = run_on_terminal(["synth", "models/time_wait_every_msl.tcp", "-p",
                           "no_old_segment_confusion", "--param", "TW"], signum=signal.SIGINT)
    assert run.progress_shown and run.signalled, run.output
    assert "Traceback" not in run.output and "internal error" not in run.output, run.output
    assert run.code == 3, run.output


def test_simulate_on_a_terminal_stops_on_ctrl_c_not_verified():
    import signal

    run = run_on_terminal(["simulate", THREE, "-p", "no_stale_accept", "--runs", "10000000"],
                          signum=signal.SIGINT)
    assert run.progress_shown and run.signalled, run.output
    assert "Traceback" not in run.output and "internal error" not in run.output, run.output
    assert "not verified" in run.output and "holds" not in run.output.lower(), run.output
    assert run.code == 3, run.output


def test_swarm_on_a_terminal_shows_progress_and_stops_on_ctrl_c_not_verified():
    import signal

    pytest.importorskip("ray", reason="Ray is not installed: pip install 'tcpcheck[ray]'")
    run = run_on_terminal(["swarm", THREE, "--ray", "local", "--tasks", "2", "--budget", "120",
                           "-p", "no_stale_accept", "--engine", "python"],
                          signum=signal.SIGINT)
    assert run.progress_shown and run.signalled, run.output
    assert "Traceback" not in run.output and "internal error" not in run.output, run.output
    assert "not verified" in run.output and "holds" not in run.output.lower(), run.output
    assert "interrupted" in run.output and run.code == 3, run.output
