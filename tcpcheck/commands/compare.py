"""``tcpcheck compare MODEL...``: check several variants of a protocol and print one table of
their verdicts, a row per property and a column per model (tcpcheck/analyses/compare.py builds it,
tcpcheck/render/matrix.py draws it)."""

from __future__ import annotations

import argparse

from tcpcheck.commands._common import (ProgressLine, add_engine_option, add_memory_option, is_terminal, load_model,
                                       positive_float, positive_int)
from tcpcheck.analyses.compare import compare
from tcpcheck.render import json as render_json
from tcpcheck.render import matrix as render_matrix

NAME = "compare"

FORMATS = ("text", "markdown", "json")

EXAMPLES = """\
examples:
  tcpcheck compare models/two_way_handshake.tcp models/three_way_handshake.tcp
  tcpcheck compare models/teardown_*.tcp -p no_old_segment_confusion --format markdown
  tcpcheck compare A.tcp B.tcp --set channel.capacity=1 --max-states 100000 --format json

cells: holds, violated (N) / reached (N) with the run's length in steps, unreachable,
       not verified (a limit stopped the check first), - (the model has no such property)

exit codes: 0 no cell fails and every cell is decided, 1 a cell is violated or unreachable,
            2 bad model or usage, 3 nothing failed but a cell is not verified
"""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="check several models and print one table of their "
                              "verdicts, a column per model",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="+", metavar="MODEL", help=".tcp model files")
    p.add_argument("--property", "-p", action="append", metavar="NAME",
                   help="show and check only this property (repeatable); it must belong to "
                   "at least one of the models")
    p.add_argument("--format", choices=FORMATS, default="text", metavar="|".join(FORMATS),
                   help="text (the default), a GitHub Markdown table, or JSON")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides",
                   help="override a constant or a setting in every model, as for check "
                   "(repeatable)")
    p.add_argument("--max-states", type=positive_int, metavar="N",
                   help="stop each model's check after N distinct states")
    p.add_argument("--timeout", type=positive_float, metavar="S",
                   help="stop each model's check after S seconds")
    add_memory_option(p)
    add_engine_option(p)


def run(args, stdout, stderr) -> int:
    # Load every model before checking any, so a bad file or name fails at once.
    models = [load_model(path, stderr, args.overrides) for path in args.models]
    progress = _Progress(stderr, len(models)) if is_terminal(stderr) else None
    matrix = compare(models, args.property, max_states=args.max_states, timeout=args.timeout,
                     max_memory_mb=args.max_memory, progress=progress, engine=args.engine)
    if progress:
        progress.clear()
    if args.format == "json":
        out = render_json.dumps(render_matrix.matrix_json(matrix))
    elif args.format == "markdown":
        out = render_matrix.markdown(matrix)
    else:
        out = render_matrix.text(matrix)
    stdout.write(out + "\n")
    return matrix.exit_code


class _Progress(ProgressLine):
    """Which model is being checked, and how far its check has come."""

    def __init__(self, stream, total: int):
        super().__init__(stream)
        self.total = total

    def __call__(self, index, name, states, transitions, depth, queue, seconds) -> None:
        self.show(f"  compare, model {index + 1} of {self.total} ({name}): {states:,} states, "
                  f"depth {depth}, {seconds:.0f} s")
