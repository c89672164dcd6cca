"""Real sockets driven into control states, probed with crafted segments (the lab of
:mod:`tcpcheck.probe.lab`).

Each case gets a connection of its own (a fresh port pair), so a probe that changes the
state (a RST that resets, a SYN that opens) never changes another case.  The kernel side is
driven through the ordinary socket API only: ``listen``, ``connect``, ``accept``,
``close``; the connection's other side is the crafted one (its SYN, its ACK, its FIN), so
both sides' numbers are known exactly and a probe can carry the connection's own numbers
or numbers chosen relative to them (:data:`NUMBERS`).

The cases of one control state run as a **batch**: their connections are driven into the
state together, step by step (every SYN, then every SYN+ACK awaited, ...), then every probe
is sent and the replies of all of them are collected in one window of :data:`WINDOW`
seconds.  A reply is every segment from the socket's address and port to the probe's
within that window; the state is ``ss -tan`` in the kernel namespace, read once before
and once after the probes.  A batch runs well within the kernel's 1 s initial SYN and
SYN+ACK retransmission timeout, and the lab sets a route ``rto_min`` of seconds, so no
timer's retransmission falls into a window and passes for a reply.

Segments are built with dpkt (a well-kept library the project already uses to read
captures) and sent and captured on the craft namespace's end of the veth pair through one
AF_PACKET socket.
"""

from __future__ import annotations

import select
import socket
import subprocess
import time
from dataclasses import dataclass

import dpkt

from tcpcheck.probe.lab import KERNEL_ADDR, PROBE_ADDR, Lab, entered, socket_states

WINDOW = 0.3  # seconds a batch waits for the replies to its probes
STEP = 1.0  # seconds a driving step waits for the kernel's segments at most
ETH_P_ALL = 0x0003
FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
OUR_ISS = 1000  # the crafted side's initial sequence number
FAR = 1 << 30  # "above": this far past a number (after it in 32-bit sequence space)
BEHIND = 1 << 20  # "below": this far before RCV.NXT: outside any window, an old segment
AHEAD = 1000  # "ack-ahead": an acknowledgement of this many numbers never sent


@dataclass(frozen=True)
class ProbeKind:
    name: str
    flags: int
    payload: bytes = b""
    then_close: bool = False  # the socket is closed (close(2)) once the probe has arrived


# the probes: the control segments, nmap's NULL and Xmas, and one byte of data
PROBE_KINDS = (ProbeKind("SYN", SYN), ProbeKind("ACK", ACK), ProbeKind("FIN", FIN),
               ProbeKind("RST", RST), ProbeKind("SYN-ACK", SYN | ACK),
               ProbeKind("FIN-ACK", FIN | ACK), ProbeKind("NULL", 0),
               ProbeKind("Xmas", FIN | PSH | URG), ProbeKind("data", PSH | ACK, b"x"))
# a socket with unread data closed: one byte of data, then close(2) (RFC 1122 4.2.2.13);
# not among PROBE_KINDS, which every state gets
UNREAD_CLOSE = ProbeKind("data-close", PSH | ACK, b"x", then_close=True)
KIND = {k.name: k for k in PROBE_KINDS + (UNREAD_CLOSE,)}
CLOSE_DELAY = 0.05  # seconds between a then_close probe and the close: the data has arrived

# the numbers a probe carries, relative to the connection's RCV.NXT and SND.NXT (the
# kernel's): (seq offset, ack offset); "any" is for a socket without a connection
NUMBERS = {"any": (0, 0), "exact": (0, 0), "above": (FAR, FAR), "below": (-BEHIND, 0),
           "inexact": (1, 0), "ack-ahead": (0, AHEAD), "retransmitted": (-1, 0),
           "queue-full": (0, 0)}  # "any", at a listener whose accept queue is full

NO_CONNECTION = ("CLOSED", "LISTEN")
PASSIVE = ("SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSING", "TIME_WAIT",
           "CLOSE_WAIT", "LAST_ACK")
