"""``tcpcheck simulate MODEL``: random walks from the initial state that judge every
safety property and goal on the way; a violation found is shortened to a shortest run.
A simulation never proves: without a violation the exit code is 3 (not verified).  The
walks run in the native engine when a C compiler works (--engine auto), else in Python;
both take the same runs for a seed."""

from __future__ import annotations

import argparse

from tcpcheck.analyses.simulate import WEIGHTINGS, simulate
from tcpcheck.commands._common import (ProgressLine, add_search_output_options,
                                       check_property_names, is_terminal, load_model,
                                       MAX_RUNS, MAX_SEED, MAX_WALK_DEPTH, positive_float,
                                       positive_int, whole_number, write_search_result)
from tcpcheck.render import simulate as render_simulate

NAME = "simulate"
ORDER = 1

EXAMPLES = """\
examples:
  tcpcheck simulate models/two_way_handshake.tcp        finds the stale-SYN violation
  tcpcheck simulate MODEL --runs 1000 --depth 50 --seed 7
  tcpcheck simulate MODEL --weighting rare              favour transitions fired least
  tcpcheck simulate MODEL --runs 1000000 --workers 4    the same runs, in 4 threads
  tcpcheck simulate MODEL --engine python               the reference walks (the same runs)
  tcpcheck simulate MODEL --json                        machine-readable result

exit codes: 1 a property is violated, 2 bad model or usage, 3 no violation found (a
            simulation never verifies a property, so this is "not verified"), 4 internal error
"""


def add_parser(subparsers) -> None:
    c = subparsers.add_parser(NAME, help="random runs of a model that look for violations "
                              "(never proves a property)", epilog=EXAMPLES,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("model", help="a .tcp model file")
    c.add_argument("--property", "-p", action="append", metavar="NAME",
                   help="judge only this property (repeatable)")
    c.add_argument("--runs", type=whole_number(1, MAX_RUNS), default=100, metavar="N",
                   help="number of random walks (default 100)")
    c.add_argument("--depth", type=whole_number(1, MAX_WALK_DEPTH, " (a walk keeps its moves)"),
                   default=100, metavar="D",
                   help="steps per walk at most (default 100)")
    c.add_argument("--seed", type=whole_number(0, MAX_SEED), default=0, metavar="S",
                   help="random seed (default 0): the same seed gives the same runs")
    c.add_argument("--weighting", choices=WEIGHTINGS, default="uniform",
                   help="uniform: every enabled move alike; rare: favour the transitions "
                        "fired least so far (for coverage)")
    c.add_argument("--timeout", type=positive_float, metavar="S", help="stop after S seconds")
    c.add_argument("--workers", type=positive_int, default=1, metavar="N",
                   help="walk in N threads (native engine) or processes (python) (default "
                        "1); the runs and the result are the same for any N")
    add_search_output_options(c)


class SimulationProgress(ProgressLine):
    def __call__(self, done, runs, steps, states, seconds) -> None:
        self.show(f"  {done:,} of {runs:,} runs, {steps:,} steps, {states:,} states, "
                  f"{seconds:.0f} s")


def run(args, stdout, stderr) -> int:
    model = load_model(args.model, stderr, args.overrides)
    check_property_names(model, args.property)
    progress = SimulationProgress(stderr) if is_terminal(stderr) and not args.json else None
    result = simulate(model, runs=args.runs, depth=args.depth, seed=args.seed,
                      weighting=args.weighting, timeout=args.timeout,
                      properties=tuple(args.property) if args.property else None,
                      progress=progress, engine=args.engine, workers=args.workers,
                      notice=lambda text: stderr.write(text + "\n"))
    if progress:
        progress.clear()
    write_search_result(args, stdout, lambda **how: render_simulate.text(result, **how),
                        lambda: render_simulate.data(result, model))
    return result.exit_code
