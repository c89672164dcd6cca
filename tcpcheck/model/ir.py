"""The frozen model: the validated, immutable intermediate form that every engine reads.

Names are resolved to indices, types are checked, domains are finite.  Engines never see
source text or the syntax tree; they read these records only.  A model can be built from
Python directly with these constructors (see
``tests/model/test_python_build.py`` for an example); the engines assume the invariants
that lowering guarantees (indices in range, expressions well typed).

Layout conventions shared by the engines:
* endpoint 0 and endpoint 1 (exactly two); ``Model.endpoints[i].name`` is the user's name;
* a segment's flags are a bit set of :class:`Flag`;
* sequence numbers live in ``0 .. bounds.seqspace - 1`` and compare as RFC 9293 3.4 says.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from tcpcheck.diagnostics import NO_SPAN, Diagnostic, Span


class Flag(enum.IntFlag):
    """TCP control bits (RFC 9293 3.1); the order is the header's, lowest bit first."""

    FIN = 1
    SYN = 2
    RST = 4
    PSH = 8
    ACK = 16
    URG = 32


FLAG_NAMES = ("SYN", "FIN", "RST", "PSH", "ACK", "URG")  # how traces list them: SYN+ACK, FIN+ACK


def flags_of(names) -> int:
    value = 0
    for n in names:
        value |= int(Flag[n])  # a plain int: IntFlag arithmetic is slow in the inner loop
    return value


def flag_text(bits: int) -> str:
    """``SYN+ACK`` style; ``none`` for a segment with no control bit."""
    names = [n for n in FLAG_NAMES if bits & Flag[n]]
    return "+".join(names) if names else "none"


# ---- types ------------------------------------------------------------------------------

@dataclass(frozen=True)
class BoolType:
    def values(self) -> tuple:
        return (False, True)

    def __str__(self) -> str:
        return "bool"


@dataclass(frozen=True)
class IntType:
    """Integers in ``lo .. hi``; unbounded (None) only for intermediate arithmetic."""

    lo: int | None = None
    hi: int | None = None

    def values(self) -> range:
        """The values, in order, as a range: never enumerated here (a range may be huge)."""
        return range(self.lo, self.hi + 1)

    def contains(self, value: int) -> bool:
        return (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)

    def __str__(self) -> str:
        # an open bound (an incarnation, a timer, an age) reads as a plain integer
        return f"{self.lo}..{self.hi}" if None not in (self.lo, self.hi) else "int"


@dataclass(frozen=True)
class SeqType:
    """Sequence numbers modulo ``modulus`` with RFC 9293 modular comparison."""

    modulus: int

    def values(self) -> range:
        """0 .. modulus - 1 as a range (up to 2^32 values: never enumerated here)."""
        return range(self.modulus)

    def __str__(self) -> str:
        return "seq"


def seq_lt(a: int, b: int, modulus: int) -> bool:
    """RFC 9293 3.4 ``SEQ.LT``: ``a - b`` is negative in modulus arithmetic (the one
    definition: the engines and the evaluation of saved runs share it)."""
    return (a - b) % modulus >= (modulus + 1) // 2


@dataclass(frozen=True)
class SetType:
    """A finite set of values of ``element`` type, stored as a bit mask."""

    element: object

    def __str__(self) -> str:
        return f"set of {self.element}"


@dataclass(frozen=True)
class StateType:
    """The control state of endpoint ``endpoint``."""

    endpoint: int

    def __str__(self) -> str:
        return "state"


BOOL = BoolType()
INT = IntType()
TIMER_TYPE = IntType(-1, None)  # ticks left; -1 when stopped (no static upper bound)
AGE_TYPE = IntType(0, None)  # ticks since a segment was sent


# ---- expressions ------------------------------------------------------------------------

@dataclass(frozen=True)
class Lit:
    value: object
    type: object


@dataclass(frozen=True)
class ParamRef:
    """A symbolic integer parameter (Model.params[index]); engines that need a number use default."""

    index: int
    name: str
    default: int
    type: object = INT


@dataclass(frozen=True)
class VarRef:
    """Variable ``index`` of endpoint ``endpoint`` (in a transition: always its own)."""

    endpoint: int
    index: int
    name: str
    type: object
    ghost: bool


