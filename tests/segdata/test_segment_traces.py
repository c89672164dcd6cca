"""len and wnd in what a person and a machine read: the chart and the steps list show a
segment as ``ACK seq=1 ack=1 len=2 wnd=4``, the JSON carries ``len`` and ``wnd`` beside
``seq`` (not among the ghosts), and a saved run reads back the same through JSON and ITF."""

from __future__ import annotations

import io
import json
from pathlib import Path

from tcpcheck.cli import main

ONE_WAY = str(Path(__file__).resolve().parent / "one_way_data.tcp")


def run(*argv) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue() + err.getvalue()


def saved(tmp_path) -> Path:
    code, out = run("check", ONE_WAY, "--json", "--engine", "python")
    assert code == 0
    path = tmp_path / "run.json"
    path.write_text(out)
    return path


def test_the_chart_shows_length_and_window(tmp_path):
    code, out = run("trace", str(saved(tmp_path)))
    assert code == 0
    assert "ACK seq=1 ack=1 len=2 wnd=4" in out and "ACK seq=1 ack=3 len=0 wnd=2" in out


def test_the_steps_list_shows_them_and_eval_reads_seglen(tmp_path):
    path = str(saved(tmp_path))
    code, out = run("trace", path, "--format", "steps")
    assert "sends ACK seq=1 ack=1 len=2 wnd=4" in out, out
    code, out = run("trace", path, "--eval", "server.rcv_nxt - 1")
    assert code == 0 and out.splitlines()[-1].split()[:2] == ["3", "2"]


def test_json_has_len_and_wnd_beside_seq(tmp_path):
    data = json.loads(saved(tmp_path).read_text())
    goal = next(p for p in data["properties"] if p["name"] == "data_acked")
    sent = goal["trace"]["steps"][1]["sent"][0]
    assert (sent["seq"], sent["len"], sent["wnd"], sent["ghosts"]) == (1, 2, 4, {})


def test_a_run_reads_back_the_same_through_json_and_itf(tmp_path):
    path = saved(tmp_path)
    code, chart = run("trace", str(path))
    code, itf = run("trace", str(path), "--format", "itf")
    assert code == 0
    again = tmp_path / "run.itf.json"
    again.write_text(itf)
    code, back = run("trace", str(again))
    assert code == 0 and "ACK seq=1 ack=1 len=2 wnd=4" in back
    code, rejson = run("trace", str(path), "--format", "json")
    assert json.loads(rejson)["trace"]["steps"][1]["sent"][0]["len"] == 2


def test_explain_says_how_much_data_a_segment_carries():
    code, out = run("explain", ONE_WAY, "-p", "data_acked")
    assert "sending an ACK with seq=1 and ack=1, carrying 2 octets of data." in out
    assert "sending an ACK with seq=1 and ack=3." in out  # a bare ACK carries none
    code, out = run("explain", ONE_WAY, "-p", "data_acked", "--lang", "zh")
    assert "携带 2 字节数据" in out


def test_diff_observes_len_and_says_how_segments_differ(tmp_path):
    text = """model {name}
segment {{ len : 0..2 }}
endpoint c {{ states S, T  initial S  terminal S, T
  transition w: S -> T on send {{ send ACK(seq=1, len={n}) }} }}
endpoint d {{ states S  initial S  terminal S  transition r: S -> S on recv ... }}
"""
    paths = []
    for name, n in (("two", 2), ("one", 1)):
        paths.append(tmp_path / f"{name}.tcp")
        paths[-1].write_text(text.format(name=name, n=n))
    code, out = run("diff", *map(str, paths))
    assert code == 1
    assert "(differs: sends ACK seq=1 ack=0 len=1, not" in out  # B's answer, then A's
    assert "ACK seq=1 ack=0 len=2)" in out


def test_parse_lists_the_protocol_fields_apart_from_the_ghosts():
    code, out = run("parse", str(Path(ONE_WAY).parent / "paws.tcp"))
    assert "segment fields: len: 0..1, ts: 0..5" in out
    assert "segment ghost fields: octet: 0..5" in out
    code, out = run("parse", str(Path(ONE_WAY).parent / "paws.tcp"), "--json")
    assert json.loads(out)["segment_fields"][0] == {"name": "len", "type": "0..1", "ghost": False}


def test_a_run_without_the_models_fields_is_refused_with_their_names(tmp_path):
    data = json.loads(saved(tmp_path).read_text())
    strip(data)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    code, out = run("trace", str(path), "--eval", "client.snd_nxt")
    assert code == 2 and "Traceback" not in out
    assert "a segment has the fields none, the model's are len, wnd" in out


def strip(node) -> None:
    """Remove len and wnd from every segment of a saved run (as a run of a model without
    them would be)."""
    if isinstance(node, dict):
        if "flags" in node and "seq" in node:
            node.pop("len", None), node.pop("wnd", None)
        for value in node.values():
            strip(value)
    elif isinstance(node, list):
        for value in node:
            strip(value)
