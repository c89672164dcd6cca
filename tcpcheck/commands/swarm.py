"""``tcpcheck swarm MODEL --ray ADDRESS|local``: many diversified searches (random walks,
depth-bounded breadth-first checks, depth-bounded bitstate searches each with its own hash
function) run as Ray tasks; the first violation stops the swarm
and its run, replayed by the reference semantics, is shown.  A swarm never proves: without
a violation the exit code is 3 (not verified)."""

from __future__ import annotations

import argparse

from tcpcheck.analyses.swarm import connect, swarm
from tcpcheck.commands._common import (ProgressLine, add_search_output_options,
                                       check_property_names, is_terminal, load_model,
                                       MAX_SEED, MAX_WALK_DEPTH, positive_float,
                                       whole_number, write_search_result)
from tcpcheck.render import swarm as render_swarm

NAME = "swarm"
MAX_TASKS = 1_000_000  # so that every task's seed S+i is below 2^64 (a hash seed)
ORDER = 1

EXAMPLES = """\
examples:
  tcpcheck swarm models/two_way_handshake.tcp --ray local    finds the stale SYN
  tcpcheck swarm MODEL --ray local --tasks 32 --budget 600   32 searches, 10 minutes
  tcpcheck swarm MODEL --ray ray://head:10001 --json         on an existing Ray cluster

Needs Ray, an optional extra: pip install 'tcpcheck[ray]'.  Task i is a uniform random
walk, a rare-weighted walk, a depth-bounded breadth-first check or a depth-bounded bitstate
search (i mod 4; bitstate: 2^27, 2^24, 2^21 bits, hash seed S+i, in the native engine, else
uniform walks with a note), with seed S+i and its own depth bound; each is deterministic
given its seed.  With more tasks than the cluster's CPUs the tasks run in waves, each
with its share of the budget (8 tasks on 2 CPUs, --budget 20: 5 s a task).

exit codes: 1 a property is violated, 2 bad model or usage (Ray missing or unreachable),
            3 no violation found (a swarm never verifies a property, so this is "not
            verified"; also the budget spent or Ctrl-C), 4 internal error
"""


def add_parser(subparsers) -> None:
    c = subparsers.add_parser(NAME, help="diversified searches on a Ray cluster that look for "
                              "violations (never proves a property)", epilog=EXAMPLES,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("model", help="a .tcp model file")
    c.add_argument("--ray", required=True, metavar="ADDRESS|local",
                   help="local: start Ray here with one worker per core; else the address "
                        "of an existing Ray cluster (as ray.init(address=...) takes it)")
    c.add_argument("--tasks", type=whole_number(1, MAX_TASKS), metavar="N",
                   help="number of searches (default: the cluster's CPUs)")
    c.add_argument("--budget", type=positive_float, default=60.0, metavar="S",
                   help="seconds for the whole swarm (default 60); with more tasks than "
                        "CPUs each task gets its share (the budget over the waves they run in)")
    c.add_argument("--seed", type=whole_number(0, MAX_SEED), default=0, metavar="S",
                   help="base seed (default 0): task i uses S+i (a bitstate task as its hash seed)")
    c.add_argument("--depth", type=whole_number(1, MAX_WALK_DEPTH // 4,
                                                " (bitstate tasks search to 4D)"),
                   default=100, metavar="D",
                   help="the depth scale: walks of D/2 to 2D steps, breadth-first bounds "
                        "of D/4 to 2D, bitstate bounds of D to 4D (default 100)")
    c.add_argument("--property", "-p", action="append", metavar="NAME",
                   help="judge only this property (repeatable)")
    add_search_output_options(c)


class SwarmProgress(ProgressLine):
    def __call__(self, done, tasks, seconds) -> None:
        self.show(f"  {done:,} of {tasks:,} tasks finished, {seconds:.0f} s")


def run(args, stdout, stderr) -> int:
    model = load_model(args.model, stderr, args.overrides)
    check_property_names(model, args.property)
    ray, started = connect(args.ray)
    progress = SwarmProgress(stderr) if is_terminal(stderr) and not args.json else None
    try:
        result = swarm(model, ray, args.ray, tasks=args.tasks, budget=args.budget,
                       seed=args.seed, depth=args.depth,
                       properties=tuple(args.property) if args.property else None,
                       engine=args.engine, progress=progress)
    finally:
        if progress:
            progress.clear()
        if started:
            ray.shutdown()
    write_search_result(args, stdout, lambda **how: render_swarm.text(result, **how),
                        lambda: render_swarm.data(result, model))
    return result.exit_code
