"""The command line on bad input: exit code 2, ``file:line:col`` with the source line and a
caret on stderr, nothing on stdout, and never a Python traceback."""

from __future__ import annotations

import io

import pytest

from tcpcheck.cli import main

GOOD = """model tiny
endpoint client {
  states CLOSED, OPEN
  initial CLOSED
  terminal OPEN
  transition go: CLOSED -> OPEN on open
}
endpoint server {
  states LISTEN
  initial LISTEN
  terminal LISTEN
}
property opens: reachable client.state == OPEN
property stays: always server.state == LISTEN
"""


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, out.getvalue(), err.getvalue()


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def caret_under(err: str, source_line: str) -> str:
    """The text the first caret of the rendered diagnostic stands under."""
    lines = err.splitlines()
    quoted = next(i for i, l in enumerate(lines) if l.endswith("| " + source_line))
    gutter = lines[quoted].index("| ") + 2
    caret = lines[quoted + 1]
    return lines[quoted][caret.index("^"):].split()[0] if caret.index("^") >= gutter else ""


def test_a_good_model_parses_and_checks(tmp_path):
    path = write(tmp_path, "good.tcp", GOOD)
    assert run("parse", path)[0] == 0
    code, out, _ = run("check", path)
    assert code == 0
    assert "opens" in out and "stays" in out


@pytest.mark.parametrize("command", ["check", "parse"])
def test_syntax_error(tmp_path, command):
    path = write(tmp_path, "syntax.tcp", GOOD.replace("initial CLOSED", "inital CLOSED"))
    code, out, err = run(command, path)
    assert code == 2
    assert out == ""
    assert f"{path}:4:3: error: expected " in err
    assert "|   inital CLOSED" in err
    assert caret_under(err, "  inital CLOSED") == "inital"
    assert err.rstrip().splitlines()[-1].startswith("1 syntax error in the model")


@pytest.mark.parametrize("command", ["check", "parse"])
def test_semantic_error(tmp_path, command):
    path = write(tmp_path, "semantic.tcp", GOOD.replace("-> OPEN on open", "-> OPNE on open"))
    code, out, err = run(command, path)
    assert code == 2
    assert out == ""
    assert f"{path}:6:28: error: unknown state 'OPNE' (did you mean 'OPEN'?)" in err
    assert caret_under(err, "  transition go: CLOSED -> OPNE on open") == "OPNE"


def test_several_semantic_errors_are_all_printed(tmp_path):
    text = GOOD.replace("-> OPEN on open", "-> OPNE on open").replace(
        "initial LISTEN", "initial LISTN")
    path = write(tmp_path, "many.tcp", text)
    code, _, err = run("check", path)
    assert code == 2
    first, second = err.index(f"{path}:6:28: error"), err.index(f"{path}:10:11: error")
    assert first < second
    assert caret_under(err, "  initial LISTN") == "LISTN"
    assert "2 errors in the model" in err


def test_missing_file(tmp_path):
    path = str(tmp_path / "nowhere.tcp")
    code, out, err = run("check", path)
    assert code == 2
    assert out == ""
    assert "nowhere.tcp" in err and "no such model file" in err


def test_missing_file_for_parse(tmp_path):
    code, _, err = run("parse", str(tmp_path / "nowhere.tcp"))
    assert code == 2 and "no such model file" in err


def test_a_directory_is_not_a_model(tmp_path):
    code, _, err = run("check", str(tmp_path))
    assert code == 2 and "cannot read" in err


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "binary.tcp"
    path.write_bytes(b"model m\n\xff\xfe\n")
    code, _, err = run("check", str(path))
    assert code == 2 and "cannot read" in err


def test_unknown_property(tmp_path):
    path = write(tmp_path, "good.tcp", GOOD)
    code, out, err = run("check", path, "--property", "opnes")
    assert code == 2
    assert out == ""
    assert "no property 'opnes'" in err
    assert "did you mean 'opens'?" in err
    assert "opens, stays" in err


def test_unknown_property_among_known_ones(tmp_path):
    path = write(tmp_path, "good.tcp", GOOD)
    code, _, err = run("check", path, "--property", "opens", "--property", "nothing_like_it")
    assert code == 2
    assert "no property 'nothing_like_it'" in err and "did you mean" not in err


def test_warnings_do_not_stop_the_run(tmp_path):
    path = write(tmp_path, "warn.tcp", GOOD.replace("states LISTEN", "states LISTEN, GONE"))
    code, out, err = run("parse", path)
    assert code == 0
    assert f"{path}:9:18: warning:" in err
    assert "model tiny" in out
