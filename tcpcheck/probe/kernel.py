"""A real socket in a control state, probed with crafted segments (the lab of
:mod:`tcpcheck.probe.lab`).

Each case gets a fresh socket (or a fresh connection on a fresh port of the prober), so a
probe that changes the state (a RST that resets, a SYN that opens) never changes another
case.  The kernel side is driven through the ordinary socket API only: ``listen``,
``accept``, ``close``; the connection's other side is the crafted one (its SYN, its ACK,
its FIN), so the numbers of both sides are known exactly and a probe can carry the
connection's own numbers ("exact") or numbers far outside the window ("out of window").

Segments are built with dpkt (a well-kept library the project already uses to read
captures) and sent and captured on the craft namespace's end of the veth pair through one
AF_PACKET socket.  A reply is every segment from the socket's address and port to the
probe's within :data:`WINDOW` seconds of the probe.
"""

from __future__ import annotations

import select
import socket
import subprocess
import time
from dataclasses import dataclass

import dpkt

from tcpcheck.probe.lab import KERNEL_ADDR, PROBE_ADDR, Lab, entered, socket_states

WINDOW = 0.5  # seconds a probe waits for replies
ETH_P_ALL = 0x0003
FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
FAR = 1 << 30  # added to a number to put it far outside any window


@dataclass(frozen=True)
class ProbeKind:
    name: str
    flags: int


# the nmap probes of `tcpcheck scan`, and a RST
PROBE_KINDS = (ProbeKind("SYN", SYN), ProbeKind("ACK", ACK), ProbeKind("FIN", FIN),
               ProbeKind("NULL", 0), ProbeKind("Xmas", FIN | PSH | URG), ProbeKind("RST", RST))

# the control states a socket is driven into, and which numbers apply there: a state with a
# connection has the connection's own numbers ("exact") and numbers far outside its window
STATES = {"CLOSED": ("any",), "LISTEN": ("any",), "ESTABLISHED": ("exact", "out-of-window"),
          "TIME_WAIT": ("exact", "out-of-window")}


@dataclass(frozen=True)
class Sent:
    flags: int
    seq: int
    ack: int


@dataclass(frozen=True)
class Observation:
    """What the kernel did with one probe: the flags of each reply segment (in order), and
    the socket's state in ``ss -tan`` before and after (CLOSED when ss lists none)."""

    state: str
    probe: str
    numbers: str
    replies: tuple  # flag bits, one per segment
    before: str
    after: str
    error: str | None = None  # the socket could not be driven into the state


class Wire:
    """The craft side's AF_PACKET socket on its end of the pair: send a frame, read the
    kernel's TCP segments to the probe address."""

    def __init__(self, lab: Lab):
        self.lab = lab
        with entered(lab.craft_ns):
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            self.sock.bind((lab.craft_if, 0))
        self.sock.setblocking(False)

    def close(self) -> None:
        self.sock.close()

    def send(self, sport: int, dport: int, seg: Sent) -> None:
        tcp = dpkt.tcp.TCP(sport=sport, dport=dport, seq=seg.seq % (1 << 32),
                           ack=seg.ack % (1 << 32), flags=seg.flags, win=65535)
        ip = dpkt.ip.IP(src=socket.inet_aton(PROBE_ADDR), dst=socket.inet_aton(KERNEL_ADDR),
                        p=dpkt.ip.IP_PROTO_TCP, ttl=64, data=tcp)
        ip.len = len(ip)  # dpkt fills in the checksums (TCP's over the pseudo-header) on bytes()
        eth = dpkt.ethernet.Ethernet(dst=_mac_bytes(self.lab.kernel_mac),
                                     src=_mac_bytes(self.lab.craft_mac),
                                     type=dpkt.ethernet.ETH_TYPE_IP, data=ip)
        self.sock.send(bytes(eth))

    def drain(self) -> None:
        while self.receive(0.0, 0, 0, first=True):
            pass

    def receive(self, seconds: float, sport: int, dport: int, first: bool = False) -> list:
        """The kernel's segments from ``dport`` to ``sport`` within ``seconds`` (with
        ``first``, anything at all waiting now: used to empty the socket)."""
        deadline = time.monotonic() + seconds
        got = []
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.sock], [], [], max(left, 0))
            if not ready:
                return got
            frame = self.sock.recv(65535)
            if first:
                return [frame]
            tcp = _tcp_from(frame, dport, sport)
            if tcp is not None:
                got.append(tcp)


def _mac_bytes(text: str) -> bytes:
    return bytes(int(x, 16) for x in text.split(":"))


def _tcp_from(frame: bytes, sport: int, dport: int):
    try:
        eth = dpkt.ethernet.Ethernet(frame)
    except (dpkt.UnpackError, ValueError):
        return None
    ip = eth.data
    if not isinstance(ip, dpkt.ip.IP) or not isinstance(ip.data, dpkt.tcp.TCP):
        return None
    if socket.inet_ntoa(ip.src) != KERNEL_ADDR or socket.inet_ntoa(ip.dst) != PROBE_ADDR:
        return None
    tcp = ip.data
    return tcp if tcp.sport == sport and tcp.dport == dport else None


