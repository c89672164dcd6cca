"""``tcpcheck export packetdrill FILE``: a saved run as a packetdrill script, so that a run
the model found can be replayed against a real TCP stack.

FILE is read exactly as ``tcpcheck trace`` reads it (a result of ``check|prove --json``, a
trace file or an ITF trace; ``-p`` and ``--counterexample`` pick the run).  One endpoint is
the system under test, the kernel (``--endpoint``; by default the one named server, else
the second); packetdrill plays the other.  The mapping is tcpcheck.render.packetdrill's.
"""

from __future__ import annotations

import argparse
import shlex
from decimal import Decimal, InvalidOperation

from tcpcheck.commands._common import positive_int, write_output
from tcpcheck.render.packetdrill import DEFAULT_WINDOW, Settings, packetdrill
from tcpcheck.trace.files import load_trace

NAME = "export"
TARGETS = ("packetdrill",)
MAX_TICK = Decimal(3600)  # an hour a tick: beyond, a script's times mean nothing
MICROSECOND = Decimal("0.000001")  # packetdrill's unit of time

EXAMPLES = """\
examples:
  tcpcheck check models/two_way_handshake.tcp --json > run.json
  tcpcheck export packetdrill run.json                  the stale SYN, the server a kernel
  tcpcheck export packetdrill run.json --endpoint client --tick 0.2 -o stale_syn.pkt
"""


def tick_seconds(text: str) -> Decimal:
    """--tick: a positive number of seconds, kept exact (0.1 stays 0.1 in the script), in
    whole microseconds (packetdrill's unit)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got '{text}'") \
            from None
    if not value.is_finite() or not 0 < value <= MAX_TICK:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0 and at most "
                                         f"{MAX_TICK}, got {text}")
    if value.quantize(MICROSECOND) != value:
        raise argparse.ArgumentTypeError(f"packetdrill counts time in whole microseconds; "
                                         f"{text} s is not a whole number of them")
    return value


def window(text: str) -> int:
    """--window: a TCP window field (16 bits, as packetdrill checks it)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a window is 0 to 65535, got {value}")
    return value


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="write a saved run as a packetdrill script, to "
                              "replay it against a real TCP stack",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", choices=TARGETS, metavar="|".join(TARGETS),
                   help="what to write: packetdrill, a script for the packetdrill tool")
    p.add_argument("file", help="a JSON result of check/prove --json, a trace file or an "
                   "ITF trace (.itf.json), as tcpcheck trace reads")
    p.add_argument("--property", "-p", metavar="NAME", help="the property whose run to "
                   "export (default: the first with one)")
    p.add_argument("--counterexample", type=positive_int, default=1, metavar="K",
                   help="the K-th counterexample of the property (default 1, the shortest)")
    p.add_argument("--endpoint", metavar="NAME", help="the endpoint that is the kernel under "
                   "test (default: the one named server, else the second); packetdrill "
                   "plays the other")
    p.add_argument("--tick", type=tick_seconds, default=Decimal(1), metavar="SECONDS",
                   help="seconds per model tick (default 1)")
    p.add_argument("--window", type=window, default=DEFAULT_WINDOW, metavar="N",
                   help=f"the window of the segments packetdrill sends (default "
                        f"{DEFAULT_WINDOW}; the models have none)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the script to FILE "
                   "(default: standard output)")


def run(args, stdout, stderr) -> int:
    loaded = load_trace(args.file, args.property, args.counterexample)
    settings = Settings(endpoint=args.endpoint, tick=args.tick, window=args.window,
                        seqspace=loaded.seqspace, model_file=loaded.file,
                        command=_command(args))
    script = packetdrill(loaded.trace, settings)
    if args.output is None or args.output == "-":
        stdout.write(script)
    else:
        write_output(args.output, script)
        stdout.write(f"wrote {args.output}\n")
    return 0


def _command(args) -> str:
    """The command line that made the script, as the header records it (the options that
    change the script; not -o)."""
    words = ["tcpcheck", NAME, args.target, args.file]
    if args.property:
        words += ["-p", args.property]
    if args.counterexample != 1:
        words += ["--counterexample", str(args.counterexample)]
    if args.endpoint:
        words += ["--endpoint", args.endpoint]
    if args.tick != 1:
        words += ["--tick", str(args.tick)]
    if args.window != DEFAULT_WINDOW:
        words += ["--window", str(args.window)]
    return shlex.join(words)
