"""Linux talking to itself in a namespace made for the test, captured as it happens and
checked against models/rfc9293.tcp and models/linux.tcp (issue 14, sections 3 and 5): a
simultaneous close and a connection that waits out a full accept queue conform to both; an
abortive close diverges from rfc9293.tcp at its RST, which Linux sends with ACK where RFC
9293 3.10.5 sends <SEQ=SND.NXT><CTL=RST>, and conforms to linux.tcp (its difference L10)."""

from __future__ import annotations

import errno
import socket
import struct
import time


from tcpcheck.analyses.capture import read
from tcpcheck.analyses.conform import CONFORMS, DIVERGES, conform
from tcpcheck.loader import load_file

from tests.conftest import ROOT
from tests.conform.kernel_lab import HOST, Capture, flags, namespace

PORT = 5000
RST = 4  # the flag bit, as conform's Allowed records carry it
ABORTS = {"CLIENT_ABORTS": 1, "SERVER_ABORTS": 1}


def _model(overrides=None, name: str = "rfc9293.tcp"):
    return load_file(str(ROOT / "models" / name), overrides or {})


def _linux(overrides=None):
    return _model(overrides, "linux.tcp")


def _one_verdict(model, path):
    result = conform(model, read(str(path)))
    assert len(result.verdicts) == 1, result.verdicts
    return result.verdicts[0]


def _established(ns, backlog: int = 8):
    listener = ns.socket()
    listener.bind((HOST, PORT))
    listener.listen(backlog)
    client = ns.socket()
    client.connect((HOST, PORT))
    server, _ = listener.accept()
    return listener, client, server


def test_simultaneous_close_conforms(tmp_path):
    with namespace() as ns:
        ns.shape()
        capture = Capture(ns)
        listener, client, server = _established(ns)
        time.sleep(0.3)  # the bucket refills: the handshake's frames are long delivered
        ns.drain_bucket()
        server.close()  # its FIN waits in the queue ...
        client.close()  # ... while this one is sent: the two FINs cross (Figure 13)
        listener.close()
        segments = capture.stop(tmp_path / "simultaneous.pcap")
    shown = [flags(s) for s in segments]
    assert shown[:3] == ["S", "SA", "A"]
    # both FINs are on the wire before either is acknowledged
    assert sorted(shown[3:5]) == ["FA", "FA"] and shown[5:] == ["A", "A"], shown
    for model in (_model(), _linux()):
        verdict = _one_verdict(model, tmp_path / "simultaneous.pcap")
        assert (verdict.verdict, verdict.segments) == (CONFORMS, 7), model.name


def test_abortive_close_is_the_rfcs_abort_but_with_ack(tmp_path):
    with namespace() as ns:
        capture = Capture(ns)
        listener, client, server = _established(ns)
        # SO_LINGER on with a zero timeout: close() is RFC 9293's ABORT (3.10.5), a RST
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        segments = capture.stop(tmp_path / "abort.pcap")
        _abort(server, listener)
    assert [flags(s) for s in segments] == ["S", "SA", "A", "RA"]
    # As written the model has no ABORT: the RST is not allowed at all.
    written = _one_verdict(_model(), tmp_path / "abort.pcap")
    assert written.verdict == DIVERGES and written.at.index == 4
    assert not any(a.flags & RST for a in written.allowed if a.side == 0)
    # With ABORT the RFC's reset is <SEQ=SND.NXT><CTL=RST> (3.10.5); Linux also sets ACK
    # (tcp_send_active_reset), so the capture still diverges there, and only by that flag.
    aborting = _one_verdict(_model(ABORTS), tmp_path / "abort.pcap")
    assert aborting.verdict == DIVERGES and aborting.at.index == 4
    assert (0, RST, 1) in {(a.side, a.flags, a.seq) for a in aborting.allowed}
    # linux.tcp's ABORT sends RST+ACK: the capture conforms
    linux = _one_verdict(_linux(ABORTS), tmp_path / "abort.pcap")
    assert (linux.verdict, linux.segments) == (CONFORMS, 4)


