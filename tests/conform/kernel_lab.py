"""Kernel-to-kernel TCP connections made during a test, in a network namespace of their
own, with their segments captured as the kernel delivers them on the namespace's ``lo``
(an AF_PACKET socket: the kernel's own capture interface).  Root and ``ip netns`` only;
elsewhere the tests that use it skip, saying why.

Some scenarios need segments to cross in flight (a simultaneous close).  On a bare
loopback a segment is delivered within the sender's own system call, so nothing ever
crosses; a token-bucket qdisc (tbf, built into the kernel where netem may not be) on the
namespace's ``lo`` gives every frame a few milliseconds of queueing once its bucket is
drained, which :meth:`Namespace.drain_bucket` does with a few UDP datagrams."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from contextlib import contextmanager

import dpkt
import pytest

from tcpcheck.probe.lab import entered
from tests.conform import pcaps

HOST = "127.0.0.1"
FILLER_PORT = 9  # the discard port: a UDP socket bound there swallows the filler


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "kernel captures need root (network namespaces, AF_PACKET)"
    done = subprocess.run(["ip", "netns", "list"], capture_output=True)
    if done.returncode != 0:
        return "'ip netns' is not available here"
    return None


class Namespace:
    """A fresh network namespace with ``lo`` up; sockets are made inside it."""

    def __init__(self, name: str):
        self.name = name

    def run(self, *argv: str) -> None:
        subprocess.run(["ip", "netns", "exec", self.name, *argv], check=True,
                       capture_output=True)

    def sysctl(self, key: str, value: str) -> None:
        self.run("sysctl", "-q", "-w", f"{key}={value}")

    def socket(self, *args) -> socket.socket:
        with entered(self.name):
            return socket.socket(*args)

    def shape(self, rate: str = "64kbit") -> None:
        """Queue every frame on lo behind a token bucket of ``rate`` (about 8 ms for a bare
        TCP segment at 64 kbit/s) once the bucket's 200 bytes are spent."""
        self.run("tc", "qdisc", "add", "dev", "lo", "root", "tbf", "rate", rate,
                 "burst", "200", "latency", "5s")

    def drain_bucket(self) -> None:
        """Spend the token bucket (and queue about 70 ms of frames) so that the segments
        sent next wait in the queue: what both sides send now crosses in flight."""
        sink = self.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sink.bind((HOST, FILLER_PORT))
        for _ in range(4):
            sink.sendto(b"x" * 100, (HOST, FILLER_PORT))
        sink.close()


@contextmanager
def namespace():
    why = _why_not()
    if why:
        pytest.skip(why)
    ns = Namespace(f"tcpcheck-test-{os.getpid()}-{os.urandom(3).hex()}")
    subprocess.run(["ip", "netns", "add", ns.name], check=True, capture_output=True)
    try:
        ns.run("ip", "link", "set", "lo", "up")
        yield ns
    finally:
        subprocess.run(["ip", "netns", "del", ns.name], capture_output=True)


class Capture:
    """The TCP frames delivered on the namespace's lo, until :meth:`stop` (each once: lo
    shows an outgoing copy of every frame too, left out)."""

    def __init__(self, ns: Namespace):
        self.sniffer = ns.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL
        self.sniffer.bind(("lo", 0))
        self.sniffer.settimeout(0.05)
        self.frames, self.done = [], False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.done:
            try:
                data, address = self.sniffer.recvfrom(65535)
            except socket.timeout:
                continue
            if address[2] != socket.PACKET_OUTGOING and segment_of(data) is not None:
                self.frames.append(data)

    def stop(self, path, settle: float = 0.3) -> list:
        """Wait ``settle`` seconds for the last segments, stop, write the capture to
        ``path`` (pcap) and return the TCP headers captured."""
        time.sleep(settle)
        self.done = True
        self.thread.join()
        self.sniffer.close()
        pcaps.write(path, self.frames)
        return [segment_of(f) for f in self.frames]


def segment_of(frame: bytes):
    tcp = dpkt.ethernet.Ethernet(frame).data.data
    return tcp if isinstance(tcp, dpkt.tcp.TCP) else None


def flags(tcp) -> str:
    """``tcp``'s flags as the letters of tests.conform.pcaps (S, A, F, R, P)."""
    return "".join(c for c, bit in pcaps.FLAGS.items() if tcp.flags & bit)
