"""A fairness hint says what declaring its constraint gives, and nothing more: each test
here adds the hinted constraint to the model's text, checks the model again, and compares
the verdict with what the hint said (MANUAL 14.14).

The run that showed the difference: teardown_time_wait.tcp at CONNECTIONS=1, MSL=1 with
`client.state == FIN_WAIT_1 ~> client.state != FIN_WAIT_1`.  Without fairness the client's
FIN may be lost for ever (the loss budget of one segment aside, a FIN that outlives MSL
counts as lost); the hint was "declaring `fairness { strong channel }` rules this run out,
and with it the property holds", but with that block the model's verdict is NOT VERIFIED:
a run that avoids the goal reaches states at the edge of the channel's bound.  The hint's
re-check had skipped the bound-edge test that the verdict applies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_string
from tcpcheck.result import NOT_VERIFIED, VIOLATED
from tests.liveness.models import SYN_LOSS, TOGGLE, ZENO

ROOT = Path(__file__).resolve().parents[2]
TEARDOWN = ROOT / "models" / "teardown_time_wait.tcp"
SMALL = {"CONNECTIONS": 1, "MSL": 1}  # 2,397 states, a fraction of a second
LEAVES = "\nproperty fin_wait_1_left: client.state == FIN_WAIT_1 ~> client.state != FIN_WAIT_1\n"


def _check(text: str, file: str, overrides=None, **options):
    return check(load_string(text, file, overrides), CheckOptions(**options))


def _with(template: str, fairness: str) -> str:
    """The model ``template`` with ``fairness { ... }`` where it says FAIRNESS."""
    return template.replace("FAIRNESS", f"fairness {{ {fairness} }}" if fairness else "")


def _rechecked(template: str, declared: str, file: str, name: str, constraint: str,
               overrides=None):
    """The verdict of ``name`` once ``constraint`` is declared next to ``declared`` (in
    place of a weaker one for the same target: a target is named once in a block)."""
    target = constraint.split()[1]
    pairs = declared.split()
    kept = [f"{s} {t}" for s, t in zip(pairs[::2], pairs[1::2]) if t != target]
    text = _with(template, " ".join(kept + [constraint]))
    return _check(text, file, overrides, properties=(name,)).get(name)


TEARDOWN_TEMPLATE = TEARDOWN.read_text(encoding="utf-8") + LEAVES + "FAIRNESS\n"


def _teardown(declared: str):
    result = _check(_with(TEARDOWN_TEMPLATE, declared), str(TEARDOWN), SMALL,
                    properties=("fin_wait_1_left",))
    assert result.complete and result.stats.states == 2397
    return result.get("fin_wait_1_left")


def test_the_teardown_hint_says_not_verified_as_the_verdict_does():
    p = _teardown("weak channel")
    assert p.status == VIOLATED
    hint = p.hints[0]
    assert hint.constraint == "strong channel"
    again = _rechecked(TEARDOWN_TEMPLATE, "weak channel", str(TEARDOWN), "fin_wait_1_left",
                       "strong channel", SMALL)
    assert again.status == NOT_VERIFIED and "edge of the bounds" in again.detail
    assert (hint.with_it, hint.edge) == (again.status, again.channel_full) == (NOT_VERIFIED, 7)
    assert hint.holds_with_it is None
    assert "the property holds" not in hint.text
    assert hint.text.endswith(", but with it the property is not verified: a run that avoids "
                              "the goal reaches the edge of the bounds (7 such states)")


def test_strong_is_offered_after_weak_only_when_it_makes_the_property_hold():
    # without fairness, `weak channel` leaves the property violated; `strong channel` was
    # offered as making it hold, but with it the verdict is NOT VERIFIED: not offered now
    p = _teardown("")
    assert p.status == VIOLATED
    assert [(h.constraint, h.with_it) for h in p.hints] == [
        ("weak channel", VIOLATED), ("weak client.simultaneous_close", VIOLATED),
        ("weak server.simultaneous_close", VIOLATED)]
    assert _rechecked(TEARDOWN_TEMPLATE, "", str(TEARDOWN), "fin_wait_1_left",
                      "strong channel", SMALL).status == NOT_VERIFIED


MODELS = {  # name -> (model with FAIRNESS where its block goes, what it declares, file, --set)
    "syn_loss": (SYN_LOSS, "", "m.tcp", None),
    "syn_loss_weak": (SYN_LOSS, "weak channel", "m.tcp", None),
    "syn_loss_server": (SYN_LOSS, "strong channel.server", "m.tcp", None),
    "zeno": (ZENO, "", "m.tcp", None),
    "zeno_tick": (ZENO, "weak tick", "m.tcp", None),
    "toggle": (TOGGLE, "", "m.tcp", None),
    "toggle_back": (TOGGLE, "strong client.back", "m.tcp", None),
    "handshake_no_fairness": ((ROOT / "models" / "handshake_no_fairness.tcp").read_text(
        encoding="utf-8") + "\nFAIRNESS\n", "", "m.tcp", None),
    "teardown": (TEARDOWN_TEMPLATE, "", str(TEARDOWN), SMALL),
    "teardown_weak_channel": (TEARDOWN_TEMPLATE, "weak channel", str(TEARDOWN), SMALL),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_hint_is_what_declaring_it_gives(name):
    template, declared, file, overrides = MODELS[name]
    result = _check(_with(template, declared), file, overrides)
    hinted = [(p, h) for p in result.properties for h in p.hints]
    assert hinted  # each of these models has a counterexample with hints
    for p, h in hinted:
        again = _rechecked(template, declared, file, p.name, h.constraint, overrides)
        assert h.with_it == again.status, (p.name, h.constraint)
        assert h.edge == again.channel_full
