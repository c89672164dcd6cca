"""Where each part of a global state lives in the native engine's slots, and how many bits
it takes once packed.

The unpacked state is an array of int64 slots in the order of the Python tuple
``(ep0, ep1, chan0, chan1, lost, duplicated)`` (tcpcheck.explicit.semantics), with a
channel stored as its count followed by ``capacity`` segments (the unused ones zero).
Packed, each slot takes the bits its declared domain needs, so the visited set stores a
few words per state; :func:`flatten` turns a Python state into the same slots, which is
how a native trace is checked against the reference semantics.
"""

from __future__ import annotations

from dataclasses import dataclass

from tcpcheck.explicit.compile import VAR_BASE
from tcpcheck.model import ir

TIMER_FALLBACK_MAX = (1 << 20) - 1  # a timer whose durations are not all constants


@dataclass(frozen=True)
class Field:
    """One packed slot: its index, the smallest value, and its width in bits."""

    slot: int
    lo: int
    bits: int
    segment: int = -1  # the segment position it belongs to (-1: not in a channel)
    direction: int = -1


@dataclass(frozen=True)
class Layout:
    ep_base: tuple  # slot of each endpoint's control
    ep_width: tuple  # slots per endpoint
    timer_base: tuple  # per endpoint, offset of its first timer within the endpoint
    timers: tuple  # per endpoint, number of timers
    chan_base: tuple  # slot of each channel's count
    seg_width: int
    capacity: int
    lost: int
    dup: int
    slots: int
    fields: tuple  # Field records, in packing order
    words: int  # 64-bit words per packed state
    timer_max: tuple  # per endpoint, per timer: the largest value it may hold


def bits_for(count: int) -> int:
    """Bits to tell ``count`` values apart (0 for one value)."""
    return max(count - 1, 0).bit_length()


def value_range(type_, modulus: int) -> tuple:
    """(lo, hi) of a variable or ghost field of ``type_``."""
    if isinstance(type_, ir.BoolType):
        return 0, 1
    if isinstance(type_, ir.IntType):
        return type_.lo, type_.hi
    if isinstance(type_, ir.SeqType):
        return 0, type_.modulus - 1
    if isinstance(type_, ir.SetType):
        return 0, (1 << set_bits(type_.element)) - 1
    raise ValueError(f"no native layout for {type_}")


def set_bits(element) -> int:
    if isinstance(element, ir.IntType):
        return element.hi + 1
    if isinstance(element, ir.SeqType):
        return element.modulus
    return 2


def timer_maxima(model: ir.Model) -> tuple:
    """Per endpoint and timer, the largest duration it is started with (a constant), or
    TIMER_FALLBACK_MAX when some duration is computed (packing checks it at run time)."""
    out = []
    for e in model.endpoints:
        best = [0] * len(e.timers)
        for t in e.transitions:
            for s in _statements(t.body):
                if isinstance(s, ir.StartTimer):
                    value = _constant(s.duration)
                    best[s.timer] = TIMER_FALLBACK_MAX if value is None else \
                        max(best[s.timer], min(value, TIMER_FALLBACK_MAX))
        out.append(tuple(best))
    return tuple(out)


def _constant(expr):
    if isinstance(expr, ir.Lit) and isinstance(expr.value, int):
        return int(expr.value)
    if isinstance(expr, ir.ParamRef):
        return expr.default
    return None


def _statements(block):
    for s in block:
        yield s
        if isinstance(s, ir.If):
            yield from _statements(s.then)
            yield from _statements(s.otherwise)


def build(model: ir.Model) -> Layout:
    m = model.bounds.seqspace
    ch = model.channel
    fields, slot = [], 0
    ep_base, ep_width, timer_base, timers = [], [], [], []
    maxima = timer_maxima(model)
    for e, ep in enumerate(model.endpoints):
        ep_base.append(slot)
        fields.append(Field(slot, 0, bits_for(len(ep.states))))
        fields.append(Field(slot + 1, 0, bits_for(model.bounds.incarnations)))
        for k, var in enumerate(ep.variables):
            lo, hi = value_range(var.type, m)
            fields.append(Field(slot + VAR_BASE + k, lo, bits_for(hi - lo + 1)))
        base = VAR_BASE + len(ep.variables)
        for k in range(len(ep.timers)):
            fields.append(Field(slot + base + k, -1, bits_for(maxima[e][k] + 2)))
        timer_base.append(base)
        timers.append(len(ep.timers))
        ep_width.append(base + len(ep.timers))
        slot += base + len(ep.timers)
    seg_fields = [(0, 6), (0, bits_for(m)), (0, bits_for(m))]
    for g in model.ghost_fields:
        lo, hi = value_range(g.type, m)
        seg_fields.append((lo, bits_for(hi - lo + 1)))
    seg_fields.append((0, bits_for(ch.msl) if ch.msl else 0))
    seg_width = len(seg_fields)
    chan_base = []
    for d in (0, 1):
        chan_base.append(slot)
        fields.append(Field(slot, 0, bits_for(ch.capacity + 1)))
        for pos in range(ch.capacity):
            for k, (lo, bits) in enumerate(seg_fields):
                fields.append(Field(slot + 1 + pos * seg_width + k, lo, bits, pos, d))
        slot += 1 + ch.capacity * seg_width
    lost, dup = slot, slot + 1
    fields.append(Field(lost, 0, bits_for((ch.loss or 0) + 1)))
    fields.append(Field(dup, 0, bits_for((ch.duplication or 0) + 1)))
    slot += 2
    placed = _place(fields)
    return Layout(tuple(ep_base), tuple(ep_width), tuple(timer_base), tuple(timers),
                  tuple(chan_base), seg_width, ch.capacity, lost, dup, slot, tuple(fields),
                  placed, maxima)


def _place(fields) -> int:
    """Words needed when no field straddles two words."""
    word, used = 0, 0
    for f in fields:
        if f.bits == 0:
            continue
        if used + f.bits > 64:
            word, used = word + 1, 0
        used += f.bits
    return word + 1


def flatten(layout: Layout, state: tuple) -> list:
    """A Python engine state as the native engine's unpacked slots."""
    slots = [0] * layout.slots
    for e in (0, 1):
        for k, value in enumerate(state[e]):
            slots[layout.ep_base[e] + k] = int(value)
    for d in (0, 1):
        base = layout.chan_base[d]
        channel = state[2 + d]
        slots[base] = len(channel)
        for pos, seg in enumerate(channel):
            for k, value in enumerate(seg):
                slots[base + 1 + pos * layout.seg_width + k] = int(value)
    slots[layout.lost] = state[4]
    slots[layout.dup] = state[5]
    return slots
