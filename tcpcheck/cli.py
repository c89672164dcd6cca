"""The ``tcpcheck`` command line.  The only module that prints.

Exit codes: 0 every property holds, 1 a property is violated (or a reachable goal is not
reachable), 2 bad model or usage, 3 nothing failed but the run stopped at a limit before
every property was verified.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from tcpcheck import __version__, commands
from tcpcheck.commands._common import (ProgressLine, check_property_names, is_terminal, load_model,
                                       positive_float, positive_int)
from tcpcheck.diagnostics import ModelError, TcpcheckError, UsageError
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.render import json as render_json
from tcpcheck.render import text as render_text
from tcpcheck.render.chart import use_color
from tcpcheck.render.formats import DEFAULT_FORMAT, REPORT_FORMATS
from tcpcheck.result import EXIT_BAD_INPUT, EXIT_INCOMPLETE

EXAMPLES = """\
examples:
  tcpcheck check models/two_way_handshake.tcp          shows the stale-SYN counterexample
  tcpcheck check models/three_way_handshake.tcp        verifies no_stale_accept
  tcpcheck check MODEL --property no_stale_accept --max-states 100000 --timeout 60
  tcpcheck check MODEL --json                          machine-readable result (spec/JSON.md)
  tcpcheck check MODEL --set channel.capacity=1 --set MSL=3   other bounds, same file
  tcpcheck parse MODEL                                 validate and summarise a model

exit codes: 0 all properties hold, 1 a property is violated, 2 bad model or usage,
            3 stopped at a limit before every property was verified
"""


PROVE_EXAMPLES = """\
examples:
  tcpcheck prove models/two_way_handshake.tcp                 the stale-SYN run, 32-bit numbers
  tcpcheck prove models/three_way_handshake.tcp --engine kind no_stale_accept for every ISN
  tcpcheck prove MODEL --engine pdr --property P --timeout 300  Spacer's inductive invariant
  tcpcheck prove MODEL --seqspace model --time unit           the explicit engine's semantics
  tcpcheck synth models/time_wait_every_msl.tcp -p no_old_segment_confusion --param TW

verdicts: PROVED (unbounded), holds up to the depth (bounded, not a proof), VIOLATED (with
the run), UNKNOWN (time limit or the solver gave up).  exit codes: 0 every property proved,
1 a property violated, 2 bad model or usage, 3 otherwise (bounded or unknown)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tcpcheck", description="Model-check formal models of TCP connection management.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"tcpcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser("check", help="explore every run of a model and check its properties",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("model", help="a .tcp model file")
    c.add_argument("--property", "-p", action="append", metavar="NAME",
                   help="check only this property (repeatable)")
    c.add_argument("--max-states", type=positive_int, metavar="N",
                   help="stop after N distinct states")
    c.add_argument("--max-depth", type=positive_int, metavar="N",
                   help="do not explore beyond N steps from the initial state")
    c.add_argument("--timeout", type=positive_float, metavar="S", help="stop after S seconds")
    c.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides",
                   help="override a constant or a setting, e.g. MSL=3, channel.capacity=2, "
                        "bounds.incarnations=2 (repeatable)")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.add_argument("--full", action="store_true",
                   help="show every variable at every step, not only the ones that changed")
    c.add_argument("--witnesses", action="store_true", help="also print witness runs of "
                   "reachable goals")
    _add_format_option(c)
    c.add_argument("--counterexamples", type=positive_int, default=1, metavar="N",
                   help="up to N runs per violated property that break it in different "
                        "ways (different sequences of actions), shortest first")
    c.add_argument("--coverage", action="store_true", help="print how often each transition fired")
    c.add_argument("--exhaustive", action="store_true", help="explore the whole state space even "
                   "after every property is decided (for exact statistics)")

    pr = sub.add_parser("prove", help="verify properties symbolically with Z3 (any ISN, 32-bit "
                        "sequence numbers, symbolic params)",
                        epilog=PROVE_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    pr.add_argument("model", help="a .tcp model file")
    pr.add_argument("--property", "-p", action="append", metavar="NAME",
                    help="prove only this property (repeatable; 'domains' is the built-in one)")
    pr.add_argument("--engine", choices=("bmc", "kind", "pdr"), default="bmc",
                    help="bmc: bounded model checking to --depth; kind: k-induction (k <= "
                         "--depth) with the model's lemmas; pdr: Spacer's unbounded proof")
    pr.add_argument("--depth", type=positive_int, default=10, metavar="K",
                    help="steps to unroll (bmc), largest k (kind), runs to search for a "
                         "counterexample after a refutation (pdr); default 10")
    pr.add_argument("--timeout", type=positive_float, metavar="S",
                    help="give up after S seconds (the verdict is then 'unknown' or bounded)")
    pr.add_argument("--seqspace", default="real", metavar="real|model|N",
                    help="sequence-number space: real = 32 bits (default), model = the model's "
                         "bounds.seqspace (what the explicit engine uses), or a number")
    pr.add_argument("--time", choices=("jump", "unit"), default="jump",
                    help="jump: any number of ticks may pass in one step (default); unit: one "
                         "tick per step, as the explicit engine")
    pr.add_argument("--fixed-params", action="store_true",
                    help="use each param's default instead of every value its 'where' allows")
    pr.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides",
                    help="override a constant, a param's default or a setting (repeatable)")
    pr.add_argument("--json", action="store_true", help="print the result as JSON")
    pr.add_argument("--full", action="store_true", help="show every variable at every step")
    pr.add_argument("--witnesses", action="store_true", help="also print witness runs of "
                    "reachable goals")
    _add_format_option(pr)

    sy = sub.add_parser("synth", help="find the least value of a param for which a property "
                        "holds, as an expression in the other params (e.g. TW = 2*MSL)")
    sy.add_argument("model", help="a .tcp model file")
    sy.add_argument("--property", "-p", required=True, metavar="NAME", help="the property")
    sy.add_argument("--param", required=True, metavar="NAME", help="the param to synthesise")
    sy.add_argument("--engine", choices=("pdr", "kind"), default="pdr",
                    help="what proves each candidate: pdr (Spacer, the default) or kind "
                         "(1-induction with the model's lemmas)")
    sy.add_argument("--samples", type=positive_int, default=3, metavar="N",
                    help="values 1..N of each other param to sample (default 3)")
    sy.add_argument("--max", type=positive_int, default=16, metavar="V",
                    help="largest value of the param to try at a sample (default 16)")
    sy.add_argument("--depth", type=positive_int, default=30, metavar="K",
                    help="BMC depth for the refutations (default 30)")
    sy.add_argument("--timeout", type=positive_float, metavar="S",
                    help="time limit of each solver run")
    sy.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides")
    sy.add_argument("--json", action="store_true", help="print the result as JSON")
    sy.add_argument("--full", action="store_true", help="show every variable at every step")
    _add_format_option(sy)

    p = sub.add_parser("parse", help="validate a model and summarise it")
    p.add_argument("model", help="a .tcp model file")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    for command in commands.load():
        command.add_parser(sub)
        COMMANDS[command.NAME] = command.run
    return parser


