"""Golden files for the diagram and report tests (see tests/golden.py)."""

from __future__ import annotations

from pathlib import Path

from golden import check_golden

GOLDEN = Path(__file__).resolve().parent / "golden"


def assert_golden(name: str, text: str) -> None:
    """``text`` equals ``golden/NAME`` (TCPCHECK_UPDATE_GOLDEN=1 rewrites it)."""
    check_golden(GOLDEN / name, text)
