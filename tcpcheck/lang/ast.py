"""The syntax tree of a tcpspec source file: what was written, with positions, unresolved.

Built by :mod:`tcpcheck.lang.parser`, consumed only by :mod:`tcpcheck.model.lower`, which
resolves names, checks types and produces the frozen model.  Every node carries the
:class:`~tcpcheck.diagnostics.Span` it came from so that errors can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tcpcheck.diagnostics import Span

# The largest number a model may write or compute in a constant: sequence numbers go up to
# 2^32 and nothing in a model needs more than 64 bits.  A longer literal is a slip (and
# Python refuses to convert one of over 4300 digits); the parser and the constant folder
# both hold numbers to it.
MAX_INT = (1 << 63) - 1


@dataclass(frozen=True)
class Ident:
    name: str
    span: Span


# ---- expressions ------------------------------------------------------------------------

@dataclass(frozen=True)
class IntLit:
    value: int
    span: Span


@dataclass(frozen=True)
class BoolLit:
    value: bool
    span: Span


@dataclass(frozen=True)
class NameRef:
    name: str
    span: Span


@dataclass(frozen=True)
class DottedRef:
    base: Ident
    attr: Ident
    span: Span


@dataclass(frozen=True)
class SetLit:
    items: tuple
    span: Span


@dataclass(frozen=True)
class Unary:
    op: str  # "not" or "-"
    operand: object
    span: Span


@dataclass(frozen=True)
class Binary:
    op: str  # => or and == != < <= > >= in notin + - * %
    left: object
    right: object
    span: Span


@dataclass(frozen=True)
class Quantified:
    kind: str  # "exists" or "forall"
    var: Ident
    direction: Ident | None  # None: both directions of the channel
    body: object
    span: Span


# ---- types ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TypeNode:
    kind: str  # bool, seq, range, set
    span: Span
    lo: object = None
    hi: object = None
    element: "TypeNode | None" = None


# ---- declarations -----------------------------------------------------------------------

@dataclass(frozen=True)
class Setting:
    name: Ident
    value: object  # an expression, or the strings "unbounded", "yes", "no"
    span: Span


@dataclass(frozen=True)
class ConstDecl:
    name: Ident
    value: object
    span: Span


@dataclass(frozen=True)
class ParamDecl:
    """``param NAME = DEFAULT [where CONSTRAINT] ["doc"]``; ``overridden`` when ``--set``
    replaced the default (so that an error can say where the value came from)."""

    name: Ident
    default: object
    constraint: object | None
    doc: str | None
    span: Span
    overridden: bool = False


@dataclass(frozen=True)
class LemmaDecl:
    """``lemma NAME: EXPR ["doc"]``: a strengthening invariant for induction."""

    name: Ident
    expr: object
    doc: str | None
    span: Span


@dataclass(frozen=True)
class FieldDecl:
    name: Ident
    type: TypeNode
    span: Span
    ghost: bool = True  # False: a protocol field (len, wnd), written without "ghost"


@dataclass(frozen=True)
class VarDecl:
    name: Ident
    type: TypeNode
    init: object | None
    ghost: bool
    persistent: bool
    span: Span


@dataclass(frozen=True)
class FlagPatternNode:
    must_set: tuple[str, ...]
    must_clear: tuple[str, ...]
    rest: bool  # "..." or "any": flags not named are don't-care


@dataclass(frozen=True)
class TriggerNode:
    kind: str  # open listen close abort crash timeout recv
    span: Span
    timer: Ident | None = None
    pattern: FlagPatternNode | None = None


# ---- statements -------------------------------------------------------------------------

@dataclass(frozen=True)
class AssignStmt:
    target: Ident
    value: object
    span: Span


@dataclass(frozen=True)
class SendStmt:
    flags: tuple[str, ...]
    fields: tuple[tuple[Ident, object], ...]
    span: Span


@dataclass(frozen=True)
class ChooseStmt:
    target: Ident
    domain: TypeNode | None
    where: object | None
    span: Span


@dataclass(frozen=True)
class StartStmt:
    timer: Ident
    duration: object
    span: Span


@dataclass(frozen=True)
class StopStmt:
    timer: Ident
    span: Span


@dataclass(frozen=True)
class IfStmt:
    cond: object
    then: tuple
    otherwise: tuple
    span: Span


@dataclass(frozen=True)
class TransitionNode:
    name: Ident
    labels: tuple[Ident, ...]
    sources: tuple[Ident, ...]
    target: Ident
    trigger: TriggerNode
    guard: object | None
    doc: str | None
    body: tuple
    span: Span


@dataclass(frozen=True)
class EndpointNode:
    name: Ident
    doc: str | None
    states: tuple[Ident, ...]
    initial: Ident | None
    terminal: tuple[Ident, ...]
    variables: tuple[VarDecl, ...]
    timers: tuple[Ident, ...]
    transitions: tuple[TransitionNode, ...]
    span: Span
    states_declarations: int = 1
    initial_declarations: int = 1
    edits: tuple = ()  # a variant's ReplaceNode / RemoveNode items for the base's endpoint


# ---- variants (``model NAME extends "BASE"``, merged by tcpcheck.lang.extends) -------------

@dataclass(frozen=True)
class ExtendsNode:
    path: str  # as written: relative to the directory of the file that says it
    span: Span  # the path string


@dataclass(frozen=True)
class ReplaceNode:
    """``replace DECL``: DECL takes the place (and the position) of the base's item of its
    name.  ``item`` is a ConstDecl, ParamDecl, LemmaDecl, PropertyNode, FieldDecl, VarDecl
    or TransitionNode."""

    item: object
    span: Span


@dataclass(frozen=True)
class RemoveNode:
    """``remove KIND NAME, ...``: the base's items of these names are left out."""

    kind: str  # const param lemma property field | state var timer transition
    names: tuple[Ident, ...]
    span: Span


