"""A model built in Python from the ir dataclasses (no source text), checked by the explicit
engine, with the number of states counted by hand.

The model: the client opens, picks an ISN ``iss`` in 0..1 (seqspace 2) and sends one SYN;
the server, in LISTEN, takes a SYN and records ``rcv = seg.seq + 1``.  The channel holds one
segment per direction and may lose segments (unbounded) but never duplicates them; no timers,
no MSL, so time never passes.

Reachable states, by hand:

1. the initial state: client CLOSED iss=0, server LISTEN rcv=0, nothing in flight;
2. client ``connect`` with iss=0: client SYN_SENT, SYN seq=0 in flight to the server;
3. client ``connect`` with iss=1: client SYN_SENT iss=1, SYN seq=1 in flight;
4. from 2, the server takes the SYN: server SYN_RCVD rcv=1, nothing in flight;
5. from 2, the channel loses the SYN: client SYN_SENT iss=0, server LISTEN, nothing in flight;
6. from 3, the server takes it: server SYN_RCVD rcv=0 (1 + 1 mod 2);
7. from 3, the SYN is lost.

States 4 to 7 have no successor.  So 7 states, 6 transitions (2 + 2 + 2), diameter 2.
States 5 and 7 are deadlocks (server in LISTEN is not terminal); 4 and 6 are terminal.
With ``loss = 0`` states 5 and 7 disappear: 5 states, 4 transitions, no deadlock.
"""

from __future__ import annotations

import dataclasses

import pytest

from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_string
from tcpcheck.model import ir
from tcpcheck.model.ir import BOOL, Flag

SEQ = ir.SeqType(2)
ZERO = ir.Lit(0, ir.IntType(0, 0))
ONE = ir.Lit(1, ir.IntType(1, 1))

ISS = ir.VarRef(0, 0, "iss", SEQ, False)
RCV = ir.VarRef(1, 0, "rcv", SEQ, False)

CLIENT = ir.Endpoint(
    name="client",
    states=("CLOSED", "SYN_SENT"),
    initial=0,
    variables=(ir.Variable("iss", SEQ, 0),),
    transitions=(
        ir.Transition(
            name="connect", sources=frozenset({0}), target=1, trigger=ir.Trigger("open"),
            body=(ir.Choose(0, range(2), None),  # every seq number (seqspace 2)
                  ir.Send(int(Flag.SYN), ISS, ZERO, ()))),
    ),
    terminal=frozenset({1}),
)

SERVER = ir.Endpoint(
    name="server",
    states=("LISTEN", "SYN_RCVD"),
    initial=0,
    variables=(ir.Variable("rcv", SEQ, 0),),
    transitions=(
        ir.Transition(
            name="syn_in", sources=frozenset({0}), target=1,
            trigger=ir.Trigger("recv", must_set=int(Flag.SYN)),
            body=(ir.Assign(0, ir.Binary("seq+", ir.SegField("seg", "seq", SEQ), ONE, SEQ)),)),
    ),
    terminal=frozenset({1}),
)

SERVER_RCVD = ir.Binary("==", ir.ControlState(1, ir.StateType(1)),
                        ir.StateLit(1, 1, "SYN_RCVD", ir.StateType(1)), BOOL)

PROPERTIES = (
    ir.Property("acks_the_isn", "always", ir.Binary(
        "=>", SERVER_RCVD,
        ir.Binary("==", RCV, ir.Binary("seq+", ISS, ONE, SEQ), BOOL), BOOL)),
    ir.Property("server_gets_syn", "reachable", SERVER_RCVD),
    ir.Property("no_deadlock", "deadlock"),
    ir.Property("rcv_is_never_1", "always",
                ir.Binary("!=", RCV, ONE, BOOL)),
)

MODEL = ir.Model(
    name="tiny",
    endpoints=(CLIENT, SERVER),
    properties=PROPERTIES,
    channel=ir.Channel(capacity=1, loss=None, duplication=0, reordering=True, msl=None),
    bounds=ir.Bounds(seqspace=2, incarnations=1),
)

EXHAUSTIVE = CheckOptions(stop_when_decided=False)


