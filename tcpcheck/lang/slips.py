"""Syntax errors in words: what was expected, what was found, where, and a hint for the
common slips.

The message says what the parser would have accepted and what it found instead, never a
Lark terminal name.  The place is the unexpected token's, except when that token is on a
later line than the last good one: then the mistake is at the end of the last good line
(``start tw`` with no duration is reported after ``tw``, not on the next line).

The hints come from :data:`SLIPS`, a table in the spirit of Lark's
``UnexpectedInput.match_examples``: each row gives short examples of a slip, and the
parser state in which each example fails is the row's key.  An error in the same state
(and, for rows that say so, on the same kind of token, or when the row's test of the
neighbouring tokens holds) gets the row's hint.  A few general rules follow the table:
a misspelled keyword (did you mean), a missing ',' in a list, a reserved word used as a
name, a '{' left open, a '}' too many, flags in lower case.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from typing import Callable

from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from tcpcheck.diagnostics import Diagnostic, Span
from tcpcheck.lang.grammar import model_parser

CODE = "syntax"
LIMIT_CODE = "syntax-limit"  # the note that the parser stopped reading (too many errors)

FLAG_WORDS = ("SYN", "ACK", "FIN", "RST", "PSH", "URG")
# Keywords that begin an item of a model or of an endpoint (where recovery resumes, and
# where a missing '}' shows)
SYNC_WORDS = frozenset({
    "const", "param", "lemma", "bounds", "channel", "segment", "endpoint", "property",
    "fairness", "replace", "remove", "states", "initial", "terminal", "var", "timer",
    "transition", "ghost", "persistent", "assume",
})
# words after which a name is due (a reserved word there is a name that cannot be one)
DECLARING_WORDS = frozenset({"model", "const", "param", "lemma", "endpoint", "states",
                             "initial", "terminal", "var", "timer", "transition", "property",
                             "ghost", "persistent", "choose", "start", "stop", "assume", ","})
TRIGGER_WORDS = ("open", "listen", "close", "abort", "send", "receive", "crash", "timeout",
                 "recv")

_WORDS = {
    "NAME": "a name",
    "INT": "a number",
    "FLAG": "a flag (SYN, ACK, FIN, RST, PSH, URG)",
    "STRING": "a string",
    "LONG_STRING": "a string",
    "COMPARE": "a comparison (== != < <= > >=)",
    "ADDOP": "an operator (+ -)",
    "MULOP": "an operator (* %)",
    "QUANT": "a quantifier (exists, forall)",
    "NOT_IN": "'not in'",
    "GHOST": "'ghost'",
    "PERSISTENT": "'persistent'",
    "$END": "the end of the file",
}

# Sets of terminals said in one phrase when all of their ``core`` is expected (a long list
# of keywords tells a beginner less than "a statement"); ``members`` are the terminals the
# phrase also covers.  The words in brackets keep the usual keywords in sight.
_GROUPS = (
    ("a statement (send, choose, start, stop, if, or NAME := ...)",
     {"SEND", "CHOOSE", "START", "STOP", "IF"}, {"NAME"}),
    ("an expression", {"INT", "TRUE", "FALSE", "LPAR", "NOT"},
     {"NAME", "MINUS", "QUANT", "LBRACE"}),
    ("an endpoint item ('states', 'initial', 'terminal', 'var', 'timer' or 'transition')",
     {"STATES", "INITIAL", "TERMINAL", "VAR", "TIMER", "TRANSITION"},
     {"GHOST", "PERSISTENT", "REPLACE", "REMOVE"}),
    ("a declaration ('endpoint', 'property', 'const', 'param', 'bounds', 'channel', ...)",
     {"CONST", "PARAM", "LEMMA", "BOUNDS", "CHANNEL", "ENDPOINT", "PROPERTY"},
     {"SEGMENT", "FAIRNESS", "REPLACE", "REMOVE"}),
    ("an operator", {"ADDOP", "MULOP"}, {"COMPARE", "AND", "OR", "__ANON_5", "IN", "NOT_IN"}),
)

# what an inserted token of each kind holds (a repair's token is parsed, never shown)
_SAMPLES = {"NAME": "x", "INT": "1", "FLAG": "ACK", "STRING": '""', "LONG_STRING": '""""""',
            "COMPARE": "==", "ADDOP": "+", "MULOP": "*", "QUANT": "exists",
            "NOT_IN": "not in", "GHOST": "ghost", "PERSISTENT": "persistent"}


def sample_value(terminal: str) -> str:
    """Text for a token of kind ``terminal`` that a repair inserts."""
    if terminal in _SAMPLES:
        return _SAMPLES[terminal]
    pattern = _pattern(terminal)
    return pattern if pattern is not None else terminal.lower()


@functools.lru_cache(maxsize=None)
def _patterns() -> dict:
    return {t.name: t.pattern.value for t in model_parser().terminals if t.pattern.type == "str"}


def _pattern(terminal: str) -> str | None:
    return _patterns().get(terminal)


def terminal_words(name: str) -> str:
    """A terminal as a reader knows it: 'a name', '->', 'the end of the file'."""
    if name in _WORDS:
        return _WORDS[name]
    pattern = _pattern(name)
    return f"'{pattern}'" if pattern is not None else name.lower()


def expected_words(names) -> str:
    """What the parser would accept, in words: groups first, then single terminals."""
    names, phrases = set(names), []
    for phrase, core, members in _GROUPS:
        if core <= names:
            phrases.append(phrase)
            names -= core | members
    words = phrases + sorted({terminal_words(n) for n in names})
    if not words:
        return "something else"
    if len(words) > 10:
        words = words[:10] + ["..."]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


# ---- the context of an error ------------------------------------------------------------

@dataclass(frozen=True)
class Context:
    """What a slip's test may look at: the unexpected token, the last token the parser
    took (``previous``), the one before it, and the terminals it would accept."""

    found: Token
    previous: Token | None
    before: Token | None
    accepted: frozenset
    state: int
    stack: tuple = ()  # the parser's value stack (tokens and trees), for open braces


def _last_leaf(value) -> Token | None:
    while isinstance(value, Tree):
        children = [c for c in value.children if c is not None]
        if not children:
            return None
        value = children[-1]
    return value if isinstance(value, Token) else None


def _before(stack) -> Token | None:
    """The token before the last one taken: the last leaf of the value below the top."""
    for value in reversed(stack[:-1]):
        leaf = _last_leaf(value)
        if leaf is not None:
            return leaf
    return None


def _open_brace(stack) -> Token | None:
    """The innermost '{' still open: shifted braces stay on the stack until their rule is
    complete."""
    closed = 0
    for value in reversed(stack):
        if isinstance(value, Token) and value.type == "RBRACE":
            closed += 1
        elif isinstance(value, Token) and value.type == "LBRACE":
            if not closed:
                return value
            closed -= 1
    return None


# ---- the table of slips -----------------------------------------------------------------

# Where an example stands: a whole model around it, so that it fails where the slip is.
_CONTEXTS = {
    "item": "model m\n{}\n",
    "endpoint": "model m\nendpoint a {{\n  states A\n  initial A\n  var x : 0..3\n  timer tw\n"
                "  {}\n}}\n",
    "stmt": "model m\nendpoint a {{\n  states A\n  initial A\n  var x : 0..3\n  timer tw\n"
            "  transition t: A -> A on open {{\n    {}\n  }}\n}}\n",
}


@dataclass(frozen=True)
class Slip:
    """One common mistake: examples of it (context, text), the hint, and optionally a test
    of the context that must hold too.  ``same_token``: the unexpected token must also be
    of the kind the examples fail on.  ``at``: where to point, "found" (the unexpected
    token, or the end of the last good line) or "previous" (the last token taken)."""

    name: str
    examples: tuple
    hint: Callable[[Context], str]
    when: Callable[[Context], bool] | None = None
    same_token: bool = False
    at: str = "found"


def _flag_name(token) -> bool:
    return token is not None and token.type == "NAME" and token.value in FLAG_WORDS


SLIPS = (
    Slip("flags-joined-with-plus",
         (("stmt", "send FIN ACK(seq=1)"), ("stmt", "send SYN ACK"), ("stmt", "send FIN ACK x := 1")),
         lambda c: f"flags in a segment are joined with '+': "
                   f"{c.before.value if c.before is not None else 'SYN'}+{c.previous.value}",
         when=lambda c: _flag_name(c.previous), at="previous"),
    Slip("assignment-with-equals", (("stmt", "x = 1"),),
         lambda c: "assignment is written ':='", same_token=True),
    Slip("else-if", (("stmt", "if x == 1 { } elif x == 2 { }"),),
         lambda c: f"write 'else if', not '{c.previous.value}'",
         when=lambda c: c.previous is not None and c.previous.value in ("elif", "elsif", "elseif"),
         at="previous"),
    Slip("timer-without-duration", (("stmt", "start tw"), ("stmt", "start tw stop tw")),
         lambda c: f"a timer starts with its duration in ticks, e.g. start {c.previous.value} 2"),
    Slip("recv-flags-with-plus", (("endpoint", "transition u: A -> A on recv SYN+ACK"),),
         lambda c: "a 'recv' pattern lists its flags with spaces: recv SYN ACK",
         when=lambda c: c.found.value == "+"),
    Slip("constant-with-colon-equals",
         (("item", "const N := 3"), ("item", "param P := 3"), ("item", "bounds { seqspace := 4 }"),
          ("item", "channel { capacity := 2 }")),
         lambda c: "a constant, param or setting is given with '=', e.g. const N = 3",
         same_token=True),
    Slip("field-with-colon-equals", (("stmt", "send SYN(seq := 1)"), ("stmt", "send SYN(ack := 1)")),
         lambda c: "a segment's fields are given with '=': send SYN(seq=iss)", same_token=True),
    Slip("setting-with-double-equals",
         (("item", "bounds { seqspace == 4 }"), ("item", "const N == 3")),
         lambda c: "a constant or setting is given with a single '=', e.g. seqspace = 4",
         same_token=True),
    Slip("trigger-without-on",
         tuple(("endpoint", f"transition u: A -> A {w}") for w in ("open", "recv SYN", "close")),
         lambda c: f"the trigger follows 'on': ... -> {c.previous.value} on {c.found.value}",
         when=lambda c: c.found.value in TRIGGER_WORDS),
    Slip("transition-without-colon", (("endpoint", "transition u A -> A on open"),),
         lambda c: "a transition's name is followed by ':' and its source states, e.g. "
                   "transition connect: CLOSED -> SYN_SENT on open"),
    Slip("transition-arrow", (("endpoint", "transition u: A => A on open"),
                              ("endpoint", "transition u: A to A on open")),
         lambda c: "the source states and the target state are joined by '->'",
         when=lambda c: "__ANON_1" in c.accepted),
    Slip("variable-without-colon", (("endpoint", "var y bool"), ("endpoint", "var y 0..3")),
         lambda c: "a variable's type follows ':', e.g. var x : 0..3"),
    Slip("type-name", (("endpoint", "var y : int\n  timer u"), ("endpoint", "var y : integer = 0")),
         lambda c: "a type is bool, seq, a range such as 0..3, or a set such as set of seq",
         when=lambda c: "__ANON_0" in c.accepted and c.previous.type == "NAME"),
    Slip("property-without-colon", (("item", "property p always true"),),
         lambda c: "a property's name is followed by ':', e.g. property safe: always ..."),
    Slip("if-then", (),
         lambda c: "there is no 'then': the block follows the condition, if x == 1 { ... }",
         when=lambda c: c.found.value == "then"),
    Slip("send-without-flag", (("stmt", "send (seq=1)"), ("stmt", "send seq=1")),
         lambda c: "a segment has at least one flag: send ACK(seq=..., ack=...)"),
)


@functools.lru_cache(maxsize=4)
def _keys(lark) -> dict:
    """For each slip, the parser states (and token kinds) its examples fail in."""
    table = {}
    for slip in SLIPS:
        keys = set()
        for context, text in slip.examples:
            source = _CONTEXTS[context].format(text)
            try:
                lark.parse(source)
            except UnexpectedInput as err:
                state = getattr(err, "state", None)
                token = getattr(err, "token", None)
                if state is not None and token is not None:
                    keys.add((state.position, token.type if slip.same_token else None))
        table[slip.name] = frozenset(keys)
    return table


def example_keys(lark, slip_name: str) -> frozenset:
    """The keys of one slip's examples (for tests: every example must fail somewhere)."""
    return _keys(lark)[slip_name]


