"""Telling two models apart: a shortest run one model allows and the other does not.

``tcpcheck diff A B`` (tcpcheck/commands/diff.py; spec/MANUAL.md 14.12) compares two variants
of a protocol whose variables and transition names may differ, so it compares what can be
*observed* of each step, never the states themselves.  The **observation** of a step is:

* who acts: endpoint 0 or 1 (matched by position, so the names may differ), or the channel
  (a loss or duplication of a segment towards endpoint *d*) or the clock (a tick);
* what happened: a user call (``open``, ``listen``, ``close``, ``abort``), a crash, the
  expiry of timer ``T`` (by name), the delivery of a segment (whether a ``recv`` transition
  took it or the endpoint discarded it: both are "the endpoint received it"), a loss, a
  duplication, a tick;
* the segments involved: the one received, lost or duplicated, those sent (in order), those
  dropped because the channel was full, those that expired at a tick.  A segment is seen as
  its flags, ``seq`` and ``ack`` (``ack`` only with the ACK flag: without it the field
  carries no meaning), its ``len`` (0 in a model that declares none: it sends no data) and
  its ``wnd`` when both models declare one (they are on the wire too); ghost fields only
  with ``ghosts=True`` (they are bookkeeping); only the flags with ``observe="flags"``;
* the control state of each endpoint after the step, by name (not with ``observe="wire"``).

A run is the sequence of observations of its steps from the initial state.  Variables,
incarnations, timers' values, ages and transition names are not observed.

**A difference** (no property): a shortest sequence of observations ``o1 .. on`` such that
model X has a run with these observations and model Y has a run with ``o1 .. o(n-1)`` but
none with ``o1 .. on``.  Both directions are searched (A against B, then B against A).

**A difference for property P** (``prop=P``, a property or lemma both models have): a
shortest ``o1 .. on`` such that some run of X with these observations breaks P at its last
step (an invariant or lemma false in the state after it, an ``always at`` property false
after its firing, a ``reachable`` goal met in the state after it, a deadlock in the state
after it), while Y has runs with ``o1 .. o(n-1)``, none of which breaks P at any step, and
either Y cannot take ``on`` at all (``other="cannot"``), or it can and none of its runs
with ``o1 .. on`` breaks P there (``other="keeps"``).

The search is breadth-first over pairs (a state of X, the set of all states Y can be in
after the same observations): the subset construction, because ``choose`` and the channel
make models nondeterministic.  The first pair where X takes a step that the set cannot
match (or, for P, where X breaks P and the set keeps it) gives a shortest difference.  A
direction explored completely without one is a statement about the models' bounds: every
run of X is one of Y (for P: no run breaks P in X and keeps it in Y).  A direction cut short
by a limit proves nothing, and says so.

This module explores and returns records; tcpcheck/render/diffview.py prints them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from tcpcheck.diagnostics import UsageError, did_you_mean
from tcpcheck.engine.search import BreadthFirst, Observer, SearchLimits, StopSearch
from tcpcheck.engine.state import Successors, view
from tcpcheck.result import LEMMA
from tcpcheck.explicit.compile import compile_expr, timer_bases
from tcpcheck.explicit.decode import Decoder
from tcpcheck.explicit.semantics import DISCARD, DUPLICATE, FIRE, LOSE, Semantics
from tcpcheck.limits import SIGNAL_REASONS, Watch
from tcpcheck.model import ir
from tcpcheck.result import EXIT_HOLDS, EXIT_INCOMPLETE, EXIT_VIOLATED
from tcpcheck.trace.records import Trace

OBSERVATIONS = ("full", "flags", "wire")
PROPERTY_KINDS = ("always", "step", "reachable", "deadlock", LEMMA)
CANNOT, KEEPS = "cannot", "keeps"
_ACK = int(ir.Flag.ACK)


@dataclass(frozen=True)
class DiffOptions:
    observe: str = "full"
    ghosts: bool = False  # observe ghost fields of segments too
    prop: str | None = None
    max_states: int | None = None  # pairs stored, per direction
    max_depth: int | None = None
    timeout: float | None = None  # seconds, per direction
    max_memory_mb: float | None = None  # resident memory at which a direction stops
    progress: object = None  # callable(direction, pairs, depth, queue, seconds) or None
    progress_interval: float = 0.5


@dataclass(frozen=True)
class Difference:
    """A shortest distinguishing run.  ``run`` is the run of the model that takes it (its
    ``len(run)`` steps); ``other`` the other model following the same observations: all of
    them (``other_kind == "keeps"``) or all but the last (``"cannot"``)."""

    observations: tuple  # one per step, as tuples (see observation())
    run: Trace
    other: Trace
    other_kind: str  # "cannot" or "keeps"
    other_states: int  # how many states the other model can be in at the end of ``other``
    alternatives: tuple = ()  # Steps: what the other model does on the same stimulus instead
    alternative_observations: tuple = ()  # their observations, in the same order
    other_control: tuple = ()  # ((state of endpoint 0, of endpoint 1), ...) it can be in
    prop: str | None = None

    def __len__(self) -> int:
        return len(self.observations)


@dataclass(frozen=True)
class Direction:
    """One direction of the search: runs of ``first`` that ``second`` does not match."""

    first: str  # model name
    second: str
    difference: Difference | None
    complete: bool
    stop_reason: str | None  # max-states, max-depth, timeout, interrupted, error; or None
    pairs: int
    depth: int  # the greatest depth of a pair stored
    seconds: float
    detail: str | None = None  # e.g. the evaluation error that stopped it

    @property
    def status(self) -> str:
        if self.difference is not None:
            return "difference"
        return "none" if self.complete else "not_explored_further"


@dataclass(frozen=True)
class DiffResult:
    models: tuple  # (name, file) of A and B
    observe: str
    ghosts: bool
    prop: str | None
    directions: tuple  # (A against B, B against A)

    @property
    def exit_code(self) -> int:
        if any(d.difference is not None for d in self.directions):
            return EXIT_VIOLATED
        if all(d.complete for d in self.directions):
            return EXIT_HOLDS
        return EXIT_INCOMPLETE


# ---- observations ------------------------------------------------------------------------

def segment_observation(seg: tuple, observe: str, ghosts: bool, ghost_slots: tuple,
                        data_slots: tuple = ()) -> tuple:
    """What is seen of an engine segment ``(flags, seq, ack, field..., age)``:
    ``data_slots`` are the protocol fields observed, (name, index in ``seg`` or None for a
    field the model does not declare: 0), ``ghost_slots`` the ghost fields, (name, index)."""
    flags = seg[0]
    if observe == "flags":
        seen = (flags,)
    else:
        seen = (flags, seg[1], seg[2] if flags & _ACK else 0,
                tuple((name, 0 if k is None else seg[k]) for name, k in data_slots))
    if ghosts:
        seen += (tuple(sorted((name, seg[k]) for name, k in ghost_slots)),)
    return seen


def data_fields(a: ir.Model, b: ir.Model) -> tuple:
    """The protocol fields a difference observes: ``len`` where either model declares it
    (a model without one sends no data, len 0), ``wnd`` where both do (a model without one
    says nothing of windows)."""
    names = [{f.name for f in m.ghost_fields if not f.ghost} for m in (a, b)]
    return tuple(n for n in ir.DATA_FIELDS
                 if (n == "len" and n in names[0] | names[1]) or n in names[0] & names[1])


class _Side:
    """One model: its semantics, its observations and its property, memoised per state."""

    def __init__(self, model: ir.Model, options: DiffOptions, data: tuple = ()):
        self.model = model
        self.sem = Semantics(model)
        self.observe = options.observe
        self.ghosts = options.ghosts
        slots = {f.name: 3 + k for k, f in enumerate(model.ghost_fields)}
        self.ghost_slots = tuple((f.name, slots[f.name]) for f in model.ghost_fields if f.ghost)
        self.data_slots = tuple((n, slots.get(n)) for n in data)
        self.timer_names = tuple(e.timers for e in model.endpoints)
        self.state_names = tuple(e.states for e in model.endpoints)
        self._moves: dict = {}
        self._blocked: dict = {}  # states whose receipts wait for room (not deadlocks)
        self._observations: dict = {}  # each distinct observation once (they repeat a lot)
        self.prop = None
        if options.prop is not None:
            self._compile_property(_find_property(model, options.prop))

    # -- the property --------------------------------------------------------------------
    def _compile_property(self, p: ir.Property) -> None:
        self.prop = p
        m, timers = self.model.bounds.seqspace, timer_bases(self.model)
        self.prop_fn = None
        self.step_fns = {}
        if p.kind == "step":
            # the expression for each endpoint as `self`
            fns = {e: compile_expr(p.expr_for(e), in_transition=False, modulus=m,
                                   timer_base=timers) for e in (0, 1)}
            self.step_fns = {key: fns[key[0]] for key in p.selectors}
        elif p.kind in ("always", LEMMA, "reachable"):
            self.prop_fn = compile_expr(p.expr, in_transition=False, modulus=m, timer_base=timers)

    def breaks_initially(self, state) -> bool:
        return self.prop is not None and self._bad_state(state)

    def breaks(self, action, state) -> bool:
        """Whether the step ``action`` into ``state`` breaks the property (at that step)."""
        p = self.prop
        if p is None:
            return False
        if p.kind == "step":
            if action[0] != FIRE:
                return False
            fn = self.step_fns.get((action[1], action[2]))
            return fn is not None and not _value(fn, state, action[3])
        return self._bad_state(state)

    def _bad_state(self, state) -> bool:
        kind = self.prop.kind
        if kind in ("always", LEMMA):
            return not _value(self.prop_fn, state, None)
        if kind == "reachable":
            return _value(self.prop_fn, state, None)
        if kind == "deadlock":
            moves = self.moves(state)
            return not moves and not self._blocked.get(state) and not self.sem.is_terminal(state)
        return False

    # -- moves ---------------------------------------------------------------------------
    def moves(self, state, watch=None) -> list:
        """``[(observation, action, next state)]`` in the engine's order (memoised);
        ``watch`` is polled inside a long expansion (Semantics.successors)."""
        found = self._moves.get(state)
        if found is None:
            if len(self._moves) > 100_000:  # bound the memo; recomputing is only slower
                self._moves.clear()
                self._blocked.clear()
            succs = self.sem.successors(state, watch)
            if succs.error is not None:  # this state's successors are unknown
                raise _Unknown(succs.error)
            intern = self._observations
            found = []
            for action, nxt in succs:
                o = self.observation(action, nxt)
                found.append((intern.setdefault(o, o), action, nxt))  # one copy of each
            self._moves[state] = found
            if succs.blocked:
                self._blocked[state] = True
        return found

    def observation(self, action, nxt) -> tuple:
        kind = action[0]
        seg = self._seg
        if kind == FIRE:
            _, e, ti, received, sends, overflow = action
            trigger = self.model.endpoints[e].transitions[ti].trigger
            if trigger.kind == "recv":
                stimulus = ("recv", e, seg(received))
            elif trigger.kind == "timeout":
                stimulus = ("timeout", e, self.timer_names[e][trigger.timer])
            elif trigger.kind == "crash":
                stimulus = ("crash", e)
            else:
                stimulus = ("call", e, trigger.kind)
            response = (tuple(seg(s) for s in sends), tuple(seg(s) for s in overflow))
        elif kind == DISCARD:
            stimulus, response = ("recv", action[1], seg(action[2])), ((), ())
        elif kind in (LOSE, DUPLICATE):
            stimulus, response = ("lose" if kind == LOSE else "dup", action[1], seg(action[2])), ()
        else:
            stimulus = ("tick",)
            response = (tuple(sorted((d, seg(s)) for d, s in action[1])),)
        states = None if self.observe == "wire" else self.control(nxt)
        return (stimulus, response, states)

    def _seg(self, s: tuple) -> tuple:
        return segment_observation(s, self.observe, self.ghosts, self.ghost_slots,
                                   self.data_slots)

    def control(self, state) -> tuple:
        return (self.state_names[0][state[0][0]], self.state_names[1][state[1][0]])


def _value(fn, state, seg) -> bool:
    """A property's value; one that cannot be evaluated (x % 0) is false: an invariant
    broken (as the checker reports it violated), a goal not met."""
    try:
        return bool(fn(state, seg))
    except (ArithmeticError, ValueError):
        return False


def _find_property(model: ir.Model, name: str) -> ir.Property:
    for p in model.properties:
        if p.name == name:
            if p.kind not in PROPERTY_KINDS:
                raise UsageError(f"diff --property cannot compare property '{name}' of kind "
                                 f"{p.kind}; it compares invariants, step properties, "
                                 "reachable goals, deadlock freedom and lemmas")
            return p
    for lem in model.lemmas:
        if lem.name == name:
            return ir.Property(lem.name, LEMMA, lem.expr, doc=lem.doc, span=lem.span)
    known = [p.name for p in model.properties] + [lem.name for lem in model.lemmas]
    hint = did_you_mean(name, known)
    raise UsageError(f"model {model.name} has no property '{name}'" + (f" ({hint})" if hint else "")
                     + f"; it has: {', '.join(known) or 'none'}"
                     + ("" if name != "domains" else
                        " (diff does not compare the built-in domains property)"))


# ---- the search ----------------------------------------------------------------------------

def diff(a: ir.Model, b: ir.Model, options: DiffOptions = DiffOptions()) -> DiffResult:
    """Search both directions (A against B, B against A) for a shortest difference."""
    if options.observe not in OBSERVATIONS:
        raise UsageError(f"unknown observation '{options.observe}'; use one of "
                         + ", ".join(OBSERVATIONS))
    data = data_fields(a, b)
    sides = (_Side(a, options, data), _Side(b, options, data))
    first = _search(sides[0], sides[1], _labelled(options, "A against B"))
    if first.stop_reason in SIGNAL_REASONS:  # Ctrl-C or SIGTERM stops the whole command
        second = Direction(b.name, a.name, None, False, first.stop_reason, 0, 0, 0.0)
    else:
        second = _search(sides[1], sides[0], _labelled(options, "B against A"))
    directions = (first, second)
    return DiffResult(((a.name, a.file), (b.name, b.file)), options.observe, options.ghosts,
                      options.prop, directions)


def _labelled(options: DiffOptions, label: str) -> DiffOptions:
    """The options with a progress callback that also says which direction is searched."""
    report = options.progress
    if report is None:
        return options
    return replace(options, progress=lambda *figures: report(label, *figures))


class _Unknown(Exception):
    """A state of one side whose successors cannot be computed: its error move."""

    def __init__(self, error: tuple):
        super().__init__(view(error).message)
        self.error = error


class _Differs(StopSearch):
    """Ends the search: the run to pair ``parent``, then ``found``, is a difference."""

    def __init__(self, parent: int, found):
        super().__init__("different")
        self.parent = parent
        self.found = found


def _search(x: _Side, y: _Side, options: DiffOptions) -> Direction:
    """Runs of ``x`` that ``y`` cannot match (or, for a property, that break it in ``x``
    and keep it in ``y``), breadth-first over (x state, frozenset of y states)."""
    started = time.monotonic()
    watch = Watch(options.timeout, options.max_memory_mb, started)
    with_prop = options.prop is not None
    x0, y0 = x.sem.initial_state(), y.sem.initial_state()
    names = (x.model.name, y.model.name)
    errors: list = []  # the message of each pair whose successors could not be known

    def direction(diff_=None, complete=False, reason=None, states=0, diameter=0):
        return Direction(names[0], names[1], diff_, complete, reason, states, diameter,
                         time.monotonic() - started, errors[0] if errors else None)

    if with_prop:
        if y.breaks_initially(y0):  # every run of y breaks it at once: nothing to compare
            return direction(complete=True)
        if x.breaks_initially(x0):
            return direction(_difference(x, y, [], KEEPS, options))

    def expand(index, pair):
        try:
            found = _expand(x, y, pair, with_prop, watch)
        except _Unknown as err:  # this pair's successors are unknown: x's or y's error move
            return Successors((), error=err.error)
        if isinstance(found, _Found):
            raise _Differs(index, found)
        return Successors([((o, act), (nxt, frozenset(matched)))
                           for o, act, nxt, matched in found])

    class Noting(Observer):
        def on_error(self, index, pair, error):
            errors.append(view(error).message)

    def report(states, transitions, depth, queue, seconds):
        options.progress(states, depth, queue, seconds)

    search = BreadthFirst(expand, Noting(), SearchLimits(
        options.max_states, options.max_depth, report if options.progress else None,
        options.progress_interval), watch)
    end = search.run((x0, frozenset((y0,))))
    differs = search.stopped_by
    if isinstance(differs, _Differs):
        path = [(o, act, pair[0]) for (o, act), pair in
                ((a, p) for a, p in search.path(differs.parent) if a is not None)]
        found = differs.found
        path.append((found.observation, found.action, found.state))
        return direction(_difference(x, y, path, found.kind, options),
                         states=len(search.states), diameter=max(search.depth))
    return direction(complete=end.complete, reason=end.stop_reason, states=len(search.states),
                     diameter=end.diameter)


def _expand(x: _Side, y: _Side, pair, with_prop: bool, watch):
    """The successors of pair ``current`` worth exploring, ``[(observation, x action, x
    state, {y state: [y actions]})]``, or the Difference found there (a ``(kind, o, act)``
    tuple the caller turns into one)."""
    xs, ys = pair
    x_moves = x.moves(xs, watch)
    y_moves: dict = {}
    for ys_state in ys:
        for o, act, nxt in y.moves(ys_state, watch):
            y_moves.setdefault(o, {}).setdefault(nxt, []).append(act)
    out = []
    for o, act, nxt in x_moves:
        matched = y_moves.get(o)
        if with_prop:
            if matched and any(y.breaks(a_, n_) for n_, acts in matched.items() for a_ in acts):
                continue  # y breaks it too (now, so on every extension): no difference
            if x.breaks(act, nxt):
                return _Found(KEEPS if matched else CANNOT, o, act, nxt)
            if not matched:
                continue  # y cannot follow: not a difference *for the property*
        elif not matched:
            return _Found(CANNOT, o, act, nxt)
        out.append((o, act, nxt, matched))
    return out


@dataclass(frozen=True)
class _Found:
    kind: str
    observation: tuple
    action: tuple
    state: tuple


def _difference(x: _Side, y: _Side, path, kind, options) -> Difference:
    """The records of a difference: x's run along ``path``, and y following the same
    observations (all of them if it ``keeps`` the property, all but the last otherwise)."""
    x_path = [(None, x.sem.initial_state())] + [(act, state) for _, act, state in path]
    observations = tuple(o for o, _, _ in path)
    follow = observations if kind == KEEPS else observations[:-1]
    layers = _follow(y, follow)
    final = next(iter(layers[-1]))
    y_path = [(None, final)]
    for layer in reversed(layers[1:]):
        prev, act = layer[y_path[-1][1]]
        y_path[-1] = (act, y_path[-1][1])
        y_path.append((None, prev))
    y_path.reverse()
    alts, seen = [], []
    if kind == CANNOT and observations:
        stimulus = observations[-1][0]
        for ys in layers[-1]:
            for o, act, nxt in y.moves(ys):
                if o[0] == stimulus and o not in seen:
                    seen.append(o)
                    alts.append(Decoder(y.model).step(len(observations), act, nxt))
    control = tuple(dict.fromkeys(y.control(s) for s in layers[-1]))
    run = Decoder(x.model).trace(x_path, kind="difference", prop=options.prop)
    other = Decoder(y.model).trace(y_path, kind="difference", prop=options.prop)
    return Difference(observations, run, other, kind, len(layers[-1]), tuple(alts),
                      tuple(seen), control, options.prop)


def _follow(y: _Side, observations) -> list:
    """The states ``y`` can be in after each prefix of ``observations``: a list of dicts
    ``{state: (previous state, action)}`` (the first one found), layer 0 the initial state."""
    layers = [{y.sem.initial_state(): None}]
    for o in observations:
        layer: dict = {}
        for s in layers[-1]:
            for o2, act, nxt in y.moves(s):
                if o2 == o and nxt not in layer:
                    layer[nxt] = (s, act)
        layers.append(layer)
    return layers
