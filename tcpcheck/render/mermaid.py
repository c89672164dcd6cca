"""A run as a Mermaid ``sequenceDiagram`` (https://mermaid.js.org), for Markdown pages.

Mermaid draws a message as one horizontal arrow, so a segment is drawn where it arrives
(``->>``, labelled with the step number and ``sent at step N`` when it waited in the
channel) or where the channel lost it or let it expire (``-x``); where it was sent, a note
beside the sender says so.  Control states (when they change), user calls, crashes, timer
expiries, ticks and channel faults are notes.  Text is escaped with Mermaid's entity codes
(``#59;`` for ``;`` and so on), since ``;``, ``#``, ``<``, ``>`` and ``%`` mean something
to Mermaid.
"""

from __future__ import annotations

import re

from tcpcheck.render.chart import event_label
from tcpcheck.render.journeys import DISCARDED, EXPIRED, Journey, by_step, journeys
from tcpcheck.trace.records import Step, Trace

_RESERVED = {"end", "participant", "actor", "loop", "alt", "else", "opt", "par", "and",
             "rect", "critical", "break", "note", "over", "box", "autonumber", "activate",
             "deactivate", "title", "link", "links", "create", "destroy", "as", "left",
             "right", "of", "properties", "details"}
_SPECIAL = {"#": "#35;", ";": "#59;", "<": "#lt;", ">": "#gt;", "%": "#37;", '"': "#quot;",
            "\n": "<br/>"}


def escape(text: str) -> str:
    """``text`` as Mermaid shows it literally (entity codes for its special characters)."""
    return "".join(_SPECIAL.get(c, c) for c in text)


def mermaid(trace: Trace) -> str:
    """``trace`` as a Mermaid sequence diagram (see the module doc)."""
    names = tuple(trace.endpoint_names)
    ids = _participant_ids(names)
    out = ["sequenceDiagram"]
    what = "witness" if trace.kind == "witness" else "counterexample"
    about = f" for {trace.property}" if trace.property else ""
    out.append(f"    title {escape(f'{trace.model}: {what}{about}')}")
    for name in names:
        alias = f" as {escape(name)}" if ids[name] != name else ""
        out.append(f"    participant {ids[name]}{alias}")
    table = by_step(trace, journeys(trace))
    both = f"{ids[names[0]]},{ids[names[1]]}"
    first = trace.steps[0]
    out.append(f"    Note over {both}: " + escape(
        "0. initial state: " + ", ".join(f"{n} {first.state.endpoint(n).state}" for n in names)))
    previous = first
    for step in trace.steps[1:]:
        if trace.loop_start is not None and step.index == trace.loop_start:
            out.append(f"    Note over {both}: " + escape("the steps from here repeat forever"))
        out += [f"    {line}" for line in _step_lines(step, previous, table[step.index], ids,
                                                     names)]
        previous = step
    return "\n".join(out) + "\n"


def _participant_ids(names: tuple) -> dict:
    """Endpoint names are used as they are when Mermaid reads them as plain names."""
    ids = {}
    for i, name in enumerate(names):
        plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and name.lower() not in _RESERVED
        ids[name] = name if plain else f"P{i}"
    return ids


def _step_lines(step: Step, previous: Step, touched, ids: dict, names: tuple) -> list:
    n = step.index
    both = f"{ids[names[0]]},{ids[names[1]]}"
    lines = []
    event = _event(step)
    if event is not None:
        where = f"over {ids[step.actor]}" if step.actor in ids else f"over {both}"
        lines.append(f"Note {where}: " + escape(f"{n}. {event}"))
    for j in touched.arrived:
        lines.append(_arrow(j, "->>", f"{n}. {_arrival_label(j, step)}", ids))
    for j in touched.lost + touched.expired:
        what = "expired (older than MSL)" if j.fate == EXPIRED else "lost"
        lines.append(_arrow(j, "-x", f"{n}. {j.segment.text()} {what}", ids))
    for j in touched.copied:
        lines.append(f"Note over {both}: " + escape(
            f"{n}. the channel duplicates {j.segment.text()} ({j.segment.src} to "
            f"{j.segment.dst})"))
    for j in touched.sent:
        lines.append(f"Note {_beside(j.segment.src, ids, names)}: " +
                     escape(f"{n}. sends {j.segment.text()}"))
    for j in touched.dropped:
        lines.append(_arrow(j, "-x", f"{n}. {j.segment.text()} channel full, dropped", ids))
    for e, view in enumerate(step.state.endpoints):
        before = previous.state.endpoints[e]
        if view.state != before.state or view.incarnation != before.incarnation:
            text = view.state + (f" (incarnation {view.incarnation})"
                                 if view.incarnation != before.incarnation else "")
            lines.append(f"Note over {ids.get(view.name, view.name)}: " + escape(text))
    return lines


def _event(step: Step) -> str | None:
    if step.kind == "tick":
        return step.summary.split(";")[0]  # the expired segments have arrows of their own
    if step.kind == "error":
        return step.summary
    return event_label(step)


def _arrival_label(j: Journey, step: Step) -> str:
    notes = []
    if j.is_copy:
        notes.append("dup")
    if j.sent is not None and (j.sent != step.index - 1 or j.is_copy):
        notes.append(f"sent at step {j.sent}")
    if j.fate == DISCARDED:
        notes.append("discarded")
    elif step.transition:
        notes.append(f"[{step.transition}]")
    return j.segment.text() + (f" ({', '.join(notes)})" if notes else "")


def _arrow(j: Journey, arrow: str, label: str, ids: dict) -> str:
    src, dst = ids[j.segment.src], ids[j.segment.dst]
    return f"{src}{arrow}{dst}: {escape(label)}"


def _beside(sender: str, ids: dict, names: tuple) -> str:
    """The side of the sender's lifeline that faces the other endpoint."""
    return f"right of {ids[sender]}" if sender == names[0] else f"left of {ids[sender]}"
