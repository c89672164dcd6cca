"""The sentences that state a verdict: how the last step breaks a property (or reaches a
goal), and which checks and transitions a holding property owes its verdict to."""

from __future__ import annotations

import dataclasses

from tcpcheck.explain import reasons as ablation
from tcpcheck.explain.reasons import Ablation, Reasons
from tcpcheck.explain.story import Story, tell
from tcpcheck.explain.verdict import evaluate_on, judge, leaves, shown, value_name
from tcpcheck.explain.words import Words
from tcpcheck.model import ir
from tcpcheck.render.values import expr_text
from tcpcheck.result import REACHED, STOP_DETAILS, UNREACHABLE, PropertyResult
from tcpcheck.trace.records import Step, Trace

MAX_CLAUSES = 5  # a summary of a run names at most this many of its steps
STOP_REASONS = {detail: reason for reason, detail in STOP_DETAILS.items()}


# ---- violations and witnesses -------------------------------------------------------------

def closing(w: Words, prop: ir.Property, result: PropertyResult, story: Story) -> str:
    """The sentence after the run: the property, and what in its last state decides it."""
    trace = story.trace
    step = len(trace)
    name = w.property(prop)
    if prop.kind == "domains" or result.kind == "domains":
        return w.t("breaks_domains", detail=result.detail or "?")
    if result.status == REACHED:
        v = judge(w.model, prop, trace)
        return w.t("reaches", property=name, step=step, culprit=v.culprit,
                   values=_values_part(w, v.values))
    if prop.kind == "deadlock":
        last = trace.steps[-1].state
        states = w.join(w.t("in_state", endpoint=w.endpoint(e.name), state=w.state(e.state))
                        for e in last.endpoints)
        return w.t("breaks_deadlock", property=name, step=step, states=states,
                   detail=result.detail or "")
    if prop.kind in ir.LIVENESS_KINDS:
        return w.t("breaks_liveness", property=name, how=_lasso_how(w, prop, trace))
    if prop.expr is None:
        return w.t("breaks_other", property=name, detail="")
    v = judge(w.model, prop, trace)
    if prop.kind == "step":
        fact = story.steps[-1]
        if v.expression == "false":  # a property that forbids the firing itself
            return w.t("breaks_step_never", property=name, selectors=_selectors(w, prop, True),
                       actor=w.endpoint(fact.actor), transition=fact.transition, step=step)
        return w.t("breaks_step", property=name, expression=v.expression,
                   selectors=_selectors(w, prop), actor_of=w.endpoint_of(fact.actor),
                   transition=fact.transition, step=step, culprit=v.culprit,
                   values=_values_part(w, v.values))
    return w.t("breaks_always", property=name, expression=v.expression, step=step,
               culprit=v.culprit, values=_values_part(w, v.values))


def _lasso_how(w: Words, prop: ir.Property, trace: Trace) -> str:
    """How a liveness counterexample avoids the goal, from the run itself: the steps that
    repeat (or where it stops), where a leads-to's premise held, and the declared fairness
    under which the cycle counts (the facts of the checker's detail, in words)."""
    last = len(trace)
    if trace.loop_start is None:
        return w.t("lasso_stops", step=last)
    first = trace.loop_start
    key = "repeat_one" if first == last else "repeat_two" if last == first + 1 else "repeat_many"
    repeat = w.t(key, first=first, last=last)
    start = _premise_step(w, prop, trace) if prop.kind == "leads_to" else None
    if prop.kind == "always_eventually":
        how = w.t("lasso_always", repeat=repeat)
    elif start is not None:
        how = w.t("lasso_leads_to", start=start, repeat=repeat)
    else:
        how = w.t("lasso_eventually", repeat=repeat)
    fairness = w.join(f"`{f.text}`" for f in w.model.fairness)
    fair = w.t("fair_declared", fairness=fairness) if fairness else w.t("fair_none")
    return how + w.t("how_sep") + fair


def _premise_step(w: Words, prop: ir.Property, trace: Trace) -> int | None:
    """The step after which a leads-to's premise holds and the goal never holds again:
    the first such step of the run.  It is where the checker's counterexample starts (its
    start is the first state, in breadth-first order, from which a violating run goes on,
    and every earlier state of the run where the premise held before the goal stopped
    holding would have been such a state too).  None when a value cannot be read."""
    modulus = w.model.bounds.seqspace
    value = lambda e, step: evaluate_on(e, step, trace, modulus)
    goal_last = -1
    for step in trace.steps:
        held = value(prop.expr, step)
        if held not in (True, False):
            return None
        if held:
            goal_last = step.index
    for step in trace.steps[goal_last + 1:]:
        premise = value(prop.premise, step)
        if premise not in (True, False):
            return None
        if premise:
            return step.index
    return None


