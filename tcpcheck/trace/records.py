"""Runs of a model, in the model's own terms: the one trace type every engine returns.

A :class:`Trace` is a list of :class:`Step`; step 0 is the initial state.  Each step says
who acted (an endpoint's name, ``channel`` or ``clock``), what happened, and the whole
system afterwards (:class:`Snapshot`).  Values are plain Python values (state names,
ints, bools, sorted tuples for sets), so renderers need no engine and no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tcpcheck.model.ir import DATA_FIELDS, FLAG_NAMES


@dataclass(frozen=True)
class SegmentView:
    """A segment as a person reads it.  ``src``/``dst`` are endpoint names."""

    src: str
    dst: str
    flags: str  # "SYN+ACK"
    seq: int
    ack: int
    # (name, value) pairs of the model's added fields: the protocol fields it declares
    # (len, wnd: DATA_FIELDS) first, then its ghost fields
    ghosts: tuple = ()
    age: int = 0

    def text(self, with_ghosts: bool = True) -> str:
        """``ACK seq=1 ack=1 len=2 wnd=4 conn=0``: the protocol fields always, the ghost
        fields unless ``with_ghosts`` is false."""
        parts = [self.flags, f"seq={self.seq}"]
        if "ACK" in self.flags.split("+"):
            parts.append(f"ack={self.ack}")
        parts += [f"{k}={str(v).lower() if isinstance(v, bool) else v}"
                  for k, v in self.ghosts if with_ghosts or k in DATA_FIELDS]
        return " ".join(parts)

    def field(self, name: str, default=None):
        """The value of an added field (``len``, ``wnd``, a ghost), ``default`` when the
        model declares none of that name."""
        return dict(self.ghosts).get(name, default)

    @property
    def data(self) -> tuple:
        """The protocol fields (len, wnd) the segment carries, as (name, value) pairs."""
        return tuple((k, v) for k, v in self.ghosts if k in DATA_FIELDS)

    @property
    def ghost_only(self) -> tuple:
        """The ghost fields, without the protocol fields."""
        return tuple((k, v) for k, v in self.ghosts if k not in DATA_FIELDS)


@dataclass(frozen=True)
class EndpointView:
    name: str
    state: str
    incarnation: int
    variables: tuple  # (name, value) pairs, declaration order
    timers: tuple  # (name, ticks left or None when stopped) pairs

    def value(self, name: str):
        for k, v in self.variables:
            if k == name:
                return v
        raise KeyError(name)


@dataclass(frozen=True)
class Snapshot:
    """The whole system at one point of a run."""

    endpoints: tuple  # two EndpointView
    in_flight: tuple  # SegmentView, both directions
    lost: int = 0
    duplicated: int = 0

    def endpoint(self, name: str) -> EndpointView:
        for e in self.endpoints:
            if e.name == name:
                return e
        raise KeyError(name)


@dataclass(frozen=True)
class Step:
    """One action and the system after it.

    ``kind`` is one of ``init``, ``user`` (open/listen/close/abort), ``crash``,
    ``timeout``, ``recv`` (a transition fired on a received segment), ``discard`` (the
    endpoint dropped a segment no transition accepts), ``lose``, ``duplicate``, ``tick``
    (time passed; ``expired`` lists segments that outlived MSL) or ``error``.
    """

    index: int
    actor: str
    kind: str
    summary: str
    state: Snapshot
    transition: str | None = None
    trigger: str | None = None
    received: SegmentView | None = None
    sent: tuple = ()
    overflowed: tuple = ()
    expired: tuple = ()
    segment: SegmentView | None = None  # the segment a channel fault acted on


@dataclass(frozen=True)
class Trace:
    """A run: ``steps[0]`` is the initial state.

    ``loop_start`` is for lasso-shaped runs of liveness properties (the steps from there on
    repeat forever); None for a finite run."""

    model: str
    steps: tuple
    kind: str = "counterexample"  # or "witness"
    property: str | None = None
    loop_start: int | None = None
    endpoint_names: tuple = field(default=("client", "server"))
    params: tuple = ()  # (name, value) pairs: the params' values in this run (symbolic engines)

    def __len__(self) -> int:
        """The number of actions (the initial state is not one)."""
        return len(self.steps) - 1


# ---- what every Trace promises --------------------------------------------------------------
#
# The renderers (tcpcheck.render: chart, steps, rfc, mermaid, svg, json, itf), the journey
# replay they share and the evaluator of ``trace --eval`` index steps by ``Step.index``,
# look endpoints up by name, pair each endpoint's variables with the previous step's and
# read ghost fields by name.  An engine builds traces that keep these rules by
# construction; a trace read from a file keeps them because tcpcheck.trace.files refuses any
# that does not (with :func:`trace_problem`), so no renderer needs to check again.

STEP_KINDS = ("init", "user", "crash", "timeout", "recv", "discard", "lose", "duplicate",
              "tick", "error")
FIRING_KINDS = ("user", "crash", "timeout", "recv")  # a transition fired
TRACE_KINDS = ("counterexample", "witness", "difference")
TRIGGERS = {"user": ("open", "listen", "close", "abort", "send", "receive"), "crash": ("crash",),
            "timeout": ("timeout",), "recv": ("recv",)}
CHANNEL_ACTOR, CLOCK_ACTOR, INIT_ACTOR = "channel", "clock", "init"
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a tcpspec name
# what an engine writes as a tick's summary ("2 ticks pass" with jump time); rfc counts them
TICK_SUMMARY = re.compile(r"(one tick passes|[1-9][0-9]{0,17} ticks pass)(;.*)?")


@dataclass(frozen=True)
class TraceProblem:
    """Why a trace breaks the rules above: ``where`` is the path to the part at fault in
    the terms of the records (``("steps", 2, "state", "endpoints", 1, "name")``, the same
    path as in the JSON of tcpcheck.render.json.trace), ``message`` says what is wrong."""

    where: tuple
    message: str


def trace_problem(trace: Trace, *, seqspace: int | None = None) -> TraceProblem | None:
    """The first way ``trace`` is not internally consistent, or None.  ``seqspace``, when
    known, bounds every segment's ``seq`` and ``ack``."""
    try:
        _Rules(trace, seqspace).check()
    except _Broken as broken:
        return broken.args[0]
    return None


