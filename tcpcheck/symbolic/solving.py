"""Running Z3 under the run's limits: a deadline, Ctrl-C and a progress line.

``Solver.check`` blocks inside C, where Python cannot deliver KeyboardInterrupt; so each
check runs in a worker thread while the caller's thread waits in short slices, reports
progress, and on Ctrl-C or at the deadline interrupts the solver, which then answers
``unknown``.  Nothing is lost: the engine reports what it established before.
"""

from __future__ import annotations

import threading
import time

import z3


class Interrupted(Exception):
    """Ctrl-C during a solver call."""


class Budget:
    """The time limit of a whole run (None: none) and the progress callback."""

    def __init__(self, timeout: float | None, progress=None):
        self.started = time.monotonic()
        self.deadline = None if timeout is None else self.started + timeout
        self.progress = progress
        self.phase = ""
        self.solver_seconds = 0.0

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def check(self, solver, *assumptions):
        """``solver.check()`` within the budget: sat, unsat or unknown (never hangs past the
        deadline); raises Interrupted on Ctrl-C."""
        if self.expired():
            return z3.unknown
        outcome: list = []
        worker = threading.Thread(target=lambda: outcome.append(_safe_check(solver, assumptions)),
                                  daemon=True)
        began = time.monotonic()
        worker.start()
        try:
            while worker.is_alive():
                worker.join(0.25)
                if self.progress is not None:
                    self.progress(self.phase, self.elapsed())
                if self.expired() and worker.is_alive():
                    solver.interrupt() if hasattr(solver, "interrupt") else z3.main_ctx().interrupt()
                    worker.join()
        except KeyboardInterrupt:
            z3.main_ctx().interrupt()
            worker.join()
            raise Interrupted() from None
        finally:
            self.solver_seconds += time.monotonic() - began
        result = outcome[0] if outcome else z3.unknown
        if isinstance(result, Exception):
            raise result
        if result == z3.unknown and not self.expired() and _canceled(solver):
            raise Interrupted()  # Z3 took the Ctrl-C itself (it watches SIGINT while solving)
        return result


def _canceled(solver) -> bool:
    try:
        return "cancel" in solver.reason_unknown().lower()
    except z3.Z3Exception:
        return False


def _safe_check(solver, assumptions):
    try:
        return solver.check(*assumptions)
    except z3.Z3Exception as err:  # "canceled" after an interrupt is an unknown answer
        if "cancel" in str(err).lower():
            return z3.unknown
        return err
