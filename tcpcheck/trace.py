"""Runs of a model, in the model's own terms: the one trace type every engine returns.

A :class:`Trace` is a list of :class:`Step`; step 0 is the initial state.  Each step says
who acted (an endpoint's name, ``channel`` or ``clock``), what happened, and the whole
system afterwards (:class:`Snapshot`).  Values are plain Python values (state names,
ints, bools, sorted tuples for sets), so renderers need no engine and no model.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SegmentView:
    """A segment as a person reads it.  ``src``/``dst`` are endpoint names."""

    src: str
    dst: str
    flags: str  # "SYN+ACK"
    seq: int
    ack: int
    ghosts: tuple = ()  # (name, value) pairs
    age: int = 0

    def text(self, with_ghosts: bool = True) -> str:
        parts = [self.flags, f"seq={self.seq}"]
        if "ACK" in self.flags.split("+"):
            parts.append(f"ack={self.ack}")
        if with_ghosts:
            parts += [f"{k}={str(v).lower() if isinstance(v, bool) else v}"
                      for k, v in self.ghosts]
        return " ".join(parts)


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

    def _repr_svg_(self) -> str:
        """Jupyter shows a trace as its sequence chart."""
        from tcpcheck.render.svg import svg  # renderers depend on this module, not back

        return svg(self)
