"""Did-you-mean hints within a budget.

A hint compares a name with every candidate (difflib), so a file with thousands of unknown
names among thousands of states would spend minutes on hints alone.  Only the first
:data:`HINTED_ERRORS` diagnostics of a stage get one: a reader fixes the first mistakes
first, and the rest are usually the same mistake again.
"""

from __future__ import annotations

from typing import Iterable

from tcpcheck.diagnostics import DiagnosticSink, did_you_mean

HINTED_ERRORS = 50


def suggest(sink: DiagnosticSink, name: str, candidates: Iterable[str]) -> str | None:
    """``did_you_mean(name, candidates)`` while ``sink`` holds fewer than HINTED_ERRORS
    diagnostics, else None."""
    if len(sink.items) >= HINTED_ERRORS:
        return None
    return did_you_mean(name, candidates)
