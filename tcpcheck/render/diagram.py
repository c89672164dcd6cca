"""State diagrams: each endpoint's state machine as Graphviz DOT, like RFC 9293 Figure 5.

One cluster per endpoint; a node per control state (the initial one pointed at by an arrow
from a dot, terminal ones drawn with a double border); an edge per transition and source
state, labelled with the transition's name and ``trigger / sends`` (``syn_in`` /
``recv SYN / snd SYN,ACK``).  Given a trace, the states it visits and the edges it takes
are drawn in colour, each taken edge with the numbers of the steps that took it.

Pure functions from the frozen model (and a trace) to text, except :func:`svg`, which runs
Graphviz's ``dot`` program on a DOT text: the layout is Graphviz's, not ours.
"""

from __future__ import annotations

import shutil
import subprocess

from tcpcheck.diagnostics import TcpcheckError, UsageError, did_you_mean
from tcpcheck.model import ir
from tcpcheck.render.values import expr_text, trigger_text
from tcpcheck.trace.records import Trace

HIGHLIGHT = "#c0392b"  # states and edges a trace used
VISITED_FILL = "#fdebd0"
DOT_TIMEOUT_SECONDS = 60


# ---- the DOT text ---------------------------------------------------------------------------

def dot(model: ir.Model, *, endpoint: str | None = None, trace: Trace | None = None) -> str:
    """The Graphviz DOT text of the model's endpoints (only ``endpoint`` when given),
    with the states and transitions ``trace`` used highlighted.  Raises UsageError for an
    unknown endpoint name or a trace that does not fit the model."""
    indices = _endpoint_indices(model, endpoint)
    used = used_edges(model, trace) if trace is not None else {}
    visited = visited_states(model, trace) if trace is not None else frozenset()
    lines = [f"digraph {_quote(model.name)} {{",
             '  graph [fontname="Helvetica", fontsize=12, rankdir=TB, nodesep=0.5];',
             '  node [fontname="Helvetica", fontsize=11, shape=box, style=rounded];',
             '  edge [fontname="Helvetica", fontsize=9];']
    for e in indices:
        lines += _cluster(model, e, used, visited)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _endpoint_indices(model: ir.Model, name: str | None) -> tuple:
    names = [e.name for e in model.endpoints]
    if name is None:
        return tuple(range(len(names)))
    if name not in names:
        hint = did_you_mean(name, names)
        raise UsageError(f"model {model.name} has no endpoint '{name}'"
                         + (f" ({hint})" if hint else "") + f"; it has: {', '.join(names)}")
    return (names.index(name),)


def _cluster(model: ir.Model, e: int, used: dict, visited: frozenset) -> list:
    ep = model.endpoints[e]
    out = [f"  subgraph {_quote(f'cluster_{ep.name}')} {{",
           f"    label={_quote(ep.name)};",
           f"    {_quote(_start_id(ep))} [shape=point, width=0.12, label=\"\"];"]
    for s, state in enumerate(ep.states):
        out.append(f"    {_quote(_node_id(ep, s))} [{_node_attributes(ep, s, (e, s) in visited)}];")
    out.append(f"    {_quote(_start_id(ep))} -> {_quote(_node_id(ep, ep.initial))};")
    loops: dict = {}  # state -> [(transition, steps)], drawn as one edge: see _loop_edge
    for t, transition in enumerate(ep.transitions):
        for source in sorted(transition.sources):
            steps = used.get((e, t, source), ())
            if transition.target in (None, source):
                loops.setdefault(source, []).append((transition, steps))
            else:
                out.append(_edge(ep, source, transition.target,
                                 _edge_attributes(ep, transition, steps)))
    for state in sorted(loops):
        out.append(_edge(ep, state, state, _loop_attributes(ep, loops[state])))
    out.append("  }")
    return out


def _edge(ep: ir.Endpoint, source: int, target: int, attributes: str) -> str:
    return f"    {_quote(_node_id(ep, source))} -> {_quote(_node_id(ep, target))} [{attributes}];"


