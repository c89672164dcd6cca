"""--max-states, --timeout and --max-memory on every command that explores: each stops the
run where it is, says which limit it was, claims nothing it did not establish, exit 3."""

from __future__ import annotations

import io
import time

import pytest

from tcpcheck.cli import main

TW = "models/teardown_time_wait.tcp"
THREE = "models/three_way_handshake.tcp"

COMMANDS = {
    "check": ["check", THREE],
    "explain": ["explain", THREE],
    "report": ["report", THREE, "-o", "{tmp}/r.html"],
    "compare": ["compare", THREE, TW],
    "diff": ["diff", TW, "models/variants/rfc1337_fix.tcp"],
    "scan": ["scan", "models/rfc9293.tcp", "--max-states", "10000000"],
}
LIMITS = {
    "max-states": (["--max-states", "300"], ("state limit", "--max-states", "max-states")),
    # the native engine explores three_way_handshake in about 0.25 s on a quiet machine:
    # the timeout must be well below that for every command to be cut short
    "timeout": (["--timeout", "0.05"], ("time limit", "--timeout", "timeout")),
    "max-memory": (["--max-memory", "1"], ("memory limit", "--max-memory", "max-memory")),
}


def run(args, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    code = main([a.replace("{tmp}", str(tmp_path)) for a in args], stdout=out, stderr=err)
    return code, out.getvalue() + err.getvalue(), time.monotonic() - started


@pytest.mark.parametrize("limit", sorted(LIMITS))
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_limit_stops_each_command(name, limit, tmp_path, monkeypatch):
    if name == "scan" and limit == "max-states":
        args = ["scan", "models/rfc9293.tcp", "--max-states", "300"]
    else:
        args = COMMANDS[name] + LIMITS[limit][0]
    code, text, seconds = run(args, tmp_path)
    assert code == 3, text
    assert "Traceback" not in text and "internal error" not in text
    assert any(word in text for word in LIMITS[limit][1]), text
    assert seconds < 30  # every model here takes far longer to explore completely
    for claim in (" holds\n", "  holds ", "no difference within"):
        assert claim not in text.replace("holds up to", ""), text
