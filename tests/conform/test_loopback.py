"""Real Linux TCP on loopback, captured during the test (an AF_PACKET socket on ``lo``, the
kernel's own capture interface; root only, else skipped) and checked against
models/rfc9293.tcp: an open and close from each side and a refused connection conform; a
connection that carries data diverges at its first data segment (the model has none)."""

from __future__ import annotations

import socket
import threading
import time

import dpkt
import pytest

from tcpcheck.analyses.capture import read
from tcpcheck.analyses.conform import CONFORMS, DIVERGES, conform
from tcpcheck.loader import load_file

from tests.conftest import ROOT
from tests.conform import pcaps


def _sniffer():
    try:
        sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL
        sniffer.bind(("lo", 0))
    except (OSError, AttributeError) as err:
        pytest.skip(f"cannot capture on lo (needs Linux and root): {err}")
    sniffer.settimeout(0.1)
    return sniffer


class _Capture:
    """The TCP frames on lo to or from ``ports``, until stopped (each once: lo shows an
    outgoing copy of every packet too)."""

    def __init__(self, ports):
        self.sniffer, self.ports, self.frames, self.done = _sniffer(), set(ports), [], False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.done:
            try:
                data, address = self.sniffer.recvfrom(65535)
            except socket.timeout:
                continue
            if address[2] != socket.PACKET_OUTGOING and self._ours(data):
                self.frames.append(data)

    def _ours(self, data) -> bool:
        tcp = dpkt.ethernet.Ethernet(data).data.data
        return isinstance(tcp, dpkt.tcp.TCP) and bool({tcp.sport, tcp.dport} & self.ports)

    def stop(self) -> list:
        time.sleep(0.2)
        self.done = True
        self.thread.join()
        self.sniffer.close()
        return self.frames


def _free_ports(n: int) -> list:
    found, held = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        held.append(s)
        found.append(s.getsockname()[1])
    for s in held:
        s.close()
    return found


def _session(port: int, server_closes_first: bool, data: bool) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", port))
    listener.listen()
    client = socket.create_connection(("127.0.0.1", port))
    server, _ = listener.accept()
    if data:
        client.sendall(b"hello")
        server.recv(16)
    first, second = (server, client) if server_closes_first else (client, server)
    first.close()
    time.sleep(0.05)  # the FIN and its ACK before the other side closes: no simultaneous close
    second.close()
    listener.close()


def _refused(port: int) -> None:
    with socket.socket() as s:
        with pytest.raises(ConnectionRefusedError):
            s.connect(("127.0.0.1", port))


def test_real_loopback_connections(tmp_path):
    ports = _free_ports(4)
    capture = _Capture(ports)
    _session(ports[0], server_closes_first=False, data=False)
    _session(ports[1], server_closes_first=True, data=False)
    _refused(ports[2])
    _session(ports[3], server_closes_first=False, data=True)
    path = tmp_path / "lo.pcap"
    pcaps.write(path, capture.stop())
    result = conform(load_file(str(ROOT / "models" / "rfc9293.tcp"), {}), read(str(path)))
    verdicts = {v.responder[1]: v for v in result.verdicts}
    assert sorted(verdicts) == sorted(ports)
    assert [verdicts[p].verdict for p in ports] == [CONFORMS, CONFORMS, CONFORMS, DIVERGES]
    assert [verdicts[p].segments for p in ports[:3]] == [7, 7, 2]
    data = verdicts[ports[3]]
    assert data.at.index == 4 and data.at.payload == 5
    assert "the model has no data transfer" in data.reason
