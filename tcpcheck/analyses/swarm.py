"""A swarm: many diversified, incomplete searches of one model run as Ray tasks (SPIN's
swarm verification, without a scheduler of our own: Ray does the distribution, retries and
cluster membership).  Each task is a random walk (uniform or rare-weighted, as
``tcpcheck simulate`` walks), a depth-bounded breadth-first check, or a depth-bounded
bitstate search (SPIN's -DBITSTATE with its own hash function, as SPIN's swarm varies
them: each misses other states), with its own seed and depth bound; the first violation
any task finds stops the swarm, and its run is replayed through the reference semantics
(tcpcheck.explicit) before it is shown.  A swarm never
proves anything: without a violation the answer is "not verified", never "holds"."""

from __future__ import annotations

import os
import signal
import socket
import time
from dataclasses import dataclass, replace

from tcpcheck.analyses.simulate import _Job, _Judge, _Tally, _walk_all
from tcpcheck import storage
from tcpcheck.diagnostics import TcpcheckError, UsageError
from tcpcheck.engine import registry
from tcpcheck.explicit.checker import CheckOptions, _Explorer
from tcpcheck.explicit.decode import Decoder
from tcpcheck.explicit.semantics import FIRE
from tcpcheck.limits import STOP, Watch, polled
from tcpcheck.model import ir
from tcpcheck.result import (EXIT_INCOMPLETE, EXIT_VIOLATED, REACHED, VIOLATED, Coverage)

KINDS = ("uniform", "rare", "bfs", "bitstate")  # task i searches as KINDS[i % 4]
# the walk depth of a walk task and the depth bound of a breadth-first one, as multiples
# of --depth, cycled over the tasks of one kind: shallow searches finish and cover the
# start, deep ones reach what the shallow cannot
WALK_DEPTHS = (1.0, 0.5, 2.0)
BFS_DEPTHS = (0.25, 0.5, 1.0, 2.0)
# a bitstate task's depth bound (times --depth) and log2 of its bit array, cycled together:
# the deeper the search, the smaller the array, so that the deep tasks, which fill theirs
# and miss more, finish within a budget and the shallow ones miss almost nothing
BITSTATE_DEPTHS = (1, 2, 4)
BITSTATE_BITS = (27, 24, 21)
FALLBACK = "uniform"  # what a bitstate task runs as where the native engine cannot
WALK_RUNS = 100_000  # walks per walk task at most; the budget ends it sooner
# the native walk task's rounds (runs from run 0; the last is WALK_RUNS): a violation common
# enough to be in the first thousand runs comes back at once
NATIVE_ROUNDS = (1_000, 10_000, WALK_RUNS)
INSTALL_HINT = "pip install 'tcpcheck[ray]'"
WAIT_SLICE = 0.2  # seconds the driver waits for a task before it looks at Ctrl-C again
# seconds past the budget the driver waits for the tasks' own records (each stops itself at
# the deadline) before it cancels the rest
GRACE = 3.0
MIN_TASK_SECONDS = 0.05
CONNECT_SECONDS = 5.0  # to wait for a cluster's address to answer at all
SHORTEN_SECONDS = 10.0  # for the bounded breadth-first check that shortens a walk's run


class RayMissing(TcpcheckError):
    """Ray is not installed: the swarm is an optional extra."""


@dataclass(frozen=True)
class TaskSpec:
    index: int
    kind: str  # uniform, rare (random walks), bfs (a depth-bounded breadth-first check)
               # or bitstate (the same with bitstate storage, in the native engine)
    seed: int  # a walk's seed; a bitstate task's hash seed (check --hash-seed)
    depth: int  # a walk's length, or the breadth-first search's depth bound
    bits: int | None = None  # bitstate: log2 of its bit array

    def describe(self) -> str:
        if self.kind == "bfs":
            return f"breadth-first to depth {self.depth}"
        if self.kind == "bitstate":
            return (f"bitstate breadth-first to depth {self.depth}, 2^{self.bits} bits, "
                    f"hash seed {self.seed}")
        return f"{self.kind} walks of depth {self.depth}, seed {self.seed}"


