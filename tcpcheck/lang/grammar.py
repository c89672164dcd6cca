"""The tcpspec grammar (spec/tcpspec.lark) and the Lark parsers built from it, once each.

Its own module so that the parser, its error recovery and the table of common slips
(tcpcheck.lang.slips, which reads the grammar's terminals) all build on it without importing
each other in a circle.

Building the LALR tables takes a fifth of a second, most of a small command's start-up, so
each parser is kept in the user's cache directory (:mod:`tcpcheck.cache`), named by a hash
of the grammar, the options and the Lark and Python versions, and loaded from there
(a twentieth of that); a cache that cannot be read or written only costs the build."""

from __future__ import annotations

import functools
import hashlib
import sys
from importlib import resources
from pathlib import Path

import lark
from lark import Lark

from tcpcheck.cache import cache_dir, write_atomically

GRAMMAR_NAME = "tcpspec.lark"


def grammar_text() -> str:
    """The grammar source: from the installed package, else from the source tree's spec/."""
    packaged = resources.files("tcpcheck").joinpath("grammar", GRAMMAR_NAME)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    in_tree = Path(__file__).resolve().parents[2] / "spec" / GRAMMAR_NAME
    return in_tree.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def model_parser() -> Lark:
    """The LALR parser of a whole model file."""
    return _cached_parser(start="start")


@functools.lru_cache(maxsize=1)
def expression_parser() -> Lark:
    """The same grammar entered at its expression rule: a separate parser, so that the model
    parser's tables (and the words of its errors) stay exactly as they are."""
    return _cached_parser(start="expr")


def _cached_parser(start: str) -> Lark:
    """The parser entered at rule ``start``: from the cache when it holds this grammar's,
    else built (and stored for the next process)."""
    text = grammar_text()
    options = dict(parser="lalr", propagate_positions=True, maybe_placeholders=True,
                   start=start)
    key = hashlib.sha256(repr((text, sorted(options.items()), lark.__version__,
                               sys.version_info[:2])).encode()).hexdigest()[:32]
    try:
        path = cache_dir() / f"lark-{key}.pickle"
    except RuntimeError:  # no home directory to find a cache in
        return Lark(text, **options)
    try:
        with open(path, "rb") as file:
            return Lark.load(file)
    except Exception:  # absent, unreadable or damaged: the build below replaces it
        pass
    parser = Lark(text, **options)
    try:
        write_atomically(path, parser.save)
    except OSError:  # a read-only or full cache: the next process builds it again
        pass
    return parser
