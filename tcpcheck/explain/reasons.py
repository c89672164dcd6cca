"""Why a property holds (or a goal is reached, or unreachable): the transitions and checks
without which it would not, found by ablation.

For each candidate, the frozen model is rebuilt with one thing taken away
(:func:`dataclasses.replace` on the IR) and the explicit checker is run on that one
property, with a state limit, through tcpcheck.engine.registry (the native engine where it
can, the Python reference otherwise: the same outcomes either way):

* a **check**: one conjunct of a transition's guard, or of a ``choose ... where``
  condition, replaced by ``true``;
* a **transition**: removed from its endpoint.

A candidate is a *reason* when the variant gets the opposite verdict (a holding property
is violated, a reached goal becomes unreachable, an unreachable one reachable); it has *no
effect* when the variant's complete exploration gives the same verdict; and it is *not
decided* when the variant's run stopped at a limit first.  A limit never makes a reason.

Candidates that cannot change the verdict are not run, for reasons of the semantics
(spec/MANUAL.md section 13), not of a model:

* replacing a check by ``true`` only adds runs, so it cannot make a reached goal
  unreachable;
* removing a transition only takes runs away, so it cannot break an invariant or a step
  property, nor make an unreachable goal reachable.  A segment that no transition takes any
  more is discarded, but a channel whose loss is unbounded could drop it anyway; with a
  bounded loss budget a discard is a loss the budget does not count, so there removing a
  ``recv`` transition *is* tried;
* a reached goal's witness stays a run of every variant that keeps the transitions it
  fires, so only those transitions are tried.

Only ``deadlock free`` can be broken both ways.  Candidates come in declaration order:
endpoint, transition, its guard's conjuncts, its ``choose`` conditions, the transition
itself.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

from tcpcheck.engine import registry
from tcpcheck.explicit import CheckOptions
from tcpcheck.model import ir
from tcpcheck.render.values import expr_text
from tcpcheck.result import HOLDS, REACHED, UNREACHABLE, VIOLATED, PropertyResult
from tcpcheck.trace.records import Trace

CHECK, CHOICE, REMOVED = "guard", "choice", "removed"
REASON, NO_EFFECT, NOT_DECIDED = "reason", "no effect", "not decided"
TRUE = ir.Lit(True, ir.BOOL)


@dataclass(frozen=True)
class Limits:
    """How far each variant is explored.  Time limits make answers depend on the
    machine, so there is none by default: the same input gives the same explanation."""

    max_states: int = 20_000
    timeout: float | None = None
    max_memory_mb: float | None = None
    # called as each variant's check goes on: (what is ablated, states, transitions, depth,
    # queue, seconds); None: quiet
    progress: object = field(default=None, compare=False)
    # which explicit engine checks the variants (tcpcheck.engine.registry.CHOICES), and who
    # hears its notes ("note: using the Python engine: ..."); None: quiet
    engine: str = "auto"
    notice: object = field(default=None, compare=False)


@dataclass(frozen=True)
class Candidate:
    """One thing to take away: ``kind`` is CHECK (``conjunct`` of the guard), CHOICE
    (``conjunct`` of the ``choice``-th ``choose ... where`` of the body) or REMOVED."""

    endpoint: int
    transition: int
    kind: str
    conjunct: int = 0
    choice: int = 0


@dataclass(frozen=True)
class Ablation:
    """The outcome of one candidate.  ``check`` is the conjunct's text (None for a
    removal); ``trace`` the variant's run when it is a reason; ``states`` how many states
    the variant's run stored."""

    candidate: Candidate
    endpoint: str
    transition: ir.Transition
    check: str | None
    check_expr: object | None
    outcome: str
    status: str
    trace: Trace | None
    states: int
    seconds: float
    detail: str | None = None
    stop_reason: str | None = None  # why the variant's check stopped, when it did
    engine: str = "python"  # the engine that checked the variant (CheckResult.backend)


# Stops that are not the per-variant limits: the whole search was cut off, so "a larger
# --variant-states" would not help and "no reason found" holds only for what was decided.
CUT_OFF = ("interrupted", "terminated", "max-memory")


@dataclass(frozen=True)
class Reasons:
    """Every candidate's outcome, in candidate order, and what was not tried and why."""

    property: str
    wanted: str  # the status a variant must reach to make its candidate a reason
    ablations: tuple
    skipped: tuple  # reason codes: "weaken-adds-runs", "removal-removes-runs"
    limits: Limits
    seconds: float

    def with_outcome(self, outcome: str) -> tuple:
        return tuple(a for a in self.ablations if a.outcome == outcome)

    @property
    def cut_off(self) -> str | None:
        """Why the search was cut off before every variant was decided (a signal, the
        memory limit), or None."""
        return next((a.stop_reason for a in self.ablations if a.stop_reason in CUT_OFF), None)

    @property
    def engines(self) -> tuple:
        """The engines that checked the variants, each once, in the order first used."""
        return tuple(dict.fromkeys(a.engine for a in self.ablations))