@dataclass(frozen=True)
class ControlState:
    endpoint: int
    type: object


@dataclass(frozen=True)
class StateLit:
    endpoint: int
    index: int
    name: str
    type: object


@dataclass(frozen=True)
class IncarnationRef:
    """How many times the endpoint has crashed; a ghost (only properties may read it)."""

    endpoint: int
    type: object
    ghost: bool = True


@dataclass(frozen=True)
class TimerRef:
    """Timer ``index`` of endpoint ``endpoint``, read by a property or lemma: the ticks left
    while it runs (0 = expired, its ``timeout`` not yet fired), -1 when stopped.

    Lowering produces it only in property context: a transition reacts to its timers
    through ``timeout`` triggers and never reads them as numbers."""

    endpoint: int
    index: int
    name: str
    type: object = TIMER_TYPE


@dataclass(frozen=True)
class SegField:
    """A field of a segment: ``binder`` is ``seg`` (the one received) or a quantifier's name.

    ``field`` is ``seq``, ``ack``, a flag name (a bool), ``dst`` (endpoint index), ``age``
    (ticks in flight; always 0 without an ``msl``; properties only), the index-th field of
    ``Model.ghost_fields`` (``ghost_index``; a protocol field such as ``len`` has
    ``ghost=False``) or ``seglen``: RFC 9293's SEG.LEN, the ``len`` field (``ghost_index``,
    None when the model declares no ``len``) plus one for SYN and one for FIN.
    """

    binder: str
    field: str
    type: object
    ghost_index: int | None = None
    ghost: bool = False


@dataclass(frozen=True)
class Unary:
    op: str
    operand: object
    type: object


@dataclass(frozen=True)
class Binary:
    op: str
    left: object
    right: object
    type: object


@dataclass(frozen=True)
class SetLiteral:
    items: tuple
    type: object


@dataclass(frozen=True)
class Quantifier:
    """``exists``/``forall`` over the segments in flight (towards ``direction``, or all)."""

    kind: str
    var: str
    direction: int | None
    body: object
    type: object = BOOL


# ---- statements -------------------------------------------------------------------------

@dataclass(frozen=True)
class Assign:
    var: int
    value: object
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Send:
    flags: int
    seq: object
    ack: object
    ghosts: tuple  # one expression per model ghost field
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Choose:
    """``choose VAR [in TYPE] [where COND]``.  ``domain`` holds the candidate values in
    order: a ``range`` for numbers (it may cover 2^32 sequence numbers, so it is never
    enumerated before an engine decides it can afford to: see :func:`domain_size`), two of
    them (:class:`Ranges`) when a seq variable wraps an int range, or ``(False, True)``."""

    var: int
    domain: object  # range, Ranges or tuple
    where: object | None
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Ranges:
    """The values of some ranges, one after the other: the residues of an int range that
    wrap round a seq variable's modulus (``choose s in 14..17`` with seqspace 16 gives
    14, 15, 0, 1).  Iterable like a tuple, enumerated only when iterated."""

    parts: tuple

    def __iter__(self):
        for part in self.parts:
            yield from part

    def __len__(self) -> int:
        return sum(domain_size(p) for p in self.parts)


