"""``tcpcheck diff A B [--property P]``: a shortest run that one model allows and the other
does not (or that breaks P in one and keeps it in the other), printed side by side
(tcpcheck/analyses/diff.py searches, tcpcheck/render/diffview.py prints; MANUAL 14.12)."""

from __future__ import annotations

import argparse

from tcpcheck.commands._common import (ProgressLine, add_memory_option, is_terminal, load_model,
                                       positive_float, positive_int)
from tcpcheck.analyses.diff import OBSERVATIONS, DiffOptions, diff
from tcpcheck.diagnostics import UsageError
from tcpcheck.render import diffview
from tcpcheck.render import json as render_json

NAME = "diff"

EXAMPLES = """\
examples:
  tcpcheck diff models/two_way_handshake.tcp models/three_way_handshake.tcp -p no_stale_accept
        the old duplicate SYN: it breaks no_stale_accept in the two-way handshake, and the
        three-way handshake's server answers it with a SYN-ACK instead of ESTABLISHED
  tcpcheck diff A.tcp B.tcp                       a shortest run one allows and the other not
  tcpcheck diff A.tcp B.tcp --observe wire        compare what the wire shows, not the states
  tcpcheck diff A.tcp B.tcp --max-states 100000 --timeout 60 --json

observed of each step: who acts and how (user call, crash, timeout T, delivery, loss,
duplication, tick), the flags/seq/ack of the segments received and sent, both control
states after it; --observe flags: flags only; --observe wire: no control states

exit codes: 0 no difference within the bounds (both directions explored completely),
            1 a difference found, 2 bad model or usage, 3 no difference found before a limit
"""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="a shortest run that one model allows and the other "
                              "does not, side by side",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model_a", metavar="A", help="a .tcp model file")
    p.add_argument("model_b", metavar="B", help="another .tcp model file")
    p.add_argument("--property", "-p", metavar="NAME",
                   help="a property both models have: find a run that breaks it in one and "
                   "keeps it in the other")
    p.add_argument("--observe", choices=OBSERVATIONS, default="full",
                   metavar="|".join(OBSERVATIONS),
                   help="what is compared of each step: full (the default), flags (segments "
                   "by their flags only), wire (no control states)")
    p.add_argument("--ghosts", action="store_true",
                   help="observe the segments' ghost fields too (they must have the same names)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides",
                   help="override a constant or a setting in both models (repeatable)")
    p.add_argument("--max-states", type=positive_int, metavar="N",
                   help="stop each direction after N state pairs")
    p.add_argument("--max-depth", type=positive_int, metavar="N",
                   help="do not look at runs longer than N steps")
    p.add_argument("--timeout", type=positive_float, metavar="S",
                   help="stop each direction after S seconds")
    p.add_argument("--json", action="store_true", help="print the result as JSON")

    add_memory_option(p)

def run(args, stdout, stderr) -> int:
    a = load_model(args.model_a, stderr, args.overrides)
    b = load_model(args.model_b, stderr, args.overrides)
    if args.ghosts:
        names = [tuple(sorted(f.name for f in m.ghost_fields if f.ghost)) for m in (a, b)]
        if names[0] != names[1]:
            raise UsageError(f"--ghosts needs the same ghost fields in both models; {a.name} "
                             f"has {', '.join(names[0]) or 'none'}, {b.name} has "
                             f"{', '.join(names[1]) or 'none'}")
    progress = _Progress(stderr) if is_terminal(stderr) and not args.json else None
    options = DiffOptions(observe=args.observe, ghosts=args.ghosts, prop=args.property,
                          max_states=args.max_states, max_depth=args.max_depth,
                          timeout=args.timeout, max_memory_mb=args.max_memory,
                          progress=progress)
    result = diff(a, b, options)
    if progress:
        progress.clear()
    if args.json:
        stdout.write(render_json.dumps(diffview.result_json(result)) + "\n")
    else:
        kinds = tuple(_kind(m, args.property) for m in (a, b))
        stdout.write(diffview.text(result, kinds) + "\n")
    return result.exit_code


def _kind(model, name):
    if name is None:
        return None
    for p in model.properties:
        if p.name == name:
            return p.kind
    return "lemma"


class _Progress(ProgressLine):
    """The search's progress: which direction, state pairs, depth, queue."""

    def __call__(self, direction, pairs, depth, queue, seconds) -> None:
        self.show(f"  diff, {direction}: {pairs:,} state pairs, depth {depth}, "
                  f"queue {queue:,}, {seconds:.0f} s")