def _slip_for(lark, context: Context) -> Slip | None:
    keys = _keys(lark)
    for slip in SLIPS:
        key = (context.state, context.found.type if slip.same_token else None)
        anywhere = not slip.examples  # a row without examples is its test alone
        if (anywhere or key in keys[slip.name]) and (slip.when is None or _safe(slip.when, context)):
            return slip
    return None


def _safe(test, context) -> bool:
    """A row's test; a context it cannot read (no previous token, say) does not match."""
    try:
        return bool(test(context))
    except (AttributeError, TypeError, IndexError):
        return False


# ---- general rules, after the table ------------------------------------------------------

def _keyword(terminal: str) -> str | None:
    """The word of a keyword terminal ('transition' for TRANSITION), else None."""
    if terminal in ("GHOST", "PERSISTENT"):
        return terminal.lower()
    pattern = _pattern(terminal)
    return pattern if pattern is not None and pattern.isidentifier() else None


def _general_hint(context: Context) -> str | None:
    found, accepted = context.found, context.accepted
    value = str(found.value)
    if found.type == "$END" or (found.value in SYNC_WORDS and found.type != "NAME"):
        brace = _open_brace(context.stack)
        if brace is not None and "RBRACE" in accepted:
            return f"the '{{' on line {brace.line} is not closed"
    if value == "=" and any(terminal_words(n) == "':='" for n in accepted):
        return "assignment is written ':='"
    if value == "=" and "COMPARE" in accepted:
        return "equality is written '=='"
    if value == "}" and "RBRACE" not in accepted:
        return "this '}' closes nothing that is open here; is a '{' missing before it?"
    if value.upper() in FLAG_WORDS and value != value.upper() and "FLAG" in accepted:
        return f"flags are written in capitals: {value.upper()}"
    keywords = sorted(k for k in (_keyword(t) for t in accepted) if k is not None)
    if found.type == "NAME" and keywords:
        close = difflib.get_close_matches(value, keywords, n=1, cutoff=0.7)
        if close:
            return f"did you mean '{close[0]}'?"
    previous = context.previous
    if "COMMA" in accepted and found.type in ("NAME", "SEQ", "INT", "FLAG") and \
            previous is not None and previous.type in ("NAME", "INT", "RPAR", "SEQ") and \
            previous.end_line == found.line:
        return "is a ',' missing before it?"
    if "NAME" in accepted and found.type != "NAME" and value.isidentifier() and \
            _keyword(found.type) is not None and context.previous is not None and \
            context.previous.value in DECLARING_WORDS:
        return f"'{value}' is a reserved word and cannot be a name"
    return None


