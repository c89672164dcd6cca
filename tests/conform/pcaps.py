"""Captures made from hand-built segment lists with dpkt, for the conform tests and
bench/conform.py: each segment is ``(from, flags, seq, ack)`` or with a payload length (and
a window, 65535 without), ``from`` 0 (the opener) or 1, numbers relative to that side's ISN
(the ack to the other's)."""

from __future__ import annotations

import socket

import dpkt

FLAGS = {"F": 1, "S": 2, "R": 4, "P": 8, "A": 16}

OPEN_CLOSE = (  # Figure 6 and Figure 12 of RFC 9293: the opener closes first
    (0, "S", 0, 0), (1, "SA", 0, 1), (0, "A", 1, 1),
    (0, "FA", 1, 1), (1, "A", 1, 2), (1, "FA", 1, 2), (0, "A", 2, 2),
)


def flags_of(text: str) -> int:
    return sum(FLAGS[c] for c in text)


def frame(segment, hosts, isns, ipv6=False, ethernet=True) -> bytes:
    """One packet of ``segment`` between ``hosts`` ((address, port) of side 0, of side 1)
    with the sides' ISNs ``isns``."""
    side, flags, seq, ack, *rest = segment
    payload = b"x" * (rest[0] if rest else 0)
    src, dst = hosts[side], hosts[1 - side]
    tcp = dpkt.tcp.TCP(sport=src[1], dport=dst[1], flags=flags_of(flags),
                       seq=(isns[side] + seq) % 2**32, ack=(isns[1 - side] + ack) % 2**32
                       if "A" in flags else 0, win=rest[1] if len(rest) > 1 else 65535,
                       data=payload)
    if ipv6:
        family, proto = socket.AF_INET6, dpkt.ethernet.ETH_TYPE_IP6
        ip = dpkt.ip6.IP6(src=socket.inet_pton(family, src[0]), dst=socket.inet_pton(family, dst[0]),
                          nxt=dpkt.ip.IP_PROTO_TCP, hlim=64, plen=len(bytes(tcp)), data=tcp)
    else:
        family, proto = socket.AF_INET, dpkt.ethernet.ETH_TYPE_IP
        ip = dpkt.ip.IP(src=socket.inet_pton(family, src[0]), dst=socket.inet_pton(family, dst[0]),
                        p=dpkt.ip.IP_PROTO_TCP, data=tcp)
        ip.len = len(bytes(ip))
    if not ethernet:
        return bytes(ip)
    return bytes(dpkt.ethernet.Ethernet(src=b"\x02" * 6, dst=b"\x04" * 6, type=proto, data=ip))


def write(path, frames, pcapng=False, linktype=1) -> None:
    """Write ``frames`` (bytes) as a pcap (or pcapng) file, one millisecond apart."""
    with open(path, "wb") as f:
        writer = (dpkt.pcapng.Writer(f, linktype=linktype) if pcapng
                  else dpkt.pcap.Writer(f, linktype=linktype))
        for i, data in enumerate(frames):
            writer.writepkt(data, ts=1_700_000_000 + i / 1000)


def connection(segments, hosts=(("10.0.0.1", 40000), ("10.0.0.2", 80)),
               isns=(1_000_000, 3_000_000_000), ipv6=False) -> list:
    return [frame(s, hosts, isns, ipv6) for s in segments]