def test_hand_built_model_has_exactly_the_hand_counted_states():
    result = check(MODEL, EXHAUSTIVE)
    assert result.complete
    assert result.stats.states == 7
    assert result.stats.transitions == 6
    assert result.stats.diameter == 2


def test_verdicts_on_the_hand_built_model():
    result = check(MODEL, EXHAUSTIVE)
    assert result.get("acks_the_isn").status == "holds"
    assert result.get("server_gets_syn").status == "reached"
    assert len(result.get("server_gets_syn").trace) == 2  # connect, syn_in
    deadlock = result.get("no_deadlock")
    assert deadlock.status == "violated"
    assert len(deadlock.trace) == 2  # connect, then the SYN is lost
    assert deadlock.trace.steps[-1].kind == "lose"
    # iss=0 gives rcv=1: a run of 2 steps breaks it
    broken = result.get("rcv_is_never_1")
    assert broken.status == "violated" and len(broken.trace) == 2
    assert broken.trace.steps[-1].state.endpoint("server").value("rcv") == 1


def test_coverage_counts_each_firing():
    result = check(MODEL, EXHAUSTIVE)
    fired = {(c.endpoint, c.transition): c.fired for c in result.stats.coverage}
    assert fired == {("client", "connect"): 2, ("server", "syn_in"): 2}


def test_without_loss_the_lost_syn_states_disappear():
    lossless = dataclasses.replace(MODEL, channel=dataclasses.replace(MODEL.channel, loss=0))
    result = check(lossless, EXHAUSTIVE)
    assert (result.stats.states, result.stats.transitions) == (5, 4)
    assert result.get("no_deadlock").status == "holds"


SOURCE = """
model tiny
bounds { seqspace = 2 incarnations = 1 }
channel { capacity = 1 loss = unbounded duplication = no reordering = yes }
endpoint client {
  states CLOSED, SYN_SENT
  initial CLOSED
  terminal SYN_SENT
  var iss : seq
  transition connect: CLOSED -> SYN_SENT on open { choose iss send SYN(seq=iss) }
}
endpoint server {
  states LISTEN, SYN_RCVD
  initial LISTEN
  terminal SYN_RCVD
  var rcv : seq
  transition syn_in: LISTEN -> SYN_RCVD on recv SYN { rcv := seg.seq + 1 }
}
property acks_the_isn: always server.state == SYN_RCVD => server.rcv == client.iss + 1
property server_gets_syn: reachable server.state == SYN_RCVD
property no_deadlock: deadlock free
property rcv_is_never_1: always server.rcv != 1
"""


def strip_spans(value):
    """The same record with every span reset, so that text- and Python-built models compare."""
    if isinstance(value, tuple):
        return tuple(strip_spans(v) for v in value)
    if isinstance(value, frozenset):
        return frozenset(strip_spans(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: strip_spans(getattr(value, f.name)) for f in dataclasses.fields(value)
                   if f.name != "span"}
        if any(f.name == "span" for f in dataclasses.fields(value)):
            changes["span"] = ir.NO_SPAN
        return dataclasses.replace(value, **changes)
    return value


def test_the_same_model_written_in_tcpspec_lowers_to_the_same_records():
    loaded = load_string(SOURCE, "tiny.tcp")
    assert strip_spans(loaded.endpoints) == strip_spans(MODEL.endpoints)
    assert strip_spans(loaded.properties) == strip_spans(MODEL.properties)
    assert loaded.channel == MODEL.channel and loaded.bounds == MODEL.bounds


def test_the_same_model_written_in_tcpspec_has_the_same_state_space():
    result = check(load_string(SOURCE, "tiny.tcp"), EXHAUSTIVE)
    assert (result.stats.states, result.stats.transitions, result.stats.diameter) == (7, 6, 2)


@pytest.mark.parametrize("capacity", [1, 2])
def test_capacity_does_not_matter_for_one_segment(capacity):
    wider = dataclasses.replace(MODEL, channel=dataclasses.replace(MODEL.channel,
                                                                   capacity=capacity))
    assert check(wider, EXHAUSTIVE).stats.states == 7
