"""The SVG chart's geometry: no two texts overlap and every text is inside the drawing.

Each text's box is estimated from its position, anchor, rotation and length with
``tcpcheck.render.svg.text_box`` (the estimate the layout uses: 7.2 px a character of the
12 px font, 9.6 px above the baseline, 3 px below); a state's or an endpoint's name stands
for the box drawn around it.  Overlap is decided here on its own (separating axes), not
with the layout's code, over the counterexamples and witnesses of shipped models: the
handshakes, the teardowns (their counterexamples at channel capacity 1, as in
render_support), a liveness lasso, several counterexamples of one property, and the
hand-built run with one of everything.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

from render.render_support import eventful_trace, shipped_traces

from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file
from tcpcheck.render.svg import SVG_NS, svg, text_box

MODELS = Path(__file__).resolve().parents[2] / "models"
TAG = "{%s}%s" % (SVG_NS, "%s")
SLACK = 0.01  # pixels: boxes that only touch (up to rounding) are apart


@lru_cache(maxsize=None)
def _runs() -> tuple:
    """(label, trace) for every run drawn: the shipped runs of render_support, a liveness
    lasso, four counterexamples of the two-way handshake, and the hand-built run."""
    runs = list(shipped_traces())
    lasso = check(load_file(str(MODELS / "handshake_no_fairness.tcp")), CheckOptions())
    runs += [(f"handshake_no_fairness {p.name}", p.trace) for p in lasso.properties
             if p.trace is not None]
    several = check(load_file(str(MODELS / "two_way_handshake.tcp")),
                    CheckOptions(properties=("no_stale_accept",), counterexamples=4))
    runs += [(f"two_way_handshake no_stale_accept run {k}", t)
             for k, t in enumerate(several.get("no_stale_accept").traces, start=1)]
    runs.append(("eventful", eventful_trace()))
    return tuple(runs)


def _boxes(root: ET.Element) -> list:
    """(what, step, corners) for every text of the drawing; a name or a state is the box
    drawn around it (and the test fails if the name does not fit in it)."""
    out = []

    def walk(element, step):
        step = element.get("data-step", step)
        if element.get("class") in ("lifelines", "state"):
            for rect, text in zip(element.findall(TAG % "rect"), element.findall(TAG % "text")):
                box = _rect_corners(rect)
                assert _inside(_text_corners(text), *box[0], *box[2]), text.text
                out.append((f"{element.get('class')} box {text.text}", step, box))
            return
        if element.tag == TAG % "text":
            out.append((element.text, step, _text_corners(element)))
        for child in element:
            walk(child, step)

    walk(root, None)
    return out


def _text_corners(element) -> tuple:
    rotate = None
    transform = element.get("transform")
    if transform:
        rotate = tuple(float(v) for v in
                       re.fullmatch(r"rotate\((\S+) (\S+) (\S+)\)", transform).groups())
    return text_box(float(element.get("x")), float(element.get("y")), element.text or "",
                    element.get("text-anchor", "start"), rotate)


def _rect_corners(rect) -> tuple:
    x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
    return ((x, y), (x + w, y), (x + w, y + h), (x, y + h))


def _inside(corners, left, top, right, bottom) -> bool:
    return all(left - SLACK <= x <= right + SLACK and top - SLACK <= y <= bottom + SLACK
               for x, y in corners)


def overlap(a: tuple, b: tuple) -> bool:
    """Whether two convex quadrilaterals overlap by more than SLACK: no edge normal of
    either separates their projections."""
    for poly in (a, b):
        for (px, py), (qx, qy) in zip(poly, poly[1:] + poly[:1]):
            nx, ny = qy - py, px - qx
            length = (nx * nx + ny * ny) ** 0.5
            pa = [(nx * x + ny * y) / length for x, y in a]
            pb = [(nx * x + ny * y) / length for x, y in b]
            if max(pa) <= min(pb) + SLACK or max(pb) <= min(pa) + SLACK:
                return False
    return True


def _problems(text: str) -> list:
    root = ET.fromstring(text)
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    boxes = _boxes(root)
    found = [f"outside the drawing: {what!r} (step {step})" for what, step, c in boxes
             if not _inside(c, 0, 0, width, height)]
    for i, (what, step, corners) in enumerate(boxes):
        for other, other_step, other_corners in boxes[i + 1:]:
            if overlap(corners, other_corners):
                found.append(f"{what!r} (step {step}) overlaps {other!r} (step {other_step})")
    return found


def test_the_overlap_test_can_fail():
    square = ((0, 0), (10, 0), (10, 10), (0, 10))
    assert overlap(square, ((5, 5), (15, 5), (15, 15), (5, 15)))
    assert not overlap(square, ((10, 0), (20, 0), (20, 10), (10, 10)))  # touching
    # two texts along the same slanted line, one after the other: their upright bounds
    # overlap, the boxes do not
    first = text_box(100, 100, "SYN seq=0", "middle", (30, 100, 100))
    second = text_box(170, 140.4, "SYN seq=0", "middle", (30, 170, 140.4))
    assert not overlap(first, second)
    assert overlap(first, text_box(110, 104, "SYN seq=0", "middle", (30, 110, 104)))
    crowded = svg(shipped_traces()[0][1]).replace('y="118"', 'y="74"', 1)  # step 1 on 0
    assert _problems(crowded)


def test_the_runs_cover_what_the_issue_names():
    labels = [label for label, _ in _runs()]
    assert any(label.startswith("two_way_handshake") for label in labels)
    assert sum("three_way_handshake" in label for label in labels) == 2  # its witnesses
    assert any("teardown" in label for label in labels)
    lassos = [t for _, t in _runs() if t.loop_start is not None]
    assert lassos
    assert len(_runs()) >= 20


def test_no_text_overlaps_another_or_leaves_the_drawing():
    problems = {label: found for label, trace in _runs() if (found := _problems(svg(trace)))}
    assert problems == {}


def test_the_last_step_is_drawn_in_full():
    """The last step's labels (arrows still in flight, the last arrival) are where the
    drawing used to run out: each run's last step has its texts inside and apart."""
    seen = 0
    for label, trace in _runs():
        root = ET.fromstring(svg(trace))
        _, _, width, height = (float(v) for v in root.get("viewBox").split())
        last = root.find(f"{TAG % 'g'}[@data-step='{len(trace.steps) - 1}']")
        texts = [t for t in last.iter(TAG % "text")]
        seen += len(texts)
        for t in texts:
            assert _inside(_text_corners(t), 0, 0, width, height), (label, t.text)
    assert seen > 20  # the last steps do carry labels


