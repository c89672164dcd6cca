"""Properties as predicates on one state vector.

Every safety property becomes a *bad-state* predicate: ``always P`` is ``not P``; a step
property (``always at``) reads the monitor of the last action (which transition fired and
what it received), so it too is a predicate on the state after the step; the built-in
``domains`` property is the error flag; ``deadlock free`` is "not terminal and no action
enabled and no receipt waiting for room".  A ``reachable`` goal is a *target* predicate:
BMC looks for it, a proof that its negation is invariant shows it unreachable.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from tcpcheck.model import ir
from tcpcheck.symbolic.encoding import Encoding
from tcpcheck.symbolic.state import StateTerms

DOMAINS = "domains"
DOMAINS_DOC = "every variable stays within its declared domain"


@dataclass(frozen=True)
class Goal:
    """``predicate(state)`` is a violation (``reach=False``) or the goal (``reach=True``)."""

    name: str
    kind: str
    reach: bool
    doc: str | None
    predicate: object  # callable(StateTerms) -> z3 Bool


def goals(enc: Encoding, names=None) -> list:
    """The model's properties (``names`` selects), then the built-in ``domains``."""
    found = []
    for what, item in selected(enc.model, names):
        if what == "property":
            found.append(_goal(enc, item))
        elif what == "lemma":  # a lemma is checked when asked for by name
            holds = _state_predicate(enc, item.expr)
            found.append(Goal(item.name, "lemma", False, item.doc,
                              lambda s, holds=holds: z3.Not(holds(s))))
        else:
            found.append(Goal(DOMAINS, "domains", False, DOMAINS_DOC, lambda s: s.error))
    return found


def goal_heads(model: ir.Model, names=None) -> list:
    """The goals :func:`goals` would make, without their predicates (``predicate`` None):
    what a run stopped before the model was encoded reports on."""
    heads = []
    for what, item in selected(model, names):
        if what == "domains":
            heads.append(Goal(DOMAINS, "domains", False, DOMAINS_DOC, None))
        else:
            kind = item.kind if what == "property" else "lemma"
            heads.append(Goal(item.name, kind, False, item.doc, None))
    return heads


def selected(model: ir.Model, names=None) -> list:
    """("property", p), ("lemma", lemma), ("domains", None): what the goals of a run are."""
    found = [("property", p) for p in model.properties
             if (names is None or p.name in names) and p.kind not in ir.LIVENESS_KINDS]
    found += [("lemma", lem) for lem in getattr(model, "lemmas", ())
              if names is not None and lem.name in names]
    if names is None or DOMAINS in names:
        found.append(("domains", None))
    return found


def lemma_predicates(enc: Encoding) -> list:
    """(name, callable(StateTerms) -> Bool) for the model's ``lemma`` declarations."""
    return [(lem.name, _state_predicate(enc, lem.expr)) for lem in getattr(enc.model, "lemmas", ())]


def _state_predicate(enc: Encoding, expr):
    return lambda s: enc.property_compiler(s)(expr)


def _goal(enc: Encoding, p: ir.Property) -> Goal:
    if p.kind == "always":
        holds = _state_predicate(enc, p.expr)
        return Goal(p.name, p.kind, False, p.doc, lambda s: z3.Not(holds(s)))
    if p.kind == "reachable":
        return Goal(p.name, p.kind, True, p.doc, _state_predicate(enc, p.expr))
    if p.kind == "step":
        return Goal(p.name, p.kind, False, p.doc, lambda s: _step_violation(enc, p, s))
    return Goal(p.name, p.kind, False, p.doc, lambda s: deadlocked(enc, s))


def _step_violation(enc: Encoding, p: ir.Property, s: StateTerms):
    parts = []
    for e, ti in sorted(p.selectors):
        holds = enc.property_compiler(s)(p.expr_for(e))
        parts.append(z3.And(s.last_endpoint == e, s.last_transition == ti, z3.Not(holds)))
    return z3.Or(parts) if parts else z3.BoolVal(False)


def deadlocked(enc: Encoding, s: StateTerms):
    """13.6: not terminal, no action enabled, no receipt waiting for room, no error."""
    enabled, waiting = [], []
    for a in enc.actions:
        enabled.append(a.enable)
        if a.blocked is not None:
            waiting.append(a.blocked)
    some = _at_state(enc, s, z3.Or(enabled + waiting))
    return z3.And(z3.Not(enc.terminal(s)), z3.Not(some), z3.Not(s.error))


def _at_state(enc: Encoding, s: StateTerms, formula):
    """``formula`` (over the template state and step constants) at ``s``, for some choice
    of the step's constants: the delivered slot, the choices; one tick of time is the
    most permissive amount."""
    pairs = [(a, b) for a, b in zip(enc.S.flat(), s.flat()) if not a.eq(b)]
    pairs.append((enc.vars.delta, z3.IntVal(1)))
    at = z3.substitute(formula, *pairs)
    per_slot = [z3.substitute(at, (enc.vars.pick, z3.IntVal(i))) for i in range(enc.capacity)]
    body = z3.Or(per_slot)
    choices = [c for c in enc.vars.choices]
    return z3.Exists(choices, body) if choices else body
