"""Shared test helpers: paths and a loader for models written inline."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"


@pytest.fixture
def models_dir() -> Path:
    return MODELS


# The files that take longest, scheduled first: the workers take whole files (--dist
# loadfile) in collection order, and a long file begun last keeps one worker busy while the
# other waits.  The order of the tests inside a file, and of every other file, is kept.
LONGEST_FIRST = (
    "tests/test_rfc9293.py",  # the complete RFC 9293 model with liveness, Python engine
    "tests/native/test_native_generated.py",
    "tests/native/test_native_differential.py",
    "tests/symbolic/test_agreement.py",
    "tests/symbolic/test_isn_clock.py",
)


def pytest_collection_modifyitems(items):
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))
