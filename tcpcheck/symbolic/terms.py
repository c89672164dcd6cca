"""Frozen expressions -> Z3 terms.  With :mod:`tcpcheck.symbolic.encoding`, the only
place that builds Z3 terms from the model (pySMT's converter, in our terms).

Value representations (one per IR type):

* ``bool``: a Z3 Bool; ``lo..hi`` and plain integers: a Z3 Int (unbounded: ranges are
  checked where a value is stored, as the explicit engine does);
* ``seq``: see :class:`SeqArith`: a bit-vector of ``log2(modulus)`` bits when the modulus is
  a power of two (32 bits for the real sequence space), else an Int reduced modulo it;
* a set of numbers or booleans: a 64-bit mask (bit ``i`` = element ``i``), as in the explicit
  engine; a set of ``seq``: a Z3 set over the sequence sort, because the real sequence space
  has 2**32 elements;
* a control state: a Z3 Int (the state's index).
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from tcpcheck.model import ir

MASK_BITS = 64  # set masks; lowering keeps elements within 0..62


class Unsupported(Exception):
    """A construct the symbolic engine does not encode (yet); carries where it is."""

    def __init__(self, what: str, span=None):
        super().__init__(what)
        self.what = what
        self.span = span


class SeqArith:
    """Sequence numbers modulo ``modulus``, with RFC 9293 3.4 comparison (SEQ.LT: the
    difference, read modulo the space, lies in its upper half)."""

    def __init__(self, modulus: int):
        self.modulus = modulus
        self.width = modulus.bit_length() - 1 if modulus & (modulus - 1) == 0 else None
        self.sort = z3.BitVecSort(self.width) if self.width else z3.IntSort()

    def const(self, value: int):
        value %= self.modulus
        return z3.BitVecVal(value, self.width) if self.width else z3.IntVal(value)

    def fresh(self, name: str):
        return z3.BitVec(name, self.width) if self.width else z3.Int(name)

    def well_formed(self, term):
        """The range constraint an Int-represented value needs (bit-vectors need none)."""
        return z3.BoolVal(True) if self.width else z3.And(term >= 0, term < self.modulus)

    def from_int(self, term):
        if self.width:
            return z3.Int2BV(term, self.width)
        return term % self.modulus

    def add(self, a, b):
        return a + b if self.width else (a + b) % self.modulus

    def sub(self, a, b):
        return a - b if self.width else (a - b) % self.modulus

    def lt(self, a, b):
        if self.width:
            return z3.UGE(a - b, z3.BitVecVal(1 << (self.width - 1), self.width))
        return (a - b) % self.modulus >= (self.modulus + 1) // 2


def is_seq_set(type_) -> bool:
    return isinstance(type_, ir.SetType) and isinstance(type_.element, ir.SeqType)


@dataclass
class SegTerms:
    """A segment's fields as terms: ``flags`` is a 6-bit vector of :class:`ir.Flag` bits."""

    flags: object
    seq: object
    ack: object
    ghosts: tuple


