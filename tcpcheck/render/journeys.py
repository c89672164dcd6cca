"""Where each segment of a run went: sent at one step, and arrived, lost, expired or still
in flight at another.

A :class:`tcpcheck.trace.Trace` says what each step sent and received but gives segments no
identity, so the sequence-chart renderers (chart, rfc, mermaid, svg) would each have to
work out which send a receive belongs to.  :func:`journeys` does it once: it replays the
channel along the steps, matching each segment that leaves the channel (received,
discarded, lost, expired) to one that entered it.  Identical copies are told apart by age,
then by taking the original before a channel-made duplicate and the earliest send first,
which is also how a person would read the run.  Pure: the trace in, records out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tcpcheck.trace.records import SegmentView, Step, Trace

# What became of a segment.
ARRIVED = "arrived"  # received by a transition of the destination
DISCARDED = "discarded"  # reached the destination, which dropped it (no transition accepts it)
LOST = "lost"  # the channel lost it
EXPIRED = "expired"  # outlived MSL in the channel
DROPPED = "dropped"  # never entered the channel: the direction was full
IN_FLIGHT = "in_flight"  # still in the channel when the run ends

_FIRES = ("user", "timeout", "crash", "recv")


@dataclass(frozen=True)
class Journey:
    """One segment's life.  ``sent`` is the step that sent it (for a channel-made copy, the
    step that sent the original; 0 for a segment already in flight initially, None when the
    trace does not show where it came from); ``end`` the step it left the channel at (None
    while in flight).  ``copy_made`` is the step at which the channel duplicated it, for a
    copy; None for an original."""

    number: int  # order of entering the channel, from 0
    segment: SegmentView
    sent: int | None
    fate: str
    end: int | None = None
    copy_made: int | None = None

    @property
    def is_copy(self) -> bool:
        return self.copy_made is not None

    @property
    def reached_destination(self) -> bool:
        return self.fate in (ARRIVED, DISCARDED)


def segment_key(seg: SegmentView) -> tuple:
    """What identifies a segment's contents (everything but its age)."""
    return (seg.src, seg.dst, seg.flags, seg.seq, seg.ack, tuple(seg.ghosts))


def accepted_sends(step: Step) -> tuple:
    """The segments a step put into the channel: ``sent`` lists every send, and the ones
    that overflowed a full direction are its last ``len(overflowed)``."""
    kept = len(step.sent) - len(step.overflowed)
    return tuple(step.sent[:max(kept, 0)])


class _Channel:
    """The segments in flight during the replay, each with its age and journey so far."""

    def __init__(self):
        self.flying: list = []  # [Journey, age]
        self.done: list = []
        self.count = 0

    def enter(self, seg: SegmentView, sent: int | None, copy_made: int | None = None) -> None:
        self.flying.append([Journey(self.count, replace(seg, age=0), sent, IN_FLIGHT,
                                    copy_made=copy_made), seg.age])
        self.count += 1

    def finish(self, seg: SegmentView, step: int, sent: int | None, fate: str) -> None:
        self.done.append(Journey(self.count, replace(seg, age=0), sent, fate, step))
        self.count += 1

    def find(self, seg: SegmentView):
        """The entry ``seg`` is most likely to be, or None when nothing matches."""
        key = segment_key(seg)
        candidates = [e for e in self.flying if segment_key(e[0].segment) == key]
        if not candidates:
            return None
        return min(candidates, key=lambda e: (e[1] != seg.age, e[0].is_copy,
                                              e[0].sent if e[0].sent is not None else -1,
                                              e[0].number))

    def leave(self, seg: SegmentView, step: int, fate: str) -> None:
        entry = self.find(seg)
        if entry is None:  # the trace does not show where it came from
            self.finish(seg, step, None, fate)
            return
        self.flying.remove(entry)
        self.done.append(replace(entry[0], fate=fate, end=step))

    def tick(self) -> None:
        for entry in self.flying:
            entry[1] += 1

    def result(self) -> tuple:
        everything = self.done + [e[0] for e in self.flying]
        return tuple(sorted(everything, key=lambda j: j.number))


def journeys(trace: Trace) -> tuple:
    """Every segment of ``trace``, in the order it entered the channel (or was dropped)."""
    channel = _Channel()
    for seg in trace.steps[0].state.in_flight if trace.steps else ():
        channel.enter(seg, 0)
    for step in trace.steps[1:]:
        _replay(channel, step)
    return channel.result()


def _replay(channel: _Channel, step: Step) -> None:
    if step.kind in _FIRES:
        if step.received is not None:
            channel.leave(step.received, step.index, ARRIVED)
        for seg in accepted_sends(step):
            channel.enter(seg, step.index)
        for seg in step.overflowed:
            channel.finish(seg, step.index, step.index, DROPPED)
    elif step.kind == "discard" and step.received is not None:
        channel.leave(step.received, step.index, DISCARDED)
    elif step.kind == "lose" and step.segment is not None:
        channel.leave(step.segment, step.index, LOST)
    elif step.kind == "duplicate" and step.segment is not None:
        original = channel.find(step.segment)
        sent = original[0].sent if original is not None else None
        channel.enter(step.segment, sent, copy_made=step.index)
    elif step.kind == "tick":
        channel.tick()
        for seg in step.expired:
            channel.leave(seg, step.index, EXPIRED)


@dataclass(frozen=True)
class StepJourneys:
    """The journeys one step touches: those it sent (or dropped), the one it received or
    discarded, those the channel lost, duplicated or let expire at it."""

    sent: tuple = ()
    dropped: tuple = ()
    arrived: tuple = ()  # ARRIVED or DISCARDED here
    lost: tuple = ()
    expired: tuple = ()
    copied: tuple = ()  # copies made here


def by_step(trace: Trace, all_journeys: tuple | None = None) -> tuple:
    """One :class:`StepJourneys` per step of ``trace`` (index 0 = the initial state)."""
    all_journeys = journeys(trace) if all_journeys is None else all_journeys
    table = [dict(sent=[], dropped=[], arrived=[], lost=[], expired=[], copied=[])
             for _ in trace.steps]
    for j in all_journeys:
        if j.fate == DROPPED:
            table[j.end]["dropped"].append(j)
            continue
        if j.is_copy:
            table[j.copy_made]["copied"].append(j)
        elif j.sent is not None and 0 < j.sent < len(table):
            table[j.sent]["sent"].append(j)
        if j.end is not None:
            where = {ARRIVED: "arrived", DISCARDED: "arrived", LOST: "lost",
                     EXPIRED: "expired"}[j.fate]
            table[j.end][where].append(j)
    return tuple(StepJourneys(**{k: tuple(v) for k, v in row.items()}) for row in table)