def _abort(*sockets) -> None:
    for s in sockets:  # RSTs, after the capture: nothing is left in the namespace
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()


def test_connection_waiting_out_a_full_accept_queue_conforms(tmp_path):
    with namespace() as ns:
        ns.sysctl("net.ipv4.tcp_syncookies", "0")  # a full queue drops a SYN, no cookie
        capture = Capture(ns)
        listener, first, queued = _established(ns, backlog=0)
        unaccepted = ns.socket()
        unaccepted.connect((HOST, PORT))  # waits in the accept queue: it is full (backlog 0)
        waiting = ns.socket()
        waiting.setblocking(False)
        assert waiting.connect_ex((HOST, PORT)) == errno.EINPROGRESS  # its SYN is dropped
        time.sleep(0.3)
        accepted, _ = listener.accept()  # room again: the SYN's retransmission gets in
        deadline = time.monotonic() + 5
        while waiting.connect_ex((HOST, PORT)) not in (0, errno.EISCONN):
            assert time.monotonic() < deadline, "the retransmitted SYN was not answered"
            time.sleep(0.05)
        waiting_port = waiting.getsockname()[1]
        segments = capture.stop(tmp_path / "queue.pcap", settle=0.1)
        _abort(first, queued, unaccepted, accepted, waiting, listener)
    waited = [flags(s) for s in segments if s.sport == waiting_port]
    assert waited[:2] == ["S", "S"], waited  # the first SYN went unanswered
    for model in (_model(), _linux()):
        result = conform(model, read(str(tmp_path / "queue.pcap")))
        assert len(result.verdicts) == 3
        assert {v.opener[1]: v.verdict for v in result.verdicts}[waiting_port] == CONFORMS
        assert all(v.verdict == CONFORMS for v in result.verdicts), model.name


def _closed_in_turn(ns, first: str, tmp_path):
    """A connection opened and closed in turn: ``first`` ("client" or "server") closes,
    the other closes once the FIN has arrived (Figure 12 from either side)."""
    capture = Capture(ns)
    listener, client, server = _established(ns)
    closer, other = (client, server) if first == "client" else (server, client)
    closer.close()
    assert other.recv(1) == b""  # the FIN has arrived: end of the stream
    other.close()
    listener.close()
    return capture.stop(tmp_path / f"close_{first}.pcap")


def test_a_normal_open_and_close_from_each_side_conforms(tmp_path):
    for first in ("client", "server"):
        with namespace() as ns:
            segments = _closed_in_turn(ns, first, tmp_path)
        shown = [flags(s) for s in segments]
        assert shown[:3] == ["S", "SA", "A"] and shown.count("FA") == 2, shown
        path = tmp_path / f"close_{first}.pcap"
        linux = _one_verdict(_linux(), path)
        assert (linux.verdict, linux.segments) == (CONFORMS, len(shown)), (first, shown)
        rfc = _one_verdict(_model(), path)
        if shown[3:] == ["FA", "A", "FA", "A"]:  # the FIN acknowledged at once
            assert (rfc.verdict, rfc.segments) == (CONFORMS, len(shown)), (first, shown)
        else:  # its ACK delayed and carried by the FIN of the close (linux.tcp L11)
            assert shown[3:] == ["FA", "FA", "A"], (first, shown)
            assert rfc.verdict == DIVERGES and rfc.at.index == 5, (first, shown)


def test_a_refused_connection_conforms(tmp_path):
    with namespace() as ns:
        capture = Capture(ns)
        client = ns.socket()
        assert client.connect_ex((HOST, PORT)) == errno.ECONNREFUSED  # nothing listens
        client.close()
        segments = capture.stop(tmp_path / "refused.pcap")
    # RFC 9293 3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> for a SYN at CLOSED
    assert [flags(s) for s in segments] == ["S", "RA"]
    for model in (_model(), _linux()):
        verdict = _one_verdict(model, tmp_path / "refused.pcap")
        assert (verdict.verdict, verdict.segments) == (CONFORMS, 2), model.name


