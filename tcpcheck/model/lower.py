"""Syntax tree -> frozen model: resolve every name, check every rule, report all errors.

This is the one validation step.  Engines trust what it returns and never validate again.
Every error found is collected (not just the first) and raised together as a
:class:`~tcpcheck.diagnostics.ModelError`; warnings travel on the model.
"""

from __future__ import annotations

from tcpcheck.diagnostics import DiagnosticSink, ModelError
from tcpcheck.lang import ast
from tcpcheck.lang.hints import suggest
from tcpcheck.model import ir
from tcpcheck.model.constants import ConstFolder, Folded
from tcpcheck.model.expressions import (ERROR, ERROR_TYPE, EndpointNames, ExprChecker, Scope,
                                        assignable, reads_ghost)

BOUND_SETTINGS = {"seqspace": (2, 1 << 32), "incarnations": (1, 16)}
CHANNEL_SETTINGS = ("capacity", "loss", "duplication", "reordering", "msl", "shared")
MSL_RANGE = (1, 1000)
FAIRNESS_WORDS = ("tick", "timers")  # the fairness targets written as one word, besides channel
BUILTIN_NAMES = ("incarnation", "state")  # what a variable or a param may not be called

# Why a place needs a concrete number, not a param (the symbolic engine gives a param no
# single value, and these fix the shape of the state space before any run starts).
FIXED_SHAPE = "the size of the state space is fixed before checking"
FIXED_TYPE = "a type's values are fixed before checking"
MAX_DATA_FIELD = 65535  # the largest len or wnd a model may declare (RFC 9293's 16-bit window)
FIXED_INIT = "the initial state is one fixed state"


def lower(node: ast.ModelNode, source: str | None = None) -> ir.Model:
    """Validate a parsed model and build its frozen form, or raise ModelError."""
    lowering = _Lowering(node)
    model = lowering.run()
    if lowering.sink.has_errors:
        files = {f: i for i, f in enumerate((node.file, *node.bases))}  # a variant's first
        raise ModelError(sorted(lowering.sink.items, key=lambda d: _position(d, files)), source)
    return model


def _position(d, files=None):
    rank = (files or {}).get(d.span.file, len(files or ()))
    return (d.severity != "error", rank, d.span.line, d.span.column)


