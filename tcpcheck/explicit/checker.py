"""Breadth-first explicit-state model checking of safety properties.

Every reachable global state is visited once, in breadth-first order, with a parent link;
so the first violation found of a property is at the smallest depth, and the run printed
for it is a shortest one.  Exploration stops when every property is decided, when the state
space is exhausted, or at a limit; a run cut short never reports a property as holding.

With ``counterexamples=N`` a violated property keeps up to N runs that break it in
different ways: a different sequence of actions (who did what: which transition, which
kind of channel fault, a tick), ignoring the values carried, so that three runs differing
only in the ISN chosen count as one.  They come in the order breadth-first search meets
them, so shortest first; "decided" then waits until each violated property has N of them.
"""

from __future__ import annotations

import dataclasses
import resource
import time
from dataclasses import dataclass, field

from tcpcheck.diagnostics import UsageError
from tcpcheck.engine.search import BreadthFirst, Observer, Observers, SearchLimits, path_to
from tcpcheck.explicit.compile import compile_expr, timer_bases
from tcpcheck.explicit import liveness
from tcpcheck.explicit.decode import Decoder
from tcpcheck.engine.state import view
from tcpcheck.explicit.semantics import FIRE, TICK, Semantics
from tcpcheck.limits import Watch, resident_mb
from tcpcheck.model import ir
from tcpcheck.result import (FAILING, HOLDS, LEMMA, NOT_VERIFIED, REACHED, STOP_DETAILS, STOPPED,
                             UNREACHABLE, VIOLATED, CheckResult, Coverage, FairnessHint,
                             PropertyResult, Stats)
from tcpcheck.trace.records import Step

DOMAINS = "domains"  # the built-in property: every variable stays in its domain
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
    max_memory_mb: float | None = None  # resident memory at which the run stops
    progress: object = None  # callable(states, transitions, depth, queue, seconds) or None
    progress_interval: float = 0.5
    stop_when_decided: bool = True
    counterexamples: int = 1  # violating runs to keep per violated property, shortest first
    workers: int = 1  # threads of the native search (check --workers); Python runs one
    storage: str = "exact"  # check --storage (tcpcheck.storage): approximate ones are native
    storage_bits: int = 27  # bitstate: log2 of the bit array's size
    hash_seed: int = 0  # check --hash-seed: the approximate modes' hash (0: unseeded)


@dataclass
class _Pending:
    prop: ir.Property
    fn: object
    status: str | None = None
    witness: object = None  # (state index) or (parent index, action, state) for steps
    detail: str | None = None
    witnesses: list = field(default_factory=list)  # every violating run kept, witness first
    keys: set = field(default_factory=set)  # what makes each kept run different
    broken: set = field(default_factory=set)  # states where the property is already broken
    hints: tuple = ()  # liveness: FairnessHint records for the counterexample
    channel_full: int = 0  # liveness not verified: goal-avoiding states at the bound's edge


def check(model: ir.Model, options: CheckOptions = CheckOptions(),
          observers: tuple = ()) -> CheckResult:
    """Explore ``model`` breadth-first and decide its properties; each of ``observers``
    (tcpcheck.engine.search.Observer) is told every state, move and edge of the search
    after the checker's own, and may end it (an analysis riding on the check: scan)."""
    if options.counterexamples < 1:
        raise UsageError(f"the number of counterexamples must be at least 1, not "
                         f"{options.counterexamples}")
    return _Explorer(model, options).run(observers)


