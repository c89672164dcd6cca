"""models/linux.tcp, RFC 9293 as Linux implements it (rfc9293.tcp through ``extends``, the
differences ``tcpcheck probe`` measured): its full check against the manifest, and what
its differences change in the verdicts.

The full check (1,440,333 states) runs once for the module with ``--engine auto``'s choice,
as tests/test_rfc9293.py runs rfc9293.tcp's (natively here in about 3 s plus the compile)."""

from __future__ import annotations

import pytest

from tcpcheck.engine import registry
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file

from manifest_pin import MANIFEST, ROOT, assert_matches_manifest

MODEL = ROOT / "models" / "linux.tcp"


@pytest.fixture(scope="module")
def result():
    return registry.check(load_file(MODEL), CheckOptions())


def test_matches_the_manifest(result):
    assert_matches_manifest("models/linux.tcp", result)


def test_the_fin_wait_2_timeout_makes_close_complete():
    # RFC 9293 sets no timer in FIN-WAIT-2: close_completes is violated there; Linux's
    # tcp_fin_timeout for the orphan (difference L7) ends the wait
    rfc = MANIFEST["models/rfc9293.tcp"]["properties"]
    linux = MANIFEST["models/linux.tcp"]["properties"]
    assert rfc["close_completes"]["status"] == "violated"
    assert linux["close_completes"]["status"] == "holds"
    # every other verdict is RFC 9293's (the figures' witnesses as long)
    others = set(rfc) - {"close_completes"}
    assert {n: linux[n] for n in others} == {n: rfc[n] for n in others}


def test_the_differences_are_transitions_of_the_variant():
    model = load_file(MODEL)
    base = load_file(ROOT / "models" / "rfc9293.tcp")
    for e, b in zip(model.endpoints, base.endpoints):
        added = {t.name for t in e.transitions} - {t.name for t in b.transitions}
        assert {"fw2_timeout", "fw2_unacceptable", "fw2_syn_reset", "rst_challenge",
                "sent_bad_ack_resyn", "unacceptable_closing"} <= added, e.name
    server = {t.name for t in model.endpoints[1].transitions}
    assert {"tw_reopen", "rcvd_syn_again", "rcvd_bad_ack_first"} <= server


def test_with_data_the_safety_properties_hold_and_l12_resets():
    """DATA=1 (one octet each way) at capacity 1 with duplication and one loss (the full
    model with data is tens of millions of states): safety holds, and L12's resets for a
    close with data unread and for data after a close both happen."""
    overrides = {"DATA": 1, "channel.capacity": 1, "channel.duplication": 1,
                 "channel.loss": 1}
    safety = ("no_old_segment_confusion", "handshake_answers_this_tcb",
              "synchronized_agree", "no_deadlock", "domains")
    res = registry.check(load_file(MODEL, overrides), CheckOptions(properties=safety))
    assert res.stats.states == 178_695
    assert {p.name: p.status for p in res.properties} == dict.fromkeys(safety, "holds")
    fired = {(c.endpoint, c.transition) for c in res.stats.coverage if c.fired}
    l12 = {"close_unread", "data_after_close", "write", "data_in", "read", "acked"}
    assert {(side, t) for side in ("client", "server") for t in l12} <= fired


def test_aborts_stop_every_timer_and_refuse_only_their_own_connection():
    """L10's abort replaces RFC 9293's and must still end every timer of the TCB: the
    orphaned FIN-WAIT-2's timeout (L7) left running made a later SYN-RECEIVED time-lock
    (no_deadlock violated in 17 steps with ABORTs on, before the fix)."""
    overrides = {"channel.capacity": 1, "channel.duplication": 1, "channel.loss": 1,
                 "CLIENT_ABORTS": 1, "SERVER_ABORTS": 1}
    chosen = ("no_deadlock", "no_old_segment_confusion")
    res = registry.check(load_file(MODEL, overrides), CheckOptions(properties=chosen))
    assert res.complete and res.get("no_deadlock").status == "holds"
    # a SYN-RECEIVED abort's RST+ACK refuses the SYN-SENT peer it answers (L10): that peer
    # has synchronized with no TCB yet, and the segment is addressed to it
    assert res.get("no_old_segment_confusion").status == "holds"
    fired = {(c.endpoint, c.transition) for c in res.stats.coverage if c.fired}
    assert {("client", "abort_reset"), ("server", "abort_reset"), ("server", "fw2_timeout")} <= fired
