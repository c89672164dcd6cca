"""The result of ``tcpcheck simulate`` as text and as JSON.  A simulation never proves a
property, so the words used for what was not found are "not verified", never "holds"."""

from __future__ import annotations

from tcpcheck import __version__
from tcpcheck.render import json as render_json
from tcpcheck.render.formats import render_trace

NEVER_FIRED_SHOWN = 6  # never-fired transitions listed by name before "and N more"


def text(result, *, trace_format: str = "chart", full: bool = False,
         color: bool = False) -> str:
    lines = [f"simulation of {result.model}: {result.runs_done:,} of {result.runs:,} runs of "
             f"depth up to {result.depth}, seed {result.seed}, weighting {result.weighting}"]
    lines += verdict_lines(result, _status, "random walks", trace_format=trace_format,
                           full=full, color=color)
    if result.stop_reason is not None:
        lines.append(f"stopped early ({result.stop_reason}): partial result, not verified")
    lines.append(coverage(result))
    return "\n".join(lines)


def verdict_lines(result, status, judge: str, *, trace_format: str, full: bool,
                  color: bool) -> list:
    """Each property's verdict, ``status(p, result)``, with its run; then the liveness
    properties, which ``judge`` ("random walks", "a swarm") cannot judge."""
    lines = []
    for p in result.properties:
        lines.append(f"  {p.name}: {status(p, result)}")
        if p.trace is not None:
            lines.append(render_trace(p.trace, trace_format, full=full, color=color))
    for name in result.liveness:
        lines.append(f"  {name}: not judged (a liveness property; {judge} cannot judge it, "
                     "use `tcpcheck check`)")
    return lines


def _status(p, result) -> str:
    if p.status == "violated":
        how = (f"a shortest run has {len(p.trace)} steps (bounded search up to the "
               f"{p.found_length} steps of the walk that found it)" if p.shortest
               else f"found by a walk of {p.found_length} steps")
        return f"VIOLATED: {how}" + (f"; {p.detail}" if p.detail else "")
    if p.status == "reached":
        return f"reached (witness of {len(p.trace) if p.trace else p.found_length} steps)"
    what = "not reached" if p.kind == "reachable" else "no violation found"
    return (f"{what} in {result.runs_done:,} runs of depth {result.depth:,}: not verified "
            "(a simulation explores only some runs)")


def coverage(result) -> str:
    return (f"coverage: {fired_count(result.coverage)}, "
            f"{result.states_seen:,} distinct states seen, {result.runs_done:,} runs, "
            f"{result.steps:,} steps, {result.seconds:.2f} s"
            + f" ({result.engine} walks, {result.steps_per_second:,.0f} steps/s)"
            + never_fired(result.coverage))


def fired_count(coverage) -> str:
    return f"{sum(1 for c in coverage if c.fired)} of {len(coverage)} transitions fired"


def never_fired(coverage) -> str:
    """A line naming the transitions no run fired (the first few), or nothing."""
    never = [f"{c.endpoint}.{c.transition}" for c in coverage if not c.fired]
    if not never:
        return ""
    more = len(never) - NEVER_FIRED_SHOWN
    return (f"\nnever fired: {', '.join(never[:NEVER_FIRED_SHOWN])}"
            + (f" and {more} more" if more > 0 else ""))


def data(result, model) -> dict:
    return {
        "schema": render_json.SCHEMA_VERSION, "tcpcheck": __version__, "command": "simulate",
        "model": result.model, "file": model.file, "overrides": render_json.overrides(model),
        "seed": result.seed, "weighting": result.weighting, "runs": result.runs,
        "runs_done": result.runs_done, "depth": result.depth,
        "stop_reason": result.stop_reason, "exit_code": result.exit_code,
        "engine": result.engine,
        "verified": False,  # a simulation never verifies
        "properties": [{"name": p.name, "kind": p.kind, "status": p.status,
                        "found_length": p.found_length, "shortest": p.shortest,
                        "detail": p.detail,
                        "trace": render_json.trace(p.trace) if p.trace else None}
                       for p in result.properties],
        "not_judged": list(result.liveness),
        "stats": {"steps": result.steps, "states_seen": result.states_seen,
                  "seconds": round(result.seconds, 3),
                  "walk_seconds": round(result.walk_seconds, 3),
                  "steps_per_second": round(result.steps_per_second),
                  "coverage": [{"endpoint": c.endpoint, "transition": c.transition,
                                "fired": c.fired} for c in result.coverage]},
    }
