"""What every subcommand needs: option types, loading a model, checking property names,
writing an output file.  Shared by ``tcpcheck.cli`` and the modules of this package (the
leading underscore keeps it out of the subcommand discovery)."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import time
from pathlib import Path

from tcpcheck.diagnostics import UsageError, did_you_mean
from tcpcheck.engine.registry import CHOICES
from tcpcheck.loader import load_file, parse_override
from tcpcheck.render import text as render_text
from tcpcheck.render.chart import use_color
from tcpcheck.render.formats import DEFAULT_FORMAT, TEXT_FORMATS, TRACE_FORMATS


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def whole_number(low: int, high: int, what: str = "", shown: str | None = None):
    """An argparse type: a whole number from ``low`` to ``high`` (``what`` says why there
    is a bound at all, after the range in the message; ``shown`` writes the range, where
    its digits say less than a power of two)."""
    shown = shown or f"{low:,} to {high:,}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {shown}{what}, got {value:,}")
        return value
    return parse


# simulate's and swarm's bounds: a walk keeps the moves of its run (4 bytes a step in each
# native walker), and the native walks count runs and seeds in 64-bit integers
MAX_WALK_DEPTH = 10_000_000
MAX_RUNS = 2 ** 62
MAX_SEED = 2 ** 63 - 1


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got '{text}'") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text}")
    return value


# --max-memory's units, in MiB (the unit resident memory is measured in); binary, as
# ulimit and the JVM's -Xmx read them: 2G is 2048 MiB.
_MEMORY_UNITS = {"k": 1 / 1024, "m": 1.0, "g": 1024.0, "t": 1024.0 ** 2}
_MEMORY_SIZE = re.compile(r"\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*(?:([kmgt])(?:i?b)?)?\s*",
                          re.IGNORECASE)


def positive_megabytes(text: str) -> float:
    """A memory size in MiB: a plain number is megabytes; 512M, 1.5G, 800MB, 2GiB, 64K
    carry their unit."""
    match = _MEMORY_SIZE.fullmatch(text)
    if match is None:
        raise argparse.ArgumentTypeError(
            f"expected a size in megabytes, or with a unit (512M, 2G, 800MB), got '{text}'")
    value = float(match.group(1)) * _MEMORY_UNITS[(match.group(2) or "m").lower()]
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive memory size, got {text}")
    return value


def add_memory_option(parser) -> None:
    """``--max-memory SIZE``, shared by every command that explores or solves."""
    parser.add_argument("--max-memory", type=positive_megabytes, metavar="SIZE",
                        help="stop when the process's resident memory exceeds SIZE (megabytes, "
                             "or with a unit: 512M, 2G), with what was found so far (the "
                             "undecided: not verified)")


def add_engine_option(parser) -> None:
    """``--engine auto|native|python``, shared by the commands that run the explicit engine
    (tcpcheck.engine.registry)."""
    parser.add_argument("--engine", choices=CHOICES, default="auto",
                        help="native: the search compiled to C (needs a C compiler, $CC; "
                             "every property kind); python: the reference implementation; "
                             "auto (the default): native when it can, else python with a "
                             "note saying why")


def add_search_output_options(parser) -> None:
    """``--set``, ``--json``, ``--full``, ``--format chart|steps|rfc`` and ``--engine``: the
    options of the commands that look for runs without proving (simulate, swarm); their
    output is written by :func:`write_search_result`."""
    parser.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides",
                        help="override a constant or a setting (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--full", action="store_true",
                        help="show every variable at every step, not only the ones that "
                             "changed")
    parser.add_argument("--format", choices=TEXT_FORMATS, default=DEFAULT_FORMAT,
                        dest="trace_format", help="how runs are printed: chart, steps or rfc")
    add_engine_option(parser)


def write_search_result(args, stdout, text, data) -> None:
    """``data()`` as JSON with ``--json``, else ``text(trace_format=, full=, color=)``."""
    if args.json:
        from tcpcheck.render import json as render_json

        stdout.write(render_json.dumps(data()) + "\n")
    else:
        color = args.trace_format == "chart" and use_color(stdout, os.environ)
        stdout.write(text(trace_format=args.trace_format, full=args.full, color=color) + "\n")


def load_model(path: str, stderr, override_args=None):
    """The model with ``--set`` overrides applied; its warnings go to ``stderr``."""
    overrides = dict(parse_override(o) for o in override_args or ())
    model = load_file(path, overrides)
    for w in model.warnings:
        stderr.write(render_text.diagnostic(w, None) + "\n")
    return model


def check_property_names(model, names, extra=()) -> None:
    """A usage error (with a did-you-mean) for a name that is no property or lemma."""
    known = [p.name for p in model.properties] + [lem.name for lem in model.lemmas] + list(extra)
    for name in names or ():
        if name not in known:
            hint = did_you_mean(name, known)
            raise UsageError(f"model {model.name} has no property '{name}'"
                             + (f" ({hint})" if hint else "")
                             + f"; it has: {', '.join(known) or 'none'}")


def add_format_option(parser) -> None:
    """``--format`` of synth, whose runs are read among its text (chart, steps, rfc); a run
    as a file of its own comes from ``--json`` and ``tcpcheck trace RESULT --format ...``."""
    parser.add_argument("--format", choices=TEXT_FORMATS, default=DEFAULT_FORMAT,
                        dest="trace_format",
                        help="how runs are printed: chart (a sequence chart, the default), "
                             "steps (a numbered list), rfc (RFC 9293's figure notation); for "
                             "an SVG, Mermaid or ITF file of a run, save --json and use "
                             "`tcpcheck trace FILE --format svg|mermaid|itf`")


def add_file_format_options(parser) -> None:
    """``--format`` and ``-o`` of the commands whose runs can also be files (check, prove):
    tcpcheck/commands/_artefact.py writes them."""
    parser.add_argument("--format", choices=tuple(TRACE_FORMATS), dest="trace_format",
                        metavar="|".join(TRACE_FORMATS),
                        help="how runs are shown. Text among the verdicts: chart (a sequence "
                             "chart, the default), steps (a numbered list), rfc (RFC 9293's "
                             "figure notation). A file of one run, written alone to standard "
                             "output (the verdicts go to standard error) or to -o FILE: "
                             "mermaid (a Mermaid sequenceDiagram), svg (an SVG document), "
                             "json (a trace file that `tcpcheck trace` reads), itf (the "
                             "Informal Trace Format of Apalache and Quint). The run written "
                             "is the first counterexample (of the --property names, in "
                             "their order), else a witness if --witnesses or its goal was "
                             "named; none: nothing is written, and a note says so")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the file format's run to FILE (the format from --format, "
                             "else from the name: .svg, .mmd, .json, .itf.json) and print the "
                             "usual report; - is standard output")


def trace_options(args, stdout) -> dict:
    """The trace format asked for, and colour only on a terminal without NO_COLOR."""
    return {"trace_format": args.trace_format,
            "color": args.trace_format == "chart" and use_color(stdout, os.environ)}


def write_output(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror or err}") from None


def is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressLine:
    """One self-overwriting line on a terminal, shown only once a run has taken a second
    (so quick runs print nothing extra); ``clear`` wipes exactly what was written."""

    def __init__(self, stream):
        self.stream = stream
        self.started = time.monotonic()
        self.last = 0.0
        self.width = 0

    def show(self, text: str) -> None:
        now = time.monotonic()
        if now - self.started < 1.0 or now - self.last < 0.25:  # at most 4 updates a second
            return
        self.last = now
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = max(self.width, len(text))

    @property
    def shown(self) -> bool:
        return self.width > 0

    def clear(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


class CheckProgress(ProgressLine):
    """The explicit engine's progress: states, transitions, depth, queue, rate; ``label``
    says what is being checked when a command runs several checks."""

    def __call__(self, states, transitions, depth, queue, seconds, label: str = "") -> None:
        rate = states / seconds if seconds > 0 else 0
        self.show((f"  {label}:" if label else " ")
                  + f" {states:,} states, {transitions:,} transitions, depth {depth}, "
                    f"queue {queue:,}, {seconds:.0f} s, {rate:,.0f} states/s")

    def with_label(self, label: str, *figures) -> None:
        """The progress of a check of ``label`` (explain's ablation variants)."""
        self(*figures, label=label)


class SolverProgress(ProgressLine):
    """What the solvers do now (which engines run on which property, the depth they
    reached) and the time so far, on the same kind of line, cut to the terminal's width so
    that it never wraps (a wrapped line could not be overwritten)."""

    def __call__(self, phase: str, seconds: float) -> None:
        width = shutil.get_terminal_size((80, 24)).columns - 1
        time_text = f", {seconds:.0f} s"
        text = f"  {phase}"
        if len(text) + len(time_text) > width:
            text = text[:max(0, width - len(time_text) - 3)] + "..."
        self.show(text + time_text)


def no_liveness(model, names, stderr, command: str) -> None:
    """The symbolic engines decide safety properties only: a liveness property named on the
    command line is a usage error, and the others are left out with a note."""
    live = [p.name for p in model.properties if p.liveness]
    asked = [n for n in (names or ()) if n in live]
    if asked:
        raise UsageError(f"'{asked[0]}' is a liveness property; `tcpcheck {command}` checks "
                         "safety properties only, and liveness properties are checked by "
                         "`tcpcheck check`")
    if live and not names:
        stderr.write(f"note: not checking the liveness properties {', '.join(live)}; "
                     "liveness properties are checked by `tcpcheck check`\n")
