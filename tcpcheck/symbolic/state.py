"""The global state as Z3 terms, and the pure channel operations on it.

A state (section 13.1 of spec/MANUAL.md) becomes one :class:`StateTerms`: per endpoint its
control state, incarnation, variables and timers (-1 = stopped); per direction a count and
``capacity`` slots kept **packed** (slots ``0 .. count-1`` hold the segments, in queue order
for a FIFO direction, in arrival order for a bag; the others are all zeros, so that a state
has one representation per order); the fault counters; the ``error`` flag of the built-in
``domains`` property; and a monitor of the last action (endpoint, transition, received
segment, with its age) that step properties read.  Bags are multisets, so two slot orders
of one bag are the same explicit state: reachability, which is all BMC and the proofs are
about, does not depend on the order.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from tcpcheck.model import ir
from tcpcheck.symbolic.terms import MASK_BITS, SegTerms, SeqArith, is_seq_set

NO_ACTION = -1  # the monitor's endpoint after a channel fault or a tick


@dataclass
class EndpointTerms:
    control: object
    incarnation: object
    variables: list
    timers: list

    def flat(self) -> list:
        return [self.control, self.incarnation, *self.variables, *self.timers]


@dataclass
class SlotTerms(SegTerms):
    age: object = None

    def flat(self) -> list:
        return [self.flags, self.seq, self.ack, *self.ghosts, self.age]


@dataclass
class DirectionTerms:
    count: object
    slots: list

    def valid(self, i: int):
        return self.count > i

    def flat(self) -> list:
        return [self.count] + [t for s in self.slots for t in s.flat()]


@dataclass
class StateTerms:
    endpoints: list
    channels: list
    lost: object
    duplicated: object
    error: object
    last_endpoint: object
    last_transition: object
    last_seg: SlotTerms  # with its age just before delivery, which step properties read

    def flat(self) -> list:
        return ([t for e in self.endpoints for t in e.flat()]
                + [t for d in self.channels for t in d.flat()]
                + [self.lost, self.duplicated, self.error, self.last_endpoint,
                   self.last_transition, *self.last_seg.flat()])


class Sorts:
    """The sort of every value of a model, for one sequence space."""

    def __init__(self, model: ir.Model, arith: SeqArith):
        self.model = model
        self.arith = arith

    def sort(self, type_):
        if isinstance(type_, ir.BoolType):
            return z3.BoolSort()
        if isinstance(type_, ir.SeqType):
            return self.arith.sort
        if is_seq_set(type_):
            return z3.SetSort(self.arith.sort)
        if isinstance(type_, ir.SetType):
            return z3.BitVecSort(MASK_BITS)
        return z3.IntSort()

    def fresh(self, name: str, type_):
        return z3.Const(name, self.sort(type_))

    def value(self, type_, raw):
        """A constant of ``type_`` from an explicit-engine value (masks for sets)."""
        if isinstance(type_, ir.BoolType):
            return z3.BoolVal(bool(raw))
        if isinstance(type_, ir.SeqType):
            return self.arith.const(raw)
        if is_seq_set(type_):
            result = z3.EmptySet(self.arith.sort)
            for i in range(MASK_BITS):
                if raw >> i & 1:
                    result = z3.SetAdd(result, self.arith.const(i))
            return result
        if isinstance(type_, ir.SetType):
            return z3.BitVecVal(raw, MASK_BITS)
        return z3.IntVal(raw)

    def zero(self, type_):
        return self.value(type_, 0)

    def well_formed(self, type_, term):
        if isinstance(type_, ir.SeqType):
            return self.arith.well_formed(term)
        if isinstance(type_, ir.IntType) and type_.lo is not None:
            return z3.And(term >= type_.lo, term <= type_.hi)
        return z3.BoolVal(True)


class StateFactory:
    """Fresh state vectors and their well-formedness constraints."""

    def __init__(self, model: ir.Model, sorts: Sorts):
        self.model = model
        self.sorts = sorts
        self.capacity = model.channel.capacity
        self.ghost_types = tuple(f.type for f in model.ghost_fields)

    def fresh(self, tag: str) -> StateTerms:
        eps = [self._endpoint(tag, e, spec) for e, spec in enumerate(self.model.endpoints)]
        towards = [f"{tag}.to_{spec.name}" for spec in self.model.endpoints]
        chans = [DirectionTerms(z3.Int(f"{towards[d]}.count"),
                                [self._slot(f"{towards[d]}[{i}]") for i in range(self.capacity)])
                 for d in (0, 1)]
        last = self._slot(f"{tag}.last")
        return StateTerms(eps, chans, z3.Int(f"{tag}.lost"), z3.Int(f"{tag}.dup"),
                          z3.Bool(f"{tag}.error"), z3.Int(f"{tag}.last_e"),
                          z3.Int(f"{tag}.last_t"), last)

    def _endpoint(self, tag, e, spec: ir.Endpoint) -> EndpointTerms:
        name = f"{tag}.{spec.name}"
        variables = [self.sorts.fresh(f"{name}.{v.name}", v.type) for v in spec.variables]
        timers = [z3.Int(f"{name}.timer.{t}") for t in spec.timers]
        return EndpointTerms(z3.Int(f"{name}.state"), z3.Int(f"{name}.incarnation"),
                             variables, timers)

    def _segment(self, name: str) -> SegTerms:
        ghosts = tuple(self.sorts.fresh(f"{name}.{f.name}", f.type) for f in self.model.ghost_fields)
        return SegTerms(z3.BitVec(f"{name}.flags", 6), self.sorts.arith.fresh(f"{name}.seq"),
                        self.sorts.arith.fresh(f"{name}.ack"), ghosts)

    def _slot(self, name: str) -> SlotTerms:
        seg = self._segment(name)
        return SlotTerms(seg.flags, seg.seq, seg.ack, seg.ghosts, z3.Int(f"{name}.age"))

    # -- constant pieces -----------------------------------------------------------------
    def zero_segment(self) -> SegTerms:
        ghosts = tuple(self.sorts.zero(t) for t in self.ghost_types)
        return SegTerms(z3.BitVecVal(0, 6), self.sorts.arith.const(0), self.sorts.arith.const(0),
                        ghosts)

    def zero_slot(self) -> SlotTerms:
        z = self.zero_segment()
        return SlotTerms(z.flags, z.seq, z.ack, z.ghosts, z3.IntVal(0))

    # -- constraints ---------------------------------------------------------------------
    def initial(self, s: StateTerms) -> object:
        parts = []
        for e, spec in enumerate(self.model.endpoints):
            ep = s.endpoints[e]
            parts += [ep.control == spec.initial, ep.incarnation == 0]
            parts += [v == self.sorts.value(var.type, var.init)
                      for v, var in zip(ep.variables, spec.variables)]
            parts += [t == -1 for t in ep.timers]
        for d in s.channels:
            parts += [d.count == 0] + [slot_equal(x, self.zero_slot()) for x in d.slots]
        parts += [s.lost == 0, s.duplicated == 0, z3.Not(s.error),
                  s.last_endpoint == NO_ACTION, s.last_transition == NO_ACTION,
                  slot_equal(s.last_seg, self.zero_slot())]
        return z3.And(parts)

    def well_formed(self, s: StateTerms) -> object:
        """What every reachable state satisfies by construction (types, packed slots);
        assumed of the arbitrary states that induction starts from."""
        parts = []
        for e, spec in enumerate(self.model.endpoints):
            ep = s.endpoints[e]
            parts += [ep.control >= 0, ep.control < len(spec.states), ep.incarnation >= 0,
                      ep.incarnation < max(self.model.bounds.incarnations, 1)]
            parts += [self.sorts.well_formed(var.type, v) for v, var in zip(ep.variables, spec.variables)]
            parts += [t >= -1 for t in ep.timers]
        for d in s.channels:
            parts += [d.count >= 0, d.count <= self.capacity]
            for i, slot in enumerate(d.slots):
                parts.append(z3.Implies(z3.Not(d.valid(i)), slot_equal(slot, self.zero_slot())))
                parts += [slot.age >= 0, self.sorts.arith.well_formed(slot.seq),
                          self.sorts.arith.well_formed(slot.ack)]
                if self.model.channel.msl is None:  # nothing ages (13.4): as explicit, age 0
                    parts.append(slot.age == 0)
                parts += [self.sorts.well_formed(t, g) for t, g in zip(self.ghost_types, slot.ghosts)]
        ch = self.model.channel
        parts += [s.lost >= 0, s.duplicated >= 0]
        if ch.loss is not None:
            parts.append(s.lost <= ch.loss)
        if ch.duplication is not None:
            parts.append(s.duplicated <= ch.duplication)
        return z3.And(parts)


def segment_equal(a: SegTerms, b: SegTerms):
    return z3.And([a.flags == b.flags, a.seq == b.seq, a.ack == b.ack]
                  + [x == y for x, y in zip(a.ghosts, b.ghosts)])


def slot_equal(a: SlotTerms, b: SlotTerms):
    return z3.And(segment_equal(a, b), a.age == b.age)


def states_equal(a: StateTerms, b: StateTerms):
    return z3.And([x == y for x, y in zip(a.flat(), b.flat())])


# ---- pure channel operations (each returns a new DirectionTerms) ----------------------

def slot_if(cond, a: SlotTerms, b: SlotTerms) -> SlotTerms:
    return SlotTerms(z3.If(cond, a.flags, b.flags), z3.If(cond, a.seq, b.seq),
                     z3.If(cond, a.ack, b.ack),
                     tuple(z3.If(cond, x, y) for x, y in zip(a.ghosts, b.ghosts)),
                     z3.If(cond, a.age, b.age))


def slot_at(d: DirectionTerms, index) -> SlotTerms:
    """The slot at a symbolic ``index`` (an If-chain; index assumed in range)."""
    result = d.slots[-1]
    for i in range(len(d.slots) - 2, -1, -1):
        result = slot_if(index == i, d.slots[i], result)
    return result


def remove_at(d: DirectionTerms, index, zero: SlotTerms) -> DirectionTerms:
    """Remove the segment at ``index``; later ones move down (the queue order is kept)."""
    c = len(d.slots)
    slots = [slot_if(index > i, d.slots[i], d.slots[i + 1]) for i in range(c - 1)]
    slots.append(zero)
    return DirectionTerms(d.count - 1, slots)


def append(d: DirectionTerms, seg: SlotTerms) -> tuple:
    """Add ``seg`` at the end; returns (direction, overflowed) where overflowed is true when
    the direction was full (the segment is dropped: a loss)."""
    full = d.count >= len(d.slots)
    slots = [slot_if(d.count == i, seg, s) for i, s in enumerate(d.slots)]
    return DirectionTerms(z3.If(full, d.count, d.count + 1), slots), full


def insert_after(d: DirectionTerms, index, seg: SlotTerms) -> DirectionTerms:
    """Insert ``seg`` right after position ``index`` (a FIFO duplicate); room assumed."""
    slots = []
    for i, s in enumerate(d.slots):
        if i == 0:
            slots.append(s)
            continue
        slots.append(slot_if(index >= i, s, slot_if(index == i - 1, seg, d.slots[i - 1])))
    return DirectionTerms(d.count + 1, slots)


def age_and_expire(d: DirectionTerms, delta, msl, zero: SlotTerms) -> tuple:
    """Every segment ages by ``delta``; those reaching ``msl`` leave (packed again).
    Returns (direction, number expired)."""
    keep = [z3.And(d.valid(i), s.age + delta < msl) for i, s in enumerate(d.slots)]
    rank = []  # rank[i]: how many kept slots come before slot i
    running = z3.IntVal(0)
    for k in keep:
        rank.append(running)
        running = running + z3.If(k, 1, 0)
    aged = [SlotTerms(s.flags, s.seq, s.ack, s.ghosts, s.age + delta) for s in d.slots]
    slots = []
    for j in range(len(d.slots)):
        result = zero
        for i in range(len(d.slots) - 1, j - 1, -1):
            result = slot_if(z3.And(keep[i], rank[i] == j), aged[i], result)
        slots.append(result)
    return DirectionTerms(running, slots), d.count - running
