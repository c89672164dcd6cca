"""Constant expressions: ``const`` values, ``param`` defaults and ``param`` constraints.

A constant expression mentions numbers, constants and params only.  It is folded to its
value at the params' defaults (what the explicit engine uses) and, when it mentions a
param, also kept as an ``ir`` expression over :class:`~tcpcheck.model.ir.ParamRef` (what
the symbolic engine reads).  A ``const`` defined from a param is such a *derived*
expression: every use of it stands for the expression, not for its value.

Places that fix the shape of the state space (bounds, types, initial values, most channel
settings) need a plain number; :meth:`ConstFolder.number` says so when given a param.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

from tcpcheck.diagnostics import DiagnosticSink
from tcpcheck.lang import ast
from tcpcheck.lang.hints import suggest
from tcpcheck.model import ir

ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "%": operator.mod}
ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
EQUALITY = {"==": operator.eq, "!=": operator.ne}
LOGIC = {"and": lambda a, b: a and b, "or": lambda a, b: a or b,
         "=>": lambda a, b: (not a) or b}


@dataclass(frozen=True)
class Folded:
    """A constant expression: ``value`` at the params' defaults, ``expr`` its ir form (a
    :class:`~tcpcheck.model.ir.Lit` unless it mentions a param) and ``params`` the names
    of the params it depends on, in order of first mention."""

    value: int | bool
    expr: object
    params: tuple[str, ...] = ()

    @property
    def symbolic(self) -> bool:
        return bool(self.params)


def plain(value: int | bool) -> Folded:
    """A number or truth value that mentions no param."""
    if isinstance(value, bool):
        return Folded(value, ir.Lit(value, ir.BOOL))
    return Folded(value, ir.Lit(value, ir.IntType(value, value)))


class ConstFolder:
    """Folds constant expressions against the constants and params declared so far.

    ``later`` holds the constant and param names not declared yet, so that a name declared
    further down gets its own message; ``variables`` the endpoints' variable names, so
    that a constraint reading one (or a built-in such as ``incarnation``) is told it may
    not, rather than "unknown name".
    """

    def __init__(self, sink: DiagnosticSink, later=(), variables=()):
        self.sink = sink
        self.table: dict[str, Folded] = {}
        self.later = set(later)
        self.failed: set[str] = set()  # declared, but their value was in error (reported)
        self.variables = frozenset(variables)

    def define(self, name: str, folded: Folded | None) -> None:
        """``name`` is declared (``folded`` None after an error): later expressions may use it."""
        self.later.discard(name)
        if folded is not None:
            self.table[name] = folded
        else:
            self.failed.add(name)

    # -- entry points --------------------------------------------------------------------
    def value(self, node) -> Folded | None:
        """A ``const`` definition or a param default: numbers, constants, params, + - * %."""
        return self._fold(node, condition=False)

    def condition(self, node) -> Folded | None:
        """A param's ``where``: also comparisons and and/or/not/=>; must be a condition."""
        folded = self._fold(node, condition=True)
        if folded is not None and not isinstance(folded.value, bool):
            self.sink.error("type", "a param's constraint is a condition, e.g. MSL >= 1",
                            node.span)
            return None
        return folded

    def number(self, node, what: str, why: str, need: str = "a concrete number"):
        """A plain number for ``what`` (e.g. "bounds.seqspace"), or None after an error; a
        param is refused because the symbolic engine would have no single value to use."""
        folded = self._fold(node, condition=False)
        if folded is None:
            return None
        if folded.symbolic:
            self.sink.error("param-not-allowed", f"{what} needs {need}, but this "
                            f"depends on param '{folded.params[0]}', which 'tcpcheck prove' "
                            f"leaves open; {why}, so use a const here", node.span)
            return None
        return folded.value

    def params_of(self, node) -> tuple[str, ...]:
        """The params ``node`` depends on, reporting nothing: for a setting that takes a
        word, where a param is worth its own message but a mere typo is not."""
        quiet = ConstFolder(DiagnosticSink())
        quiet.table = self.table
        folded = quiet.value(node)
        return folded.params if folded is not None else ()

    # -- folding -------------------------------------------------------------------------
    def _fold(self, node, condition: bool) -> Folded | None:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            return self._not_constant(node, condition)
        return method(node, condition)

    def _not_constant(self, node, condition: bool) -> None:
        if condition:
            self.sink.error("param-constraint", "a param's constraint may read only params, "
                            "constants and numbers", node.span)
        else:
            self.sink.error("not-constant", "expected a constant number here", node.span)
        return None

    def _IntLit(self, node: ast.IntLit, condition: bool) -> Folded | None:
        if not _in_range(node.value):  # the parser holds literals to this; --set may not
            self.sink.error("number", f"the number {node.value} lies beyond {ast.MAX_INT} "
                            "(2^63 - 1) in size, the limit on a model's numbers", node.span)
            return None
        return plain(node.value)

    def _BoolLit(self, node: ast.BoolLit, condition: bool) -> Folded:
        return plain(node.value)

    def _NameRef(self, node: ast.NameRef, condition: bool) -> Folded | None:
        if node.name in self.table:
            return self.table[node.name]
        if node.name in self.failed:  # its own error is reported; a second would mislead
            return None
        if node.name in self.later:
            self.sink.error("unknown-name", f"'{node.name}' is declared further down; a constant "
                            "expression may use only the constants and params above it", node.span)
        elif condition and node.name in self.variables:
            self.sink.error("param-constraint", f"a param's constraint may read only params, "
                            f"constants and numbers, not '{node.name}'", node.span)
        else:
            self.sink.error("unknown-name", f"unknown constant or param '{node.name}'", node.span,
                            suggest(self.sink, node.name, self.table))
        return None

    def _Unary(self, node: ast.Unary, condition: bool) -> Folded | None:
        if node.op == "not" and not condition:
            return self._not_constant(node, condition)
        inner = self._fold(node.operand, condition)
        if inner is None or not self._operands_ok(node, (inner,), condition):
            return None
        if node.op == "not":
            return _combine(not inner.value, (inner,), lambda x: ir.Unary("not", x, ir.BOOL))
        return _combine(-inner.value, (inner,), lambda x: ir.Unary("-", x, ir.INT))

    def _Binary(self, node: ast.Binary, condition: bool) -> Folded | None:
        op = node.op
        if op not in ARITHMETIC and not (condition and (op in ORDERING or op in EQUALITY
                                                        or op in LOGIC)):
            return self._not_constant(node, condition)
        left, right = self._fold(node.left, condition), self._fold(node.right, condition)
        if left is None or right is None or not self._operands_ok(node, (left, right), condition):
            return None
        if op == "%" and right.value == 0:
            self.sink.error("value", "division by zero", node.span)
            return None
        result_type = ir.INT if op in ARITHMETIC else ir.BOOL
        value = {**ARITHMETIC, **ORDERING, **EQUALITY, **LOGIC}[op](left.value, right.value)
        if not _in_range(value):  # checked at each step: a chain of products stays small
            self.sink.error("number", f"this constant expression's value lies beyond "
                            f"{ast.MAX_INT} (2^63 - 1) in size, the limit on a model's numbers",
                            node.span)
            return None
        return _combine(value, (left, right), lambda a, b: ir.Binary(op, a, b, result_type))

    def _operands_ok(self, node, parts, condition: bool) -> bool:
        """Type rules.  Plain constants keep the old leniency (``true`` counts as 1); an
        expression that mentions a param, or a constraint, is typed strictly, because it
        becomes an ir expression that engines evaluate."""
        if not condition and not any(p.symbolic for p in parts):
            return True
        kinds = [isinstance(p.value, bool) for p in parts]
        if node.op in LOGIC or node.op == "not":
            ok, want = all(kinds), "conditions"
        elif node.op in EQUALITY:
            ok, want = kinds[0] == kinds[1], "two numbers or two conditions"
        else:
            ok, want = not any(kinds), "numbers"
        if not ok:
            self.sink.error("type", f"'{node.op}' needs {want} here", node.span)
        return ok


def _in_range(value) -> bool:
    return isinstance(value, bool) or -ast.MAX_INT <= value <= ast.MAX_INT


def _combine(value, parts, build) -> Folded:
    """The folded result of an operator: a plain literal unless an operand mentions a
    param, in which case the ir expression is kept (operands that do not are literals)."""
    names = tuple(dict.fromkeys(n for p in parts for n in p.params))
    if not names:
        return plain(value)
    return Folded(value, build(*(p.expr for p in parts)), names)
