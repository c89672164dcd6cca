"""Rendering a port scan (tcpcheck/analyses/scan.py) as text, Markdown or JSON.

Every format has the same two parts: the table (a row per control state of the endpoint, a
column per probe: the reply's flags and nmap's conclusion) and the replies in detail (in
RFC 9293's notation, ``SEG`` being the probe, with the transitions that gave them, the
state afterwards and, where they differ, the replies to the connection's own numbers).
Text fits in 100 columns and is the same for the same input (the seconds are only in JSON).

JSON (``tcpcheck scan --json``, spec/JSON.md)::

    {"schema": 1, "tcpcheck": VERSION, "model", "file", "endpoint", "seqspace",
     "probes": [{"name", "flags", "scan"}],
     "explored": {"states", "complete", "stop_reason", "seconds"},
     "rows": [{"state", "reached", "global_states", "valuations",
               "cells": {PROBE: {"replies": [REPLY], "conclusions", "depends_on_numbers",
                                 "own_numbers": [REPLY], "foreign_valuations", "errors"}}}]}
    REPLY = {"segments": [{"flags", "seq", "ack"}], "rfc", "transitions", "after",
             "deliveries", "conclusion"}
"""

from __future__ import annotations

import textwrap

from tcpcheck import __version__
from tcpcheck.model import ir
from tcpcheck.render.json import SCHEMA_VERSION
from tcpcheck.analyses.scan import PROBES, Cell, Reply, ScanResult, conclusion

WIDTH = 17  # a probe column, with its gap
LINE = 100  # the text format's width
DEPENDS, NO_FOREIGN = "*", "!"

EXPLANATION = """\
Probes as an off-path scanner (nmap) sends them, delivered by the model's recv transitions:
SYN, ACK, FIN, NULL (no flag), Xmas (FIN+PSH+URG).  Every sequence number is tried; the table
shows the replies to numbers foreign to the endpoint (held by none of its seq variables; ack
0 without ACK; ghost fields at their lowest value).  nmap reads SYN+ACK or SYN as open, RST
as closed (ACK scan: unfiltered) and silence as filtered (FIN, NULL, Xmas: open|filtered); a
bare ACK counts as silence.  There is no ICMP in the model."""


# ---- words --------------------------------------------------------------------------------

def flags_cell(cell: Cell) -> list:
    """The reply alternatives' flags (``RST``, ``none``), and a mark when they depend on the
    numbers or no number was foreign."""
    if cell.errors and not cell.replies and not cell.own:
        return ["error"]
    replies = cell.replies or cell.own
    words = [r.flags for r in replies] + (["error"] if cell.errors else [])
    mark = NO_FOREIGN if not cell.replies else DEPENDS if cell.depends else ""
    words[-1] += mark and f" {mark}"
    return words


def conclusions_cell(cell: Cell) -> list:
    if cell.replies:
        return list(cell.conclusions)
    return list(dict.fromkeys(conclusion(cell.probe, r.bits) for r in cell.own))


def reply_text(r: Reply, state: str) -> str:
    """``<SEQ=SEG.ACK><CTL=RST> [listen_ack_rst]``, ``none (discarded)``, ``-> STATE``."""
    if r.segments:
        text = r.rfc()
    else:
        text = "none"
    took = [t for t in r.transitions if t is not None]
    if took:
        text += " [" + ", ".join(took) + "]"
    if None in r.transitions:
        text += " (discarded)" if not took else " (or discarded)"
    moved = [a for a in r.after if a != state]
    if moved:
        text += " -> " + " | ".join(r.after)
    return text


def _wrap(words: list, width: int) -> list:
    """Alternatives joined by `` | `` on as few lines as fit ``width``."""
    lines: list = []
    for w in words:
        if lines and len(lines[-1]) + 3 + len(w) <= width:
            lines[-1] += " | " + w
        else:
            lines.append(("| " if lines else "") + w)
    return lines or [""]


def heading(result: ScanResult) -> str:
    return f"scan of {result.endpoint} in {result.model} ({result.file})"


