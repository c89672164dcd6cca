"""Every shipped model's verdicts, state counts and counterexample lengths, as pinned in
models/manifest.json (regenerate with `python bench/make_manifest.py`).

Each model is checked as `tcpcheck check` checks it (``--engine auto``): natively where a C
compiler is here and the model is supported, else by the Python engine.  These tests are
about the models; that both engines agree on every shipped model is shown by
tests/native/test_native_differential.py, and a machine without a compiler (``CC=false``)
runs these on the Python engine."""

from __future__ import annotations

import pytest

from tcpcheck.engine.registry import check
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file

from manifest_pin import MANIFEST, ROOT, assert_matches_manifest

MODELS = ROOT / "models"


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
    assert_matches_manifest(path, check(load_file(ROOT / path), CheckOptions()))