class _Lowering:
    def __init__(self, node: ast.ModelNode):
        self.node = node
        self.sink = DiagnosticSink()
        self.constants: dict[str, int] = {}  # value of each const (derived: at the defaults)
        self.symbolic: dict[str, object] = {}  # params and derived consts -> ir expression
        self.params: list[ir.Param] = []
        self.declared: set[str] = set()  # every const and param name seen so far
        self.overridden = {p.name.name for p in node.params if p.overridden}
        names = [d.name.name for d in (*node.consts, *node.params)]
        variables = [v.name.name for e in node.endpoints for v in e.variables]
        variables += [*BUILTIN_NAMES, "seg", "self"]
        self.folder = ConstFolder(self.sink, later=names, variables=variables)

    # -- driver ------------------------------------------------------------------------
    def run(self) -> ir.Model:
        self._unmerged_edits()
        self._declarations()
        bounds = self._bounds()
        channel = self._channel()
        self.seqspace = bounds.seqspace
        fields = self._ghost_fields()
        skeletons = self._endpoint_skeletons()
        self.scope_base = dict(endpoints=tuple(skeletons), constants=self.constants,
                               seqspace=bounds.seqspace, ghost_fields=fields,
                               symbolic=self.symbolic, failed=frozenset(self.folder.failed),
                               failed_fields=frozenset(self.failed_fields),
                               names=tuple(EndpointNames(e) for e in skeletons))
        endpoints = tuple(self._endpoint(i, e, skeletons[i])
                          for i, e in enumerate(self.node.endpoints[: len(skeletons)]))
        properties = self._properties(endpoints)
        lemmas = self._lemmas()
        fairness = self._fairness(endpoints)
        assumptions = self._assumptions(endpoints)
        self._warn_unreachable(endpoints)
        return ir.Model(
            name=self.node.name.name, endpoints=endpoints, properties=properties, channel=channel,
            bounds=bounds, ghost_fields=fields, constants=tuple(self.constants.items()),
            doc=self.node.doc, file=self.node.file, warnings=self.sink.warnings,
            params=tuple(self.params), lemmas=lemmas, fairness=fairness,
            extends=self.node.bases, assumptions=assumptions)

    def _scope(self, **kw) -> Scope:
        return Scope(**self.scope_base, **kw)

    def _unmerged_edits(self) -> None:
        """``replace`` and ``remove`` change a base model: they mean nothing in a model that
        extends none (the loader merges a variant into its base before lowering)."""
        if self.node.extends is not None:
            self.sink.error("extends", "this model extends another; load it with "
                            "tcpcheck.loader, which reads and merges its base",
                            self.node.extends.span)
            return
        for edit in (*self.node.edits, *(e for n in self.node.endpoints for e in n.edits)):
            word = "replace" if isinstance(edit, ast.ReplaceNode) else "remove"
            self.sink.error("extends", f"'{word}' changes a base model, and this model extends "
                            "none", edit.span,
                            f"write 'model {self.node.name.name} extends \"BASE.tcp\"'")

    # -- constants, params and settings -------------------------------------------------
    def _declarations(self) -> None:
        """Constants and params in file order: each may use the ones above it."""
        position = lambda d: (d.span.line, d.span.column)
        order = self.node.declaration_order  # a merged variant's: replaced ones keep their place
        decls = sorted((*self.node.consts, *self.node.params), key=position) if order is None \
            else [(self.node.consts if kind == "const" else self.node.params)[i] for kind, i in order]
        for decl in decls:
            if isinstance(decl, ast.ParamDecl):
                self._param(decl)
            else:
                self._const(decl)

    def _fresh_name(self, ident: ast.Ident, what: str) -> bool:
        """Report a const or param whose name is taken; True when the name is free."""
        if ident.name in self.declared:
            self.sink.error("duplicate", f"{what} '{ident.name}' is declared twice (constants "
                            "and params share one set of names)", ident.span)
            return False
        self.declared.add(ident.name)
        return True

    def _const(self, const: ast.ConstDecl) -> None:
        if not self._fresh_name(const.name, "constant"):
            return
        folded = self.folder.value(const.value)
        self.folder.define(const.name.name, folded)
        if folded is None:
            return
        self.constants[const.name.name] = folded.value
        if folded.symbolic:  # a derived constant: every use stands for the expression
            self.symbolic[const.name.name] = folded.expr

    def _param(self, decl: ast.ParamDecl) -> None:
        name = decl.name.name
        if name in BUILTIN_NAMES:
            self.sink.error("duplicate", f"param '{name}' would hide the built-in name it "
                            "shares", decl.name.span)
            return
        if not self._fresh_name(decl.name, "param"):
            return
        default = self.folder.value(decl.default)
        if default is not None and isinstance(default.value, bool):
            self.sink.error("type", f"param '{name}' is an integer, not a condition",
                            decl.default.span)
            default = None
        if default is None:
            self.folder.define(name, None)
            return
        ref = ir.ParamRef(len(self.params), name, default.value)
        self.folder.define(name, Folded(default.value, ref, (name,)))
        self.symbolic[name] = ref
        constraint = self._constraint(decl) if decl.constraint is not None else None
        self.params.append(ir.Param(name, default.value, constraint, decl.doc, decl.span))

    def _constraint(self, decl: ast.ParamDecl):
        """The ``where`` of a param, as an ir condition; it must hold at the defaults, or
        the explicit engine would check a model the constraints exclude."""
        folded = self.folder.condition(decl.constraint)
        if folded is None:
            return None
        if folded.value is False:
            names = folded.params or (decl.name.name,)
            values = ", ".join(f"{n} = {self.folder.table[n].value}"
                               + (" from --set" if n in self.overridden else "") for n in names)
            self.sink.error("param-default", f"the constraint of param '{decl.name.name}' is "
                            f"false at the defaults ({values}); every constraint must hold "
                            "at the defaults, which the explicit engine uses",
                            decl.constraint.span)
        return folded.expr

    def _number(self, node, what: str, why: str, need: str = "a concrete number"):
        """A constant number (no param) for ``what``, or None after an error."""
        return self.folder.number(node, what, why, need)

    def _settings(self, settings, allowed, what):
        values = {}
        for s in settings:
            name = s.name.name
            if name not in allowed:
                self.sink.error("unknown-setting", f"unknown {what} setting '{name}'", s.name.span,
                                suggest(self.sink, name, allowed))
            elif name in values:
                self.sink.error("duplicate", f"{what} setting '{name}' is given twice", s.name.span)
            else:
                values[name] = s
        return values

    def _bounds(self) -> ir.Bounds:
        values = self._settings(self.node.bounds, tuple(BOUND_SETTINGS), "bounds")
        result = {}
        for name, setting in values.items():
            lo, hi = BOUND_SETTINGS[name]
            result[name] = self._int_setting(setting, lo, hi, "bounds")
        return ir.Bounds(**{k: v for k, v in result.items() if v is not None})

    def _int_setting(self, setting: ast.Setting, lo: int, hi: int, section: str):
        if isinstance(setting.value, str):
            self.sink.error("value", f"'{setting.name.name}' takes a number", setting.span)
            return None
        value = self._number(setting.value, f"{section}.{setting.name.name}", FIXED_SHAPE)
        return self._in_range(setting, value, lo, hi)

    def _in_range(self, setting: ast.Setting, value, lo: int, hi: int):
        if value is None:
            return None
        if isinstance(value, bool) or not lo <= value <= hi:
            self.sink.error("value", f"'{setting.name.name}' must be between {lo} and {hi}, "
                            f"not {value}", setting.span)
            return None
        return value

    def _channel(self) -> ir.Channel:
        values = self._settings(self.node.channel, CHANNEL_SETTINGS, "channel")
        result: dict = {}
        if "capacity" in values:
            result["capacity"] = self._int_setting(values["capacity"], 1, 16, "channel")
        if "msl" in values:
            result["msl"], result["msl_expr"] = self._msl(values["msl"])
        for budget in ("loss", "duplication"):
            if budget in values:
                setting = values[budget]
                if setting.value == "unbounded" or setting.value == "yes":
                    result[budget] = None
                elif setting.value == "no":
                    result[budget] = 0
                else:
                    result[budget] = self._int_setting(setting, 0, 1000, "channel")
        for word in ("reordering", "shared"):
            if word in values:
                setting = values[word]
                if setting.value not in ("yes", "no") and not self._param_in(setting, "yes or no"):
                    self.sink.error("value", f"'{word}' is 'yes' or 'no'", setting.span)
                result[word] = setting.value == "yes"
        if result.get("shared") and result.get("reordering") is False:
            # one FIFO for both directions would order segments across directions, which
            # two per-direction queues cannot store: only a shared bag is offered
            self.sink.error("value", "'shared = yes' needs 'reordering = yes' (a shared channel "
                            "is one bag; a shared queue is not supported)", values["shared"].span)
        return ir.Channel(**{k: v for k, v in result.items() if v is not None or k in ("loss", "duplication")})

    def _param_in(self, setting: ast.Setting, need: str) -> bool:
        """Whether a word-valued setting was given an expression over a param (reported
        as such, since "needs yes or no" alone would not say why a param does not do)."""
        if isinstance(setting.value, str) or not self.folder.params_of(setting.value):
            return False
        self._number(setting.value, f"channel.{setting.name.name}", FIXED_SHAPE, need)
        return True

    def _msl(self, setting: ast.Setting) -> tuple:
        """``msl`` may mention a param (time only ages segments, it does not size the
        state): its value at the defaults, and its ir expression when it is symbolic."""
        if isinstance(setting.value, str):
            self.sink.error("value", "'msl' takes a number", setting.span)
            return None, None
        folded = self.folder.value(setting.value)
        value = self._in_range(setting, None if folded is None else folded.value, *MSL_RANGE)
        symbolic = folded is not None and folded.symbolic and value is not None
        return value, folded.expr if symbolic else None

    # -- types ---------------------------------------------------------------------------
    def _type(self, node: ast.TypeNode, allow_set: bool = True):
        if node.kind == "bool":
            return ir.BOOL
        if node.kind == "seq":
            return ir.SeqType(self.seqspace)
        if node.kind == "range":
            lo = self._number(node.lo, "a type's range", FIXED_TYPE)
            hi = self._number(node.hi, "a type's range", FIXED_TYPE)
            if lo is None or hi is None:
                return None
            if lo > hi:
                self.sink.error("value", f"empty range {lo}..{hi}", node.span)
                return None
            return ir.IntType(lo, hi)
        if not allow_set:
            self.sink.error("type", "a set cannot hold sets", node.span)
            return None
        element = self._type(node.element, allow_set=False)
        if element is None:
            return None
        if isinstance(element, ir.IntType) and (element.lo < 0 or element.hi > 62):
            self.sink.error("value", "a set's elements must lie within 0..62", node.span)
            return None
        if isinstance(element, ir.SeqType) and element.modulus > 63:
            self.sink.error("value", "a set of seq needs seqspace <= 63", node.span)
            return None
        return ir.SetType(element)

    def _ghost_fields(self) -> tuple:
        """The segment's added fields: the protocol fields (len, wnd) first, in
        ir.DATA_FIELDS order, then the ghosts in declaration order."""
        data, ghosts, seen = {}, [], set()
        self.failed_fields = set()  # declared, but in error: their uses say nothing more
        builtin = ("seq", "ack", "age", "dst", "seglen", *ir.FLAG_NAMES)
        for f in self.node.fields:
            name = f.name.name
            if name in seen or name in builtin:
                self.sink.error("duplicate", f"segment field '{name}' is declared twice or "
                                "is a built-in field", f.name.span)
                continue
            seen.add(name)
            if not self._field_kind_ok(f):
                self.failed_fields.add(name)
                continue
            type_ = self._type(f.type, allow_set=False)
            if type_ is None or (not f.ghost and not self._data_type_ok(f, type_)):
                self.failed_fields.add(name)
                continue
            field = ir.GhostField(name, type_, f.span, ghost=f.ghost)
            if f.ghost:
                ghosts.append(field)
            else:
                data[name] = field
        return tuple(data[n] for n in ir.DATA_FIELDS if n in data) + tuple(ghosts)

    def _field_kind_ok(self, f: ast.FieldDecl) -> bool:
        """``len`` and ``wnd`` are protocol fields (written without ``ghost``); every other
        field is a ghost (written with it)."""
        name = f.name.name
        if f.ghost and name in ir.DATA_FIELDS:
            self.sink.error("type", f"'{name}' is a protocol field, which transitions read: "
                            "declare it without 'ghost'", f.span, f"write '{name} : 0..N'")
            return False
        if not f.ghost and name not in ir.DATA_FIELDS:
            self.sink.error("unknown-field", f"a segment has no protocol field '{name}' (they "
                            f"are {', '.join(ir.DATA_FIELDS)}); a field of the model's own is "
                            "a ghost", f.name.span,
                            suggest(self.sink, name, ir.DATA_FIELDS) or f"write 'ghost {name} : ...'")
            return False
        return True

    def _data_type_ok(self, f: ast.FieldDecl, type_) -> bool:
        """A length and a window count octets, a timestamp is an abstract ordered value: each
        a bounded range of numbers from 0 up (the range bounds the state space, so it must be
        small)."""
        if isinstance(type_, ir.IntType) and 0 <= type_.lo and type_.hi <= MAX_DATA_FIELD:
            return True
        what = "is an ordered timestamp" if f.name.name == "ts" else "counts octets"
        self.sink.error("type", f"'{f.name.name}' {what}: its type must be a range lo..hi "
                        f"with 0 <= lo and hi <= {MAX_DATA_FIELD}, not {type_}", f.type.span)
        return False

    def _initial_value(self, decl: ast.VarDecl, type_):
        if decl.init is None:
            return _default(type_)
        if isinstance(type_, ir.SetType):
            if isinstance(decl.init, ast.SetLit):
                values = [self._number(i, "an initial value", FIXED_INIT) for i in decl.init.items]
                if None in values:
                    return None
                element = type_.element
                outside = [v for v in values if isinstance(element, ir.BoolType) !=
                           isinstance(v, bool) or not _in_domain(element, v)]
                if outside:
                    self.sink.error("domain", f"initial element {_text(outside[0])} of "
                                    f"'{decl.name.name}' is outside its domain {element}",
                                    decl.init.span)
                    return None
                if isinstance(element, ir.SeqType):
                    values = [v % element.modulus for v in values]
                return _mask(values)
            self.sink.error("type", "a set starts as a set literal, e.g. {}", decl.init.span)
            return None
        value = self._number(decl.init, "an initial value", FIXED_INIT)
        if value is None:
            return None
        if isinstance(type_, ir.BoolType) != isinstance(value, bool) or not _in_domain(type_, value):
            self.sink.error("domain", f"initial value {_text(value)} of '{decl.name.name}' is "
                            f"outside its domain {type_}", decl.init.span)
            return None
        return value % type_.modulus if isinstance(type_, ir.SeqType) else value

    # -- endpoints -----------------------------------------------------------------------
    def _endpoint_skeletons(self) -> list:
        nodes = self.node.endpoints
        if len(nodes) != 2:
            self.sink.error("endpoints", f"a model has exactly two endpoints; this one has "
                            f"{len(nodes)}", nodes[2].span if len(nodes) > 2 else self.node.span)
        if len(nodes) == 2 and nodes[0].name.name == nodes[1].name.name:
            self.sink.error("duplicate", f"two endpoints are named '{nodes[1].name.name}'",
                            nodes[1].name.span)
        return [self._skeleton(e) for e in nodes[:2]]

    def _skeleton(self, node: ast.EndpointNode) -> ir.Endpoint:
        states = self._unique_names(node.states, "state")
        if not states:
            self.sink.error("states", f"endpoint '{node.name.name}' declares no states", node.name.span)
        if node.states_declarations > 1:
            self.sink.error("duplicate", "'states' is given twice", node.name.span)
        if node.initial_declarations > 1:
            self.sink.error("duplicate", "'initial' is given twice", node.name.span)
        initial = 0
        if node.initial is None:
            self.sink.error("initial", f"endpoint '{node.name.name}' has no initial state",
                            node.name.span)
        elif node.initial.name not in states:
            self._unknown_state(node.initial, states)
        else:
            initial = states.index(node.initial.name)
        variables, seen = [], set()
        for decl in node.variables:
            if decl.name.name in seen:
                self.sink.error("duplicate", f"variable '{decl.name.name}' is declared twice",
                                decl.name.span)
                continue
            seen.add(decl.name.name)
            if decl.name.name in self.declared or decl.name.name in BUILTIN_NAMES:
                self.sink.error("duplicate", f"variable '{decl.name.name}' would be hidden by "
                                "the constant, param or built-in name it shares", decl.name.span)
            type_ = self._type(decl.type)
            if type_ is None:  # kept, typed as an error, so that its uses say nothing more
                variables.append(ir.Variable(decl.name.name, ERROR_TYPE, None, decl.ghost,
                                             decl.persistent, decl.span))
                continue
            init = self._initial_value(decl, type_)
            variables.append(ir.Variable(decl.name.name, type_, init, decl.ghost, decl.persistent,
                                         decl.span))
        timers = self._unique_names(node.timers, "timer")
        self._timer_names_apart(node, seen)
        index = {name: i for i, name in enumerate(states)}
        terminal = frozenset(index[t.name] for t in node.terminal
                             if t.name in index or self._unknown_state(t, states))
        return ir.Endpoint(node.name.name, tuple(states), initial, tuple(variables), tuple(timers),
                           (), terminal, node.doc, node.span)

    def _timer_names_apart(self, node: ast.EndpointNode, variables: set) -> None:
        """A property reads ``E.x`` for a variable and ``E.T`` for a timer, so the two
        must not share a name (nor take ``state`` or ``incarnation``)."""
        for ident in node.timers:
            if ident.name in variables or ident.name in BUILTIN_NAMES:
                what = "a variable" if ident.name in variables else "a built-in name"
                self.sink.error("duplicate", f"timer '{ident.name}' has the name of {what} of "
                                f"'{node.name.name}'; '{node.name.name}.{ident.name}' would be "
                                "ambiguous in a property", ident.span)

    def _unique_names(self, idents, what) -> list:
        names, seen = [], set()
        for ident in idents:
            if ident.name in seen:
                self.sink.error("duplicate", f"{what} '{ident.name}' is declared twice", ident.span)
            else:
                names.append(ident.name)
                seen.add(ident.name)
        return names

    def _unknown_state(self, ident: ast.Ident, states) -> bool:
        self.sink.error("unknown-state", f"unknown state '{ident.name}'", ident.span,
                        suggest(self.sink, ident.name, states))
        return False

    def _endpoint(self, index: int, node: ast.EndpointNode, skeleton: ir.Endpoint) -> ir.Endpoint:
        transitions, seen = [], set()
        names = self.scope_base["names"][index]
        for t in node.transitions:
            if t.name.name in seen:
                self.sink.error("duplicate", f"transition '{t.name.name}' is declared twice",
                                t.name.span)
            seen.add(t.name.name)
            lowered = _TransitionLowering(self, index, skeleton, names).lower(t)
            if lowered is not None:
                transitions.append(lowered)
        return ir.Endpoint(skeleton.name, skeleton.states, skeleton.initial, skeleton.variables,
                           skeleton.timers, tuple(transitions), skeleton.terminal, skeleton.doc,
                           skeleton.span)

    # -- properties ----------------------------------------------------------------------
    def _properties(self, endpoints) -> tuple:
        result, seen = [], set()
        for p in self.node.properties:
            if p.name.name in seen:
                self.sink.error("duplicate", f"property '{p.name.name}' is declared twice",
                                p.name.span)
                continue
            seen.add(p.name.name)
            lowered = self._property(p, endpoints)
            if lowered is not None:
                result.append(lowered)
        return tuple(result)

    def _property(self, p: ast.PropertyNode, endpoints):
        if p.kind == "deadlock":
            return ir.Property(p.name.name, "deadlock", doc=p.doc, span=p.span)
        if p.kind in ir.LIVENESS_KINDS:  # state predicates, like an invariant's
            checker = ExprChecker(self.sink, self._scope())
            expr = checker.boolean(p.expr)
            premise = checker.boolean(p.premise) if p.premise is not None else None
            if expr is ERROR or premise is ERROR:
                return None
            return ir.Property(p.name.name, p.kind, expr, doc=p.doc, span=p.span,
                               premise=premise)
        selectors = frozenset()
        if p.kind == "step":
            selectors = self._selectors(p.selectors, endpoints)
        actors = sorted({e for e, _ in selectors}) or [None]
        step_exprs = []
        errors_before = len(self.sink.items)
        for actor in actors:
            scope = self._scope(seg_available=p.kind == "step", self_endpoint=actor)
            expr = ExprChecker(self.sink, scope).boolean(p.expr)
            step_exprs.append((actor, expr))
            if len(self.sink.items) > errors_before:
                break  # the same mistake would be reported once per endpoint
        if p.kind == "step" and _reads_seg(expr):
            for e, t in sorted(selectors):
                if endpoints[e].transitions[t].trigger.kind != "recv":
                    self.sink.error("no-segment", f"property reads 'seg', but transition "
                                    f"'{endpoints[e].name}.{endpoints[e].transitions[t].name}' "
                                    "receives no segment", p.span)
                    break
        if any(x is ERROR for _, x in step_exprs):
            return None
        step_exprs = tuple(x for x in step_exprs if x[0] is not None)
        return ir.Property(p.name.name, p.kind, expr, selectors, p.doc, p.span, step_exprs)

    def _assumptions(self, endpoints) -> tuple:
        """``assume NAME: always at SELECTORS: EXPR`` (MANUAL 12.9), lowered as the step
        property it is written as; any other body is an error."""
        result, seen = [], {p.name.name for p in self.node.properties}
        for node in self.node.assumptions:
            if node.name.name in seen:
                self.sink.error("duplicate", f"'{node.name.name}' is already the name of a "
                                "property or an assumption", node.name.span)
                continue
            seen.add(node.name.name)
            if node.kind != "step":
                self.sink.error("assume", "an assumption is written 'assume NAME: always at "
                                "SELECTORS: EXPR' (it limits when those transitions fire)",
                                node.span)
                continue
            lowered = self._property(node, endpoints)
            if lowered is not None and self._local_only(lowered, endpoints, node):
                result.append(lowered)
        return tuple(result)

    def _local_only(self, lowered: ir.Property, endpoints, node) -> bool:
        """An assumption selects transitions an endpoint starts (user calls, timeouts,
        crashes): for a receipt it would have to say whether the segment waits or is
        dropped, which the language leaves to the transitions."""
        for e, t in sorted(lowered.selectors):
            transition = endpoints[e].transitions[t]
            if transition.trigger.kind == "recv":
                self.sink.error("assume", f"assumption '{node.name.name}' selects "
                                f"'{endpoints[e].name}.{transition.name}', which receives a "
                                "segment; an assumption may only select transitions that "
                                "receive none (user calls, timeouts, crashes)", node.span)
                return False
        return True

    def _lemmas(self) -> tuple:
        """Lemmas, lowered like an ``always`` property's expression; they share the
        properties' names, since ``--property`` selects either."""
        result = []
        taken = {p.name.name: p.name.span for p in self.node.properties}
        for node in self.node.lemmas:
            name = node.name.name
            if name in taken:
                later = max(node.name.span, taken[name], key=lambda s: (s.line, s.column))
                self.sink.error("duplicate", f"'{name}' is the name of a property or lemma "
                                "already; properties and lemmas share one set of names", later)
                continue
            taken[name] = node.name.span
            expr = ExprChecker(self.sink, self._scope()).boolean(node.expr)
            if expr is not ERROR:
                result.append(ir.Lemma(name, expr, node.doc, node.span))
        return tuple(result)

    def _fairness(self, endpoints) -> tuple:
        """The ``fairness`` block (at most one): each line resolved to a constraint."""
        blocks = self.node.fairness_blocks
        for _, span in blocks[1:]:
            self.sink.error("duplicate", "a model has at most one fairness block; put every "
                            "constraint in the first one", span)
        result, seen = [], {}
        names = [e.name for e in endpoints]
        for node in (blocks[0][0] if blocks else ()):
            lowered = self._fairness_line(node, endpoints, names)
            if lowered is None:
                continue
            key = (lowered.target, lowered.endpoint, lowered.transitions)
            if key in seen:
                self.sink.error("duplicate", f"fairness for '{lowered.text.split()[1]}' is "
                                f"given twice (also '{seen[key]}')", node.span)
                continue
            seen[key] = lowered.text
            result.append(lowered)
        return tuple(result)

    def _fairness_line(self, node: ast.FairnessNode, endpoints, names):
        if node.target == "named":
            word = node.name.name
            if word not in FAIRNESS_WORDS:
                self.sink.error("unknown-name", f"unknown fairness target '{word}'; a "
                                "constraint names 'channel', 'channel.E', 'tick', 'timers' or "
                                "a transition 'E.t'", node.name.span,
                                suggest(self.sink, word, FAIRNESS_WORDS + ("channel",)))
                return None
            return ir.Fairness(node.strength, word, text=f"{node.strength} {word}",
                               span=node.span)
        if node.endpoint is not None and node.endpoint.name not in names:
            self.sink.error("unknown-name", f"unknown endpoint '{node.endpoint.name}'",
                            node.endpoint.span, suggest(self.sink, node.endpoint.name, names))
            return None
        if node.target == "channel":
            if node.endpoint is None:
                return ir.Fairness(node.strength, "channel", text=f"{node.strength} channel",
                                   span=node.span)
            e = names.index(node.endpoint.name)
            return ir.Fairness(node.strength, "channel", e,
                               text=f"{node.strength} channel.{names[e]}", span=node.span)
        e = names.index(node.endpoint.name)
        endpoint = endpoints[e]
        wanted = node.name.name
        matched = frozenset((e, i) for i, t in enumerate(endpoint.transitions)
                            if t.name == wanted or wanted in t.labels)
        if not matched:
            pool = [t.name for t in endpoint.transitions] + \
                   [l for t in endpoint.transitions for l in t.labels]
            self.sink.error("unknown-transition", f"endpoint '{endpoint.name}' has no "
                            f"transition or label '{wanted}'", node.name.span,
                            suggest(self.sink, wanted, pool))
            return None
        return ir.Fairness(node.strength, "transition", e, matched,
                           f"{node.strength} {endpoint.name}.{wanted}", node.span)

    def _selectors(self, nodes, endpoints) -> frozenset:
        chosen = set()
        names = [e.name for e in endpoints]
        for sel in nodes:
            if sel.endpoint.name not in names:
                self.sink.error("unknown-name", f"unknown endpoint '{sel.endpoint.name}'",
                                sel.endpoint.span, suggest(self.sink, sel.endpoint.name, names))
                continue
            e = names.index(sel.endpoint.name)
            endpoint = endpoints[e]
            if sel.kind == "enters":
                if sel.name.name not in endpoint.states:
                    self._unknown_state(sel.name, endpoint.states)
                    continue
                target = endpoint.states.index(sel.name.name)
                matched = [i for i, t in enumerate(endpoint.transitions) if t.target == target]
            else:
                matched = [i for i, t in enumerate(endpoint.transitions)
                           if t.name == sel.name.name or sel.name.name in t.labels]
                if not matched:
                    pool = [t.name for t in endpoint.transitions] + \
                           [l for t in endpoint.transitions for l in t.labels]
                    self.sink.error("unknown-transition", f"endpoint '{endpoint.name}' has no "
                                    f"transition or label '{sel.name.name}'", sel.name.span,
                                    suggest(self.sink, sel.name.name, pool))
                    continue
            if not matched:
                self.sink.warning("empty-selector", f"no transition of '{endpoint.name}' enters "
                                  f"{sel.name.name}", sel.span)
            chosen.update((e, i) for i in matched)
        return frozenset(chosen)

    # -- warnings ------------------------------------------------------------------------
    def _warn_unreachable(self, endpoints) -> None:
        for node, endpoint in zip(self.node.endpoints, endpoints):
            successors: dict = {}  # state -> targets (a map, so that the walk is linear)
            for t in endpoint.transitions:
                if t.target is not None:
                    for source in t.sources:
                        successors.setdefault(source, set()).add(t.target)
            entered, frontier = {endpoint.initial}, [endpoint.initial]
            while frontier:  # follow transitions from the initial state, ignoring guards
                for target in successors.get(frontier.pop(), ()):
                    if target not in entered:
                        entered.add(target)
                        frontier.append(target)
            index = {name: i for i, name in enumerate(endpoint.states)}
            for ident in node.states:
                if ident.name in index and index[ident.name] not in entered:
                    self.sink.warning("unreachable-state", f"state '{ident.name}' of "
                                      f"'{endpoint.name}' is never entered", ident.span)


