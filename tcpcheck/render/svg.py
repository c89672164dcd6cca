"""A run as a standalone SVG sequence chart (standard library only, no browser needed).

Time runs down the page, one band per step, with the step numbers on the left.  Each
segment is a slanted arrow from the sender's lifeline at the step that sent it to the
receiver's lifeline at the step it arrived, so a delayed segment has a long slope; a lost
or expired segment ends in a cross half-way, at the step the channel lost it; a send into
a full channel ends in a cross at once; a channel-made duplicate is dashed.  Control states
are boxes on the lifelines (at step 0 and whenever they change); user calls, crashes and
timer expiries are marks beside the lifeline, clock ticks a dashed rule between them.

The structure is a contract for pages that embed the chart (the HTML report highlights
the current step with it):

* every step's drawing is a ``<g class="step" data-step="N">`` (N = step index, 0 = the
  initial state);
* every segment is a ``<g class="segment">`` inside the group of the step it ended at
  (arrived, was lost or expired or dropped; the step it was sent at while still in flight),
  with ``data-sent="N"`` (absent when the trace does not show it), ``data-arrived="M"``
  when it reached its destination, ``data-ended="M"`` when it left the channel any other
  way, ``data-fate`` (arrived, discarded, lost, expired, dropped, in_flight) and, for a
  duplicate, ``data-copy="K"`` (the step the channel copied it at);
* no element has an ``id``, and styling is by presentation attributes, not a
  ``<style>`` sheet, so two charts on one page cannot clash.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from tcpcheck.render.chart import event_label
from tcpcheck.render.journeys import (ARRIVED, DISCARDED, DROPPED, EXPIRED, IN_FLIGHT, LOST,
                                      Journey, by_step, journeys)
from tcpcheck.trace import Step, Trace

SVG_NS = "http://www.w3.org/2000/svg"

_CHAR = 7.2  # width of one character of the 12px monospace font, near enough for layout
_BAND = 44  # height of one step
_TOP = 70  # the name boxes sit above
# Within a step's band: arrivals end just above the step's line, the new control state is
# boxed on it, and sends leave below the box, so the chart reads arrive, change, send.
_ARRIVE, _STATE, _SEND = -4, 8, 20
_FONT = {"font-family": "monospace", "font-size": "12"}
_INK, _FAULT, _MUTED, _COPY = "#222222", "#c0392b", "#888888", "#b7791f"


@dataclass(frozen=True)
class _Layout:
    left: float  # x of the left lifeline
    right: float  # x of the right lifeline
    width: float
    height: float
    steps: int

    def y(self, step: int) -> float:
        return _TOP + step * _BAND

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2


def svg(trace: Trace, *, title: str | None = None) -> str:
    """``trace`` as an SVG document (see the module doc for its structure)."""
    names = tuple(trace.endpoint_names)
    all_journeys = journeys(trace)
    layout = _layout(trace, names, all_journeys, title)
    root = ET.Element("svg", {"xmlns": SVG_NS, "version": "1.1",
                              "width": _num(layout.width), "height": _num(layout.height),
                              "viewBox": f"0 0 {_num(layout.width)} {_num(layout.height)}",
                              "class": "tcpcheck-sequence-chart"})
    heading = title or _default_title(trace)
    ET.SubElement(root, "title").text = heading
    _text(root, 12, 20, heading, {"font-weight": "bold"})
    _lifelines(root, names, layout)
    table = by_step(trace, all_journeys)
    ends = _segments_by_group(all_journeys, len(trace.steps))
    previous = None
    for step in trace.steps:
        group = ET.SubElement(root, "g", {"class": "step", "data-step": str(step.index)})
        _step_marks(group, step, previous, names, layout, trace.loop_start)
        for j in table[step.index].copied:
            _copy_mark(group, j, names, layout, step.index)
        for j in ends[step.index]:
            _segment(group, j, names, layout)
        previous = step
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def _default_title(trace: Trace) -> str:
    what = "witness" if trace.kind == "witness" else "counterexample"
    about = f" for {trace.property}" if trace.property else ""
    return f"{trace.model}: {what}{about} ({len(trace)} steps)"


def _layout(trace: Trace, names: tuple, all_journeys: tuple, title: str | None) -> _Layout:
    labels = [len(_segment_label(j)) for j in all_journeys] or [0]
    gap = max(320.0, max(labels) * _CHAR + 60)
    # event labels are written outside the lifelines: the margins must hold the longest
    side = [len(_event_text(s) or "") for s in trace.steps] + [len(n) for n in names]
    margin = max(120.0, max(side) * _CHAR + 56)
    left = margin
    right = left + gap
    width = max(right + margin, len(title or _default_title(trace)) * _CHAR + 24)
    height = _TOP + len(trace.steps) * _BAND + 20
    return _Layout(left, right, width, height, len(trace.steps))


def _lifelines(root, names: tuple, layout: _Layout) -> None:
    group = ET.SubElement(root, "g", {"class": "lifelines"})
    bottom = layout.height - 10
    for name, x in zip(names, (layout.left, layout.right)):
        box = len(name) * _CHAR + 16
        ET.SubElement(group, "rect", {"x": _num(x - box / 2), "y": "30", "width": _num(box),
                                      "height": "20", "rx": "3", "fill": "#f4f4f4",
                                      "stroke": _INK})
        _text(group, x, 44, name, {"text-anchor": "middle", "font-weight": "bold"})
        ET.SubElement(group, "line", {"class": "lifeline", "x1": _num(x), "y1": "50",
                                      "x2": _num(x), "y2": _num(bottom), "stroke": _MUTED})


# ---- one step --------------------------------------------------------------------------------

def _step_marks(group, step: Step, previous: Step | None, names: tuple, layout: _Layout,
                loop_start: int | None) -> None:
    y = layout.y(step.index)
    _text(group, 12, y + 4, str(step.index), {"fill": _MUTED})
    if loop_start is not None and step.index == loop_start:
        _text(group, layout.middle, y - 14, "the run repeats from here",
              {"text-anchor": "middle", "fill": _MUTED})
    if step.kind == "tick":
        ET.SubElement(group, "line", {"class": "tick", "x1": _num(layout.left),
                                      "y1": _num(y - 6), "x2": _num(layout.right),
                                      "y2": _num(y - 6),
                                      "stroke": _MUTED, "stroke-dasharray": "2 4"})
        _text(group, layout.middle, y + 8, step.summary.split(";")[0],
              {"text-anchor": "middle", "fill": _MUTED})
    event = _event_text(step)
    if event is not None and step.actor in names:
        x = layout.left if step.actor == names[0] else layout.right
        _event_mark(group, step, x, y - 6, x == layout.left, event)
    for e, view in enumerate(step.state.endpoints):
        before = previous.state.endpoints[e] if previous is not None else None
        if before is None or before.state != view.state:
            x = layout.left if view.name == names[0] else layout.right
            _state_box(group, x, y + _STATE, view.state)


def _event_text(step: Step) -> str | None:
    return step.summary if step.kind == "error" else event_label(step)


def _event_mark(group, step: Step, x: float, y: float, on_left: bool, text: str) -> None:
    mark = ET.SubElement(group, "g", {"class": f"event {step.kind}"})
    if step.kind == "crash" or step.kind == "error":
        _cross(mark, x, y, _FAULT)
    else:
        ET.SubElement(mark, "circle", {"cx": _num(x), "cy": _num(y), "r": "4",
                                       "fill": _INK if step.kind == "user" else "white",
                                       "stroke": _INK})
    offset = -10 if on_left else 10
    _text(mark, x + offset, y + 4, text, {"text-anchor": "end" if on_left else "start",
                                          "fill": _FAULT if step.kind in ("crash", "error")
                                          else _INK})


def _state_box(group, x: float, y: float, state: str) -> None:
    box = ET.SubElement(group, "g", {"class": "state"})
    width = len(state) * _CHAR + 12
    ET.SubElement(box, "rect", {"x": _num(x - width / 2), "y": _num(y - 9),
                                "width": _num(width), "height": "18", "rx": "4",
                                "fill": "#eef4fb", "stroke": "#4a6fa5"})
    _text(box, x, y + 4, state, {"text-anchor": "middle"})


# ---- segments ------------------------------------------------------------------------------

def _segments_by_group(all_journeys: tuple, steps: int) -> list:
    """Each journey under the step it ended at (still in flight: where it entered)."""
    groups = [[] for _ in range(steps)]
    for j in all_journeys:
        if j.end is not None:
            groups[j.end].append(j)
        else:
            start = j.copy_made if j.is_copy else (j.sent if j.sent is not None else 0)
            groups[start].append(j)
    return groups


_FATE_WORDS = {ARRIVED: "", DISCARDED: " (discarded)", LOST: " (lost)",
               EXPIRED: " (expired)", DROPPED: " (channel full, dropped)",
               IN_FLIGHT: " (in flight)"}


def _segment_label(j: Journey) -> str:
    return ("dup " if j.is_copy else "") + j.segment.text() + _FATE_WORDS.get(j.fate, "")


def _segment(group, j: Journey, names: tuple, layout: _Layout) -> None:
    attrs = {"class": "segment", "data-fate": j.fate}
    if j.sent is not None:
        attrs["data-sent"] = str(j.sent)
    if j.fate in (ARRIVED, DISCARDED):
        attrs["data-arrived"] = str(j.end)
    elif j.end is not None:
        attrs["data-ended"] = str(j.end)
    if j.is_copy:
        attrs["data-copy"] = str(j.copy_made)
    seg = ET.SubElement(group, "g", attrs)
    (x1, y1), end = _ends(j, names, layout)
    colour = _FAULT if j.fate in (LOST, EXPIRED, DROPPED) else _COPY if j.is_copy else _INK
    line = {"x1": _num(x1), "y1": _num(y1), "x2": _num(end[0]), "y2": _num(end[1]),
            "stroke": colour, "stroke-width": "1.5"}
    if j.is_copy or j.fate == IN_FLIGHT:
        line["stroke-dasharray"] = "6 3"
    ET.SubElement(seg, "line", line)
    if j.fate in (ARRIVED, DISCARDED):
        _arrowhead(seg, (x1, y1), end, colour)
    elif j.fate != IN_FLIGHT:
        _cross(seg, end[0], end[1], _FAULT)
    if j.fate == DROPPED:  # too short to write along: beside the sender instead
        rightward = end[0] > x1
        _text(seg, x1 + (8 if rightward else -8), y1 - 6, _segment_label(j),
              {"text-anchor": "start" if rightward else "end", "fill": colour})
    else:
        _along(seg, (x1, y1), end, _segment_label(j), colour)


def _ends(j: Journey, names: tuple, layout: _Layout) -> tuple:
    """Where a segment's arrow starts and ends: from the sender at the step that sent it
    to the receiver at its arrival, or to the middle at the step it was lost or expired;
    a dropped send stops at once; one still in flight points past the last step."""
    rightward = j.segment.src == names[0]
    x1 = layout.left if rightward else layout.right
    x2 = layout.right if rightward else layout.left
    y1 = layout.y(j.sent if j.sent is not None else 0) + _SEND
    if j.fate in (ARRIVED, DISCARDED):
        return (x1, y1), (x2, layout.y(j.end) + _ARRIVE)
    if j.fate == DROPPED:
        return (x1, y1), (x1 + (30 if rightward else -30), y1 + 6)
    if j.fate == IN_FLIGHT:
        return (x1, y1), (x1 + (x2 - x1) * 0.45, layout.y(layout.steps - 1) + _BAND - 4)
    return (x1, y1), (layout.middle, layout.y(j.end))


def _copy_mark(group, j: Journey, names: tuple, layout: _Layout, index: int) -> None:
    """Where the channel made a copy: a dot on the copy's own arrow, at that step."""
    (x1, y1), (x2, y2) = _ends(j, names, layout)
    y = layout.y(index)
    x = x1 if y2 == y1 else x1 + (x2 - x1) * (y - y1) / (y2 - y1)
    mark = ET.SubElement(group, "g", {"class": "copy", "data-copy": str(index)})
    ET.SubElement(mark, "circle", {"cx": _num(x), "cy": _num(y), "r": "3.5", "fill": _COPY})


