"""Trace conformance (``tcpcheck conform``, spec/MANUAL.md 14.18): is each connection of a
capture a run the model allows?

The capture shows segments; it does not show user calls, timer expiries, crashes, or what
the network did to a segment after the capture point (loss, reordering, ageing).  So the
check is a breadth-first search over **configurations**: a model state (the format of
tcpcheck.engine.state) with the model's choice of each side's initial number (the
*anchor*, bound when that side's numbers are first seen) and the segments a move sent that
the capture has not shown yet.  Before each observed segment the set of configurations is
closed under the **hidden moves** (every move that sends nothing: user calls, timeouts,
crashes, receipts that answer nothing, discards, losses, duplications, ticks); then the
observed segment must be the next segment some configuration sends, from the side that
sent it, with its flags, its sequence number and (with ACK) its acknowledgement number.

The mapping, and why:

* the side that sent a connection's first segment (its SYN) plays the model's first
  endpoint (``client`` in the shipped models), the other side the second;
* every segment a model endpoint sends is seen by the capture (losses happen after the
  capture point), in the order each side sent them;
* numbers: a real 32-bit number is taken relative to the first number seen in its side's
  space (the ISN, when the capture holds the SYN), then reduced modulo the model's
  sequence space (``bounds.seqspace``); the model picks where that relative 0 lies.  The
  result says when a relative number was reduced (it was at least the sequence space);
* payload and window: a model that declares the protocol field ``len`` (spec/MANUAL.md 7)
  must send the payload length seen, exactly (it moves the sequence numbers); a model
  without one sends no data, so a segment with payload diverges with that reason, as does
  one whose payload is beyond the ``len`` range.  A model that declares ``wnd`` must send
  the window seen, read through the model's small range: a real window of at least the
  range's top (65,535 against ``wnd : 0..4``) is that top, "this much or more" (the raw
  header value; window scaling is not undone).  Without ``wnd`` the window is not compared;
  the PSH, URG, ECE and CWR bits never are (no model has them).

A connection conforms when some configuration survives its last segment (a prefix of a run
the model allows; nothing is demanded of what the capture does not show after its end).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from tcpcheck.analyses.capture import ACK, CONTROL, SYN, Capture, connections
from tcpcheck.engine.state import DISCARD, FIRE, with_channel
from tcpcheck.explicit.semantics import Semantics

CONFORMS, DIVERGES, STOPPED, UNCHECKED = "conforms", "diverges", "stopped", "unchecked"
ENDPOINT_MODES = ("both", "client", "server")  # whose segments must be the model's sends
NO_LEN = "the model declares no len field"
MODULUS_32 = 1 << 32
CACHE_LIMIT = 1_000_000  # cached successor sets before the cache is emptied
TRIE_LIMIT = 100_000  # remembered segment sequences before they are forgotten


@dataclass(frozen=True)
class Observation:
    """A captured segment in the model's terms: ``side`` 0 is the opener; ``seq`` and
    ``ack`` relative to their side's first number (None: no ACK bit), not yet reduced."""

    index: int  # in its connection, from 1
    frame: int  # in the capture file, from 1
    side: int
    flags: int  # the control bits only (SYN, FIN, RST, ACK)
    seq: int
    ack: int | None
    payload: int
    window: int


@dataclass(frozen=True)
class Allowed:
    """A segment the model could send at a divergence: numbers relative to the anchor the
    configuration chose for that side, reduced (``relative`` False: the side's anchor was
    not chosen yet, the numbers are the model's own)."""

    side: int
    flags: int
    seq: int
    ack: int | None
    relative: bool
    len: int | None = None  # the protocol fields, when the model declares them
    wnd: int | None = None


@dataclass(frozen=True)
class ConnectionVerdict:
    number: int
    opener: tuple
    responder: tuple
    incarnation: int
    segments: int
    verdict: str  # CONFORMS, DIVERGES, STOPPED or UNCHECKED
    at: Observation | None = None  # the segment it diverges (or stopped) at
    reason: str = ""
    allowed: tuple = ()  # Allowed records, sorted; empty: silence
    states: tuple = ()  # (control of side 0, control of side 1) names the model could be in
    reduced: bool = False  # some relative number was reduced modulo the sequence space
    largest: int = 0  # the largest relative number seen


@dataclass(frozen=True)
class ConformOptions:
    endpoint: str = "both"
    max_states: int | None = 1_000_000  # configurations in one closure, per segment
    timeout: float | None = None
    progress: object = None  # called with (connections done, connections, seconds)


