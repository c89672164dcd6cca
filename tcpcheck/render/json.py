"""JSON rendering: the documented machine-readable form (schema in spec/JSON.md).

Every record becomes plain dicts and lists; ``SCHEMA_VERSION`` changes whenever a field
changes meaning or disappears.
"""

from __future__ import annotations

import json

from tcpcheck import __version__
from tcpcheck.model import ir
from tcpcheck.render.values import expr_text
from tcpcheck.result import CheckResult, PropertyResult
from tcpcheck.trace.records import EndpointView, SegmentView, Snapshot, Step, Trace

SCHEMA_VERSION = 1


def _value(v):
    return list(v) if isinstance(v, tuple) else v


def segment(s: SegmentView | None):
    if s is None:
        return None
    # the protocol fields (len, wnd) only when the model declares them (spec/JSON.md)
    return {"src": s.src, "dst": s.dst, "flags": s.flags.split("+") if s.flags != "none" else [],
            "seq": s.seq, "ack": s.ack, **dict(s.data),
            "ghosts": {k: _value(v) for k, v in s.ghost_only}, "age": s.age}


def endpoint(e: EndpointView) -> dict:
    return {"name": e.name, "state": e.state, "incarnation": e.incarnation,
            "variables": {k: _value(v) for k, v in e.variables},
            "timers": {k: v for k, v in e.timers}}


def snapshot(s: Snapshot) -> dict:
    return {"endpoints": [endpoint(e) for e in s.endpoints],
            "in_flight": [segment(x) for x in s.in_flight],
            "lost": s.lost, "duplicated": s.duplicated}


def step(s: Step) -> dict:
    return {"index": s.index, "actor": s.actor, "kind": s.kind, "summary": s.summary,
            "transition": s.transition, "trigger": s.trigger,
            "received": segment(s.received), "sent": [segment(x) for x in s.sent],
            "overflowed": [segment(x) for x in s.overflowed],
            "expired": [segment(x) for x in s.expired], "segment": segment(s.segment),
            "state": snapshot(s.state)}


def trace(t: Trace) -> dict:
    return {"model": t.model, "kind": t.kind, "property": t.property, "length": len(t),
            "loop_start": t.loop_start, "endpoint_names": list(t.endpoint_names),
            "params": {k: v for k, v in t.params}, "steps": [step(s) for s in t.steps]}


def property_result(p: PropertyResult) -> dict:
    return {"name": p.name, "kind": p.kind, "status": p.status, "detail": p.detail,
            "doc": p.doc, "trace": trace(p.trace) if p.trace is not None else None,
            "counterexamples": [trace(t) for t in p.traces],
            "channel_full_states": p.channel_full,
            **({"fairness_hints": [{"constraint": h.constraint, "reason": h.reason,
                                    "holds_with_it": h.holds_with_it, "with_it": h.with_it,
                                    "edge_states": h.edge, "text": h.text}
                                   for h in p.hints]} if p.hints else {}),
            **({"invariant": list(p.invariant)} if p.invariant else {})}


def trace_file(t: Trace, *, file: str | None = None, seqspace: int | None = None,
               overrides: tuple | None = None, bounds: dict | None = None) -> dict:
    """``tcpcheck trace FILE --format json``: one trace with what is needed to read it
    again on its own (the model file for ``--eval``, the sequence space it was found in,
    the ``--set`` values and bounds of the run: ``overrides`` and ``bounds`` are left out
    when unknown, as in a file from before they were recorded)."""
    out = {"schema": SCHEMA_VERSION, "tcpcheck": __version__, "model": t.model,
           "file": file, "seqspace": seqspace}
    if overrides is not None:
        out["overrides"] = dict(overrides)
    if bounds is not None:
        out["bounds"] = bounds
    out["trace"] = trace(t)
    return out


def overrides(model: ir.Model) -> dict:
    """The ``--set`` values the model was loaded with, name to value (a number, or yes, no
    or unbounded), in the order given."""
    return dict(model.overrides)


