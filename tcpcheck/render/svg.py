"""A run as a standalone SVG sequence chart (standard library only, no browser needed).

Time runs down the page, one band per step, with the step numbers on the left.  Each
segment is a slanted arrow from the sender's lifeline at the step that sent it to the
receiver's lifeline at the step it arrived, so a delayed segment has a long slope; a lost
or expired segment ends in a cross half-way, at the step the channel lost it; a send into
a full channel ends in a cross at once; a channel-made duplicate is dashed.  Control states
are boxes on the lifelines (at step 0 and whenever they change); user calls, crashes and
timer expiries are marks beside the lifeline, clock ticks a dashed rule between them.

A segment's label is written along its arrow, between the state boxes of the two
lifelines, where it overlaps no other text or state box (and, where it can, crosses no
other arrow): nearer the sender, above the arrow if it can.  When some label finds no such
place, the lifelines are drawn further apart, then the steps; :func:`text_box` is the
measure of a text that the layout (and the tests) use.

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
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from tcpcheck.render.lang import TABLES
from tcpcheck.render.chart import event_label
from tcpcheck.render.journeys import (ARRIVED, DISCARDED, DROPPED, EXPIRED, IN_FLIGHT, LOST,
                                      Journey, by_step, journeys)
from tcpcheck.trace.records import Step, Trace

SVG_NS = "http://www.w3.org/2000/svg"

# The box a text of the 12px monospace font is assumed to take: _CHAR a character, _ASCENT
# above the baseline and _DESCENT below (capitals and descenders, with a little to spare).
# The layout keeps these boxes apart; text_box is the one place that says so, and the tests
# measure the drawing with it.
_CHAR = 7.2
_ASCENT, _DESCENT = 9.6, 3.0
_BAND = 44  # height of one step; more when the labels need it (see _ATTEMPTS)
_ATTEMPTS = ((False, _BAND),) + tuple((True, band) for band in range(_BAND, 3 * _BAND + 1, 8))
_TOP = 70  # the name boxes sit above
# Within a step's band: arrivals end just above the step's line, the new control state is
# boxed on it, and sends leave below the box, so the chart reads arrive, change, send.
# Events (user calls, crashes, timer expiries) are marked above the state box.
_ARRIVE, _STATE, _SEND, _EVENT = -4, 8, 20, -8
_ABOVE, _BELOW = -5, 5 + _ASCENT  # a label's baseline from its arrow, above or below it
_BELOW_COST = 48  # how much further along its arrow a label goes to stay above it
_PAD = 4  # between a state box and the labels that pass it
_NEAR = 0.35  # where along its arrow a label is best: nearer the sender, so crossing arrows
# (one each way) have theirs on either side of the crossing
_FONT = {"font-family": "monospace", "font-size": "12"}
_INK, _FAULT, _MUTED, _COPY = "#222222", "#c0392b", "#888888", "#b7791f"


def text_width(text: str) -> float:
    """How wide the layout takes ``text`` to be: a wide character (Chinese, say) takes
    two cells of the monospace font."""
    cells = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return cells * _CHAR


def text_box(x: float, y: float, text: str, anchor: str = "start",
             rotate: tuple | None = None) -> tuple:
    """The four corners of the box the layout assumes a 12px ``text`` takes, written at
    (``x``, ``y``) with ``text-anchor`` ``anchor`` and turned by ``rotate`` = (degrees, cx,
    cy) as the SVG ``rotate()`` transform does."""
    width = text_width(text)
    left = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
    corners = ((left, y - _ASCENT), (left + width, y - _ASCENT), (left + width, y + _DESCENT),
               (left, y + _DESCENT))
    if not rotate:
        return corners
    degrees, cx, cy = rotate
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return tuple((cx + (px - cx) * cos - (py - cy) * sin, cy + (px - cx) * sin + (py - cy) * cos)
                 for px, py in corners)


@dataclass(frozen=True)
class _Layout:
    left: float  # x of the left lifeline
    right: float  # x of the right lifeline
    width: float
    height: float
    steps: int
    band: float  # height of one step
    inner: tuple  # (x, x): between the state boxes of both lifelines, where labels go

    def y(self, step: int) -> float:
        return _TOP + step * self.band

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2


class _Canvas:
    """What is drawn so far that a label must keep clear of: boxes (texts, state boxes),
    which it never overlaps, and strokes (the arrows, their crosses), which it avoids
    where it can; and the segment labels still to be placed (they go last)."""

    def __init__(self) -> None:
        self.boxes: list = []
        self.strokes: list = []  # (owner, bounds, corners): a label may cross its own
        self.labels: list = []  # _Label each

    def add(self, corners: tuple) -> None:
        self.boxes.append((_bounds(corners), corners))

    def stroke(self, owner, corners: tuple) -> None:
        self.strokes.append((owner, _bounds(corners), corners))

    def clear(self, corners: tuple, owner=None) -> bool:
        """Whether ``corners`` overlaps no box (and, given an ``owner``, no stroke of
        another owner)."""
        bounds = _bounds(corners)
        if any(_meet(bounds, b) and _overlap(corners, c) for b, c in self.boxes):
            return False
        return owner is None or not any(o is not owner and _meet(bounds, b)
                                        and _overlap(corners, c) for o, b, c in self.strokes)


@dataclass(frozen=True)
class _Label:
    """A segment's label to place along ``line`` (two points, left to right), nearest to
    x = ``prefer``; written into ``parent``."""

    parent: ET.Element
    text: str
    colour: str
    line: tuple
    prefer: float


def svg(trace: Trace, *, title: str | None = None, lang: str = "en") -> str:
    """``trace`` as an SVG document (see the module doc for its structure), its own words
    (the title, a segment's fate) in ``lang`` (tcpcheck/render/lang.py).  No two texts
    (or state boxes) overlap and all lie inside the drawing, by :func:`text_box`'s measure:
    the lifelines, then the steps, are drawn further apart until every segment's label
    finds a free place (see :func:`_place` for a label that finds none even then)."""
    names = tuple(trace.endpoint_names)
    all_journeys = journeys(trace)
    words = TABLES[lang]
    heading = title or _default_title(trace, words)
    labels = {j: _segment_label(j, words) for j in all_journeys}
    # the narrow chart, else a wider gap, else the steps further and further apart
    for wide, band in _ATTEMPTS:
        root, missed = _draw(trace, names, all_journeys, heading, labels, band, wide)
        if not missed:
            break
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def _draw(trace: Trace, names: tuple, all_journeys: tuple, heading: str, labels: dict,
          band: float, wide: bool) -> tuple:
    """The drawing with steps ``band`` apart (and a ``wide`` gap between the lifelines),
    and how many labels found no free place."""
    layout = _layout(trace, names, heading, labels, band, wide)
    canvas = _Canvas()
    root = ET.Element("svg", {"xmlns": SVG_NS, "version": "1.1",
                              "width": _num(layout.width), "height": _num(layout.height),
                              "viewBox": f"0 0 {_num(layout.width)} {_num(layout.height)}",
                              "class": "tcpcheck-sequence-chart"})
    ET.SubElement(root, "title").text = heading
    _text(canvas, root, 12, 20, heading, {"font-weight": "bold"})
    _lifelines(canvas, root, names, layout)
    table = by_step(trace, all_journeys)
    ends = _segments_by_group(all_journeys, len(trace.steps))
    previous = None
    for step in trace.steps:
        group = ET.SubElement(root, "g", {"class": "step", "data-step": str(step.index)})
        _step_marks(canvas, group, step, previous, names, layout, trace.loop_start)
        for j in table[step.index].copied:
            _copy_mark(group, j, names, layout, step.index)
        for j in ends[step.index]:
            _segment(canvas, group, j, labels[j], names, layout)
        previous = step
    # the longest labels first: they have the least room to move (sorted is stable, so
    # the order stays the same from one run to the next)
    longest_first = sorted(canvas.labels, key=lambda label: -text_width(label.text))
    missed = sum(not _place(canvas, label, layout) for label in longest_first)
    return root, missed


def _default_title(trace: Trace, words: dict) -> str:
    what = "witness" if trace.kind == "witness" else "counterexample"
    about = "_for" if trace.property else ""
    return words[f"chart_{what}{about}"].format(model=trace.model, property=trace.property,
                                                 steps=len(trace))


def _layout(trace: Trace, names: tuple, heading: str, labels: dict, band: float,
            wide: bool) -> _Layout:
    widths = sorted((text_width(text) for text in labels.values()), reverse=True)
    widths += [0.0, 0.0]
    # labels go between the state boxes on both lifelines, so the gap holds the widest
    # state box (half of it on each side) and the longest label with room to slide; a wide
    # gap holds the two longest side by side, so that two arrows that cross at a small
    # angle have room for their labels on either side of the crossing
    states = [text_width(e.state) for s in trace.steps for e in s.state.endpoints] or [0]
    half_box = (max(states) + 12) / 2
    room = widths[0] + widths[1] + 24 if wide else widths[0] + 48
    gap = max(320.0, room + 2 * (half_box + _PAD))
    # event labels are written outside the lifelines: the margins must hold the longest
    side = [text_width(_event_text(s) or "") for s in trace.steps] + [text_width(n) for n in names]
    margin = max(120.0, max(side) + 56, half_box + 12)
    left = margin
    right = left + gap
    width = max(right + margin, text_width(heading) + 24)
    height = _TOP + len(trace.steps) * band + 20
    inner = (left + half_box + _PAD, right - half_box - _PAD)
    return _Layout(left, right, width, height, len(trace.steps), band, inner)


def _lifelines(canvas: _Canvas, root, names: tuple, layout: _Layout) -> None:
    group = ET.SubElement(root, "g", {"class": "lifelines"})
    bottom = layout.height - 10
    for name, x in zip(names, (layout.left, layout.right)):
        box = text_width(name) + 16
        ET.SubElement(group, "rect", {"x": _num(x - box / 2), "y": "30", "width": _num(box),
                                      "height": "20", "rx": "3", "fill": "#f4f4f4",
                                      "stroke": _INK})
        canvas.add(_rect(x - box / 2, 30, box, 20))
        _text(canvas, group, x, 44, name, {"text-anchor": "middle", "font-weight": "bold"})
        ET.SubElement(group, "line", {"class": "lifeline", "x1": _num(x), "y1": "50",
                                      "x2": _num(x), "y2": _num(bottom), "stroke": _MUTED})


# ---- one step --------------------------------------------------------------------------------

def _step_marks(canvas: _Canvas, group, step: Step, previous: Step | None, names: tuple,
                layout: _Layout, loop_start: int | None) -> None:
    y = layout.y(step.index)
    _text(canvas, group, 12, y + 4, str(step.index), {"fill": _MUTED})
    if loop_start is not None and step.index == loop_start:
        _text(canvas, group, layout.middle, y - 14, "the run repeats from here",
              {"text-anchor": "middle", "fill": _MUTED})
    if step.kind == "tick":
        ET.SubElement(group, "line", {"class": "tick", "x1": _num(layout.left),
                                      "y1": _num(y - 6), "x2": _num(layout.right),
                                      "y2": _num(y - 6),
                                      "stroke": _MUTED, "stroke-dasharray": "2 4"})
        _text(canvas, group, layout.middle, y + 8, step.summary.split(";")[0],
              {"text-anchor": "middle", "fill": _MUTED})
    event = _event_text(step)
    if event is not None and step.actor in names:
        x = layout.left if step.actor == names[0] else layout.right
        _event_mark(canvas, group, step, x, y + _EVENT, x == layout.left, event)
    for e, view in enumerate(step.state.endpoints):
        before = previous.state.endpoints[e] if previous is not None else None
        if before is None or before.state != view.state:
            x = layout.left if view.name == names[0] else layout.right
            _state_box(canvas, group, x, y + _STATE, view.state)


def _event_text(step: Step) -> str | None:
    return step.summary if step.kind == "error" else event_label(step)


def _event_mark(canvas: _Canvas, group, step: Step, x: float, y: float, on_left: bool,
                text: str) -> None:
    mark = ET.SubElement(group, "g", {"class": f"event {step.kind}"})
    if step.kind == "crash" or step.kind == "error":
        _cross(mark, x, y, _FAULT)
    else:
        ET.SubElement(mark, "circle", {"cx": _num(x), "cy": _num(y), "r": "4",
                                       "fill": _INK if step.kind == "user" else "white",
                                       "stroke": _INK})
    offset = -10 if on_left else 10
    colour = _FAULT if step.kind in ("crash", "error") else _INK
    _text(canvas, mark, x + offset, y + 3, text,
          {"text-anchor": "end" if on_left else "start", "fill": colour})


def _state_box(canvas: _Canvas, group, x: float, y: float, state: str) -> None:
    box = ET.SubElement(group, "g", {"class": "state"})
    width = text_width(state) + 12
    ET.SubElement(box, "rect", {"x": _num(x - width / 2), "y": _num(y - 9),
                                "width": _num(width), "height": "18", "rx": "4",
                                "fill": "#eef4fb", "stroke": "#4a6fa5"})
    canvas.add(_rect(x - width / 2, y - 9, width, 18))  # the name is inside it
    _text(None, box, x, y + 4, state, {"text-anchor": "middle"})


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


_FATE_KEYS = {DISCARDED: "chart_discarded", LOST: "chart_lost", EXPIRED: "chart_expired",
              DROPPED: "chart_dropped", IN_FLIGHT: "chart_in_flight"}


def _segment_label(j: Journey, words: dict) -> str:
    fate = words[_FATE_KEYS[j.fate]] if j.fate in _FATE_KEYS else ""
    return (words["chart_copy"] if j.is_copy else "") + j.segment.text() + fate


def _segment(canvas: _Canvas, group, j: Journey, label: str, names: tuple,
             layout: _Layout) -> None:
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
    canvas.stroke(seg, _thick((x1, y1), end, 1))
    if j.fate in (ARRIVED, DISCARDED):
        _arrowhead(seg, (x1, y1), end, colour)
    elif j.fate != IN_FLIGHT:
        _cross(seg, end[0], end[1], _FAULT)
        canvas.stroke(None, _rect(end[0] - 6, end[1] - 6, 12, 12))  # no label on a cross
    # the label goes along the arrow, extended to the other lifeline (a lost segment's
    # label may run past its cross), best a third of the way from the sender (_NEAR); a
    # dropped send's arrow is too short to write along: level with it, near the sender
    other = layout.right if end[0] > x1 else layout.left
    if j.fate == DROPPED:
        line, prefer = ((x1, y1), (other, y1)), x1
    else:
        slope = (end[1] - y1) / (end[0] - x1)
        line = ((x1, y1), (other, y1 + (other - x1) * slope))
        prefer = x1 + (end[0] - x1) * _NEAR
    if line[0][0] > line[1][0]:
        line = (line[1], line[0])
    canvas.labels.append(_Label(seg, label, colour, line, prefer))


def _ends(j: Journey, names: tuple, layout: _Layout) -> tuple:
    """Where a segment's arrow starts and ends: from the sender at the step that sent it
    to the receiver at its arrival, or to the middle at the step it was lost or expired;
    a dropped send stops at once; one still in flight heads for where it would have
    arrived a step after it entered the channel and stops part-way, since it never did."""
    rightward = j.segment.src == names[0]
    x1 = layout.left if rightward else layout.right
    x2 = layout.right if rightward else layout.left
    y1 = layout.y(j.sent if j.sent is not None else 0) + _SEND
    if j.fate in (ARRIVED, DISCARDED):
        return (x1, y1), (x2, layout.y(j.end) + _ARRIVE)
    if j.fate == DROPPED:
        return (x1, y1), (x1 + (30 if rightward else -30), y1 + 6)
    if j.fate == IN_FLIGHT:
        entered = j.copy_made if j.is_copy else (j.sent or 0)
        y2 = layout.y(entered + 1) + _ARRIVE
        share = 0.45
        if j.is_copy:  # the copy's dot (at the step it was made) is on the arrow
            share = max(share, min(0.9, (layout.y(entered) - y1) / (y2 - y1) + 0.15))
        return (x1, y1), (x1 + (x2 - x1) * share, y1 + (y2 - y1) * share)
    return (x1, y1), (layout.middle, layout.y(j.end))


def _copy_mark(group, j: Journey, names: tuple, layout: _Layout, index: int) -> None:
    """Where the channel made a copy: a dot on the copy's own arrow, at that step."""
    (x1, y1), (x2, y2) = _ends(j, names, layout)
    y = layout.y(index)
    x = x1 if y2 == y1 else x1 + (x2 - x1) * (y - y1) / (y2 - y1)
    mark = ET.SubElement(group, "g", {"class": "copy", "data-copy": str(index)})
    ET.SubElement(mark, "circle", {"cx": _num(x), "cy": _num(y), "r": "3.5", "fill": _COPY})


def _place(canvas: _Canvas, label: _Label, layout: _Layout) -> bool:
    """Writes ``label`` turned with its line (never upside down), above it if it can, at
    the first place nearest ``prefer`` where it is clear of every box so far and between
    the state boxes; False when there is none (it is then written at the first place
    between the state boxes, or, should even that not exist, at ``prefer``)."""
    (x1, y1), (x2, y2) = label.line
    slope = (y2 - y1) / (x2 - x1)
    angle = round(math.degrees(math.atan(slope)), 1)  # as written: the box is what is drawn
    lo, hi = layout.inner
    # nearest the preferred place first, above the line before below it (a label below
    # is worth _BELOW_COST pixels further along)
    spots = sorted(((abs(lo + 2 * k - label.prefer) + (_BELOW_COST if below else 0),
                     lo + 2 * k, below) for k in range(int((hi - lo) / 2) + 1)
                    for below in (False, True)))
    inside = []
    for _, x, below in spots:
        x, y = round(x, 1), round(y1 + (x - x1) * slope, 1)
        spot = (x, y + (_BELOW if below else _ABOVE), (angle, x, y))
        corners = text_box(spot[0], spot[1], label.text, "middle", spot[2])
        if _within(corners, lo, hi, layout.height):
            inside.append((spot, corners))
    # best: clear of the other arrows too; else across an arrow but clear of every text
    for owner in (label.parent, None):
        for spot, corners in inside:
            if canvas.clear(corners, owner):
                _write_label(canvas, label, spot)
                return True
    x = label.prefer
    y = round(y1 + (x - x1) * slope, 1)
    _write_label(canvas, label, inside[0][0] if inside else (x, y + _ABOVE, (angle, x, y)))
    return False


def _write_label(canvas: _Canvas, label: _Label, spot: tuple) -> None:
    x, y, rotate = spot
    _text(canvas, label.parent, x, y, label.text, {"text-anchor": "middle",
                                                   "fill": label.colour}, rotate)


def _within(corners: tuple, lo: float, hi: float, height: float) -> bool:
    return all(lo <= x <= hi and 0 <= y <= height for x, y in corners)


def _thick(start: tuple, end: tuple, half: float) -> tuple:
    """The line from ``start`` to ``end`` as a quadrilateral ``2 * half`` wide."""
    length = math.hypot(end[0] - start[0], end[1] - start[1]) or 1.0
    nx, ny = (start[1] - end[1]) / length * half, (end[0] - start[0]) / length * half
    return ((start[0] + nx, start[1] + ny), (end[0] + nx, end[1] + ny),
            (end[0] - nx, end[1] - ny), (start[0] - nx, start[1] - ny))


def _rect(x: float, y: float, width: float, height: float) -> tuple:
    return ((x, y), (x + width, y), (x + width, y + height), (x, y + height))


def _bounds(corners: tuple) -> tuple:
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _meet(a: tuple, b: tuple) -> bool:
    """Whether two (left, top, right, bottom) bounds overlap (touching is apart)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _overlap(a: tuple, b: tuple) -> bool:
    """Whether two convex quadrilaterals overlap: no edge's normal separates them."""
    for poly in (a, b):
        for (px, py), (qx, qy) in zip(poly, poly[1:] + poly[:1]):
            nx, ny = qy - py, px - qx
            pa = [nx * x + ny * y for x, y in a]
            pb = [nx * x + ny * y for x, y in b]
            if max(pa) <= min(pb) or max(pb) <= min(pa):
                return False
    return True


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


def _text(canvas: _Canvas | None, parent, x: float, y: float, text: str,
          attrs: dict | None = None, rotate: tuple | None = None) -> None:
    """A text element, turned by ``rotate`` (degrees, cx, cy); its box, measured at the
    coordinates as written, goes on ``canvas`` (None: it is inside a box already)."""
    x, y = float(_num(x)), float(_num(y))
    attrs = dict(attrs or {})
    if rotate is not None:
        rotate = tuple(float(_num(v)) for v in rotate)
        attrs["transform"] = "rotate({} {} {})".format(*(_num(v) for v in rotate))
    element = ET.SubElement(parent, "text", {"x": _num(x), "y": _num(y), **_FONT, **attrs})
    element.text = text
    if canvas is not None:
        canvas.add(text_box(x, y, text, attrs.get("text-anchor", "start"), rotate))


def _num(value: float) -> str:
    """Coordinates to one decimal, without a trailing .0: short and deterministic."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