class _TransitionLowering:
    """Lowers one transition: trigger, guard and body, with the ghost-flow rule."""

    def __init__(self, outer: _Lowering, index: int, skeleton: ir.Endpoint,
                 names: EndpointNames):
        self.outer = outer
        self.sink = outer.sink
        self.index = index
        self.endpoint = skeleton
        self.names = names

    def lower(self, node: ast.TransitionNode):
        states, index = self.endpoint.states, self.names.states
        sources = frozenset(index[s.name] for s in node.sources
                            if s.name in index or self.outer._unknown_state(s, states))
        target, target_ok = None, True
        if node.target.name in index:
            target = index[node.target.name]
        elif node.target.name != "same":
            target_ok = self.outer._unknown_state(node.target, states)
        trigger = self._trigger(node.trigger)
        self.checker = ExprChecker(self.sink, self.outer._scope(
            own=self.index, seg_available=node.trigger.kind == "recv"))
        guard = None
        if node.guard is not None:
            guard = self.checker.boolean(node.guard)
            if guard is not ERROR and reads_ghost(guard):
                self.sink.error("ghost-read", "a guard reads a ghost value; the protocol must not "
                                "see what only the observer sees", node.guard.span)
        body = self._block(node.body, ghost_only=False)
        if not target_ok or trigger is None:
            return None
        return ir.Transition(node.name.name, sources, target, trigger, guard, body,
                             frozenset(l.name for l in node.labels), node.doc, node.span)

    def _trigger(self, node: ast.TriggerNode):
        if node.kind == "timeout":
            timer = self._timer(node.timer)
            return None if timer is None else ir.Trigger("timeout", timer=timer)
        if node.kind != "recv":
            return ir.Trigger(node.kind)
        pattern = node.pattern
        must_set, must_clear = ir.flags_of(pattern.must_set), ir.flags_of(pattern.must_clear)
        if must_set & must_clear:
            self.sink.error("flags", "a flag cannot be both required and excluded", node.span)
        elif not pattern.rest and not must_set:
            self.sink.warning("flags", "this pattern matches only a segment with no flag at "
                              "all; add '...' to let the flags it does not name be anything",
                              node.span)
        return ir.Trigger("recv", must_set=must_set, must_clear=must_clear,
                          others_free=pattern.rest)

    # -- statements ----------------------------------------------------------------------
    def _block(self, stmts, ghost_only: bool) -> tuple:
        lowered = (self._stmt(s, ghost_only) for s in stmts)
        return tuple(s for s in lowered if s is not None)

    def _stmt(self, node, ghost_only: bool):
        if ghost_only and not isinstance(node, (ast.AssignStmt, ast.IfStmt)):
            self.sink.error("ghost-read", "inside a branch on a ghost value only ghost variables "
                            "may change", node.span)
            return None
        method = getattr(self, "_" + type(node).__name__)
        return method(node, ghost_only)

    def _variable(self, ident: ast.Ident):
        if ident.name not in self.names.variables:
            self.sink.error("unknown-name", f"unknown variable '{ident.name}'", ident.span,
                            suggest(self.sink, ident.name, self.names.variables))
            return None, None
        i = self.names.variables[ident.name]
        if self.endpoint.variables[i].type is ERROR_TYPE:  # its declaration's error is reported
            return None, None
        return i, self.endpoint.variables[i]

    def _no_ghost(self, expr, node, what: str) -> None:
        if expr is not ERROR and reads_ghost(expr):
            self.sink.error("ghost-read", f"{what} reads a ghost value; only ghost variables and "
                            "ghost segment fields may", node.span)

    def _AssignStmt(self, node: ast.AssignStmt, ghost_only: bool):
        i, var = self._variable(node.target)
        value = self.checker.expr(node.value)
        if var is None:
            return None
        if ghost_only and not var.ghost:
            self.sink.error("ghost-read", f"'{var.name}' is not a ghost but is assigned under a "
                            "condition on a ghost value", node.span)
        if not var.ghost:
            self._no_ghost(value, node.value, f"the new value of '{var.name}'")
        if not assignable(var.type, value.type):
            self.sink.error("type", f"cannot assign a {value.type} value to '{var.name}' ({var.type})",
                            node.value.span)
        return ir.Assign(i, value, node.span)

    def _SendStmt(self, node: ast.SendStmt, ghost_only: bool):
        seq = ack = ir.Lit(0, ir.IntType(0, 0))
        fields = self.outer.scope_base["ghost_fields"]
        ghosts = [ir.Lit(_default(f.type), f.type) for f in fields]
        names = ["seq", "ack"] + [f.name for f in fields]
        given = set()
        for ident, value_node in node.fields:
            value = self.checker.expr(value_node)
            if ident.name in given:
                self.sink.error("duplicate", f"the segment's {ident.name} is given twice",
                                ident.span)
            given.add(ident.name)
            if ident.name in ("seq", "ack") or ident.name in ir.DATA_FIELDS:
                self._no_ghost(value, value_node, f"the segment's {ident.name}")
            if ident.name in ("seq", "ack"):
                if not assignable(ir.SeqType(self.outer.seqspace), value.type):
                    self.sink.error("type", f"{ident.name} must be a sequence number", value_node.span)
                seq, ack = (value, ack) if ident.name == "seq" else (seq, value)
            elif ident.name in names:
                field = fields[names.index(ident.name) - 2]
                if not assignable(field.type, value.type):
                    self.sink.error("type", f"segment field '{field.name}' ({field.type}) cannot "
                                    f"hold a {value.type} value", value_node.span)
                ghosts[names.index(ident.name) - 2] = value
            elif ident.name in self.outer.scope_base["failed_fields"]:
                pass  # its declaration's error says it all
            elif ident.name in ir.DATA_FIELDS:
                self.sink.error("unknown-field", f"a segment has no field '{ident.name}': the "
                                f"model declares no {ident.name} field", ident.span,
                                f"declare it in the segment block: segment {{ {ident.name} : 0..N }}")
            else:
                self.sink.error("unknown-field", f"a segment has no field '{ident.name}'", ident.span,
                                suggest(self.sink, ident.name, names))
        return ir.Send(ir.flags_of(node.flags), seq, ack, tuple(ghosts), node.span)

    def _ChooseStmt(self, node: ast.ChooseStmt, ghost_only: bool):
        i, var = self._variable(node.target)
        if var is None:
            return None
        domain_type = self.outer._type(node.domain) if node.domain is not None else var.type
        if domain_type is None:
            return None
        if isinstance(domain_type, ir.SetType):
            self.sink.error("type", "choose picks one value, not a set", node.span)
            return None
        where = None
        if node.where is not None:
            where = self.checker.boolean(node.where)
            if not var.ghost:
                self._no_ghost(where, node.where, "the condition of a choice")
        if not assignable(var.type, domain_type):
            self.sink.error("type", f"cannot choose a {domain_type} value for '{var.name}' "
                            f"({var.type})", node.span)
            return None
        domain = _choice_domain(var.type, domain_type)
        if ir.domain_size(domain) == 0:  # the transition could never fire
            self.sink.error("domain", f"no value of {domain_type} fits '{var.name}' "
                            f"({var.type}): the choice has nothing to choose from", node.span)
            return None
        return ir.Choose(i, domain, where, node.span)

    def _StartStmt(self, node: ast.StartStmt, ghost_only: bool):
        duration = self.checker.expr(node.duration)
        timer = self._timer(node.timer)
        if timer is None:
            return None
        self._no_ghost(duration, node.duration, "a timer's duration")
        if not assignable(ir.IntType(0, None), duration.type):
            self.sink.error("type", f"a timer's duration is a number of ticks, not a "
                            f"{duration.type} value", node.duration.span)
        return ir.StartTimer(timer, duration, node.span)

    def _StopStmt(self, node: ast.StopStmt, ghost_only: bool):
        timer = self._timer(node.timer)
        return None if timer is None else ir.StopTimer(timer, node.span)

    def _timer(self, ident: ast.Ident) -> int | None:
        """The index of a timer of this endpoint, or None after reporting an unknown one."""
        if ident.name not in self.names.timers:
            self.sink.error("unknown-timer", f"unknown timer '{ident.name}'", ident.span,
                            suggest(self.sink, ident.name, self.endpoint.timers))
            return None
        return self.names.timers[ident.name]

    def _IfStmt(self, node: ast.IfStmt, ghost_only: bool):
        cond = self.checker.boolean(node.cond)
        ghost_branch = ghost_only or (cond is not ERROR and reads_ghost(cond))
        return ir.If(cond, self._block(node.then, ghost_branch),
                     self._block(node.otherwise, ghost_branch), node.span)


