"""A limit reached after a complete search, while the liveness properties are judged (the
recorded graph and the judgement's regions grow the memory past what the search held):
the properties not yet judged are NOT VERIFIED with that reason, never "holds" (a
complete search whose liveness went unjudged had read as holding), in both engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine_note import needs_cc
from tcpcheck import limits
from tcpcheck.engine import registry
from tcpcheck.explicit import CheckOptions
from tcpcheck.explicit.checker import _Explorer
from tcpcheck.loader import load_file
from tcpcheck.result import NOT_VERIFIED

MODELS = Path(__file__).resolve().parents[2] / "models"


def _memory_full_once_judging(monkeypatch, at_property: int):
    """resident memory over any limit from the ``at_property``-th liveness judgement on
    (0: as the judging starts), and read there at once (the watch reads memory at most ten
    times a second)."""
    judged = {"n": -1}
    full = lambda: 10_000.0 if judged["n"] >= at_property else 1.0  # noqa: E731
    monkeypatch.setattr(limits, "resident_mb", full)
    within, judge = _Explorer._judge_liveness_within, _Explorer._judge

    def start(self, watch, exhausted):
        judged["n"] = 0
        watch._next_memory = 0.0
        self._test_watch = watch
        return within(self, watch, exhausted)

    def one(self, *args):
        judged["n"] += 1
        self._test_watch._next_memory = 0.0
        return judge(self, *args)

    monkeypatch.setattr(_Explorer, "_judge_liveness_within", start)
    monkeypatch.setattr(_Explorer, "_judge", one)


ENGINES = ["python", pytest.param("native", marks=needs_cc)]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_memory_limit_reached_as_judging_starts_leaves_liveness_not_verified(
        monkeypatch, engine):
    _memory_full_once_judging(monkeypatch, at_property=0)
    model = load_file(MODELS / "close_liveness.tcp")
    res = registry.check(model, CheckOptions(max_memory_mb=100), engine)
    live = [p for p in res.properties if p.kind in ("eventually", "always_eventually",
                                                     "leads_to")]
    assert live and all(p.status == NOT_VERIFIED for p in live), \
        [(p.name, p.status) for p in live]
    assert all("memory limit" in p.detail for p in live)
    assert res.exit_code == 3


@pytest.mark.parametrize("engine", ENGINES)
def test_a_memory_limit_reached_between_properties_says_so_for_the_rest(monkeypatch, engine):
    # a property judged before the limit kept no verdict of its own (holding is what an
    # undecided one reads as after a complete search), so it is not verified too
    _memory_full_once_judging(monkeypatch, at_property=1)
    model = load_file(MODELS / "close_liveness.tcp")
    res = registry.check(model, CheckOptions(max_memory_mb=100), engine)
    statuses = {p.status for p in res.properties
                if p.kind in ("eventually", "always_eventually", "leads_to")}
    assert statuses == {NOT_VERIFIED} and res.exit_code == 3
