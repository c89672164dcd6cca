"""``tcpcheck prove MODEL``: decide the safety properties symbolically with Z3: 32-bit
sequence numbers, any ISN, symbolic params (tcpcheck/symbolic)."""

from __future__ import annotations

import argparse
import os

from tcpcheck.commands import _artefact as artefact
from tcpcheck.commands._common import (SolverProgress, add_file_format_options,
                                       check_property_names, is_terminal, load_model, no_liveness,
                                       positive_float, positive_int,
                                       positive_megabytes)
from tcpcheck.diagnostics import UsageError
from tcpcheck.limits import Limits
from tcpcheck.render import json as render_json
from tcpcheck.render import text as render_text
from tcpcheck.render.chart import use_color
from tcpcheck.render.formats import DEFAULT_FORMAT

NAME = "prove"
ORDER = 1

DEFAULT_TIMEOUT = 60.0  # seconds: the portfolio's time limit when none is given

EXAMPLES = """\
examples:
  tcpcheck prove models/two_way_handshake.tcp                 the stale-SYN run, 32-bit numbers
  tcpcheck prove models/three_way_handshake.tcp               no_stale_accept for every ISN
  tcpcheck prove MODEL --engine pdr --property P --timeout 300  Spacer's inductive invariant
  tcpcheck prove MODEL --seqspace model --time unit           the explicit engine's semantics
  tcpcheck synth models/time_wait_every_msl.tcp -p no_old_segment_confusion --param TW

the portfolio (the default engine) runs BMC, k-induction with the model's lemmas and Spacer
on each property in parallel solver processes (--jobs at a time); the first conclusive
answer decides the property (and the output names the engine); a counterexample is always
BMC's, a shortest run.  Ctrl-C or SIGTERM stops at once with what was decided (exit 3).

verdicts: PROVED (unbounded), holds up to the depth (bounded, not a proof), VIOLATED (with
the run), UNKNOWN (a limit, an interrupt, or the solver gave up).  exit codes: 0 every
property proved, 1 a property violated, 2 bad model or usage, 3 otherwise (bounded, unknown,
stopped), 4 internal error
"""


def add_parser(subparsers) -> None:
    pr = subparsers.add_parser(NAME, help="verify properties symbolically with Z3 (any ISN, "
                               "32-bit sequence numbers, symbolic params)",
                               epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    pr.add_argument("model", help="a .tcp model file")
    pr.add_argument("--property", "-p", action="append", metavar="NAME",
                    help="prove only this property (repeatable; 'domains' is the built-in one)")
    pr.add_argument("--engine", choices=("portfolio", "bmc", "kind", "pdr"), default="portfolio",
                    help="portfolio (default): bmc, kind and pdr race on each property, the "
                         "first conclusive answer wins; bmc: bounded model checking to "
                         "--depth; kind: k-induction (k <= --depth) with the model's lemmas; "
                         "pdr: Spacer's unbounded proof")
    pr.add_argument("--depth", type=positive_int, metavar="K",
                    help="steps to unroll (bmc), largest k (kind), runs to search for a "
                         "counterexample after a refutation (pdr); default 10, except that "
                         "the portfolio's BMC deepens until the time limit")
    pr.add_argument("--timeout", type=positive_float, metavar="S",
                    help=f"stop after S seconds, encoding included (undecided properties are "
                         f"then bounded or unknown); default {DEFAULT_TIMEOUT:g} s for the "
                         "portfolio, so that the default command always ends, and none for "
                         "a single engine")
    pr.add_argument("--max-memory", type=positive_megabytes, metavar="SIZE",
                    help="stop when tcpcheck and its solver processes use more than SIZE "
                         "(megabytes, or 512M, 2G) together (undecided properties are "
                         "then unknown, exit 3)")
    pr.add_argument("--jobs", "-j", type=positive_int, metavar="N",
                    help="solver processes running at once (default: every core this "
                         "process may use); more tasks take turns without oversubscribing")
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
    add_file_format_options(pr)


def run(args, stdout, stderr) -> int:
    from tcpcheck import symbolic  # z3 is loaded only for the symbolic commands

    plan = artefact.plan(args)  # before the model and the solvers: usage mistakes first
    model = load_model(args.model, stderr, args.overrides)
    check_property_names(model, args.property, extra=("domains",))
    no_liveness(model, args.property, stderr, "prove")
    progress = SolverProgress(stderr) if is_terminal(stderr) and not args.json else None
    limits = limits_option(args)
    options = symbolic.ProveOptions(
        engine=args.engine, depth=args.depth, timeout=limits.timeout,
        properties=tuple(args.property) if args.property else None,
        seqspace=seqspace_option(args.seqspace, model), time=args.time,
        symbolic_params=not args.fixed_params, progress=progress,
        max_memory=limits.max_memory_mb, jobs=args.jobs)
    try:
        result = symbolic.prove(model, options)
    finally:
        if progress:
            progress.clear()
    if args.json:
        stdout.write(render_json.dumps(render_json.proof_result(result, model, args.depth)) + "\n")
        return result.exit_code

    def report(runs: bool = True) -> str:
        fmt = args.trace_format if plan is None and args.trace_format else DEFAULT_FORMAT
        return render_text.proof_result(
            result, model, full=args.full, depth=args.depth, show_witnesses=args.witnesses,
            trace_format=fmt, color=fmt == "chart" and use_color(stdout, os.environ),
            runs=runs) + "\n"

    if plan is None:
        stdout.write(report())
    else:
        artefact.deliver(plan, result, model, args, stdout, stderr, summary=report(runs=False),
                         report=lambda: stdout.write(report()))
    return result.exit_code


def limits_option(args) -> Limits:
    """--timeout (the portfolio's default when not given) and --max-memory."""
    timeout = args.timeout
    if timeout is None and args.engine == "portfolio":
        timeout = DEFAULT_TIMEOUT
    return Limits(timeout, args.max_memory)


def seqspace_option(text: str, model) -> int | None:
    """``--seqspace``: None for the real 32-bit space, else the modulus."""
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
