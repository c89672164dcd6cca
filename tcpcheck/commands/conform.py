"""``tcpcheck conform MODEL CAPTURE``: is each TCP connection of a pcap/pcapng capture a run
the model allows? (tcpcheck/analyses/capture.py reads the capture, tcpcheck/analyses/conform.py
searches, tcpcheck/render/conform.py prints; spec/MANUAL.md 14.18)."""

from __future__ import annotations

import argparse

from tcpcheck.analyses.capture import read
from tcpcheck.analyses.conform import ENDPOINT_MODES, ConformOptions, conform
from tcpcheck.commands._common import (ProgressLine, is_terminal, load_model, positive_float,
                                       positive_int)
from tcpcheck.render import conform as render_conform
from tcpcheck.render import json as render_json

NAME = "conform"

DEFAULT_MAX_STATES = 1_000_000

EXAMPLES = """\
examples:
  tcpcheck conform models/rfc9293.tcp capture.pcap
  tcpcheck conform models/rfc9293.tcp capture.pcapng --endpoint client --json

each connection (an address pair, split where a new SYN follows a RST or a FIN from each
side) is checked from the model's initial state: the side that sent its first segment is
the model's first endpoint; every segment must be one the model sends there, searching over
what a capture cannot see (user calls, timeouts, crashes, losses and reordering after the
capture point, the model's ISNs).  Numbers are taken relative to each side's first number
and reduced modulo bounds.seqspace.  A segment with data is outside every model (they have
no data transfer yet): the connection diverges there, saying so.

exit codes: 0 every connection checked conforms, 1 a connection diverges, 2 bad model,
            usage or capture (missing, not pcap/pcapng, truncated header), 3 a limit
            stopped the check of a connection (it is then not decided)
"""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="check that the TCP connections of a pcap/pcapng "
                              "capture are runs the model allows",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", metavar="MODEL", help=".tcp model file")
    p.add_argument("capture", metavar="CAPTURE", help="a pcap or pcapng file")
    p.add_argument("--endpoint", choices=ENDPOINT_MODES, default="both",
                   metavar="|".join(ENDPOINT_MODES),
                   help="whose segments are checked: both (the default); client: only the "
                   "opener's, the peer's are taken as given; server: only the peer's")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides",
                   help="override a constant or a setting, as for check (repeatable)")
    p.add_argument("--max-states", type=positive_int, default=DEFAULT_MAX_STATES, metavar="N",
                   help=f"at most N model configurations before one segment "
                   f"(default {DEFAULT_MAX_STATES:,})")
    p.add_argument("--timeout", type=positive_float, metavar="S",
                   help="stop after S seconds (the connections left are not decided)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args, stdout, stderr) -> int:
    model = load_model(args.model, stderr, args.overrides)
    capture = read(args.capture)
    progress = _Progress(stderr) if is_terminal(stderr) and not args.json else None
    options = ConformOptions(endpoint=args.endpoint, max_states=args.max_states,
                             timeout=args.timeout, progress=progress)
    result = conform(model, capture, options)
    if progress:
        progress.clear()
    if args.json:
        stdout.write(render_json.dumps(render_conform.result_json(result)) + "\n")
    else:
        stdout.write(render_conform.text(result) + "\n")
    return result.exit_code


class _Progress(ProgressLine):
    """How many connections have been checked."""

    def __call__(self, done, total, seconds) -> None:
        self.show(f"  conform: {done:,} of {total:,} connections, {seconds:.0f} s")
