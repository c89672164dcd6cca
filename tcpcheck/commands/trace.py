"""``tcpcheck trace FILE``: show a saved run again, in another format, or with the values
of expressions along it.

FILE is what ``tcpcheck check|prove MODEL --json`` printed (``--property`` picks the
property, by default the first with a trace), a trace written by ``--format json`` or
``--format itf``, or a bare trace object.  ``--eval EXPR`` evaluates an expression of the
model's property language at every step, typed by the model the trace records (or
``--model FILE``).
"""

from __future__ import annotations

import argparse

from tcpcheck.commands._common import positive_int
from tcpcheck.diagnostics import ModelError, UsageError
from tcpcheck.loader import load_file, parse_override
from tcpcheck.render import evaluation as render_eval
from tcpcheck.render import text as render_text
from tcpcheck.render.formats import DEFAULT_FORMAT, TRACE_FORMATS, render_file, render_trace
from tcpcheck.result import EXIT_BAD_INPUT
from tcpcheck.trace.evaluate import evaluate, lower_expression, mismatch, model_for
from tcpcheck.trace.files import LoadedTrace, load_trace

NAME = "trace"

EXAMPLES = """\
examples:
  tcpcheck check models/two_way_handshake.tcp --json > run.json
  tcpcheck trace run.json                                the first counterexample, step by step
  tcpcheck trace run.json -p handshake_completes --full  another property's run, every variable
  tcpcheck trace run.json --format itf > run.itf.json    for Apalache/Quint tooling (ITF)
  tcpcheck trace run.json --eval 'client.snd_nxt - client.iss' --eval 'exists s in channel: s.SYN'
"""

FORMATS = tuple(TRACE_FORMATS)
TITLED = ("chart", "steps", "rfc")  # read by people: a line says what run it is; the others
# (json, itf, mermaid, svg) are files for other tools and stay exactly their format


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="show a saved trace (from check --json, a trace "
                              "file or ITF), convert it, or evaluate expressions along it",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="a JSON result of check/prove --json, a trace file or an "
                   "ITF trace (.itf.json)")
    p.add_argument("--property", "-p", metavar="NAME", help="the property whose trace to "
                   "show (default: the first with one)")
    p.add_argument("--counterexample", type=positive_int, default=1, metavar="K",
                   help="the K-th counterexample of the property, when the check kept "
                        "several (default 1, the shortest)")
    p.add_argument("--format", choices=FORMATS, metavar="|".join(FORMATS),
                   help=f"as for check (default {DEFAULT_FORMAT}); json: a trace file "
                        "(spec/JSON.md) that this command reads back; itf: the Informal "
                        "Trace Format of Apalache and Quint")
    p.add_argument("--full", action="store_true",
                   help="show every variable at every step, not only the ones that changed")
    p.add_argument("--eval", action="append", metavar="EXPR", dest="expressions",
                   help="print the value of EXPR (the property language) at every step "
                        "(repeatable: one column each)")
    p.add_argument("--model", metavar="FILE", help="the model to evaluate --eval in "
                   "(default: the model file the trace records)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides",
                   help="with --eval: load the model with this setting, e.g. MSL=3 (by "
                        "default at the settings the file records the run was found with)")




def run(args, stdout, stderr) -> int:
    loaded = load_trace(args.file, args.property, args.counterexample)
    if args.expressions:
        if args.format is not None:
            raise UsageError("--eval prints a table of values; it cannot be combined with "
                             f"--format {args.format}")
        return _evaluate(args, loaded, stdout, stderr)
    stdout.write(render(loaded, args.format or DEFAULT_FORMAT, full=args.full) + "\n")
    return 0


def render(loaded: LoadedTrace, fmt: str, *, full: bool = False) -> str:
    """The trace in ``fmt`` (one of FORMATS); json and itf keep what the file said about
    the run's origin (model file, sequence space), so the output reads back the same."""
    t = loaded.trace
    if fmt in ("json", "itf"):
        return render_file(t, fmt, file=loaded.file, seqspace=loaded.seqspace,
                           overrides=loaded.overrides, bounds=loaded.bounds).rstrip("\n")
    body = render_trace(t, fmt, full=full)
    return _title(loaded) + "\n" + body if fmt in TITLED else body


def _title(loaded: LoadedTrace) -> str:
    t = loaded.trace
    what = "Witness" if t.kind == "witness" else "Counterexample"
    of = f" for {t.property}" if t.property else ""
    origin = [loaded.file] if loaded.file else []
    if loaded.overrides:
        origin.append(_settings(loaded.overrides))
    where = f" ({', '.join(origin)})" if origin else ""
    return f"{what}{of}: model {t.model}{where}, {len(t)} step{'s' if len(t) != 1 else ''}"


def _settings(pairs) -> str:
    """``--set bounds.seqspace=16 --set MSL=3``: the settings as they were given."""
    return " ".join(f"--set {k}={v}" for k, v in pairs)


def _evaluate(args, loaded: LoadedTrace, stdout, stderr) -> int:
    given = dict(parse_override(o) for o in args.overrides or ())
    overrides = run_overrides(loaded, given, args.file, stderr)
    path = model_for(args.model, loaded.file, args.file)
    try:
        model = load_file(path, overrides)
    except UsageError as err:
        if not set(overrides) - set(given):
            raise
        raise UsageError(f"{err} (loading {path} with the settings {args.file} records: "
                         f"{_settings(overrides.items())})") from None
    problem = mismatch(model, loaded.trace,
                       _modulus(loaded, model, given), model_file=path)
    if problem:
        raise UsageError(f"{args.file}: {problem}")
    expressions, failed = [], 0
    for text in args.expressions:
        try:
            expressions.append(lower_expression(text, model))
        except ModelError as err:  # every expression's mistakes, then stop
            failed += 1
            stderr.write("\n".join(render_text.diagnostic(d, err.source)
                                   for d in err.diagnostics) + "\n")
    if failed:
        return EXIT_BAD_INPUT
    modulus = _modulus(loaded, model, given)
    t = loaded.trace
    rows = [[evaluate(x, step, t, modulus) for x in expressions] for step in t.steps]
    stdout.write(_title(loaded) + "\n" + render_eval.table(t, list(args.expressions), rows)
                 + "\n")
    return 0


def run_overrides(loaded: LoadedTrace, given: dict, file: str, stderr) -> dict:
    """The settings to load the model at for ``--eval``: those the file records the run was
    found with, then the params' values a symbolic run chose (so that constants derived
    from them agree), then ``--set`` (``given``), which wins; a note on ``stderr`` for each
    ``--set`` that differs from what the file records."""
    recorded = dict(loaded.overrides or ())
    if loaded.overrides is not None:
        for name, value in given.items():
            if name not in recorded:
                was = "without it (the model's own value)"
            elif recorded[name] != value:
                was = f"with {name}={recorded[name]}"
            else:
                continue
            stderr.write(f"note: --set {name}={value} differs from the run in {file}, which "
                         f"was found {was}; evaluating with {name}={value}\n")
    return {**recorded, **dict(loaded.trace.params), **given}


def _modulus(loaded: LoadedTrace, model, given: dict) -> int:
    """Sequence arithmetic is modulo the run's sequence space, as the file records it
    (a proof's may be 2**32), unless --set bounds.seqspace says otherwise."""
    if "bounds.seqspace" in given:
        return model.bounds.seqspace
    return loaded.seqspace or model.bounds.seqspace
