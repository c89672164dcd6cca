"""Start-up pays for what the command uses: a command line that names a subcommand imports
that subcommand's module alone, and a trace format's renderer only when a trace is drawn.
Each case runs in a fresh interpreter, since this one has imported everything already."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THREE_WAY = str(ROOT / "models" / "three_way_handshake.tcp")
TWO_WAY = str(ROOT / "models" / "two_way_handshake.tcp")

# run the CLI in-process, then print the tcpcheck modules (and z3) it imported
PROBE = """
import io, sys
from tcpcheck.cli import main
code = main(sys.argv[1:], io.StringIO(), io.StringIO())
print(code)
print(" ".join(sorted(m for m in sys.modules if m.startswith(("tcpcheck", "z3")))))
"""


def imported(*argv):
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=True)
    code, modules = done.stdout.splitlines()[-2:]
    return int(code), set(modules.split())


def test_parse_imports_no_engine_renderer_or_other_command():
    code, modules = imported("parse", THREE_WAY)
    assert code == 0
    assert "tcpcheck.commands.parse" in modules and "tcpcheck.lang.parser" in modules
    for unused in ("tcpcheck.commands.check", "tcpcheck.commands.prove", "tcpcheck.explicit",
                   "tcpcheck.native", "tcpcheck.symbolic", "z3", "tcpcheck.explain",
                   "tcpcheck.render.svg", "tcpcheck.render.report", "tcpcheck.analyses"):
        assert unused not in modules, unused


def test_check_draws_its_trace_without_the_other_formats_or_the_prover():
    code, modules = imported("check", TWO_WAY)
    assert code == 1  # the stale-SYN counterexample, drawn as a chart
    assert "tcpcheck.render.chart" in modules
    for unused in ("tcpcheck.symbolic", "z3", "tcpcheck.render.svg", "tcpcheck.render.mermaid",
                   "tcpcheck.explain", "tcpcheck.commands.prove", "tcpcheck.analyses"):
        assert unused not in modules, unused


def test_help_still_lists_every_command():
    from tcpcheck import commands

    code, modules = imported("--help")
    assert code == 0
    assert {f"tcpcheck.commands.{name}" for name in commands.names()} <= modules
