"""A ``tcpcheck probe`` case as a packetdrill script (``probe --packetdrill``), so that the
model's prediction for a case can be replayed against a stack outside tcpcheck.

The script does what the probe lab does (tcpcheck/probe/kernel.py), with packetdrill as the
crafted side: it drives a socket into the case's control state through the socket API
(socket, bind, listen, accept; a non-blocking connect; close), plays the peer's segments of
the way there, injects the probe segment, and expects the model's predicted reply.  The
lines are tcpcheck.render.packetdrill's (its :class:`Writer` and :class:`Packet`).

* Numbers: each side's ISN is 0, as in ``export packetdrill`` (packetdrill makes the kernel's
  numbers relative to its ISN); the probe carries the case's numbers relative to the
  connection's RCV.NXT and SND.NXT (:data:`tcpcheck.probe.kernel.NUMBERS`).  A state
  without a connection (CLOSED, LISTEN) gets the numbers of a fresh peer (seq 0, ack 0).
* The expected reply: the model predicts the flags of each reply segment, not its numbers;
  the script writes the numbers RFC 9293 gives a reply with those flags (3.10.7): a RST
  takes its seq from the probe's ACK field (0 without one) and, with ACK, acknowledges the
  probe (SEG.SEQ+SEG.LEN); a SYN (the kernel's SYN+ACK) is the kernel's ISN and
  acknowledges the probe's SYN; anything else is SND.NXT and acknowledges RCV.NXT, or the
  end of the probe when the model's state after is another (it took the probe in).
  packetdrill reads the kernel's seq relative to the ISN of its first SYN, so two replies
  cannot be said: a RST at seq 0 from a socket that has sent its SYN, and a SYN+ACK of a
  new connection from a state with one (a new ISN); the script says so above the line.  A prediction of several
  replies: a script expects one, the kernel's when the probe ran and the model allows it,
  else the model's first; the others are comments.
* The state after: a comment (packetdrill cannot read the state of a socket the
  application has closed, and most states here have one).
* No reply: a comment only; packetdrill notices a segment the kernel sends only when a
  later line expects another.

A case cannot be scripted when the model has no prediction for it, or when it needs a
second connection: ``queue-full`` fills the accept queue from another port, and a
packetdrill script plays a single peer.  :func:`unscriptable` says why.  This module reads
records only; it never explores.
"""

from __future__ import annotations

from dataclasses import dataclass

from tcpcheck.model.ir import Flag, flag_text
from tcpcheck.probe.kernel import CLOSED_FIRST, KIND, NO_CONNECTION, NUMBERS
from tcpcheck.render.packetdrill import (DEFAULT_WINDOW, SYNCHRONIZED, Packet, Writer,
                                         flag_letters)

SPACE = 2 ** 32


@dataclass(frozen=True)
class Connection:
    """The kernel socket's numbers once driven, relative to each side's ISN: RCV.NXT (the
    peer's next seq, ``rcv``) and SND.NXT (``snd``)."""

    rcv: int
    snd: int


def file_name(case) -> str:
    """``ESTABLISHED/SYN/exact`` -> ``ESTABLISHED_SYN_exact.pkt``."""
    return case.name.replace("/", "_") + ".pkt"


def unscriptable(case, prediction) -> str | None:
    """Why ``case`` gets no script, or None."""
    if case.numbers == "queue-full":
        return ("it fills the accept queue from a second port; a packetdrill script plays "
                "a single peer")
    if prediction.reason is not None:
        return f"no prediction: {prediction.reason}"
    # data at RCV.NXT (a model with data predicts these): the reply's numbers and the
    # close(2) after the probe are not written yet
    if case.probe == "data-close":
        return "the close(2) after the probe is not scripted yet"
    if case.probe == "data" and case.numbers == "exact":
        return "an acknowledgement of the probe's octet is not scripted yet"
    return None