def find_reasons(model: ir.Model, result: PropertyResult, limits: Limits = Limits(),
                 prop: ir.Property | None = None) -> Reasons:
    """Ablate ``model`` for the property of ``result`` (which must hold, or be a reached
    or unreachable goal); ``prop`` is its record (default: the model's property of that
    name; a lemma is passed as an ``always`` property)."""
    started = time.monotonic()
    prop = prop or model.get_property(result.name)
    wanted = _wanted(result.status)
    candidates, skipped = plan(model, prop, result)
    sizes = _Sizes()
    ablations = tuple(_run(model, prop.name, c, wanted, limits, sizes) for c in candidates)
    return Reasons(prop.name, wanted, ablations, skipped, limits, time.monotonic() - started)


def _wanted(status: str) -> str:
    return {HOLDS: VIOLATED, REACHED: UNREACHABLE, UNREACHABLE: REACHED}[status]


def plan(model: ir.Model, prop: ir.Property, result: PropertyResult) -> tuple:
    """The candidates worth running for this property and verdict, and the codes of the
    families left out (see the module docstring for why each cannot matter)."""
    weaken = result.status != REACHED
    if prop.kind == "deadlock":
        remove_kinds = "all"
    elif result.status == REACHED:
        remove_kinds = "witness"
    elif model.channel.loss is not None:
        remove_kinds = "recv"
    else:
        remove_kinds = None
    fired = _fired(result.trace) if result.trace is not None else set()
    candidates = []
    for e, endpoint in enumerate(model.endpoints):
        for t, transition in enumerate(endpoint.transitions):
            if weaken:
                candidates += [Candidate(e, t, CHECK, i)
                               for i in range(len(_conjuncts(transition.guard)))]
                candidates += [Candidate(e, t, CHOICE, i, k)
                               for k, choose in enumerate(chooses(transition.body))
                               for i in range(len(_conjuncts(choose.where)))]
            if _removable(remove_kinds, transition, (endpoint.name, transition.name), fired):
                candidates.append(Candidate(e, t, REMOVED))
    skipped = ()
    if not weaken:
        skipped += ("weaken-adds-runs",)
    if remove_kinds is None:
        skipped += ("removal-removes-runs",)
    elif remove_kinds == "recv":
        skipped += ("removal-local-removes-runs",)
    elif remove_kinds == "witness":
        skipped += ("removal-outside-witness",)
    return tuple(candidates), skipped


def _removable(kinds, transition: ir.Transition, key: tuple, fired: set) -> bool:
    if kinds == "all":
        return True
    if kinds == "recv":
        return transition.trigger.kind == "recv"
    if kinds == "witness":
        return key in fired
    return False


def _fired(trace: Trace) -> set:
    return {(s.actor, s.transition) for s in trace.steps if s.transition is not None}


# ---- variants -------------------------------------------------------------------------

def variant(model: ir.Model, c: Candidate) -> ir.Model:
    """``model`` with candidate ``c`` taken away."""
    endpoint = model.endpoints[c.endpoint]
    transitions = list(endpoint.transitions)
    t = transitions[c.transition]
    if c.kind == REMOVED:
        del transitions[c.transition]
    elif c.kind == CHECK:
        transitions[c.transition] = dataclasses.replace(t, guard=_without(t.guard, c.conjunct))
    else:
        body, _ = _replace_choose(t.body, c.choice, c.conjunct, [0])
        transitions[c.transition] = dataclasses.replace(t, body=body)
    endpoints = list(model.endpoints)
    endpoints[c.endpoint] = dataclasses.replace(endpoint, transitions=tuple(transitions))
    properties = tuple(_drop_selectors(p, c) for p in model.properties) \
        if c.kind == REMOVED else model.properties
    return dataclasses.replace(model, endpoints=tuple(endpoints), properties=properties)


def _drop_selectors(prop: ir.Property, c: Candidate) -> ir.Property:
    """Selectors are (endpoint, transition index) pairs: removing a transition shifts the
    indices after it, and the removed one selects nothing any more."""
    if prop.kind != "step":
        return prop
    kept = set()
    for e, t in prop.selectors:
        if e != c.endpoint or t < c.transition:
            kept.add((e, t))
        elif t > c.transition:
            kept.add((e, t - 1))
    return dataclasses.replace(prop, selectors=frozenset(kept))


