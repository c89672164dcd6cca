"""Shared helpers for the trace-file tests: hand-built traces, checked runs of shipped
models, an ITF validator written from Apalache ADR-015, golden files."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file
from tcpcheck.trace.records import EndpointView, SegmentView, Snapshot, Step, Trace
from golden import check_golden

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"

# Shipped models that check in about a second: (file, overrides).  The teardown models at
# channel capacity 1 still violate clean_close and reach every goal.
QUICK_RUNS = [
    ("two_way_handshake.tcp", {}),
    ("time_wait_every_msl.tcp", {}),
    ("teardown_short_time_wait.tcp", {"channel.capacity": 1}),
    ("teardown_no_time_wait.tcp", {"channel.capacity": 1}),
    ("teardown_time_wait.tcp", {"channel.capacity": 1}),
]


@functools.lru_cache(maxsize=None)
def checked(name: str, overrides: tuple = (), counterexamples: int = 3):
    """(model, result) of a shipped model, several counterexamples per violation."""
    model = load_file(ROOT / "models" / name, dict(overrides))
    return model, check(model, CheckOptions(counterexamples=counterexamples, timeout=60))


def every_trace(result) -> list:
    """Every trace of a result: each property's runs (all counterexamples kept)."""
    out = []
    for p in result.properties:
        out += list(p.traces) if p.traces else ([p.trace] if p.trace is not None else [])
    return out


# ---- a hand-built trace with every kind of step -------------------------------------------

def _seg(src, dst, flags, seq, ack=0, age=0, inc=0):
    return SegmentView(src, dst, flags, seq, ack, (("inc", inc), ("old", inc == 0)), age)


SYN = _seg("alice", "bob", "SYN", 4294967292)
OLD_SYN = _seg("alice", "bob", "SYN", 4294967292, age=2)
BARE = _seg("bob", "alice", "none", 0)  # no control bit at all
SYNACK = _seg("bob", "alice", "SYN+ACK", 7, 4294967293, inc=1)


def _alice(state="CLOSED", incarnation=0, iss=0, used=(), rexmt=None):
    return EndpointView("alice", state, incarnation,
                        (("iss", iss), ("used", used), ("open", state != "CLOSED"),
                         ("delta", -2)),
                        (("rexmt", rexmt), ("keep", 0)))


def _bob(state="LISTEN", peer=0):
    return EndpointView("bob", state, 0, (("peer", peer),), ())


def _snap(alice, bob, flight=(), lost=0, duplicated=0):
    return Snapshot((alice, bob), tuple(flight), lost, duplicated)


def hand_built(loop_start=None, kind="counterexample", prop="made_up", params=()) -> Trace:
    """Loss, duplication, expiry, a crash, a discard, an overflow and an error step, with
    32-bit numbers, a negative value, sets, ghosts, stopped and expired timers."""
    sent = _alice("SYN_SENT", 0, 4294967292, (1, 3), 1)
    steps = [
        Step(0, "init", "init", "initial state", _snap(_alice(), _bob())),
        Step(1, "alice", "user", "alice calls OPEN [connect]; sends SYN", _snap(sent, _bob(), [SYN]),
             transition="connect", trigger="open", sent=(SYN,)),
        Step(2, "channel", "duplicate", "the channel duplicates SYN",
             _snap(sent, _bob(), [SYN, SYN], duplicated=1), segment=SYN),
        Step(3, "channel", "lose", "the channel loses SYN",
             _snap(sent, _bob(), [SYN], lost=1, duplicated=1), segment=SYN),
        Step(4, "clock", "tick", "one tick passes; expired (older than MSL): SYN",
             _snap(sent, _bob(), [], lost=2, duplicated=1), expired=(OLD_SYN,)),
        Step(5, "alice", "crash", "alice crashes and restarts [crash]",
             _snap(_alice("CLOSED", 1, 0, (1, 3)), _bob(), [BARE], 2, 1),
             transition="crash", trigger="crash"),
        Step(6, "alice", "discard", "alice receives none seq=0 and discards it",
             _snap(_alice("CLOSED", 1, 0, (1, 3)), _bob(), [], 2, 1), received=BARE),
        Step(7, "bob", "recv", "bob receives SYN [syn_in]; channel full, dropped SYN+ACK",
             _snap(_alice("CLOSED", 1, 0, (1, 3)), _bob("SYN_RCVD", 4294967292), [], 3, 1),
             transition="syn_in", trigger="recv", received=SYN, sent=(SYNACK,),
             overflowed=(SYNACK,)),
    ]
    last = steps[-1].state
    steps.append(Step(8, "bob", "error", "bob fires syn_in: peer := 9 is outside 0..3", last,
                      transition="syn_in"))
    return Trace("hand_built", tuple(steps), kind, prop, loop_start, ("alice", "bob"),
                 tuple(params))


