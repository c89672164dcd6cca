"""``tcpcheck export packetdrill FILE``: the files ``tcpcheck trace`` reads, as packetdrill
scripts; every mistake a message and exit 2, never a traceback."""

from __future__ import annotations

import io
import json

import pytest

from render.packetdrill_grammar import Line, check_script
from tcpcheck.cli import main

TWO_WAY = "models/two_way_handshake.tcp"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in args], stdout=out, stderr=err)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    """What ``tcpcheck check models/two_way_handshake.tcp --json`` prints, in a file."""
    path = tmp_path_factory.mktemp("export") / "run.json"
    code, out, _ = run("check", TWO_WAY, "--json")
    assert code == 1
    path.write_text(out, encoding="utf-8")
    return path


def _body(script: str) -> list:
    """The script without its header (which names the command and the file)."""
    return [x for x in script.splitlines() if not x.startswith("// made by")]


def test_a_check_result_becomes_a_script(result):
    code, out, err = run("export", "packetdrill", result)
    assert code == 0 and err == ""
    assert check_script(out) == (Line("<", "S", 0, None), Line(">", "S.", 0, 1))
    assert f"// made by: tcpcheck export packetdrill {result}\n" in out
    assert "model two_way_handshake (models/two_way_handshake.tcp)" in out
    assert "sequence space, 4" in out  # recorded in the result


def test_an_itf_trace_and_a_trace_file_give_the_same_script(result, tmp_path):
    _, want, _ = run("export", "packetdrill", result)
    for fmt in ("itf", "json"):
        path = tmp_path / f"run.{fmt}.json"
        code, text, _ = run("trace", result, "--format", fmt)
        assert code == 0
        path.write_text(text, encoding="utf-8")
        code, out, _ = run("export", "packetdrill", path)
        assert code == 0 and _body(out) == _body(want), fmt


def test_options_reach_the_script_and_its_header(result, tmp_path):
    target = tmp_path / "stale.pkt"
    code, out, _ = run("export", "packetdrill", result, "-p", "no_stale_accept",
                       "--window", "1000", "--tick", "0.25", "-o", target)
    assert code == 0 and out == f"wrote {target}\n"
    script = target.read_text(encoding="utf-8")
    assert "+0 < S 0:0(0) win 1000" in script and "one model tick = 0.25 s" in script
    made_by = [x for x in script.splitlines() if x.startswith("// made by: ")][0]
    assert made_by == f"// made by: tcpcheck export packetdrill {result} -p no_stale_accept " \
                      "--tick 0.25 --window 1000"  # what changes the script; not -o


def test_the_witness_of_a_three_way_handshake(tmp_path):
    code, out, _ = run("check", "models/three_way_handshake.tcp", "--json", "--witnesses",
                       "-p", "handshake_completes")
    path = tmp_path / "w.json"
    path.write_text(out, encoding="utf-8")
    for sut, want in (("server", [("<", "S"), (">", "S."), ("<", ".")]),
                      ("client", [(">", "S"), ("<", "S."), (">", ".")])):
        code, script, err = run("export", "packetdrill", path, "--endpoint", sut)
        assert code == 0, err
        lines = check_script(script)
        assert [(x.direction, x.flags) for x in lines] == want
        assert [(x.seq, x.ack) for x in lines] == [(0, None), (0, 1), (1, 1)]
    assert "accept(3, ..., ...) = 4" in run("export", "packetdrill", path)[1]
    assert "connect(3, ..., ...) = -1 EINPROGRESS" in script


# ---- errors ------------------------------------------------------------------------------

def test_a_crash_of_the_sut_exits_2(result):
    code, out, err = run("export", "packetdrill", result, "--endpoint", "client")
    assert code == 2 and out == ""
    assert "client crashes at step 2: a packetdrill script cannot crash" in err


def test_a_bad_endpoint_name_exits_2(result):
    code, _, err = run("export", "packetdrill", result, "--endpoint", "srever")
    assert code == 2 and "did you mean 'server'" in err


