"""A run as numbered steps: who acted and what happened, each endpoint's control state and the
variables that changed, and what is in flight (the ``steps`` format)."""

from __future__ import annotations

from tcpcheck.render.values import value_text
from tcpcheck.trace.records import EndpointView, Snapshot, Trace


def _assignments(pairs) -> str:
    return " ".join(f"{k}={value_text(v)}" for k, v in pairs)


def _endpoint_line(view: EndpointView, before: EndpointView | None, full: bool) -> str:
    variables = [(k, v) for k, v in view.variables
                 if full or before is None or before.value(k) != v]
    timers = [(k, v) for k, v in view.timers
              if full or before is None or dict(before.timers)[k] != v]
    parts = [f"{view.name:<8} {view.state:<13}"]
    if view.incarnation or (before is not None and before.incarnation != view.incarnation):
        parts.append(f"incarnation={view.incarnation}")
    if variables:
        parts.append(_assignments(variables))
    if timers:
        parts.append(" ".join(f"{k}={'off' if v is None else v}" for k, v in timers))
    return " ".join(parts).rstrip()


def _flight_line(snap: Snapshot) -> str:
    if not snap.in_flight:
        return "in flight: nothing"
    items = [f"{s.src}->{s.dst} {s.text()}" + (f" (age {s.age})" if s.age else "")
             for s in snap.in_flight]
    return "in flight: " + "; ".join(items)


def trace(t: Trace, *, full: bool = False, indent: str = "  ") -> str:
    """Numbered steps: who acted and what happened, then each endpoint's control state and
    the variables that changed (all of them with ``full``), then what is in flight."""
    out = []
    previous = None
    for step in t.steps:
        number = f"{step.index:>3}."
        marker = ""
        if t.loop_start is not None and step.index == t.loop_start:
            marker = "  <-- the loop starts here"
        out.append(f"{indent}{number} {step.summary}{marker}")
        pad = indent + " " * 5
        for e, view in enumerate(step.state.endpoints):
            before = previous.endpoints[e] if previous is not None else None
            out.append(pad + _endpoint_line(view, before, full or previous is None))
        out.append(pad + _flight_line(step.state))
        previous = step.state
    if t.loop_start is not None:
        out.append(f"{indent}     ... and again from step {t.loop_start}, for ever")
    return "\n".join(out)