@dataclass(frozen=True)
class ConformResult:
    model: str
    capture: Capture
    seqspace: int
    endpoints: tuple  # the model's endpoint names (side 0, side 1)
    endpoint: str
    verdicts: tuple
    seconds: float
    fields: tuple = ()  # the protocol fields the model declares (len, wnd), compared

    def count(self, verdict: str) -> int:
        return sum(v.verdict == verdict for v in self.verdicts)

    @property
    def exit_code(self) -> int:
        if self.count(DIVERGES):
            return 1
        return 3 if self.count(STOPPED) else 0


def conform(model, capture: Capture, options: ConformOptions = ConformOptions()) -> ConformResult:
    """Check each connection of ``capture`` against ``model``."""
    started = time.monotonic()
    checker = _Checker(Semantics(model), options)
    found = connections(capture)
    verdicts = []
    for done, conn in enumerate(found):
        verdicts.append(checker.check(conn, started))
        if options.progress is not None:
            options.progress(done + 1, len(found), time.monotonic() - started)
    names = tuple(e.name for e in model.endpoints)
    fields = tuple(f.name for f in model.ghost_fields if not f.ghost)
    return ConformResult(model.name, capture, model.bounds.seqspace, names, options.endpoint,
                         tuple(verdicts), time.monotonic() - started, fields)


def observations(conn) -> tuple:
    """The connection's segments with numbers relative to each side's first number."""
    anchors: dict = {}
    found = []
    for i, p in enumerate(conn.packets, 1):
        side = 0 if p.src == conn.opener else 1
        seq = (p.seq - anchors.setdefault(side, p.seq)) % MODULUS_32
        ack = None
        if p.flags & ACK:
            ack = (p.ack - anchors.setdefault(1 - side, p.ack)) % MODULUS_32
        found.append(Observation(i, p.number, side, p.flags & CONTROL, seq, ack, p.payload,
                                 p.window))
    return tuple(found)


class _Stop(Exception):
    """A limit stopped the search of one connection."""


