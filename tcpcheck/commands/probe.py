"""``tcpcheck probe MODEL``: the model's replies against a live Linux kernel's, in network
namespaces tcpcheck creates and removes (tcpcheck/probe builds the lab and runs the
sockets, tcpcheck/analyses/probe.py compares, tcpcheck/render/probe.py prints;
spec/MANUAL.md 14.19)."""

from __future__ import annotations

import argparse
import shlex
import time
from pathlib import Path

from tcpcheck.analyses import probe as analysis
from tcpcheck.analyses.scan import DEFAULT_MAX_STATES, default_endpoint
from tcpcheck.commands._common import load_model, positive_float, positive_int, write_output
from tcpcheck.diagnostics import UsageError
from tcpcheck.probe import kernel, lab
from tcpcheck.render import json as render_json
from tcpcheck.render import probe as render_probe
from tcpcheck.render import probe_packetdrill

NAME = "probe"

EXAMPLES = """\
examples:
  sudo tcpcheck probe models/rfc9293.tcp
  sudo tcpcheck probe models/rfc9293.tcp --cases 'LISTEN/*' --json
  sudo tcpcheck probe models/rfc9293.tcp --cases TIME_WAIT
  sudo tcpcheck probe models/linux.tcp           every case matches on Linux 6
  tcpcheck probe models/linux.tcp --packetdrill pkt/       one packetdrill script a case
  tcpcheck probe models/linux.tcp --cases TIME_WAIT/SYN/above --packetdrill tw_syn.pkt

cases: STATE/PROBE/NUMBERS (211), e.g. TIME_WAIT/SYN/above: STATE one of CLOSED, LISTEN,
       SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSING, TIME_WAIT,
       CLOSE_WAIT, LAST_ACK (a real socket in the kernel namespace); PROBE one of SYN, ACK,
       FIN, RST, SYN-ACK, FIN-ACK, NULL, Xmas, data; NUMBERS 'any' (no connection),
       'exact' (the connection's own), 'above', 'below', 'inexact', 'ack-ahead',
       'retransmitted', 'queue-full' (MANUAL 14.19); --cases takes a shell pattern,
       or a part of the name
needs: root and iproute2 (ip netns); the namespaces are removed on exit, also on Ctrl-C
packetdrill: --packetdrill DIR writes each case as DIR/STATE_PROBE_NUMBERS.pkt, a script
       that drives a socket into the state, injects the probe and expects the model's
       reply; PATH.pkt takes a single case.  The scripts come from the model alone: without
       root they are written and the probes are not run (exit 3, every case 'not run')

outside: a case the model has no words for (data, where its segments carry none: the
       shipped models as written; --set DATA=1 gives them data) is not run and not held
       against the model; the table lists it as 'outside the model' with the reason
exit codes: 0 every case compared matches, 1 a divergence, 2 bad model or usage, not
            root, no 'ip netns', 3 interrupted, a case without a prediction or not run,
            or no case compared
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
    p.add_argument("--packetdrill", metavar="DIR|FILE.pkt", help="also write each case as "
                   "a packetdrill script (DIR/STATE_PROBE_NUMBERS.pkt; FILE.pkt for a single "
                   "case); without root, write them and run no probe")


def run(args, stdout, stderr) -> int:
    model = load_model(args.model, stderr, args.overrides)
    cases = analysis.select(args.cases)
    if args.packetdrill is not None:
        _check_target(args.packetdrill, cases)
    not_run = _cannot_probe() if args.packetdrill is not None else None
    notes = stderr if args.json else stdout  # --json: standard output is the JSON alone
    if not_run is None:
        result = analysis.run(model, cases, max_states=args.max_states, timeout=args.timeout)
    else:
        notes.write(f"the probes are not run ({not_run}): the table holds the model's "
                    "predictions, the packetdrill scripts are written from them\n\n")
        result = _predictions_only(model, cases, args.max_states, args.timeout)
    if args.json:
        stdout.write(render_json.dumps(render_probe.result_json(result)) + "\n")
    else:
        stdout.write(render_probe.text(result) + "\n")
    if args.packetdrill is not None:
        notes.write("\n".join(_write_scripts(args, result)) + "\n")
    return result.exit_code


# ---- --packetdrill ------------------------------------------------------------------------

def _check_target(path: str, cases: tuple) -> None:
    """A FILE.pkt takes exactly one case (packetdrill runs one script a file); a DIR is made
    now, so that a bad one is refused before the probes run."""
    folder = Path(path)
    if path.endswith(".pkt"):
        if len(cases) != 1:
            raise UsageError(f"--packetdrill {path}: a .pkt file holds one case and --cases "
                             f"selects {len(cases)}; give a directory for one script a case")
        if folder.is_dir():
            raise UsageError(f"--packetdrill {path}: it is a directory, not a file to write")
        folder = folder.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"--packetdrill {path}: cannot make the directory {folder}: "
                         f"{err.strerror or err}") from None


def _cannot_probe() -> str | None:
    """Why this process cannot build the lab (not root, no ip), or None."""
    try:
        lab.check_can_build()
    except lab.LabError as err:
        return str(err)
    return None


def _predictions_only(model, cases: tuple, max_states, timeout) -> analysis.ProbeResult:
    """The model's predictions with every case not run: what the scripts need, without the
    kernel lab (no root)."""
    started = time.monotonic()
    predictions, model_complete = analysis.predict(model, cases, max_states=max_states,
                                                   timeout=timeout)
    outcomes = tuple(analysis.not_compared(c, predictions[c]) for c in cases)
    e = default_endpoint(model)
    return analysis.ProbeResult(model.name, model.file, model.endpoints[e].name,
                                lab.kernel_release(), (), kernel.WINDOW, outcomes, True,
                                model_complete, time.monotonic() - started)


def _write_scripts(args, result) -> list:
    """Write one script per scriptable case; the lines that say what was written and what
    was not."""
    single = args.packetdrill.endswith(".pkt")
    folder = Path(args.packetdrill)  # made by _check_target
    written, skipped = 0, []
    for o in result.outcomes:
        why = probe_packetdrill.unscriptable(o.case, o.prediction)
        if why is not None:
            skipped.append(f"  {o.case.name}: {why}")
            continue
        text = probe_packetdrill.script(o.case, o.prediction, model=result.model,
                                        file=result.file, endpoint=result.endpoint,
                                        command=_command(args),
                                        observed=_observed(o))
        write_output(str(folder if single else folder / probe_packetdrill.file_name(o.case)),
                     text)
        written += 1
    where = args.packetdrill if single else f"{args.packetdrill} (one .pkt a case)"
    notes = [f"packetdrill: wrote {written} script{'s' if written != 1 else ''} to {where}"]
    if skipped:
        notes += [f"packetdrill: {len(skipped)} case{'s' if len(skipped) != 1 else ''} "
                  "without a script:", *skipped]
    return notes


def _observed(outcome) -> tuple | None:
    obs = outcome.observed
    return None if obs is None or obs.error is not None else obs.replies


def _command(args) -> str:
    """The command line that made the scripts, as their header records it."""
    words = ["tcpcheck", NAME, args.model]
    if args.cases:
        words += ["--cases", args.cases]
    for override in args.overrides or ():
        words += ["--set", override]
    if args.max_states != DEFAULT_MAX_STATES:  # the predictions depend on it
        words += ["--max-states", str(args.max_states)]
    return shlex.join(words + ["--packetdrill", args.packetdrill])
