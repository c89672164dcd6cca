"""Mermaid sequence diagrams: the statements Mermaid accepts, escaping."""

from __future__ import annotations

import dataclasses
import re

from render.render_support import assert_golden, eventful_trace, shipped_traces, two_way_trace

from tcpcheck.render.mermaid import escape, mermaid
from tcpcheck.trace.records import Trace

# The statements this renderer writes, as Mermaid's sequence grammar reads them.
STATEMENT = re.compile(
    r"    (title [^\n]+"
    r"|participant \w+( as [^\n]+)?"
    r"|Note (over \w+(,\w+)?|left of \w+|right of \w+): [^\n]+"
    r"|\w+(->>|-x)\w+: [^\n]+)")


def _check_statements(text: str) -> None:
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "sequenceDiagram"
    for line in lines[1:]:
        assert STATEMENT.fullmatch(line), line
        body = line.split(": ", 1)[1] if ": " in line else ""
        assert not re.search(r"[;<>%\"]|#(?!\w+;)", body.replace("<br/>", "")), line


def test_two_way_golden():
    assert_golden("two_way.mermaid.txt", mermaid(two_way_trace()))


def test_eventful_golden():
    assert_golden("eventful.mermaid.txt", mermaid(eventful_trace()))


def test_every_line_is_a_mermaid_statement():
    _check_statements(mermaid(two_way_trace()))
    _check_statements(mermaid(eventful_trace()))
    for _, trace in shipped_traces():
        _check_statements(mermaid(trace))


def test_arrows_for_arrivals_and_crosses_for_losses():
    text = mermaid(eventful_trace())
    assert "client->>server: 7. SYN seq=0 conn=0 (dup, sent at step 1, [syn_in])" in text
    assert "client-xserver: 3. SYN seq=0 conn=0 lost" in text
    assert "client-xserver: 9. SYN seq=0 conn=0 expired" in text
    assert "server-xclient: 10. SYN+ACK seq=0 ack=1 conn=0 channel full, dropped" in text
    assert "Note over client: 6. CRASH [crash]" in text
    assert "Note over client,server: 4. one tick passes" in text


def test_special_characters_are_escaped():
    assert escape('a;b#c<d>e%f"g') == "a#59;b#35;c#lt;d#gt;e#37;f#quot;g"
    assert escape("two\nlines") == "two<br/>lines"


def test_names_mermaid_would_misread_get_an_alias():
    first = eventful_trace().steps[0]
    endpoints = tuple(dataclasses.replace(e, name=n)
                      for e, n in zip(first.state.endpoints, ("end", "b-2")))
    step = dataclasses.replace(first, state=dataclasses.replace(first.state,
                                                                endpoints=endpoints))
    renamed = Trace("m;odel", (step,), property="p#1", endpoint_names=("end", "b-2"))
    text = mermaid(renamed)
    assert "participant P0 as end" in text and "participant P1 as b-2" in text
    assert "title m#59;odel: counterexample for p#35;1" in text
