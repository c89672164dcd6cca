"""Symbolic verification with Z3: bounded model checking, k-induction and Spacer (PDR),
alone or as a portfolio.

The only package that imports ``z3``.  :func:`prove` encodes the frozen model once, in
this process (:mod:`tcpcheck.symbolic.encoding`, stoppable: :mod:`.stopping`), then runs
the engines (:mod:`tcpcheck.symbolic.engines`) in solver processes forked from it
(:mod:`.processes`, :mod:`.supervisor`), which it stops when a signal arrives, the time
or memory is up, or their answer is no longer needed (:mod:`.portfolio`).  Counterexamples
come back as the same :class:`tcpcheck.trace.Trace` the explicit engine returns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import z3

from tcpcheck.diagnostics import UsageError
from tcpcheck.limits import MAX_MEMORY, SIGNAL_REASONS, STOP, Watch, polled
from tcpcheck.model import ir
from tcpcheck.result import PropertyResult, REACHED, UNREACHABLE, VIOLATED, property_named
from tcpcheck.symbolic.encoding import (JUMP, REAL_SEQSPACE, UNIT, Encoding, SymbolicUnsupported,
                                        unsupported_message)
from tcpcheck.symbolic.engines import BOUNDED, PROVED, UNKNOWN
from tcpcheck.symbolic.portfolio import (ENGINE_NAMES, KIND_DEPTH, PORTFOLIO, Policy, SolverCrash,
                                         plan, stop_words, task_failure, task_target)
from tcpcheck.symbolic.processes import Worker, can_fork
from tcpcheck.symbolic.properties import goal_heads, goals
from tcpcheck.symbolic.stopping import EncodingGuard, Stopped
from tcpcheck.symbolic.supervisor import Supervisor
from tcpcheck.symbolic.terms import Unsupported

ENGINES = (PORTFOLIO,) + ENGINE_NAMES
__all__ = ["ProveOptions", "ProofResult", "prove", "synthesize", "ENGINES", "PORTFOLIO",
           "PROVED", "BOUNDED", "UNKNOWN", "UNIT", "JUMP", "REAL_SEQSPACE", "SymbolicUnsupported",
           "SolverCrash", "KIND_DEPTH", "available_cores"]
STOPS = SIGNAL_REASONS + (MAX_MEMORY,)  # stops that end a synthesis too


def available_cores() -> int:
    """The cores this process may run on (its affinity mask where the system has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ProveOptions:
    """``engine``: ``portfolio`` (bmc, kind and pdr race on each goal), ``bmc``, ``kind`` or
    ``pdr``.  ``depth``: BMC's depth and k-induction's largest k (None: 10; in the
    portfolio BMC then deepens until stopped).  ``timeout`` (seconds, encoding included) and
    ``max_memory`` (MB, this process and its solver processes together): None = none.
    ``jobs``: solver processes running at once (None: every core).  ``seqspace``: None =
    the real 32-bit space; a number = that modulus (the model's own ``bounds.seqspace``
    reproduces the explicit engine).  ``time``: ``jump`` (any number of ticks per step: the
    default, and what proofs for every parameter value need) or ``unit`` (one tick per
    step: the explicit engine's steps).  ``symbolic_params``: every ``param`` ranges over
    all values its constraints allow (else its default)."""

    engine: str = PORTFOLIO
    depth: int | None = None
    timeout: float | None = None
    properties: tuple | None = None
    seqspace: int | None = None
    time: str = JUMP
    symbolic_params: bool = True
    progress: object = None  # callable(what runs now: str, seconds: float)
    max_memory: float | None = None
    jobs: int | None = None


@dataclass(frozen=True)
class ProofResult:
    model: str
    engine: str
    properties: tuple
    seconds: float
    solver_seconds: float  # the CPU time of the solver processes, added up
    seqspace: int
    time: str
    symbolic_params: tuple  # names of the params treated as symbolic
    answered: tuple = ()  # (property, engine that decided it, or None)
    stop_reason: str | None = None  # a reason of tcpcheck.limits when the run was cut short
    jobs: int = 1
    timeout: float | None = None
    max_memory: float | None = None

    def get(self, name: str) -> PropertyResult:
        return property_named(self.properties, name)

    def answered_by(self, name: str) -> str | None:
        return dict(self.answered).get(name)

    @property
    def exit_code(self) -> int:
        """0 all proved (goals reached), 1 one violated (a goal unreachable), 3 otherwise."""
        statuses = {p.status for p in self.properties}
        if statuses & {VIOLATED, UNREACHABLE}:
            return 1
        if statuses <= {PROVED, REACHED} and self.stop_reason is None:
            return 0
        return 3


def synthesize(model: ir.Model, prop: str, param: str, *, depth: int = 30,
               timeout: float | None = None, upper: int = 16, samples: int = 3, progress=None,
               engine: str = "pdr", induction_depth: int = 1, max_memory: float | None = None,
               jobs: int | None = None):
    """The least value of ``param`` for which ``prop`` holds (see tcpcheck.symbolic.synth);
    each proof by ``engine``: Spacer (``pdr``) or k-induction with the model's lemmas
    (``kind``, k up to ``induction_depth``).  ``timeout`` bounds each proof; a signal or
    the memory limit (``max_memory`` MB) ends the whole search with what it established."""
    from tcpcheck.symbolic.synth import Synthesizer

    def run(candidate: ir.Model, engine: str, k: int):
        options = ProveOptions(engine=engine, depth=k, timeout=timeout, properties=(prop,),
                               progress=progress, max_memory=max_memory, jobs=jobs)
        result = prove(candidate, options)
        if result.stop_reason in STOPS:
            raise Stopped(result.stop_reason)
        return result.get(prop)

    with polled():  # a signal ends the proof under way, which ends the search
        return Synthesizer(model, prop, param, run, upper=upper, samples=samples, depth=depth,
                           engine=engine, induction_depth=induction_depth,
                           limits={"timeout": timeout, "max_memory": max_memory}).run()


def encode(model: ir.Model, options: ProveOptions, poll=None) -> Encoding:
    try:
        return Encoding(model, seqspace=options.seqspace or REAL_SEQSPACE, time=options.time,
                        symbolic_params=options.symbolic_params, poll=poll)
    except Unsupported as err:
        raise SymbolicUnsupported(unsupported_message(err)) from None


def prove(model: ir.Model, options: ProveOptions = ProveOptions()) -> ProofResult:
    """Decide the selected properties (all, and ``domains``) with the chosen engine(s).
    Never runs past the time limit by more than a tick; a signal (tcpcheck.limits.STOP),
    the time or the memory limit ends it with what was decided, the rest undecided."""
    if options.engine not in ENGINES:
        raise UsageError(f"no engine '{options.engine}'; the engines are {', '.join(ENGINES)}")
    if not can_fork():
        raise UsageError("the symbolic engines run in solver processes, which need fork()")
    watch = Watch(options.timeout)
    names = None if options.properties is None else set(options.properties)
    jobs = options.jobs or available_cores()
    with polled():  # a signal only records the stop; the encoding and the supervisor poll
        try:
            enc = _encode_stoppably(model, options, watch)
        except Stopped as stop:
            results = [_not_encoded(g, stop.reason, watch.elapsed(), options)
                       for g in goal_heads(model, names)]
            return _result(model, options, watch, results, jobs, stop.reason,
                           seqspace=options.seqspace or REAL_SEQSPACE)
        return _solve(model, enc, goals(enc, names), options, watch, jobs)


def _encode_stoppably(model: ir.Model, options: ProveOptions, watch: Watch) -> Encoding:
    """The encoding, or Stopped as soon as the run must stop (a signal, the time or the
    memory limit), also in the middle of a long Z3 call."""
    if STOP.reason is not None:
        raise Stopped(STOP.reason)
    with EncodingGuard(watch, options.max_memory) as guard:
        def poll() -> None:  # between the encoding's pieces: stop, or show how long so far
            guard.poll()
            if options.progress is not None:
                options.progress("encoding the model", watch.elapsed())

        try:
            return encode(model, options, poll)
        except z3.Z3Exception:
            guard.poll()  # Z3 was interrupted because the run must stop
            raise


def _solve(model, enc: Encoding, chosen: list, options: ProveOptions, watch: Watch,
           jobs: int) -> ProofResult:
    """Run the engines' tasks in solver processes until the goals are decided or the run
    must stop."""
    tasks = plan(options.engine, chosen, options.depth, bool(getattr(model, "lemmas", ())))
    policy = Policy(options.engine, chosen, tasks)
    by_name = {g.name: g for g in chosen}

    def start(task):
        return Worker(task_target(enc, by_name, task), task_failure,
                      memory_mb=options.max_memory)

    supervisor = Supervisor(tasks, policy, start, jobs=jobs, watch=watch,
                            memory_mb=options.max_memory, progress=options.progress)
    policy.cancel = supervisor.cancel
    reason = supervisor.run()
    results = policy.results(reason, watch.elapsed(), _limits(options))
    symbolic = tuple(p.name for p in getattr(model, "params", ())) if enc.symbolic_params else ()
    return _result(model, options, watch, results, jobs, reason, seqspace=enc.arith.modulus,
                   symbolic=symbolic, answered=policy.answered(),
                   solver_seconds=sum(t.worker.cpu_seconds for t in tasks if t.worker))


def _result(model, options: ProveOptions, watch: Watch, results: list, jobs: int,
            reason: str | None, *, seqspace: int, symbolic: tuple = (), answered: tuple = (),
            solver_seconds: float = 0.0) -> ProofResult:
    return ProofResult(model.name, options.engine, tuple(results), watch.elapsed(),
                       solver_seconds, seqspace, options.time, symbolic, answered, reason, jobs,
                       options.timeout, options.max_memory)


def _limits(options: ProveOptions) -> dict:
    return {"timeout": options.timeout, "max_memory": options.max_memory}


def _not_encoded(goal, reason: str, seconds: float, options: ProveOptions) -> PropertyResult:
    """A goal of a run that stopped before the model was encoded."""
    return PropertyResult(goal.name, goal.kind, UNKNOWN, doc=goal.doc,
                          detail=f"{stop_words(reason, _limits(options))} after {seconds:.1f} s, "
                                 "while the model was being encoded")
