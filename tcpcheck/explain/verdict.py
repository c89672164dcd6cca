"""How the last state of a run decides a property: which part of its expression is false
(or true, for a goal) and the values that make it so.  Language-free facts.

The expression is evaluated on the trace's own records (:mod:`tcpcheck.trace.evaluate`), so
the values are the ones the run shows, whatever engine found it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tcpcheck.trace import evaluate as trace_eval
from tcpcheck.model import ir
from tcpcheck.render.values import expr_text, value_text
from tcpcheck.trace.records import Step, Trace

LEAVES = (ir.VarRef, ir.IncarnationRef, ir.ControlState, ir.SegField, ir.ParamRef, ir.TimerRef)


@dataclass(frozen=True)
class Verdict:
    """The property's expression at the last step of the run.

    ``expression`` is the whole expression as tcpspec writes it; ``culprit`` the smallest
    part that decides it (for a violation: a false conjunct, the false consequent of an
    implication that applies, ...); ``values`` the ``(name, value)`` pairs of what the
    culprit reads, as text; ``actor`` the endpoint whose firing a step property judged.
    """

    expression: str | None
    culprit: str | None
    values: tuple = ()
    actor: str | None = None


def judge(model: ir.Model, prop: ir.Property, trace: Trace) -> Verdict:
    """The :class:`Verdict` of ``prop`` at the last step of ``trace`` (an empty one for
    properties without an expression, such as ``deadlock free``)."""
    if prop.expr is None or not trace.steps:
        return Verdict(None, None)
    last = trace.steps[-1]
    names = tuple(e.name for e in model.endpoints)
    actor = last.actor if prop.kind == "step" and last.actor in names else None
    expr = prop.expr_for(names.index(actor)) if actor is not None else prop.expr
    value_of = lambda e: evaluate_on(e, last, trace, model.bounds.seqspace)
    want = prop.kind == "reachable"  # a goal is explained by what is true, the rest by what is false
    culprit = _culprit(expr, value_of, want)
    values = tuple((value_name(leaf, names), shown(value_of(leaf))) for leaf in leaves(culprit))
    return Verdict(expr_text(expr, names), expr_text(culprit, names), values, actor)


def evaluate_on(e, step: Step, trace: Trace, modulus: int):
    """The value of ir expression ``e`` after ``step`` (``seg``: the segment it received),
    or a :class:`tcpcheck.trace.evaluate.NoValue`."""
    text = expr_text(e, trace.endpoint_names)
    return trace_eval.evaluate(trace_eval.TraceExpression(text, (e, e)), step, trace, modulus)


def _culprit(e, value_of, want: bool):
    """The smallest part of ``e`` that decides it: for a violation (``want`` False) the
    first false conjunct, or the false consequent of an implication that applies; for a
    goal (``want`` True) the first true disjunct.  Anything else decides as a whole."""
    deciding_op = "or" if want else "and"
    if isinstance(e, ir.Binary) and e.op == deciding_op:
        for part in _flatten(e, deciding_op):
            if value_of(part) is want:
                return _culprit(part, value_of, want)
    if isinstance(e, ir.Binary) and e.op == "=>" and not want:
        if value_of(e.left) is True and value_of(e.right) is False:
            return _culprit(e.right, value_of, want)
    return e


def _flatten(e, op: str) -> list:
    if isinstance(e, ir.Binary) and e.op == op:
        return _flatten(e.left, op) + _flatten(e.right, op)
    return [e]


def leaves(e) -> list:
    """The names an expression reads, once each, in reading order; a quantifier counts as
    one value (its bound segments have no single value to show)."""
    found: list = []

    def walk(x):
        if isinstance(x, ir.Quantifier):
            found.append(x)
        elif isinstance(x, ir.SegField) and x.binder != "seg":
            return
        elif isinstance(x, LEAVES):
            found.append(x)
        elif isinstance(x, ir.Unary):
            walk(x.operand)
        elif isinstance(x, ir.Binary):
            walk(x.left)
            walk(x.right)
        elif isinstance(x, ir.SetLiteral):
            for item in x.items:
                walk(item)

    walk(e)
    unique: list = []
    for leaf in found:
        if leaf not in unique:
            unique.append(leaf)
    return unique


def value_name(leaf, names=None) -> str:
    """What a value is called in "name = value": the expression, in parentheses when it is
    a quantifier ("(exists s in channel.server: s.SYN) = false"), whose text has a colon."""
    text = expr_text(leaf, names) if names is not None else expr_text(leaf)
    return f"({text})" if isinstance(leaf, ir.Quantifier) else text


def shown(value) -> str:
    """A value as a sentence shows it."""
    if isinstance(value, trace_eval.NoValue):
        return f"? ({value.reason})"
    if isinstance(value, frozenset):
        return value_text(tuple(sorted(value)))
    return value_text(value)