@dataclass(frozen=True)
class Finding:
    """A property a task decided: the run to it as indices into the successor list of each
    state (tcpcheck.explicit.semantics' order), small enough to send back over Ray."""

    name: str
    status: str  # violated or reached
    moves: tuple  # int per step


@dataclass(frozen=True)
class TaskRecord:
    spec: TaskSpec
    findings: tuple  # Finding
    fired: tuple  # (endpoint, transition, times fired) of each transition
    states: int  # states this task saw (distinct within the task)
    steps: int  # walk steps, or transitions explored breadth-first
    seconds: float
    complete: bool = False  # a breadth-first task explored every reachable state
    stop_reason: str | None = None
    no_bitstate: str | None = None  # why a bitstate task ran as FALLBACK walks (spec says)


@dataclass(frozen=True)
class SwarmProperty:
    name: str
    kind: str
    status: str  # violated, reached, or not verified
    trace: object = None  # the replayed Trace, or None
    task: TaskSpec | None = None  # the task that found it
    detail: str | None = None
    found_length: int | None = None  # the task's run, before it was shortened
    shortest: bool = False  # a breadth-first check bounded by that length gave the trace


@dataclass(frozen=True)
class SwarmResult:
    model: str
    address: str
    seed: int
    depth: int
    budget: float
    tasks: tuple  # TaskSpec, every task planned
    records: tuple  # TaskRecord, the tasks that finished
    properties: tuple  # SwarmProperty
    coverage: tuple  # Coverage, summed over the finished tasks
    seconds: float
    liveness: tuple = ()  # liveness properties: not judged by a swarm
    stop_reason: str | None = None  # violated, budget, interrupted, or None
    no_bitstate: str | None = None  # why the bitstate tasks ran as walks (None: they did not)
    share: float | None = None  # each task's own seconds at most (task_share)

    @property
    def fallbacks(self) -> tuple:
        """The indices of the tasks planned as bitstate that ran as FALLBACK walks."""
        return tuple(s.index for s in self.tasks if KINDS[s.index % len(KINDS)] == "bitstate"
                     and s.kind != "bitstate")

    @property
    def exit_code(self) -> int:
        # a swarm never proves: without a violation the result is not verified
        return EXIT_VIOLATED if any(p.status == VIOLATED for p in self.properties) \
            else EXIT_INCOMPLETE

    @property
    def states_seen(self) -> int:  # summed: a state two tasks saw counts twice
        return sum(r.states for r in self.records)

    @property
    def steps(self) -> int:
        return sum(r.steps for r in self.records)


def plan(tasks: int, seed: int, depth: int, bitstate: bool = True) -> tuple:
    """The tasks of a swarm: kinds, seeds and depth bounds spread over them (the same
    arguments give the same plan, and each task is deterministic given its seed).  Without
    ``bitstate`` (no native engine) the bitstate tasks are FALLBACK walks of their depth."""
    specs = []
    for i in range(tasks):
        kind, turn = KINDS[i % len(KINDS)], i // len(KINDS)
        if kind == "bitstate":
            at = turn % len(BITSTATE_DEPTHS)
            spec = TaskSpec(i, kind, seed + i, depth * BITSTATE_DEPTHS[at], BITSTATE_BITS[at])
            specs.append(spec if bitstate else _fallback(spec))
            continue
        factors = BFS_DEPTHS if kind == "bfs" else WALK_DEPTHS
        specs.append(TaskSpec(i, kind, seed + i,
                              max(1, round(depth * factors[turn % len(factors)]))))
    return tuple(specs)


def _fallback(spec: TaskSpec) -> TaskSpec:
    return replace(spec, kind=FALLBACK, bits=None)


