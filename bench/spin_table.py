"""The side-by-side table of bench/compare_spin.py, from Run records (bench/spin_runs.py):
plain text (one line per run), Markdown (the README's: one row per tcpcheck engine with
SPIN beside it) and JSON, and back from a saved JSON run (--from-json), so that a long run
is rendered again without running anything.

Ratios are tcpcheck / SPIN, each taken between figures of the same kind: cold time to
verdict against SPIN's spin -a + gcc + pan, cached time against pan alone, bytes per
state against pan's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from spin_runs import FALLBACK, SPIN_STATES, Run

SCHEMA = 2  # 2: cold and cached times, backend, note


# -- grouping and comparing ----------------------------------------------------------------------
@dataclass(frozen=True)
class Group:
    """The runs of one model, size and mode: SPIN's (if it ran) and tcpcheck's."""

    spin: Run | None
    tcpcheck: tuple

    @property
    def runs(self) -> tuple:
        return ((self.spin,) if self.spin else ()) + self.tcpcheck


def grouped(runs: list) -> list:
    """Runs grouped by (model, K, N, mode), in the order first seen."""
    order: dict = {}
    for r in runs:
        order.setdefault(r.key, []).append(r)
    return [Group(next((r for r in rs if r.tool == "spin"), None),
                  tuple(r for r in rs if r.tool != "spin")) for rs in order.values()]


def ratio(a, b) -> float | None:
    return a / b if a and b else None


def time_ratio(run: Run, spin: Run | None) -> float | None:
    """Cold time to verdict, tcpcheck / SPIN (spin -a + gcc + pan)."""
    return None if _unusable(run, spin) else ratio(run.seconds, spin.seconds)


def cached_ratio(run: Run, spin: Run | None) -> float | None:
    """tcpcheck's cached run / pan alone (the Python engine: its one run)."""
    if _unusable(run, spin):
        return None
    return ratio(run.cached_seconds or run.seconds, spin.cached_seconds)


def memory_ratio(run: Run, spin: Run | None) -> float | None:
    return None if _unusable(run, spin) else ratio(run.bytes_per_state, spin.bytes_per_state)


def _unusable(run: Run, spin: Run | None) -> bool:
    return spin is None or bool(spin.error) or bool(run.error)


def states_equal(run: Run, spin: Run | None) -> str:
    """yes / NO against SPIN's run, or against its recorded count when SPIN did not run;
    n/a for a verdict row (each tool stops at its first violation, in its own order)."""
    if run.error or run.states is None:
        return "-"
    if run.mode == "verdict":
        return "n/a"
    if spin is not None and not spin.error:
        return "yes" if run.states == spin.states else "NO"
    recorded = SPIN_STATES.get((run.model, run.K, run.N))
    if recorded is None:
        return "-"
    return "yes (recorded)" if run.states == recorded else "NO (recorded)"


def mismatches(runs: list) -> list:
    """tcpcheck runs whose state count differs from SPIN's (run or recorded)."""
    return [r for g in grouped(runs) for r in g.tcpcheck if states_equal(r, g.spin).startswith("NO")]


# -- formatting ---------------------------------------------------------------------------------
def num(x, fmt="{:,}") -> str:
    return "-" if x is None else fmt.format(x)


def times(x) -> str:
    return "-" if x is None else f"{x:.1f}x" if x >= 0.95 else f"{x:.2f}x"


def engine_label(run: Run) -> str:
    return f"{run.tool} ({FALLBACK})" if run.backend == FALLBACK else run.tool


def verdict_text(run: Run) -> str:
    if run.error:
        return run.error
    if run.backend == FALLBACK and run.states is None:
        return f"{FALLBACK} (not run at this size)"
    return "whole space" if run.mode == "full" else run.verdict


COLUMNS = ("model", "K", "N", "mode", "tool", "states", "transitions", "verdict", "cex",
           "cold s", "cached s", "search s", "states/s", "peak MB", "B/state",
           "cold ratio", "cached ratio", "B/state ratio", "states eq")
LEFT = {0, 3, 4, 7, 18}  # columns aligned left; the others are numbers


