"""Solver work in child processes that the parent can stop, pause and measure at will.

Why processes and not threads: a Z3 call runs in C for as long as it likes, and Python can
neither deliver Ctrl-C into it nor end it; a process can always be ended (SIGKILL),
paused (SIGSTOP) and resumed (SIGCONT), and its memory read on its own.

A child is made by ``fork`` from the parent that has just encoded the model, so it starts
with the encoding and costs nothing to start.  The child

* ignores SIGINT: Ctrl-C reaches the whole process group, and it is the parent that
  decides what a stop means and reports it; SIGTERM keeps its default;
* dies with the parent: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux, and everywhere a
  watchdog thread that ends the child once its parent is gone;
* talks to the parent through one pipe, in frames (a 4-byte length, then a pickle).  The
  parent reads without blocking and keeps partial frames, so a child paused or killed in
  the middle of a message never blocks the parent.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import threading
import time
import traceback

_HEADER = struct.Struct("!I")
_PR_SET_PDEATHSIG = 1


def can_fork() -> bool:
    return hasattr(os, "fork")


class Worker:
    """One child process running ``target(send)``; ``send(message)`` reaches the parent's
    :meth:`read`.  Whatever ``target`` raises is sent as ``on_error(exception, text)``."""

    def __init__(self, target, on_error, *, memory_mb: float | None = None):
        read_end, write_end = os.pipe()
        parent = os.getpid()
        self.base_mb = resident_mb(parent)  # what the child shares with the parent at first
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_end)
            _child(target, on_error, write_end, parent, memory_mb)
        os.close(write_end)
        os.set_blocking(read_end, False)
        self.pid = pid
        self.fd = read_end
        self._buffer = bytearray()
        self.closed = False  # the pipe reached its end (the child exited or was killed)
        self.status: int | None = None  # the exit code once reaped (negative: a signal)
        self.cpu_seconds = 0.0  # the CPU time it used, once reaped
        self.paused = False

    def fileno(self) -> int:
        return self.fd

    def read(self) -> list:
        """Every whole message that has arrived (never blocks)."""
        while not self.closed:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            except InterruptedError:
                continue
            if not chunk:
                self.closed = True
                break
            self._buffer += chunk
        messages = []
        while len(self._buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buffer)
            if len(self._buffer) < _HEADER.size + size:
                break
            data = bytes(self._buffer[_HEADER.size:_HEADER.size + size])
            del self._buffer[:_HEADER.size + size]
            messages.append(pickle.loads(data))
        return messages

    def pause(self) -> None:
        self._signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        self._signal(signal.SIGCONT)
        self.paused = False

    def send_kill(self) -> None:
        """Ask the kernel to end the child (also when paused); :meth:`kill` reaps it."""
        self._signal(signal.SIGKILL)

    def kill(self) -> None:
        """End the child now (also when paused) and reap it."""
        if self.status is None:
            self._signal(signal.SIGKILL)
            self.reap(block=True)
        self._close()

    def reap(self, block: bool = False) -> bool:
        """Whether the child has exited (its exit code in ``status``)."""
        if self.status is not None:
            return True
        try:
            pid, status, usage = os.wait4(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere
            self.status = -signal.SIGKILL
            return True
        if pid == 0:
            return False
        self.status = os.waitstatus_to_exitcode(status)
        self.cpu_seconds = usage.ru_utime + usage.ru_stime
        return True

    def memory_mb(self) -> float:
        """What the child uses beyond what it shares with the parent (resident MB)."""
        return max(0.0, resident_mb(self.pid) - self.base_mb)

    def _signal(self, signum: int) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def _close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
            self.closed = True


def resident_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (0 when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except (OSError, ValueError, IndexError):
        if pid == os.getpid():
            import resource

            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        return 0.0


def _child(target, on_error, fd: int, parent: int, memory_mb: float | None) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            signal.set_wakeup_fd(-1)  # the parent's wake-up pipe is the parent's
        except ValueError:
            pass
        _die_with_parent(parent)
        if memory_mb is not None:
            import z3

            z3.set_param("memory_max_size", max(1, int(memory_mb)))
        send = _Sender(fd)
        try:
            target(send)
        except BaseException as err:  # noqa: BLE001 - reported to the parent, which decides
            code = 1
            send(on_error(err, traceback.format_exc()))
    except BaseException:  # noqa: BLE001 - nothing can be reported: the pipe is gone
        code = 2
    finally:
        os._exit(code)  # no cleanup of the parent's state (buffers, atexit) in the child


class _Sender:
    def __init__(self, fd: int):
        self.fd = fd

    def __call__(self, message) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(_HEADER.pack(len(data)) + data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the request was in place
        os._exit(3)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(3)
