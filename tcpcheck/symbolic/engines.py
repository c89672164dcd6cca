"""The three symbolic engines: bounded model checking, k-induction, and Horn-clause
(Spacer/PDR) proofs.  Each takes an :class:`Encoding` and the goals, and returns one
:class:`tcpcheck.result.PropertyResult` per goal.

Verdicts, and what each one means:
* ``violated`` / ``reached``: a run of the encoding, decoded into a trace (BMC checks
  depths in increasing order, so the run is a shortest one in steps of the encoding);
* ``proved``: an unbounded proof (k-induction or Spacer); ``unreachable`` for a goal whose
  negation was proved invariant;
* ``bounded``: no violation (no goal) within the depth checked, and nothing more: never
  reported as proved;
* ``unknown``: the solver gave up, with the reason.

Each engine runs in a solver process and reports through a
:class:`tcpcheck.symbolic.solving.Reporter`: its verdicts as they come, and what it has
established so far (a :class:`Fact` per goal), which is what the parent reports when it
stops the engine (a signal, the time limit, another engine's answer).
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from tcpcheck.result import PropertyResult, REACHED, UNREACHABLE, VIOLATED
from tcpcheck.symbolic.decode import RunDecoder
from tcpcheck.symbolic.encoding import Encoding, has_quantifier
from tcpcheck.symbolic.properties import Goal, lemma_predicates
from tcpcheck.symbolic.solving import Reporter

PROVED, BOUNDED, UNKNOWN = "proved", "bounded", "unknown"


@dataclass
class _Pending:
    goal: Goal
    result: PropertyResult | None = None


class Unroller:
    """Incrementally unrolled runs from the initial states: s0, s1, ... with the relation
    between consecutive ones asserted."""

    def __init__(self, enc: Encoding, prefix: str = "s", initial: bool = True):
        self.enc = enc
        self.prefix = prefix
        self.solver = z3.Solver()
        self.states = [enc.factory.fresh(f"{prefix}0")]
        self.tags: list = []
        self.solver.add(enc.parameter_constraints())
        if initial:
            self.solver.add(enc.initial(self.states[0]))
        else:
            self.solver.add(enc.well_formed(self.states[0]))

    @property
    def depth(self) -> int:
        return len(self.states) - 1

    def extend(self) -> None:
        k = self.depth
        nxt = self.enc.factory.fresh(f"{self.prefix}{k + 1}")
        tag = f"{self.prefix}step{k}"
        self.solver.add(self.enc.instantiate(self.states[k], nxt, tag))
        self.solver.add(self.enc.well_formed(nxt))
        self.states.append(nxt)
        self.tags.append(tag)

    def query(self, report: Reporter, formula):
        self.solver.push()
        self.solver.add(formula)
        try:
            answer = report.check(self.solver)
            model = self.solver.model() if answer == z3.sat else None
            reason = self.solver.reason_unknown() if answer == z3.unknown else None
        finally:
            self.solver.pop()
        return answer, model, reason

    def trace(self, model, depth: int, *, kind: str, prop: str):
        decoder = RunDecoder(self.enc, model)
        return decoder.trace(self.states[:depth + 1], self.tags[:depth], kind=kind, prop=prop)


def _found(goal: Goal, unroller: Unroller, model, depth: int, engine: str) -> PropertyResult:
    status = REACHED if goal.reach else VIOLATED
    kind = "witness" if goal.reach else "counterexample"
    try:
        trace = unroller.trace(model, depth, kind=kind, prop=goal.name)
    except ValueError as err:  # the verdict stands; only its display failed
        return PropertyResult(goal.name, goal.kind, status, doc=goal.doc,
                              detail=f"found by {engine} at depth {depth}; the run cannot be "
                                     f"shown: {err}")
    return PropertyResult(goal.name, goal.kind, status, trace,
                          detail=f"found by {engine} at depth {depth}", doc=goal.doc)


def _unknown(goal: Goal, why: str, report: Reporter) -> PropertyResult:
    return PropertyResult(goal.name, goal.kind, UNKNOWN, doc=goal.doc,
                          detail=f"{why} after {report.elapsed():.1f} s")


def _gave_up(reason: str | None) -> str:
    return f"the solver gave up ({reason or 'no reason given'})"


def no_violation_text(goal: Goal, depth: int) -> str:
    """What BMC (or a base case) to ``depth`` establishes about ``goal``."""
    what = "no goal state" if goal.reach else "no violation"
    return f"{what} in runs of up to {depth} step{'s' if depth != 1 else ''}"


# ---- bounded model checking -----------------------------------------------------------

def bmc(enc: Encoding, goals: list, depth: int | None, report: Reporter) -> list:
    """Every goal at depth 0, 1, ... up to ``depth`` (None: until the process is stopped),
    one solver for all of them: the first run found for a goal is a shortest one."""
    pending = [_Pending(g) for g in goals]
    unroller = Unroller(enc)
    k = 0
    while depth is None or k <= depth:
        if k:
            unroller.extend()
        report.phase = f"depth {k}" + (f"/{depth}" if depth is not None else "")
        for p in pending:
            if p.result is None:
                _bmc_query(p, unroller, k, report)
                if p.result is not None:
                    report.final(p.result)
        undecided = [p for p in pending if p.result is None]
        for p in undecided:
            report.fact(p.goal.name, no_violation_text(p.goal, k), depth=k)
        if not undecided:
            break
        k += 1
    for p in pending:
        if p.result is None:
            p.result = _bounded(p.goal, unroller.depth)
            report.final(p.result)
    return [p.result for p in pending]


def _bmc_query(p: _Pending, unroller: Unroller, k: int, report: Reporter) -> None:
    answer, model, reason = unroller.query(report, p.goal.predicate(unroller.states[k]))
    if answer == z3.sat:
        p.result = _found(p.goal, unroller, model, k, "bmc")
    elif answer == z3.unknown:
        why = _gave_up(reason)
        p.result = _bounded(p.goal, k - 1, why + "; ") if k else _unknown(p.goal, why, report)


def _bounded(goal: Goal, depth: int, prefix: str = "") -> PropertyResult:
    return PropertyResult(goal.name, goal.kind, BOUNDED, doc=goal.doc,
                          detail=f"{prefix}{no_violation_text(goal, depth)} (bounded: not a "
                                 "proof)")


# ---- k-induction ------------------------------------------------------------------------

def kinduction(enc: Encoding, goals: list, depth: int, report: Reporter) -> list:
    """Prove each goal's safety (or a goal's unreachability) by k-induction for k <= depth,
    strengthened by every lemma of the model: the property and the lemmas must hold
    together in the base case and be preserved together."""
    lemmas = lemma_predicates(enc)
    results = []
    for goal in goals:
        results.append(_kinduction_one(enc, goal, lemmas, depth, report))
        report.final(results[-1])
    return results


def _kinduction_one(enc, goal: Goal, lemmas, depth: int, report: Reporter) -> PropertyResult:
    base = Unroller(enc)
    step = Unroller(enc, prefix="t", initial=False)
    good = lambda s: z3.And([z3.Not(goal.predicate(s))] + [f(s) for _, f in lemmas])  # noqa: E731
    last_cti = None
    for k in range(depth + 1):
        if k:
            base.extend()
        report.phase = f"base case depth {k}"
        answer, model, reason = base.query(report, goal.predicate(base.states[k]))
        if answer == z3.sat:
            return _found(goal, base, model, k, "k-induction (base case)")
        if answer == z3.unknown:
            return _unknown(goal, _gave_up(reason), report)
        for name, f in lemmas:
            answer, model, _ = base.query(report, z3.Not(f(base.states[k])))
            if answer == z3.sat:
                trace = base.trace(model, k, kind="counterexample", prop=name)
                return PropertyResult(goal.name, goal.kind, UNKNOWN, trace, doc=goal.doc,
                                      detail=f"lemma {name} is false in a reachable state "
                                             f"(run of {k} steps shown): fix the lemma")
        # step case: k+1 states in a row satisfy property and lemmas; does the next one?
        step.solver.add(good(step.states[k]))
        step.extend()
        answer, model, reason = _step_case(enc, goal, lemmas, step, k, report)
        if answer == z3.unsat:
            status = UNREACHABLE if goal.reach else PROVED
            lemma_text = f" with lemmas {', '.join(n for n, _ in lemmas)}" if lemmas else ""
            return PropertyResult(goal.name, goal.kind, status, doc=goal.doc,
                                  detail=f"proved by {k + 1}-induction{lemma_text}")
        if answer == z3.unknown:
            return _unknown(goal, _gave_up(reason), report)
        last_cti = (model, k + 1)
        report.fact(goal.name, f"not {k + 1}-inductive; {no_violation_text(goal, k)}", depth=k)
    return _not_inductive(enc, goal, lemmas, step, last_cti, depth)


def _step_case(enc, goal: Goal, lemmas, step: Unroller, k: int, report: Reporter):
    """Is the state after k+1 good ones good again?  Asked one obligation at a time (the
    property, then each lemma): many small questions are far easier for the solver than
    one disjunction of them all, and the first that fails is the one to report."""
    after = step.states[k + 1]
    obligations = [("the property", goal.predicate(after))]
    obligations += [(f"lemma {name}", z3.Not(f(after))) for name, f in lemmas]
    for what, broken in obligations:
        report.phase = f"step k={k + 1}, {what}"
        answer, model, reason = step.query(report, broken)
        if answer != z3.unsat:
            return answer, model, reason
    return z3.unsat, None, None


def _not_inductive(enc, goal, lemmas, step: Unroller, cti, depth: int) -> PropertyResult:
    """Bounded result, with what failed to be inductive and the counterexample to
    induction (a run from an arbitrary state that keeps everything, then breaks it)."""
    model, k = cti
    last = step.states[k]
    broken = []
    if z3.is_true(model.eval(goal.predicate(last), model_completion=True)):
        broken.append("the property")
    broken += [f"lemma {n}" for n, f in lemmas
               if z3.is_false(model.eval(f(last), model_completion=True))]
    trace = None
    try:
        trace = step.trace(model, k, kind="counterexample", prop=goal.name)
    except (ValueError, IndexError):  # an unreadable arbitrary start state: report without it
        trace = None
    return PropertyResult(goal.name, goal.kind, BOUNDED, trace, doc=goal.doc,
                          detail=f"not proved: not {depth + 1}-inductive ({' and '.join(broken)} "
                                 f"fails after {k} steps from a state that is not shown to be "
                                 f"reachable: the counterexample to induction); no violation in "
                                 f"runs of up to {depth} steps; add a lemma that rules the start "
                                 "state out")


# ---- Horn clauses (Spacer, a PDR/IC3 engine) ------------------------------------------

def pdr(enc: Encoding, goals: list, depth: int, report: Reporter, *,
        find_run: bool = True) -> list:
    """Spacer on each goal.  A refutation is reported with the run BMC finds up to
    ``depth`` (``find_run``), or, in a portfolio, left to the BMC that runs beside it."""
    results = []
    for goal in goals:
        results.append(_pdr_one(enc, goal, depth, report, find_run))
        report.final(results[-1])
    return results


def _pdr_one(enc: Encoding, goal: Goal, depth: int, report: Reporter,
             find_run: bool) -> PropertyResult:
    if has_quantifier(enc.relation):
        return _unknown(goal, "the Horn engine cannot take this model (a 'choose' whose "
                        "candidates Z3 cannot enumerate in a discard rule)", report)
    symbolic = list(enc.params) if enc.symbolic_params else []  # fixed params are numbers
    xs = enc.S.flat() + symbolic
    ys = enc.N.flat() + symbolic
    inv = z3.Function("Inv", *[x.sort() for x in xs], z3.BoolSort())
    steps = [enc.vars.act, enc.vars.pick, enc.vars.delta] + list(enc.vars.choices)
    solver = z3.SolverFor("HORN")
    solver.set("engine", "spacer")
    params = enc.parameter_constraints()
    solver.add(z3.ForAll(xs, z3.Implies(z3.And(enc.initial(enc.S), params), inv(*xs))))
    solver.add(z3.ForAll(xs + enc.N.flat() + steps, z3.Implies(
        z3.And(inv(*xs), enc.relation, enc.well_formed(enc.N)), inv(*ys))))
    solver.add(z3.ForAll(xs, z3.Implies(z3.And(inv(*xs), goal.predicate(enc.S)), False)))
    report.phase = "Spacer"
    answer = report.check(solver)
    if answer == z3.sat:
        report.phase = "checking Spacer's invariant"
        invariant = solver.model().eval(inv(*xs))
        problem = _validate(enc, goal, invariant, report)
        if problem is not None:
            return _unknown(goal, f"Spacer's invariant did not check out ({problem})", report)
        status = UNREACHABLE if goal.reach else PROVED
        conjuncts = invariant_conjuncts(invariant)
        return PropertyResult(goal.name, goal.kind, status, doc=goal.doc,
                              detail=f"proved by Spacer (PDR); inductive invariant of "
                                     f"{len(conjuncts)} conjunct"
                                     f"{'' if len(conjuncts) == 1 else 's'}",
                              invariant=conjuncts)
    if answer == z3.unknown:
        return _unknown(goal, _gave_up(solver.reason_unknown()), report)
    if not find_run:
        report.refuted(goal.name)
        return _unknown(goal, "Spacer reports a violation; the run is left to BMC", report)
    report.phase = "Spacer refutes: BMC looks for the run"
    found = bmc(enc, [goal], depth, _Quiet(report))[0]  # refuted: BMC finds the run to show
    if found.status in (VIOLATED, REACHED):
        return found
    # A verdict without a run is not reported as a violation: Spacer's refutations are not
    # checked independently, and one it could not itself validate has been seen.
    return _unknown(goal, f"Spacer reports a violation but BMC finds no run of up to {depth} "
                    "steps (raise --depth to look further)", report)


class _Quiet(Reporter):
    """The BMC inside a pdr task: its checks and phases count, its verdicts are pdr's."""

    def __init__(self, outer: Reporter):
        super().__init__(outer.send, outer.engine)
        self.outer = outer
        self.started = outer.started

    def check(self, solver, *assumptions):
        return self.outer.check(solver, *assumptions)

    def final(self, result) -> None:
        pass

    def fact(self, goal, text, depth=None) -> None:
        pass


