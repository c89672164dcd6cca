"""The parent's side of a proof: solver tasks in processes, at most ``jobs`` at a time.

A :class:`Task` is one engine on some goals.  The :class:`Supervisor` starts each as a
process (tcpcheck.symbolic.processes), passes what the processes report to a *policy*
(single engine or portfolio: tcpcheck.symbolic.portfolio), which decides the goals and may
cancel tasks whose answer is no longer needed, and stops everything when the run must stop.

Cores: never more than ``jobs`` tasks run at once.  When there are more tasks, they share
the cores by *least attained service*: every half second the tasks that have run least so
far (in proportion to their ``weight``) get the cores, the others are paused (SIGSTOP) and
later resumed (SIGCONT) where they were, so no work is lost and no core is
oversubscribed.  A task that decides quickly (a shallow counterexample, a 1-inductive
property) is therefore never stuck behind a long one.

Stopping: the supervisor waits for messages in slices of 50 ms and between two looks asks
the :class:`tcpcheck.limits.Watch` (signals, the deadline) and the memory used by itself and
its processes together; when it must stop it kills every process (SIGKILL, also when
paused) and returns the reason.  It must run inside ``tcpcheck.limits.polled()`` so that
a signal only records the request.
"""

from __future__ import annotations

import os
import select
import time

from tcpcheck.limits import MAX_MEMORY, Watch
from tcpcheck.symbolic.processes import Worker, resident_mb
from tcpcheck.symbolic.solving import Done, Failed, Phase

WAITING, RUNNING, PAUSED, ENDED, CANCELED = "waiting", "running", "paused", "ended", "canceled"


class Task:
    """One engine on ``goals`` (names).  ``depth``: the engine's bound (None: none)."""

    def __init__(self, number: int, engine: str, goals: tuple, depth: int | None, *,
                 find_run: bool = True, weight: float = 1.0):
        self.number = number
        self.weight = weight  # its share of the cores against the others' (see Supervisor)
        self.engine = engine
        self.goals = goals
        self.depth = depth
        self.find_run = find_run
        self.state = WAITING
        self.worker: Worker | None = None
        self.phase = ""
        self.ran = 0.0  # seconds it has been running
        self.resumed_at = 0.0  # when it last got a core
        self.counted_at = 0.0  # when ``ran`` was last brought up to date
        self.done = False  # it reported Done: it ended normally
        self.solver_seconds = 0.0
        self.failure: str | None = None  # why it ended without Done

    @property
    def live(self) -> bool:
        return self.state in (WAITING, RUNNING, PAUSED)