def no_bitstate(model: ir.Model, names: tuple, engine: str) -> str | None:
    """Why the bitstate tasks cannot run here (they need the native engine), or None: the
    model is compiled now, so that the tasks on this machine find it in the cache."""
    if engine == "python":
        return "--engine python: bitstate storage is built in the native engine only"
    native = registry.engine_named("native")
    try:
        return native.unavailable(model, CheckOptions(properties=names, storage=storage.BITSTATE))
    except TcpcheckError as err:  # a model no engine explores: the other tasks say so too
        return str(err)


# -- one task (runs in a Ray worker, or here) ------------------------------------------------

def run_task(model: ir.Model, spec: TaskSpec, names: tuple, deadline: float,
             engine: str = "auto", share: float | None = None) -> TaskRecord:
    """One search of the swarm, stopped by its first violation, after ``share`` seconds
    of its own (None: no such limit), or at ``deadline`` (a wall-clock time.time(): a task
    may start late, queued behind others or on a worker still starting, and must still end
    with the swarm)."""
    budget = deadline - time.time()
    if share is not None:
        budget = min(budget, share)
    budget = max(MIN_TASK_SECONDS, budget)
    if spec.kind == "bitstate":
        return _bitstate(model, spec, names, budget)
    if spec.kind == "bfs":
        return _breadth_first(model, spec, names, budget, engine)
    walked = _native_walks(model, spec, names, budget) if engine != "python" else None
    return walked or _walks(model, spec, names, budget)


def _native_walks(model, spec, names, budget) -> TaskRecord | None:
    """simulate's walks in the native engine (the same runs as the Python walks of this
    seed and weighting, some 70 times as many a second), or None where it cannot walk this
    model on this worker.  tc_walks numbers its runs from 0, so the task walks rounds of
    NATIVE_ROUNDS runs, each taking up the last one's (at most a tenth walked again), and
    stops after the round that breaks a property, as the Python walks stop.  The driver
    replays every run found through the reference semantics."""
    from tcpcheck.native import runner  # ctypes and the C compiler only where asked for

    try:
        native, _ = runner.walk_engine(model)
    except TcpcheckError:
        return None
    if native is None:
        return None
    watch = Watch(budget, None, time.monotonic())
    for runs in NATIVE_ROUNDS:
        try:
            walked = runner.walks(native, names, spec.seed, runs, spec.depth,
                                  spec.kind == "rare", 1, watch)
        except runner.NativeMismatch:
            return None
        violated = any(f.status == VIOLATED for f in walked.found)
        if walked.stop_reason is not None or violated:
            break
    findings = tuple(Finding(f.name, f.status, f.moves) for f in walked.found)
    fired = tuple((e, t, n) for (e, t), n in walked.fired)
    stop = walked.stop_reason or (VIOLATED if violated else None)
    return TaskRecord(spec, findings, fired, walked.states_seen, walked.steps,
                      time.monotonic() - watch.started, stop_reason=stop)


def _walks(model, spec, names, budget) -> TaskRecord:
    """simulate's walks (the same walks as ``tcpcheck simulate --seed`` with this seed and
    weighting), until one breaks a property or the budget is spent; each property decided
    comes back with the successors the walk took to decide it."""
    job = _Job(model, names, spec.seed, spec.kind, budget, time.monotonic(), spec.depth)
    tally = _Tally(_Judge(job))
    stop = _walk_all(job, tally, WALK_RUNS, 1, None, until_violated=True)
    findings = tuple(Finding(name, status, tally.runs_to[name])
                     for name, (status, _) in tally.decided.items())
    fired = tuple((e, t, n) for (e, t), n in sorted(tally.fired.items()))
    return TaskRecord(spec, findings, fired, len(tally.seen), tally.steps,
                      time.monotonic() - job.started, stop_reason=stop)


