"""Limits: a run cut short is incomplete, says why, and never claims holds or unreachable."""

from __future__ import annotations

import pytest

from explicit_support import IDLE_B, assert_counts, kinds, load, replay
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.result import (EXIT_HOLDS, EXIT_INCOMPLETE, EXIT_VIOLATED, HOLDS, NOT_VERIFIED,
                             REACHED, UNREACHABLE, VIOLATED)

COUNTER = """
    model counter
    endpoint a {
      states S0
      initial S0
      terminal S0
      var x : 0..%(n)d
      transition inc: S0 -> S0 on open when x < %(n)d { x := x + 1 }
    }
    """ + IDLE_B + """
    property small: always a.x != 3
    property big: always a.x < %(big)d
    property goal: reachable a.x == %(goal)d
    property never: reachable a.x == %(never)d
    property dl: deadlock free
    """

UNDECIDED = ("big", "goal", "never", "dl")


def counter(n: int = 50):
    """x counts 0 .. n; big is violated at n - 10, goal reached at n - 5, never unreachable."""
    return load(COUNTER % {"n": n, "big": n - 10, "goal": n - 5, "never": n + 10})


def test_counter_full_run():
    # x = 0 .. 50 on a line: 51 states, 50 transitions, diameter 50.
    model = counter()
    r = check(model, CheckOptions(stop_when_decided=False))
    assert_counts(model, r, 51, 50)
    assert r.stats.diameter == 50
    statuses = {p.name: p.status for p in r.properties}
    assert statuses == {"small": VIOLATED, "big": VIOLATED, "goal": REACHED,
                        "never": UNREACHABLE, "dl": HOLDS, "domains": HOLDS}
    assert len(r.get("big").trace) == 40 and len(r.get("goal").trace) == 45


def assert_cut_short(r, reason: str, why: str) -> None:
    assert r.complete is False
    assert r.stop_reason == reason
    assert r.warnings == ()  # no coverage warning after an incomplete run
    assert r.get("domains").status == NOT_VERIFIED  # undecided, and never "holds"
    for p in r.properties:
        assert p.status not in (HOLDS, UNREACHABLE), p
    for name in UNDECIDED:
        p = r.get(name)
        assert p.status == NOT_VERIFIED and p.trace is None
        assert why in p.detail
    # a violation found before the limit is still reported, with a real run
    small = r.get("small")
    assert small.status == VIOLATED and len(small.trace) == 3
    assert kinds(small.trace) == ["init", "user", "user", "user"]
    assert r.exit_code == EXIT_VIOLATED


def test_max_states():
    # "stop when a new state is found while N states are already stored": exactly 10.
    model = counter()
    r = check(model, CheckOptions(max_states=10, stop_when_decided=False))
    assert r.stats.states == 10
    assert_cut_short(r, "max-states", "state limit")
    replay(model, r.get("small").trace)


@pytest.mark.parametrize("limit, complete", [(50, False), (51, True), (52, True)])
def test_max_states_at_the_exact_size(limit, complete):
    # the model has 51 states: a limit of 51 never has to refuse a new state.
    r = check(counter(), CheckOptions(max_states=limit, stop_when_decided=False))
    assert r.complete is complete
    assert r.stats.states == min(limit, 51)
    assert (r.get("dl").status == HOLDS) is complete
    assert (r.get("never").status == UNREACHABLE) is complete


def test_max_depth():
    # states at depth 5 or more are not expanded: x = 0..5 stored (6 states), 5 expanded
    # (5 transitions).
    model = counter()
    r = check(model, CheckOptions(max_depth=5, stop_when_decided=False))
    assert (r.stats.states, r.stats.transitions) == (6, 5)
    assert_cut_short(r, "max-depth", "depth limit")
    replay(model, r.get("small").trace)


def test_diameter_under_max_depth_is_the_deepest_state_found():
    # x = 0..5 are found; the depth-5 state is stored but not expanded
    r = check(counter(), CheckOptions(max_depth=5, stop_when_decided=False))
    assert r.stats.diameter == 5


def test_max_depth_beyond_the_diameter_is_complete():
    # the deepest state (x = 50) is at depth 50 < 51, so it is expanded: nothing is cut.
    r = check(counter(), CheckOptions(max_depth=51, stop_when_decided=False))
    assert r.complete and r.stop_reason is None
    assert r.get("dl").status == HOLDS and r.get("never").status == UNREACHABLE
    assert r.get("domains").status == HOLDS


class SlowClock:
    """A monotonic clock that advances one second every time it is read."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_timeout(monkeypatch):
    # 1001 states; the clock is read after every expanded state, and a second passes at each
    # reading: a timeout of 20 s stops the run after about 20 expansions, not 1000
    from tcpcheck import limits
    from tcpcheck.explicit import checker

    clock = SlowClock()
    monkeypatch.setattr(limits.time, "monotonic", clock)
    monkeypatch.setattr(checker.time, "monotonic", clock)
    model = counter(1000)
    r = check(model, CheckOptions(timeout=20, stop_when_decided=False))
    assert 3 < r.stats.states <= 21
    assert_cut_short(r, "timeout", "time limit")
    replay(model, r.get("small").trace)


def test_a_timeout_already_past_stops_before_the_first_expansion():
    r = check(counter(1000), CheckOptions(timeout=1e-9, stop_when_decided=False))
    assert r.stats.states == 1 and r.stop_reason == "timeout" and not r.complete


@pytest.mark.parametrize("options", [
    dict(max_states=10), dict(max_depth=5), dict(timeout=1e-9)])
def test_only_undecided_properties_gives_exit_code_incomplete(options):
    r = check(counter(1000), CheckOptions(properties=UNDECIDED, stop_when_decided=False,
                                          **options))
    assert not r.complete
    assert [p.status for p in r.properties] == [NOT_VERIFIED] * 5  # the four and domains
    assert r.exit_code == EXIT_INCOMPLETE


def test_limits_with_stop_when_decided():
    # with the default stop_when_decided, 'small' alone is decided at depth 3 and the
    # run stops there before any limit is hit.
    r = check(counter(), CheckOptions(properties=("small",), max_states=40))
    assert r.stop_reason == "decided" and not r.complete
    assert [p.status for p in r.properties] == [VIOLATED]


def test_reaching_every_goal_still_explores_everything_for_domains():
    # every goal reached and nothing failed: stopping there would leave the built-in
    # domains property unchecked, so the run goes on to the end
    r = check(counter(), CheckOptions(properties=("goal",)))
    assert r.complete and r.stop_reason is None
    assert [p.status for p in r.properties] == [REACHED, HOLDS]
    assert len(r.get("goal").trace) == 45
    assert r.exit_code == EXIT_HOLDS