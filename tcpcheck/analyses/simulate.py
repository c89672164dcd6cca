"""Random simulation: walks from the initial state that judge every safety property and
goal along the way.  A simulation never proves anything, so its best outcome is "no
violation found: not verified"; a violation it finds is shortened by a bounded
breadth-first check (tcpcheck.engine.registry) so that the run shown is a shortest one.

Two engines walk: this module's Python walks (the reference), and the native engine's
(tcpcheck/native/walk.c, in C, in threads), which take the same runs: both draw from the
splitmix64 stream of :class:`Stream` over the same successor lists, with integer
arithmetic only.  Every run the native walks report as deciding a property is walked again
here, move for move, and must decide it at the same step; otherwise the Python walks run
instead.  Of the runs that decided a property the one kept is the shortest, ties going to
the lowest run index, in either engine and for any number of workers."""

from __future__ import annotations

import dataclasses
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from tcpcheck.diagnostics import UsageError
from tcpcheck.engine import registry
from tcpcheck.explicit.checker import CheckOptions, _Explorer
from tcpcheck.explicit.semantics import FIRE
from tcpcheck.limits import Watch
from tcpcheck.model import ir
from tcpcheck.result import (EXIT_INCOMPLETE, EXIT_VIOLATED, REACHED, VIOLATED, Coverage)

WEIGHTINGS = ("uniform", "rare")
ENGINES = ("auto", "native", "python")
RARE_SCALE = 1 << 32  # rare weighting: a move's weight is RARE_SCALE // (1 + times taken)
_MASK = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15


def _mix(z: int) -> int:
    """splitmix64's finaliser (a bijection of 64-bit integers)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class Stream:
    """Run ``run``'s random numbers: a splitmix64 generator started at
    mix(mix(seed + GAMMA) ^ run), so that runs of one seed never share a stream and run i is
    the same whatever runs beside it; walk.c computes the same numbers."""

    def __init__(self, seed: int, run: int):
        self.state = _mix(_mix((seed + _GAMMA) & _MASK) ^ run)

    def below(self, n: int) -> int:
        """A number in [0, n): the next 64 random bits scaled, (r * n) >> 64."""
        self.state = (self.state + _GAMMA) & _MASK
        return (_mix(self.state) * n) >> 64


class ReplayMismatch(Exception):
    """A run of the native walks that the Python walks do not take, or that decides a
    property elsewhere: the native result is not used."""


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
    engine: str = "python"  # which engine walked: native or python
    walk_seconds: float = 0.0  # the walks alone (no compiling, replaying or shortening)

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.walk_seconds if self.walk_seconds > 0 else 0.0

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
    generator, seeded by (``seed``, ``i``), so the same seed gives the same walks, in
    either engine, and ``workers`` (native: threads; python: processes, by fork) share
    them out without changing the result.  ``engine``: native, python, or auto (native
    when it can walk the model, else python, and ``notice`` hears why in one line); the
    bounded check that shortens a run found uses it too."""
    live, safe = judged(model, properties)
    started = time.monotonic()
    job = _Job(model, safe, seed, weighting, timeout, started, depth)
    tally = _Tally(_Judge(job))
    used, stop, walk_seconds = "python", None, 0.0
    native = _native_engine(model, engine, notice)
    if native is not None:
        try:
            stop, walk_seconds = _walk_native(native, job, tally, runs, workers, progress)
            used = "native"
        except ReplayMismatch as err:
            _say(notice, f"note: the native walks were abandoned ({err}); using the Python "
                 "engine")
            tally = _Tally(tally.judge)
    if used == "python":
        walk_started = time.monotonic()
        stop = _walk_all(job, tally, runs, workers, progress)
        walk_seconds = time.monotonic() - walk_started
    # the bounded checks that shorten the runs: in Python when the native engine could not
    # be had (its note said why once)
    engine = engine if native is not None else "python"
    props = tuple(_finish(model, tally.verdict(p), tally.found.get(p.prop.name), engine, notice)
                  for p in tally.pending if p.prop.kind not in ir.LIVENESS_KINDS)
    domains = tally.verdict(tally.domains)
    if domains.status == VIOLATED:
        props += (_finish(model, domains, tally.found.get("domains"), engine, notice),)
    cov = tuple(Coverage(model.endpoints[e].name, model.endpoints[e].transitions[t].name, n)
                for (e, t), n in sorted(tally.fired.items()))
    return SimulationResult(model.name, seed, weighting, runs, depth, tally.runs_done,
                            tally.steps, tally.states_seen(), time.monotonic() - started,
                            props, cov, live, stop, used, walk_seconds)


