"""A replayer of the packetdrill scripts ``probe --packetdrill`` writes, against the kernel in
the probe lab: packetdrill itself is not installed here, so the tests play the script's
subset of packetdrill the way packetdrill does (its README): system calls on a real socket
in the kernel namespace; ``<`` lines injected with the peer's numbers as written (plus a
peer ISN) and the ack relative to the kernel's ISN; ``>`` lines awaited and compared (flags,
seq relative to the kernel's ISN, learnt from its first SYN only, ack relative to the peer's
ISN; options and windows not compared).  One rule stricter than packetdrill: a segment the
kernel sends within :data:`QUIET` seconds after the script's last line fails the replay, so
a predicted silence is checked too (a later one is a timer's: the kernel retransmits its
SYN+ACK after 1 s).  The
scripts run one after another on their own ports, their sockets kept open to the end.
Test code only: never shipped."""

from __future__ import annotations

import re
import socket
import time

from tcpcheck.probe.kernel import ACK, FIN, PSH, RST, SYN, URG, Sent, Wire
from tcpcheck.probe.lab import KERNEL_ADDR, PROBE_ADDR, entered

QUIET = 0.3  # seconds of silence awaited after the last script
WAIT = 1.0  # seconds an outbound line waits for its segment
PEER_ISN = 7000
LETTERS = {"S": SYN, "F": FIN, "R": RST, "P": PSH, "U": URG, ".": ACK}
EVENT = re.compile(r"\+?[0-9.]+ (?P<action>.*)")
PACKET = re.compile(r"(?P<dir>[<>]) (?P<flags>\S+) (?P<seq>[0-9]+):[0-9]+\((?P<len>[0-9]+)\)"
                    r"(?: ack (?P<ack>[0-9]+))?(?: win [0-9]+)?(?: <\.\.\.>)?")
CALL = re.compile(r"(?P<name>[a-z]+)\((?P<args>.*)\) = (?P<result>-?[0-9]+).*")
U32 = 2 ** 32


def bits(letters: str) -> int:
    return 0 if letters == "-" else sum(LETTERS[c] for c in letters)


class Sniffer:
    """The kernel's segments, kept per (kernel port, peer port) until a replay takes them."""

    def __init__(self, wire: Wire):
        self.wire = wire
        self.waiting: dict = {}

    def take(self, pair: tuple, seconds: float):
        """The next segment of ``pair``, waiting at most ``seconds``; None without one."""
        queue = self.waiting.setdefault(pair, [])
        if not queue:
            self.wire.collect(seconds, lambda t: self._keep(t) == pair)
        return queue.pop(0)[1] if queue else None

    def settle(self, seconds: float) -> dict:
        """Every segment not taken, after ``seconds`` more: {pair: [(arrival, segment)]}."""
        self.wire.collect(seconds, lambda t: self._keep(t) and False)
        return {pair: q for pair, q in self.waiting.items() if q}

    def _keep(self, t) -> tuple:
        pair = (t.sport, t.dport)
        self.waiting.setdefault(pair, []).append((time.monotonic(), t))
        return pair


