"""Source text -> syntax tree for ``param`` and ``lemma`` declarations, and their syntax
errors (code "syntax", the exact place, no Lark terminal name in the message)."""

from __future__ import annotations

import re
import textwrap

import pytest

from tcpcheck.diagnostics import ModelError
from tcpcheck.lang import ast
from tcpcheck.lang.grammar import model_parser
from tcpcheck.lang.parser import parse

ENDPOINTS = """
endpoint a { states S initial S var x : 0..3 }
endpoint b { states S initial S }
"""

TERMINAL_NAMES = sorted({t.name for t in model_parser().terminals} | {"$END"})


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def shape(node):
    """An expression tree as nested tuples, without spans."""
    if isinstance(node, (ast.IntLit, ast.BoolLit)):
        return node.value
    if isinstance(node, ast.NameRef):
        return node.name
    if isinstance(node, ast.DottedRef):
        return f"{node.base.name}.{node.attr.name}"
    if isinstance(node, ast.Unary):
        return (node.op, shape(node.operand))
    if isinstance(node, ast.Binary):
        return (node.op, shape(node.left), shape(node.right))
    raise AssertionError(f"unexpected node {node!r}")


def syntax_error(text: str) -> tuple[int, int]:
    """Parse ``text``, which must fail with one syntax error; its (line, column)."""
    with pytest.raises(ModelError) as info:
        parse(text, "bad.tcp")
    (d,) = info.value.diagnostics
    assert d.code == "syntax"
    assert "__ANON" not in d.message
    leaked = [n for n in TERMINAL_NAMES if re.search(rf"(?<![\w$]){re.escape(n)}(?!\w)", d.message)]
    assert leaked == []
    return d.span.line, d.span.column


# ---- param --------------------------------------------------------------------------------

def test_a_param_with_constraint_and_docstring():
    tree = parse(src('''
        model m
        param MSL = 2 where MSL >= 1 "maximum segment lifetime, in ticks"
    ''') + ENDPOINTS)
    (p,) = tree.params
    assert p.name.name == "MSL"
    assert shape(p.default) == 2
    assert shape(p.constraint) == (">=", "MSL", 1)
    assert p.doc == "maximum segment lifetime, in ticks"
    assert p.overridden is False
    assert (p.name.span.line, p.name.span.column) == (2, 7)
    assert (p.constraint.span.line, p.constraint.span.column) == (2, 21)


def test_where_and_docstring_are_optional():
    tree = parse(src('''
        model m
        param A = 1
        param B = A + 1 "only a doc"
        param C = 2 * B where C >= B and not C == 7
        param D = 3 """a long
                       docstring"""
    ''') + ENDPOINTS)
    a, b, c, d = tree.params
    assert (a.constraint, a.doc) == (None, None)
    assert shape(b.default) == ("+", "A", 1) and (b.constraint, b.doc) == (None, "only a doc")
    assert shape(c.constraint) == ("and", (">=", "C", "B"), ("not", ("==", "C", 7)))
    assert d.doc == "a long\ndocstring"


def test_params_and_consts_keep_their_own_lists_in_file_order():
    tree = parse(src('''
        model m
        param MSL = 2
        const TW = 2 * MSL
        param R = 3
    ''') + ENDPOINTS)
    assert [p.name.name for p in tree.params] == ["MSL", "R"]
    assert [c.name.name for c in tree.consts] == ["TW"]
    assert shape(tree.consts[0].value) == ("*", 2, "MSL")


# ---- lemma --------------------------------------------------------------------------------

def test_a_lemma_with_and_without_docstring():
    tree = parse(src('''
        model m
    ''') + ENDPOINTS + src('''
        lemma small: a.x <= 3 "x stays small"
        lemma both: a.state == S => a.x >= 0
        property p: always true
    '''))
    small, both = tree.lemmas
    assert small.name.name == "small" and small.doc == "x stays small"
    assert shape(small.expr) == ("<=", "a.x", 3)
    assert both.doc is None
    assert shape(both.expr) == ("=>", ("==", "a.state", "S"), (">=", "a.x", 0))
    assert [p.name.name for p in tree.properties] == ["p"]


def test_a_lemma_may_quantify_over_the_channel():
    tree = parse("model m\n" + ENDPOINTS + "lemma q: forall s in channel.b: s.seq == a.x\n")
    assert isinstance(tree.lemmas[0].expr, ast.Quantified)


# ---- reserved words and syntax errors -----------------------------------------------------

@pytest.mark.parametrize("word", ["param", "lemma"])
def test_the_new_keywords_are_reserved(word):
    assert syntax_error(f"model m\nendpoint a {{ states S initial S var {word} : bool }}\n") \
        == (2, 37)


def test_a_name_that_merely_starts_with_a_keyword_is_a_name():
    tree = parse("model m\nendpoint a { states S initial S var params : bool "
                 "var lemma_count : 0..1 }\nendpoint b { states S initial S }\n")
    assert [v.name.name for v in tree.endpoints[0].variables] == ["params", "lemma_count"]


@pytest.mark.parametrize("text, where", [
    ("model m\nparam MSL 2\n", (2, 11)),                      # '=' missing
    ("model m\nparam MSL =\n", (2, 12)),                      # default missing (end of file)
    ("model m\nparam MSL = 2 where\n", (2, 20)),              # constraint missing
    ("model m\nparam MSL = 2 where MSL > 1 where MSL < 9\n", (2, 29)),  # one where only
    ("model m\nparam 3 = 2\n", (2, 7)),                       # a name is needed
    ("model m\nlemma l a.x < 1\n", (2, 9)),                   # ':' missing
    ("model m\nlemma l:\n", (2, 9)),                          # expression missing
    ("model m\nlemma l: always a.x < 1\n", (2, 10)),          # not a property body
])
def test_syntax_errors(text, where):
    assert syntax_error(text) == where