def _conjuncts(e) -> list:
    if e is None:
        return []
    if isinstance(e, ir.Binary) and e.op == "and":
        return _conjuncts(e.left) + _conjuncts(e.right)
    return [e]


def _without(e, index: int):
    """``e`` with its ``index``-th conjunct replaced by true (None when nothing is left)."""
    rest = [c for i, c in enumerate(_conjuncts(e)) if i != index]
    if not rest:
        return None
    out = rest[0]
    for c in rest[1:]:
        out = ir.Binary("and", out, c, ir.BOOL)
    return out


def chooses(body: tuple) -> list:
    """The ``choose`` statements with a ``where``, in reading order, ``if`` branches too."""
    found = []
    for s in body:
        if isinstance(s, ir.Choose) and s.where is not None:
            found.append(s)
        elif isinstance(s, ir.If):
            found += chooses(s.then) + chooses(s.otherwise)
    return found


def _replace_choose(body: tuple, target: int, conjunct: int, counter: list) -> tuple:
    """``body`` with the ``target``-th choose (as :func:`_chooses` counts) weakened."""
    out = []
    for s in body:
        if isinstance(s, ir.Choose) and s.where is not None:
            if counter[0] == target:
                s = dataclasses.replace(s, where=_without(s.where, conjunct))
            counter[0] += 1
        elif isinstance(s, ir.If):
            then, _ = _replace_choose(s.then, target, conjunct, counter)
            otherwise, _ = _replace_choose(s.otherwise, target, conjunct, counter)
            s = dataclasses.replace(s, then=then, otherwise=otherwise)
        out.append(s)
    return tuple(out), counter


def check_of(model: ir.Model, c: Candidate):
    """The conjunct candidate ``c`` replaces by true, or None for a removal."""
    t = model.endpoints[c.endpoint].transitions[c.transition]
    if c.kind == CHECK:
        return _conjuncts(t.guard)[c.conjunct]
    if c.kind == CHOICE:
        return _conjuncts(chooses(t.body)[c.choice].where)[c.conjunct]
    return None


# Under ``--engine auto`` a small variant is checked by the Python engine: every variant is
# a new model, which the native engine would generate and compile afresh (0.5-1 s of cc),
# longer than the Python engine takes for a few tens of thousands of states.  The first
# variant found larger sends it and every later one to the engine auto chooses.
SMALL_VARIANT = 30_000


@dataclass
class _Sizes:
    large: bool = False  # a variant of this ablation outgrew SMALL_VARIANT


def _check_variant(model: ir.Model, options: CheckOptions, limits: Limits, sizes: _Sizes):
    if limits.engine == "auto" and not sizes.large:
        cap = SMALL_VARIANT if options.max_states is None \
            else min(options.max_states, SMALL_VARIANT)
        trial = registry.check(model, dataclasses.replace(options, max_states=cap), "python")
        if trial.stop_reason != "max-states" or cap == options.max_states:
            return trial
        sizes.large = True
    return registry.check(model, options, limits.engine, limits.notice)


def _run(model: ir.Model, name: str, c: Candidate, wanted: str, limits: Limits,
         sizes: _Sizes) -> Ablation:
    started = time.monotonic()
    endpoint = model.endpoints[c.endpoint]
    report = None
    if limits.progress is not None:
        what = f"{name}: without {endpoint.name}.{endpoint.transitions[c.transition].name}" \
            + ("" if c.kind == REMOVED else f" ({c.kind} {c.conjunct + 1})")
        report = lambda *figures: limits.progress(what, *figures)  # noqa: E731
    options = CheckOptions(properties=(name,), max_states=limits.max_states,
                           timeout=limits.timeout, max_memory_mb=limits.max_memory_mb,
                           progress=report)
    result = _check_variant(variant(model, c), options, limits, sizes)
    p = result.get(name)
    if p.status == wanted:
        outcome = REASON
    elif p.status in (HOLDS, REACHED, UNREACHABLE, VIOLATED):
        outcome = NO_EFFECT
    else:
        outcome = NOT_DECIDED
    check_expr = check_of(model, c)
    text = expr_text(check_expr) if check_expr is not None else None
    return Ablation(c, endpoint.name, endpoint.transitions[c.transition], text, check_expr,
                    outcome, p.status, p.trace if outcome == REASON else None,
                    result.stats.states, time.monotonic() - started, p.detail,
                    None if result.complete else result.stop_reason, result.backend)