class Supervisor:
    """Runs ``tasks`` for ``policy``; ``start(task)`` returns the Worker of a new process."""

    TICK = 0.05  # seconds: the longest a signal or the deadline waits to be seen
    QUANTUM = 0.5  # seconds a task runs before it may be paused for one that ran less
    MEMORY_EVERY = 0.1

    def __init__(self, tasks: list, policy, start, *, jobs: int, watch: Watch,
                 memory_mb: float | None = None, progress=None):
        self.tasks = tasks
        self.policy = policy
        self.start = start
        self.jobs = max(1, jobs)
        self.watch = watch
        self.memory_mb = memory_mb
        self.progress = progress
        self.memory_exhausted = False
        self._next_memory = 0.0

    # -- the loop ----------------------------------------------------------------------
    def run(self) -> str | None:
        """Run until the policy has what it needs or every task ended (None), or until the
        run must stop (the reason).  Every process is gone when this returns or raises."""
        try:
            while not self.policy.finished() and any(t.live for t in self.tasks):
                reason = self._stop_reason()
                if reason is not None:
                    return reason
                self._schedule(time.monotonic())
                self._wait()
                self._collect()
                if self.progress is not None:
                    self.progress(self.summary(), self.watch.elapsed())
            return None
        finally:
            live = [t for t in self.tasks if t.live and t.worker is not None]
            for task in live:  # every SIGKILL first: the processes end in parallel
                task.worker.send_kill()
            for task in self.tasks:
                if task.live:
                    self.cancel(task)

    def cancel(self, task: Task) -> None:
        """End ``task`` now: its answer is no longer needed, or the run stops."""
        if task.worker is not None:
            self._account(task, time.monotonic())
            task.worker.kill()
        task.state = CANCELED if task.state != ENDED else ENDED

    # -- scheduling --------------------------------------------------------------------
    def _schedule(self, now: float) -> None:
        live = [t for t in self.tasks if t.live]
        for t in live:
            self._account(t, now)
        # a task that was resumed less than a quantum ago keeps its core
        keep = [t for t in live if t.state == RUNNING and now - t.resumed_at < self.QUANTUM]
        others = sorted((t for t in live if t not in keep),
                        key=lambda t: (t.ran / t.weight, t.number))
        chosen = others[:max(0, self.jobs - len(keep))]
        for t in others:
            if t not in chosen and t.state in (RUNNING, PAUSED):
                t.worker.pause()  # again for a paused one: a shell's `fg` resumes them all
                t.state = PAUSED
        for t in chosen:
            if t.state == WAITING and not self._started(t):
                continue
            if t.state == PAUSED:
                t.worker.resume()
            if t.state != RUNNING:
                t.state, t.resumed_at, t.counted_at = RUNNING, now, now

    def _started(self, task: Task) -> bool:
        """Start ``task``'s process; a system that refuses one more process (too many,
        no memory) ends the task with that reason, as an engine that could not run."""
        try:
            task.worker = self.start(task)
        except OSError as err:
            task.state = ENDED
            task.failure = f"its process could not be started ({err.strerror or err})"
            self.policy.ended(task)
            return False
        return True

    def _account(self, task: Task, now: float) -> None:
        if task.state == RUNNING:
            task.ran += now - task.counted_at
            task.counted_at = now

    # -- messages ----------------------------------------------------------------------
    def _wait(self) -> None:
        workers = [t.worker for t in self.tasks if t.live and t.worker is not None
                   and not t.worker.closed]
        if workers:
            select.select(workers, [], [], self.TICK)
        else:
            time.sleep(self.TICK)

    def _collect(self) -> None:
        for task in self.tasks:
            if not task.live or task.worker is None:
                continue
            for message in task.worker.read():
                self._handle(task, message)
                if not task.live:  # canceled by the policy on this message
                    break
            if task.live and task.worker.closed:
                self._ended(task)

    def _handle(self, task: Task, message) -> None:
        if isinstance(message, Phase):
            task.phase = message.text
            return
        if isinstance(message, Done):
            task.done, task.solver_seconds = True, message.solver_seconds
            return
        if isinstance(message, Failed) and message.kind == "memory":
            self.memory_exhausted = True
            task.failure = "memory limit"
            return
        self.policy.handle(task, message)

    def _ended(self, task: Task) -> None:
        task.worker.reap(block=True)
        self._account(task, time.monotonic())
        task.state = ENDED
        if not task.done and task.failure is None:
            status = task.worker.status
            task.failure = (f"its process ended unexpectedly (signal {-status})" if status < 0
                            else f"its process ended unexpectedly (exit code {status})")
        task.worker.kill()  # closes the pipe
        self.policy.ended(task)

    # -- limits ------------------------------------------------------------------------
    def _stop_reason(self) -> str | None:
        reason = self.watch.reason()
        if reason is not None:
            return reason
        if self.memory_exhausted:
            return MAX_MEMORY
        now = time.monotonic()
        if self.memory_mb is not None and now >= self._next_memory:
            self._next_memory = now + self.MEMORY_EVERY
            if self.memory_used() > self.memory_mb:
                return MAX_MEMORY
        return None

    def memory_used(self) -> float:
        """MB resident in this process and its solver processes together (what a process
        shares with this one at its start is counted once)."""
        children = sum(t.worker.memory_mb() for t in self.tasks
                       if t.live and t.worker is not None)
        return resident_mb(os.getpid()) + children

    # -- progress ----------------------------------------------------------------------
    def summary(self) -> str:
        """What runs now, for the progress line, by property: ``2/4 decided | domains: kind
        base case depth 3, pdr Spacer | no_stale_accept: bmc depth 5 | 6 waiting``."""
        every = {g for t in self.tasks for g in t.goals}
        groups: dict = {}
        for t in self.tasks:
            if t.state == RUNNING:
                key = "" if len(every) > 1 and set(t.goals) == every else ", ".join(t.goals)
                groups.setdefault(key, []).append(f"{t.engine} {t.phase or 'starting'}")
        parts = [(f"{key}: " if key else "") + ", ".join(what) for key, what in groups.items()]
        waiting = sum(1 for t in self.tasks if t.state in (WAITING, PAUSED))
        head = self.policy.progress()
        tail = [f"{waiting} waiting"] if waiting else []
        return " | ".join(([head] if head else []) + parts + tail)