DATA = {"DATA": 1}  # one octet each way: what the captures below send


def test_a_close_with_unread_data_resets_as_linux_tcp_says(tmp_path):
    """RFC 1122 4.2.2.13: a close with data unread sends a RST (linux.tcp's L12); RFC 9293
    3.10.4 sends a FIN, so rfc9293.tcp diverges at the RST."""
    with namespace() as ns:
        capture = Capture(ns)
        listener, client, server = _established(ns)
        client.sendall(b"u")  # one octet: the models' DATA
        time.sleep(0.05)  # the data is in the server's receive queue
        server.close()  # unread data: a RST, not a FIN
        segments = capture.stop(tmp_path / "unread.pcap")
        _abort(client, listener)
    shown = [flags(s) for s in segments]
    assert shown == ["S", "SA", "A", "PA", "A", "RA"], shown
    linux = _one_verdict(_linux(DATA), tmp_path / "unread.pcap")
    assert (linux.verdict, linux.segments) == (CONFORMS, 6)
    rfc = _one_verdict(_model(DATA), tmp_path / "unread.pcap")
    assert rfc.verdict == DIVERGES and rfc.at.index == 6
    assert not any(a.flags & RST for a in rfc.allowed if a.side == 1)
    # without data in the model the capture leaves it at its data segment
    bare = _one_verdict(_linux(), tmp_path / "unread.pcap")
    assert bare.verdict == DIVERGES and bare.at.index == 4


def test_a_data_transfer_both_ways_conforms_to_linux_tcp(tmp_path):
    """One octet each way, each read by its user, then a close from the client: the data
    at RCV.NXT is taken and acknowledged at once (RFC 9293 3.10.7.4, seventh check); the
    server's FIN carries the delayed ACK of the client's FIN (L11)."""
    with namespace() as ns:
        capture = Capture(ns)
        listener, client, server = _established(ns)
        client.sendall(b"a")
        assert server.recv(1) == b"a"
        server.sendall(b"b")
        assert client.recv(1) == b"b"
        time.sleep(0.3)  # both data segments acknowledged
        client.close()
        assert server.recv(1) == b""
        server.close()
        listener.close()
        segments = capture.stop(tmp_path / "data.pcap")
    shown = [(flags(s), len(s.data)) for s in segments]
    assert shown[:7] == [("S", 0), ("SA", 0), ("A", 0), ("PA", 1), ("A", 0), ("PA", 1),
                         ("A", 0)], shown
    linux = _one_verdict(_linux(DATA), tmp_path / "data.pcap")
    assert (linux.verdict, linux.segments) == (CONFORMS, len(shown))
    if [f for f, _ in shown[7:]] == ["FA", "A", "FA", "A"]:  # the FIN acknowledged at once
        rfc = _one_verdict(_model(DATA), tmp_path / "data.pcap")
        assert (rfc.verdict, rfc.segments) == (CONFORMS, len(shown))


def test_data_after_a_close_resets_as_linux_tcp_says(tmp_path):
    """RFC 1122 4.2.2.13 again: data arriving after the user's CLOSE (here in the orphaned
    FIN-WAIT-2) is answered with <SEQ=SEG.ACK><CTL=RST> (L12); RFC 9293 takes it."""
    with namespace() as ns:
        capture = Capture(ns)
        listener, client, server = _established(ns)
        client.close()
        assert server.recv(1) == b""  # the FIN has arrived
        server.sendall(b"z")
        segments = capture.stop(tmp_path / "after.pcap")
        _abort(server, listener)
    shown = [flags(s) for s in segments]
    # the server's ACK of the FIN is delayed and rides on its data (L11)
    assert shown[:4] == ["S", "SA", "A", "FA"] and shown[-1] == "R", shown
    linux = _one_verdict(_linux(DATA), tmp_path / "after.pcap")
    assert (linux.verdict, linux.segments) == (CONFORMS, len(shown))
