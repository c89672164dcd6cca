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
_KINDS = {"if_stmt": "statement", "set_type": "type", "range_type": "type"}
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
    The report goes to the construct that nests: an 'if' that is too deep only because an
    expression in it is reports the expression."""
    nodes = _bottom_up(tree)
    depth, kinded = _depths(nodes)
    own_kind = _kind_depths(nodes, kinded)
    found: list[Diagnostic] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        kind = _kind(node)
        if kind is None or depth[id(node)] <= MAX_NESTING:
            stack.extend(c for c in reversed(node.children) if isinstance(c, Tree))
            continue
        deeper = [c for c in kinded[id(node)] if depth[id(c)] > MAX_NESTING]
        other = [c for c in deeper if _kind(c) != kind]
        if other:
            stack.extend(reversed(other))
        elif deeper and own_kind[id(node)] <= MAX_NESTING:
            stack.extend(reversed(deeper))  # not this level's doing: look further in
        else:
            mixed = own_kind[id(node)] <= MAX_NESTING  # too deep only with what is inside
            found.append(_diagnostic(node, "mixed" if mixed and deeper == [] else kind, file))
    return found


def _kind(node: Tree) -> str | None:
    if node.data in _EXPRESSION_RULES:
        return _EXPRESSION
    return _KINDS.get(node.data)


def _bottom_up(tree: Tree) -> list:
    """Every node, children before their parents (without recursion)."""
    order, stack = [], [tree]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(c for c in node.children if isinstance(c, Tree))
    order.reverse()
    return order


def _own(node: Tree) -> int:
    """The levels a node adds: one, one per operator of a chain, two for an 'if'
    (lowering spends twice an expression's stack on one)."""
    if node.data == "if_stmt":
        return 2
    if node.data in _CHAINS:
        operands = sum(1 for c in node.children if not _operator(c))
        return max(1, operands - 1)
    return 1


def _depths(nodes) -> tuple[dict, dict]:
    """The nesting depth of every node (id -> depth), and each node's nearest descendants
    that are expressions, statements or types (id -> list)."""
    depth: dict = {}
    kinded: dict = {}
    for node in nodes:
        trees = [c for c in node.children if isinstance(c, Tree)]
        depth[id(node)] = _own(node) + max((depth[id(c)] for c in trees), default=0)
        near = []
        for c in trees:
            near.extend([c] if _kind(c) is not None else kinded[id(c)])
        kinded[id(node)] = near
    return depth, kinded


def _kind_depths(nodes, kinded) -> dict:
    """How deep each node nests counting only nodes of its own kind (an 'if' in an 'if',
    an operator in an operator)."""
    own_kind: dict = {}
    for node in nodes:
        kind = _kind(node)
        if kind is None:
            continue
        inner = [own_kind[id(c)] for c in kinded[id(node)] if _kind(c) == kind]
        own_kind[id(node)] = _own(node) + max(inner, default=0)
    return own_kind


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
    elif kind == "type":
        message = f"this type is nested too deeply: more than {MAX_NESTING} levels"
        hint = None
    else:
        message = (f"this is nested too deeply: its 'if' statements and the expressions in "
                   f"them make more than {MAX_NESTING} levels together")
        hint = "split the transition, or give parts of its conditions a name with 'const'"
    return Diagnostic("nesting", message, Span(file, line, column), "error", hint)