def _bitstate(model, spec, names, budget) -> TaskRecord:
    """A breadth-first check bounded at the task's depth, storing states as bitstate with
    the task's hash seed, in the native engine (one thread: a task has one CPU); where the
    native engine cannot run on this worker, FALLBACK walks instead, saying why."""
    options = CheckOptions(properties=names, max_depth=spec.depth, timeout=budget,
                           storage=storage.BITSTATE, storage_bits=spec.bits,
                           hash_seed=spec.seed)
    try:
        result = registry.check(model, options, "native")
    except UsageError as err:
        return replace(_walks(model, _fallback(spec), names, budget), no_bitstate=str(err))
    return _record(model, spec, result)


def _breadth_first(model, spec, names, budget, engine) -> TaskRecord:
    result = registry.check(model, CheckOptions(properties=names, max_depth=spec.depth,
                                                timeout=budget), engine)
    return _record(model, spec, result)


def _record(model, spec, result) -> TaskRecord:
    """A breadth-first task's record from its check's result (its runs as moves)."""
    findings = tuple(Finding(p.name, p.status, moves_of(model, p.trace))
                     for p in result.properties
                     if p.status in (VIOLATED, REACHED) and p.trace is not None)
    index = {(ep.name, t.name): (e, i) for e, ep in enumerate(model.endpoints)
             for i, t in enumerate(ep.transitions)}
    fired = tuple((*index[(c.endpoint, c.transition)], c.fired)
                  for c in result.stats.coverage)
    return TaskRecord(spec, findings, fired, result.stats.states, result.stats.transitions,
                      result.stats.seconds, result.complete, result.stop_reason)


def moves_of(model: ir.Model, trace) -> tuple:
    """A check's run as successor indices: at each step, the successor whose decoded step
    is the one shown (the engines decode the same way, the native one included)."""
    judge, decoder = _Explorer(model, CheckOptions(properties=())), Decoder(model)
    state, moves = judge.sem.initial_state(), []
    for step in trace.steps[1:]:
        if step.kind == "error":  # a domain error: the step shows the failure, not a move
            break
        succs = list(judge.sem.successors(state))
        i = next((i for i, (a, s) in enumerate(succs) if decoder.step(step.index, a, s) == step),
                 None)
        if i is None:
            raise ReplayMismatch(f"step {step.index} of the run is no successor")
        moves.append(i)
        state = succs[i][1]
    return tuple(moves)


# -- replay (the driver) -------------------------------------------------------------------

class ReplayMismatch(Exception):
    """A task's run does not replay through the reference semantics (a bug: reported)."""


def replay(model: ir.Model, finding: Finding):
    """The run of ``finding`` rebuilt by the reference semantics and judged there again;
    its Trace, or ReplayMismatch when the property is not decided as the task said."""
    judge = _Explorer(model, CheckOptions(properties=(finding.name,)))
    judge.watch, judge.cut_short, judge.capacity_blocked = Watch(), False, 0
    state = judge.sem.initial_state()
    path = [(None, state)]
    judge._check_state(0, state)
    for step, i in enumerate(finding.moves, start=1):
        succs = list(judge._successors(step - 1, state))
        if i >= len(succs):
            raise ReplayMismatch(f"step {step} of the run has {len(succs)} successors, not {i + 1}")
        action, state = succs[i]
        if action[0] == FIRE:
            judge._on_fire(step - 1, action, state)
        judge._check_state(step, state)
        path.append((action, state))
    judge._successors(len(finding.moves), state)  # a deadlock, or a domain error, here
    decided = [p for p in judge.props + [judge.domains] if p.prop.name == finding.name]
    if not decided or decided[0].status != finding.status:
        raise ReplayMismatch(f"{finding.name} is not {finding.status} at the end of the run")
    kind = "witness" if finding.status == REACHED else "counterexample"
    p = decided[0]
    detail = p.witness[1].message if p is judge.domains else p.detail
    return Decoder(model).trace(path, kind=kind, prop=finding.name), detail


# -- the swarm -----------------------------------------------------------------------------