# ---- diagnostics --------------------------------------------------------------------------

def context(ip, found: Token, previous: Token | None, accepted: set) -> Context:
    """The context of an unexpected token, from the parser's state at the error."""
    stack = tuple(ip.parser_state.value_stack)
    return Context(found, previous, _before(stack), frozenset(accepted),
                   ip.parser_state.position, stack)


def match(lark, context: Context) -> Slip | None:
    """The row of :data:`SLIPS` the error matches, if any."""
    return _slip_for(lark, context)


def bad_token(context: Context, slip: Slip | None, file: str, missing: bool) -> Diagnostic:
    """The diagnostic for an unexpected token.  ``missing``: the parser reads on once a
    token is inserted before it (so the mistake is before it, on the last good line when
    the unexpected token begins a later one)."""
    found, previous, accepted = context.found, context.previous, context.accepted
    hint = _safe_hint(slip.hint, context) if slip is not None else None
    if hint is None:
        hint = _general_hint(context)
    at_end = found.type == "$END"
    shown = "the end of the file" if at_end else f"'{found.value}'"
    message = f"expected {expected_words(accepted)}, but found {shown}"
    later_line = previous is not None and (at_end or found.line > previous.end_line)
    if slip is not None and slip.at == "previous" and previous is not None:
        span = _span_of(previous, file)
    elif later_line and (at_end or missing or (slip is not None and slip.at == "found")):
        # the mistake is on the last good line: point just after its last token
        span = Span(file, previous.end_line, previous.end_column)
        if not at_end:
            message += f" on line {found.line}"
    elif at_end:
        span = Span(file, 1, 1)
    elif found.value == "=" and _adjacent(previous, found) and previous.value == "=":
        # '==' where '=' is due: the contextual lexer read it as two '='; show both
        span = Span(file, previous.line, previous.column, found.end_line, found.end_column)
    else:
        span = _span_of(found, file)
    return Diagnostic(CODE, message, span, "error", hint)