def judged(model: ir.Model, properties: tuple | None) -> tuple:
    """(the liveness properties, not judged; the names the walks judge: the safety
    properties and goals, then the lemmas, invariants as `check` judges them)."""
    chosen = [p for p in model.properties if properties is None or p.name in properties]
    live = tuple(p.name for p in chosen if p.kind in ir.LIVENESS_KINDS)
    safe = tuple(p.name for p in chosen if p.kind not in ir.LIVENESS_KINDS) + tuple(
        lem.name for lem in model.lemmas if properties is None or lem.name in properties)
    return live, safe


def _say(notice, text: str) -> None:
    if notice is not None:
        notice(text)


def _native_engine(model: ir.Model, engine: str, notice):
    """The model compiled for the native walks, or None for the Python ones (with a note
    under auto; a usage error when native was asked for and cannot be had)."""
    if engine == "python":
        return None
    if engine not in ENGINES:
        raise UsageError(f"no engine '{engine}'; the engines are {', '.join(ENGINES)}")
    from tcpcheck.native import runner  # ctypes and the C compiler only when asked for

    native, why = runner.walk_engine(model)
    if native is None:
        if engine == "native":
            raise UsageError(f"the native engine cannot simulate this model: {why}")
        _say(notice, f"note: using the Python engine: {why}")
    return native


def _walk_native(native, job: _Job, tally: _Tally, runs: int, workers: int, progress):
    """The native walks, added to ``tally`` once every run they kept is replayed here;
    (the stop reason, the walks' seconds).  ReplayMismatch when one cannot be."""
    from tcpcheck.native import runner

    watch = Watch(job.timeout, None, time.monotonic())  # after compiling, as check's
    try:
        walked = runner.walks(native, job.names, job.seed, runs, job.depth,
                              job.weighting == "rare", workers, watch, progress)
    except runner.NativeMismatch as err:
        raise ReplayMismatch(str(err)) from None
    judge = tally.judge
    for found in walked.found:
        # the run again, move for move, through the reference semantics and judges
        replayed = judge.walk(found.run, {}, 0, forced=found.moves)
        decided = {name: (length, status, detail)
                   for name, length, status, detail in replayed.found}
        length, status, detail = decided.get(found.name, (None, None, None))
        if (length, status) != (found.length, found.status):
            raise ReplayMismatch(f"run {found.run} decides {found.name} "
                                 f"{status or 'nothing'} at step {length}, the native walk "
                                 f"{found.status} at step {found.length}")
        tally.keep(found.name, found.length, found.run, status, detail, found.moves)
    tally.fired.update(dict(walked.fired))
    tally.ticks, tally.steps, tally.runs_done = walked.ticks, walked.steps, walked.runs_done
    tally.seen_count = walked.states_seen
    return walked.stop_reason, walked.seconds


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
    index: int = 0  # the run's number: its stream, and the tie-break between equal runs


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

    def walk(self, index: int, coverage: dict, ticks: int, forced: tuple | None = None) -> _Walked:
        """Walk ``index``; ``coverage`` and ``ticks`` are what rare weighting knows of
        the walks before this round.  ``forced``: take these moves instead of drawing
        them, then stop (the replay of a native run; ReplayMismatch when one is no move)."""
        x, job = self.x, self.job
        for p in self.judged:
            p.status, p.witness, p.detail = None, None, None
            p.witnesses.clear()
        x.coverage = dict.fromkeys(x.coverage, 0)
        rng = Stream(job.seed, index)
        found: dict = {}
        own_ticks, steps, seen, taken = 0, 0, set(), []
        state = x.sem.initial_state()
        self._state(0, state, seen, found)
        finished = True
        for step in range(1, job.depth + 1):
            if step % 64 == 0 and forced is None and x.watch.reason() is not None:
                finished = False  # a time limit or a signal: this walk is cut short
                break
            succs = x._successors(step - 1, state)
            if succs.error is not None:
                x._error_move(step - 1, succs.error)
            self._note(step - 1, found)
            if not succs:
                break
            if forced is not None:
                if step > len(forced):
                    break  # judged up to here, the end of the state it reached included
                k = forced[step - 1]
                if not 0 <= k < len(succs):
                    raise ReplayMismatch(f"run {index}, step {step}: move {k} of "
                                         f"{len(succs)}")
            elif job.weighting == "rare":
                k = _rare(rng, succs, coverage, x.coverage, ticks + own_ticks)
            else:
                k = rng.below(len(succs))
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
                       tuple((name, *v) for name, v in found.items()), finished, tuple(taken),
                       index)

    def _state(self, length, state, seen, found):
        seen.add(state)
        self.x._check_state(length, state)
        self._note(length, found)

    def _note(self, length, found):
        """Record the walk length at which each property was first decided."""
        for p in self.judged:
            if p.status is not None and p.prop.name not in found:
                found[p.prop.name] = (length, p.status, p.detail)


