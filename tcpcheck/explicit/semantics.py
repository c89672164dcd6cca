"""The step semantics of a model, as pure functions on compact global states.

A global state is a tuple ``(ep0, ep1, chan0, chan1, lost, duplicated)`` (the contract:
tcpcheck.engine.state):

* ``ep_i = (control, incarnation, var..., timer...)``; a timer is -1 when stopped, else the
  ticks left (0 = expired, waiting for its ``timeout`` transition);
* ``chan_i`` holds the segments in flight **towards** endpoint ``i``: a sorted tuple (a bag)
  when the channel reorders, else a FIFO tuple (a ``shared`` channel is still stored as
  two bags, by destination; only its capacity counts them together); a segment is
  ``(flags, seq, ack, ghost..., age)``;
* ``lost`` / ``duplicated`` count faults used against the channel's budgets (kept at 0 when
  the budget is unbounded, so that they do not multiply states).

:meth:`Semantics.successors` lists every action enabled in a state, in a fixed order
(endpoint 0 then 1, transitions in declaration order, segments in channel order; then the
channel's faults; then the clock), each with the state it leads to.  spec/MANUAL.md
("Semantics of a step") is the prose version of this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from tcpcheck.diagnostics import TcpcheckError
# the state and action formats (tcpcheck.engine.state); the action kinds are also imported
# from here by the engine's users
from tcpcheck.engine.state import (DISCARD, DUPLICATE, FIRE, LOSE, TICK, VAR_BASE,
                                   Successors, with_channel)
from tcpcheck.explicit.compile import compile_expr, timer_bases
from tcpcheck.limits import LimitReached
from tcpcheck.model import ir

POLL_EVERY = 1024  # `choose` outcomes between two looks at the run's limits

# The most values a ``choose`` may try one by one: every firing of the transition makes a
# successor per value, so a domain of 2^20 sequence numbers makes a million states at the
# first step (and gigabytes before any limit is polled).
MAX_CHOICE_VALUES = 65_536


class ChoiceTooLarge(TcpcheckError):
    """A ``choose`` whose domain is too large to enumerate: the model is refused before
    any exploration (exit code 2), with what to do instead."""


def refuse_large_choices(model: ir.Model) -> None:
    """Raise ChoiceTooLarge for the first ``choose`` of ``model`` (in declaration order)
    with more than MAX_CHOICE_VALUES candidates."""
    for endpoint in model.endpoints:
        for transition in endpoint.transitions:
            for stmt in _choices(transition.body):
                size = ir.domain_size(stmt.domain)
                if size > MAX_CHOICE_VALUES:
                    raise ChoiceTooLarge(_too_large(model, endpoint, transition, stmt, size))


def _choices(stmts):
    for s in stmts:
        if isinstance(s, ir.Choose):
            yield s
        elif isinstance(s, ir.If):
            yield from _choices(s.then)
            yield from _choices(s.otherwise)


def _too_large(model, endpoint, transition, stmt: ir.Choose, size: int) -> str:
    var = endpoint.variables[stmt.var]
    where = f"{stmt.span}: " if stmt.span.line else ""
    seq = isinstance(var.type, ir.SeqType)
    instead = (f"lower the sequence space, e.g. --set bounds.seqspace=16 (it is "
               f"{model.bounds.seqspace:,} now)" if seq else
               "narrow the range it chooses from ('choose x in LO..HI')")
    return (f"{where}'choose {var.name}' in transition {endpoint.name}.{transition.name} "
            f"has {size:,} values to choose from; the explicit engine tries each value as "
            f"a separate successor and takes at most {MAX_CHOICE_VALUES:,}.  Use 'tcpcheck "
            f"prove', which handles the choice symbolically, or {instead}")


class _Poll:
    """One expansion's look at the run's limits, every POLL_EVERY ``choose`` outcomes."""

    __slots__ = ("watch", "left")

    def __init__(self, watch):
        self.watch = watch
        self.left = POLL_EVERY

    def tick(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.left = POLL_EVERY
            reason = self.watch.reason()
            if reason is not None:
                raise LimitReached(reason)


class DomainViolation(Exception):
    """A transition's effect cannot be computed (a value outside a variable's declared
    domain, an evaluation error).  Raised inside the semantics only: ``successors`` turns it
    into the state's error move (tcpcheck.engine.state)."""

    def __init__(self, endpoint: int, transition: int, message: str):
        super().__init__(message)
        self.endpoint = endpoint
        self.transition = transition
        self.message = message




