"""What an engine running in a solver process tells the parent, and how it asks Z3.

Every engine runs in a child process (:mod:`tcpcheck.symbolic.processes`); the parent
alone decides when it stops (a signal, the time limit, the memory limit, or another
engine's answer) and kills it then.  So an engine never watches a clock: it asks Z3 with a
plain ``check`` and reports as it goes, through a :class:`Reporter`:

* :class:`Phase`: what it is doing now (the progress line);
* :class:`Fact`: what it has established about a goal so far (``no violation in runs of up
  to 7 steps``), which is all that is left to say about the goal if the run is stopped;
* :class:`Final`: its verdict on a goal (conclusive or not);
* :class:`Refuted`: Spacer says a goal fails, and the run is left to BMC (portfolio);
* :class:`Done` / :class:`Failed`: the end of the task.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import z3

from tcpcheck.result import PropertyResult


@dataclass(frozen=True)
class Phase:
    text: str


@dataclass(frozen=True)
class Fact:
    """``text`` is what ``engine`` established about ``goal``; ``depth``: no violation (no
    goal state) in runs of up to that many steps, when the fact says so."""

    goal: str
    engine: str
    text: str
    depth: int | None = None


@dataclass(frozen=True)
class Final:
    result: PropertyResult


@dataclass(frozen=True)
class Refuted:
    goal: str


@dataclass(frozen=True)
class Done:
    solver_seconds: float


@dataclass(frozen=True)
class Failed:
    """``kind``: ``unsupported`` (the model cannot be encoded: exit 2), ``memory`` (the
    memory limit), ``crash`` (a bug: ``text`` is the traceback)."""

    kind: str
    text: str


class MemoryLimit(Exception):
    """Z3 reached its memory limit (``memory_max_size``)."""


class Reporter:
    """The engine's side of the conversation: ``send`` takes one message."""

    def __init__(self, send, engine: str):
        self.send = send
        self.engine = engine
        self.started = time.monotonic()
        self.solver_seconds = 0.0
        self._phase = ""

    @property
    def phase(self) -> str:
        return self._phase

    @phase.setter
    def phase(self, text: str) -> None:
        if text != self._phase:
            self._phase = text
            self.send(Phase(text))

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def fact(self, goal: str, text: str, depth: int | None = None) -> None:
        self.send(Fact(goal, self.engine, text, depth))

    def final(self, result: PropertyResult) -> None:
        self.send(Final(result))

    def refuted(self, goal: str) -> None:
        self.send(Refuted(goal))

    def check(self, solver, *assumptions):
        """``solver.check()``: sat, unsat or unknown.  Raises MemoryLimit when Z3 gave up
        for lack of memory (the run's memory limit, not the solver's verdict)."""
        began = time.monotonic()
        try:
            answer = solver.check(*assumptions)
        except z3.Z3Exception as err:
            if is_memory_error(err):
                raise MemoryLimit(str(err)) from None
            raise
        finally:
            self.solver_seconds += time.monotonic() - began
        if answer == z3.unknown and is_memory_error(solver.reason_unknown()):
            raise MemoryLimit(solver.reason_unknown())
        return answer


def is_memory_error(what) -> bool:
    """Z3's words for its memory limit: "out of memory", "max. memory exceeded"."""
    return "memory" in str(what).lower()