def _rare(rng: Stream, moves, before: dict, own: dict, ticks: int) -> int:
    """The index of a move weighted by RARE_SCALE // (1 + times its kind was taken), at
    least 1: the firings of its transition (in the walks before this round and in this
    walk), the moves that fire none (time, losses, duplications, discards) counting as one
    kind, else their constant weight would crowd out every well-used transition.  Integers,
    so that walk.c draws the same move."""
    weights = [max(1, RARE_SCALE // (1 + (before.get(a[1:3], 0) + own.get(a[1:3], 0)
                                          if a[0] == FIRE else ticks)))
               for a, _ in moves]
    r = rng.below(sum(weights))
    for k, w in enumerate(weights):
        if r < w:
            return k
        r -= w
    raise AssertionError("r is below the total of the weights")  # pragma: no cover


class _Tally:
    """The walks' outcomes added up in walk order; for each property the run kept is the
    shortest that decided it, ties to the lowest run index (for any number of workers, and
    as the native walks keep it)."""

    def __init__(self, judge: _Judge):
        self.judge = judge  # walks here when no worker processes do
        self.pending = judge.x.props
        self.domains = judge.x.domains
        self.fired = dict.fromkeys(judge.x.coverage, 0)
        self.ticks = 0
        self.found: dict = {}  # property -> the walk length that decided it first
        self.decided: dict = {}  # property -> (status, detail)
        self.runs_to: dict = {}  # property -> the successors taken by the walk, to there
        self.run_of: dict = {}  # property -> the index of the run kept
        self.seen: set = set()
        self.seen_count: int | None = None  # the native walks count, they keep no set here
        self.runs_done = self.steps = 0

    def keep(self, name: str, length: int, run: int, status, detail, moves) -> None:
        """The run ``run`` decided ``name`` after ``length`` moves: kept if shorter than
        the run kept so far, or as long and of a lower index."""
        if name in self.decided and (self.found[name], self.run_of[name]) <= (length, run):
            return
        self.found[name], self.run_of[name] = length, run
        self.decided[name] = (status, detail)
        self.runs_to[name] = tuple(moves[:length])

    def states_seen(self) -> int:
        return len(self.seen) if self.seen_count is None else self.seen_count

    def add(self, walked: _Walked) -> None:
        for name, length, status, detail in walked.found:
            self.keep(name, length, walked.index, status, detail, walked.moves)
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
