"""What happened in a run, as language-free facts: the history of every segment and one
fact per step.

A :class:`~tcpcheck.trace.Trace` says, step by step, what was sent, received, lost,
duplicated and what expired; it does not say *which* segment in flight a delivery took,
nor who sent it and when.  This module follows every copy of every segment through the
run, so that a sentence can say "an old SYN, sent by the client's previous incarnation at
step 1 and delayed in the network".  Identical copies (a retransmission, a duplicate)
cannot be told apart from the trace: a delivery, a loss or an expiry takes the copy whose
age matches, and among those the oldest (the one in the network longest), which makes the
choice deterministic.  After every step the copies are reconciled with the snapshot's
``in_flight``, so a trace from any engine (including ones whose steps we do not know how to
read, e.g. several ticks at once) never leaves the bookkeeping wrong for long; a segment
that appears without a known send has an unknown sender (``sender is None``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tcpcheck.trace.records import EndpointView, SegmentView, Step, Trace

RECEIVING_KINDS = ("recv", "discard")


@dataclass(frozen=True)
class SegmentHistory:
    """One copy of a segment, from the step that put it in the network to its fate.

    ``copy_of`` is the ``uid`` of the copy the network duplicated to make this one (at
    ``duplicated_at``); a copy inherits its original's sender, send step and incarnation.
    ``retransmits`` is the step of an earlier identical send by the same incarnation.
    ``fate`` is ``delivered``, ``discarded``, ``lost``, ``expired`` or ``in_flight`` (at
    the end of the run), and ``fate_at`` its step.
    """

    uid: int
    view: SegmentView
    sender: str | None
    sent_at: int | None
    incarnation: int | None  # the sender's incarnation when it sent the segment
    copy_of: int | None = None
    duplicated_at: int | None = None
    retransmits: int | None = None
    fate: str = "in_flight"
    fate_at: int | None = None

    @property
    def key(self) -> tuple:
        return segment_key(self.view)


@dataclass(frozen=True)
class SegmentFact:
    """A segment as seen at one step of the run: its history, and what that history means
    at this step.  ``old``: the sender has crashed and restarted since it sent the segment.
    ``delayed``: other steps happened between the send and this step."""

    history: SegmentHistory
    view: SegmentView
    old: bool
    delayed: bool

    @property
    def duplicate(self) -> bool:
        return self.history.copy_of is not None


@dataclass(frozen=True)
class StepFact:
    """One step of the run, ready to be put into words.

    ``before``/``after`` are the acting endpoint's views (None for the channel and the
    clock).  ``ticks`` is more than 1 when consecutive ticks were merged.  ``left_behind``
    (for a crash) lists the segments of the crashed incarnation still in the network.
    """

    index: int
    kind: str
    actor: str
    summary: str
    transition: str | None = None
    trigger: str | None = None
    before: EndpointView | None = None
    after: EndpointView | None = None
    received: SegmentFact | None = None
    sent: tuple = ()
    overflowed: tuple = ()
    segment: SegmentFact | None = None
    expired: tuple = ()
    ticks: int = 1
    left_behind: tuple = ()
    last: int = 0  # the last step index this fact covers (== index unless ticks merged)


@dataclass(frozen=True)
class Story:
    """Every step of a run as a :class:`StepFact`, and every segment's history."""

    trace: Trace
    steps: tuple
    histories: tuple = field(default=())

    def history(self, uid: int) -> SegmentHistory:
        return self.histories[uid]


def segment_key(view: SegmentView) -> tuple:
    """What makes two copies indistinguishable, apart from their age."""
    return (view.src, view.dst, view.flags, view.seq, view.ack, view.ghosts)


def tell(trace: Trace, merge_ticks: bool = True) -> Story:
    """The facts of ``trace``: one :class:`StepFact` per step (ticks in a row merged, unless
    ``merge_ticks`` is false: then exactly one per step), the initial state left out."""
    tracker = _Tracker(trace)
    facts = [tracker.step(step) for step in trace.steps[1:]]
    return Story(trace, tuple(_merge_ticks(facts) if merge_ticks else facts),
                 tracker.histories())


def segment_histories(trace: Trace) -> tuple:
    """The :class:`SegmentHistory` of every copy of every segment of ``trace``, in the
    order they entered the network."""
    return tell(trace).histories


# ---- the bookkeeping ------------------------------------------------------------------------

@dataclass
class _Copy:
    uid: int
    age: int