def explored_text(result: ScanResult) -> str:
    text = f"sequence numbers modulo {result.seqspace}; explored {result.states:,} global states"
    if result.complete:
        return text + " (all reachable)"
    why = {"max-states": "the state limit", "timeout": "the time limit",
           "interrupted": "an interrupt", "terminated": "a termination signal (SIGTERM)",
           "max-memory": "the memory limit",
           "error": "a transition that failed to evaluate (see `tcpcheck check`, domains)"}.get(
        result.stop_reason, "a limit")
    return (text + f", stopped at {why}: a state shown as not reached, or a reply, may be "
            "missing")


def _counts(row) -> str:
    s = "" if row.global_states == 1 else "s"
    v = "" if row.valuations == 1 else "s"
    return f"{row.global_states:,} global state{s}, {row.valuations:,} valuation{v} probed"


def _notes(result: ScanResult) -> list:
    cells = [c for row in result.rows for c in row.cells]
    notes = []
    if any(c.replies and c.depends for c in cells):
        notes.append(f"{DEPENDS} the reply is different when the probe carries the connection's "
                     "own numbers (below)")
    if any(not c.replies and c.own for c in cells):
        notes.append(f"{NO_FOREIGN} no number is foreign to the endpoint here (every value is "
                     "held by a variable): replies to its own numbers")
    if not result.complete and any(not row.reached for row in result.rows):
        notes.append("not reached: not among the global states explored")
    return notes


# ---- text ---------------------------------------------------------------------------------

def text(result: ScanResult) -> str:
    first = max([len(r.state) for r in result.rows] + [len("state")]) + 2
    out = _fill(heading(result), "", "    ") + [""]
    out.append(("state".ljust(first) + "".join(p.name.ljust(WIDTH) for p in PROBES)).rstrip())
    out.append(("-" * (first - 2)).ljust(first)
               + "".join(("-" * (WIDTH - 2)).ljust(WIDTH) for _ in PROBES).rstrip())
    for row in result.rows:
        if not row.reached:
            out.append((row.state.ljust(first) + "not reached").rstrip())
            continue
        flags = [_wrap(flags_cell(c), WIDTH - 2) for c in row.cells]
        words = [_wrap(conclusions_cell(c), WIDTH - 2) for c in row.cells]
        flag_h = max(len(f) for f in flags)  # conclusions start on the same line everywhere
        padded = [f + [""] * (flag_h - len(f)) + w for f, w in zip(flags, words)]
        height = max(len(p) for p in padded)
        for i in range(height):
            label = row.state if i == 0 else ""
            cells = "".join((p[i] if i < len(p) else "").ljust(WIDTH) for p in padded)
            out.append((label.ljust(first) + cells).rstrip())
    notes = _notes(result)
    for n in notes:
        out.extend(([""] if n is notes[0] else []) + _fill(n, "", "  "))
    out.append("")
    out.append("replies (SEG is the probe; names are the endpoint's variables):")
    for row in result.rows:
        if not row.reached:
            continue
        out.append(f"{row.state}: {_counts(row)}")
        for c in row.cells:
            out.extend(_detail_lines(c, row.state))
    out.append("")
    out.extend(_fill(explored_text(result), "", ""))
    out.append("")
    out.extend(EXPLANATION.splitlines())
    return "\n".join(out)


def _detail_lines(c: Cell, state: str) -> list:
    pad = " " * 8
    lines = []
    main = c.replies if c.replies else c.own
    for i, r in enumerate(main):
        lead = ("  " + c.probe).ljust(len(pad)) if i == 0 else pad
        lines.extend(_fill(reply_text(r, state), lead, pad + "    "))
    if not main:
        lines.append(("  " + c.probe).ljust(len(pad)) + "no delivery")
    if c.replies and c.depends:
        lead = pad + "own numbers: "
        for i, r in enumerate(c.own):
            first = lead if i == 0 else " " * len(lead)
            lines.extend(_fill(reply_text(r, state), first, " " * (len(lead) + 4)))
    for err in c.errors:
        lines.extend(_fill(f"error: {err}", pad, pad + "    "))
    return lines


