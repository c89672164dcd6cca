"""``tcpcheck parse MODEL``: validate a model and summarise it (never explores, never
enumerates a domain)."""

from __future__ import annotations

from tcpcheck.commands._common import load_model
from tcpcheck.render import json as render_json
from tcpcheck.render import text as render_text

NAME = "parse"
ORDER = 3


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="validate a model and summarise it")
    p.add_argument("model", help="a .tcp model file")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")


def run(args, stdout, stderr) -> int:
    model = load_model(args.model, stderr)
    if args.json:
        stdout.write(render_json.dumps(model_json(model)) + "\n")
    else:
        stdout.write(render_text.model_summary(model) + "\n")
    return 0


def model_json(model) -> dict:
    return {
        "model": model.name, "file": model.file, "doc": model.doc,
        "bounds": {"seqspace": model.bounds.seqspace, "incarnations": model.bounds.incarnations},
        "channel": {"capacity": model.channel.capacity, "loss": model.channel.loss,
                    "duplication": model.channel.duplication,
                    "reordering": model.channel.reordering, "msl": model.channel.msl,
                    "msl_expr": render_json.msl_expr(model),
                    **({"shared": True} if model.channel.shared else {})},
        "endpoints": [{"name": e.name, "states": list(e.states), "initial": e.states[e.initial],
                       "variables": [v.name for v in e.variables], "timers": list(e.timers),
                       "transitions": [t.name for t in e.transitions]} for e in model.endpoints],
        "properties": [{"name": p.name, "kind": p.kind, "doc": p.doc} for p in model.properties],
        "params": render_json.params(model),
        "lemmas": render_json.lemmas(model),
        "fairness": [f.text for f in model.fairness],
        # only when there are some, so that other models' JSON stays as it was
        **({"assumptions": [{"name": a.name, "doc": a.doc} for a in model.assumptions]}
           if model.assumptions else {}),
        # the segment's fields (MANUAL 7), likewise only when it has some
        **({"segment_fields": [{"name": f.name, "type": str(f.type), "ghost": f.ghost}
                               for f in model.ghost_fields]} if model.ghost_fields else {}),
        "warnings": [{"code": w.code, "message": w.message, "line": w.span.line,
                      "column": w.span.column} for w in model.warnings],
    }
