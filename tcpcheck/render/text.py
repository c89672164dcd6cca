"""Plain-text rendering of results, model summaries and diagnostics (a trace's steps:
tcpcheck.render.steps; values and expressions: tcpcheck.render.values).

Pure functions from records to strings: nothing here explores, parses or prints.
"""

from __future__ import annotations

from tcpcheck.diagnostics import Diagnostic, ModelError
from tcpcheck.model import ir
from tcpcheck.result import CheckResult, PropertyResult
from tcpcheck.render.formats import render_trace
from tcpcheck.render.values import expr_text, trigger_text
from tcpcheck.trace.records import Trace

STATUS_WORDS = {
    "holds": "holds",
    "violated": "VIOLATED",
    "reached": "reached",
    "unreachable": "UNREACHABLE",
    "not_verified": "NOT VERIFIED",
    "proved": "PROVED",
    "bounded": "holds up to the depth (not a proof)",
    "unknown": "UNKNOWN",
}


# ---- diagnostics --------------------------------------------------------------------------

SOURCE_WIDTH = 100  # the most characters of a source line a diagnostic quotes
MAX_SHOWN = 100  # the most diagnostics model_error lists (the count line counts them all)


def diagnostic(d: Diagnostic, source: str | None) -> str:
    """``file:line:col: error: message``, the source line, a caret under the place.  A
    line longer than SOURCE_WIDTH is quoted around the place, with '...' where it is cut."""
    return _diagnostic(d, source.split("\n") if source else [])


def _diagnostic(d: Diagnostic, lines: list) -> str:
    head = f"{d.span}: {d.severity}: {d.message}"
    if d.hint:
        head += f" ({d.hint})"
    if not (1 <= d.span.line <= len(lines)):
        return head
    text = lines[d.span.line - 1].rstrip("\r").replace("\t", " ")
    text = "".join(c if c.isprintable() else "?" for c in text)  # a NUL would hide the caret
    width = 1
    if d.span.end_line == d.span.line and d.span.end_column:
        width = max(1, d.span.end_column - d.span.column)
    column = d.span.column
    if len(text) > SOURCE_WIDTH:
        text, column, width = _window(text, column, width)
    gutter = f"{d.span.line:>5} | "
    caret = " " * (len(gutter) - 2) + "| " + " " * (column - 1) + "^" * width
    return f"{head}\n{gutter}{text}\n{caret}"