def _add_format_option(parser) -> None:
    parser.add_argument("--format", choices=REPORT_FORMATS, default=DEFAULT_FORMAT,
                        dest="trace_format",
                        help="how runs are printed: chart (a sequence chart, the default), "
                             "steps (a numbered list), rfc (RFC 9293's figure notation), "
                             "mermaid (a Mermaid sequenceDiagram), svg (an SVG document)")


def _trace_options(args, stdout) -> dict:
    """The trace format asked for, and colour only on a terminal without NO_COLOR."""
    return {"trace_format": args.trace_format,
            "color": args.trace_format == "chart" and use_color(stdout, os.environ)}


def main(argv=None, stdout=None, stderr=None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser.parse_args(argv)  # argparse prints usage errors and --help itself
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if args.command is None:
        parser.print_help(stdout)
        return EXIT_BAD_INPUT
    try:
        return COMMANDS[args.command](args, stdout, stderr)
    except ModelError as err:
        stderr.write(render_text.model_error(err) + "\n")
        return EXIT_BAD_INPUT
    except TcpcheckError as err:  # usage errors, and models the engine cannot compile
        stderr.write(f"tcpcheck: error: {err}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:  # outside a search (loading, encoding): nothing was established
        stderr.write("tcpcheck: interrupted before any property was decided\n")
        return EXIT_INCOMPLETE


def cmd_parse(args, stdout, stderr) -> int:
    model = load_model(args.model, stderr)
    if args.json:
        stdout.write(render_json.dumps(_model_json(model)) + "\n")
    else:
        stdout.write(render_text.model_summary(model) + "\n")
    return 0


def _model_json(model) -> dict:
    return {
        "model": model.name, "file": model.file, "doc": model.doc,
        "bounds": {"seqspace": model.bounds.seqspace, "incarnations": model.bounds.incarnations},
        "channel": {"capacity": model.channel.capacity, "loss": model.channel.loss,
                    "duplication": model.channel.duplication,
                    "reordering": model.channel.reordering, "msl": model.channel.msl,
                    "msl_expr": render_json.msl_expr(model)},
        "endpoints": [{"name": e.name, "states": list(e.states), "initial": e.states[e.initial],
                       "variables": [v.name for v in e.variables], "timers": list(e.timers),
                       "transitions": [t.name for t in e.transitions]} for e in model.endpoints],
        "properties": [{"name": p.name, "kind": p.kind, "doc": p.doc} for p in model.properties],
        "params": render_json.params(model),
        "lemmas": render_json.lemmas(model),
        "fairness": [f.text for f in model.fairness],
        "warnings": [{"code": w.code, "message": w.message, "line": w.span.line,
                      "column": w.span.column} for w in model.warnings],
    }


def cmd_check(args, stdout, stderr) -> int:
    model = load_model(args.model, stderr, args.overrides)
    check_property_names(model, args.property)
    progress = _ProgressLine(stderr) if is_terminal(stderr) and not args.json else None
    options = CheckOptions(properties=tuple(args.property) if args.property else None,
                           max_states=args.max_states, max_depth=args.max_depth,
                           timeout=args.timeout, progress=progress,
                           stop_when_decided=not args.exhaustive,
                           counterexamples=args.counterexamples)
    result = check(model, options)
    if progress:
        progress.clear()
    if args.json:
        stdout.write(render_json.dumps(render_json.check_result(result, model)) + "\n")
    else:
        stdout.write(render_text.check_result(result, model, full=args.full,
                                              show_witnesses=args.witnesses,
                                              **_trace_options(args, stdout)) + "\n")
        if args.coverage:
            stdout.write(render_text.coverage(result) + "\n")
    return result.exit_code


def cmd_prove(args, stdout, stderr) -> int:
    from tcpcheck import symbolic  # z3 is loaded only for the symbolic commands

    model = load_model(args.model, stderr, args.overrides)
    check_property_names(model, args.property, extra=("domains",))
    _no_liveness(model, args.property, stderr, "prove")
    progress = _SolverProgress(stderr) if is_terminal(stderr) and not args.json else None
    options = symbolic.ProveOptions(
        engine=args.engine, depth=args.depth, timeout=args.timeout,
        properties=tuple(args.property) if args.property else None,
        seqspace=_seqspace(args.seqspace, model), time=args.time,
        symbolic_params=not args.fixed_params, progress=progress)
    result = symbolic.prove(model, options)
    if progress:
        progress.clear()
    if args.json:
        stdout.write(render_json.dumps(render_json.proof_result(result, model, args.depth)) + "\n")
    else:
        stdout.write(render_text.proof_result(result, model, full=args.full, depth=args.depth,
                                              show_witnesses=args.witnesses,
                                              **_trace_options(args, stdout)) + "\n")
    return result.exit_code


def cmd_synth(args, stdout, stderr) -> int:
    from tcpcheck import symbolic

    model = load_model(args.model, stderr, args.overrides)
    check_property_names(model, [args.property])
    _no_liveness(model, [args.property], stderr, "synth")
    progress = _SolverProgress(stderr) if is_terminal(stderr) and not args.json else None
    result = symbolic.synthesize(model, args.property, args.param, depth=args.depth,
                                 timeout=args.timeout, upper=args.max, samples=args.samples,
                                 progress=progress, engine=args.engine)
    if progress:
        progress.clear()
    if args.json:
        stdout.write(render_json.dumps(render_json.synth_result(result)) + "\n")
    else:
        stdout.write(render_text.synth_result(result, model, full=args.full,
                                              **_trace_options(args, stdout)) + "\n")
    return result.exit_code


def _no_liveness(model, names, stderr, command: str) -> None:
    """The symbolic engines decide safety properties only: a liveness property named on the
    command line is a usage error, and the others are left out with a note."""
    live = [p.name for p in model.properties if p.liveness]
    asked = [n for n in (names or ()) if n in live]
    if asked:
        raise UsageError(f"'{asked[0]}' is a liveness property; `tcpcheck {command}` checks "
                         "safety properties only, and liveness properties are checked by "
                         "`tcpcheck check`")
    if live and not names:
        stderr.write(f"note: not checking the liveness properties {', '.join(live)}; "
                     "liveness properties are checked by `tcpcheck check`\n")


def _seqspace(text: str, model) -> int | None:
    if text == "real":
        return None
    if text == "model":
        return model.bounds.seqspace
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"--seqspace takes real, model or a number, not '{text}'") from None
    if value < 2:
        raise UsageError(f"--seqspace must be at least 2, not {value}")
    return value


class _ProgressLine(ProgressLine):
    """The explicit engine's progress: states, transitions, depth, queue, rate."""

    def __call__(self, states, transitions, depth, queue, seconds) -> None:
        rate = states / seconds if seconds > 0 else 0
        self.show(f"  {states:,} states, {transitions:,} transitions, depth {depth}, "
                  f"queue {queue:,}, {seconds:.0f} s, {rate:,.0f} states/s")


class _SolverProgress(ProgressLine):
    """The solver's phase (engine, depth) and time so far, on the same kind of line."""

    def __call__(self, phase: str, seconds: float) -> None:
        self.show(f"  {phase}, {seconds:.0f} s")
        self.shown = True


COMMANDS = {"check": cmd_check, "parse": cmd_parse, "prove": cmd_prove, "synth": cmd_synth}


def run() -> None:  # console-script entry point
    sys.exit(main())


if __name__ == "__main__":
    run()
