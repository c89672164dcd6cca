"""len and wnd against real segments: conform compares a capture's payload lengths and
windows with the model's len and wnd (tests/segdata/data_after_handshake.tcp), and export
packetdrill writes them in packetdrill's own syntax."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tcpcheck.analyses import capture as cap
from tcpcheck.analyses.conform import CONFORMS, DIVERGES, ConformOptions, conform
from tcpcheck.cli import main
from tcpcheck.loader import load_file

from tests.conftest import ROOT
from tests.conform import pcaps
from tests.render.packetdrill_grammar import check_script

FIXTURE = Path(__file__).resolve().parent / "data_after_handshake.tcp"

# (from, flags, seq, ack, payload, window): the model's run, windows as the model has them
RUN = ((0, "S", 0, 0, 0, 4), (1, "SA", 0, 1, 0, 4), (0, "A", 1, 1, 0, 4),
       (0, "A", 1, 1, 2, 4), (1, "A", 1, 3, 0, 2), (0, "A", 3, 1, 2, 2 + 2),
       (1, "A", 1, 5, 0, 0))


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out, err)
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def model():
    return load_file(FIXTURE)


def verdict(model, tmp_path, segments, endpoint="both"):
    path = tmp_path / "c.pcap"
    pcaps.write(path, pcaps.connection(segments))
    result = conform(model, cap.read(str(path)), ConformOptions(endpoint=endpoint))
    return result.verdicts[0]


def test_the_models_run_conforms(model, tmp_path):
    assert verdict(model, tmp_path, RUN).verdict == CONFORMS


@pytest.mark.parametrize("endpoint", ["client", "server"])
def test_either_side_checked_alone_conforms(model, tmp_path, endpoint):
    assert verdict(model, tmp_path, RUN, endpoint).verdict == CONFORMS


def test_a_real_window_above_the_range_reads_as_its_top(model, tmp_path):
    # 65,535 everywhere: 4 ("4 or more") fits every segment but the server's ACK of the
    # data, which advertises 2 in the model (the client could send its next two octets)
    real = [s[:5] + (65535,) for s in RUN]
    v = verdict(model, tmp_path, real)
    assert v.verdict == DIVERGES and v.at.index == 5
    assert v.reason == "the model sends no such segment there"
    assert [(a.side, a.seq, a.ack, a.len, a.wnd) for a in v.allowed] == \
        [(0, 3, 1, 2, 4), (1, 1, 3, 0, 2)]


def test_a_wrong_length_diverges_and_the_report_shows_the_allowed_one(model, tmp_path):
    bad = list(RUN)
    bad[3] = (0, "A", 1, 1, 1, 4)  # one octet where the model sends two
    code, out = run_bad(tmp_path, bad)
    assert code == 1
    assert "DIVERGES at segment 4" in out
    assert "seen:    client ACK seq=1 ack=1 len=1 wnd=4" in out
    assert "allowed: client ACK seq=1 ack=1 len=2 wnd=4" in out


def run_bad(tmp_path, segments):
    path = tmp_path / "bad.pcap"
    pcaps.write(path, pcaps.connection(segments))
    return run("conform", FIXTURE, path)


def test_more_data_than_len_holds_diverges_with_that_reason(model, tmp_path):
    bad = list(RUN)
    bad[3] = (0, "PA", 1, 1, 3, 4)
    v = verdict(model, tmp_path, bad)
    assert v.verdict == DIVERGES and v.at.index == 4
    assert v.reason == "the segment carries 3 bytes, more than the model's len field holds (0..2)"


def test_a_window_below_the_wnd_range_diverges_with_that_reason(tmp_path):
    # a window above the range reads as its top ("this much or more"); one below it is no
    # window the model's segments can carry, so it is not read as the bottom
    source = FIXTURE.read_text().replace("wnd : 0..4", "wnd : 1..4")
    (tmp_path / "m.tcp").write_text(source)
    narrow = load_file(tmp_path / "m.tcp")
    shut = [RUN[0][:5] + (0,), *RUN[1:]]
    v = verdict(narrow, tmp_path, shut)
    assert v.verdict == DIVERGES and v.at.index == 1
    assert v.reason == "the segment's window is 0, less than the model's wnd field holds (1..4)"


def test_a_model_without_len_says_so(tmp_path):
    plain = load_file(ROOT / "models" / "three_way_handshake.tcp")
    v = verdict(plain, tmp_path, RUN)
    assert v.verdict == DIVERGES and v.at.index == 4
    assert v.reason == "the model declares no len field: the segment carries 2 bytes"


def test_json_lists_len_and_wnd_of_the_allowed_segments(tmp_path):
    real = [s[:5] + (65535,) for s in RUN]
    path = tmp_path / "c.pcap"
    pcaps.write(path, pcaps.connection(real))
    code, out = run("conform", FIXTURE, path, "--json")
    allowed = json.loads(out)["connections"][0]["allowed"]
    assert code == 1 and allowed[1] == {"side": 1, "flags": "ACK", "seq": 1, "ack": 3, "len": 0,
                                        "wnd": 2, "relative": True}


def test_export_packetdrill_writes_payload_and_window(tmp_path):
    code, out = run("check", FIXTURE, "--json")
    saved = tmp_path / "run.json"
    saved.write_text(out)
    code, script = run("export", "packetdrill", saved)
    assert code == 0, script
    lines = [line for line in script.splitlines() if not line.startswith("//")]
    assert "+0 < S 0:0(0) win 4" in lines
    assert "+0 > S. 0:0(0) ack 1 win 4 <...>" in lines
    assert "+0 < . 1:3(2) ack 1 win 4" in lines and "+0 > . 1:1(0) ack 3 win 2 <...>" in lines
    code, client = run("export", "packetdrill", saved, "--endpoint", "client")
    assert "write(3, ..., 2) = 2" in client and "> . 1:3(2) ack 1 win 4 <...>" in client
    for text in (script, client):  # packetdrill's grammar, END = START + LEN included
        packets = check_script(text)
        assert len(packets) >= 6
