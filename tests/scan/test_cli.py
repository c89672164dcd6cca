"""``tcpcheck scan``: the command's formats (a golden text file, Markdown, JSON), options and
exit codes."""

from __future__ import annotations

import io
import json

import pytest

from tcpcheck.cli import main

from tests.conftest import ROOT
from tests.golden import check_golden

HERE = ROOT / "tests" / "scan"
PORT = "tests/scan/models/port.tcp"  # relative: the file name is part of the output


def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(["scan", *argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def test_text_golden():
    code, out, err = run_cli(PORT)
    assert code == 0
    check_golden(HERE / "golden" / "port.txt", out)
    assert all(len(line) <= 100 for line in out.splitlines())
    assert "scanned 34 global states in" in err  # the timing goes to stderr


def test_text_of_the_client_and_of_a_bigger_model():
    code, out, _ = run_cli(PORT, "--endpoint", "client")
    assert code == 0 and out.startswith("scan of client in port (tests/scan/models/port.tcp)")
    code, out, _ = run_cli("models/teardown_time_wait.tcp", "--set", "channel.capacity=1",
                           "--set", "channel.duplication=0")
    assert code == 0
    assert all(len(line) <= 100 for line in out.splitlines())
    lines = out.splitlines()
    assert lines[4].split() == ["LISTEN", "SYN+ACK", "RST", "none", "none", "none"]
    assert lines[5].split() == ["open", "unfiltered"] + ["open|filtered"] * 3
    assert "explored 2,130 global states (all reachable)" in out


def test_markdown_golden():
    code, out, _ = run_cli(PORT, "--format", "markdown")
    assert code == 0
    check_golden(HERE / "golden" / "port.md", out)
    assert "| CLOSED | RST+ACK: closed | RST: unfiltered |" in out
    assert "| UNUSED | not reached |" in out


def test_json():
    code, out, _ = run_cli(PORT, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == 1 and data["model"] == "port" and data["endpoint"] == "server"
    assert data["file"] == PORT and data["seqspace"] == 4
    assert [p["name"] for p in data["probes"]] == ["SYN", "ACK", "FIN", "NULL", "Xmas"]
    assert data["probes"][4]["flags"] == ["FIN", "PSH", "URG"] and data["probes"][3]["flags"] == []
    assert data["explored"]["states"] == 34 and data["explored"]["complete"] is True
    rows = {r["state"]: r for r in data["rows"]}
    assert rows["UNUSED"] == {"state": "UNUSED", "reached": False, "global_states": 0,
                              "valuations": 0, "cells": {}}
    syn = rows["LISTEN"]["cells"]["SYN"]
    assert syn["replies"] == [{"segments": [{"flags": ["SYN", "ACK"], "seq": "2",
                                             "ack": "SEG.SEQ+1"}],
                               "rfc": "<SEQ=2><ACK=SEG.SEQ+1><CTL=SYN,ACK>",
                               "transitions": ["syn_in"], "after": ["SYN_RECEIVED"],
                               "deliveries": 3, "conclusion": "open"}]
    assert syn["conclusions"] == ["open"] and syn["depends_on_numbers"] is False
    assert syn["own_numbers"][0]["deliveries"] == 1 and syn["errors"] == []
    fin = rows["LISTEN"]["cells"]["FIN"]["replies"][0]
    assert fin["segments"] == [] and fin["rfc"] == "none" and fin["transitions"] == [None]
    null = rows["SYN_RECEIVED"]["cells"]["NULL"]
    assert null["depends_on_numbers"] is True and null["foreign_valuations"] == 4
    assert [r["rfc"] for r in null["own_numbers"]] == ["none", "<SEQ=3><ACK=rcv_nxt><CTL=ACK>"]
    again = json.loads(run_cli(PORT, "--format", "json")[1])
    again["explored"]["seconds"] = data["explored"]["seconds"]
    assert again == data  # only the seconds vary


def test_limits_and_output_file(tmp_path):
    code, out, _ = run_cli(PORT, "--max-states", "8")
    assert code == 3  # cut short: "not reached" may be reachable
    assert "stopped at the state limit" in out and "UNUSED        not reached" in out
    assert "not reached: not among the global states explored" in out
    target = tmp_path / "scan.md"
    code, out, _ = run_cli(PORT, "--format", "markdown", "-o", str(target))
    assert code == 0 and out == f"wrote {target}\n"
    assert target.read_text().startswith("**scan of server in port")


@pytest.mark.parametrize("argv, message", [
    (["no/such/model.tcp"], "no such model file"),
    ([PORT, "--endpoint", "sever"], "no endpoint 'sever'"),
    ([PORT, "--set", "bounds.seqspace"], "--set takes NAME=VALUE"),
    ([PORT, "--set", "NOPE=1"], "NOPE"),
    ([PORT, "--max-states", "0"], "positive"),
    ([PORT, "--format", "html"], "invalid choice"),
])
def test_bad_usage_exits_2(argv, message):
    code, out, err = run_cli(*argv)
    assert code == 2 and message in err and "Traceback" not in err and out == ""


def test_bad_model_exits_2(tmp_path):
    bad = tmp_path / "bad.tcp"
    bad.write_text("model bad\nendpoint a { states X initial Y }\n")
    code, out, err = run_cli(str(bad))
    assert code == 2 and "Traceback" not in err and out == ""
    assert "bad.tcp" in err


def test_help_lists_the_command():
    out = io.StringIO()
    assert main(["--help"], stdout=out, stderr=io.StringIO()) == 0
    assert "scan" in out.getvalue()


DOMAIN_ERROR = """
model dv
endpoint client {
  states CLOSED, SENT
  initial CLOSED
  var x : 0..1
  transition connect: CLOSED -> SENT on open { send SYN(seq=0) }
  transition oops: CLOSED -> same on listen { x := x + 2 }
}
endpoint server {
  states LISTEN, SYN_RCVD
  initial LISTEN
  transition syn_in: LISTEN -> SYN_RCVD on recv SYN
}
"""


def test_a_domain_error_leaves_the_scan_incomplete(tmp_path):
    # the initial state's successors are unknown: SYN_RCVD is reachable (by connect) but
    # was not explored, so the scan must not say it saw every state
    model = tmp_path / "dv.tcp"
    model.write_text(DOMAIN_ERROR)
    code, out, _ = run_cli(str(model), "--format", "json")
    assert code == 3
    assert json.loads(out)["explored"] == {"states": 1, "complete": False,
                                           "stop_reason": "error",
                                           "seconds": json.loads(out)["explored"]["seconds"]}
    code, out, _ = run_cli(str(model))
    assert "(all reachable)" not in out and "failed to evaluate" in out