class _Checker:
    """The search, with what it learns shared between connections: the successors of each
    model state, and the configurations after each sequence of observations already seen
    (a trie: captures repeat the same handshakes thousands of times)."""

    def __init__(self, semantics: Semantics, options: ConformOptions):
        self.sem = semantics
        self.modulus = semantics.modulus
        self.options = options
        self.moves: dict = {}
        self.after: dict = {}  # (node, observation key) -> (node, configurations, closure)
        self.nodes = 0  # trie nodes made (0 is the root: no segment yet)
        self.initial = frozenset({(semantics.initial_state(), None, None, ())})
        # the side whose segments are taken as given (None: both are checked)
        self.given = {"both": None, "client": 1, "server": 0}[options.endpoint]
        self.ghosts = tuple(_lowest(t) for t in semantics.ghost_types)
        # where the protocol fields sit in a segment (index after ack), and their types
        names = [f.name for f in semantics.model.ghost_fields]
        self.fields = {n: (names.index(n), semantics.ghost_types[names.index(n)])
                       for n in ("len", "wnd") if n in names}
        # a timestamp (ts) is an abstract order, not the capture's clock: not compared; a
        # segment taken as given carries each value of its range in turn
        self.stamps = (names.index("ts"), semantics.ghost_types[names.index("ts")].values()) \
            if "ts" in names else None

    def check(self, conn, started: float) -> ConnectionVerdict:
        seen = observations(conn)
        largest = max([o.seq for o in seen] + [o.ack or 0 for o in seen], default=0)
        base = dict(number=conn.number, opener=conn.opener, responder=conn.responder,
                    incarnation=conn.incarnation, segments=len(seen),
                    reduced=largest >= self.modulus, largest=largest)
        if not seen[0].flags & SYN or seen[0].flags & ACK:
            return ConnectionVerdict(**base, verdict=UNCHECKED, at=seen[0],
                                     reason="the capture does not begin with this "
                                     "connection's SYN, so its state is unknown")
        node, configs = 0, self.initial
        for o in seen:
            try:
                self._poll(started)
                outside = self._outside(o)
                if outside:  # the closure says where the model was
                    return self._diverged(base, o, self._closure(configs), reason=outside)
                node, configs, closed = self._step(node, configs, o)
            except _Stop as stop:
                return ConnectionVerdict(**base, verdict=STOPPED, at=o, reason=str(stop))
            if not configs:
                return self._diverged(base, o, closed)
        return ConnectionVerdict(**base, verdict=CONFORMS)

    def _poll(self, started: float) -> None:
        timeout = self.options.timeout
        if timeout is not None and time.monotonic() - started > timeout:
            raise _Stop(f"the time limit ({timeout:g} s) was reached")

    def _outside(self, o: Observation) -> str:
        """Why ``o``'s payload or window is beyond every segment the model can send, or ""
        (a window above the wnd field's range reads as its top, "this much or more"; one
        below it has no reading)."""
        if "wnd" in self.fields:
            low = self.fields["wnd"][1].lo
            if o.window < low:
                return f"the segment's window is {o.window:,}, less than the model's wnd " \
                       f"field holds ({low}..{self.fields['wnd'][1].hi})"
        if "len" not in self.fields:
            return f"{NO_LEN}: the segment carries {o.payload:,} bytes" if o.payload else ""
        low, top = self.fields["len"][1].lo, self.fields["len"][1].hi
        if o.payload > top:
            return f"the segment carries {o.payload:,} bytes, more than the model's len " \
                   f"field holds ({low}..{top})"
        if o.payload < low:
            return f"the segment carries {o.payload:,} bytes, less than the model's len " \
                   f"field holds ({low}..{top})"
        return ""

    def _data(self, o: Observation) -> dict:
        """``o``'s payload and window in the model's terms: {slot index: value} for the
        protocol fields the model declares (the window read through its range)."""
        found = {}
        if "len" in self.fields:
            found[self.fields["len"][0]] = o.payload
        if "wnd" in self.fields:
            k, type_ = self.fields["wnd"]
            found[k] = min(o.window, type_.hi)  # below lo: _outside has said so
        return found

    def _key(self, o: Observation) -> tuple:
        m = self.modulus
        return (o.side, o.flags, o.seq % m, None if o.ack is None else o.ack % m,
                tuple(sorted(self._data(o).items())))

    def _step(self, node, configs, o):
        """The configurations after ``o``, and the closure they came from (for a report)."""
        key = (node, self._key(o))
        hit = self.after.get(key)
        if hit is not None:
            return hit
        closed = self._closure(configs)
        following = frozenset(self._matches(closed, o))
        if len(self.after) > TRIE_LIMIT:  # a capture of very varied connections
            self.after.clear()
        self.nodes += 1
        found = (self.nodes, following, closed)
        self.after[key] = found
        return found

    def _successors(self, state):
        found = self.moves.get(state)
        if found is None:
            if len(self.moves) > CACHE_LIMIT:
                self.moves.clear()
            found = self.moves[state] = self.sem.successors(state)
        return found

    def _closure(self, configs) -> frozenset:
        """Every configuration the hidden moves reach from ``configs`` (a configuration
        with sent segments not yet seen moves no further: they must be seen first)."""
        done = set(configs)
        queue = [c for c in configs if not c[3]]
        limit = self.options.max_states
        while queue:
            state, b0, b1, _ = queue.pop()
            for action, nxt in self._successors(state):
                if action[0] == FIRE and action[4]:
                    continue  # it sends: a segment the capture would show
                if self.given is not None and action[0] in (FIRE, DISCARD) \
                        and action[1] == self.given:
                    continue  # the side taken as given is the capture's, not the model's
                config = (nxt, b0, b1, ())
                if config not in done:
                    done.add(config)
                    queue.append(config)
            if limit is not None and len(done) > limit:
                raise _Stop(f"the state limit ({limit:,} configurations before one "
                            f"segment) was reached")
        return frozenset(done)

    def _matches(self, closed, o):
        if o.side == self.given:
            yield from self._inject(closed, o)
            return
        for state, b0, b1, pending in closed:
            if pending:
                found = self._match(pending[0], o, b0, b1)
                if found is not None:
                    yield (state, *found, pending[1:])
                continue
            for action, nxt in self._successors(state):
                if action[0] != FIRE or not action[4] or action[1] != o.side:
                    continue
                found = self._match((o.side, action[4][0]), o, b0, b1)
                if found is not None:
                    if self.given is not None:  # what it sends leaves the model: the real
                        nxt = with_channel(nxt, self.given, ())  # peer receives it
                    yield (nxt, *found, tuple((o.side, s) for s in action[4][1:]))

    def _inject(self, closed, o: Observation):
        """With ``--endpoint client`` or ``server``: the other side's segment enters the
        channel towards the checked endpoint as it was seen, under every anchor not yet
        chosen (a full channel loses it, within the loss budget)."""
        for fields in self._given_fields(o):
            yield from self._inject_as(closed, o, fields)

    def _given_fields(self, o: Observation):
        """The added fields of a segment taken as given: len and wnd as seen, ts every value
        of its range, ghosts their lowest."""
        data = self._data(o)
        fields = [data.get(k, g) for k, g in enumerate(self.ghosts)]
        if self.stamps is None:
            yield fields
            return
        k, values = self.stamps
        for value in values:
            fields[k] = value
            yield list(fields)

    def _inject_as(self, closed, o: Observation, fields):
        m = self.modulus
        for state, b0, b1, pending in closed:
            if pending:
                continue
            anchors = (b0, b1)
            seqs = range(m) if anchors[o.side] is None else (anchors[o.side],)
            peer = 1 - o.side
            acks = (range(m) if o.ack is not None and anchors[peer] is None
                    else (anchors[peer],))
            for own in seqs:
                for other in acks:
                    ack = 0 if o.ack is None else (other + o.ack) % m
                    segment = (o.flags, (own + o.seq) % m, ack, *fields, 0)
                    nxt = self._deliver(state, peer, segment)
                    if nxt is not None:
                        pair = (own, other) if o.side == 0 else (other, own)
                        yield (nxt, *pair, ())

    def _deliver(self, state, towards: int, segment):
        channel, lost = state[2 + towards], state[4]
        spec = self.sem.channel
        if len(channel) >= spec.capacity:
            if spec.loss is None:
                return state
            return None if lost >= spec.loss else state[:4] + (lost + 1, state[5])
        merged = channel + (segment,)
        return with_channel(state, towards, tuple(sorted(merged)) if spec.reordering else merged)

    def _match(self, sent, o: Observation, b0, b1):
        """The anchors under which the model's ``sent`` (side, segment) is ``o``, or None."""
        side, segment = sent
        flags, seq, ack = segment[0], segment[1], segment[2]
        if side != o.side or flags & CONTROL != o.flags:
            return None
        if any(segment[3 + k] != v for k, v in self._data(o).items()):
            return None
        anchors = [b0, b1]
        for space, model_value, seen in ((side, seq, o.seq), (1 - side, ack, o.ack)):
            if seen is None:
                continue
            anchor = anchors[space]
            if anchor is None:
                anchors[space] = (model_value - seen) % self.modulus
            elif (anchor + seen) % self.modulus != model_value:
                return None
        return anchors[0], anchors[1]

    def _diverged(self, base, o, closed, reason: str = "") -> ConnectionVerdict:
        allowed = sorted(set(self._allowed(closed)), key=_allowed_order)
        names = [list(e.states) for e in self.sem.endpoints]
        states = sorted({(names[0][c[0][0][0]], names[1][c[0][1][0]]) for c in closed})
        if not reason:
            reason = ("the model sends no segment there" if not allowed else
                      "the model sends no such segment there")
        return ConnectionVerdict(**base, verdict=DIVERGES, at=o, reason=reason,
                                 allowed=tuple(allowed), states=tuple(states))

    def _allowed(self, closed):
        for state, b0, b1, pending in closed:
            if pending:
                sends = [pending[0]]
            else:
                sends = [(a[1], a[4][0]) for a, _ in self._successors(state)
                         if a[0] == FIRE and a[4] and a[1] != self.given]
            for side, segment in sends:
                yield self._relative(side, segment, (b0, b1))

    def _relative(self, side, segment, anchors) -> Allowed:
        flags, seq, ack = segment[0] & CONTROL, segment[1], segment[2]
        data = {n: segment[3 + k] for n, (k, _) in self.fields.items()}
        m = self.modulus
        own, other = anchors[side], anchors[1 - side]
        relative = own is not None and (not flags & ACK or other is not None)
        if relative:
            seq = (seq - own) % m
            ack = (ack - other) % m if flags & ACK else None
        elif not flags & ACK:
            ack = None
        return Allowed(side, flags, seq, ack, relative, data.get("len"), data.get("wnd"))


def _lowest(type_):
    """The value a ghost field of a segment taken as given carries: its type's lowest (a
    ghost field is read by properties only, which conform does not check)."""
    return type_.values()[0] if hasattr(type_, "values") else 0


def _allowed_order(a: Allowed):
    return (a.side, a.flags, a.seq, -1 if a.ack is None else a.ack, a.relative,
            -1 if a.len is None else a.len, -1 if a.wnd is None else a.wnd)
