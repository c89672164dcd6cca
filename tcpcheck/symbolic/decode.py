"""A Z3 model of an unrolled run -> the same :class:`tcpcheck.trace.Trace` the explicit
engine returns (so every renderer prints both alike), with concrete values.

Each state vector is read back into the explicit engine's compact state layout and each
step into its action tuple; :class:`tcpcheck.explicit.decode.Decoder` then builds the
views.  Bags are sorted as the explicit engine keeps them; a set of sequence numbers
(a Z3 set over 2**32 values) is read back as the sorted tuple of its members.
"""

from __future__ import annotations

import dataclasses

import z3

from tcpcheck.explicit.decode import Decoder
from tcpcheck.explicit.semantics import DISCARD, DUPLICATE, FIRE, LOSE, TICK
from tcpcheck.symbolic.encoding import JUMP, Encoding
from tcpcheck.symbolic.state import StateTerms
from tcpcheck.symbolic.terms import SegTerms, is_seq_set
from tcpcheck.trace.records import Step, Trace


class _SetAwareDecoder(Decoder):
    def value(self, type_, raw):
        if isinstance(raw, tuple):
            return raw
        return super().value(type_, raw)


class RunDecoder:
    """Reads runs of ``enc`` out of a Z3 model."""

    def __init__(self, enc: Encoding, model: z3.ModelRef):
        self.enc = enc
        self.m = model
        self.views = _SetAwareDecoder(enc.model)

    def num(self, term) -> int | bool:
        v = self.m.eval(term, model_completion=True)
        if z3.is_true(v) or z3.is_false(v):
            return z3.is_true(v)
        return v.as_long()

    # -- compact states ------------------------------------------------------------------
    def _value(self, type_, term):
        if is_seq_set(type_):
            return self._members(term)
        return self.num(term)

    def _members(self, term) -> tuple:
        """The members of a set of sequence numbers (a Store chain over a constant array,
        which is how Z3 writes a finite set in a model)."""
        value = self.m.eval(term, model_completion=True)
        found = set()
        while z3.is_store(value):
            array, index, present = value.children()
            if z3.is_true(self.m.eval(z3.IsMember(index, term), model_completion=True)):
                found.add(index.as_long())
            value = array
        if not z3.is_const_array(value) or not z3.is_false(value.children()[0]):
            raise ValueError("the solver's value of a set is not a finite list of members")
        return tuple(sorted(found))

    def segment(self, seg: SegTerms, age) -> tuple:
        ghosts = tuple(self.num(g) for g in seg.ghosts)
        return (self.num(seg.flags), self.num(seg.seq), self.num(seg.ack), *ghosts,
                self.num(age) if self.enc.msl is not None else 0)

    def state(self, s: StateTerms) -> tuple:
        eps = []
        for e, spec in enumerate(self.enc.model.endpoints):
            ep = s.endpoints[e]
            values = [self._value(v.type, t) for v, t in zip(spec.variables, ep.variables)]
            timers = [self.num(t) for t in ep.timers]
            eps.append((self.num(ep.control), self.num(ep.incarnation), *values, *timers))
        chans = []
        for d in s.channels:
            segs = [self.segment(slot, slot.age) for i, slot in enumerate(d.slots)
                    if i < self.num(d.count)]
            chans.append(tuple(sorted(segs)) if self.enc.model.channel.reordering else tuple(segs))
        return (eps[0], eps[1], chans[0], chans[1], self.num(s.lost), self.num(s.duplicated))

    # -- actions ---------------------------------------------------------------------------
    def action(self, before: StateTerms, after: StateTerms, tag: str):
        """The explicit action tuple of the step ``before -> after``, or ("error", e, t)."""
        mapping = self.enc.step_mapping(before, after, tag)
        at = lambda term: z3.substitute(term, *mapping)  # noqa: E731 - tiny local helper
        act = self.enc.actions[self.num(z3.Int(f"{tag}.act"))]
        a = act.action
        seg = None
        if act.received is not None:
            r = act.received
            seg = self.segment(SegTerms(at(r.flags), at(r.seq), at(r.ack),
                                        tuple(at(g) for g in r.ghosts)), at(r.age))
        if a.kind == "fire":
            sends, dropped = [], []
            for sent, full in zip(act.sends, act.overflowed):
                values = self.segment(SegTerms(at(sent.flags), at(sent.seq), at(sent.ack),
                                               tuple(at(g) for g in sent.ghosts)), z3.IntVal(0))
                (dropped if self.num(at(full)) else sends).append(values)
            return (FIRE, a.endpoint, a.transition, seg, tuple(sends + dropped), tuple(dropped))
        if a.kind == "error":
            return ("error", a.endpoint, a.transition)
        if a.kind == "discard":
            return (DISCARD, a.endpoint, seg)
        if a.kind in ("lose", "duplicate"):
            return (LOSE if a.kind == "lose" else DUPLICATE, a.direction, seg)
        expired = []
        for d, i, flag in act.expired:
            if self.num(at(flag)):
                slot = before.channels[d].slots[i]
                # as the explicit engine reports it: the segment as it was in flight
                expired.append((d, self.segment(slot, at(slot.age))))
        return (TICK, tuple(expired))

    def trace(self, states: list, tags: list, *, kind: str, prop: str | None) -> Trace:
        """``states[0..n]`` and the step tags between them."""
        views = self.views
        steps = [views.initial_step(self.state(states[0]))]
        for i, tag in enumerate(tags, start=1):
            action = self.action(states[i - 1], states[i], tag)
            if action[0] == "error":
                steps.append(self._error_step(i, action, steps[-1]))
                break
            step = views.step(i, action, self.state(states[i]))
            if action[0] == TICK:
                step = self._ticks(step, tag)
            steps.append(step)
        return Trace(self.enc.model.name, tuple(steps), kind, prop, endpoint_names=views.names,
                     params=self.param_values())

    def param_values(self) -> tuple:
        """The value of each param in this run: symbolic params are the solver's choice."""
        return tuple((p.name, self.num(term)) for p, term in
                     zip(self.enc.model.params, self.enc.params))

    def _ticks(self, step: Step, tag: str) -> Step:
        """With jump time a step may let several ticks pass: say how many."""
        if self.enc.time != JUMP:
            return step
        ticks = self.num(z3.Int(f"{tag}.delta"))
        if ticks == 1:
            return step
        return dataclasses.replace(step, summary=step.summary.replace(
            "one tick passes", f"{ticks} ticks pass", 1))

    def _error_step(self, index: int, action, last: Step) -> Step:
        _, e, ti = action
        ep = self.enc.model.endpoints[e]
        t = ep.transitions[ti]
        return Step(index, ep.name, "error", f"{ep.name} fires {t.name}: a value leaves its "
                    "declared domain", last.state, transition=t.name)