@pytest.mark.parametrize("content, words", [
    (None, "no such trace file"),
    ("// not json", "not a JSON file"),
    ('{"properties": []}', ""),
])
def test_unreadable_files_get_the_trace_commands_messages(tmp_path, content, words):
    path = tmp_path / "x.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, _, err = run("export", "packetdrill", path)
    assert code == 2 and err.startswith("tcpcheck: error:") and words in err
    assert err == run("trace", path)[2]  # the very message tcpcheck trace gives


def test_a_directory_is_refused(tmp_path):
    code, _, err = run("export", "packetdrill", tmp_path)
    assert code == 2 and "is a directory" in err


def test_an_unknown_property_and_counterexample(result):
    code, _, err = run("export", "packetdrill", result, "-p", "nope")
    assert code == 2 and err == run("trace", result, "-p", "nope")[2]
    code, _, err = run("export", "packetdrill", result, "--counterexample", "5")
    assert code == 2 and err


@pytest.mark.parametrize("args", [["--tick", "0"], ["--tick", "nan"], ["--tick", "x"],
                                  ["--tick", "1e-9"], ["--tick", "1e-999999"], ["--tick", "1e9"],
                                  ["--window", "65536"], ["--window", "-1"]])
def test_bad_options_are_usage_errors(result, args):
    code, _, err = run("export", "packetdrill", result, *args)
    assert code == 2 and "usage: tcpcheck export" in err
    code, _, err = run("export", "packetdrill", result, "--format", "x")
    assert code == 2 and "unrecognized arguments: --format x" in err


def test_only_packetdrill_is_a_target(result):
    code, _, err = run("export", "pcap", result)
    assert code == 2 and "invalid choice: 'pcap'" in err


def test_an_output_that_cannot_be_written_exits_2(result, tmp_path):
    code, _, err = run("export", "packetdrill", result, "-o", tmp_path / "no" / "x.pkt")
    assert code == 2 and "cannot write" in err


def test_the_result_file_is_untouched(result):
    before = json.loads(result.read_text(encoding="utf-8"))
    run("export", "packetdrill", result)
    assert json.loads(result.read_text(encoding="utf-8")) == before


def test_the_teardown_without_time_wait_from_both_sides(tmp_path):
    """The old ACK and RST of a closed connection reach the next one: as the kernel on
    either side, every segment in order, numbers relative to each connection's ISN."""
    code, out, _ = run("check", "models/teardown_no_time_wait.tcp", "--json",
                       "-p", "no_old_segment_confusion")
    assert code == 1
    path = tmp_path / "teardown.json"
    path.write_text(out, encoding="utf-8")
    server = check_script(run("export", "packetdrill", path)[1])
    assert [(x.direction, x.flags, x.seq, x.ack) for x in server] == [
        ("<", "S", 0, None), (">", "S.", 0, 1), ("<", ".", 1, 1), (">", "F.", 1, 1),
        ("<", "F.", 1, 2), (">", ".", 2, 2),
        ("<", ".", 1, 2), (">", "R", 2, None),  # the old ACK, answered from LISTEN
        ("<", "S", 4, None), (">", "S.", 0, 5)]  # the next connection: a new ISN, 0
    code, script, _ = run("export", "packetdrill", path, "--endpoint", "client")
    client = check_script(script)
    assert [(x.direction, x.flags, x.seq, x.ack) for x in client] == [
        (">", "S", 0, None), ("<", "S.", 0, 1), (">", ".", 1, 1), ("<", "F.", 1, 1),
        (">", ".", 1, 2), (">", "F.", 1, 2), ("<", ".", 2, 2),
        (">", "S", 0, None), ("<", "S.", 1, 1), (">", ".", 1, 2),
        ("<", "R", 2, None)]  # the old connection's RST, accepted by the new one
    assert script.count("socket(") == 2 and script.count("close(3) = 0") == 1