def bounds(model: ir.Model) -> dict:
    """The model's effective bounds, after any ``--set``: what a run was explored within."""
    c = model.channel
    channel = {"capacity": c.capacity, "loss": c.loss, "duplication": c.duplication,
               "reordering": c.reordering, "msl": c.msl}
    if c.shared:  # only when set, so that every other model's JSON stays as it was
        channel["shared"] = True
    return {"seqspace": model.bounds.seqspace, "incarnations": model.bounds.incarnations,
            "channel": channel}


def check_result(result: CheckResult, model: ir.Model) -> dict:
    s = result.stats
    return {
        "schema": SCHEMA_VERSION,
        "tcpcheck": __version__,
        "model": model.name,
        "file": model.file,
        "overrides": overrides(model),
        "bounds": bounds(model),
        "engine": result.engine,
        "backend": getattr(result, "backend", "python"),
        "workers": getattr(result, "workers", 1),
        "complete": result.complete,
        "stop_reason": result.stop_reason,
        "exit_code": result.exit_code,
        "properties": [property_result(p) for p in result.properties],
        "stats": {"states": s.states, "transitions": s.transitions, "diameter": s.diameter,
                  "seconds": round(s.seconds, 3),
                  "states_per_second": round(s.states_per_second, 1),
                  "peak_memory_mb": round(s.peak_memory_mb, 1),
                  "bytes_per_state": _rounded(s.bytes_per_state, 1),
                  "compile_seconds": _rounded(s.compile_seconds, 3),
                  "coverage": [{"endpoint": c.endpoint, "transition": c.transition,
                                "fired": c.fired} for c in s.coverage]},
        "warnings": list(result.warnings),
        # only for an approximate run, so that every exact run's JSON stays as it was
        **({"storage": result.storage.as_json()} if getattr(result, "storage", None) else {}),
    }


def proof_result(result, model: ir.Model, depth: int | None) -> dict:
    """``tcpcheck prove --json`` (spec/JSON.md)."""
    engines = dict(result.answered)
    return {
        "schema": SCHEMA_VERSION, "tcpcheck": __version__, "model": model.name,
        "file": model.file, "overrides": overrides(model), "bounds": bounds(model),
        "engine": result.engine, "depth": depth,
        "seqspace": result.seqspace, "time": result.time,
        "symbolic_params": list(result.symbolic_params), "exit_code": result.exit_code,
        "stop_reason": result.stop_reason, "timeout": result.timeout,
        "max_memory": result.max_memory, "jobs": result.jobs,
        "properties": [{**property_result(p), "engine": engines.get(p.name)}
                       for p in result.properties],
        "seconds": round(result.seconds, 3), "solver_seconds": round(result.solver_seconds, 3),
    }


def synth_result(result) -> dict:
    """``tcpcheck synth --json``."""
    return {"schema": SCHEMA_VERSION, "tcpcheck": __version__, "model": result.model,
            "property": result.property, "param": result.param,
            "expression": result.expression, "proved_at_least": result.proved_at_least,
            "below": property_result(result.below) if result.below is not None else None,
            "samples": [{"fixed": dict(s.fixed), "least": s.least, "detail": s.detail}
                        for s in result.samples],
            "detail": result.detail, "stop_reason": result.stop_reason,
            "exit_code": result.exit_code}


def params(model: ir.Model) -> list:
    """The ``params`` of ``tcpcheck parse --json``: each param's default and constraint."""
    return [{"name": p.name, "default": p.default,
             "constraint": expr_text(p.constraint) if p.constraint is not None else None,
             "doc": p.doc} for p in model.params]


def lemmas(model: ir.Model) -> list:
    """The ``lemmas`` of ``tcpcheck parse --json``."""
    return [{"name": l.name, "doc": l.doc} for l in model.lemmas]


def msl_expr(model: ir.Model) -> str | None:
    """``channel.msl`` as written when it mentions a param (``msl`` is then its default)."""
    expr = model.channel.msl_expr
    return expr_text(expr) if expr is not None else None


def dumps(data) -> str:
    return json.dumps(data, indent=2, sort_keys=False)


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
