"""Variants: a model that extends another, merged into one ordinary syntax tree.

``model NAME extends "BASE.tcp"`` (the path relative to the variant's own file) starts a
variant.  Its items change the base's, by name:

* a new ``const``, ``param``, ``lemma``, ``property``, ghost field, state, ``var``,
  ``timer`` or ``transition`` is added (after the base's); a name the base already has is
  an error, since changing an item is said with ``replace``;
* ``replace DECL`` takes the place, and the position, of the base's item of that name;
* ``remove KIND NAME, ...`` leaves the base's items out;
* an ``endpoint E { }`` block changes the base's endpoint ``E``: ``states`` adds states,
  ``initial`` and ``terminal`` replace the base's; a setting of ``bounds`` or ``channel``
  replaces the base's setting of that name; a ``fairness`` block replaces the base's.

A ``replace`` or ``remove`` of something the base does not have is an error, with a
did-you-mean.  The merge happens on syntax trees, before lowering: each node keeps the span
of the file it was written in, so validation afterwards (a base transition that uses a
removed state, say) points into the right file, and engines see an ordinary model.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from tcpcheck.diagnostics import DiagnosticSink, ModelError, Span
from tcpcheck.lang import ast
from tcpcheck.lang.hints import suggest
from tcpcheck.lang.parser import parse
from tcpcheck.lang.source import SourceError, read_source


@dataclass(frozen=True)
class Removal:
    """What a variant removed, to explain a later "unknown" error about the same name."""

    kind: str  # const param lemma property field state var timer transition
    endpoint: str | None
    name: str
    span: Span  # the name in the ``remove``


def resolve(tree: ast.ModelNode, sources: dict, read=None) -> tuple:
    """``tree`` with its chain of bases merged in, and the removals made on the way.
    ``sources`` (file -> text) gains the text of every base read, for diagnostics; a
    ModelError raised here carries the spans of the file at fault."""
    removals: list[Removal] = []
    merged = _resolve(tree, sources, (), removals, read or _read)
    return merged, tuple(removals)


def _read(path: str) -> str:
    return read_source(path)  # a regular file, within the size limit


def base_path(file: str, written: str) -> str:
    """The base file named by ``extends "written"`` in ``file``."""
    if os.path.isabs(written):
        return os.path.normpath(written)
    return os.path.normpath(os.path.join(os.path.dirname(file), written))


# How many files a chain of ``extends`` may merge: a real variant has one or two bases; the
# limit keeps the merge's recursion (one level a base) far from Python's stack limit.
MAX_BASES = 32


def _fail(code: str, message: str, span: Span, hint: str | None = None):
    sink = DiagnosticSink()
    sink.error(code, message, span, hint)
    raise ModelError(sink.items)


def _resolve(tree, sources, chain, removals, read):
    if tree.extends is None:
        return tree
    if "\0" in tree.extends.path:  # no file system takes one; os.path would raise
        _fail("extends", "the base model's path contains a NUL character (\\0); no file "
              "can have that name", tree.extends.span)
    chain = (*chain, (Path(tree.file).resolve(), tree.file))
    path = base_path(tree.file, tree.extends.path)
    key = Path(path).resolve()
    if key in [k for k, _ in chain]:
        cycle = [f for _, f in chain] + [path]
        _fail("extends", "models extend each other in a cycle: " + " -> ".join(cycle),
              tree.extends.span)
    if len(chain) > MAX_BASES:
        _fail("extends", f"more than {MAX_BASES} models extend one another in a chain",
              tree.extends.span, "merge some of the bases into one file")
    try:
        text = read(path)
    except FileNotFoundError:
        _fail("extends", f"no such base model file: {path}", tree.extends.span,
              "the path is relative to the directory of the file that extends it")
    except (SourceError, OSError, UnicodeDecodeError) as err:
        _fail("extends", f"cannot read the base model {path}: {err}", tree.extends.span)
    sources[path] = text
    base = _resolve(parse(text, path), sources, chain, removals, read)
    return _Merge(base, tree, removals).run()


# ---- one variant into its base --------------------------------------------------------------

_KIND_OF = {ast.ConstDecl: "const", ast.ParamDecl: "param", ast.LemmaDecl: "lemma",
            ast.PropertyNode: "property", ast.FieldDecl: "field", ast.VarDecl: "var",
            ast.TransitionNode: "transition"}

# how each kind is written, for "write `replace ...`" hints and messages
_WORDS = {"const": ("constant", "replace const {} = ..."),
          "param": ("param", "replace param {} = ..."),
          "lemma": ("lemma", "replace lemma {}: ..."),
          "property": ("property", "replace property {}: ..."),
          "field": ("ghost field", "replace ghost {} : TYPE"),
          "var": ("variable", "replace var {} : TYPE"),
          "transition": ("transition", "replace transition {}: ..."),
          "state": ("state", None),
          "timer": ("timer", None)}

_UNKNOWN_CODE = {"state": "unknown-state", "timer": "unknown-timer",
                 "transition": "unknown-transition"}  # the rest: unknown-name

# ModelNode and EndpointNode fields this module merges by name; any other field (a later
# addition to the language) is taken from the variant when it gives one, else the base's
_MODEL_FIELDS = {"name", "doc", "consts", "bounds", "channel", "fields", "endpoints",
                 "properties", "span", "file", "params", "lemmas", "extends", "edits", "bases",
                 "declaration_order", "assumptions"}
_ENDPOINT_FIELDS = {"name", "doc", "states", "initial", "terminal", "variables", "timers",
                    "transitions", "span", "states_declarations", "initial_declarations", "edits"}


def _ident(item) -> ast.Ident:
    return item if isinstance(item, ast.Ident) else item.name


class _Merge:
    def __init__(self, base: ast.ModelNode, variant: ast.ModelNode, removals: list):
        self.base, self.variant = base, variant
        self.sink = DiagnosticSink()
        self.removals = removals
        self.where = f"the base model '{base.name.name}'"

    def run(self) -> ast.ModelNode:
        base, v = self.base, self.variant
        edits = self._edits(v.edits)
        decls, order = self._declarations(edits)
        properties, lemmas = self._properties(edits)
        endpoints = list(base.endpoints)
        for node in v.endpoints:
            names = [e.name.name for e in endpoints]
            if node.name.name not in names:
                self.sink.error("unknown-name", f"{self.where} has no endpoint "
                                f"'{node.name.name}'; an endpoint block in a variant changes "
                                "the base's endpoint of that name", node.name.span,
                                suggest(self.sink, node.name.name, names))
                continue
            i = names.index(node.name.name)
            endpoints[i] = self._endpoint(endpoints[i], node)
        fields = tuple(self._items(("field",), base.fields, v.fields, edits))
        if self.sink.has_errors:
            raise ModelError(sorted(self.sink.items, key=lambda d: _order(d.span)))
        merged = dict(
            name=v.name, doc=v.doc, span=v.span, file=v.file, extends=None, edits=(),
            bases=(base.file, *base.bases), declaration_order=order,
            consts=tuple(d for d in decls if isinstance(d, ast.ConstDecl)),
            params=tuple(d for d in decls if isinstance(d, ast.ParamDecl)),
            bounds=_settings(base.bounds, v.bounds), channel=_settings(base.channel, v.channel),
            fields=fields,
            endpoints=tuple(endpoints), properties=properties, lemmas=lemmas,
            assumptions=(*base.assumptions, *v.assumptions))  # a variant adds its own
        return dataclasses.replace(base, **merged, **_others(base, v, _MODEL_FIELDS))

    def _edits(self, nodes) -> dict:
        """The replace and remove items by kind: {kind: ([replacements], [removed idents])}."""
        edits: dict = {}
        for node in nodes:
            if isinstance(node, ast.ReplaceNode):
                edits.setdefault(_KIND_OF[type(node.item)], ([], []))[0].append(node.item)
            else:
                edits.setdefault(node.kind, ([], []))[1].extend(node.names)
        return edits

    def _items(self, kinds, base_items, added, edits, endpoint=None) -> list:
        """The base's items of one namespace (``kinds`` share it: constants and params,
        properties and lemmas), with the variant's replacements in place, its removals left
        out and its additions at the end."""
        kind_of = lambda x: kinds[0] if isinstance(x, ast.Ident) else _KIND_OF[type(x)]
        names = [_ident(x).name for x in base_items]
        result: list = list(base_items)
        touched: dict[str, str] = {}
        place = f"endpoint '{endpoint}' of {self.where}" if endpoint else self.where
        changes = [(item, k, "replace") for k in kinds for item in edits.get(k, ([], []))[0]]
        changes += [(item, k, "remove") for k in kinds for item in edits.get(k, ([], []))[1]]
        for item, kind, verb in sorted(changes, key=lambda c: _order(_ident(c[0]).span)):
            ident, what = _ident(item), _WORDS[kind][0]
            if ident.name not in names:
                self.sink.error(_UNKNOWN_CODE.get(kind, "unknown-name"), f"cannot {verb} "
                                f"{what} '{ident.name}': {place} has no {what} of that name",
                                ident.span, suggest(self.sink, ident.name, names))
                continue
            i = names.index(ident.name)
            actual = kind_of(base_items[i])
            if actual != kind:
                self.sink.error(_UNKNOWN_CODE.get(kind, "unknown-name"), f"'{ident.name}' is "
                                f"a {_WORDS[actual][0]} of {place}, not a {what}", ident.span,
                                f"write '{verb} {actual} {ident.name}'")
            elif ident.name in touched:
                self.sink.error("duplicate", f"{what} '{ident.name}' is changed twice (by "
                                f"'{touched[ident.name]}' and '{verb}')", ident.span)
            else:
                touched[ident.name] = verb
                result[i] = item if verb == "replace" else None
                if verb == "remove":
                    self.removals.append(Removal(kind, endpoint, ident.name, ident.span))
        for item in added:
            ident = _ident(item)
            if ident.name in names:
                actual = kind_of(base_items[names.index(ident.name)])
                template = _WORDS[actual][1]
                hint = f"write '{template.format(ident.name)}' to change it" \
                    if template and actual == kind_of(item) else None
                self.sink.error("duplicate", f"{place} already has {_WORDS[actual][0]} "
                                f"'{ident.name}'", ident.span, hint)
            result.append(item)
        return [x for x in result if x is not None]

    def _declarations(self, edits) -> tuple:
        """Constants and params, one namespace and one order (each may use those above)."""
        base, v = self.base, self.variant
        if base.declaration_order is not None:
            ordered = [(base.consts if k == "const" else base.params)[i]
                       for k, i in base.declaration_order]
        else:
            ordered = sorted((*base.consts, *base.params), key=lambda d: _order(d.span))
        added = sorted((*v.consts, *v.params), key=lambda d: _order(d.span))
        result = self._items(("const", "param"), ordered, added, edits)
        order, counts = [], {"const": 0, "param": 0}
        for d in result:
            kind = "const" if isinstance(d, ast.ConstDecl) else "param"
            order.append((kind, counts[kind]))
            counts[kind] += 1
        return result, tuple(order)

    def _properties(self, edits) -> tuple:
        base, v = self.base, self.variant
        merged = self._items(("property", "lemma"), [*base.properties, *base.lemmas],
                             [*v.properties, *v.lemmas], edits)
        return (tuple(x for x in merged if isinstance(x, ast.PropertyNode)),
                tuple(x for x in merged if isinstance(x, ast.LemmaDecl)))

    def _endpoint(self, base: ast.EndpointNode, v: ast.EndpointNode) -> ast.EndpointNode:
        name = base.name.name
        edits = self._edits(v.edits)
        if v.initial_declarations > 1:  # lowering would blame the base's endpoint for it
            self.sink.error("duplicate", "'initial' is given twice", v.name.span)
        states = self._items(("state",), base.states, v.states, edits, name)
        gone = {r.name for r in self.removals if r.kind == "state" and r.endpoint == name}
        terminal = v.terminal if v.terminal else tuple(t for t in base.terminal
                                                       if t.name not in gone)
        merged = dict(
            name=base.name, doc=v.doc if v.doc is not None else base.doc, span=base.span,
            states=tuple(states), terminal=tuple(terminal),
            initial=v.initial if v.initial is not None else base.initial,
            initial_declarations=v.initial_declarations or base.initial_declarations,
            states_declarations=base.states_declarations or v.states_declarations,
            variables=tuple(self._items(("var",), base.variables, v.variables, edits, name)),
            timers=tuple(self._items(("timer",), base.timers, v.timers, edits, name)),
            transitions=tuple(self._items(("transition",), base.transitions, v.transitions,
                                          edits, name)),
            edits=())
        for kind in edits:
            if kind not in ("state", "var", "timer", "transition"):  # pragma: no cover
                raise AssertionError(kind)  # the grammar allows no other edit in an endpoint
        return dataclasses.replace(base, **merged, **_others(base, v, _ENDPOINT_FIELDS))


def _order(span: Span) -> tuple:
    return (span.line, span.column)


def _settings(base: tuple, variant: tuple) -> tuple:
    """The base's settings, less those the variant gives again, then the variant's."""
    given = {s.name.name for s in variant}
    return tuple(s for s in base if s.name.name not in given) + tuple(variant)


def _others(base, variant, known: set) -> dict:
    """Fields this module does not merge by name: the variant's value when it gives one
    (not the default), else the base's (a ``fairness`` block replaces the base's)."""
    result = {}
    for f in dataclasses.fields(base):
        if f.name in known:
            continue
        value = getattr(variant, f.name)
        default = f.default if f.default is not dataclasses.MISSING else \
            f.default_factory() if f.default_factory is not dataclasses.MISSING else None
        if value != default:
            result[f.name] = value
    return result


def explain_removed(err: ModelError, removals) -> None:
    """Turn "unknown state 'X'" (and the like) into "... removed by the variant at ..."
    when the variant removed X: the error points into a base, which still uses it."""
    if not removals:
        return
    codes = {"unknown-state": ("state",), "unknown-timer": ("timer",),
             "unknown-transition": ("transition",),
             "unknown-name": ("var", "const", "param", "lemma", "property"),
             "unknown-field": ("field",)}
    diagnostics = []
    for d in err.diagnostics:
        kinds = codes.get(d.code, ())
        match = next((r for r in removals if r.kind in kinds and f"'{r.name}'" in d.message),
                     None)
        if match is not None:
            d = dataclasses.replace(d, hint=f"the variant removes {_WORDS[match.kind][0]} "
                                    f"'{match.name}' at {match.span}, but this still uses it")
        diagnostics.append(d)
    err.diagnostics = tuple(diagnostics)
