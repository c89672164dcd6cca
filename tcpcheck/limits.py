"""When a run must stop: its limits (time, memory) and stop requests (SIGINT, SIGTERM).

Every search loop and solver wait asks one :class:`Watch` whether to stop, often (at every
expanded state, and every few thousand outcomes inside one expansion), so no limit is
overrun by more than one bounded step.  A stop is never an error: the loop ends, the
caller reports what it established, and every undecided property stays NOT VERIFIED.

Signals.  ``tcpcheck.cli`` installs :func:`signal_handlers` for SIGINT (Ctrl-C) and
SIGTERM.  A signal always records a stop request in :data:`STOP`.  Inside
:func:`polled` (a loop that asks ``STOP`` at least every tenth of a second) that is all it
does: the loop sees it and ends cleanly, with consistent records.  Elsewhere (loading a
model, rendering) it raises :class:`Interrupted`, a ``KeyboardInterrupt``, at once; a
second signal while the first is still being honoured raises :class:`ForcedStop`, which
no search catches, so a user who presses Ctrl-C twice gets out immediately.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass

# stop reasons, as results record them (tcpcheck.result.CheckResult.stop_reason)
INTERRUPTED, TERMINATED, TIMEOUT, MAX_MEMORY = "interrupted", "terminated", "timeout", "max-memory"
SIGNAL_REASONS = (INTERRUPTED, TERMINATED)


class Interrupted(KeyboardInterrupt):
    """A stop request that arrived where no loop polls for it (start-up, rendering)."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum


class ForcedStop(BaseException):
    """A second stop request: leave now, without a partial result."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum


class _StopRequest:
    """The process's one stop request; ``reason`` is None until a signal arrives."""

    def __init__(self):
        self.reason: str | None = None
        self.signum: int | None = None
        self.polling = 0  # > 0 while a loop polls ``reason`` (inside ``polled``)

    def request(self, signum: int) -> None:
        """What the signal handler does: record the request; raise where nobody polls."""
        if self.reason is not None:
            raise ForcedStop(signum)
        self.signum = signum
        self.reason = TERMINATED if signum == signal.SIGTERM else INTERRUPTED
        if not self.polling:
            raise Interrupted(signum)

    def reset(self) -> None:
        self.reason = self.signum = None
        self.polling = 0


STOP = _StopRequest()


@contextlib.contextmanager
def polled():
    """Within this block the caller polls ``STOP.reason`` often, so a signal only records
    the request instead of raising in the middle of an update."""
    STOP.polling += 1
    try:
        yield STOP
    finally:
        STOP.polling -= 1


def _handler(signum, frame) -> None:  # noqa: ARG001 - the signal module's signature
    STOP.request(signum)


@contextlib.contextmanager
def signal_handlers():
    """SIGINT and SIGTERM record a stop request while the block runs (the previous handlers
    come back afterwards).  A signal the process was started ignoring stays ignored: a
    shell starts background jobs with SIGINT ignored, and they must stay immune to it."""
    STOP.reset()
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            current = signal.getsignal(signum)
            if current != signal.SIG_IGN:
                previous[signum] = signal.signal(signum, _handler)
        except ValueError:  # not the main thread: signals cannot be handled here
            pass
    try:
        yield STOP
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def exit_code_for_signal(signum: int | None) -> int:
    """The shell's convention for a process stopped by a signal: 128 + its number."""
    return 128 + (signum or signal.SIGINT)


def resident_mb() -> float:
    """This process's resident memory now, in MB (the peak where /proc is not there)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@dataclass(frozen=True)
class Limits:
    """What bounds a run besides its state limit: seconds and resident megabytes (None:
    none)."""

    timeout: float | None = None
    max_memory_mb: float | None = None


class Watch:
    """A running limit: ``reason()`` is None while the run may go on, else why it must stop
    (a signal, the time limit, the memory limit).  Cheap enough to call for every state:
    the clock is read each time, the memory at most ten times a second."""

    MEMORY_EVERY = 0.1  # seconds between two readings of the resident memory

    def __init__(self, timeout: float | None = None, max_memory_mb: float | None = None,
                 started: float | None = None):
        self.started = time.monotonic() if started is None else started
        self.deadline = None if timeout is None else self.started + timeout
        self.max_memory_mb = max_memory_mb
        self._next_memory = 0.0

    @classmethod
    def of(cls, limits: Limits | None, started: float | None = None) -> "Watch":
        limits = limits or Limits()
        return cls(limits.timeout, limits.max_memory_mb, started)

    def reason(self) -> str | None:
        if STOP.reason is not None:
            return STOP.reason
        if self.deadline is None and self.max_memory_mb is None:
            return None
        now = time.monotonic()
        if self.deadline is not None and now >= self.deadline:
            return TIMEOUT
        if self.max_memory_mb is not None and now >= self._next_memory:
            self._next_memory = now + self.MEMORY_EVERY
            if resident_mb() > self.max_memory_mb:
                return MAX_MEMORY
        return None

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - time.monotonic())


class LimitReached(Exception):
    """Raised from inside one expansion (a long ``choose``) when the watch says stop; the
    search loop catches it and ends with ``reason``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
