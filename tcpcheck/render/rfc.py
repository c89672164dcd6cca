"""A run in the notation of RFC 9293's figures (section 3.5, Figures 6 to 13).

::

        TCP A (client)                                   TCP B (server)

    1.  CLOSED                                           LISTEN

    2.  SYN-SENT    --> <SEQ=100><CTL=SYN>               --> SYN-RECEIVED

As in the RFC, lines are numbered for reference (they are not the trace's step numbers:
a segment that arrives at the very next step is one line, as the RFC draws it), ``-->``
and ``<--`` give the direction at each end, ``...`` marks a segment still in the network
(delayed) at that end, states are spelled with hyphens and shown AFTER the departure or
arrival, and comments are in parentheses: ``(Close)``, ``(crash)``, ``(timeout rexmt)``,
``(lost)``, ``(duplicate)``, ``(2 ticks pass)``.  Segments are ``<SEQ=..><ACK=..>
<CTL=SYN,ACK>``, the ACK field only when the ACK flag is set, then the model's ghost fields
in lower case (``<conn=0>``), which the RFC has no notation for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tcpcheck.render.journeys import (ARRIVED, DISCARDED, EXPIRED, Journey, by_step,
                                      journeys)
from tcpcheck.trace.records import SegmentView, Step, Trace

_NUMBER = 4  # "12. "


@dataclass(frozen=True)
class _Line:
    """One line of a figure: A's column, the mark at A's end, the segment, the mark at
    B's end, B's column.  A line without a segment is a state or comment line."""

    a: str = ""
    a_mark: str = ""
    segment: str = ""
    b_mark: str = ""
    b: str = ""
    middle: str = ""  # a comment between the columns (clock ticks)
    note: str = ""  # a comment after the line (discarded, dropped)


@dataclass
class _Figure:
    entries: list = field(default_factory=list)  # each a list of _Line
    drawn: set = field(default_factory=set)  # journeys already shown arriving


def rfc(trace: Trace) -> str:
    """``trace`` as an RFC 9293 figure (see the module doc)."""
    names = tuple(trace.endpoint_names)
    table = by_step(trace, journeys(trace))
    figure = _Figure()
    figure.entries.append([_Line(a=spell(_state(trace.steps[0], names[0])),
                                 b=spell(_state(trace.steps[0], names[1])))])
    steps = trace.steps
    index = 1
    while index < len(steps):
        if trace.loop_start is not None and index == trace.loop_start:
            figure.entries.append([_Line(middle="(the run repeats from here)")])
        if _plain_tick(steps[index]):
            run = _tick_run(steps, index, trace.loop_start)
            figure.entries.append([_Line(middle=_ticks_text(steps[index:index + run]))])
            index += run
            continue
        entry = _entry(steps, index, table, names, figure.drawn)
        if entry:
            figure.entries.append(entry)
        index += 1
    return _layout(figure.entries, names)


def spell(state: str) -> str:
    """RFC 9293 spells states with hyphens: SYN_SENT is SYN-SENT."""
    return state.replace("_", "-")


def segment_text(seg: SegmentView) -> str:
    """``<SEQ=100><ACK=301><CTL=SYN,ACK><LEN=2><WND=4><conn=0>``."""
    flags = [] if seg.flags == "none" else seg.flags.split("+")
    parts = [f"<SEQ={seg.seq}>"]
    if "ACK" in flags:
        parts.append(f"<ACK={seg.ack}>")
    if flags:
        parts.append(f"<CTL={','.join(flags)}>")
    # the protocol fields in the RFC's capitals (<LEN=2><WND=4>), then the model's ghosts
    parts += [f"<{k.upper()}={v}>" for k, v in seg.data]
    parts += [f"<{k}={str(v).lower() if isinstance(v, bool) else v}>" for k, v in seg.ghost_only]
    return "".join(parts)


# ---- one step ------------------------------------------------------------------------------

def _state(step: Step, name: str) -> str:
    return step.state.endpoint(name).state


def _plain_tick(step: Step) -> bool:
    return step.kind == "tick" and not step.expired


def _tick_run(steps: tuple, start: int, loop_start: int | None) -> int:
    """How many plain ticks follow one another from ``start`` (not across the loop start)."""
    run = 1
    while start + run < len(steps) and _plain_tick(steps[start + run]) \
            and start + run != loop_start:
        run += 1
    return run


def _ticks_text(ticks) -> str:
    """``(one tick passes)``, ``(3 ticks pass)``: a run of clock steps as one comment."""
    total = sum(_tick_count(t.summary) for t in ticks)
    return "(one tick passes)" if total == 1 else f"({total} ticks pass)"


def _tick_count(summary: str) -> int:
    first = summary.split()[0] if summary else "one"
    return int(first) if first.isdigit() else 1


def _entry(steps: tuple, index: int, table: tuple, names: tuple, drawn: set) -> list:
    step = steps[index]
    touched = table[index]
    lines = _comment_lines(step, names)
    for j in touched.arrived:
        if j.number not in drawn:
            lines.append(_arrival(j, step, names))
    if step.kind == "tick":
        lines.append(_Line(middle=_ticks_text([step])))
    for j in touched.lost + touched.expired:
        lines.append(_in_network(j, names, "(expired)" if j.fate == EXPIRED else "(lost)"))
    for j in touched.copied:
        lines.append(_in_network(j, names, "(duplicated)"))
    nxt = steps[index + 1] if index + 1 < len(steps) else None
    for j in touched.sent:
        lines.append(_departure(j, step, nxt, names, drawn))
    for j in touched.dropped:
        lines.append(_dropped(j, step, names))
    if lines and not any(line.segment for line in lines) and step.actor in names:
        lines.append(_side(step.actor, names, spell(_state(step, step.actor))))
    return lines


def _comment_lines(step: Step, names: tuple) -> list:
    """``(Close)``, ``(crash)``, ``(timeout rexmt)``, ``(error: ...)`` beside the actor."""
    if step.kind == "user":
        text = f"({(step.trigger or 'call').capitalize()})"
    elif step.kind == "crash":
        text = "(crash)"
    elif step.kind == "timeout":
        timer = step.summary.split("timer ", 1)[-1].split(" expires", 1)[0] \
            if "timer " in step.summary else ""
        text = f"(timeout {timer})".replace(" )", ")")
    elif step.kind == "error":
        text = f"(error: {step.summary})"
    else:
        return []
    return [_side(step.actor, names, text)] if step.actor in names else \
        [_Line(middle=text)]


def _side(actor: str, names: tuple, text: str) -> _Line:
    return _Line(a=text) if actor == names[0] else _Line(b=text)


def _rightward(j: Journey, names: tuple) -> bool:
    return j.segment.src == names[0]


def _arrival(j: Journey, step: Step, names: tuple) -> _Line:
    """A segment sent earlier reaching its destination: ``... SEG --> STATE``."""
    state = spell(_state(step, j.segment.dst))
    note = _discarded(j)
    comment = "(duplicate)" if j.is_copy else ""
    seg = segment_text(j.segment)
    if _rightward(j, names):
        return _Line(a=comment, a_mark="...", segment=seg, b_mark="-->", b=state, note=note)
    return _Line(a=state, a_mark="<--", segment=seg, b_mark="...", b=comment, note=note)


def _discarded(j: Journey) -> str:
    return f"({j.segment.dst} discards it)" if j.fate == DISCARDED else ""


def _departure(j: Journey, step: Step, nxt: Step | None, names: tuple, drawn: set) -> _Line:
    """``STATE --> SEG ...``, or ``STATE --> SEG --> STATE`` when it arrives at once."""
    sender = spell(_state(step, j.segment.src))
    seg = segment_text(j.segment)
    at_once = nxt is not None and j.end == nxt.index and j.fate in (ARRIVED, DISCARDED)
    far_mark, far_state, note = "...", "", ""
    if at_once:
        drawn.add(j.number)
        far_mark = "-->" if _rightward(j, names) else "<--"
        far_state = spell(_state(nxt, j.segment.dst))
        note = _discarded(j)
    if _rightward(j, names):
        return _Line(a=sender, a_mark="-->", segment=seg, b_mark=far_mark, b=far_state,
                     note=note)
    return _Line(a=far_state, a_mark=far_mark, segment=seg, b_mark="<--", b=sender, note=note)


def _dropped(j: Journey, step: Step, names: tuple) -> _Line:
    sender = spell(_state(step, j.segment.src))
    seg = segment_text(j.segment)
    note = "(channel full, dropped)"
    if _rightward(j, names):
        return _Line(a=sender, a_mark="-->", segment=seg, note=note)
    return _Line(segment=seg, b_mark="<--", b=sender, note=note)


def _in_network(j: Journey, names: tuple, note: str) -> _Line:
    """Something the network did to a segment: ``... SEG  (lost)``."""
    seg = segment_text(j.segment)
    if _rightward(j, names):
        return _Line(a_mark="...", segment=seg, b=note)
    return _Line(a=note, segment=seg, b_mark="...")


# ---- layout --------------------------------------------------------------------------------

def _layout(entries: list, names: tuple) -> str:
    lines = [line for entry in entries for line in entry]
    a_width = max([len(x.a) for x in lines if x.segment] + [11])
    seg_width = max([len(x.segment) for x in lines] + [30])
    b_column = _NUMBER + a_width + 1 + 3 + 1 + seg_width + 1 + 3 + 1
    head_a = f"TCP A ({names[0]})"
    out = [(" " * _NUMBER + head_a.ljust(b_column - _NUMBER) + f"TCP B ({names[1]})").rstrip()]
    for number, entry in enumerate(entries, start=1):
        out.append("")
        for i, line in enumerate(entry):
            margin = f"{number}.".ljust(_NUMBER) if i == 0 else " " * _NUMBER
            out.append((margin + _line_text(line, a_width, seg_width, b_column)).rstrip())
    return "\n".join(out)


def _line_text(line: _Line, a_width: int, seg_width: int, b_column: int) -> str:
    if line.middle:
        return " " * (a_width + 1) + line.middle
    if not line.segment and not line.a_mark and not line.b_mark:
        return line.a.ljust(b_column - _NUMBER) + line.b if line.b else line.a
    text = (f"{line.a:<{a_width}} {line.a_mark:<3} {line.segment:<{seg_width}} "
            f"{line.b_mark:<3} {line.b}")
    return f"{text} {line.note}" if line.note else text