STATES = NO_CONNECTION + ("SYN_SENT",) + PASSIVE
# the states whose socket closed first: its FIN is awaited before the probe
CLOSED_FIRST = ("FIN_WAIT_1", "FIN_WAIT_2", "CLOSING", "TIME_WAIT")


@dataclass(frozen=True)
class Sent:
    flags: int
    seq: int
    ack: int
    payload: bytes = b""


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
                           ack=seg.ack % (1 << 32), flags=seg.flags, win=65535,
                           data=seg.payload)
        ip = dpkt.ip.IP(src=socket.inet_aton(PROBE_ADDR), dst=socket.inet_aton(KERNEL_ADDR),
                        p=dpkt.ip.IP_PROTO_TCP, ttl=64, data=tcp)
        ip.len = len(ip)  # dpkt fills in the checksums (TCP's over the pseudo-header) on bytes()
        eth = dpkt.ethernet.Ethernet(dst=_mac_bytes(self.lab.kernel_mac),
                                     src=_mac_bytes(self.lab.craft_mac),
                                     type=dpkt.ethernet.ETH_TYPE_IP, data=ip)
        self.sock.send(bytes(eth))

    def drain(self) -> None:
        """Forget every frame waiting now."""
        while select.select([self.sock], [], [], 0)[0]:
            self.sock.recv(65535)

    def collect(self, seconds: float, enough=None) -> list:
        """The kernel's segments to the probe address within ``seconds``, in arrival
        order; with ``enough``, called on each segment as it comes, until it says True."""
        deadline = time.monotonic() + seconds
        got: list = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return got
            tcp = _tcp_from(self.sock.recv(65535))
            if tcp is None:
                continue
            got.append(tcp)
            if enough is not None and enough(tcp):
                return got


def _mac_bytes(text: str) -> bytes:
    return bytes(int(x, 16) for x in text.split(":"))


def _tcp_from(frame: bytes):
    try:
        eth = dpkt.ethernet.Ethernet(frame)
    except (dpkt.UnpackError, ValueError):
        return None
    ip = eth.data
    if not isinstance(ip, dpkt.ip.IP) or not isinstance(ip.data, dpkt.tcp.TCP):
        return None
    if socket.inet_ntoa(ip.src) != KERNEL_ADDR or socket.inet_ntoa(ip.dst) != PROBE_ADDR:
        return None
    return ip.data


@dataclass
class Conn:
    """One case's connection while it is driven: the crafted side's port (``sport``), the
    socket's (``dport``), RCV.NXT and SND.NXT of the socket (``ours``, ``theirs``)."""

    kind: ProbeKind
    numbers: str
    sport: int
    dport: int
    ours: int = OUR_ISS
    theirs: int = 5000
    sock: socket.socket | None = None  # the connected socket, until it is closed
    error: str | None = None


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

    def _kernel_socket(self) -> socket.socket:
        with entered(self.lab.kernel_ns):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sockets.append(s)
        return s

    def _listener(self, port: int) -> socket.socket:
        s = self._kernel_socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((KERNEL_ADDR, port))
        s.listen(8)
        s.setblocking(False)
        return s

    def run_batch(self, state: str, probes: list) -> list:
        """Drive one fresh connection per ``(kind name, numbers)`` into ``state``, send
        each its probe, observe; one :class:`Observation` per probe, in order."""
        conns = [Conn(KIND[name], numbers, self._port(), self._port())
                 for name, numbers in probes]
        _Driver(self, state).drive(conns)
        live = [c for c in conns if c.error is None]
        before = socket_states(self.lab.kernel_ns)
        self.wire.drain()
        for c in live:
            self.wire.send(c.sport, c.dport, _probe_segment(c))
        closing = [c for c in live if c.kind.then_close and c.sock is not None]
        if closing:  # the replies wait in the wire's queue meanwhile
            time.sleep(CLOSE_DELAY)
            for c in closing:
                c.sock.close()
        replies = self.wire.collect(WINDOW)
        after = socket_states(self.lab.kernel_ns)
        listener = state in ("LISTEN", "SYN_RECEIVED")
        out = []
        for c in conns:
            if c.error is not None:
                out.append(Observation(state, c.kind.name, c.numbers, (), "?", "?", c.error))
                continue
            mine = tuple(int(t.flags) & 0x3F for t in replies
                         if t.sport == c.dport and t.dport == c.sport)
            out.append(Observation(state, c.kind.name, c.numbers, mine,
                                   state_in(before, c.dport, c.sport, listener),
                                   state_in(after, c.dport, c.sport, listener)))
        return out


