"""Shared helpers for the sequence-chart renderers' tests.

* :func:`assert_golden`: compare with ``golden/NAME``, or rewrite it with
  ``TCPCHECK_UPDATE_GOLDEN=1``;
* :func:`eventful_trace`: a hand-built trace with one of everything a chart must draw: a
  loss, a duplicate that arrives late, a crash, a timer expiry, a tick that lets a segment
  expire, a discard, a send into a full channel, and a segment still in flight at the end;
* :func:`two_way_trace` and :func:`shipped_traces`: real runs from the explicit checker.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file
from tcpcheck.trace.records import EndpointView, SegmentView, Snapshot, Step, Trace
from golden import check_golden

GOLDEN = Path(__file__).resolve().parent / "golden"
MODELS = Path(__file__).resolve().parents[2] / "models"


def assert_golden(name: str, text: str) -> None:
    """``text`` equals ``golden/NAME`` (TCPCHECK_UPDATE_GOLDEN=1 rewrites it)."""
    check_golden(GOLDEN / name, text)


# ---- a hand-built run -----------------------------------------------------------------------

def _seg(src, flags, seq, ack=0, conn=0, age=0) -> SegmentView:
    dst = "server" if src == "client" else "client"
    return SegmentView(src, dst, flags, seq, ack, (("conn", conn),), age)


SYN0 = _seg("client", "SYN", 0)
SYNACK = _seg("server", "SYN+ACK", 0, 1)
SYN4 = _seg("client", "SYN", 4, conn=1)


def _client(state, incarnation=0, iss=0, snd_nxt=0, rexmt=None) -> EndpointView:
    return EndpointView("client", state, incarnation, (("iss", iss), ("snd_nxt", snd_nxt)),
                        (("rexmt", rexmt),))


def _server(state, rcv_nxt=0, rexmt=None) -> EndpointView:
    return EndpointView("server", state, 0, (("rcv_nxt", rcv_nxt),), (("rexmt", rexmt),))


def eventful_trace() -> Trace:
    """0 init; 1 client OPEN sends SYN; 2 the channel duplicates it; 3 loses the original;
    4 a tick; 5 the client's rexmt fires and it sends the SYN again; 6 the client crashes;
    7 the server receives the late duplicate (sent at step 1) and sends SYN+ACK; 8 the
    client, CLOSED, discards the SYN+ACK; 9 a tick: the resent SYN expires; 10 the server's
    rexmt fires and its SYN+ACK finds the channel full; 11 the client opens again; its SYN
    is still in flight when the run ends."""
    syn_sent = _client("SYN_SENT", 0, 0, 1, 1)
    closed1 = _client("CLOSED", 1)
    rcvd = _server("SYN_RECEIVED", 1, 1)
    snap = lambda c, s, *flight, lost=0, dup=0: Snapshot((c, s), tuple(flight), lost, dup)
    steps = [
        Step(0, "init", "init", "initial state", snap(_client("CLOSED"), _server("LISTEN"))),
        Step(1, "client", "user", "client calls OPEN [connect]; sends SYN seq=0 conn=0",
             snap(syn_sent, _server("LISTEN"), SYN0), "connect", "open", sent=(SYN0,)),
        Step(2, "channel", "duplicate", "the channel duplicates SYN seq=0 conn=0 "
             "(client -> server)", snap(syn_sent, _server("LISTEN"), SYN0, SYN0, dup=1),
             segment=SYN0),
        Step(3, "channel", "lose", "the channel loses SYN seq=0 conn=0 (client -> server)",
             snap(syn_sent, _server("LISTEN"), SYN0, lost=1, dup=1), segment=SYN0),
        Step(4, "clock", "tick", "one tick passes",
             snap(_client("SYN_SENT", 0, 0, 1, 0), _server("LISTEN"),
                  _seg("client", "SYN", 0, age=1), lost=1, dup=1)),
        Step(5, "client", "timeout", "client timer rexmt expires [again]; sends SYN seq=0 "
             "conn=0", snap(syn_sent, _server("LISTEN"), SYN0, _seg("client", "SYN", 0, age=1),
                            lost=1, dup=1), "again", "timeout", sent=(SYN0,)),
        Step(6, "client", "crash", "client crashes and restarts [crash]",
             snap(closed1, _server("LISTEN"), SYN0, _seg("client", "SYN", 0, age=1),
                  lost=1, dup=1), "crash", "crash"),
        Step(7, "server", "recv", "server receives SYN seq=0 conn=0 [syn_in]; sends SYN+ACK "
             "seq=0 ack=1 conn=0", snap(closed1, rcvd, SYN0, SYNACK, lost=1, dup=1),
             "syn_in", "recv", received=_seg("client", "SYN", 0, age=1), sent=(SYNACK,)),
        Step(8, "client", "discard", "client receives SYN+ACK seq=0 ack=1 conn=0 and "
             "discards it", snap(closed1, rcvd, SYN0, lost=1, dup=1), received=SYNACK),
        Step(9, "clock", "tick", "one tick passes; expired (older than MSL): SYN seq=0 conn=0",
             snap(closed1, _server("SYN_RECEIVED", 1, 0), lost=1, dup=1),
             expired=(_seg("client", "SYN", 0, age=1),)),
        Step(10, "server", "timeout", "server timer rexmt expires [synack_again]; sends "
             "SYN+ACK seq=0 ack=1 conn=0; channel full, dropped SYN+ACK seq=0 ack=1 conn=0",
             snap(closed1, rcvd, lost=2, dup=1), "synack_again", "timeout", sent=(SYNACK,),
             overflowed=(SYNACK,)),
        Step(11, "client", "user", "client calls OPEN [connect]; sends SYN seq=4 conn=1",
             snap(_client("SYN_SENT", 1, 4, 5, 1), rcvd, SYN4, lost=2, dup=1), "connect",
             "open", sent=(SYN4,)),
    ]
    return Trace("eventful", tuple(steps), "counterexample", "made_up",
                 endpoint_names=("client", "server"))


# ---- runs of the shipped models -------------------------------------------------------------

@lru_cache(maxsize=None)
def two_way_trace() -> Trace:
    """The stale-SYN counterexample of models/two_way_handshake.tcp."""
    model = load_file(str(MODELS / "two_way_handshake.tcp"))
    return check(model, CheckOptions(properties=("no_stale_accept",))).get(
        "no_stale_accept").trace


# (model, overrides, max depth): every run of each is kept.  The depths bound the
# exploration so that the whole set takes seconds; the shipped teardown models' own
# counterexamples (14 to 17 steps, minutes of exploration) are represented by the same
# files at channel capacity 1, which break the same properties.
SHIPPED_RUNS = (
    ("two_way_handshake.tcp", {}, None),
    ("three_way_handshake.tcp", {}, 4),
    ("time_wait_every_msl.tcp", {}, None),
    ("teardown_no_time_wait.tcp", {}, 10),
    ("teardown_no_time_wait.tcp", {"channel.capacity": 1}, None),
    ("teardown_short_time_wait.tcp", {"channel.capacity": 1}, None),
    ("teardown_time_wait.tcp", {"channel.capacity": 1, "TW": 3}, None),
)


@lru_cache(maxsize=None)
def shipped_traces() -> tuple:
    """(label, trace) for every counterexample and witness of :data:`SHIPPED_RUNS`."""
    out = []
    for name, overrides, depth in SHIPPED_RUNS:
        model = load_file(str(MODELS / name), dict(overrides))
        result = check(model, CheckOptions(max_depth=depth, timeout=60))
        for p in result.properties:
            if p.trace is not None:
                out.append((f"{name} {overrides} {p.name}", p.trace))
    return tuple(out)
