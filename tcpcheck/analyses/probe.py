"""``tcpcheck probe``: the model's prediction against a live Linux kernel, case by case.

A case is a control state a real socket is driven into (:data:`tcpcheck.probe.kernel.STATES`),
a probe (:data:`~tcpcheck.probe.kernel.PROBE_KINDS`) and its numbers (``_CONNECTED``
says which probes and numbers a state with a connection gets).  The numbers, as the kernel's socket sees them
(RCV.NXT and SND.NXT its own) and as the model is asked with them (``x`` the segment's seq,
``y`` its ack, over every valuation of the endpoint in that control state; ``n`` the
model's sequence space, ``h = n/2``):

* ``any``: a state without a connection (CLOSED, LISTEN): the model is asked with every
  number foreign to the endpoint (held by none of its seq variables), as ``tcpcheck scan``;
* ``queue-full``: ``any`` numbers (a SYN) at a listener whose accept queue is full (one
  connection completed and not accepted, backlog 0): in a model, the TCB bound spent;
* ``exact``: seq = RCV.NXT, ack = SND.NXT; the model: ``x = rcv_nxt``, ``y = snd_nxt``;
* ``above``: both 2^30 past them (outside any window, "after" in sequence space); the
  model: ``x = rcv_nxt + k``, ``y = snd_nxt + j`` for k, j in 1..h-1;
* ``below``: seq 2^20 before RCV.NXT (an old duplicate); the model: ``x = rcv_nxt - k``;
* ``inexact``: seq = RCV.NXT + 1, inside the kernel's window but not at RCV.NXT; the
  model: ``x = rcv_nxt + 1`` (its receive window is one number wide: outside it);
* ``ack-ahead``: seq = RCV.NXT, ack 1000 past SND.NXT (data never sent); the model:
  ``y = snd_nxt + j``;
* ``retransmitted``: seq = RCV.NXT - 1, the peer's last SYN or FIN again; the model:
  ``x = rcv_nxt - 1``.

A probe without ACK carries ack 0.  The prediction is the set of replies (the flags of each
segment sent; none is a reply too) over every valuation and number above, each with the
control states the endpoint may be in afterwards.  A case **matches** when the kernel's
reply is in the set and the socket's state afterwards (``ss -tan``) is one the model allows
after that reply; a **divergence** otherwise.  A case the model cannot predict (a state it
does not reach within the limits) is **unpredicted**, never a match.

The ``data`` probe carries one octet.  A model whose ``len`` field holds it is asked with
a segment of that length (models/rfc9293.tcp and linux.tcp with ``--set DATA=1``); one
whose segments carry no data is asked with a bare segment where the numbers are outside
every window (``above``, ``below``: the first check answers an unacceptable segment
whatever its length; ``any``: no connection, no window); where they are not (``exact``,
``inexact``) the case is **outside** the model: not sent, not counted, listed with why.
Data is probed at RCV.NXT in ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2 and CLOSE-WAIT (taken;
after the user's CLOSE, RFC 1122 4.2.2.13's RST; after the peer's FIN, ignored), inside
the window and below it in ESTABLISHED (:data:`_DATA`).  ``ESTABLISHED/data-close/exact``
is a socket with unread data closed: the octet at RCV.NXT, then close(2) once it has
arrived; the model is asked with the delivery followed by each of the endpoint's CLOSE
transitions then enabled, and the reply is what both send.
"""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass

from tcpcheck.analyses.scan import DEFAULT_MAX_STATES, default_endpoint, explore_endpoint, prober
from tcpcheck.diagnostics import UsageError
from tcpcheck.engine.state import VAR_BASE, Error, view
from tcpcheck.explicit.semantics import FIRE
from tcpcheck.limits import STOP, Interrupted
from tcpcheck.model import ir
from tcpcheck.probe import kernel, lab

MATCH, DIVERGENCE, UNPREDICTED, NOT_RUN = "match", "divergence", "unpredicted", "not run"
# a case the model has no words for (data, in a model whose segments carry none): not sent
# to the kernel and not held against the model, as a test outside a spec's scope is not
# run; the table lists it with the reason
OUTSIDE = "outside"


@dataclass(frozen=True)
class Case:
    state: str
    probe: str
    numbers: str

    @property
    def name(self) -> str:
        return f"{self.state}/{self.probe}/{self.numbers}"


