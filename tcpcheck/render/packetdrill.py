"""A run as a packetdrill script: one endpoint is the system under test (a real kernel),
packetdrill plays the other, so that a run the model found can be replayed against a stack.

packetdrill (https://github.com/google/packetdrill) reads one event a line: a time (``0``,
``+1``: seconds, absolute or after the previous event), then a packet or a system call.
``< FLAGS START:END(LEN) [ack N] win N`` is a segment packetdrill injects into the kernel,
``> FLAGS START:END(LEN) [ack N] <...>`` one the kernel must send (``<...>``: its TCP
options are not checked), ``name(args) = result`` a call the script makes.  Flags are
``S F R P U`` with ``.`` for ACK (``S.``, ``F.``, ``R.``); ``-`` is no flag at all.

How a run maps (spec/MANUAL.md, "export packetdrill"):

* the SUT's user calls become system calls: ``listen`` -> socket, bind, listen, and an
  ``accept`` once the connection it listened for is synchronized; ``open`` -> socket, a
  non-blocking fcntl and ``connect = -1 EINPROGRESS``; ``close`` -> close; ``abort`` ->
  SO_LINGER {onoff=1, linger=0} then close (Linux then sends a RST); ``send`` -> write of
  the payload its segments carry; ``receive`` -> a comment (the run does not say how much);
* payload and window: a segment of a model that declares ``len`` is ``START:END(LEN)``,
  and with ``wnd`` its ``win`` is the model's, both ways (otherwise inbound windows are
  ``--window``'s and outbound ones are not checked);
* a segment delivered to the SUT (``recv`` or ``discard`` by it) is an inbound line at the
  time it is delivered, so losses and reordering are already resolved by the run; every
  segment the SUT sends (``sent``, also the ones the model's channel then drops) is an
  outbound line;
* the peer's own steps, channel faults and expiries are comments (packetdrill plays the
  peer by the inbound lines alone); ticks add ``--tick`` seconds to the next event's time;
* sequence numbers: packetdrill takes the peer's numbers as written and makes the kernel's
  relative to the kernel's ISN, so both are written relative to an ISN: the SUT's numbers
  to the ISN of the SUT's current connection (the SYN it sent from CLOSED or LISTEN; 0
  before its first), the peer's to the peer's first SYN in the run, modulo the model's
  sequence space.

What a script cannot say is refused (:class:`~tcpcheck.diagnostics.UsageError`): a crash of
the SUT (a kernel cannot be crashed and restarted by a script) and a SUT that starts in a
state other than CLOSED or LISTEN (a script starts with no socket).  This module only
reads the trace; it never explores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from tcpcheck.diagnostics import UsageError, did_you_mean
from tcpcheck.trace.records import SegmentView, Step, Trace

DEFAULT_WINDOW = 65535  # packetdrill needs a window on every inbound segment
FLAG_LETTERS = (("SYN", "S"), ("FIN", "F"), ("RST", "R"), ("PSH", "P"), ("URG", "U"))
# the states of a connection that accept() returns: synchronized (RFC 9293 3.3.2)
SYNCHRONIZED = frozenset({"ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT",
                          "CLOSING", "LAST_ACK", "TIME_WAIT"})
NEW_CONNECTION = frozenset({"CLOSED", "LISTEN"})  # a SYN sent from these starts one
_TICKS = re.compile(r"([0-9]+) ticks pass")
FIRST_FD = 3  # after standard input, output and error


@dataclass(frozen=True)
class Settings:
    """How to write the script: which endpoint is the kernel, how long a tick is."""

    endpoint: str | None = None  # None: the one named server, else the second
    tick: Decimal = Decimal(1)  # seconds per model tick
    window: int = DEFAULT_WINDOW  # the window of inbound segments
    seqspace: int | None = None  # the run's sequence space; None: not recorded (2**32)
    command: str | None = None  # the command line that made the script, for the header
    model_file: str | None = None


@dataclass(frozen=True)
class Packet:
    """One segment line of the script, before its time."""

    inbound: bool  # True: packetdrill injects it; False: the kernel must send it
    flags: str  # packetdrill's letters: "S.", "R", "."
    seq: int
    ack: int | None  # None when ACK is not set
    window: int | None  # inbound: always; outbound: the model's wnd, when it declares one
    length: int = 0  # payload octets (the model's len; 0 without one)

    def text(self) -> str:
        """``< . 1:3(2) ack 1 win 4``: START:END(LEN) with END = START + LEN (packetdrill
        counts the payload only; a SYN's or FIN's own sequence number is not in it)."""
        parts = ["<" if self.inbound else ">", self.flags,
                 f"{self.seq}:{self.seq + self.length}({self.length})"]
        if self.ack is not None:
            parts.append(f"ack {self.ack}")
        if self.window is not None:
            parts.append(f"win {self.window}")
        if not self.inbound:
            parts.append("<...>")
        return " ".join(parts)


def endpoints(trace: Trace, name: str | None) -> tuple[str, str]:
    """(the SUT, the peer): ``name``, else the endpoint named server, else the second."""
    names = tuple(trace.endpoint_names)
    if name is None:
        name = "server" if "server" in names else names[1]
    if name not in names:
        hint = did_you_mean(name, names)
        raise UsageError(f"--endpoint {name}: the run's endpoints are {' and '.join(names)}"
                         + (f"; {hint}" if hint else ""))
    return name, names[1 - names.index(name)]


def flag_letters(flags: str) -> str:
    """``SYN+ACK`` -> ``S.``; ``none`` -> ``-`` (packetdrill's word for no flag)."""
    names = set(flags.split("+")) if flags != "none" else set()
    letters = "".join(letter for flag, letter in FLAG_LETTERS if flag in names)
    letters += "." if "ACK" in names else ""
    return letters or "-"


def has_ack(flags: str) -> bool:
    return "ACK" in flags.split("+")


def tick_count(step: Step) -> int:
    """How many ticks a ``tick`` step lets pass ("one tick passes", "3 ticks pass")."""
    match = _TICKS.match(step.summary)
    return int(match.group(1)) if match else 1


def seconds_text(seconds: Decimal) -> str:
    """A time as packetdrill reads it: ``0``, ``2``, ``0.5`` (never an exponent)."""
    text = format(seconds.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def packetdrill(trace: Trace, settings: Settings = Settings()) -> str:
    """``trace`` as a packetdrill script, the SUT being ``settings.endpoint`` (see the module
    doc); UsageError when the run cannot be scripted."""
    sut, peer = endpoints(trace, settings.endpoint)
    _refuse_unscriptable(trace, sut)
    script = _Script(trace, sut, peer, settings)
    for step in trace.steps:
        script.step(step)
    return "\n".join(_header(trace, sut, peer, settings) + script.finish(trace.loop_start)) + "\n"


def _refuse_unscriptable(trace: Trace, sut: str) -> None:
    start = trace.steps[0].state.endpoint(sut).state
    if start not in NEW_CONNECTION:
        raise UsageError(f"{sut} starts in {start}; a packetdrill script starts with no "
                         "socket, so only a run whose system under test starts in CLOSED or "
                         "LISTEN can be scripted (--endpoint picks the other side)")
    for step in trace.steps:
        if step.kind == "crash" and step.actor == sut:
            raise UsageError(f"{sut} crashes at step {step.index}: a packetdrill script cannot "
                             "crash and restart the kernel under test (--endpoint picks the "
                             "other side)")


def _header(trace: Trace, sut: str, peer: str, settings: Settings) -> list:
    what = "witness" if trace.kind == "witness" else trace.kind
    about = f" of {trace.property}" if trace.property else ""
    source = f" ({settings.model_file})" if settings.model_file else ""
    space = (f"the model's sequence space, {settings.seqspace}" if settings.seqspace else
             "2**32 (the run does not record its sequence space)")
    lines = [f"// packetdrill script of a {what}{about}: model {trace.model}{source}, "
             f"{len(trace)} steps",
             f"// system under test: {sut} (the kernel); packetdrill plays {peer}"]
    if settings.command:
        lines.append(f"// made by: {settings.command}")
    return lines + [
        "// sequence numbers: relative to each side's ISN (its first SYN is 0), modulo "
        f"{space}",
        f"// time: one model tick = {seconds_text(settings.tick)} s; the model's timers "
        "count ticks, not the kernel's RTO,",
        "//   so a retransmission the model times by ticks may come at another time from a "
        "real kernel",
        *_data_lines(trace, settings),
        f"//   {peer}'s own steps, channel faults and expiries are comments",
        ""]


class Writer:
    """A script's lines, one event at a time, with the time since the previous event and the
    kernel's open descriptors: the one writer of packetdrill's syntax, shared by a run's
    script (below) and a probe case's (tcpcheck.render.probe_packetdrill)."""

    def __init__(self):
        self.lines: list = []
        self.events = 0
        self.pending = Decimal(0)  # seconds since the previous event
        self.open_fds: set = set()

    def comment(self, text: str) -> None:
        self.lines.append(f"// {text}")

    def event(self, text: str) -> None:
        seconds = seconds_text(self.pending)
        self.lines.append(f"{seconds if self.events == 0 else '+' + seconds} {text}")
        self.events += 1
        self.pending = Decimal(0)

    def packet(self, packet: Packet) -> None:
        self.event(packet.text())

    def new_fd(self) -> int:
        """The lowest free descriptor, as the kernel gives it."""
        fd = min(set(range(FIRST_FD, FIRST_FD + len(self.open_fds) + 1)) - self.open_fds)
        self.open_fds.add(fd)
        return fd

    def socket(self) -> int:
        fd = self.new_fd()
        self.event(f"socket(..., SOCK_STREAM, IPPROTO_TCP) = {fd}")
        return fd

    def bind(self, fd: int) -> None:
        self.event(f"bind({fd}, ..., ...) = 0")

    def listen(self, fd: int, backlog: int = 1) -> None:
        self.event(f"listen({fd}, {backlog}) = 0")

    def connect(self, fd: int) -> None:
        """A non-blocking connect: the SYN goes out, the call returns at once."""
        self.event(f"fcntl({fd}, F_SETFL, O_RDWR|O_NONBLOCK) = 0")
        self.event(f"connect({fd}, ..., ...) = -1 EINPROGRESS (Operation now in progress)")

    def accept(self, listener: int) -> int:
        fd = self.new_fd()
        self.event(f"accept({listener}, ..., ...) = {fd}")
        return fd

    def close_fd(self, fd: int, linger: bool = False) -> None:
        if linger:  # Linux aborts (sends RST) on close with a zero linger time
            self.event(f"setsockopt({fd}, SOL_SOCKET, SO_LINGER, {{onoff=1, linger=0}}, 8) = 0")
        self.event(f"close({fd}) = 0")
        self.open_fds.discard(fd)


class _Script(Writer):
    """The script's lines as the run's steps are read, with what the kernel's side holds:
    its sockets (fds), its current connection's ISN and the time since the last event."""

    def __init__(self, trace: Trace, sut: str, peer: str, settings: Settings):
        super().__init__()
        self.sut, self.peer, self.settings = sut, peer, settings
        self.space = settings.seqspace or 2 ** 32
        self.listener: int | None = None
        self.connection: int | None = None  # the socket of the SUT's current connection
        self.connected = False  # whether the SUT has a connection (opened or accepted) now,
        # with a socket or after close(), which leaves the kernel to finish it
        self.sut_isn = 0
        self.peer_isn = _first_syn(trace, peer)
        self.state = trace.steps[0].state.endpoint(sut).state

    # -- steps -----------------------------------------------------------------------------
    def step(self, step: Step) -> None:
        if step.kind == "init":
            if self.state == "LISTEN":
                self.comment(f"{self.sut} starts in LISTEN")
                self.start_listening()
            return
        if step.kind == "tick":
            self.pending += self.settings.tick * tick_count(step)
            self.comment(f"step {step.index}: {step.summary}")
            return
        self.comment(f"step {step.index}, {step.actor}: {step.summary}")
        if step.actor != self.sut:
            return  # the peer's steps and channel faults: packetdrill plays them implicitly
        before = self.state
        self.state = step.state.endpoint(self.sut).state
        if step.received is not None:
            self.packet(self.inbound(step.received))
        if step.kind == "user":
            self.call(step.trigger, step.sent)
        for seg in step.sent:
            self.packet(self.outbound(seg, before))
        self.follow_state()

    def call(self, trigger: str, sent: tuple = ()) -> None:
        if trigger in ("send", "receive"):
            self.data_call(trigger, sum(seg.field("len", 0) for seg in sent))
        elif trigger == "listen":
            self.start_listening()
        elif trigger == "open":
            fd = self.connection = self.socket()
            self.connected = True
            self.connect(fd)
        else:
            self.close(linger=trigger == "abort")

    def data_call(self, trigger: str, octets: int) -> None:
        """SEND: write() of the octets the step sends (the model decides how many); RECEIVE
        moves no segment and the run does not say how much the user took: a comment."""
        fd = self.connection
        if fd is None:
            self.comment(f"{self.sut} calls {trigger.upper()} without a connection: not scripted")
        elif trigger == "send":
            self.event(f"write({fd}, ..., {octets}) = {octets}")
        else:
            self.comment(f"{self.sut} calls RECEIVE on {fd} (the amount is the model's)")

    def start_listening(self) -> None:
        if self.listener is not None:
            self.comment(f"the listening socket {self.listener} still listens")
            return
        fd = self.listener = self.socket()
        self.bind(fd)
        self.listen(fd)

    def close(self, linger: bool) -> None:
        fd = self.connection if self.connection is not None else self.listener
        if fd is None:
            self.comment(f"{self.sut} has no socket here: nothing to close")
            return
        self.close_fd(fd, linger)
        if fd == self.connection:
            self.connection = None
        else:
            self.listener = None

    def follow_state(self) -> None:
        """accept() once a connection the listener made is synchronized; forget the
        connection once the SUT is back in CLOSED or LISTEN (its socket, if not closed,
        stays open, as an application's would)."""
        if self.state in NEW_CONNECTION:
            self.connection, self.connected = None, False
        elif self.state in SYNCHRONIZED and not self.connected and self.listener is not None:
            self.connection = self.accept(self.listener)
            self.connected = True

    # -- segments ---------------------------------------------------------------------------
    def inbound(self, seg: SegmentView) -> Packet:
        ack = (seg.ack - self.sut_isn) % self.space if has_ack(seg.flags) else None
        return Packet(True, flag_letters(seg.flags), (seg.seq - self.peer_isn) % self.space,
                      ack, seg.field("wnd", self.settings.window), seg.field("len", 0))

    def outbound(self, seg: SegmentView, before: str) -> Packet:
        if "SYN" in seg.flags.split("+") and before in NEW_CONNECTION:
            self.sut_isn = seg.seq  # a new connection: the kernel chose a new ISN
        ack = (seg.ack - self.peer_isn) % self.space if has_ack(seg.flags) else None
        return Packet(False, flag_letters(seg.flags), (seg.seq - self.sut_isn) % self.space,
                      ack, seg.field("wnd"), seg.field("len", 0))

    def finish(self, loop_start: int | None) -> list:
        if loop_start is not None:  # a lasso: a script cannot repeat for ever
            self.comment(f"the run repeats steps {loop_start} to the last for ever; the "
                         "script plays them once")
        if self.pending:
            self.comment(f"the run ends {seconds_text(self.pending)} s after the last event")
        if self.events == 0:
            self.comment(f"{self.sut} takes no part in this run: the script has no event")
        return self.lines


def _data_lines(trace: Trace, settings: Settings) -> list:
    """What the header says of payload and windows: the model's own when its segments
    carry len and wnd (spec/MANUAL.md 7), else that it has none."""
    fields = {k for step in trace.steps for seg in step.sent for k, _ in seg.data}
    if not fields:
        return ["// not expressed: the model carries no data, options or windows (inbound "
                f"windows are {settings.window}, outbound options unchecked: <...>);"]
    windows = ("windows are the model's wnd, both ways (a kernel's real window differs)"
               if "wnd" in fields else f"inbound windows are {settings.window}")
    data = ("payload lengths are the model's len; SEND is write() of them, RECEIVE a "
            "comment" if "len" in fields else "the model carries no data")
    return [f"// {data};", f"//   {windows}; options are not expressed (outbound: <...>);"]


def _first_syn(trace: Trace, peer: str) -> int:
    """The seq of the first SYN ``peer`` sends in the run (its first segment's, without
    a SYN; 0 without any)."""
    sent = [seg for step in trace.steps if step.actor == peer for seg in step.sent]
    syns = [seg for seg in sent if "SYN" in seg.flags.split("+")]
    return syns[0].seq if syns else sent[0].seq if sent else 0
