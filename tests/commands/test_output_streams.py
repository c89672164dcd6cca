"""Standard output that is closed, full, gone (a reader such as `head` that stopped reading)
or unable to encode the text: no traceback from any command.  A closed or broken output
ends the output quietly with the verdict's exit code; a full one says so on stderr, exit 2;
characters the encoding cannot show are escaped."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys

import pytest

from pty_support import ROOT
from tcpcheck.cli import main
from engine_note import without_fallback_note

TWO = "models/two_way_handshake.tcp"
THREE = "models/three_way_handshake.tcp"

# Every command, each with a quick input, and its exit code when all goes well.
COMMANDS = {
    "parse": (["parse", TWO], 0),
    "check": (["check", TWO], 1),
    "prove": (["prove", TWO, "--engine", "bmc", "--depth", "3"], 1),
    "explain": (["explain", TWO, "-p", "no_stale_accept"], 1),
    "compare": (["compare", TWO, "models/variants/two_way_handshake.tcp"], 1),
    "diff": (["diff", TWO, THREE, "-p", "no_stale_accept"], 1),
    "scan": (["scan", TWO], 0),
    "diagram": (["diagram", TWO], 0),
    "report": (["report", TWO, "-o", "{tmp}/r.html"], 1),
    "trace": (["trace", "{tmp}/run.json"], 0),
}


class Broken(io.TextIOBase):
    """A stream whose every write fails as an OS would."""

    def __init__(self, code: int):
        self.code = code

    def write(self, text):
        raise OSError(self.code, os.strerror(self.code))

    def flush(self):
        raise OSError(self.code, os.strerror(self.code))


@pytest.fixture
def saved_run(tmp_path):
    out = io.StringIO()
    main(["check", TWO, "--json"], stdout=out, stderr=io.StringIO())
    (tmp_path / "run.json").write_text(out.getvalue())
    return tmp_path


def argv(name, tmp_path):
    args, code = COMMANDS[name]
    return [a.replace("{tmp}", str(tmp_path)) for a in args], code


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_reader_that_went_away_ends_the_output_quietly(name, saved_run):
    args, expected = argv(name, saved_run)
    err = io.StringIO()
    assert main(args, stdout=Broken(errno.EPIPE), stderr=err) == expected
    assert err.getvalue().count("Traceback") == 0 and "internal error" not in err.getvalue()
    assert "cannot write" not in err.getvalue()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_full_output_is_reported_once(name, saved_run):
    args, _ = argv(name, saved_run)
    err = io.StringIO()
    assert main(args, stdout=Broken(errno.ENOSPC), stderr=err) == 2
    assert err.getvalue().count("cannot write the output: No space left on device") == 1


def run_process(args, **popen):
    return subprocess.run([sys.executable, "-m", "tcpcheck", *args], cwd=ROOT, text=True,
                          stderr=subprocess.PIPE, timeout=60, **popen)


def test_closed_standard_output():
    done = run_process(["check", TWO], stdout=None, preexec_fn=lambda: os.close(1))
    assert done.returncode == 1 and without_fallback_note(done.stderr) == ""


def test_full_standard_output():
    with open("/dev/full", "w") as full:
        done = run_process(["parse", TWO], stdout=full)
    assert done.returncode == 2
    assert done.stderr == "tcpcheck: cannot write the output: No space left on device\n"


def test_a_pipe_closed_by_its_reader():
    proc = subprocess.Popen([sys.executable, "-m", "tcpcheck", "check", TWO, "--full"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)  # like `| head -c 10`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 1 and "Traceback" not in err and "Exception" not in err


def test_an_encoding_that_cannot_show_chinese_escapes_it():
    done = run_process(["explain", TWO, "-p", "no_stale_accept", "--lang", "zh"],
                       stdout=subprocess.PIPE, env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "\\u5ba2\\u6237\\u7aef" in done.stdout  # 客户端, escaped