def _choice_domain(var_type, domain_type):
    """The candidates of a choose, in order, without enumerating them: a range, or two
    (ir.Ranges) when a seq variable wraps an int range.  (The explicit
    engine refuses a domain too large to try value by value; the symbolic one needs none.)"""
    values = domain_type.values()
    if isinstance(var_type, ir.IntType):  # only the values the variable can hold
        lo = max(values.start, var_type.lo) if var_type.lo is not None else values.start
        hi = min(values.stop - 1, var_type.hi) if var_type.hi is not None else values.stop - 1
        return range(lo, hi + 1) if lo <= hi else range(0)
    if not isinstance(var_type, ir.SeqType) or isinstance(domain_type, ir.BoolType):
        return tuple(values)  # bool: (False, True)
    modulus = var_type.modulus
    if isinstance(domain_type, ir.SeqType) and domain_type.modulus == modulus:
        return values
    # an int range (or another modulus) read modulo this one: the residues, in the order
    # of their first appearance, as one or two ranges
    count = min(ir.domain_size(values), modulus)
    start = values.start % modulus
    if start + count <= modulus:
        return range(start, start + count)
    return ir.Ranges((range(start, modulus), range(0, start + count - modulus)))


def _reads_seg(expr) -> bool:
    if isinstance(expr, ir.SegField):
        return expr.binder == "seg"
    for attr in ("operand", "left", "right", "body"):
        if hasattr(expr, attr) and _reads_seg(getattr(expr, attr)):
            return True
    return isinstance(expr, ir.SetLiteral) and any(_reads_seg(i) for i in expr.items)


def _default(type_):
    if isinstance(type_, ir.BoolType):
        return False
    if isinstance(type_, ir.IntType):
        return type_.lo
    return 0  # seq 0, empty set


def _text(value) -> str:
    """A constant as tcpspec writes it."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _mask(values) -> int:
    mask = 0
    for v in values:
        mask |= 1 << v
    return mask


def _in_domain(type_, value) -> bool:
    if isinstance(type_, ir.IntType):
        return type_.contains(value)
    if isinstance(type_, ir.SeqType):
        return isinstance(value, int) and not isinstance(value, bool)
    return True
