"""``tcpcheck diff``: a DiffResult (tcpcheck/analyses/diff.py) as two columns side by side, or JSON.

A renderer never explores: everything printed is in the records.  The text fits in 100
columns: a step-number margin, then the run of the model that takes it on the left and the
other model following the same observations on the right.
"""

from __future__ import annotations

import textwrap

from tcpcheck import __version__
from tcpcheck.analyses.diff import CANNOT, KEEPS
from tcpcheck.model import ir
from tcpcheck.render import json as render_json

# What each observation level keeps (MANUAL 14.12).
OBSERVATION_TEXT = {
    "full": "who acts and how, the flags, seq and ack of the segments received and sent, "
            "each endpoint's control state after the step",
    "flags": "who acts and how, the flags of the segments received and sent, each "
             "endpoint's control state after the step",
    "wire": "who acts and how, the flags, seq and ack of the segments received and sent "
            "(control states not observed)",
}
_ACK = int(ir.Flag.ACK)
WIDTH = 100
MARGIN = 5  # "  12 "
COLUMN = (WIDTH - MARGIN - 3) // 2  # two columns and " | " between them
STOP_WHY = {"max-states": "the state limit was reached", "max-depth": "the depth limit was "
            "reached", "timeout": "the time limit was reached", "interrupted": "the run was "
            "interrupted", "terminated": "the run was terminated (SIGTERM)", "max-memory": "the "
            "memory limit was reached", "error": "a transition failed to evaluate"}


def _words(kind: str | None, prop: str) -> tuple:
    """How to say, for a property of ``kind``, that a run breaks it, follows a run without
    breaking it, and keeps it at the end (a goal is met rather than broken)."""
    if kind == "reachable":
        return f"meets the goal of {prop}", "without meeting it", "does not meet it"
    return f"breaks {prop}", "without breaking it", "keeps it"


def text(result, prop_kinds: tuple = (None, None)) -> str:
    """The whole report.  ``prop_kinds``: the kind of the property in A and in B (for its
    wording: a goal is met, an invariant broken)."""
    (a_name, a_file), (b_name, b_file) = result.models
    lines = []
    for lead, name, file in (("tcpcheck diff: A", a_name, a_file), ("               B", b_name,
                                                                     b_file)):
        line = f"{lead} = {name} ({file})"
        # a long path goes on a line of its own (a path is never wrapped)
        lines += [line] if len(line) <= WIDTH else [f"{lead} = {name}", f"{'':18}{file}"]
    observed = OBSERVATION_TEXT[result.observe]
    observed += "; ghost fields too" if result.ghosts else "; ghost fields not observed"
    lines += _wrap(f"observed: {observed}", WIDTH, "  ")
    if result.prop:
        lines.append(f"property: {result.prop}")
    labels = ("A", "B")
    for i, d in enumerate(result.directions):
        lines.append("")
        lines += _direction(d, labels[i], labels[1 - i], result.prop, prop_kinds[i],
                            prop_kinds[1 - i])
    lines.append("")
    lines.append(_verdict(result))
    return "\n".join(lines)


def _verdict(result) -> str:
    code = result.exit_code
    (a_name, _), (b_name, _) = result.models
    if code == 1:
        return f"result: {a_name} and {b_name} differ"
    if code == 0:
        return "result: no difference within the bounds"
    return "result: no difference found within the limits (not explored further)"


