"""Breadth-first explicit-state model checking of safety properties.

Every reachable global state is visited once, in breadth-first order, with a parent link;
so the first violation found of a property is at the smallest depth, and the run printed
for it is a shortest one.  Exploration stops when every property is decided, when the state
space is exhausted, or at a limit; a run cut short never reports a property as holding.

With ``counterexamples=N`` a violated property keeps up to N runs that break it in
different ways (a different violating state; for a step property a different firing:
transition and resulting state), in the order breadth-first search meets them, so
shortest first; "decided" then waits until each violated property has N of them.
"""

from __future__ import annotations

import resource
import time
from collections import deque
from dataclasses import dataclass, field

from tcpcheck.diagnostics import UsageError
from tcpcheck.explicit.compile import compile_expr
from tcpcheck.explicit.decode import Decoder
from tcpcheck.explicit.semantics import FIRE, DomainViolation, Semantics
from tcpcheck.model import ir
from tcpcheck.result import (FAILING, HOLDS, NOT_VERIFIED, REACHED, UNREACHABLE, VIOLATED,
                             CheckResult, Coverage, PropertyResult, Stats)
from tcpcheck.trace import Step

DOMAINS = "domains"  # the built-in property: every variable stays in its domain
LEMMA = "lemma"  # the kind under which lemmas are reported
# Why a violated lemma matters: it is a bug in the lemma, not (yet) in the protocol.
LEMMA_VIOLATED = ("the lemma is false in a reachable state, so it cannot serve as an "
                  "induction strengthening; fix the lemma")


@dataclass(frozen=True)
class CheckOptions:
    """Limits and selection for one run.  ``None`` means no limit."""

    properties: tuple | None = None  # names to check; None = all
    max_states: int | None = None
    max_depth: int | None = None
    timeout: float | None = None
    progress: object = None  # callable(states, transitions, depth, queue, seconds) or None
    progress_interval: float = 0.5
    stop_when_decided: bool = True
    counterexamples: int = 1  # violating runs to keep per violated property, shortest first


@dataclass
class _Pending:
    prop: ir.Property
    fn: object
    status: str | None = None
    witness: object = None  # (state index) or (parent index, action, state) for steps
    detail: str | None = None
    witnesses: list = field(default_factory=list)  # every violating run kept, witness first
    keys: set = field(default_factory=set)  # what makes each kept run different


def check(model: ir.Model, options: CheckOptions = CheckOptions()) -> CheckResult:
    """Explore ``model`` breadth-first and decide its properties."""
    if options.counterexamples < 1:
        raise UsageError(f"the number of counterexamples must be at least 1, not "
                         f"{options.counterexamples}")
    return _Explorer(model, options).run()