class _Explorer:
    def __init__(self, model: ir.Model, options: CheckOptions):
        self.model = model
        self.options = options
        self.sem = Semantics(model)
        wanted = options.properties
        chosen = [p for p in (*model.properties, *_lemma_properties(model))
                  if wanted is None or p.name in wanted]
        m, timers = model.bounds.seqspace, timer_bases(model)
        # step properties are compiled per endpoint below (for `self`), so not here
        fn = lambda p: (compile_expr(p.expr, in_transition=False, modulus=m, timer_base=timers)
                        if p.expr is not None and p.kind != "step" else None)
        self.props = [_Pending(p, fn(p)) for p in chosen]
        self.invariants = [p for p in self.props if p.prop.kind in ("always", LEMMA)]
        self.goals = [p for p in self.props if p.prop.kind == "reachable"]
        self.deadlock = [p for p in self.props if p.prop.kind == "deadlock"]
        self.liveness = [p for p in self.props if p.prop.kind in ir.LIVENESS_KINDS]
        self.premises = {p.prop.name: fn(ir.Property(p.prop.name, "always", p.prop.premise))
                         for p in self.liveness if p.prop.premise is not None}
        self.graph = liveness.Graph() if self.liveness else None
        self.steps = {}
        for p in self.props:
            if p.prop.kind == "step":
                fns = {e: compile_expr(p.prop.expr_for(e), in_transition=False, modulus=m,
                                       timer_base=timers)
                       for e in (0, 1)}
                for key in p.prop.selectors:
                    self.steps.setdefault(key, []).append((p, fns[key[0]]))
        self.domains = _Pending(ir.Property(DOMAINS, "domains", doc="every variable stays "
                                            "within its declared domain"), None)
        self.coverage = {(e, t): 0 for e, ep in enumerate(model.endpoints)
                         for t in range(len(ep.transitions))}
        self.resident_before = resident_mb()  # for the memory per stored state

    # -- main loop -----------------------------------------------------------------------
    def run(self, observers: tuple = ()) -> CheckResult:
        opts = self.options
        self.watch = Watch(opts.timeout, opts.max_memory_mb, time.monotonic())
        observer = _Observing(self)
        if observers:
            observer = Observers((observer, *observers))
        search = BreadthFirst(self._expand, observer, SearchLimits(
            opts.max_states, opts.max_depth, opts.progress, opts.progress_interval), self.watch)
        # the search's own lists, by index: the runs are rebuilt from them
        self.index, self.states = search.index, search.states
        self.parent, self.action = search.parent, search.action
        self.cut_short = False
        self.capacity_blocked = 0
        end = search.run(self.sem.initial_state())
        if self.graph is not None and self.graph.open is not None:
            self.graph.abandon(self.graph.open)  # stopped while expanding it (a signal)
        self.transitions = end.transitions
        stop_reason = end.stop_reason
        exhausted = end.complete and not self.cut_short
        if self.liveness:
            self._judge_liveness_within(self.watch, exhausted)
        if self.cut_short and stop_reason in (None, "decided"):
            stop_reason = "error"
        return self._result(exhausted, stop_reason if not exhausted else None, end.diameter,
                            end.seconds)

    def _expand(self, index: int, state):
        """The Successors of ``state`` for the search (an error move is the search's to
        report: _Observing.on_error)."""
        if self.graph is not None:
            self.graph.begin(index)
        return self._successors(index, state)

    def _judge_liveness_within(self, watch: Watch, exhausted: bool) -> None:
        """Judge the liveness properties unless the run was stopped by a signal or is out of
        time or memory: then they stay not verified (the user asked to stop, not to wait for
        an SCC search over the whole graph)."""
        reason = watch.reason()
        if reason is not None:
            # a search cut short leaves them undecided for its own stop reason; after a
            # complete one (the limit reached as the graph was read) they must say why,
            # or an unjudged property would read as holding
            if exhausted:
                self.liveness_stopped = reason
            return
        try:
            self._judge_liveness(exhausted, watch)
        except KeyboardInterrupt:  # what is undecided stays not verified
            self.liveness_stopped = "interrupted"

    def _successors(self, index: int, state):
        succs = self.sem.successors(state, self.watch)
        if succs.error is not None:
            return succs
        if not succs and succs.blocked:
            # a bound, not a deadlock: with more capacity (or a lossier channel) the run
            # would go on, so it is counted and reported instead of judged
            self.capacity_blocked += 1
            if self.graph is not None:
                self.graph.outside.add(index)
            return succs
        if not succs and self.deadlock and not self.sem.is_terminal(state):
            for p in self.deadlock:
                if self._wants(p):
                    if p.status is None:  # the detail describes the first (shortest) run
                        p.detail = self._deadlock_kind(state)
                    self._violated(p, index, index)
        return succs

    # -- liveness ------------------------------------------------------------------------
    def _judge_liveness(self, exhausted: bool, watch: Watch | None = None) -> None:
        """Decide the liveness properties on the explored graph (tcpcheck.explicit.liveness).
        A violation found is real even after a limit (its lasso is made of expanded
        states); without one, the property holds only if the exploration was complete.
        ``watch`` is asked again before each property: the graph and the regions of the
        judgement grow the memory past what the search held (--max-memory), and a limit
        reached here leaves the properties not yet judged not verified."""
        n = len(self.states)
        for p in self.liveness:
            if p.status is not None:
                continue
            if watch is not None and (reason := watch.reason()) is not None:
                self.liveness_stopped = reason
                return
            goal = self._predicate(p, "goal")
            if goal is None:
                continue
            avoid = [not g for g in goal]
            kind, from_initial = p.prop.kind, False
            if kind == "eventually":
                starts, from_initial = [0], True
            elif kind == "leads_to":
                premise = self._predicate(p, "premise")
                if premise is None:
                    continue
                starts = [s for s in range(n) if premise[s] and avoid[s]]
            else:
                starts = [s for s in range(n) if avoid[s]]
            region = self._region(avoid, starts, from_initial)
            judged = self._judge(self.model.fairness, avoid, starts, from_initial, region,
                                 exhausted)
            if judged.status == NOT_VERIFIED:
                # no violation inside the bounds, but a run that avoids the goal goes on
                # past them: nothing may be claimed about it
                p.status, p.detail = NOT_VERIFIED, _edge_detail(judged.edge)
                p.channel_full = judged.edge
            if judged.status != VIOLATED:
                continue  # holds, or not verified: _property_result says which
            lasso = judged.lasso
            p.status, p.witness = VIOLATED, ("lasso", lasso)
            p.detail = self._lasso_detail(p, lasso)
            if lasso.cycle:
                p.hints = self._hints(lasso, avoid, starts, from_initial, exhausted, region)

    def _region(self, avoid: list, starts, from_initial: bool) -> liveness.Region:
        """What every search for one property shares (liveness.Region; the native engine
        computes it in C)."""
        return liveness.Region(self.graph, avoid, starts, from_initial)

    def _judge(self, fairness: tuple, avoid, starts, from_initial, region, exhausted):
        """A liveness verdict under ``fairness``: the same judgement for the property's
        verdict and for each fairness hint's re-check (tcpcheck.explicit.liveness.judge)."""
        cons = liveness.Constraints(self.model, self.graph, fairness)
        return liveness.judge(self.graph, cons, avoid, starts, from_initial, region, exhausted)

    def _predicate(self, p: _Pending, role: str) -> list | None:
        """The property's goal (``role`` "goal") or premise ("premise") on every state
        found, as :meth:`_values` gives it (the native engine reads its own records)."""
        return self._values(p, p.fn if role == "goal" else self.premises[p.prop.name])

    def _values(self, p: _Pending, fn) -> list | None:
        """``fn`` on every state found, or None after an evaluation error (then the property
        is violated at the first state where it fails, as an invariant would be)."""
        values = []
        for i, state in enumerate(self.states):
            value = self._evaluate(p, fn, state, None)
            if value is None:
                p.status, p.witness = VIOLATED, i
                return None
            values.append(bool(value))
        return values

    def _lasso_steps(self, lasso) -> tuple:
        """(index of the step reaching the start, of the first cycle step, of the last)."""
        start = len(self._path(lasso.start)) - 1
        loop = start + len(lasso.path) + 1
        return start, loop, loop + len(lasso.cycle) - 1

    def _lasso_detail(self, p: _Pending, lasso) -> str:
        start, loop, last = self._lasso_steps(lasso)
        if not lasso.cycle:
            return (f"the run stops after step {loop - 1} in a state with no successor, where "
                    "the goal does not hold; fairness cannot rule out a run that stops")
        repeat = (f"step {loop} repeats" if loop == last
                  else f"steps {loop} and {last} repeat" if last == loop + 1
                  else f"steps {loop} to {last} repeat")
        kind = p.prop.kind
        if kind == "eventually":
            what = f"{repeat} for ever and the goal never holds"
        elif kind == "leads_to":
            what = (f"the premise holds after step {start} without the goal, then {repeat} "
                    "for ever and the goal never holds")
        else:
            what = f"{repeat} for ever and the goal holds in none of the cycle's states"
        declared = _and_list([f"`{f.text}`" for f in self.model.fairness])
        if declared:
            return f"{what}; the cycle is fair under the declared fairness ({declared})"
        return f"{what}; no fairness is declared, so every such cycle counts"

    def _hints(self, lasso, avoid, starts, from_initial, exhausted, region) -> tuple:
        """What undeclared fairness would rule the cycle out, and the verdict the property
        gets with it (a new judgement on the same graph, exactly as the verdict's own)."""
        _, loop, _ = self._lasso_steps(lasso)
        decoder = Decoder(self.model)
        hints = []
        for u in liveness.unfair_under(self.model, self.graph, lasso.cycle, loop):
            judged = self._judge(self.model.fairness + (u.fairness,), avoid, starts,
                                 from_initial, region, exhausted)
            reason = _unfair_reason(self.model, decoder, u)
            hints.append(FairnessHint(u.fairness.text, reason, judged.status, judged.edge))
            if u.fairness.strength == "weak" and judged.status == VIOLATED:  # would strong do?
                strong = dataclasses.replace(u.fairness, strength="strong",
                                             text=u.fairness.text.replace("weak", "strong", 1))
                stronger = self._judge(self.model.fairness + (strong,), avoid, starts,
                                       from_initial, region, exhausted)
                if stronger.status == HOLDS:  # offered only when it makes the property hold
                    hints.append(FairnessHint(strong.text, reason, HOLDS))
        return tuple(hints)

    def _lasso_trace(self, p: _Pending, lasso, decoder):
        path = self._path(lasso.start)
        for u, k, v in lasso.path + lasso.cycle:
            path.append((self._action(u, k, v), self.states[v]))
        trace = decoder.trace(path, kind="counterexample", prop=p.prop.name)
        if not lasso.cycle:
            return trace
        _, loop, _ = self._lasso_steps(lasso)
        return dataclasses.replace(trace, loop_start=loop)

    def _action(self, u: int, k: int, v: int):
        """The action of the edge ``u`` -> ``v`` with key ``k`` (edges keep no actions)."""
        key = self.graph.keys[k]
        for action, nxt in self.sem.successors(self.states[u]):
            if self.index.get(nxt) == v and liveness.action_key(action) == key:
                return action
        raise AssertionError("an edge of the graph is an action")  # pragma: no cover

    def _error_move(self, index: int, error) -> None:
        """State ``index`` has the error move ``error``: the first one found is the
        ``domains`` violation; what lies beyond it is unknown, so nothing may be claimed to
        hold any more."""
        if self.domains.status is None:
            self.domains.status = VIOLATED
            self.domains.witness = (index, view(error))
        self.cut_short = True

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
            if self._wants(p) and not self._evaluate(p, p.fn, state, None):
                if p.prop.kind == LEMMA and p.detail is None:  # keep an evaluation error
                    p.detail = LEMMA_VIOLATED
                self._violated(p, index, index)
        for p in self.goals:
            if p.status is None:
                value = self._evaluate(p, p.fn, state, None)
                if value is None:  # an evaluation error is reported as a violation
                    self._violated(p, index, index)
                elif value:
                    p.status, p.witness = REACHED, index

    def _on_fire(self, parent: int, action, nxt) -> None:
        _, e, t, seg = action[:4]
        self.coverage[(e, t)] += 1
        for p, fn in self.steps.get((e, t), ()):
            if self._wants(p) and not self._evaluate(p, fn, nxt, seg):
                self._violated(p, (parent, action, nxt), parent, action)

    def _revisit(self, parent: int, action, nxt) -> None:
        """An edge into a state seen before: if that state breaks a state property, the run
        through ``parent`` and ``action`` may be another way to break it."""
        for p in self.invariants + self.deadlock:
            if nxt in p.broken and self._wants(p):
                self._violated(p, (parent, action, nxt), parent, action)

    def _shape(self, p: _Pending, index: int, last=None):
        """What makes the run to ``index`` (then ``last``, for a firing) different from
        another: its actions without their values.  None when the run passes through a state
        where ``p`` is already broken: a counterexample ends at its first violation."""
        shape = [] if last is None else [_skeleton(last)]
        while index > 0:
            if self.states[index] in p.broken:
                return None
            shape.append(_skeleton(self.action[index]))
            index = self.parent[index]
        return tuple(reversed(shape))

    def _wants(self, p: _Pending) -> bool:
        """Whether ``p`` is still looked at: undecided, or violated with fewer runs kept
        than were asked for (a goal is done once reached, or broken by an error)."""
        if p.status is None:
            return True
        return (p.status == VIOLATED and p.prop.kind != "reachable"
                and len(p.witnesses) < self.options.counterexamples)

    def _violated(self, p: _Pending, witness, index: int, last=None) -> None:
        """Keep the run ``witness`` (to state ``index``, then the firing ``last`` for a step
        property) that breaks ``p``; the first one found is the verdict's (shortest).  With
        more than one counterexample asked for, keep it only if it breaks ``p`` in a new way."""
        if p.status is None:
            p.status, p.witness = VIOLATED, witness
            p.witnesses.append(witness)
            if self.options.counterexamples > 1:
                p.keys.add(self._shape(p, index, last))
        elif self.options.counterexamples > 1:
            key = self._shape(p, index, last)
            if key is not None and key not in p.keys:
                p.witnesses.append(witness)
                p.keys.add(key)
        if self.options.counterexamples > 1:
            p.broken.add(witness[2] if last is not None else self.states[index])

    @staticmethod
    def _evaluate(p: _Pending, fn, state, seg) -> bool | None:
        """The property's value, or None when it cannot be evaluated here (x % 0, a
        negative set element): that counts as a violation at this state, with the reason."""
        try:
            return fn(state, seg)
        except (ArithmeticError, ValueError) as err:
            if p.status is None:
                p.detail = f"the property cannot be evaluated in this state: {err}"
            return None

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
        return path_to(index, self.states, self.parent, self.action)

    def _result(self, exhausted: bool, stop_reason, diameter: int, seconds: float) -> CheckResult:
        decoder = Decoder(self.model)
        results = [self._property_result(p, exhausted, stop_reason, decoder) for p in self.props]
        if self.domains.status is not None or exhausted or stop_reason not in ("decided", None):
            results.append(self._property_result(self.domains, exhausted, stop_reason, decoder))
        coverage = tuple(
            Coverage(ep.name, t.name, self.coverage[(e, ti)], t.span.line)
            for e, ep in enumerate(self.model.endpoints) for ti, t in enumerate(ep.transitions))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        # while the stored states are still held (the native engine frees its own after this)
        stored = max(0.0, resident_mb() - self.resident_before)
        stats = Stats(len(self.states), self.transitions, diameter, seconds, peak, coverage,
                      stored)
        warnings = tuple(f"transition {c.endpoint}.{c.transition} (line {c.line}) never fired"
                         for c in coverage if c.fired == 0 and exhausted)
        if self.capacity_blocked:
            n = self.capacity_blocked
            warnings += (f"{n:,} state{'s end' if n != 1 else ' ends'} because every segment in "
                         "flight waits for room to send its replies (channel capacity reached, "
                         f"loss budget spent); runs beyond {'them' if n != 1 else 'it'} are "
                         "outside the model's bounds",)
        return CheckResult(self.model.name, "explicit", tuple(results), stats, exhausted,
                           None if exhausted else (stop_reason or "stopped"), warnings)

    def _property_result(self, p: _Pending, exhausted, stop_reason, decoder) -> PropertyResult:
        prop = p.prop
        if p.status == NOT_VERIFIED:  # a liveness property whose runs leave the bounds
            return PropertyResult(prop.name, prop.kind, NOT_VERIFIED, detail=p.detail,
                                  doc=prop.doc, channel_full=p.channel_full)
        if isinstance(p.witness, tuple) and p.witness and p.witness[0] == "lasso":
            trace = self._lasso_trace(p, p.witness[1], decoder)
            return PropertyResult(prop.name, prop.kind, p.status, trace, p.detail, prop.doc,
                                  hints=p.hints)
        stopped = getattr(self, "liveness_stopped", None)
        if p.status is None and prop.kind in ir.LIVENESS_KINDS and stopped is not None:
            why = STOP_DETAILS.get(stopped, STOPPED)
            return PropertyResult(prop.name, prop.kind, NOT_VERIFIED,
                                  detail=f"{why} while judging the liveness properties",
                                  doc=prop.doc)
        if p.status is None:
            if exhausted:
                status = UNREACHABLE if prop.kind == "reachable" else HOLDS
                # a liveness verdict already judged the bound's edge; any other covers the
                # runs up to it, so it says how many states lie there
                edge = 0 if prop.kind in ir.LIVENESS_KINDS else self.capacity_blocked
                return PropertyResult(prop.name, prop.kind, status, doc=prop.doc,
                                      channel_full=edge)
            why = STOP_DETAILS.get(stop_reason, STOPPED)
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
        if prop.kind == "step" or (prop.kind != "domains" and isinstance(witness, tuple)):
            parent, action, nxt = witness  # a firing, or an edge into a state seen before
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