def _probe_segment(c: Conn) -> Sent:
    dseq, dack = NUMBERS[c.numbers]
    ack = c.theirs + dack if c.kind.flags & ACK else 0
    return Sent(c.kind.flags, c.ours + dseq, ack, c.kind.payload)


class _Driver:
    """The steps that take a batch of fresh connections into one control state.  A step
    sends to every connection still on course, then waits (at most :data:`STEP` seconds)
    for each one's answer; a connection whose answer does not come is left with an
    error (its case is reported as not run)."""

    def __init__(self, bench: Bench, state: str):
        self.bench, self.wire, self.state = bench, bench.wire, state

    def drive(self, conns: list) -> None:
        state = self.state
        if state == "CLOSED":
            return  # nothing listens on the port: the kernel answers for a closed port
        if state == "SYN_SENT":
            self._connect(conns)
            return
        listeners = {c.dport: self.bench._listener(c.dport) for c in conns}
        if state == "LISTEN":
            self._fill_queues([c for c in conns if c.numbers == "queue-full"], listeners)
            return
        self._step(conns, lambda c: Sent(SYN, OUR_ISS, 0), lambda c, t: t.flags & SYN,
                   "no SYN+ACK to the crafted SYN", self._learn_iss)
        for c in conns:
            c.ours = OUR_ISS + 1
        if state == "SYN_RECEIVED":
            return
        for c in self._on(conns):
            self.wire.send(c.sport, c.dport, Sent(ACK, c.ours, c.theirs))
        self._accept(conns, listeners)
        if state in CLOSED_FIRST:
            self._close_first(conns)
        elif state in ("CLOSE_WAIT", "LAST_ACK"):
            self._step(conns, lambda c: Sent(FIN | ACK, c.ours, c.theirs),
                       lambda c, t: t.flags & ACK and t.ack == (c.ours + 1) % (1 << 32),
                       "the crafted FIN was not acknowledged", _advance_ours)
            if state == "LAST_ACK":
                self._close(conns, "the socket sent no FIN on close")

    def _on(self, conns: list) -> list:
        return [c for c in conns if c.error is None]

    def _learn_iss(self, c: Conn, t) -> None:
        c.theirs = t.seq + 1

    def _step(self, conns, segment, answers, why, learn=None) -> None:
        """Send ``segment(c)`` on every connection on course (None: send nothing), then
        wait for a segment with ``answers(c, tcp)`` on each; ``learn(c, tcp)`` on it."""
        on = self._on(conns)
        self.wire.drain()
        for c in on:
            seg = segment(c)
            if seg is not None:
                self.wire.send(c.sport, c.dport, seg)
        waiting = {(c.dport, c.sport): c for c in on}
        got: dict = {}

        def enough(t) -> bool:
            c = waiting.get((t.sport, t.dport))
            if c is not None and (t.sport, t.dport) not in got and answers(c, t):
                got[(t.sport, t.dport)] = t
            return len(got) == len(waiting)

        if waiting:
            self.wire.collect(STEP, enough)
        for key, c in waiting.items():
            if key in got:
                if learn is not None:
                    learn(c, got[key])
            else:
                c.error = why

    def _connect(self, conns: list) -> None:
        """SYN-SENT: the socket connects (non-blocking) to the probe address; its SYN is
        awaited (the crafted side never answers it)."""
        def connect(c: Conn):
            s = self.bench._kernel_socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((KERNEL_ADDR, c.dport))
            s.setblocking(False)
            s.connect_ex((PROBE_ADDR, c.sport))
            c.sock = s
            return None
        self._step(conns, connect, lambda c, t: t.flags & SYN, "the socket sent no SYN",
                   self._learn_iss)

    def _fill_queues(self, conns: list, listeners: dict) -> None:
        """A listener with a full accept queue: its backlog set to 0, then one connection
        from another port completes the handshake and is never accepted."""
        if not conns:
            return
        fillers = []
        for c in conns:
            listeners[c.dport].listen(0)
            fillers.append(Conn(c.kind, "any", self.bench._port(), c.dport))
        self._step(fillers, lambda f: Sent(SYN, OUR_ISS, 0), lambda f, t: t.flags & SYN,
                   "no SYN+ACK to the filler's SYN", self._learn_iss)
        for f, c in zip(fillers, conns):
            if f.error is not None:
                c.error = "the accept queue could not be filled: " + f.error
                continue
            self.wire.send(f.sport, f.dport, Sent(ACK, OUR_ISS + 1, f.theirs))
        time.sleep(0.01)  # the ACK makes the queued connection

    def _accept(self, conns: list, listeners: dict) -> None:
        deadline = time.monotonic() + STEP
        pending = {c.dport: c for c in self._on(conns)}
        while pending and time.monotonic() < deadline:
            for port, c in list(pending.items()):
                try:
                    c.sock, _ = listeners[port].accept()
                except BlockingIOError:
                    continue
                self.bench.sockets.append(c.sock)
                del pending[port]
            if pending:
                time.sleep(0.005)
        for c in pending.values():
            c.error = "the crafted handshake did not complete (nothing to accept)"

    def _close(self, conns: list, why: str) -> None:
        """The socket closes (the application is gone: the rest of the connection is the
        kernel's, an orphan); its FIN is awaited, SND.NXT moves past it."""
        def close(c: Conn):
            c.sock.close()
            return None
        self._step(conns, close, lambda c, t: t.flags & FIN, why, _advance_theirs)

    def _close_first(self, conns: list) -> None:
        """FIN-WAIT-1 and the states after it: the socket closes first."""
        self._close(conns, "the socket sent no FIN on close")
        if self.state == "FIN_WAIT_2":  # the crafted side ACKs the FIN (nothing comes back)
            for c in self._on(conns):
                self.wire.send(c.sport, c.dport, Sent(ACK, c.ours, c.theirs))
            time.sleep(0.01)
        elif self.state in ("CLOSING", "TIME_WAIT"):
            # CLOSING: the crafted FIN crosses the socket's (it does not acknowledge it);
            # TIME-WAIT: it acknowledges it (RFC 9293 Figures 13 and 12)
            acked = self.state == "TIME_WAIT"
            self._step(conns, lambda c: Sent(FIN | ACK, c.ours, c.theirs - (0 if acked else 1)),
                       lambda c, t: t.flags & ACK and t.ack == (c.ours + 1) % (1 << 32),
                       "the crafted FIN was not acknowledged", _advance_ours)


def _advance_ours(c: Conn, t) -> None:
    c.ours += 1


def _advance_theirs(c: Conn, t) -> None:
    c.theirs = t.seq + 1


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
       "LISTEN": "LISTEN", "UNCONN": "CLOSED", "CLOSE": "CLOSED"}


def _ss_state(text: str) -> str:
    return _SS.get(text, text)


def kernel_ready() -> bool:
    """Whether ``ip netns`` answers at all (the tests skip without it)."""
    try:
        return subprocess.run(["ip", "netns", "list"], capture_output=True).returncode == 0
    except OSError:
        return False
