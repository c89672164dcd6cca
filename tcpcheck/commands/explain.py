"""``tcpcheck explain MODEL``: each verdict told in numbered plain sentences (English or
Chinese): a violation step by step along its shortest run, a holding property by the
checks and transitions it owes its verdict to (found by ablation, which re-checks variants
of the model and so takes a while)."""

from __future__ import annotations

import argparse
import time

from tcpcheck.commands._common import (CheckProgress, add_engine_option, add_memory_option,
                                       check_property_names, is_terminal, load_model,
                                       positive_float, positive_int)
from tcpcheck.engine import registry
from tcpcheck.explain import (LANGUAGES, Limits, check_language, explain_property,
                              explained_properties)
from tcpcheck.explicit import CheckOptions
from tcpcheck.render import json as render_json
from tcpcheck.render import report as render_report
from tcpcheck.result import EXIT_INCOMPLETE

NAME = "explain"
DEFAULT_VARIANT_STATES = Limits().max_states

EPILOG = f"""\
examples:
  tcpcheck explain models/two_way_handshake.tcp                 why the old SYN is accepted
  tcpcheck explain models/two_way_handshake.tcp --lang zh       the same, in Chinese
  tcpcheck explain models/three_way_handshake.tcp -p no_stale_accept   why it holds
  tcpcheck explain models/two_way_handshake.tcp --engine python the reference engine throughout

A holding property is explained by ablation: each guard conjunct and `choose` condition is
replaced by true (and, where that can matter, each transition removed), and the property is
checked again on that variant, with at most --variant-states states ({DEFAULT_VARIANT_STATES:,}
by default).  A variant stopped by that limit is reported as not decided, never as a reason.
The model and every variant are checked by the engine --engine names (as for check).

exit codes: as `tcpcheck check`: 0 all hold, 1 one is violated, 2 bad model or usage,
            3 stopped at a limit before every property was verified
"""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(NAME, help="explain each verdict in numbered sentences "
                              "(English or Chinese)", epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", help="a .tcp model file")
    p.add_argument("--property", "-p", action="append", metavar="NAME",
                   help="explain only this property (repeatable; default: every property, "
                        "not the lemmas)")
    p.add_argument("--lang", default="en", metavar="|".join(LANGUAGES),
                   help="the language of the sentences (default en)")
    p.add_argument("--max-states", type=positive_int, metavar="N",
                   help="stop the check of the model itself after N distinct states")
    p.add_argument("--timeout", type=positive_float, metavar="S",
                   help="stop the check of the model itself after S seconds")
    p.add_argument("--variant-states", type=positive_int, default=DEFAULT_VARIANT_STATES,
                   metavar="N", help="states explored per ablation variant "
                   f"(default {DEFAULT_VARIANT_STATES:,})")
    p.add_argument("--variant-timeout", type=positive_float, metavar="S",
                   help="seconds per ablation variant (default none: a time limit makes "
                        "the answer depend on the machine)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", dest="overrides",
                   help="override a constant or a setting, as for check (repeatable)")
    add_memory_option(p)
    add_engine_option(p)
    p.add_argument("--json", action="store_true",
                   help="print {property, status, lang, sentences} per property as JSON")


def run(args, stdout, stderr) -> int:
    lang = check_language(args.lang)
    model = load_model(args.model, stderr, args.overrides)
    check_property_names(model, args.property)
    names = tuple(args.property) if args.property else tuple(p.name for p in model.properties)
    started = time.monotonic()
    progress = CheckProgress(stderr) if is_terminal(stderr) and not args.json else None
    notice = _once(stderr)
    options = CheckOptions(properties=names, max_states=args.max_states, timeout=args.timeout,
                           max_memory_mb=args.max_memory, progress=progress)
    result = registry.check(model, options, args.engine, notice)
    checked = time.monotonic() - started
    limits = Limits(args.variant_states, args.variant_timeout, args.max_memory,
                    progress=progress.with_label if progress else None,
                    engine=args.engine, notice=notice)
    shown = explained_properties(result)
    explanations = [explain_property(model, p, lang, limits) for p in shown]
    if progress:
        progress.clear()
    if args.json:
        stdout.write(render_json.dumps(_json(model, lang, explanations, result)) + "\n")
    else:
        stdout.write(_text(model, explanations, shown, lang) + "\n")
    # timings vary from run to run, so they go to stderr and stdout stays reproducible
    stderr.write(_timing(result, explanations, checked) + "\n")
    if result.exit_code == 0 and any(e.reasons and e.reasons.cut_off for e in explanations):
        return EXIT_INCOMPLETE  # the verdicts stand, but their explanation was cut short
    return result.exit_code


def _once(stderr):
    """A notice that writes each distinct line once: with ``auto`` and no compiler, the
    model and every variant would each say "note: using the Python engine: ..."."""
    said = set()

    def notice(text: str) -> None:
        if text not in said:
            said.add(text)
            stderr.write(text + "\n")
    return notice


def _text(model, explanations, results, lang: str) -> str:
    """The sentences under a heading per property; the headings' words in ``lang`` too (the
    report's, from the same table: "holds within the bounds (...)" included)."""
    words = render_report.Labels(lang)
    out = [f"{words.t('report_model', name=model.name)} ({model.file})"]
    for e, p in zip(explanations, results):
        out += ["", f"{e.property}: {render_report.status_text(p, words)}"]
        out += [f"  {line}" for line in e.sentences]
    return "\n".join(out)


def _timing(result, explanations, checked: float) -> str:
    """How long it took: the check, and the ablation (variants and their states)."""
    ablations = [a for e in explanations if e.reasons for a in e.reasons.ablations]
    seconds = sum(e.reasons.seconds for e in explanations if e.reasons)
    line = f"checked in {checked:.2f} s ({result.stats.states:,} states, {result.backend} engine)"
    if ablations:
        states = sum(a.states for a in ablations)
        line += (f"; ablation: {len(ablations)} variants, {states:,} states, "
                 f"{seconds:.2f} s, {_engines(explanations)} engine")
    return line


def _engines(explanations) -> str:
    """The engines that checked the variants: "native", "python", or both with "+" (auto
    fell back for some)."""
    used = dict.fromkeys(name for e in explanations if e.reasons for name in e.reasons.engines)
    return "+".join(used)


def _json(model, lang: str, explanations, result) -> dict:
    # "backend" as in check's JSON: the engine that checked the model; each explanation's
    # "ablation_engines" the ones that checked its variants ([] when it ran no ablation)
    return {"schema": render_json.SCHEMA_VERSION, "model": model.name, "file": model.file,
            "lang": lang, "exit_code": result.exit_code, "backend": result.backend,
            "explanations": [{"property": e.property, "status": e.status, "lang": e.lang,
                              "sentences": list(e.sentences),
                              "ablation_engines": list(e.reasons.engines if e.reasons else ())}
                             for e in explanations]}
