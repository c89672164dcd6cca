"""Random simulation: walks from the initial state that judge every safety property and
goal along the way.  A simulation never proves anything, so its best outcome is "no
violation found: not verified"; a violation it finds is shortened by a bounded
breadth-first check (tcpcheck.engine.registry) so that the run shown is a shortest one."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from tcpcheck.engine import registry
from tcpcheck.explicit.checker import CheckOptions, _Explorer
from tcpcheck.explicit.semantics import FIRE
from tcpcheck.limits import Watch
from tcpcheck.model import ir
from tcpcheck.result import (EXIT_INCOMPLETE, EXIT_VIOLATED, REACHED, VIOLATED, Coverage)

WEIGHTINGS = ("uniform", "rare")


@dataclass(frozen=True)
class SimProperty:
    name: str
    kind: str
    status: str  # violated, reached, or not verified
    found_length: int | None = None  # the walk's length where it was first found
    trace: object = None  # a Trace record (the shortened run), or None
    shortest: bool = False  # the bounded search completed: no shorter run exists
    detail: str | None = None


@dataclass(frozen=True)
class SimulationResult:
    model: str
    seed: int
    weighting: str
    runs: int  # asked for
    depth: int
    runs_done: int
    steps: int
    states_seen: int
    seconds: float
    properties: tuple  # SimProperty
    coverage: tuple  # Coverage, one per transition
    liveness: tuple = ()  # names of liveness properties, not judged by simulation
    stop_reason: str | None = None  # "timeout", "interrupted", or None

    @property
    def exit_code(self) -> int:
        # a simulation never proves: without a violation the result is not verified
        return EXIT_VIOLATED if any(p.status == VIOLATED for p in self.properties) \
            else EXIT_INCOMPLETE


def simulate(model: ir.Model, runs: int = 100, depth: int = 100, seed: int = 0,
             weighting: str = "uniform", timeout: float | None = None,
             properties: tuple | None = None, progress=None, engine: str = "auto",
             notice=None) -> SimulationResult:
    chosen = [p for p in model.properties if properties is None or p.name in properties]
    live = tuple(p.name for p in chosen if p.kind in ir.LIVENESS_KINDS)
    safe = tuple(p.name for p in chosen if p.kind not in ir.LIVENESS_KINDS)
    walker = _Walker(model, safe, seed, weighting, timeout)
    stop = walker.walk_all(runs, depth, progress)
    props = tuple(_finish(model, p, walker.found.get(p.prop.name), engine, notice)
                  for p in walker.judge.props if p.prop.kind not in ir.LIVENESS_KINDS)
    if walker.judge.domains.status == VIOLATED:
        props += (_finish(model, walker.judge.domains, walker.found.get("domains"),
                          engine, notice),)
    cov = tuple(Coverage(model.endpoints[e].name, model.endpoints[e].transitions[t].name, n)
                for (e, t), n in sorted(walker.judge.coverage.items()))
    return SimulationResult(model.name, seed, weighting, runs, depth, walker.runs_done,
                            walker.steps, len(walker.seen), time.monotonic() - walker.start,
                            props, cov, live, stop)


class _Walker:
    """The walks; properties are judged by the checker's own code (an _Explorer used
    as a judge, fed one state and one firing at a time) so that simulation and check agree
    on what a violation is."""

    def __init__(self, model, names, seed, weighting, timeout):
        self.judge = _Explorer(model, CheckOptions(properties=names))
        self.start = time.monotonic()
        self.judge.watch = Watch(timeout, None, self.start)
        self.judge.cut_short, self.judge.capacity_blocked = False, 0
        self.rng = random.Random(seed)
        self.rare = weighting == "rare"
        self.found: dict = {}  # property name -> the shortest walk length that broke it
        self.seen: set = set()
        self.runs_done = self.steps = self.ticks = 0

    def walk_all(self, runs, depth, progress):
        try:
            for _ in range(runs):
                reason = self.judge.watch.reason()
                if reason is not None:
                    return reason
                if not self._walk(depth):
                    return self.judge.watch.reason()
                self.runs_done += 1
                if progress:
                    progress(self.runs_done, runs, self.steps, len(self.seen),
                             time.monotonic() - self.start)
        except KeyboardInterrupt:
            return "interrupted"
        return None

    def _walk(self, depth):
        j = self.judge
        state = j.sem.initial_state()
        self._state(0, state)
        for step in range(1, depth + 1):
            if step % 64 == 0 and self.judge.watch.reason() is not None:
                return False  # a time limit or a signal: this walk is cut short
            succs = j._successors(step - 1, state)
            if succs.error is not None:
                j._error_move(step - 1, succs.error)
            moves = list(succs)
            self._note(step - 1)
            if not moves:
                return True
            action, state = self._choose(moves)
            self.steps += 1
            if action[0] == FIRE:
                j._on_fire(step - 1, action, state)
            self._state(step, state)
        return True

    def _choose(self, moves):
        if not self.rare:
            return moves[self.rng.randrange(len(moves))]
        fired = self.judge.coverage
        # rare: weight a move by 1/(1+times its kind was taken so far); time steps count as
        # one kind, else their constant weight would crowd out every well-used transition
        weights = [1.0 / (1 + (fired.get(tuple(a[1:3]), 0) if a[0] == FIRE else self.ticks))
                   for a, _ in moves]
        action, state = self.rng.choices(moves, weights)[0]
        if action[0] != FIRE:
            self.ticks += 1
        return action, state

    def _state(self, length, state):
        self.seen.add(state)
        self.judge._check_state(length, state)
        self._note(length)

    def _note(self, length):
        """Record the walk length at which each property was first decided."""
        for p in self.judge.props + [self.judge.domains]:
            if p.status is not None and p.prop.name not in self.found:
                self.found[p.prop.name] = length


def _finish(model, p, length, engine, notice) -> SimProperty:
    if p.status not in (VIOLATED, REACHED):
        return SimProperty(p.prop.name, p.prop.kind, "not verified",
                           detail="no violation found by the walks" if p.prop.kind != "reachable"
                           else "not reached by the walks")
    if p.prop.name == "domains":
        return SimProperty(p.prop.name, p.prop.kind, VIOLATED, length, None, False,
                           "a variable left its declared domain")
    # a bounded breadth-first search up to the length found gives a shortest run
    bounded = registry.check(model, CheckOptions(properties=(p.prop.name,),
                                                 max_depth=max(length, 1)), engine,
                             notice=notice)
    found = next((r for r in bounded.properties if r.name == p.prop.name), None)
    if found is not None and found.status == p.status and found.trace is not None:
        return SimProperty(p.prop.name, p.prop.kind, p.status, length, found.trace, True,
                           found.detail or p.detail)
    return SimProperty(p.prop.name, p.prop.kind, p.status, length, None, False, p.detail)
