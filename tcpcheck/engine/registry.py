"""The explicit-state engines, by name, and how ``--engine auto`` chooses among them.

An engine explores a model and returns the CheckResult of tcpcheck.result; every engine
gives the same verdicts, counts and runs (the native one is tested against the Python one
on every shipped model and on generated ones).  Each is named by the module that holds its
``ENGINE`` and loaded only when asked for, so that this module imports no engine (the
native one loads ctypes and may run the C compiler).  Its users: ``tcpcheck check``,
``tcpcheck explain`` (the model, and each ablation variant in tcpcheck.explain.reasons) and
``tcpcheck scan`` (with an observer: engines that cannot report each state to Python, the
native one, decline such runs).

    native   tcpcheck.native     the search generated as C (every property kind, liveness
                                 judged on the graph it records; needs a C compiler)
    python   tcpcheck.explicit   the reference: pure Python, every property kind
"""

from __future__ import annotations

import importlib
from typing import Protocol

from tcpcheck.diagnostics import UsageError

# name -> the module whose ENGINE it is; ``auto`` tries them in this order, and the last
# one checks every model
ENGINES = {"native": "tcpcheck.native", "python": "tcpcheck.explicit"}
CHOICES = ("auto", *ENGINES)
REFERENCE = "python"


class Engine(Protocol):
    name: str
    title: str  # as a sentence names it: "native", "Python"

    def unavailable(self, model, options, observers=()) -> str | None:
        """None when this engine can check ``model`` with ``options`` (and report its
        search to ``observers``), else why not."""

    def explore(self, model, options, observers=()):
        """The CheckResult of the run, each of ``observers`` (tcpcheck.engine.search.
        Observer) told every state, move and edge of it; EngineFailed when it cannot be
        used."""


class EngineFailed(Exception):
    """A run whose result cannot be used (``str()`` says why); the reference engine runs
    instead."""


def engine_named(name: str) -> Engine:
    if name not in ENGINES:
        raise UsageError(f"no engine '{name}'; the engines are {', '.join(CHOICES)}")
    return importlib.import_module(ENGINES[name]).ENGINE


def check(model, options, engine: str = "auto", notice=None, observers: tuple = ()):
    """Check ``model`` with the engine asked for (``auto``: the first of ENGINES that can),
    telling ``observers`` its search.  An engine named explicitly that cannot check the
    model is a usage error; one that fails during the run, or one ``auto`` passes over, is
    replaced by the next, and ``notice(text)`` hears why in one line."""
    if engine != "auto":
        engine_named(engine)  # an unknown name is refused before anything runs
    order = list(ENGINES) if engine == "auto" else list(dict.fromkeys((engine, REFERENCE)))
    for i, name in enumerate(order):
        candidate = engine_named(name)
        why = candidate.unavailable(model, options, observers)
        if why is not None and name == engine:
            raise UsageError(f"the {candidate.title} engine cannot check this model: {why}")
        following = engine_named(order[i + 1]).title if i + 1 < len(order) else None
        if why is None:
            try:
                return candidate.explore(model, options, observers)
            except EngineFailed as err:
                _say(notice, f"note: the {candidate.title} run was abandoned ({err}); using "
                     f"the {following} engine")
                continue
        if following is None:  # the reference refuses too (check --storage: native only)
            raise UsageError(f"no engine can check this model: {why}")
        _say(notice, f"note: using the {following} engine: {why}")
    raise AssertionError("the reference engine checks every model")  # pragma: no cover


def _say(notice, text: str) -> None:
    if notice is not None:
        notice(text)