@dataclass(frozen=True)
class Prediction:
    """The model's replies (flag-bit tuples) with the states after each, or why none."""

    replies: tuple  # ((flag bits, ...), (state after, ...)) pairs
    valuations: int
    reason: str | None = None  # why there is no prediction
    outside: bool = False  # the case is beyond what the model describes (OUTSIDE)

    def allows(self, flags: tuple, after: str) -> bool:
        return any(r == flags and after in states for r, states in self.replies)

    def allows_reply(self, flags: tuple) -> bool:
        return any(r == flags for r, _ in self.replies)


@dataclass(frozen=True)
class Outcome:
    case: Case
    prediction: Prediction
    observed: kernel.Observation | None
    verdict: str


@dataclass(frozen=True)
class ProbeResult:
    model: str
    file: str
    endpoint: str
    kernel: str
    sysctls: tuple  # (name, value) pairs
    window: float
    outcomes: tuple
    complete: bool  # every case ran (no Ctrl-C)
    model_complete: bool  # the model's exploration was not cut short
    seconds: float

    @property
    def exit_code(self) -> int:
        verdicts = {o.verdict for o in self.outcomes}
        if DIVERGENCE in verdicts:
            return 1
        if not self.complete or verdicts - {MATCH, OUTSIDE} or MATCH not in verdicts:
            return 3  # a case not compared, or none compared at all
        return 0


# the probes and numbers of a state with a connection; CLOSED and LISTEN get every probe
# with "any"
_CONNECTED = (("SYN", ("exact", "above", "below")), ("ACK", ("exact", "above", "ack-ahead")),
              ("FIN", ("exact", "above")), ("RST", ("exact", "inexact", "above")),
              ("SYN-ACK", ("exact", "above")), ("FIN-ACK", ("exact", "above")),
              ("NULL", ("exact", "above")), ("Xmas", ("exact", "above")), ("data", ("above",)))
# data inside the window: at RCV.NXT where a socket takes it, answers it with a RST (after
# close(2)) or ignores it (after the peer's FIN), and beside RCV.NXT in ESTABLISHED
_DATA = {"ESTABLISHED": ("exact", "inexact", "below"), "FIN_WAIT_1": ("exact",),
         "FIN_WAIT_2": ("exact",), "CLOSE_WAIT": ("exact",)}
# the peer's SYN again in SYN-RECEIVED, its FIN again where it has been received
_RETRANSMITTED = {"SYN_RECEIVED": "SYN", "CLOSING": "FIN-ACK", "TIME_WAIT": "FIN-ACK",
                  "CLOSE_WAIT": "FIN-ACK", "LAST_ACK": "FIN-ACK"}


def _cases_of(state: str) -> list:
    if state in kernel.NO_CONNECTION:
        full = [Case(state, "SYN", "queue-full")] if state == "LISTEN" else []
        return [Case(state, k.name, "any") for k in kernel.PROBE_KINDS] + full
    out = [Case(state, probe, n) for probe, numbers in _CONNECTED for n in numbers]
    out += [Case(state, "data", n) for n in _DATA.get(state, ())]
    if state == "ESTABLISHED":
        out.append(Case(state, kernel.UNREAD_CLOSE.name, "exact"))
    if state in _RETRANSMITTED:
        out.append(Case(state, _RETRANSMITTED[state], "retransmitted"))
    return out


def all_cases() -> tuple:
    return tuple(c for state in kernel.STATES for c in _cases_of(state))


def select(pattern: str | None) -> tuple:
    """The cases whose name (``STATE/PROBE/NUMBERS``) matches the shell pattern (case
    ignored; a pattern without a wildcard matches as a part of the name)."""
    cases = all_cases()
    if pattern is None:
        return cases
    glob = pattern if any(c in pattern for c in "*?[") else f"*{pattern}*"
    chosen = tuple(c for c in cases if fnmatch.fnmatchcase(c.name.lower(), glob.lower()))
    if not chosen:
        raise UsageError(f"no probe case matches '{pattern}'; cases are STATE/PROBE/NUMBERS, "
                         f"e.g. {cases[0].name}, LISTEN/*, */SYN/*, ESTABLISHED/RST/exact")
    return chosen


