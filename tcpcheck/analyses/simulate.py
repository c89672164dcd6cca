"""Random simulation: walks from the initial state that judge every safety property and
goal along the way.  A simulation never proves anything, so its best outcome is "no
violation found: not verified"; a violation it finds is shortened by a bounded
breadth-first check (tcpcheck.engine.registry) so that the run shown is a shortest one."""

from __future__ import annotations

import dataclasses
import multiprocessing
import random
import time
from concurrent.futures import ProcessPoolExecutor
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


# Runs are walked in rounds of this many: under --weighting rare a run sees the coverage of
# the rounds before its own (and its own), never that of a run beside it, so that the runs
# and the result are the same whatever the number of workers.
ROUND = 16


def simulate(model: ir.Model, runs: int = 100, depth: int = 100, seed: int = 0,
             weighting: str = "uniform", timeout: float | None = None,
             properties: tuple | None = None, progress=None, engine: str = "auto",
             notice=None, workers: int = 1) -> SimulationResult:
    """``runs`` random walks of at most ``depth`` steps; walk ``i`` draws from its own
    generator, seeded by (``seed``, ``i``), so the same seed gives the same walks, and
    ``workers`` processes (fork) share them out without changing the result."""
    chosen = [p for p in model.properties if properties is None or p.name in properties]
    live = tuple(p.name for p in chosen if p.kind in ir.LIVENESS_KINDS)
    safe = tuple(p.name for p in chosen if p.kind not in ir.LIVENESS_KINDS)
    started = time.monotonic()
    job = _Job(model, safe, seed, weighting, timeout, started, depth)
    tally = _Tally(_Judge(job))
    stop = _walk_all(job, tally, runs, workers, progress)
    props = tuple(_finish(model, tally.verdict(p), tally.found.get(p.prop.name), engine, notice)
                  for p in tally.pending if p.prop.kind not in ir.LIVENESS_KINDS)
    domains = tally.verdict(tally.domains)
    if domains.status == VIOLATED:
        props += (_finish(model, domains, tally.found.get("domains"), engine, notice),)
    cov = tuple(Coverage(model.endpoints[e].name, model.endpoints[e].transitions[t].name, n)
                for (e, t), n in sorted(tally.fired.items()))
    return SimulationResult(model.name, seed, weighting, runs, depth, tally.runs_done,
                            tally.steps, len(tally.seen), time.monotonic() - started,
                            props, cov, live, stop)


@dataclass(frozen=True)
class _Job:
    """What every walk needs to know (handed to the worker processes as it is)."""

    model: ir.Model
    names: tuple  # the safety properties judged
    seed: int
    weighting: str
    timeout: float | None
    started: float  # time.monotonic() at the start: the same clock in every process
    depth: int


@dataclass(frozen=True)
class _Walked:
    """One walk's outcome."""

    steps: int
    ticks: int  # time steps taken (a kind of move, for rare weighting)
    states: frozenset
    fired: tuple  # ((endpoint, transition), firings) of this walk
    found: tuple  # (property, walk length, status, detail) for each decided on the way
    finished: bool  # False: a limit or a signal cut it short
    moves: tuple = ()  # the successor taken at each step (its index in successor order)


class _Judge:
    """Walks one run at a time; properties are judged by the checker's own code (an
    _Explorer used as a judge, fed one state and one firing at a time, its verdicts cleared
    before each walk) so that simulation and check agree on what a violation is."""

    def __init__(self, job: _Job):
        self.job = job
        self.x = _Explorer(job.model, CheckOptions(properties=job.names))
        self.x.watch = Watch(job.timeout, None, job.started)
        self.x.cut_short, self.x.capacity_blocked = False, 0
        self.judged = self.x.props + [self.x.domains]

    def walk(self, index: int, coverage: dict, ticks: int) -> _Walked:
        """Walk ``index``; ``coverage`` and ``ticks`` are what rare weighting knows of
        the walks before this round."""
        x, job = self.x, self.job
        for p in self.judged:
            p.status, p.witness, p.detail = None, None, None
            p.witnesses.clear()
        x.coverage = dict.fromkeys(x.coverage, 0)
        rng = random.Random(f"{job.seed}/{index}")
        found: dict = {}
        own_ticks, steps, seen, taken = 0, 0, set(), []
        state = x.sem.initial_state()
        self._state(0, state, seen, found)
        finished = True
        for step in range(1, job.depth + 1):
            if step % 64 == 0 and x.watch.reason() is not None:
                finished = False  # a time limit or a signal: this walk is cut short
                break
            succs = x._successors(step - 1, state)
            if succs.error is not None:
                x._error_move(step - 1, succs.error)
            self._note(step - 1, found)
            if not succs:
                break
            if job.weighting == "rare":
                k = _rare(rng, succs, coverage, x.coverage, ticks + own_ticks)
            else:
                k = rng.randrange(len(succs))
            action, state = succs[k]
            taken.append(k)
            steps += 1
            if action[0] == FIRE:
                x._on_fire(step - 1, action, state)
            else:
                own_ticks += 1
            self._state(step, state, seen, found)
        fired = tuple((k, n) for k, n in x.coverage.items() if n)
        return _Walked(steps, own_ticks, frozenset(seen), fired,
                       tuple((name, *v) for name, v in found.items()), finished, tuple(taken))

    def _state(self, length, state, seen, found):
        seen.add(state)
        self.x._check_state(length, state)
        self._note(length, found)

    def _note(self, length, found):
        """Record the walk length at which each property was first decided."""
        for p in self.judged:
            if p.status is not None and p.prop.name not in found:
                found[p.prop.name] = (length, p.status, p.detail)


