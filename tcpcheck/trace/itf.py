"""Traces in the Informal Trace Format (ITF) of Apalache and Quint.

ITF (Apalache ADR-015) is a JSON object ``{"#meta", "vars", "states", "loop"?}`` in which
every state maps every variable of ``vars`` to a value: a string, a bool, an integer (here
always ``{"#bigint": "42"}``, so no reader loses precision on 32-bit sequence numbers), a
list, a record (a JSON object whose keys do not start with ``#``), ``{"#set": [...]}``,
``{"#tup": [...]}`` or ``{"#map": [[k, v], ...]}``.  ITF has no null, so an absent value is
Quint's option variant: ``{"tag": "Some", "value": v}`` or ``{"tag": "None", "value":
{"#tup": []}}``.

A tcpcheck trace becomes these variables, in this order (documented in spec/JSON.md,
section "ITF"):

* ``mbt::actionTaken``: what the step did, as Quint's model-based testing names it:
  ``init``, ``client.connect`` (endpoint.transition), ``server.discard``,
  ``channel.lose``, ``channel.duplicate``, ``clock.tick``, ``client.error``;
* ``tcpcheck::step``: the rest of the step record of tcpcheck.trace.Step (actor, kind,
  summary, transition, trigger, received, sent, overflowed, expired, segment);
* one variable per endpoint, named after it: control ``state``, ``incarnation``,
  ``variables`` (a record, declaration order; sets as ``#set``) and ``timers`` (a record
  of options: ticks left, or None when stopped);
* ``channel``: ``in_flight`` (a list of segment records, in the channel's order),
  ``lost`` and ``duplicated``.

The params' values of a symbolic run (``Trace.params``) are ITF ``params``: listed by
name, each set in the initial state (and in ``#meta.tcpcheck.params``, which is what
tcpcheck reads back).

``::`` cannot occur in a tcpspec name and ``channel`` is a keyword, so no endpoint's
variable collides with the others.  Nothing here is nondeterministic (no timestamp): the
same trace always gives the same file.  ``tcpcheck.trace.files`` reads these files back.
"""

from __future__ import annotations

import json

from tcpcheck import __version__
from tcpcheck.trace.records import EndpointView, SegmentView, Snapshot, Step, Trace

ACTION_TAKEN = "mbt::actionTaken"  # Quint's name for the action of a state
STEP = "tcpcheck::step"
CHANNEL = "channel"
FORMAT_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"
ITF_VERSION = 1  # of the variables above; #meta.tcpcheck.schema


def itf(trace: Trace, *, meta: dict | None = None) -> dict:
    """The ITF object of ``trace``.  ``meta`` adds facts the trace does not carry, stored
    under ``#meta.tcpcheck``: ``file`` (the model file), ``seqspace``, and, when known,
    ``overrides`` (the ``--set`` values, (name, value) pairs) and ``bounds``."""
    extra = {k: v for k, v in (meta or {}).items()
             if v is not None or k not in ("overrides", "bounds")}
    if "overrides" in extra:
        extra["overrides"] = dict(extra["overrides"])
    info = {"schema": ITF_VERSION, "model": trace.model, "kind": trace.kind,
            "property": trace.property, "length": len(trace),
            "endpoint_names": list(trace.endpoint_names), "params": dict(trace.params),
            "file": extra.pop("file", None), "seqspace": extra.pop("seqspace", None), **extra}
    about = f" for {trace.property}" if trace.property else ""
    head = {"format": "ITF", "format-description": FORMAT_DESCRIPTION,
            "source": info["file"] or trace.model,
            "description": f"a {trace.kind}{about} of model {trace.model}, "
                           f"written by tcpcheck {__version__}",
            "tcpcheck": info}
    variables = [ACTION_TAKEN, STEP, *trace.endpoint_names, CHANNEL]
    # ITF's constants: named in "params", set in the initial state; a param named like an
    # endpoint (tcpspec allows it) would clash, and is then only in #meta
    params = [(name, v) for name, v in trace.params if name not in variables]
    out = {"#meta": head}
    if params:
        out["params"] = [name for name, _ in params]
    out["vars"] = variables
    out["states"] = [state(s) for s in trace.steps]
    for name, v in params:
        out["states"][0][name] = bigint(v)
    if trace.loop_start is not None:
        out["loop"] = trace.loop_start
    return out


def dumps(data: dict) -> str:
    return json.dumps(data, indent=2)


def state(step: Step) -> dict:
    """One ITF state: the step's action and the whole system after it."""
    out = {"#meta": {"index": step.index}, ACTION_TAKEN: action_taken(step),
           STEP: _step_record(step)}
    for view in step.state.endpoints:
        out[view.name] = endpoint(view)
    out[CHANNEL] = channel(step.state)
    return out


def action_taken(step: Step) -> str:
    """``init``, ``actor.transition`` for a firing, ``actor.kind`` for anything else."""
    if step.kind == "init":
        return "init"
    if step.transition is not None and step.kind != "error":
        return f"{step.actor}.{step.transition}"
    return f"{step.actor}.{step.kind}"


def _step_record(step: Step) -> dict:
    return {"actor": step.actor, "kind": step.kind, "summary": step.summary,
            "transition": option(step.transition), "trigger": option(step.trigger),
            "received": option(segment(step.received) if step.received else None),
            "sent": [segment(s) for s in step.sent],
            "overflowed": [segment(s) for s in step.overflowed],
            "expired": [segment(s) for s in step.expired],
            "segment": option(segment(step.segment) if step.segment else None)}


def endpoint(view: EndpointView) -> dict:
    return {"state": view.state, "incarnation": bigint(view.incarnation),
            "variables": {k: value(v) for k, v in view.variables},
            "timers": {k: option(None if v is None else bigint(v)) for k, v in view.timers}}


def channel(snap: Snapshot) -> dict:
    return {"in_flight": [segment(s) for s in snap.in_flight],
            "lost": bigint(snap.lost), "duplicated": bigint(snap.duplicated)}


def segment(seg: SegmentView) -> dict:
    flags = [] if seg.flags == "none" else seg.flags.split("+")
    return {"src": seg.src, "dst": seg.dst, "flags": {"#set": flags},
            "seq": bigint(seg.seq), "ack": bigint(seg.ack),
            "ghosts": {k: value(v) for k, v in seg.ghosts}, "age": bigint(seg.age)}


def value(v):
    """A variable's or ghost field's value: bool, integer, or a set (a sorted tuple)."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return bigint(v)
    if isinstance(v, tuple):
        return {"#set": [value(x) for x in v]}
    raise TypeError(f"no ITF form for {v!r}")  # not a value any engine produces


def bigint(n: int) -> dict:
    return {"#bigint": str(n)}


def option(v) -> dict:
    """Quint's ``Option``: ITF has no null."""
    if v is None:
        return {"tag": "None", "value": {"#tup": []}}
    return {"tag": "Some", "value": v}