def script(case, prediction, *, model: str, file: str, endpoint: str,
           command: str | None = None, observed: tuple | None = None) -> str:
    """The case as a packetdrill script (see the module doc); call only when
    :func:`unscriptable` is None.  ``observed``: the kernel's reply (flag bits) when the
    probe ran; the script expects it when the model allows it, else the model's first."""
    w = Writer()
    _header(w, case, model, file, endpoint, command)
    w.comment(f"drive a socket into {case.state}")
    conn = drive(w, case.state)
    probe = probe_packet(case, conn)
    w.comment(f"the probe: {case.probe} with the {case.numbers} numbers")
    w.packet(probe)
    _expect(w, case, probe, conn, _expected_first(prediction.replies, observed))
    return "\n".join(w.lines) + "\n"


def _expect(w: Writer, case, probe: Packet, conn: Connection, replies: list) -> None:
    """The expected reply (the first of ``replies``), what packetdrill cannot check of it,
    and the other replies the model allows, as comments."""
    (bits, after), *others = replies
    w.comment(f"predicted: {_reply_words(bits)}, then {' or '.join(after)}")
    if absolute_zero_rst(bits, probe, case):
        w.comment("the kernel's RST is at seq 0 itself, which packetdrill reads relative to "
                  "the kernel's ISN: this line fails on its seq")
    if any(b & Flag.SYN for b in bits) and case.state in SYNCHRONIZED:
        w.comment("a new connection: the kernel picks a new ISN, and packetdrill reads its "
                  "seq relative to the first: this line fails on its seq")
    for packet in reply_packets(bits, probe, conn, case, after):
        w.packet(packet)
    for other_bits, other_after in others:
        w.comment(f"the model also allows: {_reply_words(other_bits)}, then "
                  f"{' or '.join(other_after)} (not scripted)")


def _expected_first(replies: tuple, observed: tuple | None) -> list:
    """The replies with the one the script expects first: the kernel's, if allowed."""
    chosen = [r for r in replies if r[0] == observed]
    return chosen + [r for r in replies if r[0] != observed]


def _header(w: Writer, case, model, file, endpoint, command) -> None:
    w.comment(f"packetdrill script of the tcpcheck probe case {case.name}: model {model} "
              f"({file}), endpoint {endpoint} is the kernel; packetdrill plays the peer")
    if command:
        w.comment(f"made by: {command}")
    w.comment("sequence numbers: relative to each side's ISN (0); the model predicts the "
              "reply's flags, the numbers")
    w.comment("  are RFC 9293's for a reply with those flags; inbound windows are "
              f"{DEFAULT_WINDOW}, outbound options unchecked: <...>")
    w.lines.append("")


def _reply_words(bits: tuple) -> str:
    return "no reply" if not bits else ", ".join(flag_text(b) for b in bits)


def drive(w: Writer, state: str) -> Connection:
    """The lines that take a fresh socket into ``state`` (as tcpcheck/probe/kernel.py's
    driver does), and the connection's numbers there."""
    if state == "CLOSED":  # bound, not listening: the kernel answers for a closed port
        fd = w.socket()
        w.bind(fd)
        return Connection(0, 0)
    if state == "SYN_SENT":  # the kernel's SYN goes out, the peer never answers it
        fd = w.socket()
        w.connect(fd)
        w.packet(Packet(False, "S", 0, None, None))
        return Connection(0, 1)
    return _passive(w, state)


def _passive(w: Writer, state: str) -> Connection:
    """A listener, and for the states past LISTEN the peer's handshake and accept()."""
    listener = w.socket()
    w.bind(listener)
    w.listen(listener, 8)
    if state == "LISTEN":
        return Connection(0, 0)
    w.packet(_in("S", 0, None))
    w.packet(Packet(False, "S.", 0, 1, None))
    if state == "SYN_RECEIVED":
        return Connection(1, 1)
    w.packet(_in(".", 1, 1))
    fd = w.accept(listener)
    if state in CLOSED_FIRST:
        return _closed_first(w, state, fd)
    if state == "ESTABLISHED":
        return Connection(1, 1)
    return _peer_closed_first(w, state, fd)