def text_rows(runs: list) -> list:
    rows = []
    for g in grouped(runs):
        for r in g.runs:
            own = r is g.spin
            rows.append((r.model, str(r.K), str(r.N), r.mode, engine_label(r),
                         num(r.states), num(r.transitions), verdict_text(r), num(r.cex_length),
                         num(r.seconds, "{:.2f}"), num(r.cached_seconds, "{:.2f}"),
                         num(r.search_seconds, "{:.2f}"), num(r.rate, "{:,.0f}"),
                         num(r.peak_mb, "{:.0f}"), num(r.bytes_per_state, "{:,.0f}"),
                         "-" if own else times(time_ratio(r, g.spin)),
                         "-" if own else times(cached_ratio(r, g.spin)),
                         "-" if own else times(memory_ratio(r, g.spin)),
                         "-" if own else states_equal(r, g.spin)))
    return rows


TEXT_NOTE = """\
cold s: time to verdict of a first run (SPIN: spin -a + gcc + pan; tcpcheck: `check` with an
empty native cache, so C generation and cc included); cached s: SPIN: pan alone, tcpcheck: a
second run on the same cache (the Python engine: one run); search s: the tool's own time for
its search; states/s: states / search s; peak MB: the verifier process's maximum resident
set (tcpcheck: the cached run's); ratios: tcpcheck / SPIN."""


def render_text(runs: list) -> str:
    rows = text_rows(runs)
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c)
              for i, c in enumerate(COLUMNS)]

    def line(cells) -> str:
        return "  ".join(c.ljust(w) if i in LEFT else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    lines = [line(COLUMNS), line(["-" * w for w in widths]), *map(line, rows)]
    fallbacks = sorted({r.note for r in runs if r.backend == FALLBACK and r.note})
    notes = [f"{FALLBACK}: the native engine refused the model ({why})" for why in fallbacks]
    return "\n".join([*lines, "", TEXT_NOTE, *notes]) + "\n"


MD_HEAD = ("| model | K | N | mode | tcpcheck engine | states SPIN / tcpcheck | verdict | "
           "cex SPIN / tcpcheck | time to verdict, cold: SPIN / tcpcheck (ratio) | "
           "cached: pan / tcpcheck (ratio) | states/s SPIN / tcpcheck | peak MB SPIN / tcpcheck "
           "| bytes/state SPIN / tcpcheck (ratio) |")


def _pair(spin: Run | None, run: Run, attr: str, fmt: str) -> str:
    left = "-" if spin is None else num(getattr(spin, attr), fmt)
    return f"{left} / {num(getattr(run, attr), fmt)}"


def markdown_row(g: Group, r: Run) -> str:
    s = g.spin
    verdict = verdict_text(r)
    if r.mode != "full" and s is not None and verdict_text(s) != verdict:
        verdict = f"{verdict_text(s)} / {verdict}"
    states = _pair(s, r, "states", "{:,}")
    if states_equal(r, s).startswith("yes"):
        states = f"{num(r.states)} (equal)"
    cached = r.cached_seconds if r.cached_seconds is not None else r.seconds
    cells = [r.model, str(r.K), str(r.N), r.mode, engine_label(r), states, verdict,
             _pair(s, r, "cex_length", "{:,}"),
             f"{_pair(s, r, 'seconds', '{:.2f}')} ({times(time_ratio(r, s))})",
             f"{num(s and s.cached_seconds, '{:.2f}')} / {num(cached, '{:.2f}')} "
             f"({times(cached_ratio(r, s))})",
             _pair(s, r, "rate", "{:,.0f}"), _pair(s, r, "peak_mb", "{:.0f}"),
             f"{_pair(s, r, 'bytes_per_state', '{:,.0f}')} ({times(memory_ratio(r, s))})"]
    return "| " + " | ".join(cells) + " |"


def render_markdown(runs: list) -> str:
    rows = [markdown_row(g, r) for g in grouped(runs) for r in g.tcpcheck]
    return "\n".join([MD_HEAD, "|" + "---|" * MD_HEAD.count(" | ") + "---|", *rows]) + "\n"


# -- JSON ----------------------------------------------------------------------------------------
def to_json(runs: list, meta: dict) -> str:
    return json.dumps({"schema": SCHEMA, **meta, "runs": [r.to_json() for r in runs]}, indent=2)


def from_json(text: str) -> tuple:
    """(runs, meta) from to_json's text; ValueError when it is not such a run."""
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
        raise ValueError("not a compare_spin.py --json run (no 'runs' list)")
    meta = {k: v for k, v in data.items() if k not in ("runs", "schema")}
    try:
        return [Run.from_json(r) for r in data["runs"]], meta
    except TypeError as err:
        raise ValueError(f"a run in the file is incomplete: {err}") from None
