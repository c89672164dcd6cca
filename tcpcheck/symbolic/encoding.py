"""The transition relation of a frozen model as one Z3 formula over two state vectors.

Every action of section 13.2 of spec/MANUAL.md is one disjunct, tagged with an action
number so that a model of the formula says which action each step took (the decoder turns
that back into a :class:`tcpcheck.trace.Trace`).  The relation is built once, as a template
over the states ``S`` and ``S'`` and a few per-step constants (the action number, the
delivered slot, the time that passes, the values of ``choose``), and instantiated for each
step by substitution.

Time: ``unit`` is the explicit engine's tick (exactly its semantics, so the two engines can be
compared step for step); ``jump`` lets any whole number of ticks pass in one step, as long
as no timer would pass 0, which reaches exactly the same states in fewer steps and is what
makes a proof independent of the value of MSL and of the timer durations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import z3

from tcpcheck.diagnostics import TcpcheckError
from tcpcheck.model import ir
from tcpcheck.symbolic.body import BodyRunner, Path
from tcpcheck.symbolic.state import (NO_ACTION, DirectionTerms, EndpointTerms, SlotTerms, Sorts, StateFactory,
                                     StateTerms, age_and_expire, append, insert_after, remove_at,
                                     slot_at)
from tcpcheck.symbolic.terms import ExprCompiler, SeqArith, Unsupported

UNIT, JUMP = "unit", "jump"


class SymbolicUnsupported(TcpcheckError):
    """The model uses a construct the symbolic engine does not encode (exit 2)."""

REAL_SEQSPACE = 1 << 32


@dataclass(frozen=True)
class Action:
    """One disjunct of the relation.  ``kind``: fire, error, discard, lose, duplicate, tick."""

    id: int
    kind: str
    endpoint: int | None = None
    transition: int | None = None
    path: int | None = None
    direction: int | None = None


@dataclass
class ActionTerms:
    """What the decoder reads back for an action (template terms)."""

    action: Action
    enable: object
    nxt: StateTerms
    received: SlotTerms | None = None
    sends: list = field(default_factory=list)
    overflowed: list = field(default_factory=list)
    expired: list = field(default_factory=list)  # (direction, slot index, flag)
    blocked: object = None  # a receipt that waits for room (13.2 (b)); None: never


@dataclass
class StepVars:
    act: object
    pick: object
    delta: object
    choices: list


class Encoding:
    """The model's initial states, transition relation and properties as Z3 terms."""

    def __init__(self, model: ir.Model, *, seqspace: int | None = None, time: str = UNIT,
                 symbolic_params: bool = False, poll=None):
        if getattr(model.channel, "shared", False):
            # the encoding keeps one count per direction against the capacity; a bag whose
            # capacity counts both directions is not encoded: refuse rather than prove
            # something about a different channel
            raise Unsupported("a shared channel ('shared = yes': one capacity for both "
                              "directions); use 'tcpcheck check'")
        if getattr(model, "assumptions", ()):
            raise Unsupported("an 'assume' declaration (assumptions constrain the explicit "
                              "engine's firings only); use 'tcpcheck check'")
        self.model = model
        # called between the pieces of the work (each action, each quantifier elimination):
        # raises to abandon the encoding when the run must stop
        self.poll = poll or (lambda: None)
        self.time = time
        self.arith = SeqArith(seqspace or model.bounds.seqspace)
        self.sorts = Sorts(model, self.arith)
        self.factory = StateFactory(model, self.sorts)
        params = getattr(model, "params", ())
        self.symbolic_params = symbolic_params and bool(params)
        self.params = tuple(z3.Int(f"param.{p.name}") if symbolic_params else z3.IntVal(p.default)
                            for p in params)
        self.capacity = model.channel.capacity
        self.msl = self._msl()
        self.S = self.factory.fresh("S")
        self.N = self.factory.fresh("S'")
        self.vars = StepVars(z3.Int("T.act"), z3.Int("T.pick"), z3.Int("T.delta"), [])
        self.actions: list[ActionTerms] = []
        self._build()
        self.relation = z3.Or([z3.And(self.vars.act == a.action.id, a.enable, _equal(self.N, a.nxt))
                               for a in self.actions])

    # -- parameters ---------------------------------------------------------------------
    def _msl(self):
        ch = self.model.channel
        expr = getattr(ch, "msl_expr", None)
        if expr is not None and self.symbolic_params:
            return ExprCompiler(self.arith, self.params)(expr)
        return None if ch.msl is None else z3.IntVal(ch.msl)

    def parameter_constraints(self):
        parts = []
        if self.symbolic_params:
            c = ExprCompiler(self.arith, self.params)
            parts = [c(p.constraint) for p in self.model.params if p.constraint is not None]
        return z3.And(parts) if parts else z3.BoolVal(True)

    # -- the pieces every engine asks for ---------------------------------------------------
    def initial(self, s: StateTerms):
        return self.factory.initial(s)

    def well_formed(self, s: StateTerms):
        return self.factory.well_formed(s)

    def instantiate(self, s: StateTerms, n: StateTerms, tag: str):
        """The relation between ``s`` and ``n``, with per-step constants named by ``tag``."""
        mapping = self.step_mapping(s, n, tag)
        return z3.substitute(self.relation, *mapping)

    def step_mapping(self, s: StateTerms, n: StateTerms, tag: str) -> list:
        pairs = list(zip(self.S.flat(), s.flat())) + list(zip(self.N.flat(), n.flat()))
        v = self.vars
        pairs += [(v.act, z3.Int(f"{tag}.act")), (v.pick, z3.Int(f"{tag}.pick")),
                  (v.delta, z3.Int(f"{tag}.delta"))]
        pairs += [(c, z3.Const(f"{tag}.{c}", c.sort())) for c in v.choices]
        return [(a, b) for a, b in pairs if not a.eq(b)]

    def property_compiler(self, s: StateTerms, self_endpoint=None) -> ExprCompiler:
        channel = [[(d.valid(i), slot) for i, slot in enumerate(d.slots)] for d in s.channels]
        return ExprCompiler(self.arith, self.params, endpoints=s.endpoints, seg=s.last_seg,
                            channel=channel)

    def terminal(self, s: StateTerms):
        parts = []
        for e, spec in enumerate(self.model.endpoints):
            c = s.endpoints[e].control
            parts.append(z3.Or([c == i for i in spec.terminal]) if spec.terminal else z3.BoolVal(False))
        return z3.And(parts)

    # -- building the relation ---------------------------------------------------------
    def _next_id(self) -> int:
        return len(self.actions)

    def _add(self, kind, enable, nxt, **info) -> ActionTerms:
        self.poll()
        extra = {k: info.pop(k) for k in ("received", "sends", "overflowed", "expired") if k in info}
        terms = ActionTerms(Action(self._next_id(), kind, **info), enable, nxt, **extra)
        self.actions.append(terms)
        return terms

    def _build(self) -> None:
        for e in (0, 1):
            runner = BodyRunner(self.model, e, self.sorts, self.params, f"T.e{e}")
            for ti, t in enumerate(self.model.endpoints[e].transitions):
                if t.trigger.kind == "recv":
                    self._receive(e, ti, t, runner)
                else:
                    self._local(e, ti, t, runner)
            self._discard(e, runner)
        for d in (0, 1):
            self._lose(d)
            self._duplicate(d)
        self._tick()

    def _sources(self, e: int, t: ir.Transition):
        control = self.S.endpoints[e].control
        return z3.Or([control == i for i in sorted(t.sources)])

    def _guard(self, e: int, t: ir.Transition, seg):
        if t.guard is None:
            return z3.BoolVal(True)
        ep = self.S.endpoints[e]
        c = ExprCompiler(self.arith, self.params, local=lambda i: ep.variables[i],
                         incarnation=ep.incarnation, seg=seg)
        return c(t.guard)

    def _start(self, e: int, t: ir.Transition):
        """Starting variables, timers and incarnation of the body (13.3, step 1)."""
        ep = self.S.endpoints[e]
        spec = self.model.endpoints[e]
        variables, timers, incarnation = list(ep.variables), list(ep.timers), ep.incarnation
        trig = t.trigger
        if trig.kind == "crash":
            variables = [v if var.persistent else self.sorts.value(var.type, var.init)
                         for v, var in zip(ep.variables, spec.variables)]
            timers = [z3.IntVal(-1)] * len(timers)
            incarnation = ep.incarnation + 1
        elif trig.kind == "timeout":
            timers[trig.timer] = z3.IntVal(-1)
        return variables, timers, incarnation

    def _trigger(self, e: int, t: ir.Transition):
        ep = self.S.endpoints[e]
        trig = t.trigger
        if trig.kind == "timeout":
            return ep.timers[trig.timer] == 0
        if trig.kind == "crash":
            return ep.incarnation + 1 < self.model.bounds.incarnations
        return z3.BoolVal(True)

    def _paths(self, e, t, runner, seg) -> list:
        variables, timers, incarnation = self._start(e, t)
        runner.tag = f"T.e{e}.t{t.name}"
        runner.counter = 0
        paths = runner.run(t.body, Path(variables=variables, timers=timers), incarnation, seg)
        for p in paths:
            self.vars.choices.extend(c for c in p.choices if not any(c.eq(x) for x in self.vars.choices))
        return paths, incarnation

    def _local(self, e, ti, t, runner) -> None:
        base = z3.And(self._sources(e, t), self._trigger(e, t), self._guard(e, t, None))
        paths, incarnation = self._paths(e, t, runner, None)
        for pi, path in enumerate(paths):
            self._fire(e, ti, t, pi, path, incarnation, base, self.S.channels[e], None)

    def _receive(self, e, ti, t, runner) -> None:
        incoming = self.S.channels[e]
        seg = slot_at(incoming, self.vars.pick)
        match = _matches(t.trigger, seg.flags)
        base = z3.And(self._deliverable(incoming), self._sources(e, t), match,
                      self._guard(e, t, seg))
        paths, incarnation = self._paths(e, t, runner, seg)
        after = remove_at(incoming, self.vars.pick, self.factory.zero_slot())
        for pi, path in enumerate(paths):
            self._fire(e, ti, t, pi, path, incarnation, base, after, seg)

    def _deliverable(self, d: DirectionTerms):
        pick = self.vars.pick
        if self.model.channel.reordering:
            return z3.And(pick >= 0, pick < d.count)
        return z3.And(pick == 0, d.count > 0)

    def _fire(self, e, ti, t, pi, path: Path, incarnation, base, own_after, seg) -> None:
        s, peer = self.S, 1 - e
        out = s.channels[peer]
        overflowed = []
        for sent in path.sends:
            out, full = append(out, SlotTerms(sent.flags, sent.seq, sent.ack, sent.ghosts, z3.IntVal(0)))
            overflowed.append(full)
        lost, budget = s.lost, z3.BoolVal(True)
        loss = self.model.channel.loss
        if overflowed and loss is not None:
            lost = s.lost + z3.Sum([z3.If(f, 1, 0) for f in overflowed])
            budget = lost <= loss
        ep = s.endpoints[e]
        control = ep.control if t.target is None else z3.IntVal(t.target)
        new_ep = EndpointTerms(control, incarnation, path.variables, path.timers)
        eps = list(s.endpoints)
        eps[e] = new_ep
        chans = list(s.channels)
        chans[e], chans[peer] = own_after, out
        received = seg if seg is not None else self.factory.zero_slot()
        nxt = StateTerms(eps, chans, lost, s.duplicated, s.error, z3.IntVal(e), z3.IntVal(ti),
                         SlotTerms(received.flags, received.seq, received.ack, received.ghosts,
                                   received.age))
        fired = self._add("fire", z3.And(base, z3.And(path.cond), budget), nxt, endpoint=e,
                          transition=ti, path=pi, received=seg, sends=path.sends,
                          overflowed=overflowed)
        if seg is not None and not z3.is_true(budget):
            fired.blocked = z3.And(base, z3.And(path.cond), z3.Not(budget))
        if path.errors:
            self._add("error", z3.And(base, z3.Or(path.errors)), self._error_state(), endpoint=e,
                      transition=ti, path=pi, received=seg)

    def _error_state(self) -> StateTerms:
        s = self.S
        return StateTerms(s.endpoints, s.channels, s.lost, s.duplicated, z3.BoolVal(True),
                          z3.IntVal(NO_ACTION), z3.IntVal(NO_ACTION), self.factory.zero_slot())

    def _quiet(self, eps, chans, lost, dup) -> StateTerms:
        """A successor in which no endpoint fired (the monitor says so)."""
        return StateTerms(eps, chans, lost, dup, self.S.error, z3.IntVal(NO_ACTION),
                          z3.IntVal(NO_ACTION), self.factory.zero_slot())

    def _discard(self, e: int, runner) -> None:
        """Delivery that no transition takes (13.2 (b)): no matching transition has any
        outcome for the segment, not even one that waits for room or breaks a domain."""
        incoming = self.S.channels[e]
        seg = slot_at(incoming, self.vars.pick)
        takers = []
        for t in self.model.endpoints[e].transitions:
            if t.trigger.kind != "recv":
                continue
            paths, _ = self._paths(e, t, runner, seg)
            outcome = z3.Or([z3.Or(z3.And(p.cond), *p.errors) for p in paths]) if paths \
                else z3.BoolVal(False)
            choices = [c for p in paths for c in p.choices]
            if choices:
                outcome = _eliminate(choices, outcome, self.poll)
            takers.append(z3.And(self._sources(e, t), _matches(t.trigger, seg.flags),
                                 self._guard(e, t, seg), outcome))
        enable = z3.And(self._deliverable(incoming), z3.Not(z3.Or(takers)) if takers else z3.BoolVal(True))
        chans = list(self.S.channels)
        chans[e] = remove_at(incoming, self.vars.pick, self.factory.zero_slot())
        self._add("discard", enable, self._quiet(self.S.endpoints, chans, self.S.lost,
                                                 self.S.duplicated), endpoint=e, received=seg)

    def _lose(self, d: int) -> None:
        s, loss = self.S, self.model.channel.loss
        chan = s.channels[d]
        budget = z3.BoolVal(True) if loss is None else s.lost < loss
        chans = list(s.channels)
        chans[d] = remove_at(chan, self.vars.pick, self.factory.zero_slot())
        lost = s.lost if loss is None else s.lost + 1
        enable = z3.And(self.vars.pick >= 0, self.vars.pick < chan.count, budget)
        self._add("lose", enable, self._quiet(s.endpoints, chans, lost, s.duplicated),
                  direction=d, received=slot_at(chan, self.vars.pick))

    def _duplicate(self, d: int) -> None:
        s, budget_dup = self.S, self.model.channel.duplication
        chan = s.channels[d]
        budget = z3.BoolVal(True) if budget_dup is None else s.duplicated < budget_dup
        copy = slot_at(chan, self.vars.pick)
        chans = list(s.channels)
        if self.model.channel.reordering:
            chans[d] = append(chan, copy)[0]
        else:
            chans[d] = insert_after(chan, self.vars.pick, copy)
        dup = s.duplicated if budget_dup is None else s.duplicated + 1
        enable = z3.And(self.vars.pick >= 0, self.vars.pick < chan.count,
                        chan.count < self.capacity, budget)
        self._add("duplicate", enable, self._quiet(s.endpoints, chans, s.lost, dup),
                  direction=d, received=copy)

    def _tick(self) -> None:
        s = self.S
        delta = z3.IntVal(1) if self.time == UNIT else self.vars.delta
        timers = [t for ep in s.endpoints for t in ep.timers]
        no_expired = z3.And([t != 0 for t in timers]) if timers else z3.BoolVal(True)
        room = z3.And([z3.Or(t <= 0, t - delta >= 0) for t in timers]) if timers else z3.BoolVal(True)
        running = [t > 0 for t in timers]
        if self.msl is not None:
            running += [d.count > 0 for d in s.channels]
        changes = z3.Or(running) if running else z3.BoolVal(False)
        eps = []
        for ep in s.endpoints:
                eps.append(EndpointTerms(ep.control, ep.incarnation, ep.variables,
                                     [z3.If(t > 0, t - delta, t) for t in ep.timers]))
        chans, expired_count, expired = list(s.channels), z3.IntVal(0), []
        if self.msl is not None:
            for d in (0, 1):
                chan = s.channels[d]
                expired += [(d, i, z3.And(chan.valid(i), slot.age + delta >= self.msl))
                            for i, slot in enumerate(chan.slots)]
                chans[d], gone = age_and_expire(chan, delta, self.msl, self.factory.zero_slot())
                expired_count = expired_count + gone
        lost, budget = s.lost, z3.BoolVal(True)
        if self.model.channel.loss is not None and self.msl is not None:
            lost = s.lost + expired_count
            budget = lost <= self.model.channel.loss
        enable = z3.And(no_expired, room, changes, budget,
                        z3.BoolVal(True) if self.time == UNIT else delta >= 1)
        self._add("tick", enable, self._quiet(eps, chans, lost, s.duplicated), expired=expired)


