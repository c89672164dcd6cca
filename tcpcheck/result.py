"""What a check returns: a verdict per property, statistics, and how complete the run was.

Shared by every engine.  Statuses:

* ``holds``: the state space was explored completely and the property was never broken;
* ``violated``: a run breaks it (``trace`` is a shortest one for the explicit engine);
* ``reached``: a ``reachable`` goal with its witness run;
* ``unreachable``: complete exploration found no state meeting a ``reachable`` goal;
* ``not_verified``: the run stopped (limit, timeout, Ctrl-C) before deciding the property.

A run that stops early never reports ``holds`` or ``unreachable``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tcpcheck.trace.records import Trace

HOLDS, VIOLATED, REACHED, UNREACHABLE, NOT_VERIFIED = (
    "holds", "violated", "reached", "unreachable", "not_verified")
FAILING = (VIOLATED, UNREACHABLE)

LEMMA = "lemma"  # the kind under which a model's lemmas are reported beside its properties

EXIT_HOLDS, EXIT_VIOLATED, EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_INTERNAL = 0, 1, 2, 3, 4

# The detail of a property left NOT_VERIFIED because the run stopped, by stop reason; the
# explanations (tcpcheck.explain) find the reason again from the detail to say it in words.
STOP_DETAILS = {
    "decided": "exploration stopped once the other properties were decided",
    "max-states": "the state limit was reached",
    "max-depth": "the depth limit was reached",
    "timeout": "the time limit was reached",
    "interrupted": "the run was interrupted",
    "terminated": "the run was terminated (SIGTERM)",
    "max-memory": "the memory limit was reached",
    "out-of-memory": "the machine's memory ran out",
    "error": "a transition failed to evaluate (see domains)",
    "approximate": "no violation found, but approximate storage may have missed states",
    "partition-lost": "a partition of the search (a Ray actor) was lost, with its states",
}
STOPPED = "the run stopped"  # the detail for any other reason


@dataclass(frozen=True)
class PropertyResult:
    name: str
    kind: str  # always, step, reachable, deadlock, domains
    status: str
    trace: Trace | None = None
    detail: str | None = None  # e.g. the kind of deadlock, or why it is not verified
    doc: str | None = None
    invariant: tuple | None = None  # symbolic proofs: the inductive invariant, a conjunct each
    # every counterexample found when more than one was asked for (CheckOptions
    # counterexamples > 1), shortest first, traces[0] == trace; () otherwise
    traces: tuple = ()
    # liveness: the fairness constraints the model does not declare under which the
    # counterexample's cycle is unfair (FairnessHint each); () otherwise
    hints: tuple = ()
    # states at the edge of the channel's bound (every segment in flight waits for room to
    # send its replies, so the run ends there though a larger channel would let it go on)
    # that the verdict stops at: for a safety property that holds or a goal that is
    # unreachable, all of the run's (the verdict covers the runs up to them: "holds within
    # the bounds"); for a liveness property not verified because of them, those that its
    # goal-avoiding runs reach; 0 otherwise
    channel_full: int = 0


@dataclass(frozen=True)
class FairnessHint:
    """A fairness constraint that rules a liveness counterexample out: ``constraint`` as
    it would be written (``strong channel``), ``reason`` what the cycle does that it
    forbids, ``with_it`` the verdict the property gets once it is declared, judged as the
    checker judges every liveness property (HOLDS, VIOLATED, NOT_VERIFIED when a run that
    avoids the goal reaches ``edge`` states at the edge of the bounds; None when that is
    not known: the exploration was incomplete)."""

    constraint: str
    reason: str
    with_it: str | None = None
    edge: int = 0

    @property
    def holds_with_it(self) -> bool | None:
        """True when the property holds with the constraint, False when it is still
        violated, None otherwise (not verified, or not known)."""
        return {HOLDS: True, VIOLATED: False}.get(self.with_it)

    @property
    def text(self) -> str:
        text = (f"this cycle is unfair under `{self.constraint}`: {self.reason}; declaring "
                f"`fairness {{ {self.constraint} }}` rules this run out")
        if self.with_it == HOLDS:
            text += ", and with it the property holds"
        elif self.with_it == VIOLATED:
            text += ", but the property is still violated with it (by another run)"
        elif self.with_it == NOT_VERIFIED:
            text += (", but with it the property is not verified: a run that avoids the goal "
                     f"reaches the edge of the bounds ({self.edge:,} such "
                     f"state{'s' if self.edge != 1 else ''})")
        return text


@dataclass(frozen=True)
class Coverage:
    endpoint: str
    transition: str
    fired: int
    line: int = 0


@dataclass(frozen=True)
class Stats:
    states: int
    transitions: int
    diameter: int
    seconds: float
    peak_memory_mb: float
    coverage: tuple = ()
    # what the run's stored states hold: resident memory after the search less before it
    # (None where it cannot be read); SPIN's "memory usage" per state, which bench compares
    stored_mb: float | None = None
    # the native engine's C compilation before the search: seconds of cc (0.0 when the
    # compiled model was found in the cache), None for the Python engine
    compile_seconds: float | None = None

    @property
    def states_per_second(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else float(self.states)

    @property
    def bytes_per_state(self) -> float | None:
        if self.stored_mb is None or not self.states:
            return None
        return self.stored_mb * 2 ** 20 / self.states


@dataclass(frozen=True)
class CheckResult:
    model: str
    engine: str
    properties: tuple
    stats: Stats
    complete: bool
    stop_reason: str | None = None  # "max-states", "max-depth", "timeout", "interrupted", ...
    warnings: tuple = field(default=())
    # which implementation of the engine ran: "python" (tcpcheck.explicit) or "native"
    # (tcpcheck.native, the same search compiled to C); the verdicts are the same
    backend: str = "python"
    # threads that explored (check --workers): every search is one thread today, so this
    # says 1 until the native engine's parallel search (issue 13 section 1) exists
    workers: int = 1
    # check --storage hashcompact|bitstate: a tcpcheck.storage.Storage (what may have been
    # missed); None for an exact run
    storage: object = None

    def get(self, name: str) -> PropertyResult:
        return property_named(self.properties, name)

    @property
    def exit_code(self) -> int:
        """0 every property holds, 1 one fails, 3 nothing failed but not all was verified."""
        return exit_code_of({p.status for p in self.properties})


def property_named(properties, name: str) -> PropertyResult:
    """The result of property ``name`` among ``properties`` (KeyError if absent)."""
    for p in properties:
        if p.name == name:
            return p
    raise KeyError(name)


def exit_code_of(statuses) -> int:
    """The exit code of the explicit verdicts ``statuses``: 1 when one fails, else 3 when
    one is not verified, else 0."""
    if set(statuses) & set(FAILING):
        return EXIT_VIOLATED
    if NOT_VERIFIED in statuses:
        return EXIT_INCOMPLETE
    return EXIT_HOLDS
