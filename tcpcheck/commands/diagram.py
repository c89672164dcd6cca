"""``tcpcheck diagram MODEL``: each endpoint's state machine, as Graphviz DOT or SVG.

With ``--trace FILE`` (what ``tcpcheck check MODEL --json`` printed, or another saved
trace) the states and transitions that run used are highlighted, with the step numbers.
"""

from __future__ import annotations

import argparse

from tcpcheck.commands._common import load_model, write_output
from tcpcheck.diagnostics import UsageError
from tcpcheck.render import diagram as render_diagram
from tcpcheck.trace.files import load_trace

NAME = "diagram"

EXAMPLES = """\
examples:
  tcpcheck diagram models/three_way_handshake.tcp | dot -Tpng > handshake.png
  tcpcheck diagram models/three_way_handshake.tcp --format svg -o handshake.svg
  tcpcheck diagram models/teardown_time_wait.tcp --endpoint client --format svg -o client.svg
  tcpcheck check models/two_way_handshake.tcp --json > run.json
  tcpcheck diagram models/two_way_handshake.tcp --trace run.json --format svg -o run.svg
"""

FORMATS = ("dot", "svg")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="draw each endpoint's state machine (Graphviz DOT or "
                              "SVG), optionally highlighting a saved trace",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", help="a .tcp model file")
    p.add_argument("--endpoint", metavar="NAME", help="draw only this endpoint")
    p.add_argument("--format", choices=FORMATS, default="dot", metavar="|".join(FORMATS),
                   help="dot: Graphviz source (default); svg: drawn by Graphviz's dot program")
    p.add_argument("--trace", metavar="FILE", help="highlight the run in FILE (from check "
                   "--json, a trace file or ITF)")
    p.add_argument("--property", "-p", metavar="NAME", help="with --trace: the property whose "
                   "run to highlight (default: the first with one)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides",
                   help="override a constant or a setting, as for check (repeatable)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of "
                   "standard output")


def run(args, stdout, stderr) -> int:
    if args.property and not args.trace:
        raise UsageError("--property picks the run in the file of --trace FILE, which is missing")
    model = load_model(args.model, stderr, args.overrides)
    trace = load_trace(args.trace, args.property).trace if args.trace else None
    text = render_diagram.dot(model, endpoint=args.endpoint, trace=trace)
    if args.format == "svg":
        text = render_diagram.svg(text)
    if args.output is None:
        stdout.write(text)
    else:
        write_output(args.output, text)
        stdout.write(f"wrote {args.output}\n")
    return 0
