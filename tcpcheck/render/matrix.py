"""Rendering a variant matrix (tcpcheck/analyses/compare.py) as text, Markdown or JSON.

Every format shows the same table: a row per property, a column per model, and a last row
``explored`` with each model's states and time.  Only the seconds vary from run to run;
rows, columns and cells come out in the order the Matrix has them.

JSON (``tcpcheck compare --format json``)::

    {"schema": 1, "tcpcheck": VERSION,
     "models": [NAME, ...],                  # the columns, in command-line order
     "properties": [NAME, ...],              # the rows
     "cells": {PROPERTY: {MODEL: null | {"status", "kind", "length", "detail",
                                          "channel_full_states"}}},
     "stats": {MODEL: {"file", "checked", "states", "transitions", "seconds",
                       "complete", "stop_reason"}},
     "exit_code": 0 | 1 | 3}

A ``null`` cell: the model has no property of that name.  ``status`` is one of holds,
violated, reached, unreachable, not_verified; ``length`` the steps of the counterexample or
witness (null without one); ``channel_full_states`` as in ``check --json``: the states at
the channel's edge a safety verdict covers (0 for none).
"""

from __future__ import annotations

from tcpcheck import __version__
from tcpcheck.analyses.compare import Cell, Column, Matrix
from tcpcheck.render.json import SCHEMA_VERSION
from tcpcheck.result import LEMMA

CORNER, EXPLORED = "property", "explored"
WORDS = {"holds": "holds", "violated": "violated", "reached": "reached",
         "unreachable": "unreachable", "not_verified": "not verified"}
# Why a run stopped, worth saying next to its statistics; "decided" is a normal early stop
# that leaves every cell it reports decided, so it is not shown.
LIMIT_STOPS = ("max-states", "max-depth", "timeout", "max-memory", "interrupted", "terminated",
               "error", "stopped")


WITHIN_NOTE = ("within bounds (N full): the verdict covers every state explored, N of them "
               "with the "
               "channel full (a segment there waits for room to send its replies), so runs "
               "beyond the channel bound are not covered")


def cell_text(cell: Cell) -> str:
    """``holds``, ``violated (3)``, ``reached (4)``, ``unreachable``, ``not verified`` or
    ``-`` (the model has no such property); a safety verdict with states at the channel's
    edge says ``holds within bounds (19,000 full)`` (WITHIN_NOTE)."""
    if not cell.applicable:
        return "-"
    word = WORDS.get(cell.status, cell.status)
    if _within_bounds(cell):
        word += f" within bounds ({cell.channel_full:,} full)"
    return f"{word} ({cell.length})" if cell.length is not None else word


def _within_bounds(cell: Cell) -> bool:
    return bool(cell.channel_full) and cell.status in ("holds", "unreachable")


def notes(matrix: Matrix) -> list:
    """What a cell's words need said below the table (WITHIN_NOTE where one says it)."""
    cells = (c for row in matrix.rows for c in row)
    return [WITHIN_NOTE] if any(c.applicable and _within_bounds(c) for c in cells) else []


def column_text(column: Column) -> str:
    """The ``explored`` cell: states and seconds, and the limit that stopped the run."""
    if not column.checked:
        return "not checked"
    text = f"{column.states:,} states, {column.seconds:.2f} s"
    if column.stop_reason in LIMIT_STOPS:
        text += f" (stopped: {column.stop_reason})"
    return text


def row_label(matrix: Matrix, index: int) -> str:
    """A property's name, marked as check marks lemmas."""
    lemma = any(c.kind == LEMMA for c in matrix.rows[index])
    return matrix.properties[index] + (" (lemma)" if lemma else "")


def table(matrix: Matrix) -> list:
    """The header, a row per property and the explored row, as lists of strings."""
    header = [CORNER, *matrix.models]
    body = [[row_label(matrix, i), *(cell_text(c) for c in row)]
            for i, row in enumerate(matrix.rows)]
    return [header, *body, [EXPLORED, *(column_text(c) for c in matrix.columns)]]


def text(matrix: Matrix) -> str:
    """Columns padded to their widest cell, two spaces apart."""
    rows = table(matrix)
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines + [""] * bool(notes(matrix)) + notes(matrix))


def _md_escape(s: str) -> str:
    return s.replace("|", "\\|")


def markdown(matrix: Matrix) -> str:
    """A GitHub table; the explored row in italics to set it apart from the verdicts."""
    header, *body, explored = table(matrix)
    explored = [f"*{c}*" for c in explored]
    lines = ["| " + " | ".join(_md_escape(c) for c in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_md_escape(c) for c in r) + " |" for r in (*body, explored)]
    return "\n".join(lines + [""] * bool(notes(matrix)) + notes(matrix))


def cell_json(cell: Cell):
    if not cell.applicable:
        return None
    return {"status": cell.status, "kind": cell.kind, "length": cell.length,
            "detail": cell.detail, "channel_full_states": cell.channel_full}


def column_json(column: Column) -> dict:
    return {"file": column.file, "checked": column.checked, "states": column.states,
            "transitions": column.transitions, "seconds": round(column.seconds, 3),
            "complete": column.complete, "stop_reason": column.stop_reason}


def matrix_json(matrix: Matrix) -> dict:
    return {
        "schema": SCHEMA_VERSION,
        "tcpcheck": __version__,
        "models": list(matrix.models),
        "properties": list(matrix.properties),
        "cells": {p: {m: cell_json(c) for m, c in zip(matrix.models, row)}
                  for p, row in zip(matrix.properties, matrix.rows)},
        "stats": {c.name: column_json(c) for c in matrix.columns},
        "exit_code": matrix.exit_code,
    }
