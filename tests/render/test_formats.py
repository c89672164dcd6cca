"""--format on the command line, and the format table behind it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tcpcheck.cli import main
from tcpcheck.diagnostics import UsageError
from tcpcheck.render.formats import DEFAULT_FORMAT, TRACE_FORMATS, render_trace
from render.render_support import two_way_trace

TWO_WAY = str(Path(__file__).resolve().parents[2] / "models" / "two_way_handshake.tcp")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*argv, stdout=None):
    out, err = stdout or io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_the_default_is_the_sequence_chart():
    assert DEFAULT_FORMAT == "chart"
    code, out, _ = run("check", TWO_WAY)
    assert code == 1 and "no_stale_accept      VIOLATED  (counterexample: 3 steps)" in out
    assert "SYN seq=0 conn=0 (sent at step 1)" in out and "|----" in out
    assert "client calls OPEN" not in out and "\x1b[" not in out  # not a terminal


@pytest.mark.parametrize("fmt, marker", [
    ("steps", "    1. client calls OPEN [connect]; sends SYN seq=0 conn=0"),
    ("rfc", "SYN-SENT    --> <SEQ=0><CTL=SYN><conn=0>"),
    ("mermaid", "sequenceDiagram\n    title two_way_handshake"),
    ("svg", '<g class="step" data-step="3">'),
])
def test_each_format_on_the_command_line(fmt, marker):
    code, out, err = run("check", TWO_WAY, "--format", fmt)
    assert code == 1 and marker in out
    # the text formats sit among the verdicts; a file format is the run alone, the
    # verdicts on stderr (tests/render/test_check_files.py)
    assert (out if fmt in ("steps", "rfc") else err).count("VIOLATED") == 1


def test_an_unknown_format_is_a_usage_error():
    code, _, err = run("check", TWO_WAY, "--format", "pdf")
    assert code == 2 and "invalid choice: 'pdf'" in err and "Traceback" not in err
    with pytest.raises(UsageError, match="unknown trace format 'pdf'"):
        render_trace(two_way_trace(), "pdf")


def test_colour_on_a_terminal_unless_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    _, out, _ = run("check", TWO_WAY, stdout=_Terminal())
    assert "\x1b[1mESTABLISHED\x1b[0m" in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run("check", TWO_WAY, stdout=_Terminal())
    assert "\x1b[" not in out and "ESTABLISHED" in out


def test_the_table_is_what_render_trace_uses():
    trace = two_way_trace()
    assert set(TRACE_FORMATS) >= {"chart", "steps", "rfc", "mermaid", "svg"}
    for name in ("chart", "steps", "rfc", "mermaid", "svg"):
        assert render_trace(trace, name) == TRACE_FORMATS[name](trace, full=False, color=False)
    assert render_trace(trace, "chart", full=True) != render_trace(trace, "chart")


def test_prove_prints_the_32_bit_run_as_a_chart_within_80_columns():
    code, out, _ = run("prove", TWO_WAY, "--depth", "3", "-p", "no_stale_accept")
    assert code == 1 and "(sent at" in out and "step 1)" in out and "[syn_in]" in out
    chart = out.split("Counterexample for no_stale_accept", 1)[1].split("\n", 1)[1]
    chart = chart.rsplit("\n\n", 1)[0]  # without the timing line
    assert max(len(line) for line in chart.splitlines()) <= 80
    code, out, _ = run("prove", TWO_WAY, "--depth", "3", "-p", "no_stale_accept",
                       "--format", "rfc")
    assert code == 1 and "<CTL=SYN>" in out and "SYN-SENT" in out