class _Tracker:
    """The copies in flight after each step, and what happened to each."""

    def __init__(self, trace: Trace):
        self.trace = trace
        self.records: list[dict] = []
        self.live: list[_Copy] = []
        self.previous = trace.steps[0].state if trace.steps else None
        for view in (self.previous.in_flight if self.previous else ()):
            self._add(view, sender=None, sent_at=None, incarnation=None)

    # -- one step ---------------------------------------------------------------------
    def step(self, step: Step) -> StepFact:
        before = self._endpoint(self.previous, step.actor)
        after = self._endpoint(step.state, step.actor)
        received = segment = None
        expired: tuple = ()
        left_behind: tuple = ()
        if step.kind in RECEIVING_KINDS and step.received is not None:
            received = self._take(step.received, step, "delivered" if step.kind == "recv"
                                  else "discarded")
        if step.kind in ("lose", "duplicate") and step.segment is not None:
            if step.kind == "lose":
                segment = self._take(step.segment, step, "lost")
            else:
                segment = self._duplicate(step.segment, step)
        if step.kind == "tick":
            expired = tuple(self._take(v, step, "expired") for v in step.expired)
        sent = tuple(self._send(v, step) for v in step.sent)
        if step.kind == "crash":
            left_behind = tuple(self._fact(c.uid, step) for c in self.live
                                if self.records[c.uid]["sender"] == step.actor
                                and self.records[c.uid]["incarnation"] is not None
                                and self.records[c.uid]["incarnation"] < after.incarnation)
        self._reconcile(step)
        self.previous = step.state
        return StepFact(step.index, step.kind, step.actor, step.summary, step.transition,
                        step.trigger, before, after, received, sent, step.overflowed, segment,
                        expired, 1, left_behind, step.index)

    @staticmethod
    def _endpoint(snapshot, name: str) -> EndpointView | None:
        if snapshot is None:
            return None
        for view in snapshot.endpoints:
            if view.name == name:
                return view
        return None

    # -- copies -----------------------------------------------------------------------
    def _add(self, view: SegmentView, **origin) -> int:
        uid = len(self.records)
        self.records.append({"view": view, "copy_of": None, "duplicated_at": None,
                             "retransmits": None, "fate": "in_flight", "fate_at": None,
                             **origin})
        self.live.append(_Copy(uid, view.age))
        return uid

    def _find(self, view: SegmentView) -> _Copy | None:
        """The copy a delivery, loss or expiry took: same segment, same age if one has it,
        else any; the oldest of those."""
        same = [c for c in self.live if segment_key(self.records[c.uid]["view"]) ==
                segment_key(view)]
        aged = [c for c in same if c.age == view.age]
        pool = aged or same
        return min(pool, key=lambda c: c.uid) if pool else None

    def _take(self, view: SegmentView, step: Step, fate: str) -> SegmentFact:
        copy = self._find(view)
        if copy is None:  # not known to be in flight: a segment of unknown origin
            self._add(view, sender=None, sent_at=None, incarnation=None)
            copy = self.live[-1]
        self.live.remove(copy)
        self.records[copy.uid].update(fate=fate, fate_at=step.index)
        return self._fact(copy.uid, step, view)

    def _duplicate(self, view: SegmentView, step: Step) -> SegmentFact:
        original = self._find(view)
        if original is None:
            self._add(view, sender=None, sent_at=None, incarnation=None)
            original = self.live[-1]
        source = self.records[original.uid]
        uid = self._add(view, sender=source["sender"], sent_at=source["sent_at"],
                        incarnation=source["incarnation"])
        self.records[uid].update(copy_of=original.uid, duplicated_at=step.index,
                                 retransmits=source["retransmits"])
        return self._fact(original.uid, step, view)

    def _send(self, view: SegmentView, step: Step) -> SegmentFact:
        sender = self._endpoint(step.state, step.actor)
        incarnation = sender.incarnation if sender is not None else None
        earlier = [r for r in self.records
                   if r["sender"] == step.actor and r["incarnation"] == incarnation
                   and r["copy_of"] is None and r["sent_at"] is not None
                   and segment_key(r["view"]) == segment_key(view)]
        uid = self._add(view, sender=step.actor, sent_at=step.index, incarnation=incarnation)
        if earlier:
            self.records[uid]["retransmits"] = earlier[0]["sent_at"]
        return self._fact(uid, step, view)

    def _reconcile(self, step: Step) -> None:
        """Make the live copies agree with the snapshot: drop copies it no longer has (a
        segment overflowed or a step we could not read), add the ones it has that we do
        not know, and take the ages from it (oldest copies oldest)."""
        wanted = Counter(segment_key(v) for v in step.state.in_flight)
        have = Counter(segment_key(self.records[c.uid]["view"]) for c in self.live)
        for key, extra in (have - wanted).items():
            mine = sorted((c for c in self.live if segment_key(self.records[c.uid]["view"])
                           == key), key=lambda c: -c.uid)
            for c in mine[:extra]:
                self.live.remove(c)
                if self.records[c.uid]["fate"] == "in_flight":
                    self.records[c.uid].update(fate="lost", fate_at=step.index)
        for view in step.state.in_flight:
            key = segment_key(view)
            if have[key] < wanted[key]:
                have[key] += 1
                self._add(view, sender=None, sent_at=None, incarnation=None)
        for key in wanted:
            ages = sorted((v.age for v in step.state.in_flight if segment_key(v) == key),
                          reverse=True)
            mine = sorted((c for c in self.live if segment_key(self.records[c.uid]["view"])
                           == key), key=lambda c: c.uid)
            for c, age in zip(mine, ages):
                c.age = age

    # -- results ----------------------------------------------------------------------
    def _fact(self, uid: int, step: Step, view: SegmentView | None = None) -> SegmentFact:
        record = self.records[uid]
        history = self._history(uid)
        sender = self._endpoint(step.state, record["sender"]) if record["sender"] else None
        old = (sender is not None and record["incarnation"] is not None
               and sender.incarnation > record["incarnation"])
        delayed = record["sent_at"] is not None and step.index - record["sent_at"] > 1
        return SegmentFact(history, view or record["view"], old, delayed)

    def _history(self, uid: int) -> SegmentHistory:
        r = self.records[uid]
        return SegmentHistory(uid, r["view"], r["sender"], r["sent_at"], r["incarnation"],
                              r["copy_of"], r["duplicated_at"], r["retransmits"], r["fate"],
                              r["fate_at"])

    def histories(self) -> tuple:
        return tuple(self._history(uid) for uid in range(len(self.records)))


def _merge_ticks(facts: list) -> list:
    """Ticks in a row in which nothing expired become one fact: "3 ticks pass" says the
    same as three sentences, and runs waiting for a timer are long."""
    out: list = []
    for fact in facts:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == "tick" and fact.kind == "tick"
                and not prev.expired and not fact.expired):
            out[-1] = StepFact(prev.index, "tick", prev.actor, prev.summary,
                               ticks=prev.ticks + 1, last=fact.index)
        else:
            out.append(fact)
    return out
