"""A checker of packetdrill scripts, written from packetdrill's grammar as its parser
documents it (gtests/net/packetdrill/parser.y and lexer.l; the flag letters of
tcp_packet.c), for the subset of the language tcpcheck writes.  Not packetdrill's code:
the rules, restated.

* a line is blank, a ``//`` comment, or an event: ``event_time action``;
* ``event_time``: ``time`` (absolute) or ``+time`` (relative to the previous event), a
  ``time`` being an INTEGER (``[0-9]+``) or a FLOAT (``[0-9]*[.][0-9]+``), never negative;
* a TCP packet: ``direction flags seq [ack N] [win N] [options]``: direction ``<`` (inbound)
  or ``>`` (outbound); flags ``-`` (none), ``.`` (ACK alone) or a word of the letters
  ``FSRPEWAU01234567`` followed by an optional ``.``; seq ``START:END(LEN)`` with START and
  END 32-bit, LEN 16-bit and END == START + LEN; ack 32-bit; win 16-bit; options
  ``<...>`` (outbound only: the parser refuses it inbound) or ``<opt, ...>``;
* a system call: ``name(args) = result`` where result is an integer, and ``-1`` is
  followed by an errno name and, optionally, its text in parentheses.

tcpcheck adds one rule of its own, from packetdrill's use: an inbound packet has a window
(packetdrill builds the segment it injects from the line, and the models have none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TIME = r"(?:[0-9]+|[0-9]*\.[0-9]+)"
EVENT = re.compile(rf"(?P<time>\+?{TIME})\s+(?P<action>\S.*)")
PACKET = re.compile(r"(?P<dir>[<>])\s+(?P<flags>\S+)\s+(?P<start>[0-9]+):(?P<end>[0-9]+)"
                    r"\((?P<len>[0-9]+)\)(?:\s+ack\s+(?P<ack>[0-9]+))?"
                    r"(?:\s+win\s+(?P<win>[0-9]+))?(?:\s+<(?P<options>[^<>]*)>)?\s*")
FLAG_WORD = re.compile(r"[FSRPEWAU0-7]+\.?")
SYSCALL = re.compile(r"(?P<name>[a-z_][a-z0-9_]*)\((?P<args>.*)\)\s+=\s+(?P<result>-?[0-9]+)"
                     r"(?:\s+(?P<errno>E[A-Z0-9]+)(?:\s+\((?P<strerror>[^()]*)\))?)?\s*")
# the calls tcpcheck writes, with the number of arguments each takes in packetdrill
SYSCALLS = {"socket": 3, "bind": 3, "listen": 2, "accept": 3, "connect": 3, "fcntl": 3,
            "setsockopt": 5, "close": 1, "write": 3}
ARG = re.compile(r"\.\.\.|-?[0-9]+|[A-Z][A-Z0-9_]*(?:\|[A-Z][A-Z0-9_]*)*|\[[0-9]+\]"
                 r"|\{[a-z_]+=[0-9]+(?:, [a-z_]+=[0-9]+)*\}")
U32, U16 = 2 ** 32, 2 ** 16


@dataclass(frozen=True)
class Line:
    """A packet line, read back: direction ``<``/``>``, flags as written, seq, ack (None
    when absent)."""

    direction: str
    flags: str
    seq: int
    ack: int | None


def check_script(text: str) -> tuple:
    """Every packet line of ``text`` (a packetdrill script), in order; AssertionError naming
    the line for anything packetdrill's grammar would refuse."""
    packets = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("//"):
            continue
        match = EVENT.fullmatch(stripped)
        assert match, f"line {number}: not an event (time, then an action): {line!r}"
        action = match.group("action")
        if action[0] in "<>":
            packets.append(_packet(number, action))
        else:
            _syscall(number, action)
    return tuple(packets)


def _packet(number: int, text: str) -> Line:
    match = PACKET.fullmatch(text)
    assert match, f"line {number}: not a TCP packet: {text!r}"
    flags = match.group("flags")
    assert flags in ("-", ".") or FLAG_WORD.fullmatch(flags), \
        f"line {number}: flags {flags!r} are not packetdrill's"
    start, end, size = (int(match.group(k)) for k in ("start", "end", "len"))
    assert start < U32 and end < U32 and size < U16, f"line {number}: out of range"
    assert end == start + size, f"line {number}: inconsistent sequence numbers and size"
    ack = match.group("ack")
    assert ack is None or int(ack) < U32, f"line {number}: ack out of range"
    inbound = match.group("dir") == "<"
    win = match.group("win")
    assert win is None or int(win) < U16, f"line {number}: window out of range"
    if inbound:
        assert win is not None, f"line {number}: an inbound packet needs a window"
        assert match.group("options") != "...", \
            f"line {number}: <...> for TCP options can only be used with outbound packets"
    return Line(match.group("dir"), flags, start, None if ack is None else int(ack))


def _syscall(number: int, text: str) -> None:
    match = SYSCALL.fullmatch(text)
    assert match, f"line {number}: neither a packet nor a system call: {text!r}"
    name = match.group("name")
    assert name in SYSCALLS, f"line {number}: unexpected call {name}"
    args = _split(match.group("args"))
    assert len(args) == SYSCALLS[name], f"line {number}: {name} takes {SYSCALLS[name]} " \
                                        f"arguments, not {len(args)}"
    for arg in args:
        assert ARG.fullmatch(arg), f"line {number}: argument {arg!r} is not an expression"
    if match.group("result") == "-1":
        assert match.group("errno"), f"line {number}: a failing call names its errno"


def _split(args: str) -> list:
    """The arguments, split at the commas outside braces and brackets."""
    parts, depth, current = [], 0, ""
    for c in args:
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += c
    return parts + [current.strip()] if current.strip() else parts
