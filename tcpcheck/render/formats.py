"""The ways a trace can be printed, by name: ``--format`` of check, prove and synth.

A format is a function ``(trace, *, full, color) -> str``; :data:`TRACE_FORMATS` maps each
name to one, so adding a format is adding an entry.  Formats that have no use for ``full``
or ``color`` ignore them.
"""

from __future__ import annotations

from importlib import import_module

from tcpcheck.diagnostics import UsageError
from tcpcheck.trace.records import Trace

DEFAULT_FORMAT = "chart"


def _renderer(module: str):
    """A renderer's module, imported when a trace is first drawn in its format: start-up
    (every command imports this table) pays for none of them, the SVG and its sentence
    tables least of all."""
    return import_module(f"tcpcheck.{module}")


TRACE_FORMATS = {
    "chart": lambda t, *, full, color: _renderer("render.chart").chart(t, full=full, color=color),
    "steps": lambda t, *, full, color: _renderer("render.steps").trace(t, full=full),
    "rfc": lambda t, *, full, color: _renderer("render.rfc").rfc(t),
    "mermaid": lambda t, *, full, color: _renderer("render.mermaid").mermaid(t).rstrip("\n"),
    "svg": lambda t, *, full, color: _renderer("render.svg").svg(t).rstrip("\n"),
    "json": lambda t, *, full, color: _json().dumps(_json().trace(t)),  # spec/JSON.md, Trace
    "itf": lambda t, *, full, color: _itf().dumps(_itf().itf(t)),  # Apalache/Quint ITF
}


def _json():
    return _renderer("render.json")


def _itf():
    return _renderer("trace.itf")


# Text for people, printed among the verdicts; the others are documents for other tools
# (a browser, a Markdown page, `tcpcheck trace`, Apalache/Quint) and are written alone,
# one run per document, so that the output is a valid file of its kind.
TEXT_FORMATS = ("chart", "steps", "rfc")
FILE_FORMATS = tuple(name for name in TRACE_FORMATS if name not in TEXT_FORMATS)

# What a file's name says about its format, longest suffix first (.itf.json before .json).
FILE_SUFFIXES = {".itf.json": "itf", ".svg": "svg", ".mmd": "mermaid", ".mermaid": "mermaid",
                 ".json": "json"}


def render_trace(trace: Trace, fmt: str = DEFAULT_FORMAT, *, full: bool = False,
                 color: bool = False) -> str:
    """``trace`` in the format named ``fmt`` (a key of :data:`TRACE_FORMATS`)."""
    try:
        render = TRACE_FORMATS[fmt]
    except KeyError:
        raise UsageError(f"unknown trace format '{fmt}'; the formats are: "
                         + ", ".join(TRACE_FORMATS)) from None
    return render(trace, full=full, color=color)


def render_file(trace: Trace, fmt: str, *, file: str | None = None,
                seqspace: int | None = None, overrides: tuple | None = None,
                bounds: dict | None = None) -> str:
    """``trace`` as a document of file format ``fmt`` (one of :data:`FILE_FORMATS`),
    ending in a newline.  JSON and ITF also record the model file, the sequence space, and
    (when known) the run's ``--set`` overrides and bounds, so that ``tcpcheck trace`` reads
    it back on its own (``--eval`` finds the model at the run's settings)."""
    if fmt == "json":
        return _json().dumps(_json().trace_file(trace, file=file, seqspace=seqspace,
                                            overrides=overrides, bounds=bounds)) + "\n"
    if fmt == "itf":
        return _itf().dumps(_itf().itf(trace, meta={"file": file, "seqspace": seqspace,
                                                "overrides": overrides,
                                                "bounds": bounds})) + "\n"
    if fmt not in FILE_FORMATS:
        raise UsageError(f"'{fmt}' is not a file format; the file formats are: "
                         + ", ".join(FILE_FORMATS))
    return render_trace(trace, fmt) + "\n"


def format_of_path(path: str) -> str | None:
    """The file format a file name asks for by its suffix (``run.itf.json``: itf), or
    None when the suffix names none."""
    name = path.lower()
    for suffix, fmt in FILE_SUFFIXES.items():
        if name.endswith(suffix) and len(name) > len(suffix):
            return fmt
    return None