def _direction(d, me: str, other: str, prop, my_kind, other_kind) -> list:
    head = f"{me} against {other}: "
    if d.difference is None:
        if not d.complete:
            why = STOP_WHY.get(d.stop_reason, "the search stopped")
            body = (f"no difference found within {d.pairs:,} state pairs (not explored "
                    f"further: {why}" + (f": {d.detail}" if d.detail else "") + ")")
        elif prop:
            broken, _, _ = _words(my_kind, prop)
            _, without, _ = _words(other_kind, prop)
            body = (f"no difference within the bounds: no run {broken} in {d.first} while "
                    f"{d.second} follows it {without} ({d.pairs:,} state pairs explored)")
        else:
            body = (f"no difference within the bounds: every run of {d.first} is a run of "
                    f"{d.second} ({d.pairs:,} state pairs explored)")
        return _wrap(head + body, WIDTH, "  ")
    diff = d.difference
    n = len(diff)
    if prop:
        broken, _, _ = _words(my_kind, prop)
        _, without, kept = _words(other_kind, prop)
        if diff.other_kind == KEEPS:
            body = f"a run of {_steps(n)} {broken} in {d.first}; {d.second} follows all of " \
                   f"it and {kept}"
            if diff.other_states > 1:
                body += f" (in every one of the {diff.other_states} states it can be in)"
        elif n > 1:
            body = (f"a run of {_steps(n)} {broken} in {d.first}; {d.second} follows it up to "
                    f"step {n - 1} {without} and cannot take step {n}")
        else:
            body = f"a run of 1 step {broken} in {d.first}; {d.second} cannot take it"
    else:
        body = (f"a run of {_steps(n)} that {d.first} allows and {d.second} does not: "
                f"{d.second} " + (f"follows it up to step {n - 1} and " if n > 1 else "")
                + f"cannot take step {n}")
    lines = _wrap(head + body, WIDTH, "  ")
    lines += _columns(diff, me, other, d, prop, my_kind, other_kind)
    return lines


def _steps(n: int) -> str:
    return "1 step" if n == 1 else f"{n} steps"


def _columns(diff, me, other, d, prop, my_kind, other_kind) -> list:
    rows = [(" " * MARGIN, f"{me}: {d.first}", f"{other}: {d.second}")]
    run, follow = diff.run.steps, diff.other.steps
    previous = [None, None]
    for i, step in enumerate(run):
        left = _cell(step, previous, 0)
        if i < len(follow):
            right = _cell(follow[i], previous, 1)
        else:
            right = _cannot(diff)
        if i == len(run) - 1 and prop:
            left.append(f">> {_words(my_kind, prop)[0]}")
            if diff.other_kind == KEEPS:
                right.append(f">> {_words(other_kind, prop)[2].replace(' it', ' ' + prop)}")
        elif i == len(run) - 1 and diff.other_kind == CANNOT:
            left.append(f">> {other} cannot take this step")
        height = max(len(left), len(right))
        left += [""] * (height - len(left))
        right += [""] * (height - len(right))
        number = f"{step.index:>{MARGIN - 1}} "
        for k in range(height):
            rows.append((number if k == 0 else " " * MARGIN, left[k], right[k]))
    return [f"{m}{l:<{COLUMN}} | {r}".rstrip() for m, l, r in rows]


def _cell(step, previous, side: int) -> list:
    """A step's lines in one column: what happened, then the control states that changed
    (all of them at step 0)."""
    lines = _wrap(step.summary, COLUMN)
    states = tuple((e.name, e.state) for e in step.state.endpoints)
    before = previous[side]
    changed = [f"{name} {state}" for k, (name, state) in enumerate(states)
               if before is None or before[k][1] != state]
    previous[side] = states
    if changed:
        lines += _wrap(", ".join(changed), COLUMN, "")
    return lines


def _cannot(diff) -> list:
    """The other model's column at the step it cannot take."""
    where = "; ".join(", ".join(f"{n} {s}" for n, s in zip(diff.other.endpoint_names, c))
                      for c in diff.other_control)
    if not diff.alternatives:
        return _wrap(f"cannot: nothing takes this step in any of its {diff.other_states} "
                     f"states ({where})" if diff.other_states > 1 else
                     f"cannot: nothing takes this step ({where})", COLUMN)
    lines = ["cannot; instead:"]
    for alt, seen in list(zip(diff.alternatives, diff.alternative_observations))[:4]:
        lines += _wrap(alt.summary, COLUMN, "  ", first="  ")
        after = ", ".join(f"{e.name} {e.state}" for e in alt.state.endpoints)
        lines += _wrap(f"-> {after}", COLUMN, "  ", first="  ")
        why = contrast(diff.observations[-1], seen, diff.other.endpoint_names)
        if why:
            lines += _wrap(f"(differs: {why})", COLUMN, "   ", first="  ")
    if len(diff.alternatives) > 4:
        lines.append(f"  (and {len(diff.alternatives) - 4} more)")
    return lines


def _wrap(text: str, width: int, indent: str = "", first: str = "") -> list:
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=indent,
                         break_on_hyphens=False, break_long_words=True) or [""]


# ---- JSON ------------------------------------------------------------------------------------

