"""Compile the generated C into a shared object, cached by the source and the compiler.

The cache lives in ``$TCPCHECK_CACHE``, else ``$XDG_CACHE_HOME/tcpcheck``, else
``~/.cache/tcpcheck``; an object is named by the sha256 of the source, the compiler's
identity and the flags, and written under a temporary name then renamed, so that two runs
compiling the same model at once never see half a file.  ``$CC`` picks the compiler (cc by
default) and ``$TCPCHECK_CFLAGS`` its optimisation flags (``-O2`` by default: ``-O3
-march=native`` for a long run, ``-O0`` to compile many small models quickly, as the
differential tests do).  Every failure is a :class:`BuildFailed` with a one-line reason,
which the caller turns into a fallback to the Python engine, never a traceback.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

OPTIMISATION = ("-O2",)  # unless $TCPCHECK_CFLAGS says otherwise
FLAGS = ("-std=gnu11", "-shared", "-fPIC", "-pthread", "-w")  # -pthread: --workers
COMPILE_TIMEOUT = 300  # seconds: a huge model's source may take a while, never forever


class BuildFailed(Exception):
    """The native engine cannot be built here; ``str()`` is a one-line reason."""


@dataclass(frozen=True)
class Built:
    path: Path
    cached: bool  # True when no compilation was needed
    seconds: float  # time spent compiling (0 when cached)


def cache_dir() -> Path:
    if os.environ.get("TCPCHECK_CACHE"):
        return Path(os.environ["TCPCHECK_CACHE"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "tcpcheck"
    return Path.home() / ".cache" / "tcpcheck"


def compiler() -> list:
    """The compiler command ($CC, split as a shell would), or BuildFailed."""
    words = shlex.split(os.environ.get("CC") or "cc")
    if not words:
        raise BuildFailed("$CC is empty")
    if shutil.which(words[0]) is None:
        raise BuildFailed(f"no C compiler found ('{words[0]}'; set $CC)")
    return words


@functools.lru_cache(maxsize=8)
def _identity(command: tuple) -> str:
    """What distinguishes one compiler from another: its --version text."""
    try:
        done = subprocess.run([*command, "--version"], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as err:
        raise BuildFailed(f"the C compiler '{command[0]}' cannot run: {err}") from None
    if done.returncode != 0:
        raise BuildFailed(f"the C compiler '{' '.join(command)}' does not work "
                          f"(--version exited with {done.returncode})")
    return done.stdout


def working_compiler() -> tuple:
    """(command, identity) of a compiler that answers --version, or BuildFailed."""
    command = compiler()
    return command, _identity(tuple(command))


def flags() -> tuple:
    """The compiler's flags: the optimisation ($TCPCHECK_CFLAGS, split as a shell would)
    and what a loadable object needs."""
    chosen = os.environ.get("TCPCHECK_CFLAGS")
    return (*(shlex.split(chosen) if chosen else OPTIMISATION), *FLAGS)


def build(source: str) -> Built:
    command, ident = working_compiler()
    try:
        options = flags()
    except ValueError as err:  # an unbalanced quote
        raise BuildFailed(f"cannot read $TCPCHECK_CFLAGS: {err}") from None
    key = hashlib.sha256("\0".join([source, " ".join(command), ident, *options]).encode())
    directory = cache_dir()
    target = directory / f"tcpcheck-{key.hexdigest()[:32]}.so"
    if target.exists():
        return Built(target, True, 0.0)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BuildFailed(f"cannot create the cache directory {directory}: {err.strerror}") from None
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tcpcheck-build-") as work:
        c_file = Path(work) / "model.c"
        c_file.write_text(source)
        out = Path(work) / "model.so"
        try:
            done = subprocess.run([*command, *options, "-o", str(out), str(c_file)],
                                  capture_output=True, text=True, timeout=COMPILE_TIMEOUT,
                                  check=False)
        except subprocess.TimeoutExpired:
            raise BuildFailed(f"the C compiler took more than {COMPILE_TIMEOUT} s") from None
        except OSError as err:
            raise BuildFailed(f"the C compiler cannot run: {err.strerror}") from None
        if done.returncode != 0 or not out.exists():
            first = next((l for l in done.stderr.splitlines() if "error" in l),
                         done.stderr.strip().splitlines()[0] if done.stderr.strip() else "")
            raise BuildFailed(f"the C compiler failed (exit {done.returncode}): {first[:200]}")
        fd, temp = tempfile.mkstemp(dir=directory, prefix=".tcpcheck-", suffix=".so")
        os.close(fd)
        try:
            shutil.copyfile(out, temp)
            os.replace(temp, target)  # atomic: a reader sees the whole object or none
        except OSError as err:
            Path(temp).unlink(missing_ok=True)
            raise BuildFailed(f"cannot write to the cache {directory}: {err.strerror}") from None
    return Built(target, False, time.monotonic() - started)