@dataclass(frozen=True)
class SelectorNode:
    kind: str  # "transition" (endpoint.name-or-label) or "enters" (endpoint -> STATE)
    endpoint: Ident
    name: Ident
    span: Span


@dataclass(frozen=True)
class PropertyNode:
    name: Ident
    kind: str  # always, step, reachable, deadlock, eventually, always_eventually, leads_to
    expr: object | None
    selectors: tuple[SelectorNode, ...]
    doc: str | None
    span: Span
    premise: object | None = None  # leads_to: the P of ``P ~> Q`` (``expr`` is Q)


@dataclass(frozen=True)
class AssumeNode:
    """``assume NAME: BODY``: its body parsed as a property's (lowering requires a step body)."""

    node: PropertyNode


@dataclass(frozen=True)
class FairnessNode:
    """One line of a ``fairness { ... }`` block: ``weak channel.server``, ``strong tick``,
    ``weak client.syn_rexmt``."""

    strength: str  # weak, strong
    target: str  # channel (``endpoint`` the direction or None), transition, named
    endpoint: Ident | None  # channel.E: E; E.t: E
    name: Ident | None  # E.t: t; a named target (tick, timers): the name
    span: Span


@dataclass(frozen=True)
class ModelNode:
    name: Ident
    doc: str | None
    consts: tuple[ConstDecl, ...]
    bounds: tuple[Setting, ...]
    channel: tuple[Setting, ...]
    fields: tuple[FieldDecl, ...]
    endpoints: tuple[EndpointNode, ...]
    properties: tuple[PropertyNode, ...]
    span: Span
    file: str = "<string>"
    params: tuple[ParamDecl, ...] = ()
    lemmas: tuple[LemmaDecl, ...] = ()
    # variants: ``extends`` as parsed; ``edits`` are the top-level replace/remove items.
    # After merging (tcpcheck.lang.extends) ``extends`` is None, ``bases`` names the files
    # merged in (nearest base first) and ``declaration_order`` lists the consts and params
    # in declaration order as ("const" | "param", index) pairs (None: by source position).
    extends: ExtendsNode | None = None
    edits: tuple = ()
    bases: tuple[str, ...] = ()
    declaration_order: tuple | None = None
    fairness_blocks: tuple = ()  # one tuple of FairnessNode per ``fairness`` block (span, items)
    assumptions: tuple = ()  # PropertyNode of each ``assume`` (MANUAL 12.9), in order