def _matches(trigger: ir.Trigger, flags):
    """Trigger.matches on a 6-bit flags term."""
    must, clear = z3.BitVecVal(trigger.must_set, 6), z3.BitVecVal(trigger.must_clear, 6)
    parts = [flags & must == must, flags & clear == 0]
    if not trigger.others_free:
        parts.append(flags == must)
    return z3.And(parts)


def _equal(a: StateTerms, b: StateTerms):
    return z3.And([x == y for x, y in zip(a.flat(), b.flat()) if not x.eq(y)])


def _eliminate(choices: list, body, poll=lambda: None):
    """``exists choices: body`` without the quantifier where Z3 can do that quickly (a
    ``where`` like ``iss == 0 or chose_isn`` always has a candidate); otherwise the
    quantified formula, which BMC and k-induction handle and the Horn engine may not.
    The quantifier is first pushed inwards (through disjunctions, and past conjuncts that
    do not mention the chosen values): each piece left is small."""
    return z3.simplify(_miniscope(choices, z3.simplify(body), 0, poll))


def _miniscope(choices: list, term, depth: int, poll):
    bound = [c for c in choices if _occurs(c, term)]
    if not bound:
        return term
    if z3.is_or(term):
        return z3.Or([_miniscope(bound, c, depth, poll) for c in term.children()])
    if z3.is_and(term) and depth < 4:
        free = [c for c in term.children() if not any(_occurs(b, c) for b in bound)]
        tied = [c for c in term.children() if any(_occurs(b, c) for b in bound)]
        split = next((c for c in tied if z3.is_or(c)), None)
        if len(tied) > 1 and split is not None:
            rest = [c for c in tied if not c.eq(split)]
            inner = z3.Or([z3.And(rest + [d]) for d in split.children()])
            return z3.And(free + [_miniscope(bound, inner, depth + 1, poll)])
        if len(tied) == 1:
            return z3.And(free + [_miniscope(bound, tied[0], depth + 1, poll)])
        if free:
            return z3.And(free + [_miniscope(bound, z3.And(tied), depth + 1, poll)])
    return _eliminate_one(z3.Exists(bound, term), poll)


def _eliminate_one(formula, poll):
    for tactic in (z3.Tactic("qe-light"), z3.TryFor(z3.Tactic("qe"), 2000)):
        try:
            goals = [z3.And(g) for g in tactic.apply(formula)]
        except z3.Z3Exception:
            poll()  # an interrupted tactic raises too: stop rather than try the next one
            continue
        poll()  # an interrupted tactic may return what it had: never use that
        out = z3.simplify(z3.Or(goals)) if goals else z3.BoolVal(False)
        if not has_quantifier(out):
            return out
    return formula


def _occurs(const, term) -> bool:
    if term.eq(const):
        return True
    return any(_occurs(const, c) for c in term.children())


def has_quantifier(term) -> bool:
    seen, todo = set(), [term]
    while todo:
        t = todo.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if z3.is_quantifier(t):
            return True
        todo.extend(t.children())
    return False


def unsupported_message(err: Unsupported) -> str:
    where = f" at {err.span}" if err.span is not None else ""
    return f"the symbolic engine cannot encode {err.what}{where}"
