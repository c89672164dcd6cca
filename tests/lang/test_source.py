"""Model input limits (issue 15): a model file, and every base an ``extends`` names, is read
only from a regular file of at most MAX_MODEL_BYTES; anything else is a clear error (exit
code 2), never an endless read or a block on a FIFO."""

from __future__ import annotations

import io
import os
import threading

import pytest

from tcpcheck.cli import main
from tcpcheck.diagnostics import ModelError, UsageError
from tcpcheck.lang.source import MAX_MODEL_BYTES, SourceError, read_source
from tcpcheck.loader import load_file

GOOD = """model tiny
endpoint client { states A initial A terminal A }
endpoint server { states B initial B terminal B }
property p: always client.state == A
"""

posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev/zero")


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, out.getvalue(), err.getvalue()


def test_a_regular_file_is_read(tmp_path):
    path = tmp_path / "m.tcp"
    path.write_text(GOOD, encoding="utf-8")
    assert read_source(path) == GOOD
    assert load_file(path).name == "tiny"


def test_a_missing_file_is_still_said_so(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_source(tmp_path / "absent.tcp")
    code, _, err = run("parse", str(tmp_path / "absent.tcp"))
    assert code == 2 and "no such model file" in err


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(SourceError, match="directory"):
        read_source(tmp_path)
    code, out, err = run("parse", str(tmp_path))
    assert (code, out) == (2, "") and "directory" in err


@posix
def test_a_device_is_refused_without_reading_it():
    # /dev/zero never ends: reading it whole would never finish
    with pytest.raises(SourceError, match="device"):
        read_source("/dev/zero")
    code, _, err = run("parse", "/dev/zero")
    assert code == 2 and "not a regular file" in err


@posix
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.tcp"
    os.mkfifo(fifo)
    result = {}
    reader = threading.Thread(target=lambda: result.update(zip(("code", "out", "err"),
                                                                run("parse", str(fifo)))))
    reader.start()
    reader.join(10)
    if reader.is_alive():  # unblock the reader before failing, so the run ends
        with open(fifo, "w"):
            pass
        reader.join()
        pytest.fail("reading a FIFO blocked")
    assert result["code"] == 2 and "FIFO" in result["err"]


@posix
def test_a_fifo_base_is_an_error_at_the_extends(tmp_path):
    os.mkfifo(tmp_path / "base.tcp")
    variant = tmp_path / "v.tcp"
    variant.write_text('model v extends "base.tcp"\n', encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load_file(variant)
    (d,) = info.value.errors
    assert d.code == "extends" and "FIFO" in d.message
    assert (d.span.file, d.span.line, d.span.column) == (str(variant), 1, 17)


def test_a_file_over_the_size_limit_is_refused_and_the_limit_named(tmp_path):
    path = tmp_path / "huge.tcp"
    path.write_bytes(b"model m\n" + b"#" * MAX_MODEL_BYTES)
    limit = f"{MAX_MODEL_BYTES // (1024 * 1024)} MiB"
    with pytest.raises(SourceError, match=limit):
        read_source(path)
    code, _, err = run("check", str(path))
    assert code == 2 and limit in err
    with pytest.raises(UsageError, match=limit):
        load_file(path)


def test_a_file_at_the_size_limit_is_read(tmp_path):
    path = tmp_path / "full.tcp"
    text = GOOD + "#" * (MAX_MODEL_BYTES - len(GOOD) - 1) + "\n"
    path.write_text(text, encoding="utf-8")
    assert len(read_source(path)) == MAX_MODEL_BYTES


def test_text_that_is_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin.tcp"
    path.write_bytes(b"model m\n# caf\xe9\n")
    with pytest.raises(SourceError, match="line 2"):
        read_source(path)
    code, _, err = run("parse", str(path))
    assert code == 2 and "not UTF-8" in err
