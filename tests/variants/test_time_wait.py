"""The TIME_WAIT variants of issue 5 (section 2): no TIME_WAIT, TIME-WAIT assassination
(RFC 1337) and RFC 1337's fix, each pinned to the checker's exact verdicts.

A full check of these models takes minutes, so each check here stops once its properties
are decided (violations), or runs completely at a reduced bound (the fix's "holds"); the
full-bound equivalences are shown by comparing the merged models with the shipped ones.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from tcpcheck.engine.registry import check  # --engine auto: native where it can
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file

from model_shape import model_shape

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
VARIANTS = MODELS / "variants"

NO_TW = VARIANTS / "no_time_wait.tcp"
TWA = VARIANTS / "time_wait_assassination.tcp"
FIX = VARIANTS / "rfc1337_fix.tcp"

CONFUSION = "no_old_segment_confusion"


def _run(path: Path, properties: tuple, overrides: tuple = ()):
    """Each check once per test run (the cache's key is always all three arguments)."""
    return _cached_run(path, properties, overrides)


@cache
def _cached_run(path: Path, properties: tuple, overrides: tuple):
    return check(load_file(path, dict(overrides) or None), CheckOptions(properties=properties))


def _verdicts(result):
    return {p.name: (p.status, len(p.trace) if p.trace else None) for p in result.properties
            if p.name != "domains"}




# (file, properties checked, --set overrides) -> (verdicts, complete, states explored)
PINNED = {
    (NO_TW, (CONFUSION, "clean_close"), ()):
        ({CONFUSION: ("violated", 14), "clean_close": ("violated", 10)}, False, 41889),
    (TWA, (CONFUSION,), ()):
        ({CONFUSION: ("violated", 16)}, False, 52994),
    (TWA, (CONFUSION,), (("channel.loss", 0),)):
        ({CONFUSION: ("violated", 16)}, False, 15289),
    (TWA, (CONFUSION,), (("channel.duplication", 0),)):
        ({CONFUSION: ("violated", 19)}, False, 28373),
    (FIX, (CONFUSION,), (("channel.loss", 0),)):
        ({CONFUSION: ("holds", None)}, True, 156224),
}


@pytest.mark.parametrize("key", list(PINNED), ids=lambda k: "-".join(
    [k[0].stem] + [f"{n}={v}" for n, v in k[2]]))
def test_verdicts(key):
    path, properties, overrides = key
    verdicts, complete, states = PINNED[key]
    result = _run(path, properties, overrides)
    assert _verdicts(result) == verdicts
    assert result.complete == complete
    assert result.stats.states == states
    if complete:  # a "holds" only from a complete exploration
        assert result.stop_reason is None


@pytest.mark.parametrize("path", [NO_TW, TWA, FIX], ids=lambda p: p.stem)
def test_header(path):
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# ")
    assert lines[1].startswith("model ") and " extends " in lines[1]
    model = load_file(path)
    assert model.extends
    assert "Demonstrates" in model.doc and "Scope, and why" in model.doc


def test_no_time_wait_is_the_full_copy():
    """Merged, the variant is models/teardown_no_time_wait.tcp, so the full copy's complete
    verdicts (models/manifest.json) are the variant's."""
    variant = load_file(NO_TW)
    assert variant.extends == (str(MODELS / "teardown_time_wait.tcp"),)
    assert model_shape(variant) == model_shape(load_file(MODELS / "teardown_no_time_wait.tcp"))


def test_no_time_wait_runs_are_the_full_copys():
    flat = _run(MODELS / "teardown_no_time_wait.tcp", (CONFUSION, "clean_close"))
    ours = _run(NO_TW, (CONFUSION, "clean_close"))
    assert [[s.summary for s in p.trace.steps] for p in ours.properties] == \
        [[s.summary for s in p.trace.steps] for p in flat.properties]
    assert (ours.stats.states, ours.stats.transitions) == \
        (flat.stats.states, flat.stats.transitions)


def test_fix_is_the_base_model():
    """Removing tw_reset gives back models/teardown_time_wait.tcp exactly, whose complete
    check (all properties hold, pinned in models/manifest.json) is tests/test_models.py's."""
    fix = load_file(FIX)
    assert fix.extends == (str(TWA), str(MODELS / "teardown_time_wait.tcp"))
    assert model_shape(fix) == model_shape(load_file(MODELS / "teardown_time_wait.tcp"))
    names = {e.name: [t.name for t in e.transitions] for e in load_file(TWA).endpoints}
    assert all(ts[-1] == "tw_reset" for ts in names.values())


def _conn(segment):
    return dict(segment.ghosts)["conn"]


def test_assassination_run_step_by_step():
    """A RST arrives in TIME_WAIT and ends it; then a segment of the old connection is
    accepted by the new one."""
    trace = _run(TWA, (CONFUSION,)).properties[0].trace
    steps = trace.steps
    assert len(trace) == 16

    def client(i):
        return steps[i].state.endpoint("client")

    # 7: the client, active closer, enters TIME_WAIT for 2*MSL = 4 ticks
    assert (steps[7].transition, client(7).state) == ("fw1_fin_acked", "TIME_WAIT")
    assert dict(client(7).timers)["tw"] == 4
    # 9-10: a late ACK of the server draws an ACK from TIME_WAIT, which the server, in
    # LISTEN, answers with a RST carrying the old connection's numbers
    assert (steps[9].actor, steps[9].transition) == ("client", "tw_unacceptable")
    assert (steps[10].actor, steps[10].transition) == ("server", "listen_ack_rst")
    assert steps[10].state.endpoint("server").state == "LISTEN"
    (rst,) = steps[10].sent
    assert rst.flags == "RST" and _conn(rst) == 0
    assert rst.seq == client(10).value("rcv_nxt") == 2
    assert (steps[11].kind, steps[11].segment) == ("duplicate", rst)
    # 12: the RST arrives in TIME_WAIT and ends it, no tick having passed
    assert client(11).state == "TIME_WAIT"
    assert (steps[12].actor, steps[12].kind, steps[12].transition) == \
        ("client", "recv", "tw_reset")
    assert steps[12].received == rst
    assert client(12).state == "CLOSED" and dict(client(12).timers)["tw"] is None
    assert all(s.kind != "tick" for s in steps[1:])
    # 13-15: the new connection opens; the slow ISN clock gives it RCV.NXT = 2 again
    assert (steps[13].transition, client(13).value("conn")) == ("connect", 1)
    assert steps[14].state.endpoint("server").value("iss") == 1
    assert (client(15).state, client(15).value("rcv_nxt")) == ("ESTABLISHED", 2)
    # 16: the other copy of the old RST is accepted by connection 1 and resets it
    last = steps[16]
    assert (last.actor, last.kind, last.transition) == ("client", "recv", "reset")
    assert last.received == rst and _conn(last.received) == 0
    assert client(16).value("conn") == 1 and client(16).state == "CLOSED"


def test_assassination_without_duplication():
    """With no duplication, two old segments each draw a RST: the first ends TIME_WAIT,
    the second resets the new connection."""
    steps = _run(TWA, (CONFUSION,), (("channel.duplication", 0),)).properties[0].trace.steps
    fired = [(s.actor, s.transition) for s in steps if s.kind == "recv"]
    tw_reset = fired.index(("client", "tw_reset"))
    assert fired.count(("server", "listen_ack_rst")) == 2
    assert fired[tw_reset + 1:].count(("server", "listen_ack_rst")) == 1
    assert fired[-1] == ("client", "reset")
    assert _conn(steps[-1].received) == 0 and steps[-1].state.endpoint("client").value("conn") == 1
    assert all(s.kind != "duplicate" for s in steps)


def test_reduced_bound_is_the_same_run():
    """At channel.loss=0, where the fix is checked completely, the assassination is the
    same 16-step run as at full bounds."""
    full = _run(TWA, (CONFUSION,)).properties[0].trace
    no_loss = _run(TWA, (CONFUSION,), (("channel.loss", 0),)).properties[0].trace
    assert [s.summary for s in full.steps] == [s.summary for s in no_loss.steps]
