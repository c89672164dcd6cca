"""simulate's and swarm's numbers stay within what the walks can hold: a walk keeps its moves
(4 bytes a step in each native walker) and the native walks count runs and seeds in 64-bit
integers.  Beyond that: exit 2 with the range, never a crash or a silently wrapped value."""
import io
from pathlib import Path

import pytest

from engine_note import needs_cc
from tcpcheck.cli import main
from tcpcheck.loader import load_file

TWO = str(Path(__file__).resolve().parents[2] / "models" / "two_way_handshake.tcp")


@pytest.mark.parametrize("command, args, words", [
    ("simulate", ["--depth", str(2 ** 62 + 1)], "--depth: expected 1 to 10,000,000"),
    ("simulate", ["--runs", str(2 ** 64 + 1)], "--runs: expected 1 to"),
    ("simulate", ["--seed", "-1"], "--seed: expected 0 to"),
    ("swarm", ["--ray", "local", "--seed", "-5"], "--seed: expected 0 to"),
    ("swarm", ["--ray", "local", "--depth", "2500001"], "--depth: expected 1 to 2,500,000"),
    ("swarm", ["--ray", "local", "--tasks", "1000001"], "--tasks: expected 1 to 1,000,000"),
])
def test_numbers_beyond_the_walks_are_exit_2(command, args, words):
    out, err = io.StringIO(), io.StringIO()
    assert main([command, TWO, *args], out, err) == 2
    assert words in err.getvalue() and "Traceback" not in err.getvalue()


@needs_cc
def test_the_native_walks_refuse_a_depth_they_cannot_hold():
    from tcpcheck.limits import Watch
    from tcpcheck.native import runner

    native, why = runner.walk_engine(load_file(TWO))
    assert native is not None, why
    with pytest.raises(runner.NativeMismatch, match="depth of 1 to"):
        runner.walks(native, ("no_stale_accept",), 0, 1, 2 ** 31, False, 1, Watch())
