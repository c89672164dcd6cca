"""``tcpcheck scan MODEL``: what a port scanner sees.  For one endpoint, in each control state
it reaches, the reply to nmap's SYN, ACK, FIN, NULL and Xmas probes, derived from the
model's own recv transitions, and what nmap concludes from it (tcpcheck/analyses/scan.py computes
it, tcpcheck/render/scan.py draws it; spec/MANUAL.md 14.13)."""

from __future__ import annotations

import argparse

from tcpcheck.commands._common import (ProgressLine, add_memory_option, is_terminal, load_model,
                                       positive_float, positive_int, write_output)
from tcpcheck.render import json as render_json
from tcpcheck.render import scan as render_scan
from tcpcheck.analyses.scan import DEFAULT_MAX_STATES, scan

NAME = "scan"

FORMATS = ("text", "markdown", "json")

EXAMPLES = f"""\
examples:
  tcpcheck scan models/three_way_handshake.tcp
  tcpcheck scan models/three_way_handshake.tcp --endpoint client --format markdown
  tcpcheck scan models/teardown_time_wait.tcp --set channel.capacity=1 --json

probes: SYN, ACK, FIN, NULL (no flag), Xmas (FIN+PSH+URG), with numbers foreign to the
        endpoint (held by none of its seq variables); every state the endpoint reaches
        within --max-states ({DEFAULT_MAX_STATES:,} by default) global states is probed
nmap:   SYN scan: SYN+ACK or SYN open, RST closed, nothing filtered; ACK scan: RST
        unfiltered, nothing filtered; FIN/NULL/Xmas: RST closed, nothing open|filtered

exit codes: 0 the table was printed after a complete exploration, 3 exploration cut short
(a limit or a transition that failed to evaluate), 2 bad model or usage
"""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="the replies to nmap's probes in each state of an "
                              "endpoint, and what a port scanner concludes",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", metavar="MODEL", help=".tcp model file")
    p.add_argument("--endpoint", metavar="NAME",
                   help="the endpoint probed (default: the one called server, else the second)")
    p.add_argument("--format", choices=FORMATS, default="text", metavar="|".join(FORMATS),
                   help="text (the default), GitHub Markdown tables, or JSON")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides",
                   help="override a constant or a setting, as for check (repeatable)")
    p.add_argument("--max-states", type=positive_int, default=DEFAULT_MAX_STATES, metavar="N",
                   help=f"explore at most N global states (default {DEFAULT_MAX_STATES:,})")
    p.add_argument("--timeout", type=positive_float, metavar="S",
                   help="stop exploring after S seconds")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    add_memory_option(p)


def run(args, stdout, stderr) -> int:
    model = load_model(args.model, stderr, args.overrides)
    progress = _Progress(stderr) if is_terminal(stderr) else None
    result = scan(model, args.endpoint, max_states=args.max_states, timeout=args.timeout,
                  progress=progress, max_memory_mb=args.max_memory)
    if progress:
        progress.clear()
    fmt = "json" if args.json else args.format
    if fmt == "json":
        out = render_json.dumps(render_scan.scan_json(result))
    elif fmt == "markdown":
        out = render_scan.markdown(result)
    else:
        out = render_scan.text(result)
    stderr.write(f"scanned {result.states:,} global states in {result.seconds:.2f} s\n")
    if args.output:
        write_output(args.output, out + "\n")
        stdout.write(f"wrote {args.output}\n")
    else:
        stdout.write(out + "\n")
    # as `check` and `diff`: 3 when the exploration was cut short (a state "not reached"
    # may then be reachable)
    return 0 if result.complete else 3


class _Progress(ProgressLine):
    """How far the exploration behind the scan has come."""

    def __call__(self, states, queue, seconds) -> None:
        self.show(f"  scan: {states:,} global states, queue {queue:,}, {seconds:.0f} s")