def _adjacent(previous: Token | None, found: Token) -> bool:
    return previous is not None and previous.end_line == found.line and \
        previous.end_column == found.column


def _safe_hint(hint, context) -> str | None:
    try:
        return hint(context)
    except (AttributeError, TypeError, IndexError):
        return None


def _span_of(token: Token, file: str) -> Span:
    return Span(file, token.line, token.column, token.end_line, token.end_column)


# characters that begin no token, and what was probably meant
_CHARACTER_HINTS = {
    "&": "write 'and'",
    "|": "write 'or'",
    "!": "write 'not', or '!=' for 'is not equal'",
    ";": "statements need no ';': separate them with spaces or new lines",
    "'": "strings are written in double quotes",
    '"': "this string is not closed on its line; a string over several lines is "
         'written between """ and """',
    "/": "there is no division; '%' gives the remainder",
    "^": "there is no power operator; multiply, or use a constant",
}


def bad_characters(text: str, pos: int, length: int, accepted: set, file: str) -> Diagnostic:
    """The diagnostic for text that begins no token (``length`` characters at ``pos``)."""
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    char = text[pos] if pos < len(text) else "?"
    shown = _shown(char)
    if length > 1 and text[pos:pos + length] != char * length and char != '"':
        message = f"unexpected characters {_shown_run(text[pos:pos + length])}"
    else:
        message = f"unexpected character {shown}"
    hint = _CHARACTER_HINTS.get(char)
    if accepted and hint is None:  # with a hint, the list of what may follow is noise
        message += f"; expected {expected_words(accepted)}"
    end = min(pos + length, text.find("\n", pos) if "\n" in text[pos:pos + length] else pos + length)
    span = Span(file, line, column, line, column + max(1, end - pos))
    return Diagnostic(CODE, message, span, "error", hint)


def unclosed_long_string(text: str, pos: int, file: str) -> Diagnostic:
    """The diagnostic for a '"""' at ``pos`` that no '"""' closes."""
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return Diagnostic(CODE, 'this """ string is never closed: the rest of the file is inside it',
                      Span(file, line, column, line, column + 3), "error",
                      'end it with """ (or write a one-line string between " and ")')


def _shown(char: str) -> str:
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    return f"U+{ord(char):04X}" + (" (a NUL byte)" if char == "\0" else "")


def _shown_run(run: str) -> str:
    if len(run) > 12:
        return f"{_shown(run[0])}... ({len(run)} characters)"
    if run.isprintable():
        return f"'{run}'"
    return ", ".join(_shown(c) for c in run)
