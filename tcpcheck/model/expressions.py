"""Typing and name resolution of expressions (syntax tree -> frozen expression).

One :class:`Scope` says what a name may mean where the expression stands: inside an
endpoint's transition (its own variables, the received ``seg``) or inside a property
(``client.x``, ``server.state``, the channel).  Errors go to the sink; a failed
sub-expression becomes :data:`ERROR` so that checking goes on and every error is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tcpcheck.diagnostics import DiagnosticSink
from tcpcheck.lang import ast
from tcpcheck.lang.hints import suggest
from tcpcheck.model import ir


@dataclass(frozen=True)
class _ErrorType:
    def __str__(self) -> str:
        return "error"


ERROR_TYPE = _ErrorType()
ERROR = ir.Lit(None, ERROR_TYPE)


@dataclass(frozen=True)
class UnresolvedState:
    """A bare state name; resolved against the endpoint it is compared with."""

    name: str
    span: object
    type: object = "state-name"


class EndpointNames:
    """An endpoint's states, variables and timers by name (a dict each): names are looked
    up once per use, and a search of the endpoint's lists would make a model with
    thousands of variables quadratic to lower."""

    def __init__(self, endpoint: ir.Endpoint):
        table = lambda names: {name: i for i, name in reversed(list(enumerate(names)))}
        self.states = table(endpoint.states)
        self.variables = table(v.name for v in endpoint.variables)
        self.timers = table(endpoint.timers)


@dataclass
class Scope:
    """What names mean in one place of the model."""

    endpoints: tuple  # the ir.Endpoint skeletons (names, states, variables) built so far
    constants: dict
    seqspace: int
    ghost_fields: tuple
    own: int | None = None  # inside a transition of this endpoint
    seg_available: bool = False  # a recv transition, or a step property
    binders: dict = field(default_factory=dict)  # quantifier name -> True
    endpoint_names: tuple = ()
    self_endpoint: int | None = None  # what 'self' means in an 'always at' property
    symbolic: dict = field(default_factory=dict)  # params and derived consts -> ir expression
    names: tuple = ()  # EndpointNames per endpoint (computed here when not given)
    failed: frozenset = frozenset()  # constants and params whose own definition is in error
    failed_fields: frozenset = frozenset()  # segment fields whose declaration is in error

    def __post_init__(self):
        if len(self.names) != len(self.endpoints):
            self.names = tuple(EndpointNames(e) for e in self.endpoints)

    def endpoint_by_name(self, name: str) -> int | None:
        for i, e in enumerate(self.endpoints):
            if e.name == name:
                return i
        return None


class ExprChecker:
    """Turns syntax-tree expressions into typed ``ir`` expressions within a scope."""

    def __init__(self, sink: DiagnosticSink, scope: Scope):
        self.sink = sink
        self.scope = scope

    # -- entry points --------------------------------------------------------------------
    def boolean(self, node) -> object:
        expr = self.expr(node)
        if not isinstance(expr.type, (ir.BoolType, _ErrorType)):
            self.sink.error("type", f"expected a condition (true or false), found a {expr.type} value",
                            node.span)
            return ERROR
        return expr

    def expr(self, node) -> object:
        return self._settle(self._expr(node))

    # -- dispatch ------------------------------------------------------------------------
    def _expr(self, node):
        method = getattr(self, "_" + type(node).__name__)
        return method(node)

    def _IntLit(self, node: ast.IntLit):
        return ir.Lit(node.value, ir.IntType(node.value, node.value))

    def _BoolLit(self, node: ast.BoolLit):
        return ir.Lit(node.value, ir.BOOL)

    def _NameRef(self, node: ast.NameRef):
        name, s = node.name, self.scope
        if name in s.failed:  # reported where it is defined
            return ERROR
        if name in s.symbolic:  # a param, or a const defined from one: keep it symbolic
            return s.symbolic[name]
        if name in s.constants:
            value = s.constants[name]
            if isinstance(value, bool):
                return ir.Lit(value, ir.BOOL)
            return ir.Lit(value, ir.IntType(value, value))
        if s.own is not None:
            own, names = s.endpoints[s.own], s.names[s.own]
            if name in names.variables:
                i = names.variables[name]
                var = own.variables[i]
                if var.type is ERROR_TYPE:  # its declaration's error is reported
                    return ERROR
                return ir.VarRef(s.own, i, name, var.type, var.ghost)
            if name == "incarnation":
                return ir.IncarnationRef(s.own, ir.IntType(0, None))
            if name in names.timers:
                return self._timer_in_transition(name, node.span)
            if name in names.states:
                self.sink.error("state-in-guard",
                                f"'{name}' is a control state; a transition's 'from' states say "
                                f"where it may fire, guards read variables", node.span)
                return ERROR
        if name == "seg" and s.seg_available:
            self.sink.error("type", "'seg' is a segment: read one of its fields, e.g. seg.seq",
                            node.span)
            return ERROR
        return UnresolvedState(name, node.span)

    def _timer_in_transition(self, name: str, span):
        # A protocol reacts to a timer's expiry ('on timeout T'); reading how much time is
        # left would let it see a clock no real TCP has.  Properties may, to state facts
        # about time (lemmas for k-induction need them).
        self.sink.error("timer-read", f"'{name}' is a timer; timers and segment ages can be "
                        "read only in properties and lemmas (a transition reacts to a timer "
                        f"with 'on timeout {name}')", span)
        return ERROR

    def _unknown_name(self, name: str, span):
        s = self.scope
        pool = list(s.constants) + list(s.symbolic)
        if s.own is not None:
            pool += [v.name for v in s.endpoints[s.own].variables]
        else:
            pool += [e.name for e in s.endpoints]
            pool += [st for e in s.endpoints for st in e.states]
        owners = [e.name for e in s.endpoints if name in e.timers] if s.own is None else []
        if any(name in e.states for e in s.endpoints):
            self.sink.error("unknown-name", f"state '{name}' must be compared with an endpoint's state, "
                            f"e.g. client.state == {name}", span)
        elif owners:  # a property names a timer without saying whose
            self.sink.error("unknown-name", f"'{name}' is a timer of '{owners[0]}'; a property "
                            "reads it through its endpoint", span,
                            f"did you mean '{owners[0]}.{name}'?")
        else:
            self.sink.error("unknown-name", f"unknown name '{name}'", span, suggest(self.sink, name, pool))
        return ERROR

    def _DottedRef(self, node: ast.DottedRef):
        base, attr, s = node.base.name, node.attr.name, self.scope
        if base == "seg" or base in s.binders:
            if base == "seg" and not s.seg_available:
                self.sink.error("no-segment", "'seg' exists only in a transition triggered by "
                                "'recv' and in an 'always at' property", node.base.span)
                return ERROR
            return self._seg_field(base, node.attr)
        index = s.endpoint_by_name(base)
        if base == "self" and index is None:
            if s.self_endpoint is None:
                self.sink.error("no-self", "'self' means the endpoint that acted; it exists only "
                                "in an 'always at' property", node.base.span)
                return ERROR
            index = s.self_endpoint
        if index is None:
            pool = [e.name for e in s.endpoints] + (["seg"] if s.seg_available else [])
            self.sink.error("unknown-name", f"unknown endpoint or segment '{base}'", node.base.span,
                            suggest(self.sink, base, pool))
            return ERROR
        if s.own is not None and index == s.own and attr in s.endpoints[index].timers:
            return self._timer_in_transition(attr, node.span)
        if s.own is not None:
            self.sink.error("foreign-read", f"an endpoint cannot read another endpoint's state: "
                            f"'{base}.{attr}' (a protocol only knows what segments tell it)",
                            node.span)
            return ERROR
        return self._endpoint_attr(index, node.attr)

    def _endpoint_attr(self, index: int, attr: ast.Ident):
        endpoint = self.scope.endpoints[index]
        if attr.name == "state":
            return ir.ControlState(index, ir.StateType(index))
        if attr.name == "incarnation":
            return ir.IncarnationRef(index, ir.IntType(0, None))
        names = self.scope.names[index]
        if attr.name in names.variables:
            i = names.variables[attr.name]
            var = endpoint.variables[i]
            if var.type is ERROR_TYPE:  # its declaration's error is reported
                return ERROR
            return ir.VarRef(index, i, var.name, var.type, var.ghost)
        if attr.name in names.timers:  # lowering keeps timer and variable names apart
            return ir.TimerRef(index, names.timers[attr.name], attr.name)
        pool = ["state", "incarnation", *(v.name for v in endpoint.variables), *endpoint.timers]
        self.sink.error("unknown-name", f"endpoint '{endpoint.name}' has no variable or timer "
                        f"'{attr.name}'", attr.span, suggest(self.sink, attr.name, pool))
        return ERROR

    def _seg_field(self, binder: str, attr: ast.Ident):
        name, seq = attr.name, ir.SeqType(self.scope.seqspace)
        if name in ("seq", "ack"):
            return ir.SegField(binder, name, seq)
        if name in ir.FLAG_NAMES:
            return ir.SegField(binder, name, ir.BOOL)
        if name == "dst" and binder != "seg":
            return ir.SegField(binder, "dst", ir.IntType(0, 1))
        if name == "age":
            if self.scope.own is not None:  # only 'seg' reaches here inside a transition
                self.sink.error("timer-read", "a segment's age can be read only in properties "
                                "and lemmas; a protocol cannot see how long a segment was in "
                                "flight", attr.span)
                return ERROR
            return ir.SegField(binder, "age", ir.AGE_TYPE)
        for i, f in enumerate(self.scope.ghost_fields):
            if f.name == name:
                return ir.SegField(binder, name, f.type, ghost_index=i, ghost=f.ghost)
        if name == "seglen":
            return self._seg_len(binder)
        pool = ["seq", "ack", "seglen", *ir.FLAG_NAMES] + [f.name for f in self.scope.ghost_fields]
        if self.scope.own is None:
            pool += ["age"] + (["dst"] if binder != "seg" else [])
        if name in self.scope.failed_fields:
            return ERROR  # its declaration's error says it all
        if name in ir.DATA_FIELDS:
            self.sink.error("unknown-field", f"a segment has no field '{name}': the model "
                            f"declares no {name} field", attr.span,
                            f"declare it in the segment block: segment {{ {name} : 0..N }}")
            return ERROR
        self.sink.error("unknown-field", f"a segment has no field '{name}'", attr.span,
                        suggest(self.sink, name, pool))
        return ERROR

    def _seg_len(self, binder: str):
        """``seg.seglen``: RFC 9293's SEG.LEN, the payload (``len``, 0 when the model
        declares none) plus one sequence number each for SYN and FIN."""
        names = [f.name for f in self.scope.ghost_fields]
        index = names.index("len") if "len" in names else None
        top = (self.scope.ghost_fields[index].type.hi if index is not None else 0) + 2
        return ir.SegField(binder, "seglen", ir.IntType(0, top), ghost_index=index)

    def _SetLit(self, node: ast.SetLit):
        items = [self._expr(i) for i in node.items]
        if any(isinstance(i, UnresolvedState) for i in items):
            return ("state-set", items, node.span)
        items = [self.expr(i) if isinstance(i, UnresolvedState) else i for i in items]
        if any(i is ERROR for i in items):
            return ERROR
        element = _join([i.type for i in items]) if items else ir.INT
        if not self._small(element, node):
            return ERROR
        return ir.SetLiteral(tuple(items), ir.SetType(element))

    def _small(self, element, node) -> bool:
        """A set holds small values only (a set is a bit mask: an element of 2^62 would be a
        mask of 2^62 bits): ints within 0..62, seq with seqspace <= 63 (as for a set
        variable, section 8.2).  An element computed by arithmetic has no static range; its
        value is checked when it is stored."""
        if isinstance(element, ir.SeqType) and element.modulus > 63:
            self.sink.error("value", f"a set of seq needs seqspace <= 63 (it is "
                            f"{element.modulus}); compare with == instead", node.span)
            return False
        if isinstance(element, ir.IntType) and None not in (element.lo, element.hi) and \
                (element.lo < 0 or element.hi > 62):
            self.sink.error("value", f"a set's elements must lie within 0..62, and these lie "
                            f"within {element.lo}..{element.hi}", node.span)
            return False
        return True

    def _Unary(self, node: ast.Unary):
        operand = self.expr(node.operand)
        if operand is ERROR:
            return ERROR
        if node.op == "not":
            return ir.Unary("not", self._want_bool(operand, node.operand), ir.BOOL)
        if not isinstance(operand.type, ir.IntType):
            self.sink.error("type", f"'-' needs a number, found {operand.type}", node.span)
            return ERROR
        return ir.Unary("-", operand, ir.INT)

    def _Quantified(self, node: ast.Quantified):
        if node.var.name == "seg" or self.scope.endpoint_by_name(node.var.name) is not None:
            self.sink.error("duplicate", f"the quantified name '{node.var.name}' is already the "
                            "received segment or an endpoint; choose another", node.var.span)
            return ERROR
        direction = None
        if node.direction is not None:
            direction = self.scope.endpoint_by_name(node.direction.name)
            if direction is None:
                self.sink.error("unknown-name", f"unknown endpoint '{node.direction.name}'",
                                node.direction.span,
                                suggest(self.sink, node.direction.name, [e.name for e in self.scope.endpoints]))
                return ERROR
        if self.scope.own is not None:
            self.sink.error("foreign-read", "a transition cannot look into the channel; only "
                            "properties can", node.span)
            return ERROR
        outer = dict(self.scope.binders)
        self.scope.binders[node.var.name] = True
        try:
            body = self.boolean(node.body)
        finally:
            self.scope.binders.clear()
            self.scope.binders.update(outer)
        if body is ERROR:
            return ERROR
        return ir.Quantifier(node.kind, node.var.name, direction, body)

    def _Binary(self, node: ast.Binary):
        op = node.op
        if op in ("and", "or", "=>"):
            left, right = self.boolean(node.left), self.boolean(node.right)
            if ERROR in (left, right):
                return ERROR
            return ir.Binary(op, left, right, ir.BOOL)
        left, right = self._expr(node.left), self._expr(node.right)
        if op in ("in", "notin"):
            return self._membership(op, left, right, node)
        if op in ("==", "!=") and (_is_state(left) or _is_state(right)):
            return self._state_compare(op, left, right, node)
        left, right = self._settle(left), self._settle(right)
        if ERROR in (left, right):
            return ERROR
        if op in ("==", "!=", "<", "<=", ">", ">="):
            return self._compare(op, left, right, node)
        return self._arith(op, left, right, node)

    def _settle(self, value):
        if isinstance(value, UnresolvedState):
            return self._unknown_name(value.name, value.span)
        if isinstance(value, tuple):
            first = next(i for i in value[1] if isinstance(i, UnresolvedState))
            return self._unknown_name(first.name, first.span)
        return value

    def _want_bool(self, expr, node):
        if not isinstance(expr.type, ir.BoolType):
            self.sink.error("type", f"expected a condition, found a {expr.type} value", node.span)
            return ERROR
        return expr

    def _state_compare(self, op, left, right, node):
        control, name = (left, right) if isinstance(left, ir.ControlState) else (right, left)
        if not isinstance(control, ir.ControlState) or not isinstance(name, UnresolvedState):
            if ERROR in (left, right) or ERROR in (self._settle(left), self._settle(right)):
                return ERROR  # reported already, or a misspelled name: reported as unknown
            self.sink.error("type", "a control state can only be compared with a state name",
                            node.span)
            return ERROR
        lit = self._state_lit(control.endpoint, name)
        if lit is ERROR:
            return ERROR
        return ir.Binary(op, control, lit, ir.BOOL)

    def _state_lit(self, endpoint: int, name: UnresolvedState):
        states = self.scope.endpoints[endpoint].states
        if name.name not in states:
            self.sink.error("unknown-state", f"endpoint '{self.scope.endpoints[endpoint].name}' has "
                            f"no state '{name.name}'", name.span, suggest(self.sink, name.name, states))
            return ERROR
        return ir.StateLit(endpoint, states.index(name.name), name.name, ir.StateType(endpoint))

    def _membership(self, op, left, right, node):
        if isinstance(left, ir.ControlState):
            names = right[1] if isinstance(right, tuple) else None
            if names is None or not all(isinstance(n, UnresolvedState) for n in names):
                self.sink.error("type", "a control state can only be tested against a set of "
                                "state names, e.g. client.state in {SYN_SENT, ESTABLISHED}", node.span)
                return ERROR
            lits = [self._state_lit(left.endpoint, n) for n in names]
            if ERROR in lits:
                return ERROR
            return ir.Binary(op, left, ir.SetLiteral(tuple(lits), ir.SetType(left.type)), ir.BOOL)
        left, right = self._settle(left), self._settle(right)
        if ERROR in (left, right):
            return ERROR
        if not isinstance(right.type, ir.SetType):
            self.sink.error("type", f"'in' needs a set on its right, found {right.type}", node.span)
            return ERROR
        if not same_kind(right.type.element, left.type):
            self.sink.error("type", f"a {left.type} value cannot be in a {right.type}", node.span)
            return ERROR
        return ir.Binary(op, left, right, ir.BOOL)

    def _compare(self, op, left, right, node):
        lt, rt = left.type, right.type
        numeric = (ir.IntType, ir.SeqType)
        if op in ("==", "!=") and type(lt) is type(rt) and not isinstance(lt, ir.IntType):
            if isinstance(lt, ir.SetType) and not same_kind(lt.element, rt.element):
                self.sink.error("type", f"cannot compare {lt} with {rt}", node.span)
                return ERROR
            return ir.Binary(op, left, right, ir.BOOL)
        if isinstance(lt, numeric) and isinstance(rt, numeric):
            ordering = "seq" if ir.SeqType in (type(lt), type(rt)) else "int"
            return ir.Binary(op if ordering == "int" or op in ("==", "!=") else "seq" + op,
                             left, right, ir.BOOL)
        self.sink.error("type", f"cannot compare {lt} with {rt}", node.span)
        return ERROR

    def _arith(self, op, left, right, node):
        lt, rt = left.type, right.type
        if isinstance(lt, ir.SetType) and op == "+" and isinstance(rt, ir.SetType):
            return ir.Binary("union", left, right, lt)
        if isinstance(lt, ir.SetType) and op == "-" and isinstance(rt, ir.SetType):
            return ir.Binary("difference", left, right, lt)
        numeric = (ir.IntType, ir.SeqType)
        if not (isinstance(lt, numeric) and isinstance(rt, numeric)):
            self.sink.error("type", f"'{op}' needs numbers, found {lt} and {rt}", node.span)
            return ERROR
        if isinstance(lt, ir.SeqType) or isinstance(rt, ir.SeqType):
            if op not in ("+", "-"):
                self.sink.error("type", f"sequence numbers only add and subtract, not '{op}'",
                                node.span)
                return ERROR
            return ir.Binary("seq" + op, left, right, ir.SeqType(self.scope.seqspace))
        return ir.Binary(op, left, right, ir.INT)


def _is_state(value) -> bool:
    return isinstance(value, (ir.ControlState, UnresolvedState))


def _join(types):
    if any(isinstance(t, ir.SeqType) for t in types):
        return next(t for t in types if isinstance(t, ir.SeqType))
    if all(isinstance(t, ir.IntType) for t in types):
        los = [t.lo for t in types]
        his = [t.hi for t in types]
        if None in los or None in his:
            return ir.INT
        return ir.IntType(min(los), max(his))
    return types[0]


def reads_ghost(expr) -> bool:
    """True when evaluating ``expr`` reads a ghost value (a ghost variable, field or
    an incarnation number): the protocol must not depend on what only the observer sees.
    A param (:class:`ir.ParamRef`) is never a ghost: both sides may know the settings."""
    if isinstance(expr, (ir.VarRef, ir.SegField, ir.IncarnationRef)):
        return expr.ghost
    if isinstance(expr, (ir.ParamRef, ir.Lit)):
        return False
    children = []
    if isinstance(expr, ir.Unary):
        children = [expr.operand]
    elif isinstance(expr, ir.Binary):
        children = [expr.left, expr.right]
    elif isinstance(expr, ir.SetLiteral):
        children = list(expr.items)
    elif isinstance(expr, ir.Quantifier):
        children = [expr.body]
    return any(reads_ghost(c) for c in children)


def assignable(target_type, value_type) -> bool:
    """Whether a value of ``value_type`` may be stored in a ``target_type`` slot
    (ranges are checked at run time, when the value is known)."""
    if isinstance(value_type, _ErrorType):
        return True
    if isinstance(target_type, ir.SeqType):
        return isinstance(value_type, (ir.SeqType, ir.IntType))
    if isinstance(target_type, ir.IntType):
        return isinstance(value_type, ir.IntType)
    if isinstance(target_type, ir.SetType):
        return isinstance(value_type, ir.SetType) and \
            same_kind(target_type.element, value_type.element)
    return type(target_type) is type(value_type)


def same_kind(a, b) -> bool:
    """Numbers (ranges, seq) go with numbers, bools with bools, states with states."""
    numbers = (ir.IntType, ir.SeqType)
    if isinstance(a, numbers) or isinstance(b, numbers):
        return isinstance(a, numbers) and isinstance(b, numbers)
    return type(a) is type(b)
