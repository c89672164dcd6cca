"""The SYN flood models: models/syn_backlog.tcp (a server with a backlog of two half-open
connections and one client), models/variants/syn_flood.tcp (plus an off-path attacker
sending spoofed SYNs) and models/variants/syn_cookies.tcp (the backlog replaced by SYN
cookies).  Each model's verdicts, lasso shapes and state counts are pinned as measured,
and the flood's lasso is checked to be the one its header describes: the client's SYN
delivered, fairly, to a full backlog."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "models" / "syn_backlog.tcp"
FLOOD = ROOT / "models" / "variants" / "syn_flood.tcp"
COOKIES = ROOT / "models" / "variants" / "syn_cookies.tcp"

# path -> ({property: (status, trace length, loop_start)}, states, transitions)
PINNED = {
    BASE: ({
        "client_connects": ("holds", None, None),
        "server_accepts_client": ("holds", None, None),
        "legit_syn_never_dropped": ("holds", None, None),
        "connected": ("reached", 4, None),
        "domains": ("holds", None, None),
    }, 24, 45),
    FLOOD: ({
        "client_connects": ("violated", 18, 2),
        "server_accepts_client": ("holds", None, None),
        "legit_syn_never_dropped": ("violated", 8, None),
        "connected": ("reached", 4, None),
        "domains": ("holds", None, None),
    }, 1960, 6783),
    COOKIES: ({
        "client_connects": ("holds", None, None),
        "server_accepts_client": ("holds", None, None),
        "connected": ("reached", 4, None),
        "domains": ("holds", None, None),
    }, 56, 183),
}

_RESULTS = {}


def _result(path):
    if path not in _RESULTS:
        _RESULTS[path] = check(load_file(path), CheckOptions())
    return _RESULTS[path]


def _prop(result, name):
    (p,) = [p for p in result.properties if p.name == name]
    return p


@pytest.mark.parametrize("path", list(PINNED), ids=lambda p: p.name)
def test_verdicts(path):
    expected, states, transitions = PINNED[path]
    result = _result(path)
    got = {p.name: (p.status, len(p.trace) if p.trace else None,
                    p.trace.loop_start if p.trace else None) for p in result.properties}
    assert got == expected
    assert (result.stats.states, result.stats.transitions) == (states, transitions)


@pytest.mark.parametrize("path", list(PINNED), ids=lambda p: p.name)
def test_header(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ")
    assert lines[1].startswith("model ")
    doc = load_file(path).doc
    assert doc and "Demonstrates" in doc and "Scope, and why" in doc


def test_variant_chain():
    assert load_file(FLOOD).extends == (str(BASE),)
    assert load_file(COOKIES).extends == (str(FLOOD), str(BASE))


def test_both_models_declare_the_same_fairness():
    """The flood is not won by weakening the fairness: all three models have the base's."""
    fairness = load_file(BASE).fairness
    assert fairness
    assert load_file(FLOOD).fairness == fairness == load_file(COOKIES).fairness


def _legit(segment):
    return segment is not None and segment.flags == "SYN" and \
        dict(segment.ghosts)["spoofed"] is False


def test_flood_lasso_delivers_the_client_syn_to_a_full_backlog():
    """In the cycle the client's SYN is delivered (so strong channel fairness is met for
    it) and dropped by syn_full, never taken into a slot; the attacker fills both slots;
    the client never gets a SYN-ACK."""
    trace = _prop(_result(FLOOD), "client_connects").trace
    cycle = trace.steps[trace.loop_start:]
    server = [s for s in cycle if s.actor == "server" and s.received is not None]
    assert [s.transition for s in server if _legit(s.received)] == ["syn_full"]
    taken = {s.transition for s in server if not _legit(s.received)}
    assert {"syn_slot1", "syn_slot2"} <= taken
    assert all(dict(s.received.ghosts)["spoofed"] for s in server
               if s.transition in ("syn_slot1", "syn_slot2"))
    full = [s for s in server if s.transition == "syn_full"][0]
    assert dict(full.state.endpoints[1].variables)["used1"] is True
    assert dict(full.state.endpoints[1].variables)["used2"] is True
    assert not any(s.transition == "syn_ack_in" for s in cycle)
    assert all(s.state.endpoints[0].state == "SYN_SENT" for s in cycle)
    # the checker knows no undeclared fairness that would rule this cycle out
    assert _prop(_result(FLOOD), "client_connects").hints == ()


def _variant(tmp_path, base, fairness):
    path = tmp_path / "v.tcp"
    path.write_text(f'# a throwaway\nmodel v extends "{base}"\nfairness {{ {fairness} }}\n',
                    encoding="utf-8")
    return load_file(path)


def test_flood_wins_against_much_more_fairness(tmp_path):
    """Strong fairness for every server transition that takes a SYN, for the timers and for
    the attacker does not help: each of them is taken, by the attacker's SYNs."""
    model = _variant(tmp_path, FLOOD, "strong channel weak tick strong timers "
                     "strong server.syn_slot1 strong server.syn_slot2 strong server.syn_dup "
                     "strong client.spoof strong client.syn_ack_in")
    p = _prop(check(model, CheckOptions(properties=("client_connects",))),
              "client_connects")
    assert (p.status, len(p.trace), p.trace.loop_start) == ("violated", 26, 2)


def test_cookies_need_strong_channel_fairness(tmp_path):
    """Without strong channel fairness the cookie server's client may lose every SYN; the
    checker says strong channel rules that out and makes the property hold."""
    model = _variant(tmp_path, COOKIES, "weak tick")
    p = _prop(check(model, CheckOptions(properties=("client_connects",))),
              "client_connects")
    assert (p.status, len(p.trace), p.trace.loop_start) == ("violated", 3, 2)
    assert [(h.constraint, h.holds_with_it) for h in p.hints][0] == ("strong channel", True)
