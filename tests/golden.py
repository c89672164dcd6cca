"""Golden files shared by every test directory: compare rendered output with a file, or
rewrite the file with ``TCPCHECK_UPDATE_GOLDEN=1`` (then review the diff like any other
change)."""

from __future__ import annotations

import os
from pathlib import Path


def check_golden(path: Path, text: str) -> None:
    """``text`` equals the file at ``path``; with TCPCHECK_UPDATE_GOLDEN=1 it is written."""
    if os.environ.get("TCPCHECK_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; run with TCPCHECK_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), (
        f"output differs from {path}; if the change is intended, rerun with "
        "TCPCHECK_UPDATE_GOLDEN=1 and review the diff")
