"""Compact states and actions -> the engine-independent trace records of tcpcheck.trace."""

from __future__ import annotations

from tcpcheck.engine.state import VAR_BASE
from tcpcheck.explicit.semantics import DISCARD, DUPLICATE, FIRE, LOSE
from tcpcheck.model import ir
from tcpcheck.trace.records import EndpointView, SegmentView, Snapshot, Step, Trace

CHANNEL, CLOCK = "channel", "clock"


class Decoder:
    def __init__(self, model: ir.Model):
        self.model = model
        self.names = tuple(e.name for e in model.endpoints)

    def value(self, type_, raw):
        if isinstance(type_, ir.SetType):
            return tuple(i for i in range(64) if raw >> i & 1)
        return raw

    def segment(self, dst: int, seg: tuple) -> SegmentView:
        ghosts = tuple((f.name, seg[3 + k]) for k, f in enumerate(self.model.ghost_fields))
        return SegmentView(self.names[1 - dst], self.names[dst], ir.flag_text(seg[0]), seg[1],
                           seg[2], ghosts, seg[-1])

    def endpoint(self, e: int, ep: tuple) -> EndpointView:
        spec = self.model.endpoints[e]
        variables = tuple((v.name, self.value(v.type, ep[VAR_BASE + i]))
                          for i, v in enumerate(spec.variables))
        base = VAR_BASE + len(spec.variables)
        timers = tuple((name, None if ep[base + k] < 0 else ep[base + k])
                       for k, name in enumerate(spec.timers))
        return EndpointView(spec.name, spec.states[ep[0]], ep[1], variables, timers)

    def snapshot(self, state: tuple) -> Snapshot:
        flight = tuple(self.segment(d, s) for d in (0, 1) for s in state[2 + d])
        return Snapshot((self.endpoint(0, state[0]), self.endpoint(1, state[1])), flight,
                        state[4], state[5])

    def step(self, index: int, action, state: tuple) -> Step:
        snap = self.snapshot(state)
        kind = action[0]
        if kind == FIRE:
            return self._fire_step(index, action, snap)
        if kind == DISCARD:
            _, e, seg = action
            view = self.segment(e, seg)
            return Step(index, self.names[e], "discard",
                        f"{self.names[e]} receives {view.text()} and discards it", snap,
                        received=view)
        if kind in (LOSE, DUPLICATE):
            _, d, seg = action
            view = self.segment(d, seg)
            verb = "loses" if kind == LOSE else "duplicates"
            return Step(index, CHANNEL, kind, f"the channel {verb} {view.text()} "
                        f"({view.src} -> {view.dst})", snap, segment=view)
        expired = tuple(self.segment(d, s) for d, s in action[1])
        text = "one tick passes"
        if expired:
            text += "; expired (older than MSL): " + ", ".join(v.text() for v in expired)
        return Step(index, CLOCK, "tick", text, snap, expired=expired)

    def _fire_step(self, index, action, snap) -> Step:
        _, e, ti, seg, sends, overflow = action
        t = self.model.endpoints[e].transitions[ti]
        actor = self.names[e]
        received = self.segment(e, seg) if seg is not None else None
        sent = tuple(self.segment(1 - e, s) for s in sends)
        dropped = tuple(self.segment(1 - e, s) for s in overflow)
        trigger = t.trigger.kind
        if trigger == "timeout":
            trigger_text = f"timer {self.model.endpoints[e].timers[t.trigger.timer]} expires"
        elif trigger == "recv":
            trigger_text = f"receives {received.text()}"
        elif trigger == "crash":
            trigger_text = "crashes and restarts"
        else:
            trigger_text = f"calls {trigger.upper()}"
        text = f"{actor} {trigger_text} [{t.name}]"
        if sent:
            text += "; sends " + ", ".join(s.text() for s in sent)
        if dropped:
            text += "; channel full, dropped " + ", ".join(s.text() for s in dropped)
        kind = {"recv": "recv", "timeout": "timeout", "crash": "crash"}.get(trigger, "user")
        return Step(index, actor, kind, text, snap, transition=t.name, trigger=t.trigger.kind,
                    received=received, sent=sent, overflowed=dropped)

    def initial_step(self, state: tuple) -> Step:
        return Step(0, "init", "init", "initial state", self.snapshot(state))

    def trace(self, path, *, kind: str, prop: str | None) -> Trace:
        """``path``: [(None, initial_state), (action, state), ...]."""
        steps = [self.initial_step(path[0][1])]
        steps += [self.step(i, a, s) for i, (a, s) in enumerate(path[1:], start=1)]
        return Trace(self.model.name, tuple(steps), kind, prop, endpoint_names=self.names)
