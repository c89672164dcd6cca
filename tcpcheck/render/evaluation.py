"""The table ``tcpcheck trace FILE --eval EXPR`` prints: one row per step, one column per
expression, then what the step did.  Pure: the values are computed by tcpcheck.trace.evaluate."""

from __future__ import annotations

from tcpcheck.render.values import value_text
from tcpcheck.trace.records import Trace
from tcpcheck.trace.evaluate import NoValue


def cell(value) -> str:
    """A value as tcpspec writes it; ``-`` where the expression means nothing, ``error:
    ...`` where it cannot be evaluated (x % 0)."""
    if isinstance(value, NoValue):
        return f"error: {value.reason}" if value.error else "-"
    if isinstance(value, frozenset):
        return value_text(tuple(sorted(value)))
    return value_text(value)


def table(trace: Trace, texts: list, rows: list) -> str:
    """``rows[i][k]``: the value of ``texts[k]`` after step i."""
    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(t)] + [len(r[k]) for r in cells]) for k, t in enumerate(texts)]
    line = lambda first, values, last: "  ".join(
        [f"{first:>4}"] + [f"{v:<{w}}" for v, w in zip(values, widths)] + [last]).rstrip()
    out = [line("step", texts, "action")]
    out += [line(str(step.index), row, step.summary) for step, row in zip(trace.steps, cells)]
    reasons = sorted({v.reason for row in rows for v in row
                      if isinstance(v, NoValue) and not v.error})
    if reasons:  # say once what a "-" stands for
        out += ["", "-: " + "; ".join(reasons)]
    return "\n".join(out)
