"""Expressions of the property language, evaluated on every step of a saved trace.

``tcpcheck trace FILE --eval EXPR`` shows how a quantity evolves along a run
(``client.snd_nxt - client.iss``, ``server.state == ESTABLISHED``, ``exists s in channel:
s.SYN``, ``client.rexmt``: -1 while stopped, ``exists s in channel: s.age > 0``).  The
expression is parsed by the language's own grammar and typed by the model's own lowering,
so names, types, did-you-mean hints and carets are the model's; it is then evaluated here,
directly on the :mod:`tcpcheck.trace` records, with the meaning the explicit engine gives it
(sequence arithmetic and comparison modulo the sequence space, RFC 9293 3.4).  The records
are read as they are, not converted back to engine states, so a 32-bit trace from
``tcpcheck prove`` evaluates as well as an explicit one.

Beyond a property, an expression here may read ``seg`` (the segment received in the step)
and ``self`` (the endpoint that acted); in a step where they mean nothing the value is
:class:`NoValue`.  Params have the values of the model as loaded: the command loads it at
the values a symbolic run recorded (``Trace.params``), else at the defaults or ``--set``.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from tcpcheck.diagnostics import DiagnosticSink, ModelError, UsageError
from tcpcheck.lang.parser import parse_expression
from tcpcheck.model import ir
from tcpcheck.model.expressions import ExprChecker, Scope
from tcpcheck.model.ir import seq_lt
from tcpcheck.trace.records import SegmentView, Step, Trace
from tcpcheck.trace.files import file_kind

EVAL_FILE = "--eval"  # what diagnostics name as the file of an expression


@dataclass(frozen=True)
class TraceExpression:
    """An expression typed in a model: one lowering per endpoint ``self`` may stand for."""

    text: str
    per_self: tuple  # (ir expression with self = endpoint 0, with self = endpoint 1)

    @property
    def reads_self(self) -> bool:
        return self.per_self[0] != self.per_self[1]


@dataclass(frozen=True)
class NoValue:
    """No value at this step: ``reason`` says why (no segment received, x % 0, ...)."""

    reason: str
    error: bool = False  # an evaluation error, rather than a name meaning nothing here


def lower_expression(text: str, model: ir.Model, file: str = EVAL_FILE) -> TraceExpression:
    """Parse and type ``text`` in ``model``'s property scope; ModelError on any mistake
    (with the expression as its source, for the caret line)."""
    node = parse_expression(text, file)
    sink = DiagnosticSink()
    per_self = []
    for endpoint in (0, 1):
        scope = Scope(endpoints=model.endpoints, constants=_constants(model),
                      seqspace=model.bounds.seqspace, ghost_fields=model.ghost_fields,
                      seg_available=True, self_endpoint=endpoint)
        per_self.append(ExprChecker(sink, scope).expr(node))
        if sink.has_errors:
            raise ModelError([d for d in sink.items if d.severity == "error"], text)
    return TraceExpression(text, tuple(per_self))


def _constants(model: ir.Model) -> dict:
    """Every name a property may use for a number: constants, and params at the value the
    model was loaded with (the explicit engine's)."""
    return {**dict(model.constants), **{p.name: p.default for p in model.params}}


def evaluate(expression: TraceExpression, step: Step, trace: Trace, modulus: int):
    """The value of ``expression`` after ``step``: a bool, an int, a state name, a
    frozenset, or :class:`NoValue`."""
    actor = trace.endpoint_names.index(step.actor) if step.actor in trace.endpoint_names \
        else None
    if expression.reads_self and actor is None:
        return NoValue("no endpoint acted in this step, so 'self' has no value")
    expr = expression.per_self[actor or 0]
    try:
        return _Evaluator(step, trace.endpoint_names, modulus).value(expr)
    except _Undefined as why:
        return NoValue(str(why))
    except (ArithmeticError, ValueError) as err:
        return NoValue(str(err), error=True)


def mismatch(model: ir.Model, trace: Trace, modulus: int | None = None, *,
             model_file: str | None = None) -> str | None:
    """Why ``trace`` cannot be a run of ``model`` (names, variables, timers, states, ghost
    fields or the sorts of their values differ, or a sequence number is outside
    ``modulus``), or None: so that an old trace read against a changed model, or a run
    found at other settings, is refused up front instead of misread (or failing half-way).
    ``trace`` keeps the rules of tcpcheck.trace.trace_problem (the loader saw to that)."""
    file = model_file or model.file
    if trace.model != model.name:
        return f"the trace is a run of model '{trace.model}', but {file} is model " \
               f"'{model.name}'"
    names = tuple(e.name for e in model.endpoints)
    if tuple(trace.endpoint_names) != names:
        return f"the trace's endpoints are {', '.join(trace.endpoint_names)}, the model's " \
               f"are {', '.join(names)}"
    changed = "; the model changed since the trace was written"
    ghosts = tuple(f.name for f in model.ghost_fields)
    for step in trace.steps:
        for spec, view in zip(model.endpoints, step.state.endpoints):
            problem = _endpoint_mismatch(spec, view, modulus)
            if problem:
                text, outside = problem
                return f"step {step.index}: {text}" + (_settings_hint(file) if outside
                                                       else changed)
        for seg in _segments(step):
            if tuple(k for k, _ in seg.ghosts) != ghosts:
                # "ghost fields" unless a protocol field (len, wnd, ts: MANUAL 7) is involved
                kind = "fields" if any(f.name in ir.DATA_FIELDS for f in model.ghost_fields) \
                    or any(k in ir.DATA_FIELDS for k, _ in seg.ghosts) else "ghost fields"
                return f"step {step.index}: a segment has the {kind} " \
                       f"{', '.join(k for k, _ in seg.ghosts) or 'none'}, the model's are " \
                       f"{', '.join(ghosts) or 'none'}" + changed
            for f, (k, v) in zip(model.ghost_fields, seg.ghosts):
                problem = _value_mismatch(f.type, v, modulus)
                if problem:
                    text, outside = problem
                    kind = "field" if k in ir.DATA_FIELDS else "ghost field"
                    return f"step {step.index}: the {kind} {k} of a segment is " \
                           f"{text}" + (_settings_hint(file) if outside else changed)
            for key in ("seq", "ack"):
                value = getattr(seg, key)
                if modulus is not None and not 0 <= value < modulus:
                    return f"step {step.index}: a segment's {key} is {value}, outside the " \
                           f"sequence space 0 .. {modulus - 1}" + _settings_hint(file)
    return None


def _endpoint_mismatch(spec: ir.Endpoint, view, modulus: int | None) -> tuple | None:
    """(what differs, whether it is only a number outside the sequence space), or None."""
    problem = _shape_mismatch(spec, view)
    if problem:
        return problem, False
    for v in spec.variables:
        problem = _value_mismatch(v.type, dict(view.variables)[v.name], modulus)
        if problem:
            text, outside = problem
            return f"{spec.name}.{v.name} is {text}", outside
    return None


def _shape_mismatch(spec: ir.Endpoint, view) -> str | None:
    variables, timers = dict(view.variables), dict(view.timers)
    missing = [v.name for v in spec.variables if v.name not in variables]
    if missing:
        return f"endpoint {spec.name} has no variable '{missing[0]}'"
    extra = [k for k in variables if k not in {v.name for v in spec.variables}]
    if extra:
        return f"endpoint {spec.name} has no variable '{extra[0]}' in the model"
    lost = [t for t in spec.timers if t not in timers]
    if lost:
        return f"endpoint {spec.name} has no timer '{lost[0]}'"
    extra = [k for k in timers if k not in spec.timers]
    if extra:
        return f"endpoint {spec.name} has no timer '{extra[0]}' in the model"
    if view.state not in spec.states:
        return f"endpoint {spec.name} has no state '{view.state}' in the model"
    return None


def _value_mismatch(type_, value, modulus: int | None) -> tuple | None:
    """(what is wrong with ``value`` as a value of ``type_``, whether it is only a number
    outside the sequence space), or None."""
    wanted = "bool" if isinstance(type_, ir.BoolType) else \
        "set" if isinstance(type_, ir.SetType) else "int"
    found = "bool" if isinstance(value, bool) else "set" if isinstance(value, tuple) else "int"
    if found != wanted:
        words = {"bool": "true/false", "set": "a set", "int": "a number"}
        return f"{words[found]}, but the model declares it {type_}", False
    if isinstance(type_, ir.SeqType) and modulus is not None and not 0 <= value < modulus:
        return f"{value}, outside the sequence space 0 .. {modulus - 1}", True
    return None


def _settings_hint(file: str) -> str:
    return f" of {file} as loaded: the run was found at other settings; give the ones it " \
           "was checked with (--set NAME=VALUE, e.g. --set bounds.seqspace=16)"


def _segments(step: Step):
    """Every segment a step shows."""
    yield from step.state.in_flight
    yield from (s for s in (step.received, step.segment) if s is not None)
    yield from step.sent
    yield from step.expired


class _Undefined(Exception):
    """A name that means nothing in this step (``seg`` where nothing was received)."""


class _Evaluator:
    """One step's values for the ir expression classes a property may contain."""

    def __init__(self, step: Step, names: tuple, modulus: int):
        self.step = step
        self.snap = step.state
        self.names = tuple(names)
        self.m = modulus
        self.bound: dict = {}  # quantified name -> segment

    def value(self, e):
        return getattr(self, "_" + type(e).__name__)(e)

    def _Lit(self, e: ir.Lit):
        return e.value

    def _ParamRef(self, e: ir.ParamRef):
        return e.default

    def _VarRef(self, e: ir.VarRef):
        v = self.snap.endpoints[e.endpoint].value(e.name)
        return frozenset(v) if isinstance(v, tuple) else v

    def _TimerRef(self, e: ir.TimerRef) -> int:
        # a snapshot shows a stopped timer as None; the property language reads it as -1,
        # as both engines store it
        left = dict(self.snap.endpoints[e.endpoint].timers)[e.name]
        return -1 if left is None else left

    def _ControlState(self, e: ir.ControlState) -> str:
        return self.snap.endpoints[e.endpoint].state

    def _IncarnationRef(self, e: ir.IncarnationRef) -> int:
        return self.snap.endpoints[e.endpoint].incarnation

    def _StateLit(self, e: ir.StateLit) -> str:
        return e.name

    def _SetLiteral(self, e: ir.SetLiteral) -> frozenset:
        return frozenset(self.value(i) for i in e.items)

    def _SegField(self, e: ir.SegField):
        seg = self._segment(e.binder)
        if e.field in ("seq", "ack"):
            return getattr(seg, e.field)
        if e.field in ir.FLAG_NAMES:
            return e.field in seg.flags.split("+")
        if e.field == "dst":
            return self.names.index(seg.dst)
        if e.field == "age":
            return seg.age
        if e.field == "seglen":
            length = dict(seg.ghosts).get("len", 0)
            return ir.seg_len(ir.flags_of(f for f in seg.flags.split("+") if f in ir.FLAG_NAMES), length)
        return dict(seg.ghosts)[e.field]

    def _segment(self, binder: str) -> SegmentView:
        if binder != "seg":
            return self.bound[binder]
        if self.step.received is None:
            raise _Undefined("no segment was received in this step")
        return self.step.received

    def _Unary(self, e: ir.Unary):
        inner = self.value(e.operand)
        return (not inner) if e.op == "not" else -inner

    def _Quantifier(self, e: ir.Quantifier) -> bool:
        segments = [s for s in self.snap.in_flight
                    if e.direction is None or s.dst == self.names[e.direction]]
        outer = self.bound.get(e.var)
        results = []
        try:
            for s in segments:
                self.bound[e.var] = s
                results.append(bool(self.value(e.body)))
                if results[-1] == (e.kind == "exists"):
                    break  # decided, as any() and all() stop
        finally:
            self.bound.pop(e.var, None)
            if outer is not None:
                self.bound[e.var] = outer
        return any(results) if e.kind == "exists" else all(results)

    def _Binary(self, e: ir.Binary):
        op = e.op
        if op in ("and", "or", "=>"):
            left = bool(self.value(e.left))
            if op == "and":
                return left and bool(self.value(e.right))
            if op == "or":
                return left or bool(self.value(e.right))
            return (not left) or bool(self.value(e.right))
        a, b, m = self.value(e.left), self.value(e.right), self.m
        if op == "in":
            return a in b
        if op == "notin":
            return a not in b
        if op in ("seq+", "seq-"):
            return (a + b if op == "seq+" else a - b) % m
        if op == "seq<":
            return seq_lt(a, b, m)
        if op == "seq>":
            return seq_lt(b, a, m)
        if op in ("seq<=", "seq>="):
            return a % m == b % m or (seq_lt(a, b, m) if op == "seq<=" else seq_lt(b, a, m))
        if op in ("==", "!=") and ir.SeqType in (type(e.left.type), type(e.right.type)):
            return (a % m == b % m) == (op == "==")
        return _PLAIN[op](a, b)


_PLAIN = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b,
          "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
          ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
          "+": lambda a, b: a + b, "-": lambda a, b: a - b,
          "*": lambda a, b: a * b, "%": lambda a, b: a % b,
          "union": lambda a, b: a | b, "difference": lambda a, b: a - b}


