"""Whether the native engine can check a model: a whitelist of the ir constructs that
tcpcheck.native.codegen translates, and of the run options it implements.

``unsupported(model, options)`` is None when the native engine may run, else a one-line
reason (which ``tcpcheck check --engine auto`` prints when it falls back to Python).
Every property kind: invariants, lemmas, step properties, reachable goals, deadlock,
domain and evaluation errors, with any number of counterexamples per property; and the
liveness kinds under fairness, judged by the Python code on the graph the C search
records (tcpcheck.native.graph).
"""

from __future__ import annotations

from tcpcheck.model import ir

MAX_CAPACITY = 64  # channel slots per direction (the C side keeps channels on the stack)
MAX_SLOTS = 4096  # slots per state
ARITH = frozenset({"+", "-", "*", "%", "==", "!=", "<", "<=", ">", ">=", "and", "or", "=>",
                   "in", "notin", "seq+", "seq-", "seq<", "seq>", "seq<=", "seq>=", "union",
                   "difference"})
TRIGGERS = frozenset({*ir.USER_CALLS, "crash", "timeout", "recv"})


def unsupported(model: ir.Model, options=None) -> str | None:
    """``options`` (CheckOptions) are all implemented: it is kept for what may not be."""
    try:
        _check_model(model)
    except _No as no:
        return str(no)
    return None


class _No(Exception):
    pass


def _check_model(model: ir.Model) -> None:
    if len(model.endpoints) != 2:
        raise _No("the native engine needs exactly two endpoints")
    ch = model.channel
    if ch.capacity > MAX_CAPACITY:
        raise _No(f"a channel capacity above {MAX_CAPACITY} needs the Python engine")
    if model.bounds.seqspace > 1 << 62:
        raise _No("a sequence space above 2^62 needs the Python engine")
    for g in model.ghost_fields:
        _value_type(g.type, f"segment field {g.name}")
    slots = 4 + 2 * ch.capacity * (4 + len(model.ghost_fields))
    for ep in model.endpoints:
        slots += 2 + len(ep.variables) + len(ep.timers)
        for var in ep.variables:
            _value_type(var.type, f"{ep.name}.{var.name}", sets=True)
            if not isinstance(var.init, (bool, int)):
                raise _No(f"the initial value of {ep.name}.{var.name} is not a number")
        for t in ep.transitions:
            where = f"transition {ep.name}.{t.name}"
            if t.trigger.kind not in TRIGGERS:
                raise _No(f"{where}: trigger '{t.trigger.kind}' is not supported natively")
            if t.guard is not None:
                _expr(t.guard, where, local=True)
            _block(t.body, where)
    if slots > MAX_SLOTS:
        raise _No("the state has too many parts for the native engine")
    for p in model.properties:
        if p.liveness:  # the goal, and the premise of P ~> Q (tcpcheck.native.graph)
            for expr in (p.expr, p.premise):
                if expr is not None:
                    _expr(expr, f"property {p.name}", local=False)
            continue
        for e in (0, 1):
            expr = p.expr_for(e) if p.kind == "step" else p.expr
            if expr is not None:
                _expr(expr, f"property {p.name}", local=False)
    for lemma in model.lemmas:
        _expr(lemma.expr, f"lemma {lemma.name}", local=False)
    for a in model.assumptions:
        for e in sorted({e for e, _ in a.selectors}):
            _expr(a.expr_for(e), f"assumption {a.name}", local=False)


def _value_type(type_, what: str, sets: bool = False) -> None:
    if isinstance(type_, (ir.BoolType, ir.SeqType)):
        return
    if isinstance(type_, ir.IntType):
        if type_.lo is None or type_.hi is None:
            raise _No(f"{what} has no bounded domain")
        if type_.hi - type_.lo >= 1 << 62:
            raise _No(f"{what}'s domain is too wide for the native engine")
        return
    if sets and isinstance(type_, ir.SetType):
        element = type_.element
        if isinstance(element, ir.IntType) and element.lo is not None and element.hi is not None \
                and 0 <= element.lo and element.hi <= 62:
            return
        if isinstance(element, ir.SeqType) and element.modulus <= 62:
            return
        if isinstance(element, ir.BoolType):
            return
    raise _No(f"{what}: type {type_} is not supported natively")


def _block(stmts, where: str) -> None:
    for s in stmts:
        if isinstance(s, ir.Assign):
            _expr(s.value, where, local=True)
        elif isinstance(s, ir.Send):
            for e in (s.seq, s.ack, *s.ghosts):
                _expr(e, where, local=True)
        elif isinstance(s, ir.Choose):
            _domain(s.domain, where)
            if s.where is not None:
                _expr(s.where, where, local=True)
        elif isinstance(s, ir.StartTimer):
            _expr(s.duration, where, local=True)
        elif isinstance(s, ir.StopTimer):
            pass
        elif isinstance(s, ir.If):
            _expr(s.cond, where, local=True)
            _block(s.then, where)
            _block(s.otherwise, where)
        else:
            raise _No(f"{where}: statement {type(s).__name__} is not supported natively")


def _domain(domain, where: str) -> None:
    parts = domain.parts if isinstance(domain, ir.Ranges) else (domain,)
    for part in parts:
        if isinstance(part, range):
            continue
        if isinstance(part, tuple) and all(isinstance(v, (bool, int)) for v in part):
            continue
        raise _No(f"{where}: a choice over {type(part).__name__} is not supported natively")


def _expr(e, where: str, *, local: bool) -> None:
    kind = type(e).__name__
    if isinstance(e, ir.Lit):
        if not isinstance(e.value, (bool, int)):
            raise _No(f"{where}: a constant of type {type(e.value).__name__} is not supported natively")
    elif isinstance(e, (ir.ParamRef, ir.VarRef, ir.IncarnationRef, ir.StateLit)):
        return
    elif isinstance(e, (ir.ControlState, ir.TimerRef, ir.Quantifier)):
        if local:
            raise _No(f"{where}: {kind} inside a transition is not supported natively")
        if isinstance(e, ir.Quantifier):
            _expr(e.body, where, local=local)
    elif isinstance(e, ir.SegField):
        if e.field == "dst" and e.binder == "seg":
            raise _No(f"{where}: seg.dst is not supported natively")
    elif isinstance(e, ir.Unary):
        _expr(e.operand, where, local=local)
    elif isinstance(e, ir.SetLiteral):
        if isinstance(e.type.element, ir.StateType):
            raise _No(f"{where}: a set of states outside 'in' is not supported natively")
        for item in e.items:
            _expr(item, where, local=local)
    elif isinstance(e, ir.Binary):
        if e.op not in ARITH:
            raise _No(f"{where}: operator '{e.op}' is not supported natively")
        _expr(e.left, where, local=local)
        if e.op in ("in", "notin") and isinstance(e.right, ir.SetLiteral) and \
                isinstance(e.right.type.element, ir.StateType):
            return
        _expr(e.right, where, local=local)
    else:
        raise _No(f"{where}: expression {kind} is not supported natively")
