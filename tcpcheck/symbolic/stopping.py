"""Stopping the part of a proof that runs in this process: encoding the model.

Encoding runs Z3 calls in this process (building terms, and quantifier elimination, which
can take seconds in one call).  Python runs a signal handler only between two bytecodes,
so a signal that arrives during such a call waits for it to end.  While the model is
encoded, :class:`EncodingGuard` therefore keeps a thread that learns of a signal at once
(through ``signal.set_wakeup_fd``, which the C-level handler writes to), notices the
deadline and the memory limit, and interrupts Z3; the encoding calls :meth:`poll` between
its pieces, which raises :class:`Stopped` once the run must stop.
"""

from __future__ import annotations

import os
import select
import signal
import threading

import z3

from tcpcheck.limits import INTERRUPTED, MAX_MEMORY, STOP, TERMINATED, Watch
from tcpcheck.symbolic.processes import resident_mb

# A signal must never reach Z3's own SIGINT handler: it would cancel the call and swallow
# the signal, so the run would never learn of it.  The solver processes ignore SIGINT.
z3.set_param("ctrl_c", False)


class Stopped(Exception):
    """The run must stop (``reason``: a reason of tcpcheck.limits)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class EncodingGuard:
    """``with EncodingGuard(watch, memory_mb) as guard:`` encode, calling ``guard.poll()``
    often.  ``watch`` gives the deadline and stop requests."""

    TICK = 0.05  # seconds between two looks at the clock and the memory

    def __init__(self, watch: Watch, memory_mb: float | None = None):
        self.watch = watch
        self.memory_mb = memory_mb
        self.reason: str | None = None
        self._done = threading.Event()
        self._pipe = None
        self._previous_fd = None
        self._thread = None

    def __enter__(self) -> "EncodingGuard":
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)
        try:
            self._previous_fd = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        except ValueError:  # not the main thread: no signal can be handled here anyway
            self._previous_fd = None
        self._pipe = (read_end, write_end)
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
        if self._previous_fd is not None:
            signal.set_wakeup_fd(self._previous_fd)
        for fd in self._pipe:
            os.close(fd)

    def poll(self) -> None:
        """Raise Stopped when the run must stop."""
        reason = STOP.reason or self.reason
        if reason is not None:
            raise Stopped(reason)

    def _watch(self) -> None:
        read_end = self._pipe[0]
        while not self._done.is_set():
            ready, _, _ = select.select([read_end], [], [], self.TICK)
            if ready:  # a signal (its number): its Python handler will record it in STOP
                signums = os.read(read_end, 64)
                self.reason = self.reason or STOP.reason or (
                    TERMINATED if signal.SIGTERM in signums else INTERRUPTED)
            elif self.reason is None:
                self.reason = self.watch.reason() or self._memory()
            if self.reason is not None:
                _interrupt()  # again every tick: it ends only the call under way

    def _memory(self) -> str | None:
        if self.memory_mb is not None and resident_mb(os.getpid()) > self.memory_mb:
            return MAX_MEMORY
        return None


def _interrupt() -> None:
    try:
        z3.main_ctx().interrupt()
    except z3.Z3Exception:  # the interrupted call's error ("canceled") is the context's
        pass