def test_state_names_fit_their_boxes():
    for _, trace in _runs()[:3]:
        root = ET.fromstring(svg(trace))
        assert root.find(f".//{TAG % 'g'}[@class='state']") is not None
        _boxes(root)  # asserts each name is inside its box


def test_chinese_charts_keep_their_texts_apart():
    """In Chinese (the report's charts with --lang zh) a character of the title and of a
    segment's fate takes two cells: the layout makes room for them as for English."""
    problems = {label: found for label, trace in _runs()
                if (found := _problems(svg(trace, lang="zh")))}
    assert problems == {}


def test_a_chinese_chart_says_its_own_words_in_chinese():
    trace = next(t for label, t in _runs() if label.startswith("two_way_handshake"))
    texts = [t.text for t in ET.fromstring(svg(trace, lang="zh")).iter(TAG % "text")]
    assert any("的反例" in text for text in texts)
    english = ("counterexample", "witness", "in flight", "lost", "expired", "discarded",
               "dropped", "steps)", "dup ")
    assert not [text for text in texts if any(word in text for word in english)]


def test_a_wide_character_takes_two_cells():
    narrow, wide = text_box(0, 0, "ab"), text_box(0, 0, "反例")
    assert wide[1][0] - wide[0][0] == 2 * (narrow[1][0] - narrow[0][0])