def model_for(model_path: str | None, recorded: str | None, trace_path: str) -> str:
    """The model file to evaluate in: ``--model``, else the one the trace file records
    (as written, else next to the trace file)."""
    if model_path is not None:
        return _regular(model_path)
    if recorded is None:
        raise UsageError(f"{trace_path} does not say which model file the run came from; "
                         "give it with --model FILE")
    if _exists(recorded) or Path(recorded).is_absolute():
        return _regular(recorded, trace_path)
    beside = Path(trace_path).parent / recorded
    return _regular(str(beside) if _exists(beside) else recorded, trace_path)


def _exists(path) -> bool:
    """Whether ``path`` names something; False also for a name the system refuses (too
    long, a NUL byte): reading it then fails with the loader's own message."""
    try:
        return Path(path).exists()
    except (OSError, ValueError):
        return False


def _regular(path: str, recorded_in: str | None = None) -> str:
    """``path``, when it is a regular file or missing (the loader says so); a FIFO, a
    device or a directory is refused here, before reading it could block or never end."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return path
    if stat.S_ISREG(mode):
        return path
    said = f" (the model file {recorded_in} records)" if recorded_in else ""
    raise UsageError(f"{path}{said} is {file_kind(mode)}, not a model file; tcpcheck reads "
                     "regular files only")
