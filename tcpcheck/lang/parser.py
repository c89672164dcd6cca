"""Source text -> syntax tree.  With recovery, slips and nesting, the only modules (all in
tcpcheck/lang) that import Lark.

The grammar is ``spec/tcpspec.lark`` (shipped inside the wheel as
``tcpcheck/grammar/tcpspec.lark``).  Lark's errors never leave the language stage: the
parse (tcpcheck.lang.recovery, with the words of tcpcheck.lang.slips) turns each into a
diagnostic and goes on; the nesting check (tcpcheck.lang.nesting) and the number check
(:data:`MAX_INT`) bound what the later stages walk and compute.  All of them end in one
:class:`~tcpcheck.diagnostics.ModelError` whose messages say in words what was expected,
never a Lark terminal name.
"""

from __future__ import annotations

import re
import warnings

from lark import Lark, Token, Transformer, v_args

from tcpcheck.diagnostics import Diagnostic, ModelError, Span
from tcpcheck.lang import ast
from tcpcheck.lang.grammar import expression_parser, model_parser
from tcpcheck.lang.nesting import too_deep
from tcpcheck.lang.recovery import parse_with_recovery

MAX_INT = ast.MAX_INT


def parse(text: str, file: str = "<string>") -> ast.ModelNode:
    """Parse tcpspec source text into a syntax tree, or raise ModelError with every syntax
    error the parser could reach (it resumes after each: tcpcheck.lang.recovery)."""
    return _build(model_parser(), text, file)


def parse_expression(text: str, file: str = "<expression>"):
    """Parse one expression of the property language (e.g. ``client.snd_nxt - client.iss``)
    into a syntax-tree node, or raise ModelError with the syntax error."""
    return _build(expression_parser(), text, file)


def _build(lark: Lark, text: str, file: str):
    """Parse, check the nesting, build the syntax tree; every stage reports all it finds."""
    outcome = parse_with_recovery(lark, text, file)
    if outcome.diagnostics:
        raise ModelError(outcome.diagnostics, text)
    deep = too_deep(outcome.tree, file)
    if deep:  # checked before the transformer, which walks the tree recursively
        raise ModelError(deep, text)
    builder = _ToAst(file)
    node = builder.transform(outcome.tree)
    if builder.diagnostics:
        raise ModelError(builder.diagnostics, text)
    return node


# ---- parse tree -> syntax tree ------------------------------------------------------------

def _doc_text(token: Token) -> str:
    """The text of a string token, trimmed; raises ValueError for an escape that means
    nothing (``"\\x"``, ``"\\N{nope}"``), with Python's words for it."""
    raw = str(token)
    body = raw[3:-3] if raw.startswith('"""') else raw[1:-1]
    if not raw.startswith('"""'):
        # unicode_escape reads bytes as Latin-1: escape what Latin-1 cannot hold, so that
        # non-ASCII text survives (encoding as UTF-8 garbled it)
        with warnings.catch_warnings():
            # an escape Python only warns about (\\q, \\777) is an error here too, so
            # that what a string means does not depend on the Python version
            warnings.simplefilter("error", DeprecationWarning)
            try:
                body = body.encode("latin-1", "backslashreplace").decode("unicode_escape")
            except UnicodeDecodeError as err:
                raise ValueError(err.reason) from None
            except DeprecationWarning as warning:
                words = re.search(r"invalid (?:octal )?escape sequence '[^']*'", str(warning))
                raise ValueError(words.group(0) if words else str(warning)) from None
    lines = [l.strip() for l in body.strip().splitlines()]
    return "\n".join(lines)


