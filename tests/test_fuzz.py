"""Property tests: generated small models never crash the pipeline, and a verdict is the same
on every run (determinism).  Mangled source text gives a ModelError, never another error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tcpcheck.diagnostics import ModelError
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_string

from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "models"

STATES = ["A", "B", "C"]
FLAGS = ["SYN", "ACK", "FIN", "RST"]


@st.composite
def transitions(draw, endpoint: str, index: int):
    source = draw(st.sampled_from(STATES))
    target = draw(st.sampled_from(STATES + ["same"]))
    trigger = draw(st.sampled_from(["open", "close", "timeout t", "recv", "crash"]))
    if trigger == "recv":
        flags = draw(st.lists(st.sampled_from(FLAGS), min_size=1, max_size=2, unique=True))
        trigger = "recv " + " ".join(flags) + draw(st.sampled_from(["", " ..."]))
    guard = draw(st.sampled_from(["", " when x < 2", " when seg.seq == x" if "recv" in trigger else ""]))
    body = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["assign", "send", "choose", "start", "stop"]))
        if kind == "assign":
            body.append(f"x := {draw(st.sampled_from(['0', '1', 'x + 1', '2']))}")
        elif kind == "send":
            flags = "+".join(draw(st.lists(st.sampled_from(FLAGS), min_size=1, max_size=2, unique=True)))
            body.append(f"send {flags}(seq=s, ack=s + 1)")
        elif kind == "choose":
            body.append("choose s")
        elif kind == "start":
            body.append(f"start t {draw(st.integers(0, 2))}")
        else:
            body.append("stop t")
    return (f"  transition t{index}: {source} -> {target} on {trigger}{guard}\n"
            f"  {{ {'   '.join(body)} }}\n")


@st.composite
def models(draw):
    parts = ["model fuzz\n",
             f"bounds {{ seqspace = {draw(st.integers(2, 4))} "
             f"incarnations = {draw(st.integers(1, 2))} }}\n",
             f"channel {{ capacity = {draw(st.integers(1, 2))} "
             f"loss = {draw(st.sampled_from(['no', '1', 'unbounded']))} "
             f"duplication = {draw(st.sampled_from(['no', '1']))} "
             f"reordering = {draw(st.sampled_from(['yes', 'no']))} "
             + draw(st.sampled_from(["", "msl = 2 "])) + "}\n"]
    for name in ("client", "server"):
        parts.append(f"endpoint {name} {{\n  states A, B, C\n  initial A\n  terminal A\n"
                     "  var x : 0..3\n  var s : seq\n  timer t\n")
        count = draw(st.integers(1, 4))
        for i in range(count):
            parts.append(draw(transitions(name, i)))
        parts.append("}\n")
    parts.append("property p1: always client.x <= 3\n")
    parts.append("property p2: reachable server.state == B\n")
    parts.append("property p3: deadlock free\n")
    return "".join(parts)


def _summary(result):
    return ([(p.name, p.status, len(p.trace) if p.trace else None) for p in result.properties],
            result.stats.states, result.stats.transitions, result.complete)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_generated_models_never_crash_and_are_deterministic(text):
    try:
        model = load_string(text, "fuzz.tcp")
    except ModelError:
        return  # a rejected model is fine; an uncaught exception is not
    options = CheckOptions(max_states=3000, stop_when_decided=False)
    first = check(model, options)
    second = check(load_string(text, "fuzz.tcp"), options)
    assert _summary(first) == _summary(second)
    for p in first.properties:
        if p.status == "holds":
            assert first.complete  # never "holds" from a run cut short
        if p.trace is not None:
            assert p.trace.steps[0].kind == "init"


SOURCE = (MODELS / "two_way_handshake.tcp").read_text()


@settings(max_examples=80, deadline=None)
@given(st.integers(0, len(SOURCE) - 1), st.sampled_from(["", "}", "{", ":=", "=", "SYN", "@", "\n", "->"]))
def test_mangled_source_gives_a_model_error_or_loads(position, insert):
    text = SOURCE[:position] + insert + SOURCE[position + 1:]
    try:
        load_string(text, "mangled.tcp")
    except ModelError as err:
        assert err.diagnostics
        for d in err.diagnostics:
            assert d.span.line >= 1 and d.span.column >= 1
