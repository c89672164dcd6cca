"""Which engine runs on which goal, and what the goals' verdicts are.

``--engine bmc``: one task, BMC on every goal in one solver.  ``--engine kind`` /
``--engine pdr``: one task per goal.  Each goal's result is then that engine's verdict.

``--engine portfolio`` (the default): per goal, three tasks race: BMC on that goal alone,
k-induction with the model's lemmas, and Spacer.  The first conclusive answer wins and the
goal's other tasks are stopped:

* proved (or unreachable): by k-induction or by Spacer (whose invariant is re-checked);
* violated (or reached): always with BMC's run, so the run shown is a shortest one and the
  same from one run to the next, whichever engine was faster.  When k-induction's base
  case finds the run first, the goal's other tasks stop and BMC, which is then at most a
  few queries behind, gives the run; only if the run is stopped before that is
  k-induction's run (as short) shown.  Spacer's refutation is never taken on its own: BMC
  must find the run, and k-induction may still prove the goal;
* otherwise the goal stays undecided, and its result says what each engine reached
  ("bmc: no violation in runs of up to 7 steps; kind: not 10-inductive ...; pdr: no
  answer"): ``bounded`` when some runs were checked, else ``unknown``; and always
  ``unknown`` when a signal or the memory limit stopped the run.
"""

from __future__ import annotations

import dataclasses

import z3

from tcpcheck.limits import INTERRUPTED, MAX_MEMORY, TERMINATED, TIMEOUT
from tcpcheck.result import PropertyResult, REACHED, UNREACHABLE, VIOLATED
from tcpcheck.symbolic import engines
from tcpcheck.symbolic.encoding import SymbolicUnsupported, unsupported_message
from tcpcheck.symbolic.engines import BOUNDED, PROVED, UNKNOWN
from tcpcheck.symbolic.solving import Done, Fact, Failed, Final, MemoryLimit, Refuted, Reporter
from tcpcheck.symbolic.supervisor import Task
from tcpcheck.symbolic.terms import Unsupported

PORTFOLIO = "portfolio"
ENGINE_NAMES = ("bmc", "kind", "pdr")
KIND_DEPTH = 10  # k-induction's largest k when no --depth is given
# k-induction's share of the cores against BMC's and Spacer's when the model has lemmas:
# they are written for it, and with them it proves in seconds what the others cannot
# (the three-way handshake: 1-induction in ~1 s; BMC needs 30 s for depth 8 alone)
KIND_WEIGHT_WITH_LEMMAS = 3.0


class SolverCrash(Exception):
    """A solver process failed with an exception: a bug in tcpcheck (the child's traceback
    is the message)."""


# ---- the tasks -----------------------------------------------------------------------

def plan(engine: str, goals: list, depth: int | None, lemmas: bool = False) -> list:
    """The tasks of a run, in the order they are first started; ``lemmas``: the model has
    some (k-induction then gets a larger share of the cores)."""
    names = [g.name for g in goals]
    if engine == "bmc":
        return [Task(0, "bmc", tuple(names), 10 if depth is None else depth)]
    if engine in ("kind", "pdr"):
        bound = 10 if depth is None else depth
        return [Task(i, engine, (n,), bound) for i, n in enumerate(names)]
    tasks = []
    for n in names:  # BMC and k-induction first: they decide most goals, and quickly
        tasks.append(Task(len(tasks), "bmc", (n,), depth))
        tasks.append(Task(len(tasks), "kind", (n,), KIND_DEPTH if depth is None else depth,
                          weight=KIND_WEIGHT_WITH_LEMMAS if lemmas else 1.0))
    for n in names:
        tasks.append(Task(len(tasks), "pdr", (n,), depth, find_run=False))
    return tasks


def task_target(enc, goals_by_name: dict, task: Task):
    """What the solver process of ``task`` runs: ``target(send)``."""

    def target(send) -> None:
        report = Reporter(send, task.engine)
        require_some_parameter_value(enc)
        chosen = [goals_by_name[n] for n in task.goals]
        try:
            if task.engine == "bmc":
                engines.bmc(enc, chosen, task.depth, report)
            elif task.engine == "kind":
                engines.kinduction(enc, chosen, task.depth, report)
            else:
                engines.pdr(enc, chosen, task.depth, report, find_run=task.find_run)
        except Unsupported as err:
            raise SymbolicUnsupported(unsupported_message(err)) from None
        send(Done(report.solver_seconds))

    return target


def require_some_parameter_value(enc) -> None:
    """Constraints that no value satisfies would make every property "proved": refuse."""
    solver = z3.Solver()
    solver.add(enc.parameter_constraints())
    if solver.check() == z3.unsat:
        names = ", ".join(p.name for p in enc.model.params)
        raise SymbolicUnsupported(f"no value of the params ({names}) satisfies their 'where' "
                                  "constraints together; every property would hold vacuously")


def task_failure(err: BaseException, text: str) -> Failed:
    """What a solver process reports when its task raised ``err``."""
    if isinstance(err, SymbolicUnsupported):
        return Failed("unsupported", str(err))
    if isinstance(err, (MemoryLimit, MemoryError)):
        return Failed("memory", str(err))
    return Failed("crash", text)


# ---- verdicts ------------------------------------------------------------------------

class _Record:
    """What is known about one goal."""

    def __init__(self, goal):
        self.goal = goal
        self.result: PropertyResult | None = None
        self.engine: str | None = None  # who answered
        self.facts: dict = {}  # engine -> its latest Fact
        self.finals: dict = {}  # engine -> its own inconclusive result
        self.failures: dict = {}  # engine -> why its process ended early
        self.kind_run: PropertyResult | None = None  # base case's run, until BMC's comes
        self.spacer_refuted = False