@v_args(meta=True)
class _ToAst(Transformer):
    """Builds :mod:`tcpcheck.lang.ast` nodes; each method is a few lines on purpose."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file
        self.diagnostics: list[Diagnostic] = []  # numbers out of range, found on the way

    def _span(self, meta) -> Span:
        if getattr(meta, "empty", False):
            return Span(self.file, 1, 1)
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _ident(self, token: Token) -> ast.Ident:
        return ast.Ident(str(token), Span(self.file, token.line, token.column,
                                          token.end_line, token.end_column))

    # -- model ---------------------------------------------------------------------------
    def start(self, meta, children):
        name, doc, extends = children[0]
        items = children[1:]
        pick = lambda cls: tuple(i for i in items if isinstance(i, cls))
        bounds = tuple(s for kind, settings, *_ in pick(tuple) if kind == "bounds" for s in settings)
        channel = tuple(s for kind, settings, *_ in pick(tuple) if kind == "channel"
                        for s in settings)
        fields = tuple(f for group in items if isinstance(group, list) for f in group
                       if isinstance(f, ast.FieldDecl))
        edit = (ast.ReplaceNode, ast.RemoveNode)
        edits = tuple(e for i in items for e in (i if isinstance(i, list) else [i])
                      if isinstance(e, edit))
        return ast.ModelNode(name, doc, pick(ast.ConstDecl), bounds, channel, fields,
                             pick(ast.EndpointNode), pick(ast.PropertyNode), self._span(meta),
                             self.file, pick(ast.ParamDecl), pick(ast.LemmaDecl),
                             extends=extends, edits=edits,
                             fairness_blocks=tuple(i[1:] for i in pick(tuple) if i[0] == "fairness"),
                             assumptions=tuple(a.node for a in pick(ast.AssumeNode)))

    def model_header(self, meta, children):
        extends = next((c for c in children[1:] if isinstance(c, ast.ExtendsNode)), None)
        doc = next((c for c in children[1:] if isinstance(c, str)), None)
        return self._ident(children[0]), doc, extends

    def _string(self, token: Token) -> str:
        try:
            return _doc_text(token)
        except ValueError as err:
            self.diagnostics.append(Diagnostic(
                "syntax", f"this string has an escape that means nothing ({err})",
                self._token_span(token), "error",
                "a backslash escapes the next character: write \\\\ for a backslash, or use "
                '"""...""", in which a backslash is a backslash'))
            return str(token)

    def _token_span(self, token: Token) -> Span:
        return Span(self.file, token.line, token.column, token.end_line, token.end_column)

    def extends(self, meta, children):
        token = children[0]
        return ast.ExtendsNode(self._string(token), self._token_span(token))

    # -- a variant's replace and remove ----------------------------------------------------
    def replace_item(self, meta, children):
        return ast.ReplaceNode(children[0], self._span(meta))

    field_replace = endpoint_replace = replace_item

    def _remove(kind):
        def remove(self, meta, children):
            return ast.RemoveNode(kind, children[-1], self._span(meta))
        return remove

    remove_consts, remove_params = _remove("const"), _remove("param")
    remove_lemmas, remove_properties = _remove("lemma"), _remove("property")
    field_remove, remove_states = _remove("field"), _remove("state")
    remove_vars, remove_timers = _remove("var"), _remove("timer")
    remove_transitions = _remove("transition")
    del _remove

    def doc(self, meta, children):
        return self._string(children[0])

    def const_decl(self, meta, children):
        return ast.ConstDecl(self._ident(children[0]), children[1], self._span(meta))

    def param_decl(self, meta, children):
        name, default, rest = children[0], children[1], children[2:]
        constraint = next((c[1] for c in rest if isinstance(c, tuple)), None)
        doc = next((c for c in rest if isinstance(c, str)), None)
        return ast.ParamDecl(self._ident(name), default, constraint, doc, self._span(meta))

    def param_where(self, meta, children):
        return ("where", children[0])

    def lemma_decl(self, meta, children):
        doc = children[2] if len(children) > 2 else None
        return ast.LemmaDecl(self._ident(children[0]), children[1], doc, self._span(meta))

    def bounds_block(self, meta, children):
        return ("bounds", tuple(children))

    def channel_block(self, meta, children):
        return ("channel", tuple(children))

    def setting(self, meta, children):
        return ast.Setting(self._ident(children[0]), children[1], self._span(meta))

    def unbounded(self, meta, children):
        return "unbounded"

    def yes(self, meta, children):
        return "yes"

    def no(self, meta, children):
        return "no"

    def segment_block(self, meta, children):
        return list(children)

    def field_decl(self, meta, children):
        return ast.FieldDecl(self._ident(children[0]), children[1], self._span(meta))

    def data_field_decl(self, meta, children):
        return ast.FieldDecl(self._ident(children[0]), children[1], self._span(meta), ghost=False)

    # -- endpoints -------------------------------------------------------------------------
    def endpoint(self, meta, children):
        name = self._ident(children[0])
        doc = children[1] if len(children) > 1 and isinstance(children[1], str) else None
        items = [c for c in children[1:] if not isinstance(c, str)]
        states = [i for i in items if isinstance(i, tuple) and i[0] == "states"]
        initials = [i for i in items if isinstance(i, tuple) and i[0] == "initial"]
        terminal = tuple(x for i in items if isinstance(i, tuple) and i[0] == "terminal" for x in i[1])
        return ast.EndpointNode(
            name, doc,
            tuple(x for s in states for x in s[1]),
            initials[0][1] if initials else None,
            terminal,
            tuple(i for i in items if isinstance(i, ast.VarDecl)),
            tuple(i[1] for i in items if isinstance(i, tuple) and i[0] == "timer"),
            tuple(i for i in items if isinstance(i, ast.TransitionNode)),
            self._span(meta),
            states_declarations=len(states),
            initial_declarations=len(initials),
            edits=tuple(i for i in items if isinstance(i, (ast.ReplaceNode, ast.RemoveNode))),
        )

    def name_list(self, meta, children):
        return tuple(self._ident(t) for t in children)

    ghost_names = name_list

    def states_decl(self, meta, children):
        return ("states", children[0])

    def initial_decl(self, meta, children):
        return ("initial", self._ident(children[0]))

    def terminal_decl(self, meta, children):
        return ("terminal", children[0])

    def timer_decl(self, meta, children):
        return ("timer", self._ident(children[0]))

    def var_modifier(self, meta, children):
        return str(children[0])

    def var_decl(self, meta, children):
        mods = [c for c in children if isinstance(c, str) and c in ("ghost", "persistent")]
        rest = children[len(mods):]
        name, type_, init = rest[0], rest[1], rest[2] if len(rest) > 2 else None
        return ast.VarDecl(self._ident(name), type_, init, "ghost" in mods, "persistent" in mods,
                           self._span(meta))

    def bool_type(self, meta, children):
        return ast.TypeNode("bool", self._span(meta))

    def seq_type(self, meta, children):
        return ast.TypeNode("seq", self._span(meta))

    def range_type(self, meta, children):
        return ast.TypeNode("range", self._span(meta), lo=children[0], hi=children[1])

    def set_type(self, meta, children):
        return ast.TypeNode("set", self._span(meta), element=children[0])

    # -- transitions -----------------------------------------------------------------------
    def transition(self, meta, children):
        name = self._ident(children[0])
        rest = list(children[1:])
        labels = rest.pop(0) if rest and isinstance(rest[0], list) else []
        sources, target, trigger = rest[0], self._ident(rest[1]), rest[2]
        tail = rest[3:]
        guard = next((t[1] for t in tail if isinstance(t, tuple) and t[0] == "guard"), None)
        doc = next((t for t in tail if isinstance(t, str)), None)
        body = next((t[1] for t in tail if isinstance(t, tuple) and t[0] == "block"), ())
        return ast.TransitionNode(name, tuple(labels), sources, target, trigger, guard, doc,
                                  body, self._span(meta))

    def labels(self, meta, children):
        return list(children[0])

    def guard(self, meta, children):
        return ("guard", children[0])

    def block(self, meta, children):
        return ("block", tuple(children))

    def _trigger(self, kind, meta, **kw):
        return ast.TriggerNode(kind, self._span(meta), **kw)

    def trig_open(self, meta, children):
        return self._trigger("open", meta)

    def trig_listen(self, meta, children):
        return self._trigger("listen", meta)

    def trig_close(self, meta, children):
        return self._trigger("close", meta)

    def trig_abort(self, meta, children):
        return self._trigger("abort", meta)

    def trig_send(self, meta, children):
        return self._trigger("send", meta)

    def trig_receive(self, meta, children):
        return self._trigger("receive", meta)

    def trig_crash(self, meta, children):
        return self._trigger("crash", meta)

    def trig_timeout(self, meta, children):
        return self._trigger("timeout", meta, timer=self._ident(children[0]))

    def trig_recv(self, meta, children):
        return self._trigger("recv", meta, pattern=children[0])

    def any_flags(self, meta, children):
        return ast.FlagPatternNode((), (), True)

    def flag_pattern(self, meta, children):
        must_set = tuple(v for k, v in children if k == "set")
        must_clear = tuple(v for k, v in children if k == "clear")
        return ast.FlagPatternNode(must_set, must_clear, any(k == "rest" for k, _ in children))

    def flag_set(self, meta, children):
        return ("set", str(children[0]))

    def flag_clear(self, meta, children):
        return ("clear", str(children[0]))

    def flag_rest(self, meta, children):
        return ("rest", None)

    # -- statements ------------------------------------------------------------------------
    def assign(self, meta, children):
        return ast.AssignStmt(self._ident(children[0]), children[1], self._span(meta))

    def send(self, meta, children):
        fields = tuple(c for c in children[1:] if c is not None)
        return ast.SendStmt(children[0], fields, self._span(meta))

    def flag_list(self, meta, children):
        return tuple(str(c) for c in children)

    def field_name(self, meta, children):
        return children[0]

    def field_init(self, meta, children):
        return (self._ident(children[0]), children[1])

    def choose(self, meta, children):
        target, rest = children[0], children[1:]
        domain = next((c for c in rest if isinstance(c, ast.TypeNode)), None)
        where = next((c for c in rest if not isinstance(c, ast.TypeNode)), None)
        return ast.ChooseStmt(self._ident(target), domain, where, self._span(meta))

    def start_timer(self, meta, children):
        return ast.StartStmt(self._ident(children[0]), children[1], self._span(meta))

    def stop_timer(self, meta, children):
        return ast.StopStmt(self._ident(children[0]), self._span(meta))

    def if_stmt(self, meta, children):
        cond, then = children[0], children[1][1]
        other = children[2] if len(children) > 2 else None
        if other is None:
            otherwise = ()
        elif isinstance(other, tuple) and other and other[0] == "block":
            otherwise = other[1]
        else:
            otherwise = (other,)
        return ast.IfStmt(cond, then, otherwise, self._span(meta))

    # -- properties ------------------------------------------------------------------------
    def property(self, meta, children):
        name = self._ident(children[0])
        kind, expr, selectors, *premise = children[1]
        doc = children[2] if len(children) > 2 else None
        return ast.PropertyNode(name, kind, expr, selectors, doc, self._span(meta),
                                premise[0] if premise else None)

    def assume_decl(self, meta, children):
        return ast.AssumeNode(self.property(meta, children))

    def prop_always(self, meta, children):
        return ("always", children[0], ())

    def prop_step(self, meta, children):
        return ("step", children[1], children[0])

    def prop_reachable(self, meta, children):
        return ("reachable", children[0], ())

    def prop_deadlock(self, meta, children):
        return ("deadlock", None, ())

    def prop_eventually(self, meta, children):
        return ("eventually", children[0], ())

    def prop_always_eventually(self, meta, children):
        return ("always_eventually", children[0], ())

    def prop_leads_to(self, meta, children):
        return ("leads_to", children[1], (), children[0])

    # -- fairness --------------------------------------------------------------------------
    def fairness_block(self, meta, children):
        return ("fairness", tuple(children), self._span(meta))

    def fair_weak(self, meta, children):
        return children[0]("weak", self._span(meta))

    def fair_strong(self, meta, children):
        return children[0]("strong", self._span(meta))

    def fair_channel(self, meta, children):
        direction = self._ident(children[0]) if children and children[0] is not None else None
        return lambda strength, span: ast.FairnessNode(strength, "channel", direction, None, span)

    def fair_transition(self, meta, children):
        e, t = self._ident(children[0]), self._ident(children[1])
        return lambda strength, span: ast.FairnessNode(strength, "transition", e, t, span)

    def fair_named(self, meta, children):
        name = self._ident(children[0])
        return lambda strength, span: ast.FairnessNode(strength, "named", None, name, span)

    def selector_list(self, meta, children):
        return tuple(children)

    def sel_transition(self, meta, children):
        return ast.SelectorNode("transition", self._ident(children[0]), self._ident(children[1]),
                                self._span(meta))

    def sel_enters(self, meta, children):
        return ast.SelectorNode("enters", self._ident(children[0]), self._ident(children[1]),
                                self._span(meta))

    # -- expressions -----------------------------------------------------------------------
    def _binary_chain(self, meta, children):
        node = children[0]
        for i in range(1, len(children), 2):
            node = ast.Binary(str(children[i]), node, children[i + 1], self._span(meta))
        return node

    def implies(self, meta, children):
        return ast.Binary("=>", children[0], children[1], self._span(meta))

    def disj(self, meta, children):
        node = children[0]
        for right in children[1:]:
            node = ast.Binary("or", node, right, self._span(meta))
        return node

    def conj(self, meta, children):
        node = children[0]
        for right in children[1:]:
            node = ast.Binary("and", node, right, self._span(meta))
        return node

    def not_(self, meta, children):
        return ast.Unary("not", children[0], self._span(meta))

    def neg(self, meta, children):
        return ast.Unary("-", children[0], self._span(meta))

    def comparison(self, meta, children):
        return self._binary_chain(meta, children)

    def in_(self, meta, children):
        return ast.Binary("in", children[0], children[2], self._span(meta))

    def not_in(self, meta, children):
        return ast.Binary("notin", children[0], children[2], self._span(meta))

    def sum(self, meta, children):
        return self._binary_chain(meta, children)

    def product(self, meta, children):
        return self._binary_chain(meta, children)

    def quantified(self, meta, children):
        kind, var, direction, body = children
        return ast.Quantified(str(kind), self._ident(var), direction, body, self._span(meta))

    def channel_ref(self, meta, children):
        return self._ident(children[0]) if children and children[0] is not None else None

    def int_lit(self, meta, children):
        digits = str(children[0]).lstrip("0") or "0"
        if len(digits) > len(str(MAX_INT)) or int(digits) > MAX_INT:
            shown = digits if len(digits) <= 24 else f"{digits[:10]}...{digits[-4:]} " \
                f"({len(digits)} digits)"
            self.diagnostics.append(Diagnostic(
                "number", f"the number {shown} is too large; a model's numbers lie within "
                f"0..{MAX_INT} (2^63 - 1)", self._span(meta)))
            return ast.IntLit(0, self._span(meta))
        return ast.IntLit(int(digits), self._span(meta))

    def true_lit(self, meta, children):
        return ast.BoolLit(True, self._span(meta))

    def false_lit(self, meta, children):
        return ast.BoolLit(False, self._span(meta))

    def name_ref(self, meta, children):
        return ast.NameRef(str(children[0]), self._span(meta))

    def dotted_ref(self, meta, children):
        return ast.DottedRef(self._ident(children[0]), self._ident(children[1]), self._span(meta))

    def set_lit(self, meta, children):
        return ast.SetLit(tuple(c for c in children if c is not None), self._span(meta))