# ---- the model's side ---------------------------------------------------------------------

def predict(model: ir.Model, cases: tuple, *, max_states: int | None = DEFAULT_MAX_STATES,
            timeout: float | None = None):
    """A :class:`Prediction` per case, and whether the exploration was complete."""
    e = default_endpoint(model)
    found, complete = explore_endpoint(model, e, max_states=max_states, timeout=timeout)
    ask = prober(model, e)
    payload = {k.name: _payload_prober(model, e, len(k.payload)) for k in kernel.KIND.values()
               if k.payload}
    names = model.endpoints[e].states
    seq_slots = _seq_slots(model.endpoints[e])
    flags_of = {k.name: k.flags for k in kernel.KIND.values()}
    n = model.bounds.seqspace
    out = {}
    for case in cases:
        if case.state not in names:
            out[case] = Prediction((), 0, f"the model's {model.endpoints[e].name} has no "
                                   f"state {case.state}")
            continue
        reps = list(found.get(names.index(case.state), {}).values())
        if not reps:
            out[case] = Prediction((), 0, f"the model does not reach {case.state}"
                                   + ("" if complete else " within the limits"))
            continue
        asking = payload.get(case.probe, ask)
        if asking is None:  # a model without data: the numbers must be outside every window
            if case.numbers not in _OUTSIDE_WINDOWS:
                out[case] = Prediction((), 0, "the model's segments carry no data (its len "
                                       "field cannot hold the probe's octet)", outside=True)
                continue
            asking = ask
        out[case] = _predict_one(asking, reps, e, flags_of[case.probe], case.numbers,
                                 seq_slots, n, kernel.KIND[case.probe].then_close)
    return out, complete


# numbers outside every window (the module's doc), and those of a socket without a
# connection (no window at all: a segment's length changes the numbers of the reply only)
_OUTSIDE_WINDOWS = ("above", "below", "any", "queue-full")


def _payload_prober(model: ir.Model, e: int, octets: int):
    """The prober of endpoint ``e`` whose segments carry ``octets`` of data in the model's
    ``len`` field, or None when the model has no such field or its range cannot hold them."""
    names = [f.name for f in model.ghost_fields]
    if "len" not in names:
        return None
    i = names.index("len")
    type_ = model.ghost_fields[i].type
    if not type_.lo <= octets <= type_.hi:
        return None
    ask = prober(model, e)
    # the probe's segment is (flags, seq, ack, *fields, age): its fields take these values
    ask.ghosts = ask.ghosts[:i] + (octets,) + ask.ghosts[i + 1:]
    return ask


def _seq_slots(endpoint) -> dict:
    return {v.name: VAR_BASE + i for i, v in enumerate(endpoint.variables)
            if isinstance(v.type, ir.SeqType) and not v.ghost}


def _predict_one(ask, reps, e, flags, numbers, seq_slots, n, then_close=False) -> Prediction:
    if numbers != "any" and not {"rcv_nxt", "snd_nxt"} <= set(seq_slots):
        return Prediction((), 0, "the model has no rcv_nxt and snd_nxt to take the "
                          "connection's numbers from")
    replies: dict = {}
    errors = []
    for state in reps:
        ep = state[e]
        for x, y in _numbers(ep, flags, numbers, seq_slots, n):
            got = (_then_close(ask, state, e, flags, x, y) if then_close
                   else ask.outcomes(state, flags, x, y))
            if isinstance(got, Error):
                errors.append(got.message)
                continue
            for bits, after in got:
                replies.setdefault(bits, {})[after] = None
    if not replies:
        reason = "the model's answer cannot be computed: " + (errors[0] if errors else "no move")
        return Prediction((), len(reps), reason)
    return Prediction(tuple((bits, tuple(after)) for bits, after in replies.items()), len(reps))