def _values_part(w: Words, values: tuple) -> str:
    return w.t("values_part", values=w.values(values)) if values else ""


def _selectors(w: Words, prop: ir.Property, alternatives: bool = False) -> str:
    """The transitions a step property watches: "a, b and c" (each one is watched), or
    with ``alternatives`` "a, b or c" (none of them may fire)."""
    names = [w.t("selector", endpoint=w.model.endpoints[e].name,
                 transition=w.model.endpoints[e].transitions[t].name)
             for e, t in sorted(prop.selectors)]
    return w.join(names, "list_or" if alternatives else "list_and")


# ---- holding properties and goals ---------------------------------------------------------

def opening(w: Words, prop: ir.Property, result: PropertyResult) -> str:
    """What the verdict is, before the reasons (a reached goal opens its witness run)."""
    names = tuple(e.name for e in w.model.endpoints)
    # a verdict that covers the runs up to states where the channel was full says so
    within = result.channel_full > 0
    full = dict(count=f"{result.channel_full:,}",
                full=w.plural("channel_full", result.channel_full)) if within else {}
    if result.status == UNREACHABLE:
        return w.t("unreachable_within" if within else "unreachable", property=w.property(prop),
                   expression=expr_text(prop.expr, names) if prop.expr is not None else "",
                   **full)
    if result.status == REACHED:
        return w.t("reached_witness", property=w.property(prop), steps=len(result.trace))
    return w.t("holds_within" if within else "holds", property=w.property(prop), **full)


def not_verified(w: Words, prop: ir.Property, result: PropertyResult) -> str:
    """Why there is no verdict: a liveness property whose goal-avoiding runs reach the edge
    of the bounds, or the reason the run stopped, in the sentence's language."""
    if result.channel_full:
        return w.plural("not_verified_edge", result.channel_full, property=w.property(prop),
                        states=w.states(result.channel_full))
    reason = STOP_REASONS.get(result.detail)
    if reason is not None:
        detail = w.t(f"stop_{reason}")
    elif w.lang == "en" and result.detail:  # a reason said in English only: as it was said
        detail = result.detail
    else:
        detail = w.t("stop_other")
    return w.t("no_verdict", property=w.property(prop), detail=detail)


def reason_sentences(w: Words, found: Reasons, status: str) -> list:
    """One sentence per reason, then what had no effect, what was not decided, and which
    families of candidates were not tried and why."""
    out = []
    reasons = found.with_outcome(ablation.REASON)
    verb = {REACHED: "verb_reached", UNREACHABLE: "verb_unreachable"}.get(status, "verb_holds")
    if reasons:
        out.append(w.t("because", verb=w.t(verb)))
        out += [_reason(w, a) for a in reasons]
    elif found.cut_off:
        out.append(w.t("no_reasons_cut_off", why=w.t(f"stop_{found.cut_off}")))
    else:
        out.append(w.t("no_reasons"))
    no_effect = found.with_outcome(ablation.NO_EFFECT)
    if no_effect:
        out.append(w.plural("no_effect", len(no_effect),
                            items=w.join(_item(w, a) for a in no_effect)))
    undecided = found.with_outcome(ablation.NOT_DECIDED)
    at_limit = [a for a in undecided if a.stop_reason not in ablation.CUT_OFF]
    cut_off = [a for a in undecided if a.stop_reason in ablation.CUT_OFF]
    if at_limit:
        out.append(w.plural("not_decided", len(at_limit),
                            max_states=f"{found.limits.max_states:,}",
                            items=w.join(_item(w, a) for a in at_limit)))
    if cut_off:
        out.append(w.plural("not_decided_cut_off", len(cut_off),
                            why=w.t(f"stop_{found.cut_off}"),
                            items=w.join(_item(w, a) for a in cut_off)))
    skip_keys = {"weaken-adds-runs": "skip_weaken", "removal-removes-runs": "skip_remove",
                 "removal-local-removes-runs": "skip_remove_local",
                 "removal-outside-witness": "skip_witness"}
    out += [w.t(skip_keys[code]) for code in found.skipped]
    return out


def _item(w: Words, a: Ablation) -> str:
    key = {ablation.CHECK: "item_check", ablation.CHOICE: "item_choice"}.get(
        a.candidate.kind, "item_removed")
    return w.t(key, endpoint=a.endpoint, transition=a.transition.name, check=a.check)


