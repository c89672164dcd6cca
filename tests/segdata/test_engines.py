"""len, wnd and seg.seglen in the three engines: the Python reference semantics, the native
engine generated from the IR (they must agree on counts, verdicts and traces) and the
symbolic engine (which proves with them, never a traceback)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from engine_note import needs_cc
from native.native_support import both, comparable
from tcpcheck.cli import main
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file, load_string

HERE = Path(__file__).resolve().parent
ONE_WAY = HERE / "one_way_data.tcp"

# The client sends 0..2 octets (a FIN with them or not) at any sequence number of a small
# space; the server runs RFC 9293 3.10.7.4's acceptability test with a window of 0..3 and
# adds up the sequence numbers it accepted (one duplicate: at most twice 3).
WINDOWED = """
model windowed
bounds { seqspace = 8 }
channel { capacity = 2  loss = 1  duplication = 1  reordering = yes }
segment { len : 0..2  wnd : 0..3 }
endpoint client {
  states S, DONE  initial S  terminal S, DONE
  var pos : seq
  var size : 0..2
  transition go: S -> DONE on open {
    choose pos
    choose size
    if size == 2 { send FIN+ACK(seq=pos, ack=0, len=size, wnd=3) }
    else { send ACK(seq=pos, ack=0, len=size, wnd=size) }
  }
}
endpoint server {
  states S  initial S  terminal S
  var rcv_nxt : seq = 2
  var rcv_wnd : 0..3 = 2
  var took : 0..9
  transition ok: S -> S on recv ACK ...
    when (seg.seglen == 0 and rcv_wnd == 0 and seg.seq == rcv_nxt)
      or (seg.seglen == 0 and rcv_wnd > 0 and rcv_nxt <= seg.seq and seg.seq < rcv_nxt + rcv_wnd)
      or (seg.seglen > 0 and rcv_wnd > 0
          and ((rcv_nxt <= seg.seq and seg.seq < rcv_nxt + rcv_wnd)
               or (rcv_nxt <= seg.seq + seg.seglen - 1
                   and seg.seq + seg.seglen - 1 < rcv_nxt + rcv_wnd)))
  { took := took + seg.seglen  rcv_wnd := seg.wnd }
}
property bounded: always server.took <= 6
property ends_in_window: reachable server.took == 3 and client.pos == 0
"""


def run(*argv) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("engine", ["python", pytest.param("native", marks=needs_cc)])
def test_one_way_data_counts_by_hand(engine):
    code, out = run("check", str(ONE_WAY), "--engine", engine, "--exhaustive")
    assert code == 0, out
    # the six states the fixture's doc string lists, one action into each but the first
    assert "6 states, 5 transitions, diameter 3" in out


@needs_cc
@pytest.mark.parametrize("exhaustive", [False, True])
@pytest.mark.parametrize("text", [ONE_WAY.read_text(), WINDOWED], ids=["one_way", "windowed"])
def test_native_equals_python(text, exhaustive):
    model = load_string(text)
    native, python = both(model, CheckOptions(stop_when_decided=not exhaustive))
    assert (native.backend, python.backend) == ("native", "python")
    assert comparable(native, model) == comparable(python, model)
    assert native.exit_code == python.exit_code


def test_the_acceptability_test_admits_data_that_ends_in_the_window():
    # seq 0 with 3 octets (2 of data and the FIN) ends at 2 = RCV.NXT: acceptable, which
    # a test of the first octet alone (window of one number) would miss
    result = check(load_string(WINDOWED), CheckOptions(stop_when_decided=False))
    verdicts = {p.name: p.status for p in result.properties}
    assert verdicts["bounded"] == "holds" and verdicts["ends_in_window"] == "reached"


def test_the_symbolic_engine_proves_with_len_and_seglen():
    code, out = run("prove", str(ONE_WAY), "-p", "acks_carry_no_data", "-p", "data_acked",
                    "--timeout", "60")
    assert code == 0, out
    assert "acks_carry_no_data  PROVED" in out and "data_acked          reached" in out


def test_check_loads_the_fixture_with_its_fields():
    model = load_file(ONE_WAY)
    assert [(f.name, f.ghost) for f in model.ghost_fields] == [("len", False), ("wnd", False)]
