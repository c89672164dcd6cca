"""``tcpcheck check --format svg|mermaid|json|itf [-o FILE]``: one run written as a document
of its own, so that ``check MODEL --format svg > run.svg`` is an SVG file.

Which run: a counterexample before a witness; among the properties named with
``--property``, in the order they were named, else in the model's order.  A witness (of a
reached ``reachable`` goal) is written only when ``--witnesses`` is given or the goal was
named with ``--property``.  With no such run nothing is written, a note on standard error
says why, and the exit code is still the verdict's.

Where: without ``-o`` (or with ``-o -``) the document alone goes to standard output and what a person reads
(the verdicts, statistics, which run was written, ``--coverage``) to standard error; with
``-o FILE`` the document goes to FILE and standard output gets the usual text report (runs
as charts) and a ``wrote FILE`` line.  ``--counterexamples N`` (N > 1) needs ``-o``: the
chosen property's runs go to numbered files (``run.svg``: ``run-1.svg``, ``run-2.svg``, ...,
as many as were found); one document on standard output cannot hold several runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tcpcheck.commands._common import write_output
from tcpcheck.diagnostics import UsageError
from tcpcheck.render import json as render_json
from tcpcheck.render import text as render_text
from tcpcheck.render.formats import (FILE_FORMATS, FILE_SUFFIXES, TEXT_FORMATS,
                                     format_of_path, render_file)
from tcpcheck.result import REACHED


@dataclass(frozen=True)
class Plan:
    """What the command line asks to be written, checked before the exploration starts
    (a usage mistake should not cost a long run)."""

    fmt: str  # one of FILE_FORMATS
    output: str | None  # -o FILE; None: standard output
    numbered: bool  # --counterexamples N > 1 with -o: FILE-1, FILE-2, ...


@dataclass(frozen=True)
class Chosen:
    """The run(s) that become the document: ``runs`` of property ``prop``."""

    prop: object  # PropertyResult
    runs: tuple  # Trace each; more than one only for numbered files

    @property
    def what(self) -> str:
        return "witness" if self.prop.status == REACHED else "counterexample"


def plan(args) -> Plan | None:
    """The document to write, or None when the runs are printed as text (chart, steps,
    rfc: today's report).  Raises UsageError for a combination that cannot work."""
    fmt, output = args.trace_format, args.output
    if output == "-":  # the usual name for standard output
        output = None
        if fmt is None:
            raise UsageError(f"-o - writes to standard output; give --format "
                             f"{'|'.join(FILE_FORMATS)}")
    if output is not None and fmt is None:
        fmt = format_of_path(output)
        if fmt is None:
            raise UsageError(f"cannot tell the format of {output} from its name; give "
                             f"--format {'|'.join(FILE_FORMATS)}")
    if fmt is None or fmt in TEXT_FORMATS:
        if output is not None:
            raise UsageError(f"-o writes one run as a file ({', '.join(FILE_FORMATS)}); "
                             f"--format {fmt} is text for the report: redirect standard "
                             "output to save it")
        return None
    if args.json:
        raise UsageError(f"--json prints the whole result; it cannot be combined with "
                         f"--format {fmt}{' or -o' if output else ''} (one run as a file); "
                         "`tcpcheck trace RESULT.json --format "
                         f"{fmt}` converts a run of a saved result")
    numbered = getattr(args, "counterexamples", 1) > 1
    if numbered and output is None:
        raise UsageError(f"--counterexamples {args.counterexamples} with --format {fmt}: "
                         f"one {fmt} document holds one run; give -o FILE to write one "
                         "file per run (FILE-1, FILE-2, ...), or use --json for all of them")
    if output is not None:
        _writable(output, args.model)
    return Plan(fmt, output, numbered)


def choose(result, named, witnesses: bool) -> Chosen | None:
    """The run to write (see the module doc), or None when there is none."""
    props = list(result.properties)
    if named:
        order = {name: i for i, name in enumerate(dict.fromkeys(named))}
        props = sorted((p for p in props if p.name in order), key=lambda p: order[p.name])
    for p in props:
        if p.trace is not None and p.status != REACHED:
            return Chosen(p, p.traces if len(p.traces) > 1 else (p.trace,))
    for p in props:
        if p.trace is not None and p.status == REACHED and (witnesses or named):
            return Chosen(p, (p.trace,))
    return None


def document(plan_: Plan, trace, model, seqspace: int | None = None) -> str:
    """One run as the planned format, recording the model file, its sequence space and the
    run's settings (``--set`` overrides and bounds)."""
    return render_file(trace, plan_.fmt, file=model.file,
                       seqspace=seqspace or model.bounds.seqspace,
                       overrides=model.overrides, bounds=render_json.bounds(model))


def write_files(plan_: Plan, chosen: Chosen, model, seqspace: int | None = None) -> list:
    """Writes the chosen run(s) to ``-o``'s file(s); the paths written."""
    runs = chosen.runs if plan_.numbered else chosen.runs[:1]
    paths = [numbered_path(plan_.output, k) if plan_.numbered else plan_.output
             for k in range(1, len(runs) + 1)]
    for path, trace in zip(paths, runs):
        write_output(path, document(plan_, trace, model, seqspace))
    return paths


def numbered_path(path: str, k: int) -> str:
    """``path`` with ``-k`` before its format suffix (``run.itf.json``: ``run-2.itf.json``),
    else before its last suffix, else at the end."""
    p = Path(path)
    name = p.name
    lower = name.lower()
    suffix = next((s for s in FILE_SUFFIXES if lower.endswith(s) and len(name) > len(s)),
                  p.suffix)
    stem = name[:len(name) - len(suffix)] if suffix else name
    return str(p.with_name(f"{stem}-{k}{name[len(stem):]}"))


def deliver(plan_: Plan, result, model, args, stdout, stderr, *, summary: str, report) -> None:
    """Write the chosen run as the planned document: alone on stdout with ``summary`` (what
    a person reads) on stderr, or to -o's file(s) after ``report()`` has written the usual
    text report to stdout.  With no run to write, a note says why."""
    witnesses = getattr(args, "witnesses", False)
    chosen = choose(result, args.property, witnesses)
    seqspace = getattr(result, "seqspace", None)  # a proof's own modulus (32-bit by default)
    if plan_.output is None:
        stderr.write(summary)
        if chosen is None:
            stderr.write(nothing_note(result, args.property, witnesses,
                                      f"no {plan_.fmt} written"))
            return
        stderr.write(f"the {plan_.fmt} on standard output is {describe(chosen)}\n")
        stdout.write(document(plan_, chosen.runs[0], model, seqspace))
        return
    report()
    if chosen is None:
        stderr.write(nothing_note(result, args.property, witnesses,
                                  f"{plan_.output} was not written"))
        return
    paths = write_files(plan_, chosen, model, seqspace)
    stdout.write(f"wrote {', '.join(paths)}: {describe(chosen)}\n")


def describe(chosen: Chosen) -> str:
    """``the counterexample for no_stale_accept (3 steps)``, or several runs' lengths."""
    lengths = [len(t) for t in chosen.runs]
    steps = ", ".join(map(str, lengths))
    plural = "s" if len(lengths) > 1 or lengths[0] != 1 else ""
    if len(lengths) > 1:
        return f"{len(lengths)} {chosen.what}s for {chosen.prop.name} ({steps} step{plural})"
    return f"the {chosen.what} for {chosen.prop.name} ({steps} step{plural})"


def nothing_note(result, named, witnesses: bool, where: str) -> str:
    """Why no document was written (the exit code stays the verdict's)."""
    scope = "named" if named else "checked"
    why = f"no {scope} property has a counterexample"
    unasked = [p.name for p in result.properties if p.status == REACHED and p.trace is not None
               and not witnesses and not named]
    if unasked:
        why += f"; --witnesses writes the witness of {unasked[0]}"
    if not getattr(result, "complete", True):  # check: the exploration was cut short
        why += " (the exploration stopped early)"
    elif getattr(result, "stop_reason", None):  # prove: the solvers were stopped
        why += " (the run stopped early)"
    return f"note: {where}: {why}\n"


def summary(result, model) -> str:
    """What a person reads when standard output carries the document: the model, each
    verdict, the statistics, and why a run stopped early (the runs are left out)."""
    out = [f"model {model.name} ({model.file})", ""]
    width = max((len(render_text.property_label(p)) for p in result.properties), default=8)
    out += [render_text.property_line(p, width) for p in result.properties]
    out += ["", render_text.stats_and_backend(result)]
    if not result.complete:
        out.append(render_text.incomplete_note(result))
    out += [f"warning: {w}" for w in result.warnings]
    return "\n".join(out) + "\n"


def _writable(path: str, model: str) -> None:
    """A usage error now, not after the exploration, for a file that cannot (or must not)
    be written."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"cannot write {path}: it is a directory")
    if target.resolve() == Path(model).resolve():
        raise UsageError(f"-o {path} would overwrite the model being checked")
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: there is no directory {folder}")
