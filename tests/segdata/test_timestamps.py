"""The protocol field ``ts`` (RFC 7323 TSval as an abstract ordered value, MANUAL 7): PAWS
rejects an old duplicate whose sequence number came round (tests/segdata/paws.tcp), and the
TIME-WAIT reuse rule of RFC 6191 lets a newer timestamp reopen a connection whatever its
ISN (tests/segdata/time_wait_reuse.tcp); both engines agree, and runs show ``ts=``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from engine_note import needs_cc
from native.native_support import both, comparable
from tcpcheck.cli import main
from tcpcheck.diagnostics import ModelError
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file, load_string

HERE = Path(__file__).resolve().parent
PAWS = HERE / "paws.tcp"
REUSE = HERE / "time_wait_reuse.tcp"


def verdicts(path, **settings):
    result = check(load_file(path, settings), CheckOptions(stop_when_decided=False))
    return {p.name: (p.status, len(p.trace) if p.trace else None) for p in result.properties}


def test_paws_keeps_the_old_duplicate_out():
    assert verdicts(PAWS)["in_order_delivery"] == ("holds", None)


def test_without_paws_the_old_duplicate_is_taken_as_new_data():
    assert verdicts(PAWS, PAWS=0)["in_order_delivery"] == ("violated", 13)


def test_the_timestamp_rule_reopens_time_wait_below_rcv_nxt():
    got = verdicts(REUSE)
    assert got["old_syn_never_reopens"] == ("holds", None)
    assert got["reuse_below_rcv_nxt"] == ("reached", 2)


def test_the_sequence_rule_refuses_that_syn():
    got = verdicts(REUSE, TS_RULE=0)
    assert got["reuse_below_rcv_nxt"] == ("unreachable", None)
    assert got["old_syn_never_reopens"] == ("holds", None)


@needs_cc
@pytest.mark.parametrize("path, settings", [(PAWS, {}), (PAWS, {"PAWS": 0}), (REUSE, {}),
                                            (REUSE, {"TS_RULE": 0})])
def test_native_equals_python(path, settings):
    model = load_file(path, settings)
    native, python = both(model, CheckOptions(stop_when_decided=False))
    assert comparable(native, model) == comparable(python, model)


def test_ts_is_a_small_ordered_range():
    text = """model m
segment {{ ts : {t} }}
endpoint a {{ states S  initial S }}
endpoint b {{ states S  initial S }}
"""
    with pytest.raises(ModelError) as err:
        load_string(text.format(t="seq"))
    assert "'ts' is an ordered timestamp" in str(err.value)
    assert load_string(text.format(t="0..3")).ghost_fields[0].name == "ts"


def test_runs_show_the_timestamp_and_json_carries_it(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", str(PAWS), "--set", "PAWS=0", "--json"], out, err) == 1
    data = json.loads(out.getvalue())
    run = next(p for p in data["properties"] if p["name"] == "in_order_delivery")["trace"]
    sent = run["steps"][1]["sent"][0]
    assert (sent["len"], sent["ts"], sent["ghosts"]) == (1, 1, {"octet": 0})
    path = tmp_path / "run.json"
    path.write_text(out.getvalue())
    out = io.StringIO()
    assert main(["trace", str(path)], out, io.StringIO()) == 0
    assert "ACK seq=1 ack=1 len=1 ts=1" in out.getvalue()


def test_the_symbolic_engine_reads_timestamps():
    out = io.StringIO()
    code = main(["prove", str(REUSE), "-p", "reuse_below_rcv_nxt", "--timeout", "60"], out,
                io.StringIO())
    assert code == 0 and "reuse_below_rcv_nxt  reached  (witness: 2 steps)" in out.getvalue()


@pytest.mark.parametrize("endpoint", ["both", "server"])
def test_conform_does_not_compare_ts_and_tries_each_on_a_given_segment(tmp_path, endpoint):
    # with --endpoint server the client's SYN is taken as given: only a ts above TS.Recent
    # (2) lets the server answer SYN-ACK, so each value of the range must be tried
    from tests.conform import pcaps
    path = tmp_path / "reopen.pcap"
    pcaps.write(path, pcaps.connection([(0, "S", 0, 0), (1, "SA", 0, 1)]))
    out = io.StringIO()
    code = main(["conform", str(REUSE), str(path), "--endpoint", endpoint], out, io.StringIO())
    assert code == 0 and "1 conform, 0 diverge" in out.getvalue()