def result_json(result) -> dict:
    """``tcpcheck diff --json`` (spec/JSON.md)."""
    return {
        "schema": render_json.SCHEMA_VERSION, "tcpcheck": __version__,
        "models": [{"name": n, "file": f} for n, f in result.models],
        "observe": result.observe, "ghosts": result.ghosts, "property": result.prop,
        "directions": [_direction_json(d) for d in result.directions],
        "exit_code": result.exit_code,
    }


def _direction_json(d) -> dict:
    diff = d.difference
    return {
        "first": d.first, "second": d.second, "status": d.status, "complete": d.complete,
        "stop_reason": d.stop_reason, "detail": d.detail, "pairs": d.pairs, "depth": d.depth,
        "seconds": round(d.seconds, 3),
        "difference": None if diff is None else {
            "length": len(diff), "other": diff.other_kind, "other_states": diff.other_states,
            "other_control": [list(c) for c in diff.other_control],
            "observations": [describe_observation(o, diff.run.endpoint_names)
                             for o in diff.observations],
            "run": render_json.trace(diff.run), "other_run": render_json.trace(diff.other),
            "alternatives": [render_json.step(s) for s in diff.alternatives],
        },
    }


# ---- observations in words ----------------------------------------------------------------

def describe_observation(o: tuple, names: tuple) -> str:
    """An observation in words (endpoint ``names`` of one of the models)."""
    stimulus, response, states = o
    kind = stimulus[0]
    if kind == "tick":
        text = "tick"
    elif kind in ("lose", "dup"):
        text = f"{'loss' if kind == 'lose' else 'duplication'} of {seg_text(stimulus[2])} " \
               f"to {names[stimulus[1]]}"
    elif kind == "recv":
        text = f"{names[stimulus[1]]} receives {seg_text(stimulus[2])}"
    elif kind == "timeout":
        text = f"{names[stimulus[1]]} timeout {stimulus[2]}"
    elif kind == "crash":
        text = f"{names[stimulus[1]]} crashes"
    else:
        text = f"{names[stimulus[1]]} calls {stimulus[2].upper()}"
    if kind in ("recv", "timeout", "crash", "call"):
        sends, dropped = response[0], response[1]
        if sends:
            text += "; sends " + ", ".join(seg_text(s) for s in sends)
        if dropped:
            text += "; dropped " + ", ".join(seg_text(s) for s in dropped)
    elif kind == "tick" and response[0]:
        text += "; expired " + ", ".join(seg_text(s) for _, s in response[0])
    if states is not None:
        text += f" -> {names[0]} {states[0]}, {names[1]} {states[1]}"
    return text


def contrast(taken: tuple, instead: tuple, names: tuple) -> str:
    """How ``instead`` (the other model's answer to the same stimulus) differs from the
    observation ``taken``, e.g. ``server SYN_RECEIVED, not ESTABLISHED``."""
    parts = []
    for k, what in ((0, "sends"), (1, "drops")):
        if k < len(taken[1]) and taken[1][k] != instead[1][k]:
            mine = ", ".join(seg_text(s) for s in instead[1][k]) or "nothing"
            theirs = ", ".join(seg_text(s) for s in taken[1][k]) or "nothing"
            parts.append(f"{what} {mine}, not {theirs}")
    if taken[0] == ("tick",) and taken[1] != instead[1]:
        parts.append("other segments expire")
    if taken[2] is not None and instead[2] is not None:
        for e in (0, 1):
            if taken[2][e] != instead[2][e]:
                parts.append(f"{names[e]} {instead[2][e]}, not {taken[2][e]}")
    return "; ".join(parts)


def seg_text(seen: tuple) -> str:
    """An observed segment: ``(flags[, ghost pairs])`` or ``(flags, seq, ack, protocol
    field pairs[, ghost pairs])`` (tcpcheck.analyses.diff.segment_observation)."""
    parts = [ir.flag_text(seen[0])]
    pairs = seen[1:]
    if len(seen) >= 3 and not isinstance(seen[1], tuple):
        parts.append(f"seq={seen[1]}")
        if seen[0] & _ACK:
            parts.append(f"ack={seen[2]}")
        pairs = seen[3:]
    for group in pairs:
        parts += [f"{k}={v}" for k, v in group]
    return " ".join(parts)
