"""Diagnostics: every user-facing problem with a model, as data.

Nothing here prints.  A :class:`Diagnostic` carries a stable ``code`` (tests assert on
codes, not wording, so messages can improve), a severity, a message and the source
:class:`Span` it is about.  :class:`ModelError` is the one root error the language stage
raises; it carries every error found, so a user sees them all at once.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable


@dataclass(frozen=True)
class Span:
    """A place in a source file: 1-based line and column of the first character."""

    file: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NO_SPAN = Span("<python>", 0, 0)


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a model.  ``severity`` is ``"error"`` or ``"warning"``."""

    code: str
    message: str
    span: Span = NO_SPAN
    severity: str = "error"
    hint: str | None = None


class TcpcheckError(Exception):
    """Root of every error tcpcheck raises on purpose."""


class ModelError(TcpcheckError):
    """A model that cannot be used: one or more error diagnostics, plus any warnings."""

    def __init__(self, diagnostics: Iterable[Diagnostic], source: str | None = None):
        self.diagnostics = tuple(diagnostics)
        self.source = source
        # a variant's errors may lie in its base files: each file's text, by Span.file
        self.sources: dict[str, str] = {}
        first = self.diagnostics[0] if self.diagnostics else None
        super().__init__(f"{first.span}: {first.message}" if first else "invalid model")

    def source_for(self, span: Span) -> str | None:
        """The text of the file ``span`` lies in (``source`` unless ``sources`` knows it)."""
        return self.sources.get(span.file, self.source)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


class UsageError(TcpcheckError):
    """A command line or API call that asks for something that does not exist."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelled ``name``, as a hint, or None."""
    pool = sorted(set(candidates))
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
    return f"did you mean '{close[0]}'?" if close else None


@dataclass
class DiagnosticSink:
    """Collects diagnostics during lowering so that all errors are reported together."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.items.append(Diagnostic(code, message, span, "error", hint))

    def warning(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.items.append(Diagnostic(code, message, span, "warning", hint))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.items if d.severity == "warning")
