"""models/manifest.json, the pinned verdicts and figures of every shipped model, and the one
comparison of a check's result with it (tests/test_models.py, test_rfc9293.py,
test_linux.py)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((ROOT / "models" / "manifest.json").read_text())


def verdicts(result) -> dict:
    """Each property's (status, counterexample or witness length or None)."""
    return {p.name: (p.status, len(p.trace) if p.trace else None) for p in result.properties}


def assert_matches_manifest(path: str, result) -> None:
    """``result`` (a check of models/PATH as written) has the manifest's verdicts, trace
    lengths, completeness, state and transition counts and diameter."""
    expected = MANIFEST[path]
    got = {name: {"status": s, "trace_length": n} for name, (s, n) in verdicts(result).items()}
    assert got == expected["properties"]
    assert (result.complete, result.stats.states, result.stats.transitions,
            result.stats.diameter) == (expected["complete"], expected["states"],
                                       expected["transitions"], expected["diameter"])
