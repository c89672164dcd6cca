"""The SVG chart: its structure (the contract with pages that embed it), not its pixels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from render.render_support import assert_golden, eventful_trace, shipped_traces, two_way_trace

from tcpcheck.render.svg import SVG_NS, svg

NS = {"svg": SVG_NS}


def _parse(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{{{SVG_NS}}}svg"
    return root


def _steps(root) -> list:
    return root.findall("svg:g[@class='step']", NS)


def _segments(root) -> list:
    return root.findall(".//svg:g[@class='segment']", NS)


def test_two_way_golden():
    assert_golden("two_way.svg", svg(two_way_trace()))


def test_one_group_per_step_in_order():
    for trace in (two_way_trace(), eventful_trace()):
        groups = _steps(_parse(svg(trace)))
        assert [g.get("data-step") for g in groups] == [str(i) for i in range(len(trace.steps))]


def test_the_stale_syn_is_one_slanted_arrow_from_step_1_to_step_3():
    root = _parse(svg(two_way_trace()))
    group_3 = _steps(root)[3]
    (syn,) = [s for s in group_3.findall("svg:g[@class='segment']", NS)
              if s.get("data-fate") == "arrived"]
    assert (syn.get("data-sent"), syn.get("data-arrived")) == ("1", "3")
    line = syn.find("svg:line", NS)
    assert float(line.get("y2")) > float(line.get("y1")) + 60  # two bands down the page
    assert syn.find("svg:polygon[@class='arrowhead']", NS) is not None
    assert "SYN seq=0 conn=0" in "".join(syn.itertext())


def test_each_fate_has_its_mark():
    root = _parse(svg(eventful_trace()))
    fates = [(s.get("data-fate"), s.get("data-sent"), s.get("data-arrived"),
              s.get("data-ended"), s.get("data-copy")) for s in _segments(root)]
    assert sorted(fates, key=str) == sorted([
        ("lost", "1", None, "3", None), ("arrived", "1", "7", None, "2"),
        ("expired", "5", None, "9", None), ("discarded", "7", "8", None, None),
        ("dropped", "10", None, "10", None), ("in_flight", "11", None, None, None)], key=str)
    for seg in _segments(root):
        crosses = seg.findall("svg:g[@class='cross']", NS)
        heads = seg.findall("svg:polygon", NS)
        if seg.get("data-fate") in ("lost", "expired", "dropped"):
            assert len(crosses) == 1 and not heads
        elif seg.get("data-fate") in ("arrived", "discarded"):
            assert len(heads) == 1 and not crosses
    # each segment is drawn in the group of the step it ended at
    for group in _steps(root):
        for seg in group.findall("svg:g[@class='segment']", NS):
            end = seg.get("data-arrived") or seg.get("data-ended") or seg.get("data-sent")
            assert end == group.get("data-step")
    crash = _steps(root)[6].find("svg:g[@class='event crash']", NS)
    assert crash is not None and crash.find("svg:g[@class='cross']", NS) is not None
    assert _steps(root)[2].find("svg:g[@class='copy']", NS) is not None


def test_state_boxes_at_the_start_and_on_every_change():
    root = _parse(svg(two_way_trace()))
    boxes = [(g.get("data-step"), "".join(b.itertext()).strip())
             for g in _steps(root) for b in g.findall("svg:g[@class='state']", NS)]
    assert boxes == [("0", "CLOSED"), ("0", "LISTEN"), ("1", "SYN_SENT"), ("2", "CLOSED"),
                     ("3", "ESTABLISHED")]


def test_nothing_can_clash_with_another_chart_on_the_page():
    for _, trace in shipped_traces()[:4] + (("eventful", eventful_trace()),):
        text = svg(trace)
        root = _parse(text)
        assert all("id" not in e.attrib for e in root.iter())
        assert root.find(".//svg:style", NS) is None and "url(#" not in text


def test_title_is_escaped():
    text = svg(two_way_trace(), title='<a & "b">')
    assert ET.fromstring(text).find("svg:title", NS).text == '<a & "b">'
