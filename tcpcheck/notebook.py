"""Jupyter's rich display of tcpcheck's records, kept out of the records themselves.

Records (tcpcheck.result, tcpcheck.trace) never import a renderer; this module ties them to
Jupyter instead, through IPython's own formatter registry: a :class:`CheckResult` shows its
verdicts with each run's chart and steps (HTML), a :class:`Trace` its sequence chart (SVG).
In a notebook::

    %load_ext tcpcheck.notebook      # or: import tcpcheck.notebook; tcpcheck.notebook.enable()
"""

from __future__ import annotations

from tcpcheck.render.report import result_html
from tcpcheck.render.svg import svg
from tcpcheck.result import CheckResult
from tcpcheck.trace.records import Trace

# record type -> (MIME type, the function that draws it)
DISPLAYS = {
    CheckResult: ("text/html", result_html),
    Trace: ("image/svg+xml", svg),
}


def load_ipython_extension(ipython) -> None:
    """``%load_ext tcpcheck.notebook``: register every display with this IPython."""
    formatters = ipython.display_formatter.formatters
    for record_type, (mime, draw) in DISPLAYS.items():
        formatters[mime].for_type(record_type, draw)


def enable() -> bool:
    """Register the displays with the running IPython; False (and nothing done) when this is
    not an IPython session."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to register with
        return False
    ipython = get_ipython()
    if ipython is None:
        return False
    load_ipython_extension(ipython)
    return True