# ---- ITF, by the rules of Apalache ADR-015 ------------------------------------------------

_BIGINT = re.compile(r"-?[0-9]+")
SAFE = 2 ** 53 - 1


def itf_problems(data) -> list:
    """Everything in ``data`` that breaks the ITF rules (empty: a valid ITF trace); also
    that integers in states are always ``#bigint``, as tcpcheck promises."""
    problems = []
    if not isinstance(data, dict):
        return ["the trace is not an object"]
    extra = set(data) - {"#meta", "params", "vars", "states", "loop"}
    if extra:
        problems.append(f"unknown top-level fields {sorted(extra)}")
    variables = data.get("vars")
    if not (isinstance(variables, list) and all(isinstance(v, str) for v in variables)):
        return problems + ["vars is not a list of strings"]
    if len(set(variables)) != len(variables):
        problems.append("vars repeats a name")
    states = data.get("states")
    if not isinstance(states, list):
        return problems + ["states is not a list"]
    if "#meta" in data and not isinstance(data["#meta"], dict):
        problems.append("#meta is not an object")
    if "loop" in data and not (type(data["loop"]) is int and 0 <= data["loop"] < len(states)):
        problems.append("loop is not the index of a state")
    for i, s in enumerate(states):
        if not isinstance(s, dict):
            problems.append(f"states[{i}] is not an object")
            continue
        plain = {k for k in s if not k.startswith("#")}
        # the params are set in the initial state (ADR-015), the variables in every state
        if plain != set(variables) | (set(data.get("params", ())) if i == 0 else set()):
            problems.append(f"states[{i}] defines {sorted(plain)}, vars are {variables}")
        if s.get("#meta", {}).get("index") != i:
            problems.append(f"states[{i}].#meta.index is not {i}")
        for k in plain:
            problems += _expr_problems(s[k], f"states[{i}].{k}")
    return problems


def _expr_problems(v, where: str) -> list:
    if isinstance(v, (str, bool)):
        return []
    if isinstance(v, int):
        return [f"{where}: a plain JSON integer (tcpcheck writes #bigint)"] if abs(v) <= SAFE \
            else [f"{where}: an integer beyond 2**53 not written as #bigint"]
    if isinstance(v, list):
        return [p for i, x in enumerate(v) for p in _expr_problems(x, f"{where}[{i}]")]
    if not isinstance(v, dict):
        return [f"{where}: {type(v).__name__} is not an ITF expression"]
    special = [k for k in v if k.startswith("#")]
    if special:
        if len(v) != 1:
            return [f"{where}: {special[0]} must be the object's only field"]
        key, body = special[0], v[special[0]]
        if key == "#bigint":
            return [] if isinstance(body, str) and _BIGINT.fullmatch(body) else \
                [f"{where}: bad #bigint {body!r}"]
        if key in ("#tup", "#set"):
            if not isinstance(body, list):
                return [f"{where}: {key} holds a list"]
            dup = key == "#set" and len({repr(x) for x in body}) != len(body)
            return ([f"{where}: a #set with a repeated element"] if dup else []) + \
                [p for i, x in enumerate(body) for p in _expr_problems(x, f"{where}{key}[{i}]")]
        if key == "#map":
            if not (isinstance(body, list) and all(isinstance(p, list) and len(p) == 2
                                                   for p in body)):
                return [f"{where}: #map holds [key, value] pairs"]
            return [p for i, (a, b) in enumerate(body)
                    for p in _expr_problems(a, where) + _expr_problems(b, where)]
        return [f"{where}: unknown special form {key}"]
    return [p for k, x in v.items() for p in _expr_problems(x, f"{where}.{k}")]


# ---- golden files ---------------------------------------------------------------------------

def assert_golden(name: str, text: str) -> None:
    """``text`` equals ``golden/NAME`` (TCPCHECK_UPDATE_GOLDEN=1 rewrites it)."""
    check_golden(GOLDEN / name, text)