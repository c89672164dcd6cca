"""``tcpcheck conform``: captures written here with dpkt from hand-built segment lists,
checked against models/rfc9293.tcp: verdicts, the divergence report, connections and
incarnations, link types, damaged input, limits and the exit codes."""

from __future__ import annotations

import io
import json
import random

import dpkt
import pytest

from tcpcheck.analyses import capture as cap
from tcpcheck.analyses.conform import (CONFORMS, DIVERGES, STOPPED, UNCHECKED, ConformOptions,
                                       conform, observations)
from tcpcheck.cli import main
from tcpcheck.loader import load_file

from tests.conftest import ROOT
from tests.conform import pcaps

MODEL = str(ROOT / "models" / "rfc9293.tcp")
V6 = (("2001:db8::1", 40000), ("2001:db8::2", 443))


def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(["conform", MODEL, *map(str, argv)], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def model():
    return load_file(MODEL, {})


def check(model, path, **options):
    return conform(model, cap.read(str(path)), ConformOptions(**options))


def replaced(segments, index, segment):
    found = list(segments)
    found[index] = segment
    return found


@pytest.mark.parametrize("pcapng", [False, True])
@pytest.mark.parametrize("ipv6", [False, True])
def test_a_normal_open_and_close_conforms(tmp_path, model, pcapng, ipv6):
    path = tmp_path / "c.cap"
    hosts = V6 if ipv6 else (("10.0.0.1", 40000), ("10.0.0.2", 80))
    pcaps.write(path, pcaps.connection(pcaps.OPEN_CLOSE, hosts=hosts, ipv6=ipv6), pcapng=pcapng)
    result = check(model, path)
    assert [v.verdict for v in result.verdicts] == [CONFORMS]
    assert result.verdicts[0].segments == 7 and result.verdicts[0].opener == hosts[0]
    assert result.capture.format == ("pcapng" if pcapng else "pcap")
    assert result.exit_code == 0


def test_relative_numbers_wrap_around_the_32_bit_space(tmp_path, model):
    path = tmp_path / "wrap.pcap"
    pcaps.write(path, pcaps.connection(pcaps.OPEN_CLOSE, isns=(2**32 - 1, 2**32 - 2)))
    result = check(model, path)
    assert result.verdicts[0].verdict == CONFORMS
    conn = cap.connections(result.capture)[0]
    assert [(o.seq, o.ack) for o in observations(conn)][:3] == [(0, None), (0, 1), (1, 1)]


def test_a_segment_the_model_forbids_diverges_there_with_what_was_allowed(tmp_path, model):
    # the server acknowledges the client's FIN without counting it (ack=1, not 2)
    path = tmp_path / "bad.pcapng"
    pcaps.write(path, pcaps.connection(replaced(pcaps.OPEN_CLOSE, 4, (1, "A", 1, 1))),
                pcapng=True)
    v = check(model, path).verdicts[0]
    assert v.verdict == DIVERGES and v.at.index == 5 and v.at.frame == 5
    assert (v.at.side, v.at.flags, v.at.seq, v.at.ack) == (1, 16, 1, 1)
    allowed = {(a.side, a.flags, a.seq, a.ack) for a in v.allowed}
    assert (1, 16, 1, 2) in allowed  # the ACK of the FIN the model sends
    assert (1, 16, 1, 1) not in allowed
    assert ("FIN_WAIT_1", "ESTABLISHED") in v.states
    code, out, err = run_cli(path)
    assert code == 1 and err == ""
    assert "DIVERGES at segment 5 (frame 5)" in out
    assert "seen:    server ACK seq=1 ack=1" in out and "server ACK seq=1 ack=2" in out
    assert all(len(line) <= 100 for line in out.splitlines()[1:])  # [0] has the file name


def test_the_opener_skipping_its_ack_diverges_at_segment_3(tmp_path, model):
    path = tmp_path / "skip.pcap"
    pcaps.write(path, pcaps.connection(replaced(pcaps.OPEN_CLOSE, 2, (0, "FA", 1, 1))))
    v = check(model, path).verdicts[0]
    assert v.verdict == DIVERGES and v.at.index == 3
    assert (0, 16, 1, 1) in {(a.side, a.flags, a.seq, a.ack) for a in v.allowed}


def test_json_carries_the_same(tmp_path):
    path = tmp_path / "bad.pcap"
    pcaps.write(path, pcaps.connection(replaced(pcaps.OPEN_CLOSE, 4, (1, "A", 1, 1))))
    code, out, _ = run_cli(path, "--json")
    data = json.loads(out)
    assert code == 1 and data["exit_code"] == 1
    conn = data["connections"][0]
    assert conn["verdict"] == "diverges" and conn["at"]["segment"] == 5
    # rfc9293.tcp declares len (0..DATA): an allowed segment says its length
    assert {"side": 1, "flags": "ACK", "seq": 1, "ack": 2, "relative": True,
            "len": 0} in conn["allowed"]
    assert ["FIN_WAIT_1", "ESTABLISHED"] in conn["states"]
    assert data["counts"] == {"conforms": 0, "diverges": 1, "unchecked": 0, "stopped": 0}
    assert data["capture"]["tcp_segments"] == 7 and data["seqspace"] == 8


def test_two_incarnations_of_one_address_pair(tmp_path, model):
    path = tmp_path / "two.pcap"
    first = pcaps.connection(pcaps.OPEN_CLOSE)
    second = pcaps.connection(pcaps.OPEN_CLOSE, isns=(5_000_000, 7_000))
    bad = pcaps.connection(replaced(pcaps.OPEN_CLOSE, 1, (1, "SA", 0, 0)), isns=(9, 99))
    pcaps.write(path, first + second + bad)
    result = check(model, path)
    assert [(v.incarnation, v.verdict) for v in result.verdicts] == [
        (1, CONFORMS), (2, CONFORMS), (3, DIVERGES)]
    assert result.verdicts[2].at.index == 2 and result.exit_code == 1


def test_address_pairs_are_separate_connections(tmp_path, model):
    path = tmp_path / "many.pcap"
    frames = []
    for port in range(40000, 40020):  # interleaved: one segment of each in turn
        frames.append(pcaps.connection(pcaps.OPEN_CLOSE, hosts=(("10.0.0.1", port),
                                                                 ("10.0.0.2", 80))))
    pcaps.write(path, [f for seven in zip(*frames) for f in seven])
    result = check(model, path)
    assert [v.verdict for v in result.verdicts] == [CONFORMS] * 20


def test_a_segment_with_data_is_outside_the_model(tmp_path, model):
    path = tmp_path / "data.pcap"
    data = list(pcaps.OPEN_CLOSE[:3]) + [(0, "PA", 1, 1, 100)]
    pcaps.write(path, pcaps.connection(data))
    v = check(model, path).verdicts[0]
    assert v.verdict == DIVERGES and v.at.index == 4 and v.at.payload == 100
    # as written rfc9293.tcp carries no data (DATA = 0: len 0..0)
    assert "more than the model's len field holds (0..0)" in v.reason


def test_a_connection_seen_from_its_middle_is_not_checked(tmp_path, model):
    path = tmp_path / "middle.pcap"
    pcaps.write(path, pcaps.connection(pcaps.OPEN_CLOSE[3:]))
    result = check(model, path)
    assert result.verdicts[0].verdict == UNCHECKED and result.exit_code == 0
    code, out, _ = run_cli(path)
    assert "not checked" in out and code == 0


def test_a_limit_stops_the_check_and_never_says_conforms(tmp_path):
    path = tmp_path / "c.pcap"
    pcaps.write(path, pcaps.connection(pcaps.OPEN_CLOSE))
    code, out, _ = run_cli(path, "--max-states", "2")
    assert code == 3 and "NOT DECIDED" in out and "conforms" not in out
    assert check(load_file(MODEL, {}), path, max_states=2).verdicts[0].verdict == STOPPED


def test_endpoint_client_takes_the_peers_segments_as_given(tmp_path, model):
    path = tmp_path / "bad.pcap"
    pcaps.write(path, pcaps.connection(replaced(pcaps.OPEN_CLOSE, 4, (1, "A", 1, 1))))
    assert check(model, path, endpoint="client").verdicts[0].verdict == CONFORMS
    v = check(model, path, endpoint="server").verdicts[0]
    assert v.verdict == DIVERGES and v.at.index == 5
    assert all(a.side == 1 for a in v.allowed)
    good = tmp_path / "good.pcap"
    pcaps.write(good, pcaps.connection(pcaps.OPEN_CLOSE))
    assert check(model, good, endpoint="server").verdicts[0].verdict == CONFORMS


def _udp_frame() -> bytes:
    udp = dpkt.udp.UDP(sport=53, dport=5353, data=b"hello")
    udp.ulen = len(bytes(udp))
    ip = dpkt.ip.IP(src=b"\x0a\0\0\x01", dst=b"\x0a\0\0\x02", p=dpkt.ip.IP_PROTO_UDP, data=udp)
    ip.len = len(bytes(ip))
    return bytes(dpkt.ethernet.Ethernet(type=dpkt.ethernet.ETH_TYPE_IP, data=ip))


def _short_tcp_frame() -> bytes:
    whole = pcaps.frame((0, "S", 0, 0), (("10.0.0.9", 1), ("10.0.0.8", 2)), (0, 0))
    return whole[:14 + 20 + 8]  # the TCP header cut after 8 of its 20 bytes


def test_non_tcp_and_malformed_packets_are_left_out_with_a_count(tmp_path):
    path = tmp_path / "mixed.pcap"
    frames = pcaps.connection(pcaps.OPEN_CLOSE)
    pcaps.write(path, [_udp_frame(), b"\x01\x02\x03", *frames[:4], _short_tcp_frame(),
                       *frames[4:], b"\xff" * 14])
    code, out, err = run_cli(path)
    assert code == 0, out + err
    assert "11 packets, 7 TCP segments, 2 not TCP, left out, 2 malformed, left out" in out


def test_a_file_cut_inside_a_record_checks_what_it_holds(tmp_path):
    path = tmp_path / "cut.pcap"
    pcaps.write(path, pcaps.connection(pcaps.OPEN_CLOSE))
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    code, out, _ = run_cli(path)
    assert code == 0 and "6 packets" in out and "ends inside a packet record" in out


@pytest.mark.parametrize("content, message", [
    (None, "cannot read"),
    (b"", "is not a pcap or pcapng capture"),
    (b"# not a capture\n", "is not a pcap or pcapng capture"),
    (b"\xd4\xc3\xb2\xa1\x02\x00", "header cannot be read"),
    (b"\x0a\x0d\x0d\x0a\x00\x00", "header cannot be read"),
])
def test_bad_files_are_a_clear_error_without_a_traceback(tmp_path, content, message):
    path = tmp_path / "x.pcap"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run_cli(path)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def _sll(ip: bytes) -> bytes:
    return bytes(dpkt.sll.SLL(ethtype=0x0800, data=ip))


def _sll2(ip: bytes) -> bytes:
    return bytes(dpkt.sll2.SLL2(ethtype=0x0800, data=ip))


def _loopback(ip: bytes) -> bytes:
    return bytes(dpkt.loopback.Loopback(family=2, data=ip))


@pytest.mark.parametrize("link, wrap", [(101, bytes), (12, bytes), (113, _sll),
                                        (276, _sll2), (0, _loopback)])
def test_link_types(tmp_path, model, link, wrap):
    hosts, isns = (("10.0.0.1", 40000), ("10.0.0.2", 80)), (7, 9)
    frames = [wrap(pcaps.frame(s, hosts, isns, ethernet=False)) for s in pcaps.OPEN_CLOSE]
    path = tmp_path / "l.pcap"
    pcaps.write(path, frames, linktype=link)
    result = check(model, path)
    assert len(result.capture.packets) == 7 and result.verdicts[0].verdict == CONFORMS


def test_an_unknown_link_type_is_a_clear_error(tmp_path):
    path = tmp_path / "l.pcap"
    pcaps.write(path, [b"\x00" * 40], linktype=147)
    code, _, err = run_cli(path)
    assert code == 2 and "link type 147" in err


def test_a_timeout_leaves_every_connection_undecided(tmp_path):
    path = tmp_path / "c.pcap"
    pcaps.write(path, pcaps.connection(pcaps.OPEN_CLOSE) + pcaps.connection(
        pcaps.OPEN_CLOSE, hosts=(("10.0.0.3", 1), ("10.0.0.4", 2))))
    code, out, _ = run_cli(path, "--timeout", "0.000001", "--json")
    data = json.loads(out)
    assert code == 3 and data["counts"]["stopped"] == 2 and data["exit_code"] == 3
    assert "time limit" in data["connections"][0]["reason"]


@pytest.mark.parametrize("pcapng", [False, True])
def test_damaged_captures_never_end_in_a_traceback(tmp_path, model, pcapng):
    # bytes overwritten at random and files cut anywhere: a verdict or a clear error
    rng = random.Random(14)
    path, damaged = tmp_path / "c.cap", tmp_path / "d.cap"
    pcaps.write(path, pcaps.connection(pcaps.OPEN_CLOSE) +
                pcaps.connection(pcaps.OPEN_CLOSE, hosts=V6, ipv6=True), pcapng=pcapng)
    whole = path.read_bytes()
    codes = set()
    for _ in range(150):
        data = bytearray(whole)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        damaged.write_bytes(data[:rng.randrange(len(data))] if rng.random() < 0.3 else data)
        try:  # anything but CaptureError would be an internal error (exit code 4)
            codes.add(check(model, damaged).exit_code)
        except cap.CaptureError:
            codes.add(2)
    assert codes == {0, 1, 2}
