"""Reading a packet capture (pcap or pcapng, through dpkt) into TCP segments, split into
connections: what ``tcpcheck conform`` checks against a model (spec/MANUAL.md 14.18).

Only what the capture shows is kept, as plain numbers; nothing here knows a model.  A
packet that is not TCP is counted and left out; a packet that cannot be decoded (a short
header, a bad length) is counted as malformed and left out; a file that is not a capture at
all, or ends inside its own header, is a :class:`CaptureError` (exit code 2).
"""

from __future__ import annotations

import functools
import socket
import struct
from dataclasses import dataclass

import dpkt

from tcpcheck.diagnostics import TcpcheckError

PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
PCAP_MAGICS = {b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x4d\x3c\xb2\xa1"}

# link types (https://www.tcpdump.org/linktypes.html) and how each frame is opened
LINK_ETHERNET, LINK_NULL, LINK_LOOP, LINK_SLL, LINK_SLL2 = 1, 0, 108, 113, 276
LINK_RAW = (12, 14, 101)  # raw IP (12 and 14 are the BSDs' numbers for it)
LINK_IPV4, LINK_IPV6 = 228, 229

# the TCP header's flag bits the models speak of; PSH and URG concern data, ECE and CWR
# congestion, neither of which a model has (tcpcheck.model.ir.Flag has the same bit values)
FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16
CONTROL = FIN | SYN | RST | ACK

DECODE_ERRORS = (dpkt.UnpackError, dpkt.NeedData, struct.error, ValueError, IndexError,
                 KeyError, TypeError, AttributeError, OSError)


class CaptureError(TcpcheckError):
    """The file is missing, unreadable or not a pcap/pcapng capture (exit code 2)."""


@dataclass(frozen=True)
class Packet:
    """One TCP segment as captured: ``number`` counts every packet of the file from 1 (as
    Wireshark numbers frames); addresses are text, ports ints; ``flags`` all eight header
    bits; ``payload`` the data length from the IP header's lengths."""

    number: int
    time: float
    src: tuple  # (address, port)
    dst: tuple
    flags: int
    seq: int
    ack: int
    payload: int
    window: int


@dataclass(frozen=True)
class Capture:
    """A capture's TCP segments in file order and what was left out."""

    path: str
    format: str  # "pcap" or "pcapng"
    link: int
    packets: tuple
    total: int  # packets in the file (records read)
    non_tcp: int
    malformed: int
    truncated: bool  # the file ends inside a packet record (that record is left out)


@dataclass(frozen=True)
class Connection:
    """One incarnation of one address pair: ``opener`` is the endpoint (address, port) that
    sent the first segment (the SYN, when the capture holds it)."""

    number: int  # from 1, in order of first appearance
    opener: tuple
    responder: tuple
    incarnation: int  # from 1, per address pair
    packets: tuple


def read(path: str) -> Capture:
    """The TCP segments of the capture at ``path``."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
            f.seek(0)
            reads = _Reads(f)
            kind, reader = _reader(path, head, reads)
            return _collect(path, kind, reader, reads)
    except OSError as err:
        raise CaptureError(f"cannot read {path}: {err.strerror or err}") from None


def _reader(path: str, head: bytes, f):
    if head == PCAPNG_MAGIC:
        kind, make = "pcapng", dpkt.pcapng.Reader
    elif head in PCAP_MAGICS:
        kind, make = "pcap", dpkt.pcap.Reader
    else:
        raise CaptureError(f"{path} is not a pcap or pcapng capture "
                           f"(it begins with {head.hex() or 'nothing'})")
    try:
        return kind, make(f)
    except DECODE_ERRORS as err:
        raise CaptureError(f"{path}: its {kind} header cannot be read ({_why(err)}); the file "
                           f"is truncated or damaged") from None


def _why(err) -> str:
    return str(err) or type(err).__name__


class _Reads:
    """The file as dpkt reads it, noting a read that found fewer bytes than it asked for
    (and more than none): the file ends inside a record.  dpkt's pcap reader hands such a
    record on, cut short, as if it were whole."""

    def __init__(self, f):
        self.f = f
        self.cut = False

    def read(self, n=-1):
        data = self.f.read(n)
        if n is not None and 0 < len(data) < n:
            self.cut = True
        return data

    def __getattr__(self, name):
        return getattr(self.f, name)


def _records(reader, reads: _Reads) -> tuple:
    """The capture's (timestamp, frame) records, and whether the file ends inside one
    (that record is left out)."""
    found, records = [], iter(reader)
    while True:
        try:
            found.append(next(records))
        except StopIteration:
            break
        except DECODE_ERRORS:
            return found, True  # dpkt cannot go past a damaged record: the rest is lost
    if reads.cut and found:
        found.pop()
    return found, reads.cut


def _collect(path, kind, reader, reads: _Reads) -> Capture:
    link = reader.datalink()
    records, truncated = _records(reader, reads)
    packets, non_tcp, malformed = [], 0, 0
    for number, (stamp, frame) in enumerate(records, 1):
        try:
            packet = _decode(link, number, stamp, frame)
        except DECODE_ERRORS:
            malformed += 1
            continue
        if packet is None:
            non_tcp += 1
        else:
            packets.append(packet)
    return Capture(path, kind, link, tuple(packets), len(records), non_tcp, malformed,
                   truncated)


def _decode(link: int, number: int, stamp, frame: bytes) -> Packet | None:
    """The packet's TCP segment, None when it carries none; raises a DECODE_ERRORS error
    when it is malformed."""
    ip = _network(link, frame)
    if ip is None:
        return None
    if isinstance(ip, dpkt.ip.IP):
        if ip.p != dpkt.ip.IP_PROTO_TCP or ip.offset:  # a later fragment has no TCP header
            return None
        family, data_len = socket.AF_INET, ip.len - ip.hl * 4
    else:
        if not isinstance(ip.data, dpkt.tcp.TCP):
            return None
        family, data_len = socket.AF_INET6, None
    tcp = ip.data
    if not isinstance(tcp, dpkt.tcp.TCP) or tcp.off < 5:
        raise ValueError("not a whole TCP header")
    header = tcp.off * 4
    payload = len(tcp.data) if data_len is None else data_len - header
    if payload < 0:
        raise ValueError("a TCP header longer than its packet")
    src, dst = (_address(family, ip.src), tcp.sport), (_address(family, ip.dst), tcp.dport)
    return Packet(number, float(stamp), src, dst, tcp.flags, tcp.seq, tcp.ack, payload, tcp.win)


@functools.lru_cache(maxsize=65_536)  # a capture has few addresses and many packets
def _address(family: int, raw: bytes) -> str:
    return socket.inet_ntop(family, raw)


def _network(link: int, frame: bytes):
    """The frame's IPv4 or IPv6 packet (dpkt objects), None for anything else."""
    if link == LINK_ETHERNET:
        inner = dpkt.ethernet.Ethernet(frame).data
    elif link in (LINK_NULL, LINK_LOOP):
        inner = dpkt.loopback.Loopback(frame).data
    elif link == LINK_SLL:
        inner = dpkt.sll.SLL(frame).data
    elif link == LINK_SLL2:
        inner = dpkt.sll2.SLL2(frame).data
    elif link in LINK_RAW or link in (LINK_IPV4, LINK_IPV6):
        inner = _raw_ip(frame)
    else:
        raise CaptureError(f"the capture's link type {link} is not one tcpcheck reads "
                           f"(Ethernet, Linux cooked SLL/SLL2, raw IP, loopback)")
    return inner if isinstance(inner, (dpkt.ip.IP, dpkt.ip6.IP6)) else None


def _raw_ip(frame: bytes):
    version = frame[0] >> 4 if frame else 0
    if version == 4:
        return dpkt.ip.IP(frame)
    if version == 6:
        return dpkt.ip6.IP6(frame)
    return None


def connections(capture: Capture) -> tuple:
    """The capture's connections in order of first appearance: its segments grouped by
    address pair, and an address pair's segments split into incarnations where a SYN
    without ACK follows the end of the previous one (a RST, or a FIN from each side)."""
    open_: dict = {}  # address pair -> [opener, responder, incarnation, packets, fins, reset]
    found: list = []
    for p in capture.packets:
        pair = frozenset((p.src, p.dst))
        current = open_.get(pair)
        if current is None or (_ended(current) and p.flags & (SYN | ACK) == SYN):
            count = current[2] + 1 if current is not None else 1
            current = [p.src, p.dst, count, [], set(), False]
            open_[pair] = current
            found.append(current)
        current[3].append(p)
        if p.flags & FIN:
            current[4].add(p.src)
        if p.flags & RST:
            current[5] = True
    return tuple(Connection(i, c[0], c[1], c[2], tuple(c[3])) for i, c in enumerate(found, 1))


def _ended(current) -> bool:
    return current[5] or len(current[4]) == 2