@dataclass(frozen=True)
class _CompiledTransition:
    index: int
    sources: frozenset
    target: int
    trigger: ir.Trigger
    guard: object  # function (v, g) -> bool, or None
    body: tuple  # compiled statements
    crash: bool


class Semantics:
    """Compiles a frozen model once; then answers ``successors(state)`` quickly."""

    def __init__(self, model: ir.Model):
        refuse_large_choices(model)  # before compiling anything: a choice is tried value by value
        self.model = model
        self.modulus = model.bounds.seqspace
        self.channel = model.channel
        self.ghost_types = tuple(f.type for f in model.ghost_fields)
        self.seq_ghosts = frozenset(k for k, t in enumerate(self.ghost_types)
                                    if isinstance(t, ir.SeqType))
        self.endpoints = model.endpoints
        self.var_types = tuple(tuple(v.type for v in e.variables) for e in model.endpoints)
        self.set_masks = tuple(tuple(_set_mask(t.element) if isinstance(t, ir.SetType) else 0
                                     for t in types) for types in self.var_types)
        self.timer_base = timer_bases(model)
        self.transitions = tuple(
            tuple(self._compile_transition(ti, t) for ti, t in enumerate(e.transitions))
            for e in model.endpoints)
        self.recv = tuple(tuple(t for t in ts if t.trigger.kind == "recv") for ts in self.transitions)
        self.local = tuple(tuple(t for t in ts if t.trigger.kind != "recv") for ts in self.transitions)
        self._receiver_cache: dict = {}
        self.assumed = self._compile_assumptions(model)

    # -- compilation ---------------------------------------------------------------------
    def _fn(self, expr):
        return compile_expr(expr, in_transition=True, modulus=self.modulus)

    def _compile_transition(self, index: int, t: ir.Transition) -> _CompiledTransition:
        guard = self._fn(t.guard) if t.guard is not None else None
        return _CompiledTransition(index, t.sources, t.target, t.trigger, guard,
                                   self._compile_block(t.body), t.trigger.kind == "crash")

    def _compile_assumptions(self, model: ir.Model) -> dict:
        """(endpoint, transition) -> the assumptions' expressions that its firings must
        satisfy (in the state after the firing, with ``seg`` the received segment)."""
        found: dict = {}
        bases = timer_bases(model)
        for a in getattr(model, "assumptions", ()):
            for e, t in sorted(a.selectors):
                fn = compile_expr(a.expr_for(e), in_transition=False, modulus=self.modulus,
                                  timer_base=bases)
                found.setdefault((e, t), []).append((a.name, fn))
        return found

    def _assumed(self, e: int, t, state, seg) -> bool:
        for name, fn in self.assumed.get((e, t.index), ()):
            try:
                if not fn(state, seg):
                    return False
            except (ArithmeticError, ValueError) as err:
                raise DomainViolation(e, t.index, f"evaluating assumption {name} failed: "
                                      f"{err}") from None
        return True

    def _compile_block(self, stmts) -> tuple:
        return tuple(self._compile_stmt(s) for s in stmts)

    def _compile_stmt(self, s):
        if isinstance(s, ir.Assign):
            return ("assign", VAR_BASE + s.var, self._fn(s.value), s.var)
        if isinstance(s, ir.Send):
            return ("send", s.flags, self._fn(s.seq), self._fn(s.ack),
                    tuple(self._fn(g) for g in s.ghosts))
        if isinstance(s, ir.Choose):
            where = self._fn(s.where) if s.where is not None else None
            return ("choose", VAR_BASE + s.var, s.domain, where)
        if isinstance(s, ir.StartTimer):
            return ("start", s.timer, self._fn(s.duration))
        if isinstance(s, ir.StopTimer):
            return ("stop", s.timer)
        return ("if", self._fn(s.cond), self._compile_block(s.then), self._compile_block(s.otherwise))

    # -- initial state -------------------------------------------------------------------
    def initial_state(self) -> tuple:
        eps = tuple(self._fresh_endpoint(e, 0, None) for e in self.endpoints)
        return (eps[0], eps[1], (), (), 0, 0)

    def _fresh_endpoint(self, e: ir.Endpoint, incarnation: int, previous) -> tuple:
        """An endpoint's state at start, or after a crash (``previous``: its state before)."""
        values = []
        for i, var in enumerate(e.variables):
            keep = previous is not None and var.persistent
            values.append(previous[VAR_BASE + i] if keep else var.init)
        control = e.initial if previous is None else previous[0]
        return (control, incarnation, *values, *([-1] * len(e.timers)))

    # -- the successor relation ----------------------------------------------------------
    def successors(self, state: tuple, watch=None) -> Successors:
        """Every ``(action, next_state)`` enabled in ``state``, in a deterministic order, with
        ``blocked`` and the error move as tcpcheck.engine.state says.  ``watch``
        (tcpcheck.limits.Watch), when given, is asked every POLL_EVERY outcomes of a
        ``choose``, so that one state with a huge number of successors cannot run past a
        limit or a Ctrl-C: LimitReached is raised then.  Nothing in ``self`` changes."""
        out: list = []
        poll = _Poll(watch) if watch is not None else None
        blocked = False
        try:
            for e in (0, 1):
                self._local_moves(state, e, out, poll)
                blocked |= self._deliveries(state, e, out, poll)
        except DomainViolation as err:
            return Successors.failed(err.endpoint, err.transition, err.message)
        for d in (0, 1):
            self._faults(state, d, out)
        self._tick(state, out)
        return Successors(out, blocked)

    def deliveries(self, state: tuple, e: int, watch=None) -> Successors:
        """Only the deliveries to endpoint ``e`` in ``state`` (MANUAL 13.2 (b)), as
        ``(action, next_state)`` in successor order, with ``blocked`` and the error move as
        for :meth:`successors`.  For probing one endpoint (tcpcheck scan) without the other
        actions of the state."""
        out: list = []
        try:
            blocked = self._deliveries(state, e, out,
                                       _Poll(watch) if watch is not None else None)
        except DomainViolation as err:
            return Successors.failed(err.endpoint, err.transition, err.message)
        return Successors(out, blocked)

    def _local_moves(self, state, e, out, poll) -> None:
        ep = state[e]
        control = ep[0]
        for t in self.local[e]:
            if control not in t.sources:
                continue
            trig = t.trigger
            if trig.kind == "timeout":
                if ep[self.timer_base[e] + trig.timer] != 0:
                    continue
            elif t.crash and ep[1] + 1 >= self.model.bounds.incarnations:
                continue
            if t.guard is not None and not self._holds(t, e, ep, None):
                continue
            start = list(ep)
            if t.crash:
                start = list(self._fresh_endpoint(self.endpoints[e], ep[1] + 1, ep))
            elif trig.kind == "timeout":
                start[self.timer_base[e] + trig.timer] = -1
            self._fire(state, e, t, start, None, state[2 + e], out, poll)

    def _deliveries(self, state, e, out, poll) -> bool:
        """Append the deliveries to ``e``; True when some receipt waits for room."""
        incoming = state[2 + e]
        if not incoming:
            return False
        positions = range(len(incoming)) if self.channel.reordering else (0,)
        ep = state[e]
        control = ep[0]
        previous = None
        blocked = False
        for pos in positions:
            seg = incoming[pos]
            if seg == previous:  # identical copies in a bag: one delivery is enough
                continue
            previous = seg
            remaining = incoming[:pos] + incoming[pos + 1:]
            before, waiting = len(out), False
            for t in self._receivers(e, control, seg[0]):
                if t.guard is not None and not self._holds(t, e, ep, seg):
                    continue
                waiting |= self._fire(state, e, t, list(ep), seg, remaining, out, poll)
            blocked |= waiting
            if len(out) == before and not waiting:
                # no transition takes the segment: the endpoint drops it (RFC 9293's "drop
                # the segment").  A segment whose transition only waits for room to send
                # its replies stays in the channel instead.
                out.append(((DISCARD, e, seg), with_channel(state, e, remaining)))
        return blocked

    def _receivers(self, e: int, control: int, flags: int) -> tuple:
        """The recv transitions of ``e`` that may take a segment with ``flags`` in state
        ``control``, in declaration order (memoised: the inner loop's hottest question)."""
        key = (e, control, flags)
        found = self._receiver_cache.get(key)
        if found is None:
            found = tuple(t for t in self.recv[e]
                          if control in t.sources and t.trigger.matches(flags))
            self._receiver_cache[key] = found
        return found

    @staticmethod
    def _holds(t, e, ep, seg) -> bool:
        try:
            return t.guard(ep, seg)
        except (ArithmeticError, ValueError) as err:
            raise DomainViolation(e, t.index, f"evaluating the guard failed: {err}") from None

    def _fire(self, state, e, t, start, seg, incoming_after, out, poll) -> bool:
        """Append the transition's outcomes; True when some outcome is blocked only because
        its sends would overflow a channel whose loss budget is spent (it must wait)."""
        try:
            branches = self._run(t.body, 0, start, [], seg, e, poll)
        except _Violation as v:
            raise DomainViolation(e, t.index, str(v)) from None
        except (ArithmeticError, ValueError) as err:  # e.g. x % 0, a negative set element
            raise DomainViolation(e, t.index, f"evaluation failed: {err}") from None
        peer = 1 - e
        blocked = False
        for values, sends in branches:
            if t.target is not None:
                values[0] = t.target
            channels = [state[2], state[3]]
            channels[e] = incoming_after
            # a shared bag (channel option ``shared``): the other direction takes room too
            elsewhere = len(channels[e]) if self.channel.shared else 0
            to_peer, overflow = self._enqueue(channels[peer], sends, elsewhere)
            lost = state[4]
            if overflow and self.channel.loss is not None:
                lost += len(overflow)
                if lost > self.channel.loss:
                    blocked = True
                    continue  # the network may drop no more: the sender waits for room
            channels[peer] = to_peer
            eps = [state[0], state[1]]
            eps[e] = tuple(values)
            action = (FIRE, e, t.index, seg, tuple(sends), overflow)
            nxt = (eps[0], eps[1], channels[0], channels[1], lost, state[5])
            if self.assumed and not self._assumed(e, t, nxt, seg):
                continue  # the environment does not let this firing happen (``assume``)
            out.append((action, nxt))
        return blocked

    def _enqueue(self, channel: tuple, sends, elsewhere: int = 0) -> tuple:
        """Add sent segments; a send into a full direction (full bag, when shared: then
        ``elsewhere`` segments travel the other way) is dropped (overflow), which is a
        loss and counts against the loss budget (the caller checks it)."""
        if not sends:
            return channel, ()
        room = self.channel.capacity - len(channel) - elsewhere
        accepted, overflow = sends[:max(room, 0)], tuple(sends[max(room, 0):])
        merged = channel + tuple(accepted)
        if self.channel.reordering:
            merged = tuple(sorted(merged))
        return merged, overflow

    # -- statements ----------------------------------------------------------------------
    def _run(self, block, i, values, sends, seg, e, poll) -> list:
        """Execute ``block[i:]``; returns the list of ``(values, sends)`` outcomes."""
        while i < len(block):
            s = block[i]
            kind = s[0]
            if kind == "assign":
                values[s[1]] = self._store(e, s[3], s[2](values, seg))
            elif kind == "send":
                sends.append(self._segment(s, values, seg))
            elif kind == "start":
                duration = s[2](values, seg)
                if duration < 0:
                    raise _Violation(f"timer duration {duration} is negative")
                values[self.timer_base[e] + s[1]] = duration
            elif kind == "stop":
                values[self.timer_base[e] + s[1]] = -1
            elif kind == "choose":
                return self._choose(block, i, values, sends, seg, e, poll)
            else:  # if: the chosen branch, then the rest of the block (a branch may choose)
                branch = s[2] if s[1](values, seg) else s[3]
                return self._run(branch + block[i + 1:], 0, values, sends, seg, e, poll)
            i += 1
        return [(values, sends)]

    def _choose(self, block, i, values, sends, seg, e, poll) -> list:
        _, slot, domain, where = block[i]
        results = []
        for candidate in domain:
            if poll is not None:
                poll.tick()
            trial = list(values)
            trial[slot] = candidate
            if where is None or where(trial, seg):
                results.extend(self._run(block, i + 1, trial, list(sends), seg, e, poll))
        return results

    def _store(self, e: int, var: int, value):
        type_ = self.var_types[e][var]
        if isinstance(type_, ir.SeqType):
            return value % self.modulus
        if isinstance(type_, ir.IntType) and not (type_.lo <= value <= type_.hi):
            name = self.endpoints[e].variables[var].name
            raise _Violation(f"{self.endpoints[e].name}.{name} := {value} is outside its domain "
                             f"{type_}")
        if isinstance(type_, ir.SetType) and value & ~self.set_masks[e][var]:
            name = self.endpoints[e].variables[var].name
            stray = value & ~self.set_masks[e][var]
            outside = [i for i in range(stray.bit_length()) if stray >> i & 1]
            raise _Violation(f"{self.endpoints[e].name}.{name} gets element {outside[0]}, outside "
                             f"its element domain {type_.element}")
        return value

    def _segment(self, s, values, seg) -> tuple:
        _, flags, seq_fn, ack_fn, ghost_fns = s
        ghosts = []
        for k, fn in enumerate(ghost_fns):
            value = fn(values, seg)
            type_ = self.ghost_types[k]
            if isinstance(type_, ir.IntType) and not (type_.lo <= value <= type_.hi):
                raise _Violation(f"segment field {self.model.ghost_fields[k].name} = {value} is "
                                 f"outside its domain {type_}")
            ghosts.append(value % self.modulus if k in self.seq_ghosts else value)
        m = self.modulus
        return (flags, seq_fn(values, seg) % m, ack_fn(values, seg) % m, *ghosts, 0)

    # -- the channel and the clock ------------------------------------------------------
    def _faults(self, state, d, out) -> None:
        channel = state[2 + d]
        if not channel:
            return
        budget_loss, budget_dup = self.channel.loss, self.channel.duplication
        may_lose = budget_loss is None or state[4] < budget_loss
        in_flight = len(state[2]) + len(state[3]) if self.channel.shared else len(channel)
        may_dup = (budget_dup is None or state[5] < budget_dup) and \
            in_flight < self.channel.capacity
        if not (may_lose or may_dup):
            return
        previous = None
        for pos, seg in enumerate(channel):
            if seg == previous:
                continue
            previous = seg
            if may_lose:
                lost = state[4] + (budget_loss is not None)
                remaining = channel[:pos] + channel[pos + 1:]
                nxt = with_channel(state, d, remaining)
                out.append(((LOSE, d, seg), nxt[:4] + (lost, state[5])))
            if may_dup:
                dup = state[5] + (budget_dup is not None)
                copy = channel[:pos + 1] + (seg,) + channel[pos + 1:]
                nxt = with_channel(state, d, copy)
                out.append(((DUPLICATE, d, seg), nxt[:4] + (state[4], dup)))

    def _tick(self, state, out) -> None:
        """One unit of time: timers count down, segments age, old segments expire.

        Time cannot pass while a timer has expired and waits for its transition (expiry is
        urgent), nor when nothing would change (no timer running, nothing ageing)."""
        timers_running = False
        for e in (0, 1):
            for value in state[e][self.timer_base[e]:]:
                if value == 0:
                    return
                if value > 0:
                    timers_running = True
        msl = self.channel.msl
        ageing = msl is not None and (state[2] or state[3])
        if not (timers_running or ageing):
            return
        eps = tuple(self._count_down(state[e], self.timer_base[e]) for e in (0, 1))
        channels, expired = [state[2], state[3]], []
        if msl is not None:
            for d in (0, 1):
                kept = []
                for seg in state[2 + d]:
                    if seg[-1] + 1 >= msl:
                        expired.append((d, seg))
                    else:
                        kept.append(seg[:-1] + (seg[-1] + 1,))
                channels[d] = tuple(kept)  # ageing every segment keeps the order sorted
        lost = state[4]
        if expired and self.channel.loss is not None:
            lost += len(expired)
            if lost > self.channel.loss:
                return  # the network may lose no more: these segments must be delivered first
        out.append(((TICK, tuple(expired)), (eps[0], eps[1], channels[0], channels[1], lost, state[5])))

    @staticmethod
    def _count_down(ep: tuple, base: int) -> tuple:
        if all(t < 0 for t in ep[base:]):
            return ep
        return ep[:base] + tuple(t - 1 if t > 0 else t for t in ep[base:])

    # -- classification ------------------------------------------------------------------
    def is_terminal(self, state) -> bool:
        return all(state[e][0] in self.endpoints[e].terminal for e in (0, 1))

    def expired_timers(self, state) -> list:
        """(endpoint, timer) pairs that have expired and wait for a transition."""
        found = []
        for e in (0, 1):
            for k, value in enumerate(state[e][self.timer_base[e]:]):
                if value == 0:
                    found.append((e, k))
        return found


class _Violation(Exception):
    pass


def _set_mask(element) -> int:
    """The bits a set of ``element`` values may have."""
    if isinstance(element, ir.IntType):
        return sum(1 << v for v in range(element.lo, element.hi + 1))
    if isinstance(element, ir.SeqType):
        return (1 << element.modulus) - 1
    return 0b11  # bool: False and True
