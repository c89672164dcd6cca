"""Frozen expressions -> Python functions, for the explicit engine's inner loop.

An expression becomes the source of a small lambda, compiled once per model.  Two shapes:
* in a transition: ``f(v, g)`` where ``v`` is the endpoint's own state tuple and ``g`` the
  received segment (or None);
* in a property: ``f(S, g)`` where ``S`` is the global state and ``g`` the received
  segment of a step property (or None).

State layout (see :mod:`tcpcheck.explicit.state`): an endpoint is
``(control, incarnation, var_0, ..., var_n, timer_0, ..., timer_m)``; a segment is
``(flags, seq, ack, ghost_0, ..., ghost_k, age)``; sets are bit masks; a timer is -1 when
stopped, else its ticks left.
"""

from __future__ import annotations

from itertools import chain

from tcpcheck.diagnostics import TcpcheckError
from tcpcheck.engine.state import VAR_BASE
from tcpcheck.model import ir
from tcpcheck.model.ir import seq_lt



def timer_bases(model: ir.Model) -> tuple:
    """Per endpoint, the index of its first timer in its state tuple (timers follow the
    variables); what a property that reads a timer needs to find it."""
    return tuple(VAR_BASE + len(e.variables) for e in model.endpoints)


def compile_expr(expr, *, in_transition: bool, modulus: int, timer_base: tuple = ()):
    """Compile an ir expression to a function of ``(v, g)`` or ``(S, g)``.

    ``timer_base`` is :func:`timer_bases` of the model; a property that reads a timer
    cannot be compiled without it."""
    args = "v, g" if in_transition else "S, g"
    namespace = {"seq_lt": seq_lt, "chain": chain}
    try:
        source = _Gen(in_transition, modulus, timer_base).gen(expr)
        return eval(f"lambda {args}: {source}", namespace)  # noqa: S307 - generated from the IR
    except (SyntaxError, RecursionError, MemoryError):
        raise ExpressionTooComplex("an expression is nested too deeply for the explicit engine; "
                                   "split it with constants or helper properties") from None


class ExpressionTooComplex(TcpcheckError):
    """Python cannot compile an expression this deep (about 200 nested operators)."""


def expression_source(expr, *, in_transition: bool, modulus: int, timer_base: tuple = ()) -> str:
    """The Python source the compiler generates (for tests and debugging)."""
    return _Gen(in_transition, modulus, timer_base).gen(expr)


class _Gen:
    def __init__(self, in_transition: bool, modulus: int, timer_base: tuple = ()):
        self.local = in_transition
        self.m = modulus
        self.timer_base = timer_base

    def gen(self, e) -> str:
        return getattr(self, "_" + type(e).__name__)(e)

    def _Lit(self, e: ir.Lit) -> str:
        return repr(e.value)

    def _ParamRef(self, e: ir.ParamRef) -> str:
        return repr(e.default)  # the explicit engine checks the model at the defaults

    def _VarRef(self, e: ir.VarRef) -> str:
        base = "v" if self.local else f"S[{e.endpoint}]"
        return f"{base}[{VAR_BASE + e.index}]"

    def _ControlState(self, e: ir.ControlState) -> str:
        return f"S[{e.endpoint}][0]"

    def _IncarnationRef(self, e: ir.IncarnationRef) -> str:
        return "v[1]" if self.local else f"S[{e.endpoint}][1]"

    def _TimerRef(self, e: ir.TimerRef) -> str:
        # the state stores a stopped timer as -1 already, which is what a property reads
        if self.local or not self.timer_base:
            raise ValueError("reading a timer needs property context and the model's timer "
                             "layout (timer_base)")
        return f"S[{e.endpoint}][{self.timer_base[e.endpoint] + e.index}]"

    def _StateLit(self, e: ir.StateLit) -> str:
        return repr(e.index)

    def _SegField(self, e: ir.SegField) -> str:
        name = "g" if e.binder == "seg" else f"q_{e.binder}"
        if e.field == "seq":
            return f"{name}[1]"
        if e.field == "ack":
            return f"{name}[2]"
        if e.field == "dst":
            return f"qd_{e.binder}"
        if e.field == "age":  # last in the segment tuple; stays 0 without an msl
            return f"{name}[-1]"
        if e.field in ir.FLAG_NAMES:
            return f"({name}[0] & {int(ir.Flag[e.field])} != 0)"
        if e.field == "seglen":  # ir.seg_len: FIN is bit 0, SYN bit 1
            payload = "0" if e.ghost_index is None else f"{name}[{3 + e.ghost_index}]"
            return f"({payload} + ({name}[0] & 1) + (({name}[0] >> 1) & 1))"
        return f"{name}[{3 + e.ghost_index}]"

    def _Unary(self, e: ir.Unary) -> str:
        inner = self.gen(e.operand)
        return f"(not {inner})" if e.op == "not" else f"(-{inner})"

    def _SetLiteral(self, e: ir.SetLiteral) -> str:
        if isinstance(e.type.element, ir.StateType):
            return "(" + "".join(f"{i.index}, " for i in e.items) + ")"
        if not e.items:
            return "0"
        return "(" + " | ".join(f"(1 << {self.gen(i)})" for i in e.items) + ")"

    def _Quantifier(self, e: ir.Quantifier) -> str:
        q, d = f"q_{e.var}", f"qd_{e.var}"
        if e.direction is None:
            source = "chain(((0, x) for x in S[2]), ((1, x) for x in S[3]))"
        else:
            source = f"(({e.direction}, x) for x in S[{2 + e.direction}])"
        fn = "any" if e.kind == "exists" else "all"
        return f"{fn}({self.gen(e.body)} for {d}, {q} in {source})"

    def _Binary(self, e: ir.Binary) -> str:
        op, a, b = e.op, self.gen(e.left), self.gen(e.right)
        m = self.m
        if op == "and":
            return f"({a} and {b})"
        if op == "or":
            return f"({a} or {b})"
        if op == "=>":
            return f"((not {a}) or {b})"
        if op in ("in", "notin"):
            if isinstance(e.right.type, ir.SetType) and isinstance(e.right.type.element, ir.StateType):
                test = f"({a} in {b})"
            else:
                test = f"((({b}) >> ({a})) & 1 == 1)"
            return test if op == "in" else f"(not {test})"
        if op in ("seq+", "seq-"):
            return f"(({a} {op[3]} {b}) % {m})"
        if op == "seq<":
            return f"seq_lt({a}, {b}, {m})"
        if op == "seq>":
            return f"seq_lt({b}, {a}, {m})"
        if op == "seq<=":
            return f"(({a}) % {m} == ({b}) % {m} or seq_lt({a}, {b}, {m}))"
        if op == "seq>=":
            return f"(({a}) % {m} == ({b}) % {m} or seq_lt({b}, {a}, {m}))"
        if op in ("==", "!=") and (isinstance(e.left.type, ir.SeqType) or isinstance(e.right.type, ir.SeqType)):
            return f"(({a}) % {m} {op} ({b}) % {m})"
        if op == "union":
            return f"({a} | {b})"
        if op == "difference":
            return f"({a} & ~{b})"
        return f"({a} {op} {b})"