def _peer_closed_first(w: Writer, state: str, fd: int) -> Connection:
    """CLOSE-WAIT and LAST-ACK: the peer's FIN, acknowledged; LAST-ACK: then close()."""
    w.packet(_in("F.", 1, 1))
    w.packet(Packet(False, ".", 1, 2, None))
    if state == "CLOSE_WAIT":
        return Connection(2, 1)
    w.close_fd(fd)
    w.packet(Packet(False, "F.", 1, 2, None))
    return Connection(2, 2)


def _closed_first(w: Writer, state: str, fd: int) -> Connection:
    """FIN-WAIT-1 and the states after it: the application closes first (the rest of the
    connection is the kernel's, without a descriptor)."""
    w.close_fd(fd)
    w.packet(Packet(False, "F.", 1, 1, None))
    if state == "FIN_WAIT_1":
        return Connection(1, 2)
    if state == "FIN_WAIT_2":
        w.packet(_in(".", 1, 2))
        return Connection(1, 2)
    # CLOSING: the peer's FIN crosses the kernel's (it does not acknowledge it); TIME-WAIT:
    # it does (RFC 9293 Figures 13 and 12)
    w.packet(_in("F.", 1, 2 if state == "TIME_WAIT" else 1))
    w.packet(Packet(False, ".", 2, 2, None))
    return Connection(2, 2)


def _in(flags: str, seq: int, ack: int | None, length: int = 0) -> Packet:
    return Packet(True, flags, seq % SPACE, None if ack is None else ack % SPACE,
                  DEFAULT_WINDOW, length)


def probe_packet(case, conn: Connection) -> Packet:
    """The case's probe segment, as tcpcheck/probe/kernel.py sends it, in the script's
    numbers (a probe without ACK carries no ack)."""
    kind = KIND[case.probe]
    dseq, dack = NUMBERS[case.numbers]
    ack = conn.snd + dack if kind.flags & Flag.ACK else None
    return _in(flag_letters(flag_text(kind.flags)), conn.rcv + dseq, ack, len(kind.payload))


def reply_packets(bits: tuple, probe: Packet, conn: Connection, case, after: tuple) -> list:
    """The expected segments of a reply with the flags ``bits``, the model's state after
    being one of ``after`` (RFC 9293's numbers for them; the module doc)."""
    return [_reply(b, probe, conn, case.state not in after) for b in bits]


def _reply(bits: int, probe: Packet, conn: Connection, moved: bool) -> Packet:
    """``moved``: the probe changes the state (the model took it in), so an ACK
    acknowledges it; otherwise an ACK is a challenge or duplicate one, at RCV.NXT."""
    letters = flag_letters(flag_text(bits))
    has_ack = bool(bits & Flag.ACK)
    probe_end = (probe.seq + probe.length + ("S" in probe.flags) + ("F" in probe.flags)) % SPACE
    if bits & Flag.RST:
        seq = probe.ack if probe.ack is not None else 0
        return Packet(False, letters, seq, probe_end if has_ack else None, None)
    if bits & Flag.SYN:
        return Packet(False, letters, 0, probe_end if has_ack else None, None)
    return Packet(False, letters, conn.snd, (probe_end if moved else conn.rcv)
                  if has_ack else None, None)


def absolute_zero_rst(bits: tuple, probe: Packet, case) -> bool:
    """Whether the reply has a RST at seq 0 (the answer to a probe without ACK) from a
    socket that has sent its SYN: the kernel's seq is 0 itself, and packetdrill reads the
    kernel's numbers relative to its ISN, so the script cannot say it."""
    return probe.ack is None and case.state not in NO_CONNECTION and \
        any(b & Flag.RST for b in bits)