class ExprCompiler:
    """Compiles IR expressions within one environment.

    ``local(index)`` gives an endpoint variable (transition context) and ``incarnation``
    its incarnation; ``endpoint(e)`` gives the :class:`EndpointTerms` of a global state
    (property context); ``seg`` is the received segment; ``channel`` the in-flight slots
    (property context, for quantifiers); ``params`` the symbolic parameters."""

    def __init__(self, arith: SeqArith, params: tuple, *, local=None, incarnation=None,
                 endpoints=None, seg: SegTerms | None = None, channel=None, self_endpoint=None):
        self.arith = arith
        self.params = params
        self.local = local
        self.incarnation = incarnation
        self.endpoints = endpoints
        self.seg = seg
        self.channel = channel
        self.binders: dict = {}

    # -- entry -------------------------------------------------------------------------
    def __call__(self, expr):
        return getattr(self, "_" + type(expr).__name__)(expr)

    def as_seq(self, expr):
        term = self(expr)
        return term if isinstance(expr.type, ir.SeqType) else self.arith.from_int(term)

    def as_type(self, expr, type_):
        """``expr`` converted to the representation of ``type_`` (int -> seq, set literals)."""
        if isinstance(type_, ir.SeqType):
            return self.as_seq(expr)
        if is_seq_set(type_):
            return self.seq_set(expr)
        return self(expr)

    # -- leaves ------------------------------------------------------------------------
    def _Lit(self, e: ir.Lit):
        if isinstance(e.value, bool):
            return z3.BoolVal(e.value)
        if isinstance(e.type, ir.SeqType):
            return self.arith.const(e.value)
        if e.value is None:
            raise Unsupported("an expression that failed to type-check")
        return z3.IntVal(e.value)

    def _ParamRef(self, e):
        return self.params[e.index]

    def _VarRef(self, e: ir.VarRef):
        if self.local is not None:
            return self.local(e.index)
        return self.endpoints[e.endpoint].variables[e.index]

    def _IncarnationRef(self, e: ir.IncarnationRef):
        if self.local is not None:
            return self.incarnation
        return self.endpoints[e.endpoint].incarnation

    def _TimerRef(self, e: ir.TimerRef):
        # the state keeps a stopped timer as -1, the value a property reads for it
        if self.endpoints is None:
            raise Unsupported("a timer read outside a property")
        return self.endpoints[e.endpoint].timers[e.index]

    def _ControlState(self, e: ir.ControlState):
        return self.endpoints[e.endpoint].control

    def _StateLit(self, e: ir.StateLit):
        return z3.IntVal(e.index)

    def _SegField(self, e: ir.SegField):
        if e.binder == "seg":
            seg = self.seg
            if seg is None:
                raise Unsupported("'seg' where no segment was received")
        else:
            seg, direction = self.binders[e.binder]
            if e.field == "dst":
                return z3.IntVal(direction)
        if e.field == "seq":
            return seg.seq
        if e.field == "ack":
            return seg.ack
        if e.field in ir.FLAG_NAMES:
            bit = int(ir.Flag[e.field])
            return seg.flags & z3.BitVecVal(bit, 6) != 0
        if e.field == "age":
            if getattr(seg, "age", None) is None:
                raise Unsupported("a segment's age where the segment has none")
            return seg.age
        if e.field == "seglen":  # ir.seg_len: the payload plus one each for SYN and FIN
            payload = z3.IntVal(0) if e.ghost_index is None else seg.ghosts[e.ghost_index]
            one = lambda flag: z3.If(seg.flags & z3.BitVecVal(int(flag), 6) != 0, 1, 0)
            return payload + one(ir.Flag.SYN) + one(ir.Flag.FIN)
        return seg.ghosts[e.ghost_index]

    # -- compound ----------------------------------------------------------------------
    def _Unary(self, e: ir.Unary):
        inner = self(e.operand)
        return z3.Not(inner) if e.op == "not" else -inner

    def _Quantifier(self, e: ir.Quantifier):
        directions = (0, 1) if e.direction is None else (e.direction,)
        parts = []
        for d in directions:
            for valid, seg in self.channel[d]:
                self.binders[e.var] = (seg, d)
                body = self(e.body)
                parts.append(z3.And(valid, body) if e.kind == "exists" else z3.Implies(valid, body))
        self.binders.pop(e.var, None)
        if e.kind == "exists":
            return z3.Or(parts) if parts else z3.BoolVal(False)
        return z3.And(parts) if parts else z3.BoolVal(True)

    def _SetLiteral(self, e: ir.SetLiteral):
        if isinstance(e.type.element, ir.SeqType):
            return self.seq_set(e)
        mask = z3.BitVecVal(0, MASK_BITS)
        for item in e.items:
            mask = mask | self.bit(self(item))
        return mask

    @staticmethod
    def bit(index_term):
        if z3.is_bool(index_term):
            index_term = z3.If(index_term, z3.IntVal(1), z3.IntVal(0))
        return z3.BitVecVal(1, MASK_BITS) << z3.Int2BV(index_term, MASK_BITS)

    def seq_set(self, e):
        """A set of sequence numbers (a set literal of any element type is converted)."""
        if isinstance(e, ir.SetLiteral):
            result = z3.EmptySet(self.arith.sort)
            for item in e.items:
                result = z3.SetAdd(result, self.as_seq(item))
            return result
        return self(e)

    def _Binary(self, e: ir.Binary):
        op = e.op
        if op in ("and", "or", "=>"):
            a, b = self(e.left), self(e.right)
            return {"and": z3.And, "or": z3.Or, "=>": z3.Implies}[op](a, b)
        if op in ("in", "notin"):
            test = self._member(e.left, e.right)
            return test if op == "in" else z3.Not(test)
        if op in ("union", "difference"):
            return self._set_op(op, e)
        if op.startswith("seq"):
            return self._seq_op(op, e)
        if op in ("==", "!="):
            a, b = self._comparable(e.left, e.right)
            return a == b if op == "==" else a != b
        a, b = self(e.left), self(e.right)
        if op == "%":
            return a % b
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                "<": lambda: a < b, "<=": lambda: a <= b, ">": lambda: a > b,
                ">=": lambda: a >= b}[op]()

    def _comparable(self, left, right):
        lt, rt = left.type, right.type
        if isinstance(lt, ir.SeqType) or isinstance(rt, ir.SeqType):
            return self.as_seq(left), self.as_seq(right)
        if is_seq_set(lt) or is_seq_set(rt):
            return self.seq_set(left), self.seq_set(right)
        return self(left), self(right)

    def _seq_op(self, op, e):
        a, b = self.as_seq(e.left), self.as_seq(e.right)
        ar = self.arith
        if op == "seq+":
            return ar.add(a, b)
        if op == "seq-":
            return ar.sub(a, b)
        if op == "seq<":
            return ar.lt(a, b)
        if op == "seq>":
            return ar.lt(b, a)
        if op == "seq<=":
            return z3.Or(a == b, ar.lt(a, b))
        return z3.Or(a == b, ar.lt(b, a))  # seq>=

    def _member(self, item, collection):
        if isinstance(collection, ir.SetLiteral) and isinstance(collection.type.element, ir.StateType):
            value = self(item)
            return z3.Or([value == s.index for s in collection.items]) if collection.items \
                else z3.BoolVal(False)
        if is_seq_set(collection.type):
            return z3.IsMember(self.as_seq(item), self.seq_set(collection))
        mask = self(collection)
        return mask & self.bit(self(item)) != 0

    def _set_op(self, op, e):
        if is_seq_set(e.left.type) or is_seq_set(e.right.type) or is_seq_set(e.type):
            a, b = self.seq_set(e.left), self.seq_set(e.right)
            return z3.SetUnion(a, b) if op == "union" else z3.SetDifference(a, b)
        a, b = self(e.left), self(e.right)
        return a | b if op == "union" else a & ~b
