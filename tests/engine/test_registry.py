"""tcpcheck.engine.registry: engines by name and the choice of ``--engine auto``."""

from __future__ import annotations

import sys
import types

import pytest

from tcpcheck.diagnostics import UsageError
from tcpcheck.engine import registry
from tcpcheck.engine.registry import EngineFailed


class Fake:
    """An engine that can refuse or fail, recording what it was asked."""

    def __init__(self, name, refuse=None, fail=None):
        self.name, self.title = name, name
        self.refuse, self.fail, self.ran = refuse, fail, 0

    def unavailable(self, model, options, observers=()):
        return self.refuse

    def explore(self, model, options, observers=()):
        self.ran += 1
        self.observers = observers
        if self.fail:
            raise EngineFailed(self.fail)
        return f"{self.name} result"


@pytest.fixture
def engines(monkeypatch):
    """Install fake engines ``fast`` (preferred) and ``ref`` (the reference)."""
    def install(fast: Fake, ref: Fake):
        for fake in (fast, ref):
            module = types.ModuleType(f"fake_{fake.name}")
            module.ENGINE = fake
            monkeypatch.setitem(sys.modules, module.__name__, module)
        monkeypatch.setattr(registry, "ENGINES", {"fast": "fake_fast", "ref": "fake_ref"})
        monkeypatch.setattr(registry, "REFERENCE", "ref")
        return fast, ref
    return install


def test_auto_takes_the_first_engine_that_can(engines):
    fast, ref = engines(Fake("fast"), Fake("ref"))
    notes = []
    assert registry.check("m", "o", notice=notes.append) == "fast result"
    assert (fast.ran, ref.ran, notes) == (1, 0, [])


def test_auto_passes_over_an_engine_that_cannot_and_says_why(engines):
    fast, ref = engines(Fake("fast", refuse="liveness"), Fake("ref"))
    notes = []
    assert registry.check("m", "o", notice=notes.append) == "ref result"
    assert notes == ["note: using the ref engine: liveness"] and fast.ran == 0


def test_a_failed_run_is_replaced_by_the_reference_with_a_note(engines):
    for asked in ("auto", "fast"):
        fast, ref = engines(Fake("fast", fail="replay disagrees"), Fake("ref"))
        notes = []
        assert registry.check("m", "o", asked, notice=notes.append) == "ref result"
        assert notes == ["note: the fast run was abandoned (replay disagrees); using the ref "
                         "engine"]


def test_an_engine_named_that_cannot_is_a_usage_error(engines):
    engines(Fake("fast", refuse="no compiler"), Fake("ref"))
    with pytest.raises(UsageError, match="the fast engine cannot check this model: no compiler"):
        registry.check("m", "o", "fast")


def test_an_unknown_engine_is_a_usage_error_naming_the_choices():
    with pytest.raises(UsageError, match="no engine 'c'; the engines are auto, native, python"):
        registry.check("m", "o", "c")


def test_the_shipped_engines_are_found_by_name():
    assert registry.engine_named("python").title == "Python"
    assert registry.engine_named("native").name == "native"


def test_observers_reach_the_engine_that_runs(engines):
    fast, ref = engines(Fake("fast"), Fake("ref"))
    watching = (object(),)
    assert registry.check("m", "o", observers=watching) == "fast result"
    assert fast.observers == watching


def test_the_native_engine_leaves_observed_runs_to_python():
    """An observer sees every state in Python; the native search is one C call, so it
    declines (before compiling anything) and auto falls back to the reference."""
    from tcpcheck.engine.search import Observer
    from tcpcheck.explicit import CheckOptions
    from tcpcheck.loader import load_string

    model = load_string(MINI)
    seen = []

    class Counting(Observer):
        def on_state(self, index, state):
            seen.append(index)

    assert registry.engine_named("native").unavailable(model, CheckOptions(),
                                                       (Counting(),)) is not None
    notes = []
    result = registry.check(model, CheckOptions(), notice=notes.append,
                            observers=(Counting(),))
    assert result.backend == "python" and notes and "Python" in notes[0]
    assert seen == list(range(result.stats.states)) and result.stats.states > 1


MINI = """
model mini
endpoint a {
  states S0, S1
  initial S0
  terminal S1
  transition go: S0 -> S1 on open { send SYN(seq=1) }
}
endpoint b {
  states Z, Y
  initial Z
  terminal Z, Y
  transition take: Z -> Y on recv SYN
}
"""