def _validate(enc: Encoding, goal: Goal, invariant, report: Reporter) -> str | None:
    """Check Spacer's certificate with the ordinary solver, so that "proved" never rests on
    the Horn engine alone: the invariant holds initially, is preserved by every step, and
    excludes the bad states.  Returns what failed, or None."""
    inv_at = lambda s: z3.substitute(invariant, *zip(enc.S.flat(), s.flat()))  # noqa: E731
    params = enc.parameter_constraints()
    checks = [
        ("initial states", z3.And(params, enc.initial(enc.S), z3.Not(invariant))),
        ("a step", z3.And(params, invariant, enc.well_formed(enc.S), enc.relation,
                          enc.well_formed(enc.N), z3.Not(inv_at(enc.N)))),
        ("the property", z3.And(params, invariant, goal.predicate(enc.S))),
    ]
    for what, query in checks:
        solver = z3.Solver()
        solver.add(query)
        answer = report.check(solver)
        if answer != z3.unsat:
            return f"{what}: {'a counterexample' if answer == z3.sat else 'undecided'}"
    return None


def invariant_conjuncts(term) -> tuple:
    """Z3's invariant in the state's own names (``S.client.iss`` -> ``client.iss``;
    ``to_server[0]`` is the first segment in flight towards the server), a conjunct each."""
    z3.set_option(max_args=100000, max_lines=1000000, max_depth=100000, max_visited=1000000)
    simple = z3.simplify(term)
    parts = simple.children() if z3.is_and(simple) else [simple]
    return tuple(" ".join(str(p).replace("S.", "").split()) for p in parts)
