"""A run as a message sequence chart for the terminal.

Two lifelines, one per endpoint, with the step numbers in a left margin::

            client                          server
      0     CLOSED |                              | LISTEN
          ...      |                              |
      1 OPEN [conn |---->  SYN seq=0 conn=0       |

A segment is drawn twice: a short stub where it is sent, and a full arrow where it
arrives, at its own later step, so a segment that waits in the channel (delayed, reordered,
duplicated) visibly arrives late and says when it was sent.  A lost or expired segment ends
in an ``x`` half-way; a send into a full channel ends in an ``x`` at once.  Crashes, timer
expiries, user calls and discards are written beside the lifeline of the endpoint; clock
ticks and channel faults between the lifelines.  Each endpoint's control state is shown
when it changes (and at step 0), with the variables that changed (all of them with
``full``).  Everything fits ``width`` columns: long labels are wrapped, never cut.

Colour (ANSI) is decoration only: every mark is also a word or a character.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from tcpcheck.render.journeys import (DISCARDED, EXPIRED, Journey, StepJourneys, by_step,
                                      journeys)
from tcpcheck.render.values import value_text
from tcpcheck.trace.records import EndpointView, Step, Trace

MIN_WIDTH = 48  # below this the two note columns cannot hold a state name

_MARGIN = 4  # "  12 "
_ANSI = {"state": "1", "fault": "31", "copy": "33", "muted": "2", "event": "36",
         "crash": "1;31"}


@dataclass(frozen=True)
class _Geometry:
    notes: int  # width of each endpoint's note column
    middle: int  # columns between the two lifelines

    @staticmethod
    def for_width(width: int) -> "_Geometry":
        width = max(width, MIN_WIDTH)
        notes = max(12, (width - 8) // 4)  # 18 of 80 columns, the rest for labels
        return _Geometry(notes, width - 8 - 2 * notes)

    @property
    def stub(self) -> int:
        return max(4, self.middle // 5)

    @property
    def label(self) -> int:
        return self.middle - 2  # a space between the label and each lifeline


@dataclass(frozen=True)
class _Row:
    """One line of the chart: the left note (right-aligned against the left lifeline),
    what is between the lifelines, the right note; each with a colour style."""

    left: str = ""
    middle: str = ""
    right: str = ""
    left_style: str = ""
    middle_style: str = ""
    right_style: str = ""


def use_color(stream, environ=None) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set to anything but the
    empty string (https://no-color.org) or the terminal is ``dumb``."""
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR", "") != "" or environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def chart(trace: Trace, *, full: bool = False, color: bool = False, width: int = 80) -> str:
    """The sequence chart of ``trace`` (see the module doc), at most ``width`` columns."""
    geo = _Geometry.for_width(width)
    names = tuple(trace.endpoint_names)
    table = by_step(trace, journeys(trace))
    lines = [_header(names, geo)]
    previous = None
    for step in trace.steps:
        if step.index:
            lines.append(_compose("", _Row(), geo, color))
        if trace.loop_start is not None and step.index == trace.loop_start:
            lines.append(_compose("", _Row(middle=_centre("loop starts here", geo.middle,
                                                          "~")), geo, color))
        rows = _step_rows(step, previous, table[step.index], names, geo, full)
        for i, row in enumerate(rows or [_Row()]):
            lines.append(_compose(str(step.index) if i == 0 else "", row, geo, color))
        previous = step
    if trace.loop_start is not None:  # the end of the cycle: the run goes on from its start
        lines.append(_compose("", _Row(), geo, color))
        lines.append(_compose("", _Row(middle=_centre(f"back to step {trace.loop_start}",
                                                      geo.middle, "~")), geo, color))
    return "\n".join(lines)


# ---- one step -------------------------------------------------------------------------------

def _step_rows(step: Step, previous: Step | None, touched: StepJourneys, names: tuple,
               geo: _Geometry, full: bool) -> list:
    rows = _event_rows(step, names, geo)
    for j in touched.arrived:
        rows += _arrival_rows(j, step, names, geo)
    for j in touched.lost + touched.expired:
        rows += _fault_rows(j, names, geo)
    for j in touched.copied:
        rows += _copy_rows(j, geo)
    for j in touched.sent:
        rows += _send_rows(j, names, geo)
    for j in touched.dropped:
        rows += _dropped_rows(j, names, geo)
    return rows + _state_rows(step, previous, names, geo, full)


