"""The Mermaid output is a sequenceDiagram on its own: the first line says so, every other
line is a statement Mermaid's sequence diagrams know, every participant used is declared,
and no text carries a character Mermaid would read as syntax."""

from __future__ import annotations

import io
import re
from pathlib import Path

from render.render_support import eventful_trace, shipped_traces

from tcpcheck.cli import main
from tcpcheck.render.mermaid import mermaid

MODELS = Path(__file__).resolve().parents[2] / "models"

_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_STATEMENTS = {
    "title": re.compile(r"    title (?P<text>.+)"),
    "participant": re.compile(rf"    participant (?P<id>{_ID})(?: as (?P<text>.+))?"),
    "note": re.compile(rf"    Note (?:over (?P<a>{_ID})(?:,(?P<b>{_ID}))?|(?:left|right) of "
                       rf"(?P<c>{_ID})): (?P<text>.+)"),
    "message": re.compile(rf"    (?P<a>{_ID})(?:->>|-x)(?P<b>{_ID}): (?P<text>.+)"),
}


def problems(text: str) -> list:
    """What makes ``text`` not a sequenceDiagram on its own (empty: nothing)."""
    if not text.endswith("\n") or text.endswith("\n\n"):
        return ["not one newline at the end"]
    lines = text[:-1].split("\n")
    found = [] if lines[0] == "sequenceDiagram" else [f"first line {lines[0]!r}"]
    declared = set()
    for line in lines[1:]:
        kind, match = next(((k, m) for k, r in _STATEMENTS.items() if (m := r.fullmatch(line))),
                           (None, None))
        if match is None:
            found.append(f"not a statement: {line!r}")
            continue
        if kind == "participant":
            declared.add(match["id"])
        used = {v for k, v in match.groupdict().items() if k in "abc" and v}
        if used - declared:
            found.append(f"undeclared {sorted(used - declared)} in {line!r}")
        literal = re.sub(r"#(?:\d+|[a-z]+);|<br/>", "", match["text"] or "")
        if re.search(r"[;#<>%\"]", literal):
            found.append(f"unescaped syntax in {line!r}")
    return found


def test_the_checker_can_fail():
    assert problems("sequenceDiagram\n    participant a\n    a->>b: x\n")
    assert problems("model m\nsequenceDiagram\n")
    assert problems("sequenceDiagram\n    participant a\n    Note over a: x; y\n")
    assert problems("sequenceDiagram\n    participant a\n\nVIOLATED\n")
    assert problems("sequenceDiagram\n    participant a\n    Note over a: x#59; y\n") == []


def test_every_shipped_run_is_a_diagram_on_its_own():
    runs = list(shipped_traces()) + [("eventful", eventful_trace())]
    assert {label: found for label, t in runs if (found := problems(mermaid(t)))} == {}


def test_check_writes_the_diagram_alone():
    for model in ("two_way_handshake.tcp", "handshake_no_fairness.tcp"):
        out, err = io.StringIO(), io.StringIO()
        code = main(["check", str(MODELS / model), "--format", "mermaid"], out, err)
        assert code == 1 and problems(out.getvalue()) == []
        assert "VIOLATED" in err.getvalue()