def _then_close(ask, state, e, flags, x, y):
    """``(sent flag bits, control state after)`` for each way endpoint ``e`` in global
    ``state`` takes the segment and then fires a CLOSE transition enabled after it (the
    user's close(2) once the segment has arrived), or the Error of the delivery."""
    seg = (flags, x, y, *ask.ghosts, 0)  # as the prober's own delivery builds it
    channels = [(), ()]
    channels[e] = (seg,)
    moves = ask.sem.deliveries((state[0], state[1], channels[0], channels[1], 0, 0), e)
    if moves.error is not None:
        return view(moves.error)
    closes = {i for i, t in enumerate(ask.model.endpoints[e].transitions)
              if t.trigger.kind == "close"}
    out = []
    for action, after in moves:
        first = tuple(s[0] for s in action[4]) if action[0] == FIRE else ()
        for then, end in ask.sem.successors(after):
            if then[0] == FIRE and then[1] == e and then[2] in closes:
                out.append((first + tuple(s[0] for s in then[4]), ask.states[end[e][0]]))
    return out


def _numbers(ep, flags, numbers, seq_slots, n):
    """The (seq, ack) pairs the model is asked with for ``numbers`` (the module's doc)."""
    has_ack = bool(flags & ir.Flag.ACK)
    if numbers in ("any", "queue-full"):
        held = {ep[slot] for slot in seq_slots.values()}
        foreign = [v for v in range(n) if v not in held]
        return [(x, y) for x in foreign for y in (foreign if has_ack else [0])]
    rcv, snd = ep[seq_slots["rcv_nxt"]], ep[seq_slots["snd_nxt"]]
    after = range(1, n // 2)  # "after" in the modular comparisons of RFC 9293 3.4
    seqs = {"exact": [0], "above": after, "below": [-k for k in after], "inexact": [1],
            "ack-ahead": [0], "retransmitted": [-1]}[numbers]
    acks = after if numbers in ("above", "ack-ahead") else [0]
    return [((rcv + k) % n, (snd + j) % n if has_ack else 0) for k in seqs for j in acks]


# ---- the kernel's side --------------------------------------------------------------------

def run(model: ir.Model, cases: tuple, *, max_states: int | None = DEFAULT_MAX_STATES,
        timeout: float | None = None) -> ProbeResult:
    """Predict every case from the model, then build a lab and run them against the kernel
    (the lab is removed before this returns, whatever happens)."""
    lab.check_can_build()
    started = time.monotonic()
    predictions, model_complete = predict(model, cases, max_states=max_states, timeout=timeout)
    e = default_endpoint(model)
    outcomes: list = []
    sysctls: tuple = ()
    # a Ctrl-C or SIGTERM while exploring stops the exploration (it polls); anywhere later it
    # raises Interrupted, which unwinds through the lab (removing it) to here
    complete = STOP.reason is None
    if complete:
        try:
            sysctls = _run_cases([c for c in cases if not predictions[c].outside],
                                 predictions, outcomes)
        except Interrupted:
            complete = False
    done = {o.case: o for o in outcomes}
    outcomes = [done.get(c) or not_compared(c, predictions[c]) for c in cases]  # in order
    return ProbeResult(model.name, model.file, model.endpoints[e].name, lab.kernel_release(),
                       sysctls, kernel.WINDOW, tuple(outcomes), complete, model_complete,
                       time.monotonic() - started)


def not_compared(case: Case, prediction: Prediction) -> Outcome:
    """The outcome of a case the kernel did not answer: outside the model (never sent), or
    not run (no lab, or the run stopped first)."""
    return Outcome(case, prediction, None, OUTSIDE if prediction.outside else NOT_RUN)


def _run_cases(cases, predictions, outcomes: list) -> tuple:
    """Run the cases in a fresh lab, one batch per control state (in the order of
    ``cases``), appending to ``outcomes``; the sysctls read there."""
    batches: dict = {}
    for case in cases:
        batches.setdefault(case.state, []).append(case)
    with lab.lab() as the_lab:
        sysctls = tuple(lab.read_sysctls(the_lab.kernel_ns).items())
        bench = kernel.Bench(the_lab)
        try:
            for state, batch in batches.items():
                seen = bench.run_batch(state, [(c.probe, c.numbers) for c in batch])
                for case, observed in zip(batch, seen):
                    outcomes.append(Outcome(case, predictions[case], observed,
                                            verdict(predictions[case], observed)))
        finally:
            bench.close()
    return sysctls


def verdict(prediction: Prediction, observed: kernel.Observation) -> str:
    if observed.error is not None or prediction.reason is not None:
        return UNPREDICTED if observed.error is None else NOT_RUN
    return MATCH if prediction.allows(observed.replies, observed.after) else DIVERGENCE