def _event_rows(step: Step, names: tuple, geo: _Geometry) -> list:
    """What the actor did, beside its lifeline (or, for the clock, between them)."""
    if step.kind == "tick":
        return [_Row(middle=_centre(f"({step.summary.split(';')[0]})", geo.middle, " "),
                     middle_style="muted")]
    if step.kind == "error":
        return _side_rows(step.actor, names, _wrap(step.summary, geo.notes), "fault")
    word = event_label(step)
    if word is None:
        return []
    style = "crash" if step.kind == "crash" else "event"
    return _side_rows(step.actor, names, _wrap(word, geo.notes), style)


def event_label(step: Step) -> str | None:
    """``OPEN [connect]``, ``CRASH [crash]``, ``timeout rexmt [again]``; None when the
    step's own arrow says it (a receive, a discard, a channel fault)."""
    name = f" [{step.transition}]" if step.transition else ""
    if step.kind == "user":
        return f"{(step.trigger or 'call').upper()}{name}"
    if step.kind == "crash":
        return f"CRASH{name}"
    if step.kind == "timeout":
        timer = re.search(r"timer (\S+) expires", step.summary)
        return f"timeout {timer.group(1) if timer else ''}".rstrip() + name
    return None


def _side_rows(actor: str, names: tuple, texts: list, style: str) -> list:
    if actor == names[0]:
        return [_Row(left=t, left_style=style) for t in texts]
    return [_Row(right=t, right_style=style) for t in texts]


def _arrival_rows(j: Journey, step: Step, names: tuple, geo: _Geometry) -> list:
    rightward = j.segment.src == names[0]
    note = "discards it" if j.fate == DISCARDED else f"[{step.transition}]" \
        if step.transition else ""
    rows = _label_rows(_arrival_label(j, step.index), rightward, geo, "copy" if j.is_copy
                       else "")
    arrow = "-" * (geo.middle - 1) + ">" if rightward else "<" + "-" * (geo.middle - 1)
    receiver = _wrap(note, geo.notes) or [""]
    rows.append(_on_side(_Row(middle=arrow), not rightward, receiver[0], "muted"))
    rows += [_on_side(_Row(), not rightward, t, "muted") for t in receiver[1:]]
    return rows


def _arrival_label(j: Journey, index: int) -> str:
    notes = []
    if j.is_copy:
        notes.append("dup")
    if j.sent is None:
        notes.append("sent before the run shown")
    elif j.sent != index - 1 or j.is_copy:
        notes.append(f"sent at step {j.sent}")
    return j.segment.text() + (f" ({', '.join(notes)})" if notes else "")


def _on_side(row: _Row, left: bool, text: str, style: str) -> _Row:
    if left:
        return _Row(text, row.middle, row.right, style, row.middle_style, row.right_style)
    return _Row(row.left, row.middle, text, row.left_style, row.middle_style, style)


def _fault_rows(j: Journey, names: tuple, geo: _Geometry) -> list:
    rightward = j.segment.src == names[0]
    what = "expired (older than MSL)" if j.fate == EXPIRED else "lost"
    rows = _label_rows(f"{what}: {j.segment.text()}", rightward, geo, "fault")
    half = geo.middle // 2
    line = "-" * (half - 1) + "x" if rightward else " " * (geo.middle - half) + "x" + \
        "-" * (half - 1)
    rows.append(_Row(middle=line, middle_style="fault"))
    return rows


def _copy_rows(j: Journey, geo: _Geometry) -> list:
    words = _wrap(f"+ channel duplicates {j.segment.text()}", geo.label)
    return [_Row(middle=_centre(w, geo.middle, " "), middle_style="copy") for w in words]


def _send_rows(j: Journey, names: tuple, geo: _Geometry) -> list:
    rightward = j.segment.src == names[0]
    return _stub_rows(j.segment.text(), rightward, geo, "-" * (geo.stub - 1) + ">",
                      "<" + "-" * (geo.stub - 1), "")


def _dropped_rows(j: Journey, names: tuple, geo: _Geometry) -> list:
    """A send into a full channel: its label, then a stub that ends in a cross at once."""
    rightward = j.segment.src == names[0]
    rows = _label_rows(f"channel full, dropped: {j.segment.text()}", rightward, geo, "fault")
    stub = "--x" if rightward else "x--".rjust(geo.middle)
    rows.append(_Row(middle=stub, middle_style="fault"))
    return rows


def _stub_rows(label: str, rightward: bool, geo: _Geometry, right_stub: str, left_stub: str,
               style: str) -> list:
    """A short arrow leaving the sender, its label beside it (wrapped under it)."""
    stub = right_stub if rightward else left_stub

    room = geo.middle - len(stub) - 2
    words = _wrap(label, room)
    rows = []
    for i, w in enumerate(words):
        head = stub if i == 0 else " " * len(stub)
        middle = f"{head} {w}" if rightward else f"{w} {head}"
        middle = middle.ljust(geo.middle) if rightward else middle.rjust(geo.middle)
        rows.append(_Row(middle=middle, middle_style=style))
    return rows