class _Broken(Exception):
    """Carries the TraceProblem out of the rules."""


def _kind_of(value) -> str | None:
    """The sort of a variable's or ghost field's value: bool, int or set (None: neither)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, tuple) and all(isinstance(x, int) and not isinstance(x, bool)
                                        for x in value):
        return "set"
    return None


def _quote(value) -> str:
    """A value of a trace quoted in a message, at most 40 characters of it."""
    text = repr(value)
    return text if len(text) <= 40 else text[:36] + "...'"


_SORT_WORDS = {"bool": "true/false", "int": "a whole number", "set": "a set", None: "no value"}


class _Rules:
    def __init__(self, trace: Trace, seqspace: int | None):
        self.t = trace
        self.seqspace = seqspace
        self.names = tuple(trace.endpoint_names)
        self.first_views = None  # step 0's endpoints: the variables and timers of every step
        self.ghosts = None  # the ghost fields of the first segment: those of every segment

    def fail(self, where: tuple, message: str):
        raise _Broken(TraceProblem(where, message))

    def name(self, value, where: tuple, what: str) -> None:
        if not (isinstance(value, str) and NAME.fullmatch(value)):
            self.fail(where, f"{what} must be a name (letters, digits, '_'), not "
                      f"{_quote(value)}")

    def natural(self, value, where: tuple, what: str) -> None:
        if not (isinstance(value, int) and not isinstance(value, bool)) or value < 0:
            self.fail(where, f"{what} must be a whole number, 0 or more, not {_quote(value)}")

    def check(self) -> None:
        t = self.t
        self.name(t.model, ("model",), "the model's name")
        if t.property is not None:
            self.name(t.property, ("property",), "the property's name")
        if t.kind not in TRACE_KINDS:
            self.fail(("kind",), f"a trace is a {' or '.join(TRACE_KINDS)}, not "
                      f"{_quote(t.kind)}")
        names = self.names
        if len(names) != 2 or len(set(names)) != 2:
            self.fail(("endpoint_names",), "a trace has two endpoints with different names, "
                      f"found {', '.join(map(_quote, names)) or 'none'}")
        for i, n in enumerate(names):
            self.name(n, ("endpoint_names", i), "an endpoint's name")
        for k, v in t.params:
            self.name(k, ("params", k), "a param")
            if not isinstance(v, int) or isinstance(v, bool):
                self.fail(("params", k), f"a param's value is a whole number, not {_quote(v)}")
        if not t.steps:
            self.fail(("steps",), "a trace has at least its initial state")
        last = len(t.steps) - 1
        if t.loop_start is not None and not (1 <= t.loop_start <= last):
            self.fail(("loop_start",), f"the loop starts at step {t.loop_start}, but the steps "
                      f"that can repeat are 1 to {last}" if last else
                      "a run of no steps has no loop")
        for i, step in enumerate(t.steps):
            self.step(i, step, last)

    # -- steps -------------------------------------------------------------------------
    def record(self, value, cls, where: tuple) -> None:
        if not isinstance(value, cls):
            self.fail(where, f"expected a {cls.__name__} record, found {_quote(value)}")

    def step(self, i: int, s: Step, last: int) -> None:
        at = ("steps", i)
        self.record(s, Step, at)
        self.record(s.state, Snapshot, at + ("state",))
        if s.index != i:
            self.fail(at + ("index",), f"step {i} of the run says it is step {s.index}")
        if s.kind not in STEP_KINDS:
            self.fail(at + ("kind",), f"unknown kind of step {_quote(s.kind)}; the kinds are "
                      + ", ".join(STEP_KINDS))
        if (i == 0) != (s.kind == "init"):
            self.fail(at + ("kind",), "step 0, and only step 0, is the initial state "
                      f"(kind 'init'), not {_quote(s.kind)}" if i == 0 else
                      "only step 0 is the initial state (kind 'init')")
        if s.kind == "error" and i != last:
            self.fail(at + ("kind",), "an 'error' step can only be the last step of a run")
        self.actor(at, s)
        if not (isinstance(s.summary, str) and s.summary.isprintable()):
            self.fail(at + ("summary",), "a summary is one line of printable text")
        if s.kind == "tick" and not TICK_SUMMARY.fullmatch(s.summary):
            self.fail(at + ("summary",), "a tick's summary begins 'one tick passes' or "
                      f"'N ticks pass', not {_quote(s.summary[:40])}")
        self.firing(at, s)
        self.segments(at, s)
        self.snapshot(at + ("state",), s.state)

    def actor(self, at: tuple, s: Step) -> None:
        if s.kind == "init":
            wanted, words = (INIT_ACTOR,), f"'{INIT_ACTOR}'"
        elif s.kind in ("lose", "duplicate"):
            wanted, words = (CHANNEL_ACTOR,), f"'{CHANNEL_ACTOR}'"
        elif s.kind == "tick":
            wanted, words = (CLOCK_ACTOR,), f"'{CLOCK_ACTOR}'"
        else:
            wanted, words = self.names, "an endpoint (" + ", ".join(self.names) + ")"
        if s.actor not in wanted:
            self.fail(at + ("actor",), f"a step of kind '{s.kind}' is taken by {words}, "
                      f"not {_quote(s.actor)}")

    def firing(self, at: tuple, s: Step) -> None:
        if s.kind in FIRING_KINDS or s.kind == "error":
            self.name(s.transition, at + ("transition",), "the transition that fired")
        elif s.transition is not None:
            self.fail(at + ("transition",), f"a step of kind '{s.kind}' fires no transition")
        if s.kind in FIRING_KINDS:
            if s.trigger not in TRIGGERS[s.kind]:
                self.fail(at + ("trigger",), f"the trigger of a step of kind '{s.kind}' is "
                          + " or ".join(f"'{x}'" for x in TRIGGERS[s.kind])
                          + f", not {_quote(s.trigger)}")
        elif s.trigger is not None:
            self.fail(at + ("trigger",), f"a step of kind '{s.kind}' has no trigger")

    def segments(self, at: tuple, s: Step) -> None:
        receives = s.kind in ("recv", "discard")
        if receives and s.received is None:
            self.fail(at + ("received",), f"a step of kind '{s.kind}' names the segment received")
        if not receives and s.received is not None:
            self.fail(at + ("received",), f"a step of kind '{s.kind}' receives no segment")
        if s.received is not None:
            self.segment(at + ("received",), s.received)
            if s.received.dst != s.actor:
                self.fail(at + ("received", "dst"), f"{s.actor} receives a segment for "
                          f"{s.received.dst}")
        faults = s.kind in ("lose", "duplicate")
        if faults != (s.segment is not None):
            self.fail(at + ("segment",), f"a step of kind '{s.kind}' names the segment it acts on"
                      if faults else f"a step of kind '{s.kind}' acts on no segment")
        if s.segment is not None:
            self.segment(at + ("segment",), s.segment)
        if s.kind not in FIRING_KINDS:
            for key in ("sent", "overflowed"):
                if getattr(s, key):
                    self.fail(at + (key,), f"a step of kind '{s.kind}' sends nothing")
        for k, seg in enumerate(s.sent):
            self.segment(at + ("sent", k), seg)
            if seg.src != s.actor:
                self.fail(at + ("sent", k, "src"), f"{s.actor} sends a segment from {seg.src}")
        for k, seg in enumerate(s.overflowed):
            self.segment(at + ("overflowed", k), seg)
        dropped = len(s.overflowed)
        if dropped and tuple(s.sent[len(s.sent) - dropped:]) != tuple(s.overflowed):
            self.fail(at + ("overflowed",), "the segments dropped are the last of those sent "
                      "('sent' lists every send, the dropped ones last)")
        if s.kind != "tick" and s.expired:
            self.fail(at + ("expired",), "only a tick lets segments expire")
        for k, seg in enumerate(s.expired):
            self.segment(at + ("expired", k), seg)

    # -- the system after a step -----------------------------------------------------------
    def snapshot(self, at: tuple, snap: Snapshot) -> None:
        views = tuple(snap.endpoints)
        if len(views) != 2:
            self.fail(at + ("endpoints",), f"expected the 2 endpoints {', '.join(self.names)}"
                      f", found {len(views)}")
        for e, view in enumerate(views):
            self.record(view, EndpointView, at + ("endpoints", e))
            self.endpoint(at + ("endpoints", e), e, view)
        if self.first_views is None:
            self.first_views = views
        for k, seg in enumerate(snap.in_flight):
            self.segment(at + ("in_flight", k), seg)
        self.natural(snap.lost, at + ("lost",), "'lost'")
        self.natural(snap.duplicated, at + ("duplicated",), "'duplicated'")

    def endpoint(self, at: tuple, e: int, view: EndpointView) -> None:
        if view.name != self.names[e]:
            self.fail(at + ("name",), f"endpoint {e + 1} of the run is {self.names[e]}, "
                      f"not {_quote(view.name)}")
        self.name(view.state, at + ("state",), "a control state")
        self.natural(view.incarnation, at + ("incarnation",), "an incarnation")
        first = self.first_views[e] if self.first_views is not None else None
        self.pairs(at + ("variables",), view.variables,
                   first.variables if first is not None else None, "variable", self.value)
        self.pairs(at + ("timers",), view.timers, first.timers if first is not None else None,
                   "timer", self.timer, sorts=False)  # running or stopped (None) in any step

    def pairs(self, at: tuple, pairs: tuple, first: tuple | None, what: str, check,
              reference: str = "step 0", sorts: bool = True) -> None:
        """Named values (variables, timers, ghost fields): each a name with a good value,
        and the same names in the same order, with values of the same sort, as ``first``
        (those of ``reference``)."""
        names = [k for k, _ in pairs]
        for k, v in pairs:
            self.name(k, at + (k,), f"a {what}'s name")
            check(v, at + (k,))
        if first is None:
            return
        wanted = [k for k, _ in first]
        if names != wanted:
            missing = [k for k in wanted if k not in names]
            extra = [k for k in names if k not in wanted]
            how = f"no {what} '{missing[0]}'" if missing else \
                f"a {what} '{extra[0]}' that {reference} does not have" if extra else \
                f"its {what}s in another order"
            self.fail(at, f"{how}: the {what}s are those of {reference} "
                      f"({', '.join(wanted) or 'none'}), in that order")
        for (k, v), (_, v0) in zip(pairs, first):
            if sorts and _kind_of(v) != _kind_of(v0):
                self.fail(at + (k,), f"{_SORT_WORDS[_kind_of(v)]} here, but "
                          f"{_SORT_WORDS[_kind_of(v0)]} in {reference}")

    def value(self, v, where: tuple) -> None:
        if _kind_of(v) is None:
            self.fail(where, f"a value is true/false, a whole number or a set of them, "
                      f"not {_quote(v)}")

    def timer(self, v, where: tuple) -> None:
        if v is not None:
            self.natural(v, where, "a timer's ticks left")

    def segment(self, at: tuple, seg: SegmentView) -> None:
        self.record(seg, SegmentView, at)
        for key in ("src", "dst"):
            if getattr(seg, key) not in self.names:
                self.fail(at + (key,), f"{_quote(getattr(seg, key))} is not an endpoint of the "
                          f"run ({', '.join(self.names)})")
        if seg.src == seg.dst:
            self.fail(at + ("dst",), f"a segment goes from one endpoint to the other, not from "
                      f"{seg.src} to itself")
        flags = seg.flags.split("+") if isinstance(seg.flags, str) else [None]
        if seg.flags != "none" and (not set(flags) <= set(FLAG_NAMES)
                                    or len(set(flags)) != len(flags)):
            self.fail(at + ("flags",), "flags are distinct names among "
                      f"{', '.join(FLAG_NAMES)}, not {_quote(seg.flags)}")
        for key in ("seq", "ack"):
            value = getattr(seg, key)
            self.natural(value, at + (key,), f"'{key}'")
            if self.seqspace is not None and value >= self.seqspace:
                self.fail(at + (key,), f"{key} {value} is outside the sequence space 0 .. "
                          f"{self.seqspace - 1} of the run")
        self.natural(seg.age, at + ("age",), "'age'")
        if self.ghosts is None:
            self.pairs(at + ("ghosts",), seg.ghosts, None, "ghost field", self.value)
            self.ghosts = seg.ghosts
        else:
            self.pairs(at + ("ghosts",), seg.ghosts, self.ghosts, "ghost field", self.value,
                       "the run's first segment")