class Replay:
    """One script against the lab, on its own pair of ports."""

    def __init__(self, lab, sniffer: Sniffer, kernel_port: int, peer_port: int):
        self.lab, self.sniffer, self.wire = lab, sniffer, sniffer.wire
        self.kport, self.pport = kernel_port, peer_port
        self.fds: dict = {}
        self.bound: set = set()
        self.ended = 0.0  # when the last line was played
        self.kernel_isn, self.isn_known = 0, False  # 0 until the kernel's first SYN

    def run(self, text: str) -> None:
        """Play ``text``; AssertionError naming the line on the first difference."""
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("//"):
                continue
            action = EVENT.fullmatch(line).group("action")
            packet = PACKET.fullmatch(action)
            if packet is None:
                self._call(number, CALL.fullmatch(action))
            elif packet.group("dir") == "<":
                self._inject(packet)
            else:
                self._expect(number, packet)
        self.ended = time.monotonic()

    def close(self) -> None:
        for s in self.fds.values():
            s.close()

    def _call(self, number: int, call) -> None:
        name, args = call.group("name"), [a.strip() for a in call.group("args").split(",")]
        if name == "socket":
            with entered(self.lab.kernel_ns):
                self.fds[int(call.group("result"))] = socket.socket(socket.AF_INET,
                                                                    socket.SOCK_STREAM)
            return
        s = self.fds[int(args[0])]
        if name == "bind":
            self._bind(s)
        elif name == "listen":
            s.listen(int(args[1]))
        elif name == "fcntl":
            s.setblocking(False)
        elif name == "connect":  # packetdrill's connection is on its own ports: bind them
            self._bind(s)
            assert s.connect_ex((PROBE_ADDR, self.pport)) != 0, f"line {number}: connected"
        elif name == "accept":
            self.fds[int(call.group("result"))] = self._accept(number, s)
        elif name == "close":
            s.close()
            del self.fds[int(args[0])]
        else:
            raise AssertionError(f"line {number}: the replayer does not know {name}")

    def _bind(self, s: socket.socket) -> None:
        if s not in self.bound:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((KERNEL_ADDR, self.kport))
            self.bound.add(s)

    def _accept(self, number: int, listener: socket.socket) -> socket.socket:
        listener.settimeout(WAIT)
        try:
            conn, _ = listener.accept()
        except OSError as err:
            raise AssertionError(f"line {number}: accept: {err}") from None
        return conn

    def _inject(self, packet) -> None:
        ack = packet.group("ack")
        length = int(packet.group("len"))
        self.wire.send(self.pport, self.kport, Sent(
            bits(packet.group("flags")), PEER_ISN + int(packet.group("seq")),
            0 if ack is None else self.kernel_isn + int(ack), b"x" * length))

    def _expect(self, number: int, packet) -> None:
        t = self.sniffer.take((self.kport, self.pport), WAIT)
        assert t is not None, f"line {number}: no segment from the kernel, expected " \
                              f"{packet.group(0)}"
        flags = int(t.flags) & 0x3F
        if flags & SYN and not self.isn_known:  # packetdrill learns the kernel's ISN from
            self.kernel_isn, self.isn_known = t.seq, True  # its first SYN, once a socket
        seen = (flags, (t.seq - self.kernel_isn) % U32,
                (t.ack - PEER_ISN) % U32 if flags & ACK else None)
        ack = packet.group("ack")
        wanted = (bits(packet.group("flags")), int(packet.group("seq")),
                  None if ack is None else int(ack))
        assert seen == wanted, f"line {number}: expected {packet.group(0)}, the kernel sent " \
                               f"{self._show(t)}"

    def _show(self, t) -> str:
        return (f"flags {int(t.flags) & 0x3F:#x} seq {(t.seq - self.kernel_isn) % U32} "
                f"ack {(t.ack - PEER_ISN) % U32}")


def replay_all(scripts: list) -> dict:
    """Replay each (name, text) in a fresh lab; {name: the failure, or None}."""
    from tcpcheck.probe import lab as probe_lab

    out: dict = {}
    with probe_lab.lab() as the_lab:
        sniffer = Sniffer(Wire(the_lab))
        replays = {}
        try:
            for i, (name, text) in enumerate(scripts):
                replays[name] = Replay(the_lab, sniffer, 30000 + i, 40000 + i)
                try:
                    replays[name].run(text)
                    out[name] = None
                except AssertionError as err:
                    out[name] = str(err)
            left = sniffer.settle(QUIET)
            for name, r in replays.items():
                late = [t for at, t in left.get((r.kport, r.pport), ())
                        if at - r.ended < QUIET]
                if late and out[name] is None:
                    out[name] = f"after the last line the kernel sent {r._show(late[0])}"
        finally:
            for r in replays.values():
                r.close()
            sniffer.wire.close()
    return out
