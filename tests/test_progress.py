"""The progress line every long-running command shows on a terminal
(tcpcheck/commands/_common.py): nothing for a run under a second, at most four updates a
second after that, and `clear` wipes exactly what was written."""

import io

from tcpcheck.commands import _common
from tcpcheck.commands._common import ProgressLine, is_terminal


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_quick_runs_show_nothing_and_long_ones_a_throttled_line(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(_common.time, "monotonic", clock)
    out = io.StringIO()
    line = ProgressLine(out)
    clock.now += 0.9
    line.show("early")
    assert out.getvalue() == "" and not line.shown
    clock.now += 0.2
    line.show("  12 states")
    clock.now += 0.1
    line.show("too soon")  # within a quarter of a second of the last update
    clock.now += 0.3
    line.show("  9 st")
    assert out.getvalue() == "\r  12 states\r  9 st     "
    line.clear()
    assert out.getvalue().endswith("\r" + " " * 11 + "\r") and not line.shown


def test_only_a_terminal_counts():
    assert not is_terminal(io.StringIO())
    assert not is_terminal(object())
