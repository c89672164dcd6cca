"""``tcpcheck check MODEL``: explore every run of a model with the explicit engine and
decide its properties; a violated one is shown with a shortest run that breaks it."""

from __future__ import annotations

import argparse
import os

from tcpcheck import storage
from tcpcheck.commands import _artefact as artefact
from tcpcheck.commands._common import (CheckProgress, add_engine_option, add_file_format_options,
                                       add_memory_option, check_property_names, is_terminal,
                                       load_model, positive_float, positive_int, whole_number)
from tcpcheck.engine import registry
from tcpcheck.explicit import CheckOptions
from tcpcheck.diagnostics import UsageError
from tcpcheck.model.ir import LIVENESS_KINDS
from tcpcheck.render import json as render_json
from tcpcheck.render import text as render_text
from tcpcheck.render.chart import use_color
from tcpcheck.render.formats import DEFAULT_FORMAT

NAME = "check"
ORDER = 0  # first in --help: the main job

EXAMPLES = """\
examples:
  tcpcheck check models/two_way_handshake.tcp          shows the stale-SYN counterexample
  tcpcheck check models/three_way_handshake.tcp        verifies no_stale_accept
  tcpcheck check MODEL --property no_stale_accept --max-states 100000 --timeout 60
  tcpcheck check MODEL --json                          machine-readable result (spec/JSON.md)
  tcpcheck check MODEL --engine python                 the reference engine, not the C one
  tcpcheck check MODEL --storage hashcompact           less memory per state, approximate:
                                                       never 'holds' (docs/storage.md)
  tcpcheck check MODEL --storage bitstate --hash-seed 7 another hash function: it misses
                                                       other states than seed 0 does
  tcpcheck check MODEL --ray ADDRESS --partitions 64   exhaustive, the states spread over a
                                                       Ray cluster (docs/distributed.md)
  tcpcheck check MODEL --format svg > run.svg          the counterexample alone, as an SVG file
  tcpcheck check MODEL -p GOAL -o goal.itf.json        GOAL's witness as ITF; verdicts printed
  tcpcheck check MODEL --set channel.capacity=1 --set MSL=3   other bounds, same file
  tcpcheck parse MODEL                                 validate and summarise a model

exit codes: 0 all properties hold, 1 a property is violated, 2 bad model or usage,
            3 stopped at a limit before every property was verified (or --storage
              approximate found no violation), 4 internal error
"""


# the default --workers at most: the commit of each batch is one thread (docs/parallel.md)
DEFAULT_WORKERS_CAP = 16

def add_parser(subparsers) -> None:
    c = subparsers.add_parser(NAME, help="explore every run of a model and check its properties",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("model", help="a .tcp model file")
    c.add_argument("--property", "-p", action="append", metavar="NAME",
                   help="check only this property (repeatable)")
    c.add_argument("--max-states", type=positive_int, metavar="N",
                   help="stop after N distinct states")
    c.add_argument("--max-depth", type=positive_int, metavar="N",
                   help="do not explore beyond N steps from the initial state")
    c.add_argument("--timeout", type=positive_float, metavar="S", help="stop after S seconds")
    add_memory_option(c)
    c.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides",
                   help="override a constant or a setting, e.g. MSL=3, channel.capacity=2, "
                        "bounds.incarnations=2 (repeatable)")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.add_argument("--full", action="store_true",
                   help="show every variable at every step, not only the ones that changed")
    c.add_argument("--witnesses", action="store_true", help="also print witness runs of "
                   "reachable goals")
    add_file_format_options(c)
    c.add_argument("--counterexamples", type=positive_int, default=1, metavar="N",
                   help="up to N runs per violated property that break it in different "
                        "ways (different sequences of actions), shortest first; with a "
                        "file format, -o FILE writes them to FILE-1, FILE-2, ...")
    c.add_argument("--coverage", action="store_true", help="print how often each transition fired")
    add_engine_option(c)
    c.add_argument("--workers", type=positive_int, default=None, metavar="N",
                   help=f"threads of the native search (default: the cores this process "
                        f"may use, at most {DEFAULT_WORKERS_CAP}); the results are the same "
                        f"for any N; liveness and the Python engine run one")
    c.add_argument("--storage", default="exact", metavar="exact|hashcompact|bitstate[=BITS]",
                   help="how the native search remembers states: exact (default), or "
                        "approximate: hashcompact (a 64-bit fingerprint per state) or "
                        f"bitstate (3 bits per state in 2^BITS bits, default "
                        f"{storage.DEFAULT_BITS}); an approximate run may miss states, so it "
                        "never says 'holds' (exit 3); the same result for any --workers "
                        "(docs/storage.md)")
    c.add_argument("--hash-seed", type=hash_seed, default=None, metavar="S",
                   help="with an approximate --storage: seed the hash of the stored states "
                        "(default 0, the usual hash); another seed misses other states, so "
                        "runs with several seeds together miss fewer (SPIN's -RS); the same "
                        "seed gives the same result")
    c.add_argument("--ray", metavar="local|ADDRESS", help="explore in partitions on Ray "
                   "actors (an existing cluster's address, or local: Ray started here), each "
                   "owning a part of the state space; exhaustive, as one process; liveness "
                   "is not judged (docs/distributed.md; needs the extra tcpcheck[ray])")
    c.add_argument("--partitions", type=positive_int, metavar="N",
                   help="with --ray: the number of partitions (default: the cluster's CPUs)")
    c.add_argument("--exhaustive", action="store_true", help="explore the whole state space even "
                   "after every property is decided (for exact statistics)")