def domain_size(domain) -> int:
    """How many values a Choose's domain holds, without enumerating it (``len()`` of a
    range fails beyond sys.maxsize)."""
    if isinstance(domain, Ranges):
        return sum(domain_size(p) for p in domain.parts)
    if isinstance(domain, range):
        return max(0, (domain.stop - domain.start + domain.step - (1 if domain.step > 0 else -1))
                   // domain.step)
    return len(domain)


@dataclass(frozen=True)
class StartTimer:
    timer: int
    duration: object
    span: Span = NO_SPAN


@dataclass(frozen=True)
class StopTimer:
    timer: int
    span: Span = NO_SPAN


@dataclass(frozen=True)
class If:
    cond: object
    then: tuple
    otherwise: tuple
    span: Span = NO_SPAN


# ---- structure --------------------------------------------------------------------------

# RFC 9293 3.10's user calls; SEND and RECEIVE move data (the amounts are the model's)
USER_CALLS = ("open", "listen", "close", "abort", "send", "receive")


@dataclass(frozen=True)
class Trigger:
    """What makes a transition fire.

    ``kind`` is a user call (``open listen close abort``), ``crash``, ``timeout`` (of
    ``timer``) or ``recv``.  A ``recv`` matches a segment whose flags include every bit of
    ``must_set``, none of ``must_clear`` and, unless ``others_free``, no other bit.
    """

    kind: str
    timer: int | None = None
    must_set: int = 0
    must_clear: int = 0
    others_free: bool = False

    def matches(self, flags: int) -> bool:
        if flags & self.must_set != self.must_set or flags & self.must_clear:
            return False
        return self.others_free or flags == self.must_set


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: int | None  # None: stay in the state it fired from ("-> same")
    trigger: Trigger
    guard: object | None = None
    body: tuple = ()
    labels: frozenset = frozenset()
    doc: str | None = None
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Variable:
    name: str
    type: object
    init: object
    ghost: bool = False
    persistent: bool = False
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Endpoint:
    name: str
    states: tuple
    initial: int
    variables: tuple = ()
    timers: tuple = ()
    transitions: tuple = ()
    terminal: frozenset = frozenset()
    doc: str | None = None
    span: Span = NO_SPAN

    def state_index(self, name: str) -> int:
        return self.states.index(name)

    def var_index(self, name: str) -> int:
        return [v.name for v in self.variables].index(name)


# The protocol fields a model may add to a segment (MANUAL 7), in the order every engine
# stores them: before the ghost fields, whatever order the model declares them in.
# ``len`` is the payload length in octets (SYN and FIN take one sequence number more each:
# see :func:`seg_len`); ``wnd`` the advertised window (RFC 9293 3.1); ``ts`` the sender's
# timestamp (RFC 7323 TSval) as an abstract ordered value: a small number whose order is
# all that counts (PAWS, the TIME-WAIT reuse rule), never a clock reading.
DATA_FIELDS = ("len", "wnd", "ts")


@dataclass(frozen=True)
class GhostField:
    """A field a model adds to segments: a ghost (``ghost NAME : TYPE``, for observers) or,
    with ``ghost=False``, one of the protocol fields :data:`DATA_FIELDS`, which transitions
    may read.  ``Model.ghost_fields`` holds both kinds, protocol fields first: engines store
    each as one more slot after ``ack``."""

    name: str
    type: object
    span: Span = NO_SPAN
    ghost: bool = True


def seg_len(flags: int, length: int) -> int:
    """RFC 9293 3.3.1's SEG.LEN: the sequence numbers a segment occupies, its payload plus
    one for SYN and one for FIN (``seg.seglen``; the one definition the engines and the
    renderers share)."""
    return length + (1 if flags & Flag.SYN else 0) + (1 if flags & Flag.FIN else 0)


@dataclass(frozen=True)
class Channel:
    """The network between the endpoints, one bounded bag (or queue) per direction.

    ``loss`` and ``duplication`` are budgets per run: ``None`` = unbounded, 0 = never.
    ``msl`` is the maximum segment lifetime in ticks (None: segments never age).
    A segment that expires counts against the loss budget; see spec/MANUAL.md.
    ``msl_expr`` is the int expression of ``msl`` when it mentions a param (``msl`` then
    holds its value at the params' defaults); None otherwise.
    ``shared``: the two directions are one bag (or queue) whose ``capacity`` counts every
    segment in flight, both ways (SPIN-style models: one network of N segments).
    """

    capacity: int = 2
    loss: int | None = None
    duplication: int | None = None
    reordering: bool = True
    msl: int | None = None
    msl_expr: object | None = None
    shared: bool = False


@dataclass(frozen=True)
class Bounds:
    seqspace: int = 4
    incarnations: int = 1


LIVENESS_KINDS = ("eventually", "always_eventually", "leads_to")
PROPERTY_KINDS = ("always", "step", "reachable", "deadlock", *LIVENESS_KINDS)


@dataclass(frozen=True)
class Property:
    """A named property.

    * ``always``: ``expr`` holds in every reachable state;
    * ``step``: ``expr`` holds after every firing of a transition in ``selectors`` (pairs
      of endpoint index and transition index); ``seg`` is the segment it received and
      ``self`` the endpoint that fired, so ``step_exprs`` holds one expression per endpoint;
    * ``reachable``: some reachable state satisfies ``expr`` (a witness run is reported);
    * ``deadlock``: every reachable state with no successor is terminal;
    * ``eventually``: every run from the initial state reaches a state satisfying ``expr``;
    * ``always_eventually``: every run passes through ``expr`` states infinitely often (or
      stops in one);
    * ``leads_to``: ``premise ~> expr``: from every reachable state satisfying ``premise``,
      every run reaches an ``expr`` state.  The three liveness kinds are judged over the
      runs that the model's :class:`Fairness` constraints allow.
    """

    name: str
    kind: str
    expr: object | None = None
    selectors: frozenset = frozenset()
    doc: str | None = None
    span: Span = NO_SPAN
    step_exprs: tuple = ()  # (endpoint index, expression) pairs, for "step" properties
    premise: object | None = None  # leads_to: the P of ``P ~> Q`` (``expr`` is Q)

    def expr_for(self, endpoint: int):
        for e, expr in self.step_exprs:
            if e == endpoint:
                return expr
        return self.expr

    @property
    def liveness(self) -> bool:
        return self.kind in LIVENESS_KINDS


@dataclass(frozen=True)
class Fairness:
    """One fairness constraint of the ``fairness`` block.

    ``target`` is ``channel`` (every distinct segment, age aside, is delivered: towards
    ``endpoint`` only, or both directions when None), ``tick`` (time passes), ``timers``
    (each ``timeout`` transition) or ``transition`` (the ``transitions``: (endpoint,
    transition index) pairs a name or label selected).  ``weak``: an action enabled for
    ever is eventually taken; ``strong``: an action enabled infinitely often is taken
    infinitely often.  ``text`` is the constraint as written (``strong channel.server``).
    """

    strength: str
    target: str
    endpoint: int | None = None
    transitions: frozenset = frozenset()
    text: str = ""
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Param:
    """``param NAME = DEFAULT where CONSTRAINT``: an integer the explicit engine fixes at
    ``default`` and the symbolic engine leaves open (any value satisfying every constraint).

    ``constraint`` is a bool expression over :class:`ParamRef` and :class:`Lit` only (the
    conjunction of this param's ``where``), or None when it has none.
    """

    name: str
    default: int
    constraint: object | None = None
    doc: str | None = None
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Lemma:
    """``lemma NAME: EXPR``: a strengthening invariant for k-induction.  ``expr`` is a bool
    expression in property context (as an ``always`` property's ``expr``)."""

    name: str
    expr: object
    doc: str | None = None
    span: Span = NO_SPAN


@dataclass(frozen=True)
class Model:
    name: str
    endpoints: tuple
    properties: tuple = ()
    channel: Channel = field(default_factory=Channel)
    bounds: Bounds = field(default_factory=Bounds)
    ghost_fields: tuple = ()
    constants: tuple = ()  # (name, value) pairs, for display; derived ones at the defaults
    doc: str | None = None
    file: str = "<python>"
    warnings: tuple[Diagnostic, ...] = ()
    params: tuple = ()  # Param records; ParamRef.index indexes this tuple
    lemmas: tuple = ()  # Lemma records, in declaration order
    extends: tuple[str, ...] = ()  # a variant: the files merged into it, nearest base first
    fairness: tuple = ()  # Fairness records of the model's ``fairness`` block
    # the --set values the model was loaded with ((name, value) pairs, in the order given;
    # tcpcheck.loader records them), so that a result can say what settings it was found at
    overrides: tuple = ()
    # ``assume`` declarations (MANUAL 12.9): Property records of kind "step"; a firing of a
    # selected transition is a successor only if the expression holds right after it
    assumptions: tuple = ()

    def get_property(self, name: str) -> Property:
        for p in self.properties:
            if p.name == name:
                return p
        raise KeyError(name)

    def endpoint_index(self, name: str) -> int:
        return [e.name for e in self.endpoints].index(name)
