"""Reading a model's source text from a file, within limits.

A model file, and every base an ``extends`` names, is read here and nowhere else.  Only a
regular file is read: a FIFO would block for ever waiting for a writer, a device such as
``/dev/zero`` never ends, a directory is not text.  The file is opened without blocking and
checked with ``fstat`` on the open descriptor (so what is checked is what is read), and at
most :data:`MAX_MODEL_BYTES` are read: a model is a few kilobytes; anything near the limit
is a mistake, and reading and parsing it whole would only delay the message.
"""

from __future__ import annotations

import os
import stat

# The largest shipped model is 38 KB.  Parsing takes about 10 s of CPU per MiB (Lark's LALR
# parser in Python), so 1 MiB keeps any file accepted here within seconds of parsing.
MAX_MODEL_BYTES = 1024 * 1024  # 1 MiB


class SourceError(Exception):
    """A model file that cannot be read; ``str()`` says why in words, without the path
    (the caller names the file the way its message needs)."""


def read_source(path: str | os.PathLike) -> str:
    """The text of the model file ``path`` (UTF-8).  Raises FileNotFoundError when there
    is no such file, SourceError when it is not a regular file, is larger than
    :data:`MAX_MODEL_BYTES`, is not UTF-8 text or cannot be read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise SourceError("it is a directory, not a model file") from None
    except OSError as err:
        raise SourceError(err.strerror or str(err)) from None
    try:
        kind = _kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise SourceError(f"it is {kind}, not a regular file; a model is read only "
                              "from a regular file")
        data = _read_at_most(fd, MAX_MODEL_BYTES + 1)
    except OSError as err:
        raise SourceError(err.strerror or str(err)) from None
    finally:
        os.close(fd)
    if len(data) > MAX_MODEL_BYTES:
        raise SourceError(f"it is larger than {MAX_MODEL_BYTES // (1024 * 1024)} MiB, the "
                          "limit on a model file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise SourceError(f"it is not UTF-8 text (byte 0x{data[err.start]:02x} on line "
                          f"{line})") from None


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(fd, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