class _Explorer:
    def __init__(self, model: ir.Model, options: CheckOptions):
        self.model = model
        self.options = options
        self.sem = Semantics(model)
        wanted = options.properties
        chosen = [p for p in (*model.properties, *_lemma_properties(model))
                  if wanted is None or p.name in wanted]
        m = model.bounds.seqspace
        # step properties are compiled per endpoint below (for `self`), so not here
        fn = lambda p: (compile_expr(p.expr, in_transition=False, modulus=m)
                        if p.expr is not None and p.kind != "step" else None)
        self.props = [_Pending(p, fn(p)) for p in chosen]
        self.invariants = [p for p in self.props if p.prop.kind in ("always", LEMMA)]
        self.goals = [p for p in self.props if p.prop.kind == "reachable"]
        self.deadlock = [p for p in self.props if p.prop.kind == "deadlock"]
        self.steps = {}
        for p in self.props:
            if p.prop.kind == "step":
                fns = {e: compile_expr(p.prop.expr_for(e), in_transition=False, modulus=m)
                       for e in (0, 1)}
                for key in p.prop.selectors:
                    self.steps.setdefault(key, []).append((p, fns[key[0]]))
        self.domains = _Pending(ir.Property(DOMAINS, "domains", doc="every variable stays "
                                            "within its declared domain"), None)
        self.coverage = {(e, t): 0 for e, ep in enumerate(model.endpoints)
                         for t in range(len(ep.transitions))}

    # -- main loop -----------------------------------------------------------------------
    def run(self) -> CheckResult:
        opts = self.options
        started = time.monotonic()
        init = self.sem.initial_state()
        self.index = {init: 0}
        self.states = [init]
        self.parent = [-1]
        self.action = [None]
        depth = [0]
        self.transitions = 0
        self.cut_short = False
        self.capacity_blocked = 0
        self._check_state(0, init)
        queue = deque([0])
        stop_reason = None
        next_report = started + 1.0
        expanded = 0
        try:
            while queue:
                if self._all_decided():
                    stop_reason = stop_reason or "decided"
                    break
                current = queue.popleft()
                d = depth[current]
                if opts.max_depth is not None and d >= opts.max_depth:
                    stop_reason = stop_reason or "max-depth"
                    continue
                state = self.states[current]
                for action, nxt in self._successors(current, state):
                    self.transitions += 1
                    if action[0] == FIRE:
                        self._on_fire(current, action, nxt)
                    if nxt in self.index:
                        continue
                    if opts.max_states is not None and len(self.states) >= opts.max_states:
                        stop_reason = "max-states"
                        raise _Stop
                    i = len(self.states)
                    self.index[nxt] = i
                    self.states.append(nxt)
                    self.parent.append(current)
                    self.action.append(action)
                    depth.append(d + 1)
                    self._check_state(i, nxt)
                    queue.append(i)
                expanded += 1
                if expanded & 255 == 0:
                    now = time.monotonic()
                    if opts.timeout is not None and now - started > opts.timeout:
                        stop_reason = "timeout"
                        raise _Stop
                    if opts.progress and now >= next_report:
                        opts.progress(len(self.states), self.transitions, d, len(queue),
                                      now - started)
                        next_report = now + opts.progress_interval
        except _Stop:
            pass
        except KeyboardInterrupt:
            stop_reason = "interrupted"
        exhausted = not queue and stop_reason is None and not self.cut_short
        if self.cut_short and stop_reason in (None, "decided"):
            stop_reason = "error"
        diameter = max(depth)  # the greatest depth of any state found
        seconds = time.monotonic() - started
        return self._result(exhausted, stop_reason if not exhausted else None, diameter, seconds)

    def _successors(self, index: int, state):
        try:
            succs = self.sem.successors(state)
        except DomainViolation as err:
            if self.domains.status is None:
                self.domains.status = VIOLATED
                self.domains.witness = (index, err)
            # this state's successors are unknown: nothing may be claimed to hold any more
            self.cut_short = True
            return []
        if not succs and self.sem.blocked:
            # a bound, not a deadlock: with more capacity (or a lossier channel) the run
            # would go on, so it is counted and reported instead of judged
            self.capacity_blocked += 1
            return succs
        if not succs and self.deadlock and not self.sem.is_terminal(state):
            for p in self.deadlock:
                if self._wants(p):
                    if p.status is None:  # the detail describes the first (shortest) run
                        p.detail = self._deadlock_kind(state)
                    self._violated(p, index, index)
        return succs

    def _deadlock_kind(self, state) -> str:
        expired = self.sem.expired_timers(state)
        if expired:
            e, k = expired[0]
            ep = self.model.endpoints[e]
            return (f"timelock: timer {ep.name}.{ep.timers[k]} expired in "
                    f"{ep.states[state[e][0]]} and no transition handles it, so time cannot pass")
        return ("stuck: no endpoint can act, nothing is in flight and no timer runs; "
                "only idle time could pass")

    def _check_state(self, index: int, state) -> None:
        for p in self.invariants:
            if self._wants(p) and not self._evaluate(p, p.fn, state, None, index, index):
                if p.prop.kind == LEMMA and p.detail is None:  # keep an evaluation error
                    p.detail = LEMMA_VIOLATED
                self._violated(p, index, index)
        for p in self.goals:
            if p.status is None and self._evaluate(p, p.fn, state, None, index, index):
                p.status, p.witness = REACHED, index

    def _on_fire(self, parent: int, action, nxt) -> None:
        _, e, t, seg = action[:4]
        self.coverage[(e, t)] += 1
        for p, fn in self.steps.get((e, t), ()):
            key = (e, t, nxt)  # the same firing reached from another parent is no new run
            if self._wants(p) and key not in p.keys:
                witness = (parent, action, nxt)
                if not self._evaluate(p, fn, nxt, seg, witness, key):
                    self._violated(p, witness, key)

    def _wants(self, p: _Pending) -> bool:
        """Whether ``p`` is still looked at: undecided, or violated with fewer runs kept
        than were asked for (a goal is done once reached, or broken by an error)."""
        if p.status is None:
            return True
        return (p.status == VIOLATED and p.prop.kind != "reachable"
                and len(p.witnesses) < self.options.counterexamples)

    @staticmethod
    def _violated(p: _Pending, witness, key) -> None:
        """Keep a run that breaks ``p``; the first one found is the verdict's (shortest)."""
        if key in p.keys:
            return
        if p.status is None:
            p.status, p.witness = VIOLATED, witness
        p.witnesses.append(witness)
        p.keys.add(key)

    def _evaluate(self, p: _Pending, fn, state, seg, witness, key) -> bool:
        """The property's value; a property that cannot be evaluated here (x % 0, a
        negative set element) is reported as violated at this state, with the reason."""
        try:
            return fn(state, seg)
        except (ArithmeticError, ValueError) as err:
            if p.status is None:
                p.detail = f"the property cannot be evaluated in this state: {err}"
            self._violated(p, witness, key)
            return False  # the caller records the same run again, which is a no-op

    def _all_decided(self) -> bool:
        """Stop early only when every property is decided and nothing is left unchecked
        that a complete run would check: a failure was found, or `domains` was decided."""
        if not self.options.stop_when_decided or not self.props:
            return False
        if any(self._wants(p) for p in self.props):
            return False
        return self.domains.status is not None or any(p.status in FAILING for p in self.props)

    # -- results -------------------------------------------------------------------------
    def _path(self, index: int) -> list:
        path = []
        while index >= 0:
            path.append((self.action[index], self.states[index]))
            index = self.parent[index]
        path.reverse()
        return path

    def _result(self, exhausted: bool, stop_reason, diameter: int, seconds: float) -> CheckResult:
        decoder = Decoder(self.model)
        results = [self._property_result(p, exhausted, stop_reason, decoder) for p in self.props]
        if self.domains.status is not None or exhausted or stop_reason not in ("decided", None):
            results.append(self._property_result(self.domains, exhausted, stop_reason, decoder))
        coverage = tuple(
            Coverage(ep.name, t.name, self.coverage[(e, ti)], t.span.line)
            for e, ep in enumerate(self.model.endpoints) for ti, t in enumerate(ep.transitions))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        stats = Stats(len(self.states), self.transitions, diameter, seconds, peak, coverage)
        warnings = tuple(f"transition {c.endpoint}.{c.transition} (line {c.line}) never fired"
                         for c in coverage if c.fired == 0 and exhausted)
        if self.capacity_blocked:
            warnings += (f"{self.capacity_blocked:,} states end because every segment in flight "
                         "waits for room to send its replies (channel capacity reached, loss "
                         "budget spent); runs beyond them are outside the model's bounds",)
        return CheckResult(self.model.name, "explicit", tuple(results), stats, exhausted,
                           None if exhausted else (stop_reason or "stopped"), warnings)

    def _property_result(self, p: _Pending, exhausted, stop_reason, decoder) -> PropertyResult:
        prop = p.prop
        if p.status is None:
            if exhausted:
                status = UNREACHABLE if prop.kind == "reachable" else HOLDS
                return PropertyResult(prop.name, prop.kind, status, doc=prop.doc)
            why = {"decided": "exploration stopped once the other properties were decided",
                   "max-states": "the state limit was reached",
                   "max-depth": "the depth limit was reached",
                   "timeout": "the time limit was reached",
                   "interrupted": "the run was interrupted",
                   "error": "a transition failed to evaluate (see domains)"}.get(
                       stop_reason, "the run stopped")
            return PropertyResult(prop.name, prop.kind, NOT_VERIFIED, detail=why, doc=prop.doc)
        kind = "witness" if p.status == REACHED else "counterexample"
        trace = self._trace(p, p.witness, kind, decoder)
        if prop.kind == "domains":
            p.detail = p.witness[1].message
        traces = ()
        if self.options.counterexamples > 1 and p.status == VIOLATED and p.witnesses:
            traces = (trace,) + tuple(self._trace(p, w, kind, decoder) for w in p.witnesses[1:])
        return PropertyResult(prop.name, prop.kind, p.status, trace, p.detail, prop.doc,
                              traces=traces)

    def _trace(self, p: _Pending, witness, kind: str, decoder):
        prop = p.prop
        if prop.kind == "step":
            parent, action, nxt = witness
            path = self._path(parent) + [(action, nxt)]
            return decoder.trace(path, kind=kind, prop=prop.name)
        if prop.kind == "domains":
            index, err = witness
            trace = decoder.trace(self._path(index), kind=kind, prop=prop.name)
            ep = self.model.endpoints[err.endpoint]
            last = trace.steps[-1]
            error_step = Step(len(trace.steps), ep.name, "error",
                              f"{ep.name} fires {ep.transitions[err.transition].name}: "
                              f"{err.message}", last.state,
                              transition=ep.transitions[err.transition].name)
            return type(trace)(trace.model, trace.steps + (error_step,), kind, prop.name,
                               endpoint_names=trace.endpoint_names)
        return decoder.trace(self._path(witness), kind=kind, prop=prop.name)


def _lemma_properties(model: ir.Model) -> list:
    """Lemmas are checked as invariants: a lemma false in a reachable state is wrong, and
    an explicit run shows it with a shortest counterexample long before a proof would."""
    return [ir.Property(l.name, LEMMA, l.expr, doc=l.doc, span=l.span) for l in model.lemmas]


class _Stop(Exception):
    pass