def _along(parent, start: tuple, end: tuple, text: str, colour: str) -> None:
    """The label of a segment, above the middle of its arrow and turned with it (never
    upside down)."""
    cx, cy = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
    dx, dy = end[0] - start[0], end[1] - start[1]
    if dx < 0:
        dx, dy = -dx, -dy
    angle = math.degrees(math.atan2(dy, dx))
    _text(parent, cx, cy - 5, text, {"text-anchor": "middle", "fill": colour,
                                     "transform": f"rotate({_num(angle)} {_num(cx)} {_num(cy)})"})


def _arrowhead(parent, start: tuple, end: tuple, colour: str) -> None:
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    points = [end]
    for turn in (math.radians(155), math.radians(-155)):
        points.append((end[0] + 9 * math.cos(angle + turn), end[1] + 9 * math.sin(angle + turn)))
    ET.SubElement(parent, "polygon", {"class": "arrowhead", "fill": colour,
                                      "points": " ".join(f"{_num(x)},{_num(y)}"
                                                         for x, y in points)})


def _cross(parent, x: float, y: float, colour: str) -> None:
    cross = ET.SubElement(parent, "g", {"class": "cross", "stroke": colour,
                                        "stroke-width": "2"})
    for dx in (-5, 5):
        ET.SubElement(cross, "line", {"x1": _num(x - dx), "y1": _num(y - 5),
                                      "x2": _num(x + dx), "y2": _num(y + 5)})


def _text(parent, x: float, y: float, text: str, attrs: dict | None = None) -> None:
    element = ET.SubElement(parent, "text", {"x": _num(x), "y": _num(y), **_FONT,
                                             **(attrs or {})})
    element.text = text


def _num(value: float) -> str:
    """Coordinates to one decimal, without a trailing .0: short and deterministic."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
