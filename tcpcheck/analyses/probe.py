"""``tcpcheck probe``: the model's prediction against a live Linux kernel, case by case.

A case is a control state a real socket is driven into (:data:`tcpcheck.probe.kernel.STATES`),
a probe (:data:`~tcpcheck.probe.kernel.PROBE_KINDS`) and its numbers:

* ``any``: a state without a connection (CLOSED, LISTEN); the model is asked with every
  number foreign to the endpoint (held by none of its seq variables), as ``tcpcheck scan``;
* ``exact``: the connection's own numbers, seq = RCV.NXT and ack = SND.NXT: the model is
  asked with ``x = rcv_nxt`` and ``y = snd_nxt`` of each valuation it reaches in that state
  (a model without those two variables gives no prediction);
* ``out-of-window``: numbers 2^30 away from the connection's; the model is asked with
  every foreign number (in a model whose sequence space is a few numbers wide, a number
  none of the endpoint's variables holds is outside its window of one).

The prediction is the set of replies (the flags of each segment sent; none is a reply too)
over every valuation of the endpoint in that control state and every number above, each
with the control states the endpoint may be in afterwards.  A case **matches** when the
kernel's reply is in the set and the socket's state afterwards (``ss -tan``) is one the
model allows after that reply; a **divergence** otherwise.  A case the model cannot predict
(a state it does not reach within the limits) is **unpredicted**, never a match.
"""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass

from tcpcheck.analyses.scan import DEFAULT_MAX_STATES, default_endpoint, explore_endpoint, prober
from tcpcheck.diagnostics import UsageError
from tcpcheck.engine.state import VAR_BASE, Error
from tcpcheck.limits import STOP, Interrupted
from tcpcheck.model import ir
from tcpcheck.probe import kernel, lab

MATCH, DIVERGENCE, UNPREDICTED, NOT_RUN = "match", "divergence", "unpredicted", "not run"


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
        if not self.complete or verdicts - {MATCH}:
            return 3
        return 0


def all_cases() -> tuple:
    return tuple(Case(state, k.name, n) for state, numbers in kernel.STATES.items()
                 for n in numbers for k in kernel.PROBE_KINDS)


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
    names = model.endpoints[e].states
    seq_slots = _seq_slots(model.endpoints[e])
    flags_of = {k.name: k.flags for k in kernel.PROBE_KINDS}
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
        out[case] = _predict_one(ask, reps, e, flags_of[case.probe], case.numbers, seq_slots,
                                 model.bounds.seqspace)
    return out, complete


def _seq_slots(endpoint) -> dict:
    return {v.name: VAR_BASE + i for i, v in enumerate(endpoint.variables)
            if isinstance(v.type, ir.SeqType) and not v.ghost}


def _predict_one(ask, reps, e, flags, numbers, seq_slots, n) -> Prediction:
    if numbers == "exact" and not {"rcv_nxt", "snd_nxt"} <= set(seq_slots):
        return Prediction((), 0, "the model has no rcv_nxt and snd_nxt to take exact numbers "
                          "from")
    replies: dict = {}
    errors = []
    for state in reps:
        ep = state[e]
        for x, y in _numbers(ep, flags, numbers, seq_slots, n):
            got = ask.outcomes(state, flags, x, y)
            if isinstance(got, Error):
                errors.append(got.message)
                continue
            for bits, after in got:
                replies.setdefault(bits, {})[after] = None
    if not replies:
        reason = "the model's answer cannot be computed: " + (errors[0] if errors else "no move")
        return Prediction((), len(reps), reason)
    return Prediction(tuple((bits, tuple(after)) for bits, after in replies.items()), len(reps))


def _numbers(ep, flags, numbers, seq_slots, n):
    if numbers == "exact":
        ack = ep[seq_slots["snd_nxt"]] if flags & ir.Flag.ACK else 0
        return [(ep[seq_slots["rcv_nxt"]], ack)]
    held = {ep[slot] for slot in seq_slots.values()}
    foreign = [v for v in range(n) if v not in held]
    acks = foreign if flags & ir.Flag.ACK else [0]
    return [(x, y) for x in foreign for y in acks]


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
            sysctls = _run_cases(cases, predictions, outcomes)
        except Interrupted:
            complete = False
    done = {o.case for o in outcomes}
    outcomes += [Outcome(c, predictions[c], None, NOT_RUN) for c in cases if c not in done]
    return ProbeResult(model.name, model.file, model.endpoints[e].name, lab.kernel_release(),
                       sysctls, kernel.WINDOW, tuple(outcomes), complete, model_complete,
                       time.monotonic() - started)


def _run_cases(cases, predictions, outcomes: list) -> tuple:
    """Run the cases in a fresh lab, appending to ``outcomes``; the sysctls read there."""
    with lab.lab() as the_lab:
        sysctls = tuple(lab.read_sysctls(the_lab.kernel_ns).items())
        bench = kernel.Bench(the_lab)
        try:
            for case in cases:
                observed = bench.run_case(case.state, _kind(case.probe), case.numbers)
                outcomes.append(Outcome(case, predictions[case], observed,
                                        verdict(predictions[case], observed)))
        finally:
            bench.close()
    return sysctls


def _kind(name: str) -> kernel.ProbeKind:
    return next(k for k in kernel.PROBE_KINDS if k.name == name)


def verdict(prediction: Prediction, observed: kernel.Observation) -> str:
    if observed.error is not None or prediction.reason is not None:
        return UNPREDICTED if observed.error is None else NOT_RUN
    return MATCH if prediction.allows(observed.replies, observed.after) else DIVERGENCE