def _reason(w: Words, a: Ablation) -> str:
    key = {ablation.CHECK: "check_reason", ablation.CHOICE: "choice_reason"}.get(
        a.candidate.kind, "removal_reason")
    return w.t(key, endpoint_of=w.endpoint_of(a.endpoint, True), check=a.check,
               transition=w.transition_named(a.endpoint, a.transition.name),
               summary=_summary(w, a))


def _summary(w: Words, a: Ablation) -> str:
    """One clause for the variant's verdict: its run's key steps, or its state count."""
    if a.trace is None:
        if a.states == 1:
            return w.t("summary_unreachable_one")
        return w.t("summary_unreachable", states=w.states(a.states))
    effect = w.t("effect_reaches" if a.status == REACHED else "effect_breaks")
    if len(a.trace) == 0:  # the initial state itself: no step to tell
        return w.t("summary_initial", effect=effect)
    clauses = _key_clauses(w, a, tell(a.trace))
    return w.t("summary_run", article=w.a_number(len(a.trace)), steps=len(a.trace),
               effect=effect, clauses=w.t("then").join(clauses))


def _key_clauses(w: Words, a: Ablation, story: Story) -> list:
    """The steps that make the run: crashes, old or duplicated segments arriving, the
    firings the original model forbids (the weakened check false), and the last step."""
    clauses = []
    last = story.steps[-1].index if story.steps else None
    for fact in story.steps:
        fires = fact.actor == a.endpoint and fact.transition == a.transition.name
        forbidden = _check_values(w, a, fact, story.trace) if fires else None
        clause = None
        if forbidden is not None:
            on = w.t("on_segment", segment=w.segment(fact.received, close=True)) \
                if fact.received is not None else ""
            clause = w.t("clause_takes_false", actor=w.endpoint(fact.actor),
                         transition=fact.transition, check=a.check, on=on,
                         values=w.values(forbidden))
        elif fact.index == last:
            clause = _last_clause(w, fact)
        elif fact.kind == "crash":
            clause = w.t("clause_crash", actor=w.endpoint(fact.actor))
        elif fact.kind in ("recv", "discard") and fact.received is not None \
                and (fact.received.old or fact.received.duplicate):
            clause = w.t("clause_arrives", segment=w.segment(fact.received, origin=False),
                         actor=w.endpoint(fact.actor))
        if clause is not None:
            clauses.append(w.t("at_step", clause=clause, step=fact.index))
    if len(clauses) > MAX_CLAUSES:  # keep the start of the story and its end
        clauses = clauses[:MAX_CLAUSES - 1] + clauses[-1:]
    return clauses


def _last_clause(w: Words, fact) -> str:
    actor = w.endpoint(fact.actor)
    if fact.transition is None:
        return w.t("clause_last", summary=w.clause(fact))
    if fact.after is not None and fact.before is not None \
            and fact.after.state != fact.before.state:
        return w.t("clause_enters", actor=actor, transition=fact.transition,
                   state=w.state(fact.after.state))
    return w.t("clause_takes", actor=actor, transition=fact.transition)


def _check_values(w: Words, a: Ablation, fact, trace: Trace):
    """The values of the weakened conjunct's names where the transition fired, when the
    conjunct is false there (a firing the original model forbids); else None.

    A guard is judged before the step, with the segment received; a ``choose`` condition
    with the chosen value (read after the step) in the state before it, which is exact
    when the condition reads the chosen variable and what the body had not yet changed."""
    if a.check_expr is None:
        return None
    before = trace.steps[fact.index - 1].state
    step = trace.steps[fact.index]
    if a.candidate.kind == ablation.CHOICE:
        before = _with_choice(before, step.state, a)
    judged = Step(fact.index, fact.actor, fact.kind, fact.summary, before,
                  received=step.received)
    modulus = w.model.bounds.seqspace
    if evaluate_on(a.check_expr, judged, trace, modulus) is not False:
        return None
    return tuple((value_name(leaf), shown(evaluate_on(leaf, judged, trace, modulus)))
                 for leaf in leaves(a.check_expr))


def _with_choice(before, after, a: Ablation):
    """``before`` with the endpoint's chosen variable set to its value in ``after``."""
    choose = ablation.chooses(a.transition.body)[a.candidate.choice]
    return _replace_variable(before, after, a.candidate.endpoint, choose.var)


def _replace_variable(before, after, e: int, var: int):
    old, new = before.endpoints[e], after.endpoints[e]
    name = new.variables[var][0]
    variables = tuple((k, new.value(name) if k == name else v) for k, v in old.variables)
    endpoints = list(before.endpoints)
    endpoints[e] = dataclasses.replace(old, variables=variables)
    return dataclasses.replace(before, endpoints=tuple(endpoints))