def _fill(text_: str, first: str, rest: str) -> list:
    return textwrap.wrap(text_, LINE, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False, break_long_words=False) or [first.rstrip()]


# ---- Markdown -----------------------------------------------------------------------------

def _md(text_: str) -> str:
    """Plain words in a GitHub table cell: the characters Markdown would read escaped."""
    for ch in "\\|*_<>[]":
        text_ = text_.replace(ch, "\\" + ch)
    return text_


def _code(text_: str) -> str:
    """A reply as a code span (a table cell still needs its ``|`` escaped)."""
    return "`" + text_.replace("|", "\\|") + "`"


def markdown(result: ScanResult) -> str:
    out = [f"**{_md(heading(result))}**", ""]
    out.append("| state | " + " | ".join(p.name for p in PROBES) + " |")
    out.append("|---" * (len(PROBES) + 1) + "|")
    for row in result.rows:
        if not row.reached:
            out.append(f"| {row.state} | " + " | ".join(["not reached"] + [""] * (len(PROBES) - 1))
                       + " |")
            continue
        cells = [f"{_md(' | '.join(flags_cell(c)))}: {_md(' | '.join(conclusions_cell(c)))}"
                 for c in row.cells]
        out.append(f"| {row.state} | " + " | ".join(cells) + " |")
    notes = _notes(result)
    if notes:
        out.append("")
        out.extend(f"{_md(n)}  " for n in notes)
    out.append("")
    out.append("| state | probe | reply (SEG is the probe) | the connection's own numbers |")
    out.append("|---|---|---|---|")
    for row in result.rows:
        if not row.reached:
            continue
        for c in row.cells:
            main = c.replies if c.replies else c.own
            reply = " \\| ".join(_code(reply_text(r, row.state)) for r in main) or "no delivery"
            if c.errors:
                reply += " " + "; ".join(_md(f"error: {e}") for e in c.errors)
            own = (" \\| ".join(_code(reply_text(r, row.state)) for r in c.own)
                   if c.replies and c.depends else "the same")
            out.append(f"| {row.state} | {c.probe} | {reply} | {own} |")
    out.append("")
    out.append(f"_{_md(explored_text(result))}; "
               + "; ".join(f"{_md(row.state)}: {_md(_counts(row))}" for row in result.rows
                           if row.reached) + "_")
    out.append("")
    out.append(" ".join(_md(line) for line in EXPLANATION.splitlines()))
    return "\n".join(out)


# ---- JSON ---------------------------------------------------------------------------------

def _flag_list(bits: int) -> list:
    return [n for n in ir.FLAG_NAMES if bits & ir.Flag[n]]


def reply_json(r: Reply, probe: str) -> dict:
    return {"segments": [{"flags": _flag_list(b), "seq": s.seq, "ack": s.ack}
                         for s, b in zip(r.segments, r.bits)],
            "rfc": r.rfc(), "transitions": list(r.transitions), "after": list(r.after),
            "deliveries": r.deliveries, "conclusion": conclusion(probe, r.bits)}


def cell_json(c: Cell) -> dict:
    return {"replies": [reply_json(r, c.probe) for r in c.replies],
            "conclusions": list(c.conclusions),
            "depends_on_numbers": c.depends,
            "own_numbers": [reply_json(r, c.probe) for r in c.own],
            "foreign_valuations": c.foreign_valuations,
            "errors": list(c.errors)}


def scan_json(result: ScanResult) -> dict:
    return {
        "schema": SCHEMA_VERSION,
        "tcpcheck": __version__,
        "model": result.model,
        "file": result.file,
        "endpoint": result.endpoint,
        "seqspace": result.seqspace,
        "probes": [{"name": p.name, "flags": _flag_list(p.flags), "scan": p.scan}
                   for p in PROBES],
        "explored": {"states": result.states, "complete": result.complete,
                     "stop_reason": result.stop_reason, "seconds": round(result.seconds, 3)},
        "rows": [{"state": row.state, "reached": row.reached,
                  "global_states": row.global_states, "valuations": row.valuations,
                  "cells": {c.probe: cell_json(c) for c in row.cells}}
                 for row in result.rows],
    }
