"""Symbolic execution of a transition's body (section 13.3 of spec/MANUAL.md).

The body runs once on terms instead of values.  An ``if`` splits the run into two
:class:`Path` records (each with its branch condition), so every path sends a fixed number of
segments; a ``choose`` introduces a fresh constant constrained by its domain and ``where``,
so one path stands for every candidate (the explicit engine's one outcome per value).
Stores that leave a declared domain are collected as ``errors``: the explicit engine raises
a ``domains`` violation there, the encoding sets the state's error flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import z3

from tcpcheck.model import ir
from tcpcheck.symbolic.terms import MASK_BITS, ExprCompiler, SegTerms, is_seq_set


@dataclass
class Path:
    cond: list = field(default_factory=list)  # conjuncts, besides the guard
    variables: list = field(default_factory=list)
    timers: list = field(default_factory=list)
    sends: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # each: this path breaks a domain here
    choices: list = field(default_factory=list)  # fresh constants of its choose statements

    def fork(self, extra) -> "Path":
        return replace(self, cond=self.cond + [extra], variables=list(self.variables),
                       timers=list(self.timers), sends=list(self.sends),
                       errors=list(self.errors), choices=list(self.choices))


class BodyRunner:
    """Runs bodies of endpoint ``endpoint``'s transitions on symbolic values."""

    def __init__(self, model: ir.Model, endpoint: int, sorts, params, tag: str):
        self.model = model
        self.endpoint = endpoint
        self.spec = model.endpoints[endpoint]
        self.sorts = sorts
        self.arith = sorts.arith
        self.params = params
        self.tag = tag  # makes choose constants unique per step and transition
        self.counter = 0

    def compiler(self, path: Path, incarnation, seg: SegTerms | None) -> ExprCompiler:
        return ExprCompiler(self.arith, self.params, local=lambda i: path.variables[i],
                            incarnation=incarnation, seg=seg)

    def run(self, block, path: Path, incarnation, seg) -> list:
        paths = [path]
        for stmt in block:
            paths = [q for p in paths for q in self._stmt(stmt, p, incarnation, seg)]
        return paths

    def _stmt(self, s, path: Path, incarnation, seg) -> list:
        c = self.compiler(path, incarnation, seg)
        if isinstance(s, ir.If):
            cond = c(s.cond)
            return (self.run(s.then, path.fork(cond), incarnation, seg)
                    + self.run(s.otherwise, path.fork(z3.Not(cond)), incarnation, seg))
        if isinstance(s, ir.Assign):
            self._store(path, s.var, c.as_type(s.value, self.spec.variables[s.var].type))
        elif isinstance(s, ir.Send):
            path.sends.append(self._segment(s, c, path))
        elif isinstance(s, ir.StartTimer):
            duration = c(s.duration)
            self._check(path, duration >= 0)
            path.timers[s.timer] = duration
        elif isinstance(s, ir.StopTimer):
            path.timers[s.timer] = z3.IntVal(-1)
        elif isinstance(s, ir.Choose):
            self._choose(s, path, incarnation, seg)
        return [path]

    def _check(self, path: Path, ok) -> None:
        """Record that the path breaks a domain unless ``ok`` (under its condition so far)."""
        ok = z3.simplify(ok)
        if z3.is_true(ok):
            return
        path.errors.append(z3.And(path.cond + [z3.Not(ok)]))
        path.cond.append(ok)

    def _store(self, path: Path, var: int, value) -> None:
        type_ = self.spec.variables[var].type
        if isinstance(type_, ir.IntType):
            self._check(path, z3.And(value >= type_.lo, value <= type_.hi))
        elif isinstance(type_, ir.SetType) and not is_seq_set(type_):
            allowed = _mask(type_.element)
            self._check(path, value & z3.BitVecVal(~allowed % (1 << MASK_BITS), MASK_BITS) == 0)
        path.variables[var] = value

    def _segment(self, s: ir.Send, c: ExprCompiler, path: Path) -> SegTerms:
        ghosts = []
        for k, expr in enumerate(s.ghosts):
            type_ = self.model.ghost_fields[k].type
            value = c.as_type(expr, type_)
            if isinstance(type_, ir.IntType):
                self._check(path, z3.And(value >= type_.lo, value <= type_.hi))
            ghosts.append(value)
        return SegTerms(z3.BitVecVal(s.flags, 6), c.as_seq(s.seq), c.as_seq(s.ack), tuple(ghosts))

    def _choose(self, s: ir.Choose, path: Path, incarnation, seg) -> None:
        var = self.spec.variables[s.var]
        self.counter += 1
        x = self.sorts.fresh(f"{self.tag}.choose{self.counter}.{var.name}", var.type)
        path.choices.append(x)
        path.cond.append(self._domain(var.type, s.domain, x))
        path.variables[s.var] = x
        if s.where is not None:
            path.cond.append(self.compiler(path, incarnation, seg)(s.where))

    def _domain(self, type_, domain: tuple, x):
        """The candidates of a choose: the whole type (any 32-bit number for a seq), or
        the explicit list when ``in`` narrowed it."""
        if isinstance(type_, ir.SeqType):
            # lowering gives a range (up to 2^32 values): compared, never enumerated
            whole = range(self.model.bounds.seqspace)
            if domain == whole or (isinstance(domain, tuple) and len(domain) == len(whole)
                                   and domain == tuple(whole)):
                return self.arith.well_formed(x)
            return z3.Or([x == self.arith.const(v) for v in domain])
        if isinstance(type_, ir.BoolType):
            return z3.BoolVal(True) if set(domain) == {False, True} else \
                z3.Or([x == z3.BoolVal(v) for v in domain])
        if isinstance(domain, range) and domain.step == 1:
            return z3.And(x >= domain.start, x <= domain.stop - 1)
        values = list(domain)
        if values == list(range(values[0], values[-1] + 1)):
            return z3.And(x >= values[0], x <= values[-1])
        return z3.Or([x == v for v in values])


def _mask(element) -> int:
    if isinstance(element, ir.IntType):
        return sum(1 << v for v in range(element.lo, element.hi + 1))
    return 0b11
