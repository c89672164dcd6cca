"""``tcpcheck probe``: a ProbeResult (tcpcheck/analyses/probe.py) as a text table or JSON.

A renderer never explores: everything printed is in the records.  A reply is written as the
flags of each segment the kernel (or the model) sent, ``none`` for silence; a prediction
with several allowed replies lists them with ``|``.
"""

from __future__ import annotations

from tcpcheck import __version__
from tcpcheck.analyses.probe import DIVERGENCE, MATCH, NOT_RUN, OUTSIDE, UNPREDICTED
from tcpcheck.model.ir import flag_text
from tcpcheck.render import json as render_json

VERDICT_TEXT = {MATCH: "match", DIVERGENCE: "DIVERGENCE", UNPREDICTED: "no prediction",
                NOT_RUN: "not run", OUTSIDE: "outside the model"}


def reply_text(bits: tuple) -> str:
    return ", ".join(flag_text(b) for b in bits) if bits else "none"


def predicted_text(prediction) -> str:
    if prediction.reason is not None:
        return "-"
    return " | ".join(f"{reply_text(bits)} -> {'/'.join(after)}"
                      for bits, after in prediction.replies)


def observed_text(observed) -> str:
    if observed is None:
        return "-"
    if observed.error is not None:
        return f"(not driven: {observed.error})"
    return f"{reply_text(observed.replies)} -> {observed.after}"


def text(result) -> str:
    rows = [("case", "predicted (reply -> state after)", "observed (kernel)", "verdict")]
    for o in result.outcomes:
        rows.append((o.case.name, predicted_text(o.prediction), observed_text(o.observed),
                     VERDICT_TEXT[o.verdict]))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"probe of the Linux kernel {result.kernel} against {result.endpoint} in "
             f"{result.model} ({result.file})",
             "sysctls (kernel namespace): " + ", ".join(
                 f"{k.rsplit('.', 1)[1]}={v if v is not None else 'absent'}"
                 for k, v in result.sysctls),
             f"replies: the segments the kernel sent within {result.window:g} s of the probe; "
             f"state: ss -tan in the kernel namespace", ""]
    for i, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row[:3], widths)) + "  " + row[3])
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  -------")
    for title, outside in (("no prediction:", False),
                           ("outside the model (not sent, not counted):", True)):
        notes = [f"  {o.case.name}: {o.prediction.reason}" for o in result.outcomes
                 if o.prediction.reason is not None and o.prediction.outside == outside]
        if notes:
            lines += ["", title, *notes]
    lines += ["", _summary(result)]
    return "\n".join(lines)


def _summary(result) -> str:
    counts = {}
    for o in result.outcomes:
        counts[o.verdict] = counts.get(o.verdict, 0) + 1
    parts = [f"{counts[v]} {VERDICT_TEXT[v].lower()}" for v in (MATCH, DIVERGENCE, UNPREDICTED,
                                                                 NOT_RUN, OUTSIDE)
             if counts.get(v)]
    tail = "" if result.complete else "; interrupted before every case ran"
    if not result.model_complete:
        tail += "; the model's exploration was cut short by its limits"
    n = len(result.outcomes)
    return f"{n} case{'' if n == 1 else 's'}: " + ", ".join(parts) + tail + \
        f" ({result.seconds:.1f} s)"


def result_json(result) -> dict:
    return {
        "schema": render_json.SCHEMA_VERSION, "tcpcheck": __version__,
        "model": result.model, "file": result.file, "endpoint": result.endpoint,
        "kernel": result.kernel, "sysctls": dict(result.sysctls),
        "reply_window_s": result.window, "complete": result.complete,
        "model_complete": result.model_complete, "exit_code": result.exit_code,
        "seconds": round(result.seconds, 3),
        "cases": [_case_json(o) for o in result.outcomes],
    }


def _case_json(o) -> dict:
    p, obs = o.prediction, o.observed
    return {
        "case": o.case.name, "state": o.case.state, "probe": o.case.probe,
        "numbers": o.case.numbers, "verdict": o.verdict,
        "predicted": None if p.reason is not None else [
            {"reply": [flag_text(b) for b in bits], "after": list(after)}
            for bits, after in p.replies],
        "no_prediction": p.reason,
        "observed": None if obs is None else {
            "reply": [flag_text(b) for b in obs.replies], "before": obs.before,
            "after": obs.after, "not_driven": obs.error},
    }