def _label_rows(label: str, rightward: bool, geo: _Geometry, style: str) -> list:
    """A label above an arrow, starting at the sender's side."""
    rows = []
    for w in _wrap(label, geo.label):
        middle = (" " + w).ljust(geo.middle) if rightward else (w + " ").rjust(geo.middle)
        rows.append(_Row(middle=middle, middle_style=style))
    return rows


# ---- control states and variables ------------------------------------------------------------

def _state_rows(step: Step, previous: Step | None, names: tuple, geo: _Geometry,
                full: bool) -> list:
    columns = []
    for e, view in enumerate(step.state.endpoints):
        before = previous.state.endpoints[e] if previous is not None else None
        columns.append(_endpoint_notes(view, before, full, geo.notes))
    if step.state.endpoints and step.state.endpoints[0].name != names[0]:
        columns.reverse()  # the trace lists the endpoints in another order than its names
    left, right = columns if len(columns) == 2 else (columns + [[], []])[:2]
    rows = []
    for i in range(max(len(left), len(right))):
        lt, ls = left[i] if i < len(left) else ("", "")
        rt, rs = right[i] if i < len(right) else ("", "")
        rows.append(_Row(left=lt, right=rt, left_style=ls, right_style=rs))
    return rows


def _endpoint_notes(view: EndpointView, before: EndpointView | None, full: bool,
                    width: int) -> list:
    """(text, style) lines: the control state when it changed, then the changes."""
    everything = full or before is None
    lines = []
    if everything or view.state != before.state:
        lines += [(t, "state") for t in _wrap(view.state, width)]
    lines += [(t, "") for t in _wrap(" ".join(changes(view, before, everything)), width)]
    return lines


def changes(view: EndpointView, before: EndpointView | None, everything: bool) -> list:
    """``name=value`` for each variable and timer of ``view`` that differs from ``before``
    (all of them with ``everything``), and the incarnation when it is not 0 or changed."""
    out = []
    restarted = before is not None and before.incarnation != view.incarnation
    if restarted or (everything and view.incarnation):
        out.append(f"incarnation={view.incarnation}")
    old_vars = dict(before.variables) if before is not None else {}
    out += [f"{k}={value_text(v)}" for k, v in view.variables
            if everything or old_vars.get(k) != v]
    old_timers = dict(before.timers) if before is not None else {}
    out += [f"{k}={'off' if v is None else v}" for k, v in view.timers
            if everything or k not in old_timers or old_timers[k] != v]
    return out


# ---- layout -----------------------------------------------------------------------------------

def _header(names: tuple, geo: _Geometry) -> str:
    left = names[0].rjust(geo.notes + 2)[-(geo.notes + 2):]
    return (" " * _MARGIN + left + " " * geo.middle + names[1]).rstrip()


def _compose(number: str, row: _Row, geo: _Geometry, color: bool) -> str:
    margin = number.rjust(_MARGIN - 1) + " "
    left = " " * (geo.notes - len(row.left)) + _paint(row.left, row.left_style, color)
    middle = _paint_core(row.middle.ljust(geo.middle), row.middle_style, color)
    line = f"{_paint(margin, 'muted' if number else '', color)}{left} |{middle}| " \
           f"{_paint(row.right, row.right_style, color)}"
    return line.rstrip()


def _paint(text: str, style: str, color: bool) -> str:
    if not color or not style or not text.strip():
        return text
    return f"\x1b[{_ANSI[style]}m{text}\x1b[0m"


def _paint_core(text: str, style: str, color: bool) -> str:
    """Colour only the drawn part of a padded cell, so the padding stays plain."""
    core = text.strip()
    if not color or not style or not core:
        return text
    start = text.index(core)
    return text[:start] + _paint(core, style, color) + text[start + len(core):]


def _centre(text: str, width: int, fill: str) -> str:
    if len(text) + 2 > width:
        return text[:width].ljust(width)
    return f" {text} ".center(width, fill)


def _wrap(text: str, width: int) -> list:
    """Greedy word wrap.  A word longer than ``width`` gets lines of its own, split after
    its ``=`` when both halves fit, else in pieces: a label is never cut."""
    width = max(width, 1)
    lines, current = [], ""
    for word in text.split():
        if len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines += _split_word(word, width)
        elif not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _split_word(word: str, width: int) -> list:
    name, equals, value = word.partition("=")
    if equals and len(name) + 1 <= width and len(value) <= width:
        return [name + "=", value]
    return [word[i:i + width] for i in range(0, len(word), width)]
