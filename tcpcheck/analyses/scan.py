"""What a port scanner sees: the model's replies to nmap's probes, state by state.

For one endpoint (the "port"), every control state it can be in is looked up among the
reachable global states (breadth-first, with a state limit), and in each of them the five
probes an off-path scanner such as nmap sends are delivered to the endpoint **by the
model's own recv transitions**: the probe is put in flight towards the endpoint and the
explicit engine's successor function (the delivery part of :meth:`Semantics.successors`,
the function the checker explores with) is asked what delivering it does.  Nothing here knows TCP: the replies are
derived from the model, and a probe that no transition takes is a discard (no reply).

The probes (spec/MANUAL.md 14.13): SYN, ACK, FIN, NULL (no flag) and Xmas (FIN+PSH+URG).
Their numbers are the scanner's, not the connection's:

* every value of the sequence space is tried for ``seq`` (and for ``ack`` in the ACK
  probe; a probe without ACK carries ``ack = 0``, a field TCP does not read then);
* a number is **foreign** to a valuation of the endpoint when none of its non-ghost ``seq``
  variables holds it (sets are not counted).  The table reports the replies to probes whose
  numbers are all foreign (an off-path scanner cannot know the connection's numbers); the
  other numbers are "the connection's own", and when they give a different set of replies
  the cell is marked as depending on the numbers and those replies are listed too;
* ghost fields take their type's default (``false``, 0 or the range's lowest value), as a
  ``send`` that leaves them out would; the ghost rule (MANUAL section 11) keeps the
  protocol from reading them, so no reply's flags or numbers depend on that choice.

A reply depends only on the endpoint's control state and non-ghost variables (guards and
the numbers of sent segments read nothing else), so each distinct valuation is probed once
(in the first global state found with it) and stands for all the global states with it;
both counts are reported.  The probe is delivered with both directions of the channel
otherwise empty and no fault used, so a reply never overflows.

nmap's reading of the reply (its documentation of -sS, -sA, -sF, -sN, -sX): SYN scan:
SYN+ACK or SYN -> open, RST -> closed, nothing -> filtered; ACK scan: RST -> unfiltered,
nothing -> filtered; FIN, NULL and Xmas scans: RST -> closed, nothing -> open|filtered.  A
reply it does not classify (a bare ACK) is ignored, as if nothing came back.  nmap also
reads an ICMP unreachable as filtered; the model has no ICMP, so "filtered" here only ever
means silence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from tcpcheck.diagnostics import UsageError, did_you_mean
from tcpcheck.engine import registry
from tcpcheck.engine.search import Observer
from tcpcheck.engine.state import ERROR, VAR_BASE, Error, view
from tcpcheck.explicit.checker import CheckOptions
from tcpcheck.explicit.semantics import DISCARD, FIRE, Semantics
from tcpcheck.model import ir

F = ir.Flag


@dataclass(frozen=True)
class Probe:
    name: str
    flags: int
    scan: str  # nmap's name for the scan that sends it

    @property
    def has_ack(self) -> bool:
        return bool(self.flags & F.ACK)


PROBES = (
    Probe("SYN", int(F.SYN), "SYN scan (-sS)"),
    Probe("ACK", int(F.ACK), "ACK scan (-sA)"),
    Probe("FIN", int(F.FIN), "FIN scan (-sF)"),
    Probe("NULL", 0, "NULL scan (-sN)"),
    Probe("Xmas", int(F.FIN | F.PSH | F.URG), "Xmas scan (-sX)"),
)

OPEN, CLOSED, FILTERED, OPEN_FILTERED, UNFILTERED = (
    "open", "closed", "filtered", "open|filtered", "unfiltered")

DEFAULT_MAX_STATES = 100_000


def conclusion(probe: str, flags: tuple) -> str:
    """What nmap concludes from the reply ``flags`` (one bit set per segment sent, ``()``
    for no reply) to ``probe``.  A reply nmap does not classify counts as none."""
    rst = any(f & F.RST for f in flags)
    syn = any(f & F.SYN and not f & F.RST for f in flags)
    if probe == "SYN":
        return OPEN if syn else CLOSED if rst else FILTERED
    if probe == "ACK":
        return UNFILTERED if rst else FILTERED
    return CLOSED if rst else OPEN_FILTERED


# ---- results ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    """One segment of a reply: its flags (``RST+ACK``) and how its numbers relate to the
    probe (``SEG.SEQ+1``, ``SEG.ACK``), to the endpoint's variables (``snd_nxt``; ``iss``
    as it is after the transition when it was chosen there), or a constant (``0``); ``?``
    when nothing fits every delivery.  ``ack`` is None when the ACK flag is off."""

    flags: str
    seq: str
    ack: str | None

    def rfc(self) -> str:
        ack = f"<ACK={self.ack}>" if self.ack is not None else ""
        return f"<SEQ={self.seq}>{ack}<CTL={self.flags.replace('+', ',')}>"


@dataclass(frozen=True)
class Reply:
    """One kind of reply: the segments sent (none: ``()``), the transitions that gave it
    (``None`` for a discard), the endpoint's control states afterwards, and how many
    deliveries (valuation and numbers) gave it."""

    segments: tuple
    transitions: tuple
    after: tuple
    deliveries: int
    bits: tuple = ()  # the flags of each segment, as bits (for the conclusion)

    @property
    def flags(self) -> str:
        return ", ".join(s.flags for s in self.segments) if self.segments else "none"

    def rfc(self) -> str:
        return " ".join(s.rfc() for s in self.segments) if self.segments else "none"


@dataclass(frozen=True)
class Cell:
    """The replies to one probe in one control state."""

    probe: str
    replies: tuple  # to foreign numbers: what the scanner sees
    conclusions: tuple  # nmap's, one per distinct conclusion, in the replies' order
    own: tuple  # to the connection's own numbers
    depends: bool  # the two sets of replies differ (compared by their flags)
    foreign_valuations: int  # valuations that have foreign numbers at all
    errors: tuple = ()  # domain violations met while delivering the probe


@dataclass(frozen=True)
class Row:
    state: str
    reached: bool
    global_states: int
    valuations: int
    cells: tuple


@dataclass(frozen=True)
class ScanResult:
    model: str
    file: str
    endpoint: str
    seqspace: int
    states: int  # global states explored
    complete: bool
    stop_reason: str | None  # "max-states", "timeout", "interrupted" or "error" when not complete
    seconds: float
    rows: tuple

    @property
    def probes(self) -> tuple:
        return tuple(p.name for p in PROBES)


# ---- the scan -----------------------------------------------------------------------------

def default_endpoint(model: ir.Model) -> int:
    names = [e.name for e in model.endpoints]
    return names.index("server") if "server" in names else 1


def endpoint_index(model: ir.Model, name: str | None) -> int:
    if name is None:
        return default_endpoint(model)
    names = [e.name for e in model.endpoints]
    if name not in names:
        hint = did_you_mean(name, names)
        raise UsageError(f"model {model.name} has no endpoint '{name}'"
                         + (f" ({hint})" if hint else "") + f"; it has: {', '.join(names)}")
    return names.index(name)


def scan(model: ir.Model, endpoint: str | None = None, *,
         max_states: int | None = DEFAULT_MAX_STATES, timeout: float | None = None,
         progress=None, max_memory_mb: float | None = None) -> ScanResult:
    """Probe endpoint ``endpoint`` (default: the one called server, else the second) in
    every control state it reaches within the limits."""
    return scan_endpoints(model, [endpoint], max_states=max_states, timeout=timeout,
                          progress=progress, max_memory_mb=max_memory_mb)[0]


def scan_endpoints(model: ir.Model, endpoints, *, max_states: int | None = DEFAULT_MAX_STATES,
                   timeout: float | None = None, progress=None,
                   max_memory_mb: float | None = None) -> tuple:
    """One :class:`ScanResult` per name in ``endpoints`` (None: the default one), from one
    exploration of the model; ``progress(states, queue, seconds)`` is called as it goes."""
    indices = [endpoint_index(model, name) for name in endpoints]
    started = time.monotonic()
    sem = Semantics(model)
    nonghost = tuple(tuple(i for i, v in enumerate(ep.variables) if not v.ghost)
                     for ep in model.endpoints)
    found, counts, explored, complete, stop = _explore(model, nonghost, max_states, timeout,
                                                       max_memory_mb, progress)
    results = []
    for e in indices:
        ep_model = model.endpoints[e]
        prober = _Prober(sem, e, nonghost[e])
        rows = []
        for c, name in enumerate(ep_model.states):
            reps = found[e].get(c, {})
            if not reps:
                rows.append(Row(name, False, 0, 0, ()))
                continue
            cells = tuple(prober.cell(p, list(reps.values())) for p in PROBES)
            rows.append(Row(name, True, counts[e][c], len(reps), cells))
        results.append(ScanResult(model.name, model.file, ep_model.name, model.bounds.seqspace,
                                  explored, complete, stop, time.monotonic() - started,
                                  tuple(rows)))
    return tuple(results)


def _explore(model, nonghost, max_states, timeout, max_memory_mb, progress=None):
    """One breadth-first run of the model (tcpcheck.engine.registry's reference engine,
    no properties but ``domains``), noting per endpoint and control state the first
    global state found with each valuation of the endpoint's non-ghost variables, and how
    many global states."""
    found: tuple = ({}, {})
    counts: tuple = ({}, {})

    class Noting(Observer):
        def on_state(self, index, state):
            for e in (0, 1):
                ep = state[e]
                key = tuple(ep[VAR_BASE + i] for i in nonghost[e])
                found[e].setdefault(ep[0], {}).setdefault(key, state)
                counts[e][ep[0]] = counts[e].get(ep[0], 0) + 1

    def report(states, transitions, depth, queue, seconds):
        progress(states, queue, seconds)

    # A state with an error move (`check` reports it, domains) is not expanded, so the
    # scan is then not complete; the observer needs every state, so the Python engine runs
    options = CheckOptions(properties=(), max_states=max_states, timeout=timeout,
                           max_memory_mb=max_memory_mb,
                           progress=report if progress is not None else None)
    result = registry.check(model, options, engine=registry.REFERENCE, observers=(Noting(),))
    return found, counts, result.stats.states, result.complete, result.stop_reason


def explore_endpoint(model: ir.Model, e: int, *, max_states: int | None = DEFAULT_MAX_STATES,
                     timeout: float | None = None):
    """The first global state found with each valuation of endpoint ``e``'s non-ghost
    variables, by control state index (``{control: {valuation: state}}``), and whether the
    exploration was complete (``tcpcheck probe`` asks the model through this and
    :class:`Prober`, as the scan does)."""
    nonghost = tuple(tuple(i for i, v in enumerate(ep.variables) if not v.ghost)
                     for ep in model.endpoints)
    found, _, _, complete, _ = _explore(model, nonghost, max_states, timeout, None)
    return found[e], complete


class _Prober:
    def __init__(self, sem: Semantics, e: int, nonghost: tuple):
        self.sem = sem
        self.e = e
        self.model = sem.model
        self.n = sem.modulus
        ep = self.model.endpoints[e]
        self.seq_vars = tuple((ep.variables[i].name, VAR_BASE + i) for i in nonghost
                              if isinstance(ep.variables[i].type, ir.SeqType))
        self.ghosts = tuple(_default(f.type) for f in self.model.ghost_fields)
        self.names = tuple(t.name for t in ep.transitions)
        self.states = ep.states

    def cell(self, probe: Probe, reps: list) -> Cell:
        foreign, own, errors = [], [], []
        with_foreign = 0
        for state in reps:
            ep = state[self.e]
            held = {ep[slot] for _, slot in self.seq_vars}
            acks = range(self.n) if probe.has_ack else (0,)
            any_foreign = False
            for x in range(self.n):
                for y in acks:
                    is_foreign = x not in held and (not probe.has_ack or y not in held)
                    any_foreign |= is_foreign
                    outcomes = self._deliver(state, probe, x, y)
                    if isinstance(outcomes, Error):
                        msg = f"{self.names[outcomes.transition]}: {outcomes.message}"
                        if msg not in errors:
                            errors.append(msg)
                        continue
                    (foreign if is_foreign else own).extend(
                        (x, y, ep, after, t, sends) for t, sends, after in outcomes)
            with_foreign += any_foreign
        replies = self._group(probe, foreign, own)
        own_replies = self._group(probe, own, foreign)
        conclusions = []
        for r in replies:
            c = conclusion(probe.name, r.bits)
            if c not in conclusions:
                conclusions.append(c)
        depends = {r.bits for r in replies} != {r.bits for r in own_replies} and bool(own)
        return Cell(probe.name, replies, tuple(conclusions), own_replies, depends, with_foreign,
                    tuple(errors))

    def _deliver(self, state, probe: Probe, x: int, y: int):
        """(transition or None, sent segments, endpoint state after) for every way the
        endpoint can take the probe, computed by the explicit engine's successor function;
        or the Error when the endpoint's answer cannot be computed."""
        seg = (probe.flags, x, y, *self.ghosts, 0)
        chans = [(), ()]
        chans[self.e] = (seg,)
        probe_state = (state[0], state[1], chans[0], chans[1], 0, 0)
        # The delivery part of Semantics.successors (MANUAL 13.2 (b)), alone: the other
        # actions of the state (user calls, timeouts, faults, ticks) are not the probe's and
        # might fail on their own.
        moves = self.sem.deliveries(probe_state, self.e)
        if moves.error is not None:
            return view(moves.error)
        out = []
        for action, nxt in moves:
            if action[0] == FIRE:
                out.append((action[2], action[4], nxt[self.e]))
            elif action[0] == DISCARD:
                out.append((None, (), nxt[self.e]))
        if not out and moves.blocked:
            return Error(ERROR, self.e, 0, "the reply does not fit in the channel")
        return out

    def outcomes(self, state, flags: int, x: int, y: int):
        """How endpoint ``e`` in global ``state`` takes a segment with ``flags``, seq ``x``
        and ack ``y``: ``(sent flag bits, control state after)`` per way, or an Error."""
        out = self._deliver(state, Probe("", flags, ""), x, y)
        if isinstance(out, Error):
            return out
        return [(tuple(s[0] for s in sends), self.states[after[0]]) for _, sends, after in out]

    def _group(self, probe: Probe, obs: list, extra: list) -> tuple:
        """The replies in ``obs``, one per sequence of sent flags, in order of first
        delivery; numbers are described over ``obs`` plus the ``extra`` deliveries with
        the same flags when that finds a description that fits them all."""
        groups: dict = {}
        for o in obs:
            groups.setdefault(tuple(s[0] for s in o[5]), []).append(o)
        others: dict = {}
        for o in extra:
            others.setdefault(tuple(s[0] for s in o[5]), []).append(o)
        replies = []
        for bits, members in groups.items():
            segments = []
            for k, b in enumerate(bits):
                seq = self._describe(probe, members, others.get(bits, []), k, 1)
                ack = self._describe(probe, members, others.get(bits, []), k, 2) \
                    if b & F.ACK else None
                segments.append(Segment(ir.flag_text(b), seq, ack))
            # each name once, in the order met (dict keys keep insertion order)
            transitions = tuple(dict.fromkeys(self.names[o[4]] if o[4] is not None else None
                                              for o in members))
            after = tuple(dict.fromkeys(self.states[o[3][0]] for o in members))
            replies.append(Reply(tuple(segments), transitions, after, len(members), bits))
        return tuple(replies)

    def _describe(self, probe, members, extra, k, field) -> str:
        for obs in (members + extra, members):
            text = self._fit(probe, obs, k, field)
            if text is not None:
                return text
        return "?"

    def _fit(self, probe, obs, k, field):
        n = self.n
        values = [o[5][k][field] for o in obs]
        bases = [("SEG.SEQ", 0)] + ([("SEG.ACK", 1)] if probe.has_ack else [])
        for name, i in bases:
            base = [o[i] for o in obs]
            if len(set(base)) > 1:
                off = {(v - b) % n for v, b in zip(values, base)}
                if len(off) == 1:
                    return _plus(name, off.pop(), n)
        # a variable as it is after the transition (as the RFC's <SEQ=ISS><ACK=RCV.NXT>
        # means the values when the segment is formed), then before it; a variable
        # itself before one plus an offset (snd_nxt before iss+1)
        for exact in (True, False):
            for when in (3, 2):
                for var, slot in self.seq_vars:
                    base = [o[when][slot] for o in obs]
                    if len(set(base)) > 1:
                        off = {(v - b) % n for v, b in zip(values, base)}
                        if len(off) == 1 and (off == {0}) == exact:
                            return _plus(var, off.pop(), n)
        if len(set(values)) == 1:
            return str(values[0])
        return None


def prober(model: ir.Model, e: int) -> _Prober:
    """The scan's delivery of one segment to endpoint ``e`` (see :meth:`_Prober.outcomes`)."""
    nonghost = tuple(i for i, v in enumerate(model.endpoints[e].variables) if not v.ghost)
    return _Prober(Semantics(model), e, nonghost)


def _plus(name: str, offset: int, n: int) -> str:
    if offset == 0:
        return name
    if offset <= n // 2:
        return f"{name}+{offset}"
    return f"{name}-{n - offset}"


def _default(type_):
    if isinstance(type_, ir.BoolType):
        return False
    if isinstance(type_, ir.IntType):
        return type_.lo
    return 0
