"""``tcpcheck synth MODEL --property P --param NAME``: the least value of a param for which
a property holds, as an expression in the other params (e.g. TW = 2*MSL)."""

from __future__ import annotations

from tcpcheck.commands._common import (SolverProgress, add_format_option, check_property_names,
                                       is_terminal, load_model, no_liveness, positive_float,
                                       positive_int, positive_megabytes, trace_options)
from tcpcheck.render import json as render_json
from tcpcheck.render import text as render_text

NAME = "synth"
ORDER = 2


def add_parser(subparsers) -> None:
    sy = subparsers.add_parser(NAME, help="find the least value of a param for which a "
                               "property holds, as an expression in the other params "
                               "(e.g. TW = 2*MSL)")
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
                    help="time limit of each proof (its verdict is then unknown, and the "
                         "search goes on)")
    sy.add_argument("--max-memory", type=positive_megabytes, metavar="SIZE",
                    help="stop the search when tcpcheck and its solver processes use more "
                         "than SIZE (megabytes, or 512M, 2G) together (exit 3, with the "
                         "samples so far)")
    sy.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides")
    sy.add_argument("--json", action="store_true", help="print the result as JSON")
    sy.add_argument("--full", action="store_true", help="show every variable at every step")
    add_format_option(sy)


def run(args, stdout, stderr) -> int:
    from tcpcheck import symbolic

    model = load_model(args.model, stderr, args.overrides)
    check_property_names(model, [args.property])
    no_liveness(model, [args.property], stderr, "synth")
    progress = SolverProgress(stderr) if is_terminal(stderr) and not args.json else None
    try:
        result = symbolic.synthesize(model, args.property, args.param, depth=args.depth,
                                     timeout=args.timeout, upper=args.max, samples=args.samples,
                                     progress=progress, engine=args.engine,
                                     max_memory=args.max_memory)
    finally:
        if progress:
            progress.clear()
    if args.json:
        stdout.write(render_json.dumps(render_json.synth_result(result)) + "\n")
    else:
        stdout.write(render_text.synth_result(result, model, full=args.full,
                                              **trace_options(args, stdout)) + "\n")
    return result.exit_code