def _window(text: str, column: int, width: int) -> tuple[str, int, int]:
    """At most SOURCE_WIDTH characters of a long line, around ``column``."""
    start = max(0, min(column - 1 - SOURCE_WIDTH // 3, len(text) - SOURCE_WIDTH))
    shown = text[start:start + SOURCE_WIDTH]
    prefix = "..." if start > 0 else ""
    suffix = "..." if start + SOURCE_WIDTH < len(text) else ""
    column = column - start + len(prefix)
    width = max(1, min(width, len(prefix) + len(shown) - column + 1))
    return prefix + shown + suffix, column, width


def model_error(err: ModelError) -> str:
    """The diagnostics (the first MAX_SHOWN), then the count.  Syntax errors come alone (the model is validated
    only once it parses), so their count says so; when the parser stopped early (the note
    with code "syntax-limit"), the count says there may be more."""
    lines: dict = {}  # each file's text split once (a file may have thousands of errors)
    parts = []
    for d in err.diagnostics[:MAX_SHOWN]:
        source = err.source_for(d.span)
        if id(source) not in lines:
            lines[id(source)] = source.split("\n") if source else []
        parts.append(_diagnostic(d, lines[id(source)]))
    if len(err.diagnostics) > MAX_SHOWN:
        parts.append(f"... and {len(err.diagnostics) - MAX_SHOWN} more diagnostics")
    errors = len(err.errors)
    plural = "s" if errors != 1 else ""
    if any(d.code == "syntax-limit" for d in err.diagnostics):
        parts.append(f"{errors} syntax error{plural} in the model, and maybe more after the "
                     "place where the parser stopped")
    elif err.errors and all(d.code == "syntax" for d in err.errors):
        parts.append(f"{errors} syntax error{plural} in the model (the model is checked "
                     "further once the syntax is right)")
    else:
        parts.append(f"{errors} error{plural} in the model")
    return "\n".join(parts)


def _trace_text(t: Trace, trace_format: str, full: bool, color: bool) -> str:
    """A run in one of the formats of tcpcheck.render.formats ("steps" is steps.trace)."""
    return render_trace(t, trace_format, full=full, color=color)


# ---- results ------------------------------------------------------------------------------

def property_label(p: PropertyResult) -> str:
    """The name shown in the verdict list; lemmas are marked, since they are checked like
    invariants but a violation means the lemma, not the protocol, is wrong."""
    return f"{p.name} (lemma)" if p.kind == "lemma" else p.name


def status_text(p: PropertyResult) -> str:
    """The verdict in words.  A safety property that holds (a goal that is unreachable)
    covers the runs up to the states where the channel was full; it says so, with their
    number, where there are any (PropertyResult.channel_full)."""
    status = STATUS_WORDS.get(p.status, p.status)
    if p.channel_full and p.status in ("holds", "unreachable"):
        n = p.channel_full
        status += (f" within the bounds ({n:,} state{'s' if n != 1 else ''} where the "
                   "channel was full)")
    return status


def property_line(p: PropertyResult, width: int) -> str:
    status = status_text(p)
    extra = ""
    if p.trace is not None:
        what = "witness" if p.status == "reached" else "counterexample"
        n = len(p.trace)
        extra = f"  ({what}: {n} step{'s' if n != 1 else ''})"
        if len(p.traces) > 1:
            lengths = ", ".join(str(len(t)) for t in p.traces)
            extra = f"  ({len(p.traces)} counterexamples: {lengths} steps)"
    elif p.detail:
        extra = f"  ({p.detail})"
    return f"  {property_label(p):<{width}}  {status}{extra}"


def check_result(result: CheckResult, model: ir.Model, *, full: bool = False,
                 show_witnesses: bool = False, trace_format: str = "steps",
                 color: bool = False) -> str:
    out = [f"model {model.name} ({model.file})"]
    if model.doc:
        first_paragraph = model.doc.strip().split("\n\n")[0]
        out += ["  " + line for line in first_paragraph.splitlines()]
    out.append("")
    width = max((len(property_label(p)) for p in result.properties), default=8)
    out += [property_line(p, width) for p in result.properties]
    for p in result.properties:
        if p.trace is None or (p.status == "reached" and not show_witnesses):
            continue
        title = "Witness" if p.status == "reached" else "Counterexample"
        out.append("")
        why = f": {p.doc}" if p.doc else ""
        what = "lemma " if p.kind == "lemma" else ""
        out.append(f"{title} for {what}{p.name}{why}")
        if p.detail:
            out.append(f"  ({p.detail})")
        out += [f"  fairness: {h.text}" for h in p.hints]
        runs = p.traces if len(p.traces) > 1 else (p.trace,)
        for number, run in enumerate(runs, start=1):
            if len(runs) > 1:
                out.append(f"  run {number} of {len(runs)}: {len(run)} steps")
            out.append(_trace_text(run, trace_format, full, color))
    out.append("")
    out.append(stats_and_backend(result))
    if not result.complete:
        out.append(incomplete_note(result))
    out += [f"warning: {w}" for w in result.warnings]
    return "\n".join(out)


def incomplete_note(result: CheckResult) -> str:
    reason = {"max-states": "the --max-states limit", "max-depth": "the --max-depth limit",
              "timeout": "the --timeout limit", "interrupted": "an interrupt (Ctrl-C)",
              "terminated": "a termination signal (SIGTERM)",
              "max-memory": "the --max-memory limit",
              "decided": "every property being decided",
              "error": "a transition that failed to evaluate"}.get(result.stop_reason,
                                                              result.stop_reason or "a limit")
    undecided = [p.name for p in result.properties if p.status == "not_verified"]
    approximate = getattr(result, "storage", None)
    if result.stop_reason == "approximate" and approximate is not None:
        failed = any(p.status == "violated" for p in result.properties)
        others = " of the others" if failed else ""
        return (f"no violation found{others} (approximate: {approximate.words()}); "
                "NOT VERIFIED: " + ", ".join(undecided))
    if result.stop_reason == "decided":
        return ("exploration stopped once every property was decided "
                "(--exhaustive explores the whole state space)")
    note = f"exploration stopped early, at {reason}; the state space was not explored completely"
    if undecided:
        note += "; NOT VERIFIED: " + ", ".join(undecided)
    return note


# Below this many states the engines' fixed allocations (the C search's first table, the
# interpreter's arenas) outweigh the states, and a per-state figure would mislead
PER_STATE_MIN = 10_000


def per_state_figure(stats) -> float | None:
    """The bytes per state worth printing: None for a small run, or one that reused memory
    the process already had (0)."""
    if stats.states < PER_STATE_MIN or not stats.bytes_per_state:
        return None
    return stats.bytes_per_state


def stats_line(result: CheckResult) -> str:
    s = result.stats
    per_state = per_state_figure(s)
    return (f"{_count(s.states, 'state')}, {_count(s.transitions, 'transition')}, "
            f"diameter {s.diameter}, "
            f"{s.seconds:.2f} s ({s.states_per_second:,.0f} states/s), "
            f"peak memory {s.peak_memory_mb:.0f} MB"
            + (f" ({per_state:,.0f} bytes per state)" if per_state else ""))


def stats_and_backend(result: CheckResult) -> str:
    """The statistics line of `tcpcheck check`, naming the implementation that ran (the
    native or the Python engine: tcpcheck.native) and what compiling it cost."""
    backend = getattr(result, "backend", "python")
    compiled = result.stats.compile_seconds
    line = f"{stats_line(result)}, {backend} engine"
    if backend == "partitioned":  # check --ray: the states are held by the partitions
        line += f" ({_count(result.workers, 'partition')} on Ray)"
    if compiled is not None:
        how = "from the cache" if compiled == 0 else f"compiled in {compiled:.2f} s"
        line += f" ({how})"
    approximate = getattr(result, "storage", None)
    if approximate is not None:  # every report of an approximate run says so
        line += f"\nstorage: approximate ({approximate.words()})"
    return line


def _count(n: int, noun: str) -> str:
    """``1 state``, ``2,000 states``."""
    return f"{n:,} {noun}{'s' if n != 1 else ''}"


def coverage(result: CheckResult) -> str:
    width = max((len(f"{c.endpoint}.{c.transition}") for c in result.stats.coverage), default=10)
    lines = ["coverage (times each transition fired):"]
    for c in result.stats.coverage:
        name = f"{c.endpoint}.{c.transition}"
        flag = "  <-- never fired" if c.fired == 0 else ""
        lines.append(f"  {name:<{width}}  {c.fired:>10,}{flag}")
    return "\n".join(lines)


# ---- model summary ------------------------------------------------------------------------

def model_summary(model: ir.Model) -> str:
    ch, b = model.channel, model.bounds
    budget = lambda n: "unbounded" if n is None else str(n)
    out = [f"model {model.name} ({model.file})"]
    if model.doc:
        out += ["  " + line for line in model.doc.strip().splitlines()]
    out.append("")
    if model.extends:  # a variant (spec/MANUAL.md 3.1): its bases, nearest first
        out.append("extends " + ", which extends ".join(model.extends))
    out.append(f"bounds: seqspace={b.seqspace} incarnations={b.incarnations}")
    per = "in all (one bag shared by both directions)" if ch.shared else "per direction"
    out.append(f"channel: capacity={ch.capacity} {per}, loss={budget(ch.loss)}, "
               f"duplication={budget(ch.duplication)}, "
               f"reordering={'yes' if ch.reordering else 'no'}, "
               f"msl={_msl_text(ch)}")
    out += _params_lines(model)
    data = [f for f in model.ghost_fields if not f.ghost]
    ghosts = [f for f in model.ghost_fields if f.ghost]
    if data:  # len, wnd, ts (MANUAL 7): on the wire, unlike the ghosts
        out.append("segment fields: " + ", ".join(f"{f.name}: {f.type}" for f in data))
    if ghosts:
        out.append("segment ghost fields: " + ", ".join(f"{f.name}: {f.type}" for f in ghosts))
    for e in model.endpoints:
        out.append("")
        out.append(f"endpoint {e.name}: {len(e.states)} states, {len(e.variables)} variables, "
                   f"{len(e.timers)} timers, {len(e.transitions)} transitions")
        out.append("  states: " + ", ".join(
            s + (" (initial)" if i == e.initial else "") + (" (terminal)" if i in e.terminal else "")
            for i, s in enumerate(e.states)))
        for t in e.transitions:
            sources = ",".join(e.states[s] for s in sorted(t.sources))
            target = "same" if t.target is None else e.states[t.target]
            out.append(f"  {t.name}: {sources} -> {target} on {trigger_text(e, t.trigger)}")
    out.append("")
    out.append(f"properties ({len(model.properties)}):")
    for p in model.properties:
        out.append(f"  {p.name} [{p.kind}]" + (f": {p.doc}" if p.doc else ""))
    if model.fairness:
        out.append("")
        out.append("fairness: " + ", ".join(f.text for f in model.fairness))
    if model.assumptions:  # MANUAL 12.9: they constrain the runs, so a reader must see them
        out.append("")
        out.append(f"assumptions ({len(model.assumptions)}):")
        out += [f"  {a.name}" + (f": {a.doc}" if a.doc else "") for a in model.assumptions]
    if model.lemmas:
        out.append("")
        out.append(f"lemmas ({len(model.lemmas)}):")
        out += [f"  {l.name}" + _first_line(l.doc) for l in model.lemmas]
    return "\n".join(out)


def _msl_text(ch: ir.Channel) -> str:
    if ch.msl is None:
        return "none (segments never expire)"
    if ch.msl_expr is not None:
        return f"{expr_text(ch.msl_expr)} ({ch.msl} at the defaults)"
    return str(ch.msl)


def _params_lines(model: ir.Model) -> list:
    """One line per param: its default, constraint and the first line of its doc."""
    if not model.params:
        return []
    out = [f"params ({len(model.params)}):"]
    for p in model.params:
        where = f" where {expr_text(p.constraint)}" if p.constraint is not None else ""
        out.append(f"  {p.name} = {p.default}{where}" + _first_line(p.doc))
    return out


def _first_line(doc: str | None) -> str:
    return f": {doc.splitlines()[0]}" if doc else ""


INVARIANT_LINES = 12  # conjuncts of a proof's invariant shown without --full

# ---- symbolic results ---------------------------------------------------------------------

def proof_result(result, model: ir.Model, *, full: bool = False, depth: int | None = None,
                 show_witnesses: bool = False, trace_format: str = "steps",
                 color: bool = False, runs: bool = True) -> str:
    """``tcpcheck prove``: the settings, one verdict line per property (with how it was
    decided, and by which engine in a portfolio), then each counterexample (and witness
    with ``show_witnesses``; no run at all without ``runs``), and a note when the run was
    cut short."""
    out = [f"model {model.name} ({model.file})", "  " + _proof_settings(result, depth), ""]
    width = max((len(property_label(p)) for p in result.properties), default=8)
    for p in result.properties:
        status = STATUS_WORDS.get(p.status, p.status)
        line = f"  {property_label(p):<{width}}  {status}"
        if p.trace is not None and p.status in ("violated", "reached"):
            n = len(p.trace)
            what = "witness" if p.status == "reached" else "counterexample"
            line += f"  ({what}: {n} step{'s' if n != 1 else ''})"
        engine = dict(result.answered).get(p.name)
        if result.engine == "portfolio" and engine is not None:
            line += f"  by {engine}"
        out.append(line)
        if p.detail:
            out.append(f"  {'':<{width}}    {p.detail}")
        if p.invariant:
            shown = p.invariant if full else p.invariant[:INVARIANT_LINES]
            out += [f"  {'':<{width}}      {c}" for c in shown]
            if len(shown) < len(p.invariant):
                out.append(f"  {'':<{width}}      ... {len(p.invariant) - len(shown)} more "
                           "(--full or --json shows them all)")
    for p in result.properties:
        if not runs or p.trace is None or (p.status == "reached" and not show_witnesses):
            continue
        why = f": {p.doc}" if p.doc else ""
        out += ["", f"{_run_title(p)}{why}"] + _param_values(p.trace)
        out.append(_trace_text(p.trace, trace_format, full, color))
    at_once = "one at a time" if result.jobs == 1 else f"up to {result.jobs} at a time"
    out += ["", f"{result.seconds:.2f} s ({result.solver_seconds:.2f} s of CPU in solver "
                f"processes, {at_once})"]
    if result.stop_reason is not None:
        out.append(_proof_stop_note(result))
    return "\n".join(out)


def _proof_settings(result, depth: int | None) -> str:
    space = "32-bit" if result.seqspace == 1 << 32 else f"modulo {result.seqspace}"
    time = ("any number of ticks per step" if result.time == "jump" else "one tick per step")
    params = (", symbolic params: " + ", ".join(result.symbolic_params)) if result.symbolic_params \
        else ""
    if result.engine == "portfolio":
        engine = "portfolio (bmc, kind, pdr on each property)"
        bound = f", depth {depth}" if depth is not None else ""
    else:
        engine = f"engine {result.engine}"
        bound = f", depth {depth if depth is not None else 10}"
    limit = f", time limit {result.timeout:g} s" if result.timeout is not None else ""
    return f"{engine}{bound}{limit}; sequence numbers {space}; time: {time}{params}"


def _run_title(p) -> str:
    """The heading of a property's run: what the run shows."""
    if p.status == "reached":
        return f"Witness for {p.name}"
    if p.status == "violated":
        return f"Counterexample for {p.name}"
    if p.trace.property not in (None, p.name):  # a lemma's run, from k-induction's base case
        return f"Run that breaks lemma {p.trace.property} (while proving {p.name})"
    return f"Counterexample to induction for {p.name}"


def _proof_stop_note(result) -> str:
    reason = {"timeout": "the time limit", "interrupted": "an interrupt (Ctrl-C)",
              "terminated": "SIGTERM", "max-memory": "the memory limit"}.get(
        result.stop_reason, result.stop_reason)
    undecided = [p.name for p in result.properties
                 if p.status not in ("proved", "violated", "reached", "unreachable")]
    note = f"stopped early, at {reason}"
    if undecided:
        note += "; not decided: " + ", ".join(undecided)
    return note


def _param_values(t) -> list:
    """The line naming the params' values of a symbolic run (empty without params)."""
    if not t.params:
        return []
    return ["  with " + ", ".join(f"{name} = {value}" for name, value in t.params)]


def synth_result(result, model: ir.Model, *, full: bool = False, trace_format: str = "steps",
                 color: bool = False) -> str:
    """``tcpcheck synth``: the samples, the expression, its proof and the run just below."""
    out = [f"model {model.name} ({model.file})",
           f"  least {result.param} for which {result.property} holds", ""]
    for s in result.samples:
        fixed = ", ".join(f"{k}={v}" for k, v in s.fixed)
        value = "not found" if s.least is None else str(s.least)
        out.append(f"  {fixed:<12} least {result.param} = {value:<10} ({s.detail})")
    out.append("")
    stopped = getattr(result, "stop_reason", None) is not None
    if result.expression is None:
        out.append(f"  {'stopped' if stopped else 'no expression found'}: {result.detail}")
        return "\n".join(out)
    verdict = "PROVED" if result.proved_at_least else "not proved"
    out.append(f"  {result.param} = {result.expression}")
    out.append(f"  {result.property} with {result.param} >= {result.expression}, every value "
               f"of the other params: {verdict}")
    below = result.below
    if below is not None:
        status = STATUS_WORDS.get(below.status, below.status)
        out.append(f"  {result.property} with {result.param} = {result.expression} - 1: {status}")
        if below.trace is not None:
            out += ["", f"Counterexample just below the boundary ({result.param} = "
                    f"{result.expression} - 1)"] + _param_values(below.trace) + \
                [_trace_text(below.trace, trace_format, full, color)]
    if stopped:
        out.append(f"  stopped: {result.detail}")
    return "\n".join(out)
