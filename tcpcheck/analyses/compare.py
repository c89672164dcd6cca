"""The variant matrix: the same properties checked on several models, side by side.

``tcpcheck compare`` (tcpcheck/commands/compare.py) runs the explicit checker on each model
and gathers the verdicts into a :class:`Matrix`: a row per property name, a column per
model.  Nothing here prints; tcpcheck/render/matrix.py turns a Matrix into text, Markdown or
JSON.

A cell is one of the statuses of tcpcheck.result, or *not applicable* (``status is None``)
when the model has no property of that name.  A property the model has but whose check was
cut short is ``not_verified``, never ``holds``: the matrix says no more than the checker did.
"""

from __future__ import annotations

from dataclasses import dataclass

from tcpcheck.diagnostics import UsageError, did_you_mean
from tcpcheck.engine import registry
from tcpcheck.explicit import CheckOptions
from tcpcheck.explicit.checker import DOMAINS
from tcpcheck.result import NOT_VERIFIED, CheckResult, exit_code_of

# A property the model has but the result does not mention: only the built-in `domains`,
# which the checker leaves out when it stopped early because every other property was
# decided.  It was not verified, so the cell must not look like "not applicable".
UNREPORTED = "the check stopped before deciding it (the model's other properties were decided)"


@dataclass(frozen=True)
class Cell:
    """One model's verdict on one property; ``status`` None means the model has no such
    property."""

    status: str | None
    kind: str | None = None
    length: int | None = None  # steps of the counterexample or witness, if there is one
    detail: str | None = None
    channel_full: int = 0  # a safety verdict's states at the channel's edge (PropertyResult)

    @property
    def applicable(self) -> bool:
        return self.status is not None


NOT_APPLICABLE = Cell(None)


@dataclass(frozen=True)
class Column:
    """A model of the matrix and what its check explored.  ``checked`` is False when the
    model has none of the selected properties, so there was nothing to run."""

    name: str
    file: str | None
    checked: bool
    states: int = 0
    transitions: int = 0
    seconds: float = 0.0
    complete: bool = False
    stop_reason: str | None = None


@dataclass(frozen=True)
class Matrix:
    columns: tuple  # of Column, in the order the models were given
    properties: tuple  # of str, the row names
    rows: tuple  # rows[i][j]: the Cell of properties[i] in columns[j]

    @property
    def models(self) -> tuple:
        return tuple(c.name for c in self.columns)

    def cell(self, prop: str, model: str) -> Cell:
        return self.rows[self.properties.index(prop)][self.models.index(model)]

    @property
    def exit_code(self) -> int:
        """As for check: 1 when a cell fails, else 3 when a cell is not verified, else 0."""
        return exit_code_of({c.status for row in self.rows for c in row})


def known_names(model) -> tuple:
    """Every name ``--property`` may select in ``model``: its properties, its lemmas and the
    built-in ``domains``."""
    return (*(p.name for p in model.properties), *(lem.name for lem in model.lemmas), DOMAINS)


def check_unique_names(models) -> None:
    """Columns are keyed by model name, so two models of the same name would be ambiguous."""
    seen = {}
    for index, m in enumerate(models):
        if m.name in seen:
            raise UsageError(f"{seen[m.name]} and {m.file} are both model '{m.name}'; "
                             "compare needs models with different names")
        seen[m.name] = m.file


def check_selection(models, names) -> tuple:
    """``names`` without repeats, in the order given; a usage error for one that no model
    has (a name only some models have is fine: the others get a not-applicable cell)."""
    everywhere = [n for m in models for n in known_names(m)]
    for name in names:
        if name not in everywhere:
            hint = did_you_mean(name, everywhere)
            raise UsageError(f"no model has a property '{name}'" + (f" ({hint})" if hint else "")
                             + f"; they have: {', '.join(dict.fromkeys(everywhere))}")
    return tuple(dict.fromkeys(names))


def cell_of(result: CheckResult | None, model, name: str) -> Cell:
    """The cell of property ``name`` for ``model``, checked as ``result`` (None: not run)."""
    if name not in known_names(model):
        return NOT_APPLICABLE
    for p in result.properties if result is not None else ():
        if p.name == name:
            return Cell(p.status, p.kind, len(p.trace) if p.trace is not None else None,
                        p.detail, p.channel_full)
    return Cell(NOT_VERIFIED, detail=UNREPORTED)


def row_names(results) -> tuple:
    """Every property name the results report, in first-seen order (model by model)."""
    return tuple(dict.fromkeys(p.name for r in results if r is not None for p in r.properties))


def column_of(model, result: CheckResult | None) -> Column:
    if result is None:
        return Column(model.name, model.file, False)
    s = result.stats
    return Column(model.name, model.file, True, s.states, s.transitions, s.seconds,
                  result.complete, result.stop_reason)


def build_matrix(models, results, properties=None) -> Matrix:
    """The matrix of already computed ``results`` (one per model, None for a model that was
    not checked); rows are ``properties`` if given, else every property reported."""
    names = tuple(properties) if properties else row_names(results)
    rows = tuple(tuple(cell_of(r, m, n) for m, r in zip(models, results)) for n in names)
    return Matrix(tuple(column_of(m, r) for m, r in zip(models, results)), names, rows)


def compare(models, properties=None, *, max_states=None, timeout=None, max_memory_mb=None,
            progress=None, engine: str = "auto") -> Matrix:
    """Check every model (``max_states`` and ``timeout`` apply to each model separately) and
    build the matrix.  ``properties``: the rows to check and show; None for every model's
    properties (lemmas only when named).  ``progress(index, model name, states,
    transitions, depth, queue, seconds)`` is called as each model's check goes on."""
    models = tuple(models)
    check_unique_names(models)
    selected = check_selection(models, properties) if properties else None
    results = []
    for index, m in enumerate(models):
        # by default the model's properties, not its lemmas: lemmas are one model's proof
        # aids, not claims to compare across variants (name one with --property to see it)
        own = (tuple(p.name for p in m.properties) or None) if selected is None else \
            tuple(n for n in selected if n in known_names(m))
        if own == ():  # none of the selected properties is this model's: nothing to check
            results.append(None)
            continue
        report = None if progress is None else (
            lambda *figures, i=index, name=m.name: progress(i, name, *figures))
        # the fastest engine that can (the native one for safety properties): the same
        # verdicts as the reference, which checks what the native engine cannot
        results.append(registry.check(m, CheckOptions(
            properties=own, max_states=max_states, timeout=timeout,
            max_memory_mb=max_memory_mb, progress=report), engine))
    return build_matrix(models, results, selected)