def _start_id(ep: ir.Endpoint) -> str:
    return f"{ep.name}.__initial"  # not a state name: those are identifiers without dots


def _node_id(ep: ir.Endpoint, state: int) -> str:
    return f"{ep.name}.{ep.states[state]}"


def _node_attributes(ep: ir.Endpoint, state: int, visited: bool) -> str:
    attributes = [f"label={_quote(ep.states[state])}"]
    if state in ep.terminal:
        attributes.append("peripheries=2")
    if visited:
        attributes += [f'color="{HIGHLIGHT}"', "penwidth=2",
                       'style="rounded,filled"', f'fillcolor="{VISITED_FILL}"']
    return ", ".join(attributes)


def _edge_attributes(ep: ir.Endpoint, transition: ir.Transition, steps: tuple) -> str:
    label = f"{transition.name}\n{edge_label(ep, transition)}" + _steps_text(steps, "\n")
    attributes = [f"label={_quote(label)}", f"tooltip={_quote(_tooltip(transition))}"]
    return ", ".join(attributes + (_HIGHLIGHTED_EDGE if steps else []))


def _loop_attributes(ep: ir.Endpoint, loops: list) -> str:
    """Every transition that stays in a state, as one loop with a line each: Graphviz
    lays several loops of one node on top of each other, labels included."""
    lines = [f"{t.name}: {edge_label(ep, t)}" + _steps_text(steps, " ") for t, steps in loops]
    tooltip = "\n".join(f"{t.name}: {_tooltip(t)}" for t, _ in loops)
    label = "\n".join(lines)
    attributes = [f"label={_quote(label, left=True)}", f"tooltip={_quote(tooltip)}"]
    return ", ".join(attributes + (_HIGHLIGHTED_EDGE if any(s for _, s in loops) else []))


_HIGHLIGHTED_EDGE = [f'color="{HIGHLIGHT}"', f'fontcolor="{HIGHLIGHT}"', "penwidth=2.5"]


def _steps_text(steps: tuple, separator: str) -> str:
    if not steps:
        return ""
    return f"{separator}(step{'s' if len(steps) > 1 else ''} {', '.join(map(str, steps))})"


def _tooltip(transition: ir.Transition) -> str:
    """The guard and doc, which would crowd the drawing, for a mouse-over in the SVG."""
    parts = []
    if transition.guard is not None:
        parts.append("when " + expr_text(transition.guard))
    if transition.doc:
        parts.append(transition.doc)
    return "; ".join(parts) or transition.name


# ---- labels ---------------------------------------------------------------------------------

def edge_label(ep: ir.Endpoint, transition: ir.Transition) -> str:
    """``trigger / snd FLAGS`` in the style of RFC 9293 Figure 5; just the trigger when the
    transition sends nothing."""
    sends = sends_summary(transition.body)
    trigger = trigger_text(ep, transition.trigger)
    return f"{trigger} / {sends}" if sends else trigger


def sends_summary(body: tuple) -> str:
    """The distinct segments a body may send, in order of first appearance, as the RFC's
    figure writes them: ``snd SYN,ACK``; sends in different branches are listed once each."""
    kinds = []
    for flags in _send_flags(body):
        text = ir.flag_text(flags).replace("+", ",")
        if text not in kinds:
            kinds.append(text)
    return "snd " + "; ".join(kinds) if kinds else ""


def _send_flags(body: tuple):
    for statement in body:
        if isinstance(statement, ir.Send):
            yield statement.flags
        elif isinstance(statement, ir.If):
            yield from _send_flags(statement.then)
            yield from _send_flags(statement.otherwise)


# ---- what a trace used ----------------------------------------------------------------------

