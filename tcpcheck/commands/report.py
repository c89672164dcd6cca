"""``tcpcheck report MODEL -o report.html``: check a model and write an interactive page.

The page (tcpcheck/render/report.py) is one self-contained HTML file: the verdicts, and for
each counterexample or witness a sequence chart and a step-by-step view of both endpoints
and the channel.  The exit code is the check's (0, 1 or 3; 2 for bad input).
"""

from __future__ import annotations

import argparse

from tcpcheck.commands._common import (CheckProgress, add_engine_option, add_memory_option, check_property_names,
                                       is_terminal, load_model, positive_float,
                                       positive_int, write_output)
from tcpcheck.render.lang import LANGUAGES
from tcpcheck.engine import registry
from tcpcheck.explicit import CheckOptions
from tcpcheck.render import report as render_report
from tcpcheck.render import text as render_text

NAME = "report"

EXAMPLES = """\
examples:
  tcpcheck report models/two_way_handshake.tcp -o report.html    open it in a browser
  tcpcheck report models/two_way_handshake.tcp -p handshake_completes --lang zh -o zh.html
  tcpcheck report MODEL -o report.html --set channel.capacity=1 --max-states 100000

exit codes: as check: 0 all properties hold, 1 a property is violated, 2 bad model or
            usage, 3 stopped at a limit before every property was verified
"""



def add_parser(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="check a model and write a self-contained interactive "
                              "HTML report of the verdicts and runs",
                              epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", help="a .tcp model file")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the HTML file to write")
    p.add_argument("--property", "-p", action="append", metavar="NAME",
                   help="check only this property (repeatable)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides",
                   help="override a constant or a setting, as for check (repeatable)")
    p.add_argument("--max-states", type=positive_int, metavar="N",
                   help="stop after N distinct states")
    p.add_argument("--timeout", type=positive_float, metavar="S", help="stop after S seconds")
    p.add_argument("--lang", choices=LANGUAGES, default="en", metavar="|".join(LANGUAGES),
                   help="language of the explanations of each run (default en)")
    add_memory_option(p)
    add_engine_option(p)


def run(args, stdout, stderr) -> int:
    model = load_model(args.model, stderr, args.overrides)
    check_property_names(model, args.property)
    progress = CheckProgress(stderr) if is_terminal(stderr) else None
    options = CheckOptions(properties=tuple(args.property) if args.property else None,
                           max_states=args.max_states, timeout=args.timeout,
                           max_memory_mb=args.max_memory, progress=progress)
    result = registry.check(model, options, args.engine,
                            notice=lambda text: stderr.write(text + "\n"))
    if progress:
        progress.clear()
    explanations = _explanations(model, result, args.lang)
    page = render_report.report(model, result, explanations=explanations, lang=args.lang,
                                descriptions=_descriptions(model, result, args.lang))
    write_output(args.output, page)
    stdout.write(f"wrote {args.output}: {_verdicts(result)}\n")
    if not result.complete and result.stop_reason != "decided":
        stdout.write(render_text.incomplete_note(result) + "\n")
    return result.exit_code


def _explanations(model, result, lang: str) -> dict:
    """Each run's explanation in words."""
    from tcpcheck.explain import explain  # loaded only when a report is written

    return {p.name: tuple(explain(model, p, lang=lang))
            for p in result.properties if p.trace is not None}


def _descriptions(model, result, lang: str) -> dict:
    """Each run's steps in sentences of ``lang``; none in English, where the page shows
    each step's own summary."""
    if lang == "en":
        return {}
    from tcpcheck.explain import step_sentences  # loaded only when a report is written

    return {p.name: step_sentences(model, p.trace, lang)
            for p in result.properties if p.trace is not None}


def _verdicts(result) -> str:
    words = [f"{p.name} {render_text.STATUS_WORDS.get(p.status, p.status)}"
             for p in result.properties]
    return ", ".join(words) or "no properties"
