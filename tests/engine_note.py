"""The native engine in tests that are not about it: whether a C compiler is here, and a
run's stderr without the one-line note `check --engine auto` prints when it falls back to
the Python engine (a machine without a compiler prints it for every check)."""

from __future__ import annotations

import functools

import pytest

from tcpcheck.native import build

FALLBACK_NOTE = "note: using the Python engine"


@functools.lru_cache(maxsize=None)
def has_compiler() -> bool:
    """Whether $CC (cc by default) is there and answers --version."""
    try:
        build.working_compiler()
    except build.BuildFailed:
        return False
    return True


needs_cc = pytest.mark.skipif(not has_compiler(), reason="no working C compiler ($CC, cc) here")


def without_fallback_note(err: str) -> str:
    return "".join(line for line in err.splitlines(keepends=True)
                   if not line.startswith(FALLBACK_NOTE))
