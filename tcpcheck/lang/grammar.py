"""The tcpspec grammar (spec/tcpspec.lark) and the Lark parsers built from it, once each.

Its own module so that the parser, its error recovery and the table of common slips
(tcpcheck.lang.slips, which reads the grammar's terminals) all build on it without importing
each other in a circle."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from lark import Lark

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
    return Lark(grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=True)


@functools.lru_cache(maxsize=1)
def expression_parser() -> Lark:
    """The same grammar entered at its expression rule: a separate parser, so that the model
    parser's tables (and the words of its errors) stay exactly as they are."""
    return Lark(grammar_text(), parser="lalr", propagate_positions=True, maybe_placeholders=True,
                start="expr")
