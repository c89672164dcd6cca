"""Every shipped model's verdicts, state counts and counterexample lengths, as pinned in
models/manifest.json (regenerate with `python bench/make_manifest.py`).

Each model is checked as `tcpcheck check` checks it (``--engine auto``): natively where a C
compiler is here and the model is supported, else by the Python engine.  These tests are
about the models; that both engines agree on every shipped model is shown by
tests/native/test_native_differential.py, and a machine without a compiler (``CC=false``)
runs these on the Python engine."""

from __future__ import annotations

import json

import pytest

from tcpcheck.engine.registry import check
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"

MANIFEST = json.loads((MODELS / "manifest.json").read_text())


def test_every_model_file_is_in_the_manifest():
    # models/variants/ is pinned by tests/test_variants.py (a full check takes minutes)
    files = {str(p.relative_to(ROOT)) for p in MODELS.glob("**/*.tcp")
             if p.parent.name != "variants"}
    assert files == set(MANIFEST)


# checked (against this manifest too) in a test file of their own, so that the two test
# workers share the long runs
PINNED_ELSEWHERE = {"models/rfc9293.tcp": "tests/test_rfc9293.py",
                    "models/linux.tcp": "tests/test_linux.py"}


@pytest.mark.parametrize("path", sorted(set(MANIFEST) - set(PINNED_ELSEWHERE)))
def test_model_matches_manifest(path):
    expected = MANIFEST[path]
    result = check(load_file(ROOT / path), CheckOptions())
    got = {p.name: {"status": p.status, "trace_length": len(p.trace) if p.trace else None}
           for p in result.properties}
    assert got == expected["properties"]
    assert result.complete == expected["complete"]
    assert result.stats.states == expected["states"]
    assert result.stats.transitions == expected["transitions"]
    assert result.stats.diameter == expected["diameter"]
