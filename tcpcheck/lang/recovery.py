"""Parsing that goes on after a syntax error, so that one run reports several.

The LALR parser is driven token by token (Lark's interactive parser).  At an error the
place and the words of the diagnostic come from :mod:`tcpcheck.lang.slips`; then the parse
resumes in one of two ways:

* a *repair*: insert one token before the unexpected one, replace it, or delete it, kept
  only when the parser then reads the next few tokens without another error (the way a
  reader guesses the writer meant ``FIN+ACK`` or ``:=``);
* else *panic mode*: skip tokens up to the next statement keyword (``send``, ``start``...)
  or the next keyword that starts a line and begins an item (``transition``, ``var``,
  ``endpoint``, ``property``...), and unwind the parser to the innermost construct where
  that keyword may stand.

An error met before the parser has read a few tokens past the last one, or on the line of
the last one reported, is a likely consequence of the recovery and is not reported.  After
:data:`MAX_SYNTAX_ERRORS` reported errors (or :data:`MAX_RECOVERIES` met in all) the parse
stops, and a note says the rest was not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from tcpcheck.diagnostics import Diagnostic
from tcpcheck.lang import slips

MAX_SYNTAX_ERRORS = 20
MAX_RECOVERIES = 200  # errors met, reported or not: a file of nothing but errors ends soon
LOOKAHEAD = 4  # tokens a repair must let the parser read to be believed

# Characters that begin no token at all: a run of them is one error, skipped at once (a
# file full of NUL bytes gives one diagnostic, quickly)
_JUNK = re.compile(r"[^A-Za-z0-9_ \t\f\r\n{}()\[\],.:=<>!+\-*%~\"#]+")


@dataclass
class Outcome:
    """What a parse found: the tree (None after any error) and the diagnostics."""

    tree: object
    diagnostics: list


def parse_with_recovery(lark, text: str, file: str) -> Outcome:
    """Parse ``text`` with ``lark`` (LALR); report every syntax error it can reach."""
    return _Run(lark, text, file).run()


class _Run:
    def __init__(self, lark, text: str, file: str):
        self.lark = lark
        self.text = text
        self.file = file
        self.ip = lark.parse_interactive(text)
        self.diagnostics: list[Diagnostic] = []
        self.last: Token | None = None  # the last token the parser took
        self.read_since_error = 1  # tokens read from the file since the last recovery
        self.last_error_line = 0
        self.recoveries = 0

    # -- the driver --------------------------------------------------------------------
    def run(self) -> Outcome:
        while True:
            try:
                return self._resume()
            except UnexpectedCharacters:
                if not self._bad_characters():
                    return Outcome(None, self.diagnostics)
            except UnexpectedToken as err:
                if not self._bad_token(err.token):
                    return Outcome(None, self.diagnostics)

    def _resume(self) -> Outcome:
        ip = self.ip
        for token in ip.lexer_thread.lex(ip.parser_state):
            ip.feed_token(token)
            self.last = token
            self.read_since_error += 1
        tree = ip.feed_token(_end(self.last))
        return Outcome(None if self.diagnostics else tree, self.diagnostics)

    def _report(self, diagnostic: Diagnostic, line: int) -> bool:
        """Record a diagnostic unless it looks like a consequence of the last recovery (no
        token read since, or the unexpected text is on the line of the last one); False
        when the limit is reached (the caller stops).  ``line``: the unexpected text's."""
        quiet = self.diagnostics and (self.read_since_error == 0 or line == self.last_error_line)
        self.read_since_error = 0
        self.recoveries += 1
        if self.recoveries > MAX_RECOVERIES or (not quiet and
                                                len(self.diagnostics) >= MAX_SYNTAX_ERRORS):
            self.diagnostics.append(Diagnostic(
                slips.LIMIT_CODE, "too many syntax errors; the parser stopped here and did not "
                "read the rest of the file", diagnostic.span, "note"))
            return False
        if quiet:
            return True
        self.diagnostics.append(diagnostic)
        self.last_error_line = line
        return True

    # -- characters that begin no token ------------------------------------------------
    def _bad_characters(self) -> bool:
        state = self.ip.lexer_thread.state
        pos = state.line_ctr.char_pos
        junk = _JUNK.match(self.text, pos)
        if pos >= 2 and self.text.startswith('"""', pos - 2):
            # the lexer took '""' as an empty string: a '"""' that is never closed, so the
            # rest of the file is inside it
            diagnostic = slips.unclosed_long_string(self.text, pos - 2, self.file)
            state.line_ctr.feed(self.text[pos:])
            return self._report(diagnostic, diagnostic.span.line)
        if junk:
            skip = junk.end() - pos
        elif self.text.startswith('"', pos):  # a string not closed on its line
            end = self.text.find("\n", pos)
            skip = (len(self.text) if end < 0 else end) - pos
        else:
            skip = 1
        diagnostic = slips.bad_characters(self.text, pos, skip, self._accepts(), self.file)
        state.line_ctr.feed(self.text[pos:pos + max(skip, 1)])
        return self._report(diagnostic, diagnostic.span.line)

    # -- a token the parser cannot take ------------------------------------------------
    def _bad_token(self, token: Token) -> bool:
        accepted = self._accepts()
        context = slips.context(self.ip, token, self.last, accepted)
        slip = slips.match(self.lark, context)
        repair = None if token.type == "$END" else self._repair(token, accepted)
        missing = repair is not None and repair[2]
        diagnostic = slips.bad_token(context, slip, self.file, missing)
        line = diagnostic.span.line if token.type == "$END" else token.line
        if not self._report(diagnostic, line) or token.type == "$END":
            return False
        if repair is not None:
            pop, tokens, _ = repair
            self._pop(self.ip, pop)
            for t in tokens:
                self.ip.feed_token(t)
                self.last = t
            return True
        return self._panic()

    def _accepts(self) -> set:
        try:
            return set(self.ip.accepts())
        except UnexpectedInput:  # pragma: no cover - accepts() feeds copies only
            return set()

    def _repair(self, bad: Token, accepted: set):
        """``(pop, tokens, inserted)``: how many values to take off the parser's stack, the
        tokens to feed in place of ``bad`` (the lexer is already past it) so that the parser
        reads on, and whether that inserts a token before ``bad``; None when no such small
        change does."""
        kinds = sorted((t for t in accepted if t != "$END"), key=_preference)
        candidates = [(0, [_token(t, bad), bad], True) for t in kinds]  # insert one token
        candidates += [(0, [_token(t, bad)], False) for t in kinds]  # replace it
        candidates.append((0, [], False))  # delete it
        best, best_score = None, 0
        for candidate in candidates:
            score = self._trial(*candidate[:2])
            if score > best_score:
                best, best_score = candidate, score
                if score >= LOOKAHEAD:
                    break
        return best if best_score >= LOOKAHEAD else None

    @staticmethod
    def _pop(ip, count: int) -> None:
        if count:
            del ip.parser_state.state_stack[-count:]
            del ip.parser_state.value_stack[-count:]

    def _trial(self, pop: int, tokens) -> int:
        """How many tokens of the file a copy of the parser reads after ``pop`` and
        ``tokens`` (LOOKAHEAD at most; a complete end of file counts as LOOKAHEAD)."""
        trial = self.ip.copy(deepcopy_values=False)
        self._pop(trial, pop)
        try:
            for t in tokens:
                trial.feed_token(t)
        except UnexpectedInput:
            return 0
        read, last = 0, tokens[-1] if tokens else self.last
        try:
            for t in trial.lexer_thread.lex(trial.parser_state):
                trial.feed_token(t)
                read, last = read + 1, t
                if read >= LOOKAHEAD:
                    return read
            trial.feed_token(_end(last))
            return LOOKAHEAD
        except UnexpectedInput:
            return read

    # -- panic mode --------------------------------------------------------------------
    def _panic(self) -> bool:
        """Skip to the next line-starting item keyword the parser can take once unwound;
        False at the end of the file."""
        lexer_thread = self.ip.lexer_thread
        root = getattr(lexer_thread.lexer, "root_lexer", lexer_thread.lexer)
        state = lexer_thread.state
        while True:
            try:
                token = root.next_token(state, self.ip.parser_state)
            except EOFError:
                return False
            except UnexpectedCharacters:
                pos = state.line_ctr.char_pos
                state.line_ctr.feed(self.text[pos:pos + 1])
                continue
            sync = token.value in slips.SYNC_WORDS and _starts_line(self.text, token)
            if (sync or token.type in _STATEMENT_STARTS) and self._unwind_to(token):
                self.last = token
                return True

    def _unwind_to(self, token: Token) -> bool:
        """Pop the parser's stack to the innermost state that takes ``token``, and feed it."""
        depth = len(self.ip.parser_state.state_stack)
        for pop in range(depth):
            trial = self.ip.copy(deepcopy_values=False)
            self._pop(trial, pop)
            try:
                trial.feed_token(token)
            except UnexpectedInput:
                continue
            self.ip = trial
            return True
        return False


# keywords that only ever begin a statement: panic mode may resume at one anywhere, and
# so goes on in the same block
_STATEMENT_STARTS = frozenset({"SEND", "CHOOSE", "START", "STOP", "IF"})

# tokens a repair tries first: the usual missing or mistaken punctuation
_PREFERRED = ("PLUS", "__ANON_3", "EQUAL", "COLON", "ON", "RBRACE", "LBRACE", "COMMA",
              "__ANON_1", "RPAR", "INT", "NAME")


def _preference(terminal: str):
    return (_PREFERRED.index(terminal) if terminal in _PREFERRED else len(_PREFERRED), terminal)


def _end(last: Token | None) -> Token:
    return Token.new_borrow_pos("$END", "", last) if last is not None \
        else Token("$END", "", 0, 1, 1)


def _token(type_: str, at: Token) -> Token:
    """A token of type ``type_`` to insert, placed where ``at`` is."""
    return Token.new_borrow_pos(type_, slips.sample_value(type_), at)


def _starts_line(text: str, token: Token) -> bool:
    start = text.rfind("\n", 0, token.start_pos) + 1
    return text[start:token.start_pos].strip() == ""