def _and_list(items: list) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join(filter(None, (", ".join(items[:-1]), *items[-1:])))


def _edge_detail(edge: int) -> str:
    """Why a liveness property is not verified when a run that avoids its goal reaches
    ``edge`` states at the edge of the bounds."""
    return (f"a run that avoids the goal reaches the edge of the bounds ({edge:,} such "
            f"state{'s' if edge != 1 else ''}, where every segment in flight waits for room "
            f"to send its replies); what it does beyond {'them' if edge != 1 else 'it'} was "
            "not explored")


def _unfair_reason(model: ir.Model, decoder: Decoder, u) -> str:
    """What the cycle does that the constraint ``u.fairness`` forbids, in words."""
    inst, weak = u.instance, u.fairness.strength == "weak"
    when = ("in every state of the cycle" if weak
            else f"after step {u.step}" if u.step > 0 else "at the start of the cycle")
    if inst[0] == liveness.DELIVER:
        seg = decoder.segment(inst[1], inst[2] + (0,))
        if u.lost:
            return (f"{seg.text()} could be delivered to {seg.dst} {when}, but every time it "
                    "could be delivered it was lost instead")
        return f"{seg.text()} could be delivered to {seg.dst} {when}, but it never is"
    if inst[0] == "tick":
        return f"time could pass {when}, but it never does"
    ep = model.endpoints[inst[1]]
    return f"{ep.name}.{ep.transitions[inst[2]].name} could fire {when}, but it never does"