def connect(address: str):
    """Ray, started here (``local``: one worker per core) or joined at ``address``, and
    whether this call started it (then the caller shuts it down); a Ray already started in
    this process (a test's, a notebook's) is used as it is."""
    try:
        import ray
    except ImportError:
        raise RayMissing("tcpcheck swarm needs Ray, an optional extra: "
                         f"{INSTALL_HINT}") from None
    if ray.is_initialized():
        return ray, False
    why = None if address in ("local", "auto") else unreachable(address)
    if why is not None:
        raise TcpcheckError(f"cannot reach the Ray cluster at {address}: {why}")
    import logging

    where = {"num_cpus": os.cpu_count()} if address == "local" else {"address": address}
    handlers = _signal_handlers()
    try:
        ray.init(**where, include_dashboard=False, log_to_driver=False,
                 logging_level=logging.ERROR)
    except (ConnectionError, ValueError, RuntimeError) as err:
        raise TcpcheckError(f"cannot reach the Ray cluster at {address}: "
                            f"{str(err).splitlines()[0] if str(err) else err}") from None
    finally:
        _restore(handlers)
    return ray, True


def _signal_handlers() -> dict:
    """SIGINT's and SIGTERM's handlers now: ray.init replaces SIGTERM's (its own exits with
    status 1 and a stack dump) and they must come back, so that Ctrl-C and SIGTERM stop the
    swarm with its partial result."""
    found = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    return {s: h for s, h in found.items() if h is not None}


def _restore(handlers: dict) -> None:
    for signum, handler in handlers.items():
        try:
            signal.signal(signum, handler)
        except ValueError:  # not the main thread: nothing was changed here either
            pass


def unreachable(address: str) -> str | None:
    """Why nothing answers at ``address`` (HOST:PORT or ray://HOST:PORT), tried with a plain
    TCP connection first: ray.init retries an address that does not answer for minutes."""
    host, _, port = address.split("://", 1)[-1].rpartition(":")
    if not host or not port.isdigit():
        return "expected HOST:PORT, ray://HOST:PORT, auto or local"
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS).close()
    except (OSError, ValueError, OverflowError) as err:
        return f"nothing answers at {host}:{port} ({getattr(err, 'strerror', None) or err})"
    return None


def swarm(model: ir.Model, ray, address: str = "local", tasks: int | None = None,
          budget: float = 60.0, seed: int = 0, depth: int = 100,
          properties: tuple | None = None, engine: str = "auto",
          progress=None) -> SwarmResult:
    """Run the swarm on ``ray``, the module once connected (``connect``; ``address``
    is only recorded)."""
    chosen = [p for p in model.properties if properties is None or p.name in properties]
    names = tuple(p.name for p in chosen if p.kind not in ir.LIVENESS_KINDS)
    tasks = tasks or max(1, int(ray.cluster_resources().get("CPU", 1)))
    start = time.monotonic()
    why = no_bitstate(model, names, engine) if tasks > KINDS.index("bitstate") else None
    specs = plan(tasks, seed, depth, bitstate=why is None)
    share = task_share(budget, len(specs), ray.cluster_resources().get("CPU", 1))
    records, stop = _gather(ray, model, specs, names, budget, share, engine, progress, start)
    # a worker without a compiler: its bitstate task ran as walks (the driver had one)
    why = why or next((r.no_bitstate for r in records if r.no_bitstate), None)
    specs = tuple(next((r.spec for r in records if r.spec.index == s.index), s) for s in specs)
    result = _summarise(model, address, seed, depth, budget, specs, records, chosen,
                        time.monotonic() - start, stop, engine)
    return replace(result, no_bitstate=why, share=share)


