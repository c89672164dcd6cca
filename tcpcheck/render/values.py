"""How model values and expressions are written: tcpspec's own notation, shared by every
renderer and by the explanations."""

from __future__ import annotations

from tcpcheck.model import ir

def value_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "{" + ",".join(str(v) for v in value) + "}"
    return str(value)


# ---- expressions --------------------------------------------------------------------------

# Binding levels of spec/MANUAL.md 10.1, loosest first; a level in _CHAINED associates left.
_LEVELS = {"=>": 1, "or": 2, "and": 3,
           **dict.fromkeys(("==", "!=", "<", "<=", ">", ">=", "in", "notin"), 5),
           **dict.fromkeys(("+", "-", "union", "difference"), 6), "*": 7, "%": 7}
_CHAINED = (2, 3, 6, 7)
_SPELLING = {"union": "+", "difference": "-", "notin": "not in"}
_ATOM = 9


def expr_text(e, endpoint_names: tuple = ()) -> str:
    """An ir expression as tcpspec writes it (params by name).  ``endpoint_names`` turns
    a variable of a property into ``client.x``; without them it is just ``x``."""
    return _expr_text(e, endpoint_names)[0]


def _expr_text(e, names) -> tuple[str, int]:
    """The text of ``e`` and its binding level, to put parentheses only where needed."""
    if isinstance(e, ir.Lit):
        return value_text(e.value), _ATOM
    if isinstance(e, ir.ParamRef):
        return e.name, _ATOM
    if isinstance(e, ir.VarRef):
        return (f"{names[e.endpoint]}.{e.name}" if names else e.name), _ATOM
    if isinstance(e, ir.IncarnationRef):
        return (f"{names[e.endpoint]}.incarnation" if names else "incarnation"), _ATOM
    if isinstance(e, ir.TimerRef):
        return (f"{names[e.endpoint]}.{e.name}" if names else e.name), _ATOM
    if isinstance(e, ir.ControlState):
        return (f"{names[e.endpoint]}.state" if names else "state"), _ATOM
    if isinstance(e, ir.StateLit):
        return e.name, _ATOM
    if isinstance(e, ir.SegField):
        return f"{e.binder}.{e.field}", _ATOM
    if isinstance(e, ir.SetLiteral):
        return "{" + ", ".join(_expr_text(i, names)[0] for i in e.items) + "}", _ATOM
    if isinstance(e, ir.Unary):
        inner, level = _expr_text(e.operand, names)
        if e.op == "not":
            return f"not {_wrap(inner, level, 4)}", 4
        return f"-{_wrap(inner, level, 8)}", 8
    if isinstance(e, ir.Quantifier):
        where = "channel" if e.direction is None else \
            f"channel.{names[e.direction] if names else e.direction}"
        # level 0: its body extends as far right as possible, so it is wrapped when nested
        return f"{e.kind} {e.var} in {where}: {_expr_text(e.body, names)[0]}", 0
    if isinstance(e, ir.Binary):
        return _binary_text(e, names)
    return "?", _ATOM  # not an expression lowering produces


def _binary_text(e: ir.Binary, names) -> tuple[str, int]:
    op = e.op[3:] if e.op.startswith("seq") else e.op
    level = _LEVELS.get(op, 5)
    left, left_level = _expr_text(e.left, names)
    right, right_level = _expr_text(e.right, names)
    left = _wrap(left, left_level, level if level in _CHAINED else level + 1)
    right = _wrap(right, right_level, level + 1)
    return f"{left} {_SPELLING.get(op, op)} {right}", level


def _wrap(text: str, level: int, needed: int) -> str:
    return text if level >= needed else f"({text})"


def trigger_text(endpoint: ir.Endpoint, trigger: ir.Trigger) -> str:
    if trigger.kind == "timeout":
        return f"timeout {endpoint.timers[trigger.timer]}"
    if trigger.kind != "recv":
        return trigger.kind
    parts = [n for n in ir.FLAG_NAMES if trigger.must_set & ir.Flag[n]]
    parts += ["-" + n for n in ir.FLAG_NAMES if trigger.must_clear & ir.Flag[n]]
    if trigger.others_free:
        parts.append("...")
    return "recv " + (" ".join(parts) if parts else "(no flags)")