class Policy:
    """Decides the goals from what the tasks report (see the module's docstring)."""

    def __init__(self, engine: str, goals: list, tasks: list):
        self.engine = engine
        self.portfolio = engine == PORTFOLIO
        self.records = {g.name: _Record(g) for g in goals}
        self.tasks = tasks
        self.cancel = None  # set by the caller: cancel(task)

    def finished(self) -> bool:
        return all(r.result is not None for r in self.records.values())

    def progress(self) -> str:
        decided = sum(1 for r in self.records.values() if r.result is not None)
        return f"{decided}/{len(self.records)} decided" if len(self.records) > 1 else ""

    # -- messages ----------------------------------------------------------------------
    def handle(self, task: Task, message) -> None:
        if isinstance(message, Failed):
            if message.kind == "unsupported":
                raise SymbolicUnsupported(message.text)
            last = message.text.strip().splitlines()[-1] if message.text.strip() else "?"
            raise SolverCrash(f"in the {task.engine} solver process: {last}\n{message.text}")
        if isinstance(message, Fact):
            self.records[message.goal].facts[message.engine] = message
        elif isinstance(message, Refuted):
            self.records[message.goal].spacer_refuted = True
        elif isinstance(message, Final):
            self._final(task, message.result)

    def ended(self, task: Task) -> None:
        for name in task.goals:
            record = self.records[name]
            if task.failure is not None:
                record.failures[task.engine] = task.failure
            if task.engine == "bmc" and record.result is None and record.kind_run is not None:
                self._decide(record, record.kind_run, "kind")

    def _final(self, task: Task, result: PropertyResult) -> None:
        record = self.records[result.name]
        if record.result is not None:
            return
        if not self.portfolio:
            self._decide(record, result, task.engine)
        elif result.status in (PROVED, UNREACHABLE):
            if record.spacer_refuted:  # worth knowing: Spacer's claim was wrong
                result = dataclasses.replace(result, detail=f"{result.detail}; Spacer had "
                                             "reported a violation, which no run confirms")
            self._decide(record, result, task.engine)
        elif result.status in (VIOLATED, REACHED) and task.engine == "bmc":
            self._decide(record, result, task.engine)
        elif result.status in (VIOLATED, REACHED):  # k-induction's base case: BMC's run next
            record.kind_run = result
            self._cancel_goal(record, keep="bmc")
            if not self._running(record, "bmc"):
                self._decide(record, result, task.engine)
        else:
            record.finals[task.engine] = result

    def _decide(self, record: _Record, result: PropertyResult, engine: str) -> None:
        record.result, record.engine = result, engine
        self._cancel_goal(record)

    def _cancel_goal(self, record: _Record, keep: str | None = None) -> None:
        for task in self.tasks:
            if task.live and task.goals == (record.goal.name,) and task.engine != keep:
                self.cancel(task)

    def _running(self, record: _Record, engine: str) -> bool:
        return any(t.live and t.engine == engine and record.goal.name in t.goals
                   for t in self.tasks)

    # -- the results -------------------------------------------------------------------
    def results(self, stop_reason: str | None, seconds: float, limits: dict) -> list:
        """One result per goal, in the goals' order; ``limits``: the time and memory
        limits, for the words of a stop."""
        out = []
        for record in self.records.values():
            if record.result is None and record.kind_run is not None:
                record.result, record.engine = record.kind_run, "kind"
            if record.result is None:
                record.result = self._undecided(record, stop_reason, seconds, limits)
            out.append(record.result)
        return out

    def answered(self) -> tuple:
        """(goal, engine) for each goal an engine decided; engine None for the others."""
        return tuple((name, r.engine) for name, r in self.records.items())

    def _undecided(self, record: _Record, stop_reason, seconds: float, limits: dict):
        goal = record.goal
        engines_used = ENGINE_NAMES if self.portfolio else (self.engine,)
        parts = [f"{e}: {self._reached(record, e)}" for e in engines_used]
        stop = stop_words(stop_reason, limits)
        detail = (f"{stop} after {seconds:.1f} s; " if stop else "") + "; ".join(parts)
        depths = [f.depth for f in record.facts.values() if f.depth is not None]
        bounded = depths and stop_reason not in (INTERRUPTED, TERMINATED, MAX_MEMORY)
        trace = record.finals.get("kind").trace if "kind" in record.finals else None
        return PropertyResult(goal.name, goal.kind, BOUNDED if bounded else UNKNOWN, trace,
                              detail=detail, doc=goal.doc)

    def _reached(self, record: _Record, engine: str) -> str:
        """What ``engine`` established about the goal, in a few words."""
        if engine in record.finals:
            return record.finals[engine].detail or record.finals[engine].status
        if engine == "pdr" and record.spacer_refuted:
            return "reports a violation, for which no run was found"
        fact = record.facts.get(engine)
        failure = record.failures.get(engine)
        if failure is not None:
            return failure + (f" ({fact.text})" if fact else "")
        if fact is not None:
            return fact.text
        started = any(t.worker is not None and t.engine == engine
                      and record.goal.name in t.goals for t in self.tasks)
        return "no answer" if started else "not started"


def stop_words(reason: str | None, limits: dict) -> str | None:
    """The stop, as a result says it: "time limit (60 s)", "interrupted" ..."""
    if reason is None:
        return None
    if reason == TIMEOUT:
        return f"time limit ({limits.get('timeout', 0):g} s)"
    if reason == MAX_MEMORY:
        return f"memory limit ({limits.get('max_memory', 0):g} MB)"
    if reason == TERMINATED:
        return "terminated (SIGTERM)"
    return "interrupted"
