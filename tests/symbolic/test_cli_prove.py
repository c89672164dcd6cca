"""`tcpcheck prove` on the command line: exit codes, text, --json, usage errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

from symbolic.symbolic_support import COUNTER
from tcpcheck.cli import main

MODELS = Path(__file__).resolve().parents[2] / "models"
TWO_WAY = str(MODELS / "two_way_handshake.tcp")


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_two_way_refuted_with_a_32_bit_trace():
    code, out, _ = run("prove", TWO_WAY, "--depth", "3", "-p", "no_stale_accept",
                       "--format", "steps")
    assert code == 1
    assert "sequence numbers 32-bit" in out
    assert "no_stale_accept  VIOLATED  (counterexample: 3 steps)" in out
    assert "client crashes and restarts [crash]" in out
    assert "[syn_in]" in out and "server   ESTABLISHED" in out


def test_json_result():
    code, out, _ = run("prove", TWO_WAY, "--depth", "3", "-p", "no_stale_accept", "--json")
    data = json.loads(out)
    assert code == 1 and data["exit_code"] == 1 and data["engine"] == "portfolio"
    assert data["seqspace"] == 1 << 32 and data["depth"] == 3
    assert data["stop_reason"] is None and data["timeout"] == 60 and data["jobs"] >= 1
    (prop,) = data["properties"]
    assert prop["status"] == "violated" and prop["trace"]["length"] == 3
    assert prop["engine"] == "bmc"  # a portfolio's runs are always BMC's


def test_proved_exits_0_and_bounded_exits_3(tmp_path):
    path = tmp_path / "counter.tcp"
    path.write_text(COUNTER)
    code, out, _ = run("prove", str(path), "--engine", "kind", "--depth", "2", "-p", "same")
    assert code == 0 and "same  PROVED" in out and "proved by 1-induction" in out
    code, out, _ = run("prove", str(path), "--engine", "bmc", "--depth", "2", "-p", "same")
    assert code == 3 and "holds up to the depth (not a proof)" in out
    code, out, _ = run("prove", str(path), "--depth", "2", "-p", "same")  # the portfolio
    assert code == 0 and "same  PROVED  by kind" in out


def test_usage_errors_exit_2():
    code, _, err = run("prove", TWO_WAY, "-p", "no_stale_acept")
    assert code == 2 and "did you mean 'no_stale_accept'" in err
    code, _, err = run("prove", TWO_WAY, "--seqspace", "lots")
    assert code == 2 and "--seqspace" in err
    code, _, err = run("prove", TWO_WAY, "--engine", "magic")
    assert code == 2


def test_model_sequence_space_and_unit_time():
    code, out, _ = run("prove", TWO_WAY, "--depth", "3", "-p", "no_stale_accept",
                       "--seqspace", "model", "--time", "unit")
    assert code == 1 and "sequence numbers modulo 4" in out and "one tick per step" in out


def test_a_lemma_can_be_checked_by_name():
    three_way = str(MODELS / "three_way_handshake.tcp")
    code, out, _ = run("prove", three_way, "--engine", "bmc", "--depth", "2", "-p",
                       "client_sends")
    assert code == 3 and "client_sends" in out and "holds up to the depth" in out


def test_a_file_format_writes_the_run_alone_as_check_does(tmp_path):
    # `prove --format svg > run.svg` is an SVG file; the verdicts go to standard error
    code, out, err = run("prove", TWO_WAY, "--engine", "bmc", "--depth", "3", "--format", "svg")
    assert code == 1
    assert out.startswith("<svg ") and out.rstrip().endswith("</svg>")
    assert "no_stale_accept      VIOLATED" in err
    assert "the svg on standard output is the counterexample for no_stale_accept" in err
    # -o FILE: the usual report on stdout, the run in the file, at the proof's 32-bit space
    path = tmp_path / "run.itf.json"
    code, out, err = run("prove", TWO_WAY, "--engine", "bmc", "--depth", "3", "-o", str(path))
    assert code == 1 and f"wrote {path}: the counterexample for no_stale_accept" in out
    itf = json.loads(path.read_text())
    assert itf["#meta"]["tcpcheck"]["seqspace"] == 2 ** 32
    code, out, err = run("trace", str(path), "--eval", "client.iss + 1")
    assert code == 0, err
