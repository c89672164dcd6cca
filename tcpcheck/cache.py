"""The user's cache directory: where tcpcheck keeps what it builds once and reuses (the
language's parser tables; the native engine keeps its compiled models in the same place).

``$TCPCHECK_CACHE``, else ``$XDG_CACHE_HOME/tcpcheck``, else ``~/.cache/tcpcheck``.  Every
entry is named by a hash of what it was built from, so a stale one is never read, and is
written whole or not at all (a temporary file renamed into place), so that processes
sharing the directory never read half an entry."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    if os.environ.get("TCPCHECK_CACHE"):
        return Path(os.environ["TCPCHECK_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "tcpcheck" if base else Path.home() / ".cache" / "tcpcheck"


def write_atomically(path: Path, write) -> None:
    """Create ``path``'s directory and the file, calling ``write(binary_file)``; a reader
    sees the whole file or none.  Raises OSError when the directory cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tcpcheck-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