def used_edges(model: ir.Model, trace: Trace) -> dict:
    """``(endpoint, transition, source state) -> step numbers`` for every step of ``trace``
    that fired a transition.  The source state is the actor's state before the step.
    Raises UsageError when the trace names an endpoint, transition or state the model does
    not have (a trace of another model)."""
    used: dict = {}
    names = [e.name for e in model.endpoints]
    for previous, step in zip(trace.steps, trace.steps[1:]):
        if step.transition is None or step.actor not in names:
            continue  # channel faults, ticks, discards: no edge of a state machine
        e = names.index(step.actor)
        ep = model.endpoints[e]
        t = _transition_index(model, ep, step)
        source = _state_index(model, ep, _endpoint_view(model, previous, ep).state, step.index)
        _check_target(model, ep, ep.transitions[t], source, step)
        used.setdefault((e, t, source), []).append(step.index)
    return {key: tuple(steps) for key, steps in used.items()}


def visited_states(model: ir.Model, trace: Trace) -> frozenset:
    """``(endpoint, state)`` pairs of every control state some step of ``trace`` is in."""
    visited = set()
    for step in trace.steps:
        for e, ep in enumerate(model.endpoints):
            view = _endpoint_view(model, step, ep)
            visited.add((e, _state_index(model, ep, view.state, step.index)))
    return frozenset(visited)


def _endpoint_view(model: ir.Model, step, ep: ir.Endpoint):
    try:
        return step.state.endpoint(ep.name)
    except KeyError:
        raise UsageError(f"the trace does not fit model {model.name}: step {step.index} has "
                         f"no endpoint {ep.name}") from None


def _transition_index(model: ir.Model, ep: ir.Endpoint, step) -> int:
    names = [t.name for t in ep.transitions]
    if step.transition not in names:
        raise UsageError(f"the trace does not fit model {model.name}: step {step.index} fires "
                         f"{ep.name}.{step.transition}, which the model does not have")
    return names.index(step.transition)


def _check_target(model: ir.Model, ep: ir.Endpoint, transition: ir.Transition, source: int,
                  step) -> None:
    """A run of another model may use the same names: its states must still be the
    model's, before (checked by the caller) and after the step."""
    target = source if transition.target is None else transition.target
    after = _endpoint_view(model, step, ep).state
    if source not in transition.sources or after != ep.states[target]:
        sources = ", ".join(ep.states[s] for s in sorted(transition.sources))
        to = "the same state" if transition.target is None else ep.states[transition.target]
        raise UsageError(f"the trace does not fit model {model.name}: at step {step.index} "
                         f"{ep.name}.{transition.name} goes from {ep.states[source]} to "
                         f"{after}, but in the model it goes from {sources} to {to}")


def _state_index(model: ir.Model, ep: ir.Endpoint, state: str, index: int) -> int:
    if state not in ep.states:
        raise UsageError(f"the trace does not fit model {model.name}: at step {index} "
                         f"{ep.name} is in {state}, which is not one of its states")
    return ep.states.index(state)


# ---- DOT syntax -----------------------------------------------------------------------------

def _quote(text: str, *, left: bool = False) -> str:
    """A DOT double-quoted string; a newline becomes a line break, centred or (``left``)
    left-justified: Graphviz's ``\\l`` ends a left-justified line, the last one included."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if left:
        return '"' + escaped.replace("\n", "\\l") + '\\l"'
    return '"' + escaped.replace("\n", "\\n") + '"'


# ---- SVG through Graphviz -------------------------------------------------------------------

def svg(dot_text: str) -> str:
    """The SVG Graphviz's ``dot`` program draws for ``dot_text``.  Raises UsageError when
    Graphviz is not installed, TcpcheckError when ``dot`` rejects the text."""
    program = shutil.which("dot")
    if program is None:
        raise UsageError("drawing SVG needs Graphviz's 'dot' program, which is not installed "
                         "(e.g. apt-get install graphviz); --format dot prints the DOT text")
    try:
        done = subprocess.run([program, "-Tsvg"], input=dot_text, capture_output=True,
                              text=True, timeout=DOT_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise TcpcheckError(f"Graphviz's dot did not finish in {DOT_TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        raise TcpcheckError(f"Graphviz's dot failed: {done.stderr.strip()}")
    return done.stdout
