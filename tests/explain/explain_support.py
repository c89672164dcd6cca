"""Shared helpers for the explanation tests: model paths and golden files."""

from __future__ import annotations

from pathlib import Path

from tcpcheck.loader import load_file
from golden import check_golden

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
GOLDEN = Path(__file__).resolve().parent / "golden"
TWO_WAY = MODELS / "two_way_handshake.tcp"
THREE_WAY = MODELS / "three_way_handshake.tcp"
TEARDOWN_NO_TW = MODELS / "teardown_no_time_wait.tcp"


def load(path, **overrides):
    return load_file(path, overrides or None)


def assert_golden(name: str, sentences) -> None:
    """The sentences, one per line, equal ``golden/NAME`` (TCPCHECK_UPDATE_GOLDEN=1 rewrites it)."""
    check_golden(GOLDEN / name, "\n".join(sentences) + "\n")