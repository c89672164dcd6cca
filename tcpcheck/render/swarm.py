"""The result of ``tcpcheck swarm`` as text and as JSON.  A swarm never proves a property,
so what it did not find is "not verified", never "holds"."""

from __future__ import annotations

from tcpcheck import __version__
from tcpcheck.render import json as render_json
from tcpcheck.render.simulate import fired_count, never_fired, verdict_lines

STOPS = {"budget": "time ran out: the budget of {budget:g} s{share}",
         "interrupted": "interrupted", "terminated": "terminated (SIGTERM)"}


def text(result, *, trace_format: str = "chart", full: bool = False,
         color: bool = False) -> str:
    lines = [f"swarm on {result.model}: {len(result.tasks)} tasks on Ray ({result.address}), "
             f"seed {result.seed}, depth {result.depth}, budget {result.budget:g} s"]
    lines += verdict_lines(result, _status, "a swarm", trace_format=trace_format, full=full,
                           color=color)
    if result.stop_reason in STOPS:
        share = (f", {result.share:.3g} s a task" if result.share and result.share < result.budget
                 else "")
        why = STOPS[result.stop_reason].format(budget=result.budget, share=share)
        lines.append(f"stopped early ({why}): partial result, not verified")
    complete = [r for r in result.records if r.complete]
    if complete and result.exit_code != 1:
        lines.append(f"note: task {complete[0].spec.index}'s breadth-first search explored "
                     f"every reachable state ({complete[0].states:,}); `tcpcheck check` "
                     "gives a verdict")
    if result.no_bitstate:
        lines.append(f"note (no_bitstate): {_no_bitstate(result)}")
    lines.append(coverage(result))
    return "\n".join(lines)


def _no_bitstate(result) -> str:
    tasks = ", ".join(str(i) for i in result.fallbacks)
    return (f"task{'s' if len(result.fallbacks) != 1 else ''} {tasks} ran uniform walks "
            f"instead of bitstate searches: {result.no_bitstate}")


def _status(p, result) -> str:
    if p.status in ("violated", "reached"):
        word = "VIOLATED" if p.status == "violated" else "reached"
        detail = f"; {p.detail}" if p.detail else ""
        task = f"task {p.task.index}, {p.task.describe()}"
        how = (f"a shortest run has {len(p.trace)} steps (a bounded search up to the "
               f"{p.found_length} steps of the run found by {task})" if p.shortest
               else f"a run of {len(p.trace)} steps found by {task}")
        return f"{word}: {how}, replayed by the reference semantics{detail}"
    what = "not reached" if p.kind == "reachable" else "no violation found"
    return (f"{what} by {len(result.records)} tasks in {result.seconds:.1f} s, not verified "
            "(a swarm explores only some runs)")


def coverage(result) -> str:
    return (f"coverage: {fired_count(result.coverage)}, {result.states_seen:,} states seen "
            f"(summed over tasks), {result.steps:,} steps, {len(result.records)} of "
            f"{len(result.tasks)} tasks finished, {result.seconds:.2f} s"
            + never_fired(result.coverage))


def _task(spec) -> dict:
    out = {"index": spec.index, "kind": spec.kind, "seed": spec.seed, "depth": spec.depth}
    if spec.bits is not None:  # bitstate: its array; its seed is its hash seed
        out["bits"] = spec.bits
    return out


def data(result, model) -> dict:
    return {
        "schema": render_json.SCHEMA_VERSION, "tcpcheck": __version__, "command": "swarm",
        "model": result.model, "file": model.file, "overrides": render_json.overrides(model),
        "ray": result.address, "seed": result.seed, "depth": result.depth,
        "budget": result.budget, "task_seconds": result.share,
        "stop_reason": result.stop_reason,
        "exit_code": result.exit_code,
        "verified": False,  # a swarm never verifies
        "properties": [{"name": p.name, "kind": p.kind, "status": p.status,
                        "detail": p.detail, "task": _task(p.task) if p.task else None,
                        "found_length": p.found_length, "shortest": p.shortest,
                        "trace": render_json.trace(p.trace) if p.trace else None}
                       for p in result.properties],
        "not_judged": list(result.liveness),
        "notes": ([{"code": "no_bitstate", "tasks": list(result.fallbacks),
                    "message": _no_bitstate(result)}] if result.no_bitstate else []),
        "tasks": [_task(s) | _record(result, s.index) for s in result.tasks],
        "stats": {"steps": result.steps, "states_seen": result.states_seen,
                  "seconds": round(result.seconds, 3),
                  "coverage": [{"endpoint": c.endpoint, "transition": c.transition,
                                "fired": c.fired} for c in result.coverage]},
    }


def _record(result, index: int) -> dict:
    """What a finished task reported; ``finished: false`` for one cancelled or unstarted."""
    r = next((r for r in result.records if r.spec.index == index), None)
    if r is None:
        return {"finished": False}
    return {"finished": True, "states": r.states, "steps": r.steps,
            "seconds": round(r.seconds, 3), "complete": r.complete,
            "stop_reason": r.stop_reason,
            "found": [{"property": f.name, "status": f.status, "length": len(f.moves)}
                      for f in r.findings]}
