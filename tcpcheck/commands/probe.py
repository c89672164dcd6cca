"""``tcpcheck probe MODEL``: the model's replies against a live Linux kernel's, in network
namespaces tcpcheck creates and removes (tcpcheck/probe builds the lab and runs the
sockets, tcpcheck/analyses/probe.py compares, tcpcheck/render/probe.py prints;
spec/MANUAL.md 14.19)."""

from __future__ import annotations

import argparse

from tcpcheck.analyses import probe as analysis
from tcpcheck.analyses.scan import DEFAULT_MAX_STATES
from tcpcheck.commands._common import load_model, positive_float, positive_int
from tcpcheck.render import json as render_json
from tcpcheck.render import probe as render_probe

NAME = "probe"

EXAMPLES = """\
examples:
  sudo tcpcheck probe models/rfc9293.tcp
  sudo tcpcheck probe models/rfc9293.tcp --cases 'LISTEN/*' --json
  sudo tcpcheck probe models/rfc9293.tcp --cases TIME_WAIT
  sudo tcpcheck probe models/linux.tcp           every case matches on Linux 6

cases: STATE/PROBE/NUMBERS (204), e.g. TIME_WAIT/SYN/above: STATE one of CLOSED, LISTEN,
       SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSING, TIME_WAIT,
       CLOSE_WAIT, LAST_ACK (a real socket in the kernel namespace); PROBE one of SYN, ACK,
       FIN, RST, SYN-ACK, FIN-ACK, NULL, Xmas, data; NUMBERS 'any' (no connection),
       'exact' (the connection's own), 'above', 'below', 'inexact', 'ack-ahead',
       'retransmitted', 'queue-full' (MANUAL 14.19); --cases takes a shell pattern,
       or a part of the name
needs: root and iproute2 (ip netns); the namespaces are removed on exit, also on Ctrl-C

exit codes: 0 every case matches, 1 a divergence, 2 bad model or usage, not root, no
            'ip netns', 3 interrupted, or a case without a prediction or not run
"""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="probe a live Linux TCP stack in network namespaces "
                              "and compare its replies with the model's",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", metavar="MODEL", help=".tcp model file (its server endpoint, "
                   "else the second, is compared)")
    p.add_argument("--cases", metavar="PATTERN", help="only the cases whose STATE/PROBE/NUMBERS "
                   "name matches (shell pattern, case ignored)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides",
                   help="override a constant or a setting, as for check (repeatable)")
    p.add_argument("--max-states", type=positive_int, default=DEFAULT_MAX_STATES, metavar="N",
                   help=f"explore at most N global states of the model for its predictions "
                   f"(default {DEFAULT_MAX_STATES:,})")
    p.add_argument("--timeout", type=positive_float, metavar="S",
                   help="stop exploring the model after S seconds")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args, stdout, stderr) -> int:
    model = load_model(args.model, stderr, args.overrides)
    cases = analysis.select(args.cases)
    result = analysis.run(model, cases, max_states=args.max_states, timeout=args.timeout)
    if args.json:
        stdout.write(render_json.dumps(render_probe.result_json(result)) + "\n")
    else:
        stdout.write(render_probe.text(result) + "\n")
    return result.exit_code
