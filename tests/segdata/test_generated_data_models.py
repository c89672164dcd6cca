"""The native engine against the Python engine on generated models that send, read and
compare len, wnd, ts and seg.seglen (random flags, sizes, windows and stamps, guards and
assignments over them): the whole --json output but the timing must be equal.  Seeded and
derandomized, so every run checks the same models."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine_note import needs_cc
from native.native_support import both, comparable
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_string

pytestmark = needs_cc

FLAGS = ["ACK", "SYN", "FIN+ACK", "SYN+ACK", "ACK+PSH"]
FIELD = ["seg.len", "seg.wnd", "seg.ts", "seg.seglen"]
COMPARE = ["<", "<=", "==", "!=", ">"]

MODEL = """model generated
bounds {{ seqspace = 8 }}
channel {{ capacity = 2  loss = 1  duplication = 1  reordering = {reorder} }}
segment {{ len : 0..2  wnd : 0..3  ts : 0..3  ghost tag : 0..1 }}
endpoint a {{
  states S, T  initial S  terminal S, T
  var n : seq
  transition go: S -> T on send {{ {sends} }}
  transition again: T -> S on receive when n != 0 {{ n := n - 1 }}
  transition back: T -> S on recv ... when {guard_a} {{ n := seg.seq + seg.seglen }}
}}
endpoint b {{
  states S  initial S  terminal S
  var got : 0..9
  var last : seq
  transition take: S -> S on recv ... when {guard_b} {{
    if seg.len > 0 {{ got := (got + seg.len) % 10 }}
    last := seg.seq + seg.seglen
    send ACK(seq=0, ack=last, wnd=seg.len + 1, ts=seg.ts, tag=seg.tag)
  }}
  transition other: S -> S on recv ... when not ({guard_b})
}}
property bounded: always b.got <= {bound}
property moved: reachable b.last == 2
"""


@st.composite
def sends(draw):
    out = []
    for _ in range(draw(st.integers(1, 2))):
        flags = draw(st.sampled_from(FLAGS))
        out.append(f"send {flags}(seq=n + {draw(st.integers(0, 3))}, "
                   f"len={draw(st.integers(0, 2))}, wnd={draw(st.integers(0, 3))}, "
                   f"ts={draw(st.integers(0, 3))}, tag={draw(st.integers(0, 1))})")
    return "  ".join(out) + "  n := n + 1"


@st.composite
def guards(draw):
    field = draw(st.sampled_from(FIELD))
    return f"{field} {draw(st.sampled_from(COMPARE))} {draw(st.integers(0, 3))}"


@st.composite
def models(draw):
    return MODEL.format(reorder=draw(st.sampled_from(["yes", "no"])), sends=draw(sends()),
                        guard_a=draw(guards()), guard_b=draw(guards()),
                        bound=draw(st.integers(2, 6)))


@pytest.fixture(scope="module", autouse=True)
def quick_compiles():
    """-O0: the models are tiny, and compiling them is most of this test's time."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TCPCHECK_CFLAGS", "-O0")
        yield


@settings(max_examples=25, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(text=models())
def test_native_equals_python_on_generated_data_models(text):
    model = load_string(text)
    for exhaustive in (True, False):
        native, python = both(model, CheckOptions(stop_when_decided=not exhaustive))
        assert comparable(native, model) == comparable(python, model), text
