"""Frozen expressions -> C expressions, mirroring tcpcheck.explicit.compile for the native
engine.

Two contexts, as in the Python compiler: in a transition ``v`` points at the endpoint's
own slots and ``g`` at the received segment (NULL when none); in a property ``S`` points
at the whole state and ``g`` at a step property's received segment.  Every value is an
int64_t; a bool is 0 or 1, a set a bit mask.  Operations that Python could reject (x % 0,
a negative set element) or that int64 could not follow (overflow) go through the helpers
of runtime.c, which record the error in ``err_flag``; the caller looks at it after the
evaluation, as the Python engine catches the exception.
"""

from __future__ import annotations

from tcpcheck.explicit.compile import VAR_BASE
from tcpcheck.model import ir


class CExpr:
    def __init__(self, layout, modulus: int, in_transition: bool):
        self.layout = layout
        self.m = modulus
        self.local = in_transition
        self.fresh = 0

    def gen(self, e) -> str:
        return getattr(self, "_" + type(e).__name__)(e)

    def _name(self, stem: str) -> str:
        self.fresh += 1
        return f"{stem}{self.fresh}"

    def _Lit(self, e: ir.Lit) -> str:
        return f"INT64_C({int(e.value)})"

    def _ParamRef(self, e: ir.ParamRef) -> str:
        return f"INT64_C({int(e.default)})"

    def _ep(self, endpoint: int) -> str:
        return "v" if self.local else f"(S + {self.layout.ep_base[endpoint]})"

    def _VarRef(self, e: ir.VarRef) -> str:
        return f"{self._ep(e.endpoint)}[{VAR_BASE + e.index}]"

    def _ControlState(self, e: ir.ControlState) -> str:
        return f"{self._ep(e.endpoint)}[0]"

    def _IncarnationRef(self, e: ir.IncarnationRef) -> str:
        return f"{self._ep(e.endpoint)}[1]"

    def _TimerRef(self, e: ir.TimerRef) -> str:
        lay = self.layout
        return f"S[{lay.ep_base[e.endpoint] + lay.timer_base[e.endpoint] + e.index}]"

    def _StateLit(self, e: ir.StateLit) -> str:
        return f"INT64_C({e.index})"

    def _SegField(self, e: ir.SegField) -> str:
        name = "segp(g)" if e.binder == "seg" else f"q_{e.binder}"
        if e.field == "seq":
            return f"{name}[1]"
        if e.field == "ack":
            return f"{name}[2]"
        if e.field == "dst":
            return f"qd_{e.binder}"
        if e.field == "age":
            return f"{name}[SEGW - 1]"
        if e.field in ir.FLAG_NAMES:
            return f"(({name}[0] & {int(ir.Flag[e.field])}) != 0)"
        if e.field == "seglen":  # ir.seg_len: FIN is bit 0, SYN bit 1
            payload = "INT64_C(0)" if e.ghost_index is None else f"{name}[{3 + e.ghost_index}]"
            return f"({payload} + ({name}[0] & 1) + (({name}[0] >> 1) & 1))"
        return f"{name}[{3 + e.ghost_index}]"

    def _Unary(self, e: ir.Unary) -> str:
        inner = self.gen(e.operand)
        return f"(!{inner})" if e.op == "not" else f"pneg({inner})"

    def _SetLiteral(self, e: ir.SetLiteral) -> str:
        # a set of control states only appears on the right of `in` (see _membership)
        if not e.items:
            return "INT64_C(0)"
        return "(" + " | ".join(f"bit({self.gen(i)})" for i in e.items) + ")"

    def _Quantifier(self, e: ir.Quantifier) -> str:
        q, d, r, i = f"q_{e.var}", f"qd_{e.var}", self._name("_r"), self._name("_i")
        dirs = (0, 1) if e.direction is None else (e.direction,)
        exists = e.kind == "exists"
        body = self.gen(e.body)
        hit = f"{{ {r} = 1; break; }}" if exists else f"{{ {r} = 0; break; }}"
        test = f"if ({body}) {hit}" if exists else f"if (!({body})) {hit}"
        loops = []
        for direction in dirs:
            base = self.layout.chan_base[direction]
            loops.append(
                f"if ({r} == {0 if exists else 1}) for (int64_t {i} = 0; {i} < S[{base}]; {i}++) "
                f"{{ const int64_t *{q} = S + {base + 1} + {i} * SEGW; const int64_t {d} = "
                f"{direction}; (void){d}; (void){q}; {test} }}")
        return f"({{ int64_t {r} = {0 if exists else 1}; {' '.join(loops)} {r}; }})"

    def _Binary(self, e: ir.Binary) -> str:
        op = e.op
        if op in ("in", "notin") and isinstance(e.right, ir.SetLiteral) and \
                isinstance(e.right.type.element, ir.StateType):
            t = self._name("_t")
            tests = " || ".join(f"{t} == {i.index}" for i in e.right.items) or "0"
            test = f"({{ int64_t {t} = {self.gen(e.left)}; ({tests}); }})"
            return test if op == "in" else f"(!{test})"
        a, b, m = self.gen(e.left), self.gen(e.right), self.m
        if op == "and":
            return f"({a} && {b})"
        if op == "or":
            return f"({a} || {b})"
        if op == "=>":
            return f"(!{a} || {b})"
        if op in ("in", "notin"):
            test = f"has({b}, {a})"
            return test if op == "in" else f"(!{test})"
        if op == "seq+":
            return f"pmod(padd({a}, {b}), INT64_C({m}))"
        if op == "seq-":
            return f"pmod(psub({a}, {b}), INT64_C({m}))"
        if op == "seq<":
            return f"seq_lt({a}, {b}, INT64_C({m}))"
        if op == "seq>":
            return f"seq_lt({b}, {a}, INT64_C({m}))"
        if op in ("seq<=", "seq>="):
            x, y = (a, b) if op == "seq<=" else (b, a)
            ta, tb = self._name("_a"), self._name("_b")
            return (f"({{ int64_t {ta} = {x}, {tb} = {y}; (pmod({ta}, INT64_C({m})) == "
                    f"pmod({tb}, INT64_C({m})) || seq_lt({ta}, {tb}, INT64_C({m}))); }})")
        if op in ("==", "!=") and (isinstance(e.left.type, ir.SeqType) or
                                   isinstance(e.right.type, ir.SeqType)):
            return f"(pmod({a}, INT64_C({m})) {op} pmod({b}, INT64_C({m})))"
        if op == "union":
            return f"({a} | {b})"
        if op == "difference":
            return f"({a} & ~{b})"
        if op == "+":
            return f"padd({a}, {b})"
        if op == "-":
            return f"psub({a}, {b})"
        if op == "*":
            return f"pmul({a}, {b})"
        if op == "%":
            return f"pmod({a}, {b})"
        if op in ("==", "!=", "<", "<=", ">", ">="):
            return f"({a} {op} {b})"
        raise ValueError(f"no native code for operator {op}")
