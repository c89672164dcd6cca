"""Running tcpcheck as a user does: in its own process, on a pseudo-terminal (progress lines
are drawn only on a terminal), with SIGINT's default disposition restored (a process started
in the background ignores SIGINT, which would hide a command that does not stop on it)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
PROGRESS = "\r  "  # how every progress line starts (tcpcheck/commands/_common.ProgressLine)


@dataclass(frozen=True)
class Run:
    code: int
    output: str  # stdout and stderr together, as the terminal showed them
    stop_seconds: float | None  # from the signal to the process's end (None: no signal)
    signalled: bool  # the signal was sent (the run was still going when its moment came)

    @property
    def progress_shown(self) -> bool:
        return PROGRESS in self.output


def _child_setup() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.setsid()  # its own session: the signal goes to it alone


def run_on_terminal(args, *, signum: int | None = None, after_progress: bool = True,
                    after: float = 0.0, timeout: float = 120.0, cwd: Path = ROOT) -> Run:
    """``tcpcheck ARGS`` on a pseudo-terminal; with ``signum``, that signal is sent once a
    progress line has appeared (``after_progress``) or ``after`` seconds have passed."""
    master, slave = os.openpty()
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    env.pop("TCPCHECK_TRACEBACK", None)
    proc = subprocess.Popen([sys.executable, "-m", "tcpcheck", *map(str, args)], stdin=slave,
                            stdout=slave, stderr=slave, cwd=cwd, env=env,
                            preexec_fn=_child_setup, close_fds=True)
    os.close(slave)
    chunks: list[bytes] = []
    started = time.monotonic()
    sent_at = None
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 0.02)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the terminal's other side is closed
                    data = b""
                if data:
                    chunks.append(data)
                elif proc.poll() is not None:
                    break
            elif proc.poll() is not None:
                break
            now = time.monotonic()
            if signum is not None and sent_at is None and proc.poll() is None:
                seen = b"".join(chunks).decode("utf-8", "replace")
                if (after_progress and PROGRESS in seen) or \
                        (not after_progress and now - started >= after):
                    proc.send_signal(signum)
                    sent_at = time.monotonic()
            if now - started > timeout:
                proc.kill()
                raise AssertionError(f"tcpcheck {' '.join(map(str, args))} ran past {timeout} s")
        code = proc.wait()
        ended = time.monotonic()
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    output = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return Run(code, output, None if sent_at is None else ended - sent_at, sent_at is not None)
