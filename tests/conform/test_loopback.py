"""Real Linux TCP on loopback, captured during the test in a namespace of its own
(tests/conform/kernel_lab.py; root only, else skipped) and checked against
models/rfc9293.tcp: an open and close from each side and a refused connection conform; a
connection that carries data diverges at its first data segment (rfc9293.tcp as written
carries none: its len field is 0..DATA with DATA = 0)."""

from __future__ import annotations

import time

import pytest

from tcpcheck.analyses.capture import read
from tcpcheck.analyses.conform import CONFORMS, DIVERGES, conform
from tcpcheck.loader import load_file

from tests.conftest import ROOT
from tests.conform.kernel_lab import HOST, Capture, namespace


def _session(ns, port: int, server_closes_first: bool, data: bool) -> None:
    listener = ns.socket()
    listener.bind((HOST, port))
    listener.listen()
    client = ns.socket()
    client.connect((HOST, port))
    server, _ = listener.accept()
    if data:
        client.sendall(b"hello")
        server.recv(16)
    first, second = (server, client) if server_closes_first else (client, server)
    first.close()
    time.sleep(0.05)  # the FIN and its ACK before the other side closes: no simultaneous close
    second.close()
    listener.close()


def _refused(ns, port: int) -> None:
    with ns.socket() as s:
        with pytest.raises(ConnectionRefusedError):
            s.connect((HOST, port))


def test_real_loopback_connections(tmp_path):
    ports = [5001, 5002, 5003, 5004]
    with namespace() as ns:
        capture = Capture(ns)
        _session(ns, ports[0], server_closes_first=False, data=False)
        _session(ns, ports[1], server_closes_first=True, data=False)
        _refused(ns, ports[2])
        _session(ns, ports[3], server_closes_first=False, data=True)
        path = tmp_path / "lo.pcap"
        capture.stop(path)
    result = conform(load_file(str(ROOT / "models" / "rfc9293.tcp"), {}), read(str(path)))
    verdicts = {v.responder[1]: v for v in result.verdicts}
    assert sorted(verdicts) == sorted(ports)
    assert [verdicts[p].verdict for p in ports] == [CONFORMS, CONFORMS, CONFORMS, DIVERGES]
    assert [verdicts[p].segments for p in ports[:3]] == [7, 7, 2]
    data = verdicts[ports[3]]
    assert data.at.index == 4 and data.at.payload == 5
    assert "more than the model's len field holds (0..0)" in data.reason  # DATA = 0
