"""How deeply a model nests, checked on the parse tree before anything walks it.

Every later stage (building the syntax tree, constant folding, typing, the engines'
compilers, the renderers) walks expressions and statements recursively, so the language
stage guarantees a bound: no expression, ``if`` statement or type nests more than
:data:`MAX_NESTING` levels.  An operator chain counts one level per operator, since it
becomes a nested tree (``1 - 1 - 1`` is ``(1 - 1) - 1``); an ``if`` counts two (its
lowering takes twice the stack), so ``else if`` chains stop at half the bound.  A real model nests a few levels;
the bound leaves every recursive walk far below Python's stack limit.  This check itself
walks the tree without recursion.
"""

from __future__ import annotations

from lark import Token, Tree

from tcpcheck.diagnostics import Diagnostic, Span

MAX_NESTING = 100

# rules whose nodes nest: what the diagnostic calls them
_EXPRESSION = "expression"
_KINDS = {
    "if_stmt": "statement", "block": "statement",
    "set_type": "type", "range_type": "type",
}
# the parse-tree rules of expressions (after '?rule' inlining)
_EXPRESSION_RULES = frozenset({
    "implies", "disj", "conj", "not_", "quantified", "comparison", "in_", "not_in", "sum",
    "product", "neg", "int_lit", "true_lit", "false_lit", "name_ref", "dotted_ref", "set_lit",
    "channel_ref",
})
# rules that become a left-deep chain: one level per operator
_CHAINS = frozenset({"disj", "conj", "sum", "product", "comparison"})


def too_deep(tree: Tree, file: str) -> list[Diagnostic]:
    """A diagnostic for each outermost construct that nests more than MAX_NESTING levels.
    The report goes to the construct that nests: a block that is too deep only because an
    expression in it is, reports the expression."""
    depth = _depths(tree)
    found: list[Diagnostic] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        kind = _kind(node)
        if kind is None or depth[id(node)] <= MAX_NESTING:
            stack.extend(c for c in reversed(node.children) if isinstance(c, Tree))
            continue
        deeper = [c for c in _kinded_children(node) if depth[id(c)] > MAX_NESTING]
        if any(_kind(c) != kind for c in deeper):
            stack.extend(reversed(deeper))
        else:
            found.append(_diagnostic(node, kind, file))
    return found


def _kinded_children(node: Tree) -> list:
    """The nearest descendants of ``node`` that are expressions, statements or types."""
    result, stack = [], [c for c in reversed(node.children) if isinstance(c, Tree)]
    while stack:
        child = stack.pop()
        if _kind(child) is not None:
            result.append(child)
        else:
            stack.extend(c for c in reversed(child.children) if isinstance(c, Tree))
    return result


def _kind(node: Tree) -> str | None:
    if node.data in _EXPRESSION_RULES:
        return _EXPRESSION
    return _KINDS.get(node.data)


def _depths(tree: Tree) -> dict:
    """The nesting depth of every node (id -> depth), bottom up, without recursion."""
    depth: dict = {}
    order, stack = [], [tree]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(c for c in node.children if isinstance(c, Tree))
    for node in reversed(order):  # children before parents
        inner = max((depth[id(c)] for c in node.children if isinstance(c, Tree)), default=0)
        own = 1
        if node.data == "if_stmt":  # lowering spends twice an expression's stack on one
            own = 2
        elif node.data in _CHAINS:
            operands = sum(1 for c in node.children if not _operator(c))
            own = max(1, operands - 1)
        depth[id(node)] = inner + own
    return depth


def _operator(child) -> bool:
    return isinstance(child, Token) and child.type in ("ADDOP", "MULOP", "COMPARE")


def _diagnostic(node: Tree, kind: str, file: str) -> Diagnostic:
    meta = node.meta
    line = getattr(meta, "line", 1) if not getattr(meta, "empty", True) else 1
    column = getattr(meta, "column", 1) if not getattr(meta, "empty", True) else 1
    if kind == _EXPRESSION:
        message = (f"this expression is nested too deeply: more than {MAX_NESTING} levels of "
                   "operators, brackets and 'not' inside one another")
        hint = "split it: give parts of it a name with 'const', or simplify it"
    elif kind == "statement":
        message = (f"'if' statements are nested too deeply here: more than {MAX_NESTING // 2} "
                   "levels ('if' inside 'if', or a chain of 'else if')")
        hint = "split the transition into several, each with its own guard"
    else:
        message = f"this type is nested too deeply: more than {MAX_NESTING} levels"
        hint = None
    return Diagnostic("nesting", message, Span(file, line, column), "error", hint)