def _gather(ray, model, specs, names, budget, share, engine, progress, start):
    """The tasks' records until the first violation, the budget or a stop request; the
    rest are cancelled."""
    remote = ray.remote(num_cpus=1, max_retries=1)(run_task)
    model_ref, deadline = ray.put(model), time.time() + budget
    pending = [remote.remote(model_ref, s, names, deadline, engine, share) for s in specs]
    records, stop = [], None
    with polled():
        while pending and stop is None:
            left = budget + GRACE - (time.monotonic() - start)
            if STOP.reason is not None or left <= 0:
                stop = STOP.reason or "budget"
                break
            done, pending = ray.wait(pending, num_returns=1, timeout=min(WAIT_SLICE, left))
            for ref in done:
                records.append(ray.get(ref))
                if any(f.status == VIOLATED for f in records[-1].findings):
                    stop = VIOLATED
            if progress:
                progress(len(records), len(specs), time.monotonic() - start)
    for ref in pending:
        ray.cancel(ref)  # a KeyboardInterrupt in the task: its worker lives on
    if stop is None and any(r.stop_reason == "timeout" for r in records):
        stop = "budget"  # every task ended, some of them at their share or the deadline
    return records, stop


def task_share(budget: float, tasks: int, cpus: float) -> float:
    """A task's own seconds: with more tasks than CPUs they run in waves, and a walk task
    would otherwise hold its CPU until the swarm's deadline, leaving the tasks queued behind
    it nothing (SPIN's swarm sizes its jobs to the time and the cores the same way)."""
    waves = -(-tasks // max(1, int(cpus)))  # ceil
    return budget / waves


def _summarise(model, address, seed, depth, budget, specs, records, chosen, seconds, stop,
               engine):
    props = tuple(_property(model, p, records, engine) for p in chosen
                  if p.kind not in ir.LIVENESS_KINDS)
    broken = _first(records, "domains", VIOLATED)
    if broken is not None:
        props += (_replayed(model, ir.Property("domains", "domains"), *broken),)
    totals: dict = {}
    for r in records:
        for e, t, n in r.fired:
            totals[(e, t)] = totals.get((e, t), 0) + n
    cov = tuple(Coverage(ep.name, tr.name, totals.get((e, t), 0), tr.span.line)
                for e, ep in enumerate(model.endpoints) for t, tr in enumerate(ep.transitions))
    live = tuple(p.name for p in chosen if p.kind in ir.LIVENESS_KINDS)
    return SwarmResult(model.name, address, seed, depth, budget, specs,
                       tuple(sorted(records, key=lambda r: r.spec.index)), props, cov,
                       seconds, live, stop)


def _first(records, name: str, status: str):
    """The shortest run any finished task found for ``name`` with ``status``."""
    found = [(len(f.moves), r.spec.index, f, r.spec) for r in records for f in r.findings
             if f.name == name and f.status == status]
    return min(found, key=lambda x: x[:2])[2:] if found else None


def _property(model, prop, records, engine) -> SwarmProperty:
    for status in (VIOLATED, REACHED):
        hit = _first(records, prop.name, status)
        if hit is not None:
            return _replayed(model, prop, *hit, engine)
    return SwarmProperty(prop.name, prop.kind, "not verified",
                         detail="not reached by the swarm" if prop.kind == "reachable"
                         else "no violation found by the swarm")


def _replayed(model, prop, finding: Finding, spec: TaskSpec, engine: str = "auto"
              ) -> SwarmProperty:
    trace, detail = replay(model, finding)
    found = len(finding.moves)
    if spec.kind != "bfs" and prop.kind != "domains":  # a breadth-first run is shortest
        shorter = _shortest(model, prop.name, finding.status, found, engine)
        if shorter is not None:
            return SwarmProperty(prop.name, prop.kind, finding.status, shorter.trace, spec,
                                 shorter.detail or detail, found, True)
    return SwarmProperty(prop.name, prop.kind, finding.status, trace, spec, detail, found)


def _shortest(model, name: str, status: str, length: int, engine: str):
    """As simulate does: a breadth-first check of ``name`` alone, bounded by the walk's
    length, gives a shortest run (when it finishes within SHORTEN_SECONDS; else None and
    the walk's own run is shown)."""
    bounded = registry.check(model, CheckOptions(properties=(name,), max_depth=max(length, 1),
                                                 timeout=SHORTEN_SECONDS), engine)
    found = next((r for r in bounded.properties if r.name == name), None)
    if found is None or found.status != status or found.trace is None:
        return None
    return found