def run(args, stdout, stderr) -> int:
    plan = artefact.plan(args)  # before the model and the exploration: usage mistakes first
    model = load_model(args.model, stderr, args.overrides)
    check_property_names(model, args.property)
    mode, bits = _storage(args, model)
    if args.partitions is not None and args.ray is None:
        raise UsageError("--partitions goes with --ray (a partitioned run on Ray)")
    progress = CheckProgress(stderr) if is_terminal(stderr) and not args.json else None
    options = CheckOptions(properties=tuple(args.property) if args.property else None,
                           max_states=args.max_states, max_depth=args.max_depth,
                           timeout=args.timeout, max_memory_mb=args.max_memory,
                           progress=progress,
                           stop_when_decided=not args.exhaustive,
                           counterexamples=args.counterexamples,
                           workers=args.workers or default_workers(),
                           storage=mode, storage_bits=bits, hash_seed=args.hash_seed or 0)
    if args.ray is not None:
        result = _partitioned(model, options, args)
    else:
        result = registry.check(model, options, args.engine,
                                notice=lambda text: stderr.write(text + "\n"))
    if progress:
        progress.clear()
    _note_workers(args.workers, result, stderr)
    if args.json:
        stdout.write(render_json.dumps(render_json.check_result(result, model)) + "\n")
    elif plan is None:
        _report(result, model, args, stdout, args.trace_format or DEFAULT_FORMAT)
    else:
        _write_run(plan, result, model, args, stdout, stderr)
    return result.exit_code


def _partitioned(model, options, args):
    """The run on Ray's actors (tcpcheck.analyses.partitioned)."""
    if args.engine == "native":
        raise UsageError("--ray partitions run the reference semantics; leave out --engine native")
    # Imported here: a plain check never loads the analyses (tests/test_startup.py).
    from tcpcheck.analyses import partitioned, swarm

    partitioned.refuse(options)
    ray, started = swarm.connect(args.ray)
    try:
        parts = args.partitions or max(1, int(ray.cluster_resources().get("CPU", 1)))
        return partitioned.check(model, options, ray, parts)
    finally:
        if started:
            ray.shutdown()


def _storage(args, model) -> tuple:
    """--storage as (mode, bits); the approximate modes refuse what they cannot honour."""
    try:
        mode, bits = storage.parse(args.storage)
    except storage.StorageError as err:
        raise UsageError(str(err)) from None
    if mode == storage.EXACT:
        if args.hash_seed is not None:
            raise UsageError("--hash-seed seeds the hash of approximate storage; --storage "
                             "exact keeps whole states and hashes nothing to seed: choose "
                             "--storage hashcompact or bitstate[=BITS]")
        return mode, bits
    if args.engine == "python":
        raise UsageError(f"--storage {mode} is built in the native engine only; leave out "
                         "--engine python")
    chosen = [p for p in model.properties if not args.property or p.name in args.property]
    live = [p.name for p in chosen if p.kind in LIVENESS_KINDS]
    if live:
        raise UsageError(f"--storage {mode} cannot check liveness ({', '.join(live)}): it "
                         "needs the stored graph of every state; choose safety properties "
                         "with --property, or --storage exact")
    if mode == storage.BITSTATE and args.counterexamples > 1:
        raise UsageError("--storage bitstate keeps one counterexample per property (it "
                         "cannot tell which stored state a successor is); drop "
                         "--counterexamples or use hashcompact")
    return mode, bits


# --hash-seed: a whole number that fits the C search's 64-bit seed
hash_seed = whole_number(0, 2 ** 64 - 1, shown="0 to 2^64 - 1")


def default_workers() -> int:
    """The cores this process may run on (its affinity, else the machine's), capped: the
    commit of each batch is one thread (docs/parallel.md), so beyond a few threads more
    only wait."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, DEFAULT_WORKERS_CAP))


def _note_workers(asked: int | None, result, stderr) -> None:
    """One line when more workers were asked for (explicitly) than ran, so that nobody
    reads a run's time as an N-thread time."""
    ran = getattr(result, "workers", 1)
    if asked is not None and asked > ran:
        backend = getattr(result, "backend", "python")
        why = ("the Python engine is sequential" if backend == "python" else
               "liveness is checked on a graph recorded in sequential order"
               if any(p.kind in LIVENESS_KINDS for p in result.properties)
               else "no more threads could be started")
        stderr.write(f"note: --workers {asked}: the {backend} engine explored with {ran} "
                     f"worker{'s' if ran != 1 else ''} ({why})\n")


def _report(result, model, args, stdout, fmt: str) -> None:
    """The text report: verdicts, runs in ``fmt``, statistics (and --coverage)."""
    color = fmt == "chart" and use_color(stdout, os.environ)
    stdout.write(render_text.check_result(result, model, full=args.full,
                                          show_witnesses=args.witnesses, trace_format=fmt,
                                          color=color) + "\n")
    if args.coverage:
        stdout.write(render_text.coverage(result) + "\n")


def _write_run(plan, result, model, args, stdout, stderr) -> None:
    """A file format: the chosen run alone on stdout (what people read on stderr), or in
    -o's file(s) with the usual report on stdout (tcpcheck/commands/_artefact.py)."""
    summary = artefact.summary(result, model)
    if args.coverage:
        summary += render_text.coverage(result) + "\n"
    artefact.deliver(plan, result, model, args, stdout, stderr, summary=summary,
                     report=lambda: _report(result, model, args, stdout, DEFAULT_FORMAT))
