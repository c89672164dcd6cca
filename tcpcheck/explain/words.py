"""Facts -> sentences, in one language: pure functions over the records of
:mod:`~tcpcheck.explain.story`, :mod:`~tcpcheck.explain.verdict` and
:mod:`~tcpcheck.explain.reasons`, with the templates of :mod:`~tcpcheck.render.lang`.

Every name, doc string and expression comes from the model; this module only arranges
them.  State names are written as RFC 9293 does (``SYN-SENT`` for ``SYN_SENT``).
"""

from __future__ import annotations

import dataclasses
import re

from tcpcheck.render.lang import TABLES, ZH_ENDPOINTS
from tcpcheck.explain.story import SegmentFact, StepFact
from tcpcheck.model import ir

CJK_THEN_LATIN = re.compile(r"([\u4e00-\u9fff])([A-Za-z0-9`\[])")
LATIN_THEN_CJK = re.compile(r"([A-Za-z0-9`\]])([\u4e00-\u9fff])")
# full-width punctuation needs no space on either side, whatever a template put there
SPACED_PUNCTUATION = re.compile(r" *([（）“”。，、：；]) *")
VOWEL_SOUNDS = "AEIOUR"  # "an ACK", "an RST", "an old SYN"; "a SYN", "a FIN"


class Words:
    """The sentences of one model in one language."""

    def __init__(self, model: ir.Model, lang: str):
        self.model = model
        self.lang = lang
        self.table = TABLES[lang]

    def t(self, key: str, **fields) -> str:
        return self.table[key].format(**fields)

    def finish(self, sentence: str) -> str:
        """The sentence as printed: in Chinese, a space between a Chinese character and a
        Latin word or number (``发送 SYN 报文段``), as Chinese technical writing does."""
        if self.lang != "zh":
            return sentence
        sentence = CJK_THEN_LATIN.sub(r"\1 \2", sentence)
        sentence = LATIN_THEN_CJK.sub(r"\1 \2", sentence)
        return SPACED_PUNCTUATION.sub(r"\1", sentence)

    def plural(self, key: str, count: int, **fields) -> str:
        """Template ``key`` for one item, ``key_many`` for more (the verb agrees)."""
        return self.t(key if count == 1 else key + "_many", **fields)

    def a_number(self, n: int) -> str:
        """The article before a number in English: "an 8-step run", "an 11-step run",
        "a 5-step run"; nothing in Chinese (the template has its own word)."""
        digits = str(n)
        vowel = digits[0] == "8" or (len(digits) % 3 == 2 and digits[:2] in ("11", "18"))
        return self.t("article_an" if vowel else "article_a")

    # -- names --------------------------------------------------------------------------
    def endpoint(self, name: str, capital: bool = False) -> str:
        shown = ZH_ENDPOINTS.get(name, name) if self.lang == "zh" else name
        return _capital(self.t("endpoint", name=shown), capital and self.lang == "en")

    def endpoint_of(self, name: str, capital: bool = False) -> str:
        shown = ZH_ENDPOINTS.get(name, name) if self.lang == "zh" else name
        return _capital(self.t("endpoint_of", name=shown), capital and self.lang == "en")

    @staticmethod
    def state(name: str) -> str:
        return name.replace("_", "-")

    def flags(self, text: str) -> str:
        # the trace writes SYN+ACK; English prose writes SYN-ACK, the article SYN+ACK
        return text if self.lang == "zh" else text.replace("+", "-")

    def transition(self, actor: str, name: str | None) -> str:
        t = self._find_transition(actor, name)
        if t is None:
            return self.t("transition", name=name or "?")
        shown = t.name
        if t.labels:  # model text, listed as the model writes lists
            shown = self.t("labelled", name=t.name, labels=", ".join(sorted(t.labels)))
        if t.doc:
            return self.t("transition_doc", name=shown, doc=" ".join(t.doc.split()))
        return self.t("transition", name=shown)

    def transition_named(self, actor: str, name: str) -> str:
        """``name [doc]``: a transition named in a sentence about the model, not a run."""
        t = self._find_transition(actor, name)
        doc = f" [{' '.join(t.doc.split())}]" if t is not None and t.doc else ""
        return name + doc

    def states(self, count: int) -> str:
        return self.t("states_one") if count == 1 else self.t("states_many",
                                                               count=f"{count:,}")

    def _find_transition(self, actor: str, name: str | None):
        for e in self.model.endpoints:
            if e.name == actor:
                return next((t for t in e.transitions if t.name == name), None)
        return None

    def property(self, prop: ir.Property) -> str:
        if prop.doc:
            return self.t("property_doc", name=prop.name, doc=" ".join(prop.doc.split()))
        return self.t("property", name=prop.name)

    def join(self, items, last: str = "list_and") -> str:
        """``a``, ``a and b``, ``a, b and c`` (``last="list_or"``: ``a, b or c``)."""
        items = list(items)
        if len(items) <= 1:
            return "".join(items)
        return self.t("list_sep").join(items[:-1]) + self.t(last) + items[-1]

    def values(self, pairs) -> str:
        return self.t("values_sep").join(self.t("value", name=n, value=self._value(v))
                                         for n, v in pairs)

    def _value(self, text: str) -> str:
        return self.state(text) if text.isupper() else text

    # -- segments -----------------------------------------------------------------------
    def base(self, fact: SegmentFact) -> str:
        view = fact.view
        flags = self.flags(view.flags)
        has_ack = "ACK" in view.flags.split("+")
        if fact.old and view.flags == "SYN":
            return self.t("old_syn", seq=view.seq)
        key = ("old_segment" if fact.old else "segment") + ("_ack" if has_ack else "")
        return self.t(key, flags=flags, seq=view.seq, ack=view.ack) + self.data(view)

    def data(self, view) -> str:
        """", carrying 2 octets of data" for a segment with payload; "" without (and in a
        model without len)."""
        octets = view.field("len", 0)
        if not octets:
            return ""
        return self.t("data_one") if octets == 1 else self.t("data_many", octets=octets)

    def segment(self, fact: SegmentFact, *, article: str = "a", origin: bool = True,
                delay: bool = False, capital: bool = False, close: bool = False) -> str:
        """A segment with its history: who sent it when, whether the sender has restarted
        since, whether the network delayed or duplicated it."""
        h = fact.history
        base = self.base(fact)
        where = ""
        if origin and h.sender is not None and h.sent_at is not None:
            key = "sent_by_old" if fact.old else "sent_by"
            where = self.t(key, sender=self.endpoint(h.sender),
                           sender_of=self.endpoint_of(h.sender), step=h.sent_at)
        delayed = self.t("delayed") if delay and fact.delayed and where else ""
        duplicate = self.t("duplicate_of", step=h.duplicated_at) if fact.duplicate else ""
        if duplicate and where:
            duplicate += self.t("duplicate_sep")
        first = duplicate or base
        if article == "the":
            art = self.t("article_the")
        else:
            art = self.t("article_an" if first[:1].upper() in VOWEL_SOUNDS else "article_a")
        text = self.t("segment_full", article=art, duplicate=duplicate, base=base,
                      origin=where, delayed=delayed, of=self.t("of") if where else "",
                      close=self.t("close") if close and where else "")
        return _capital(text, capital and self.lang == "en")

    def sent(self, facts) -> str:
        parts = []
        for f in facts:
            if f.history.retransmits is not None:
                parts.append(self.t("again", segment=self.segment(f, article="the",
                                                                  origin=False),
                                    step=f.history.retransmits))
            else:
                parts.append(self.segment(f, origin=False))
        return self.join(parts)

    def dropped(self, views) -> str:
        """The segments a full channel dropped, each as "the SYN with seq=1"."""
        parts = []
        for v in views:
            key = "segment_ack" if "ACK" in v.flags.split("+") else "segment"
            parts.append(self.t("article_the")
                         + self.t(key, flags=self.flags(v.flags), seq=v.seq, ack=v.ack))
        return self.join(parts)

    # -- steps --------------------------------------------------------------------------
    def step(self, fact: StepFact) -> str:
        kind = fact.kind
        if kind == "tick":
            expired = self.plural("expired", len(fact.expired), segments=self.join(
                self.segment(e, article="the", close=True) for e in fact.expired)) \
                if fact.expired else ""
            if fact.ticks > 1:  # merged: say which steps, so the numbering stays followable
                return self.t("ticks", ticks=fact.ticks, first=fact.index, last=fact.last,
                              expired=expired)
            return self.t("tick", expired=expired)
        if kind == "lose":
            return self.t("lose", segment=self.segment(fact.segment, article="the"))
        if kind == "duplicate":
            return self.t("duplicate", segment=self.segment(fact.segment, article="the"))
        if kind in ("user", "timeout", "crash", "recv", "discard", "error"):
            return self._endpoint_step(fact)
        return self.t("other", summary=fact.summary)

    def clause(self, fact: StepFact) -> str:
        """A step told inside another sentence: without its full stop and, in English,
        without the capital that starts a sentence (every step sentence but "other" starts
        with a word of the template, never with a name from the model)."""
        text = self.step(fact).rstrip(".。")
        if self.lang == "en" and fact.kind != "other":
            text = text[:1].lower() + text[1:]
        return text

    def _endpoint_step(self, fact: StepFact) -> str:
        actor = fact.actor
        fields = dict(Actor=self.endpoint(actor, True), Actor_of=self.endpoint_of(actor, True),
                      actor=self.endpoint(actor), transition=self.transition(actor,
                                                                             fact.transition),
                      move=self._move(fact), sending=self._sending(fact),
                      overflow=self._overflow(fact))
        if fact.kind == "user":
            return self.t("user", call=(fact.trigger or "").upper(), **fields)
        if fact.kind == "timeout":
            t = self._find_transition(actor, fact.transition)
            timer = self._timer_name(actor, t)
            return self.t("timeout", timer=timer, **fields)
        if fact.kind == "crash":
            left = ""
            if fact.left_behind:
                left = self.plural("left_behind", len(fact.left_behind), segments=self.join(
                    self.t("left_item", segment=self.base(dataclasses.replace(f, old=False)),
                           step=f.history.sent_at) for f in fact.left_behind))
            return self.t("crash", incarnation=fact.after.incarnation if fact.after else "?",
                          left=left, **fields)
        if fact.kind == "error":
            return self.t("error", detail=fact.summary, **fields)
        state = self.state(fact.before.state) if fact.before else "?"
        segment = self.segment(fact.received, delay=True, capital=True, close=True)
        return self.t(fact.kind, Segment=segment, state=state, **fields)

    def _timer_name(self, actor: str, t) -> str:
        for e in self.model.endpoints:
            if e.name == actor and t is not None and t.trigger.timer is not None:
                return e.timers[t.trigger.timer]
        return "?"

    def _move(self, fact: StepFact) -> str:
        after = self.state(fact.after.state) if fact.after else "?"
        if fact.before is not None and fact.after is not None \
                and fact.before.state == fact.after.state:
            return self.t("stays", state=after)
        return self.t("enters", state=after)

    def _sending(self, fact: StepFact) -> str:
        return self.t("sending", segments=self.sent(fact.sent)) if fact.sent else ""

    def _overflow(self, fact: StepFact) -> str:
        return self.plural("overflow", len(fact.overflowed),
                           segments=self.dropped(fact.overflowed)) if fact.overflowed else ""


def _capital(text: str, capital: bool) -> str:
    """``text`` with a capital first letter when it starts an English sentence; Chinese
    has no capitals, and a Latin name in a Chinese sentence keeps its own spelling."""
    return text[:1].upper() + text[1:] if capital and text else text