def _skeleton(action) -> tuple:
    """An action without the values it carries: (FIRE, endpoint, transition) for a firing,
    (kind, endpoint or direction) for a discard, loss or duplication, (TICK,) for a tick."""
    if action[0] == FIRE:
        return action[:3]
    if action[0] == TICK:
        return (TICK,)
    return action[:2]


class _Observing(Observer):
    """The checker's part in the search: properties judged on each new state and each
    firing, the liveness graph built from the edges, early stop once all is decided."""

    def __init__(self, explorer: _Explorer):
        self.x = explorer
        self.graph = explorer.graph
        self.revisits = explorer.options.counterexamples > 1

    def decided(self) -> bool:
        return self.x._all_decided()

    def on_state(self, index: int, state) -> None:
        if self.graph is not None:
            self.graph.add_state()
        self.x._check_state(index, state)

    def on_move(self, parent: int, action, state) -> None:
        if action[0] == FIRE:
            self.x._on_fire(parent, action, state)

    def on_edge(self, parent: int, action, state, index: int, new: bool) -> None:
        if self.graph is not None:
            self.graph.edge(index, action)
        if not new and self.revisits:
            self.x._revisit(parent, action, state)

    def on_error(self, index: int, state, error) -> None:
        self.x._error_move(index, error)

    def on_expanded(self, index: int, complete: bool) -> None:
        if self.graph is not None:
            if complete:
                self.graph.end(index)
            else:
                self.graph.abandon(index)  # its successors are unknown or were cut off