class Bench:
    """Sockets in the kernel namespace and the crafted side of their connections."""

    def __init__(self, lab: Lab):
        self.lab = lab
        self.wire = Wire(lab)
        self.sockets: list = []
        self.next_port = 20000

    def close(self) -> None:
        for s in self.sockets:
            s.close()
        self.wire.close()

    def _port(self) -> int:
        self.next_port += 1
        return self.next_port

    def _listener(self, port: int) -> socket.socket:
        with entered(self.lab.kernel_ns):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((KERNEL_ADDR, port))
        s.listen(8)
        self.sockets.append(s)
        return s

    def run_case(self, state: str, kind: ProbeKind, numbers: str) -> Observation:
        """Drive a fresh socket into ``state``, send ``kind`` with ``numbers``, observe."""
        sport, dport = self._port(), self._port()
        try:
            nxt = self._drive(state, sport, dport)  # (our next seq, the socket's next seq)
        except _NotDriven as why:
            return Observation(state, kind.name, numbers, (), "?", "?", str(why))
        before = self.state_of(sport, dport, state)
        seq, ack = _numbers(nxt, numbers)
        self.wire.drain()
        self.wire.send(sport, dport, Sent(kind.flags, seq, ack if kind.flags & ACK else 0))
        replies = self.wire.receive(WINDOW, sport, dport)
        after = self.state_of(sport, dport, state)
        return Observation(state, kind.name, numbers, tuple(int(t.flags) & 0x3F for t in replies),
                           before, after)

    def _drive(self, state: str, sport: int, dport: int):
        if state == "CLOSED":
            return (1000, 5000)  # nothing listens on dport
        listener = self._listener(dport)
        if state == "LISTEN":
            return (1000, 5000)
        ours = 1000
        self.wire.drain()
        self.wire.send(sport, dport, Sent(SYN, ours, 0))
        synack = [t for t in self.wire.receive(WINDOW, sport, dport) if t.flags & SYN]
        if not synack:
            raise _NotDriven("no SYN+ACK to the crafted SYN")
        theirs = synack[0].seq + 1
        self.wire.send(sport, dport, Sent(ACK, ours + 1, theirs))
        listener.settimeout(WINDOW)
        try:
            conn, _ = listener.accept()
        except OSError:
            raise _NotDriven("the crafted handshake did not complete (accept timed out)")
        self.sockets.append(conn)
        if state == "ESTABLISHED":
            return (ours + 1, theirs)
        # TIME_WAIT: the socket closes first (FIN-WAIT-1), the crafted side ACKs its FIN and
        # sends its own, the socket ACKs that and waits (RFC 9293 Figure 12)
        conn.close()
        fins = [t for t in self.wire.receive(WINDOW, sport, dport) if t.flags & FIN]
        if not fins:
            raise _NotDriven("the socket sent no FIN on close")
        self.wire.send(sport, dport, Sent(FIN | ACK, ours + 1, theirs + 1))
        if not [t for t in self.wire.receive(WINDOW, sport, dport) if t.flags & ACK]:
            raise _NotDriven("no ACK of the crafted FIN")
        return (ours + 2, theirs + 1)

    def state_of(self, sport: int, dport: int, state: str) -> str:
        """The socket's state as ``ss -tan`` in the kernel namespace lists it: the
        connection with the probe's address and port; in a LISTEN case, without one, the
        listener's."""
        return state_in(socket_states(self.lab.kernel_ns), dport, sport, state == "LISTEN")


class _NotDriven(Exception):
    pass


def _numbers(nxt, numbers: str):
    ours, theirs = nxt
    if numbers == "out-of-window":
        return ours + FAR, theirs + FAR
    return ours, theirs


def state_in(ss_text: str, local_port: int, peer_port: int, listener: bool) -> str:
    """The state of the socket ``KERNEL_ADDR:local_port`` with ``PROBE_ADDR:peer_port`` in
    ``ss -tan`` output; with ``listener``, a listening socket on the port when no connection
    matches; else CLOSED (no socket: the kernel answers for a closed port)."""
    listening = "CLOSED"
    for line in ss_text.splitlines()[1:]:
        cols = line.split()
        if len(cols) < 5:
            continue
        if cols[3] == f"{KERNEL_ADDR}:{local_port}":
            if cols[4] == f"{PROBE_ADDR}:{peer_port}":
                return _ss_state(cols[0])
            if listener and cols[0] == "LISTEN":
                listening = "LISTEN"
    return listening


_SS = {"ESTAB": "ESTABLISHED", "SYN-RECV": "SYN_RECEIVED", "SYN-SENT": "SYN_SENT",
       "FIN-WAIT-1": "FIN_WAIT_1", "FIN-WAIT-2": "FIN_WAIT_2", "TIME-WAIT": "TIME_WAIT",
       "CLOSE-WAIT": "CLOSE_WAIT", "LAST-ACK": "LAST_ACK", "CLOSING": "CLOSING",
       "LISTEN": "LISTEN", "UNCONN": "CLOSED"}


def _ss_state(text: str) -> str:
    return _SS.get(text, text)


def kernel_ready() -> bool:
    """Whether ``ip netns`` answers at all (the tests skip without it)."""
    try:
        return subprocess.run(["ip", "netns", "list"], capture_output=True).returncode == 0
    except OSError:
        return False