def _rare(rng, moves, before: dict, own: dict, ticks: int) -> int:
    """The index of a move weighted by 1/(1+times its kind was taken): the firings of its transition (in
    the walks before this round and in this walk), time steps counting as one kind, else
    their constant weight would crowd out every well-used transition."""
    weights = [1.0 / (1 + (before.get(a[1:3], 0) + own.get(a[1:3], 0) if a[0] == FIRE
                           else ticks)) for a, _ in moves]
    return rng.choices(range(len(moves)), weights)[0]


class _Tally:
    """The walks' outcomes added up in walk order (so the first walk that decided a
    property is the one reported, for any number of workers)."""

    def __init__(self, judge: _Judge):
        self.judge = judge  # walks here when no worker processes do
        self.pending = judge.x.props
        self.domains = judge.x.domains
        self.fired = dict.fromkeys(judge.x.coverage, 0)
        self.ticks = 0
        self.found: dict = {}  # property -> the walk length that decided it first
        self.decided: dict = {}  # property -> (status, detail)
        self.runs_to: dict = {}  # property -> the successors taken by the walk, to there
        self.seen: set = set()
        self.runs_done = self.steps = 0

    def add(self, walked: _Walked) -> None:
        for name, length, status, detail in walked.found:
            if name not in self.decided:
                self.found[name] = length
                self.decided[name] = (status, detail)
                self.runs_to[name] = walked.moves[:length]
        for key, n in walked.fired:
            self.fired[key] += n
        self.ticks += walked.ticks
        self.steps += walked.steps
        self.seen |= walked.states
        self.runs_done += walked.finished

    def verdict(self, p):
        """``p`` (a checker _Pending) with the status and detail the walks gave it."""
        status, detail = self.decided.get(p.prop.name, (None, None))
        return dataclasses.replace(p, status=status, detail=detail)


_WORKER: dict = {}  # in a worker process: its judge


def _start_worker(job: _Job) -> None:
    _WORKER["judge"] = _Judge(job)


def _walk_in_worker(args) -> _Walked:
    return _WORKER["judge"].walk(*args)


def _walk_all(job: _Job, tally: _Tally, runs: int, workers: int, progress,
              until_violated: bool = False):
    """Walk every run, a round at a time; the reason the walks stopped early, or None.
    ``until_violated``: stop after the round where a property was first violated (reason
    ``violated``)."""
    judge = tally.judge
    pool = None
    if workers > 1 and runs > 1:
        pool = ProcessPoolExecutor(min(workers, runs), mp_context=_fork(),
                                   initializer=_start_worker, initargs=(job,))
    try:
        for first in range(0, runs, ROUND):
            reason = judge.x.watch.reason()
            if reason is not None:
                return reason
            batch = [(i, dict(tally.fired), tally.ticks)
                     for i in range(first, min(first + ROUND, runs))]
            outcomes = (pool.map(_walk_in_worker, batch, chunksize=-(-len(batch) // workers))
                        if pool is not None else (judge.walk(*args) for args in batch))
            for walked in outcomes:
                tally.add(walked)
                if not walked.finished:
                    return judge.x.watch.reason() or "interrupted"
            if progress:
                progress(tally.runs_done, runs, tally.steps, len(tally.seen),
                         time.monotonic() - job.started)
            if until_violated and VIOLATED in (s for s, _ in tally.decided.values()):
                return VIOLATED
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM while waiting for the workers
        return judge.x.watch.reason() or "interrupted"
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return None


def _fork():
    """Worker processes start as copies of this one (the model is not sent, nor pickled);
    where fork is not offered, the platform's default."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


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
