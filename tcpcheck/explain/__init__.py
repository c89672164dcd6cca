"""Explanations of verdicts in numbered plain sentences, in English or Chinese.

* A **violated** property: the counterexample step by step, with each segment's history
  (who sent it when, an old incarnation's, duplicated, delayed, lost, expired), then how the
  last state breaks the property.
* A **holding** property, a **reached** or an **unreachable** goal: the checks and
  transitions it owes its verdict to, found by ablation (:mod:`.reasons`: this runs the
  explicit checker on variants of the model, so it takes time); a reached goal's witness
  run is told first.

The pipeline: :mod:`.story` and :mod:`.verdict` turn a trace into language-free facts,
:mod:`.reasons` finds the reasons, :mod:`.words` and :mod:`.conclusions` put them into the
sentences of :mod:`.lang`.  Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass

from tcpcheck.diagnostics import UsageError, did_you_mean
from tcpcheck.explain.conclusions import closing, not_verified, opening, reason_sentences
from tcpcheck.render.lang import LANGUAGES
from tcpcheck.explain.reasons import Limits, Reasons, find_reasons
from tcpcheck.explain.story import tell
from tcpcheck.explain.words import Words
from tcpcheck.model import ir
from tcpcheck.result import (HOLDS, NOT_VERIFIED, REACHED, UNREACHABLE, CheckResult,
                             PropertyResult)

__all__ = ["Explanation", "LANGUAGES", "Limits", "check_language", "explain", "explain_property",
           "explain_result", "explained_properties", "find_reasons", "step_sentences"]


@dataclass(frozen=True)
class Explanation:
    """The sentences for one property result; ``reasons`` is the ablation behind them
    (None when none was run), kept for its timings and outcomes."""

    property: str
    status: str
    lang: str
    sentences: tuple
    reasons: Reasons | None = None


def check_language(lang: str) -> str:
    """``lang`` if explanations exist in it; a UsageError (with a hint) otherwise."""
    if lang not in LANGUAGES:
        hint = did_you_mean(lang, LANGUAGES)
        raise UsageError(f"no explanations in language '{lang}'"
                         + (f" ({hint})" if hint else "")
                         + f"; available: {', '.join(LANGUAGES)}")
    return lang


def explain(model: ir.Model, property_result: PropertyResult, lang: str = "en",
            limits: Limits = Limits()) -> tuple:
    """Numbered sentences explaining one property result of ``model``.  For a holding
    property or a goal this runs the ablation, with ``limits`` for each variant."""
    return explain_property(model, property_result, lang, limits).sentences


def explained_properties(result: CheckResult) -> list:
    """The properties of ``result`` that ``tcpcheck explain`` explains: domains only when it
    failed ("every value stays in its domain" has no transition to thank, and it is not a
    property the user asked about)."""
    return [p for p in result.properties if p.name != "domains" or p.status == "violated"]


def explain_property(model: ir.Model, result: PropertyResult, lang: str = "en",
                     limits: Limits = Limits(), reasons: Reasons | None = None) -> Explanation:
    """:func:`explain`, with the ablation's record kept; ``reasons`` (from
    :func:`~tcpcheck.explain.reasons.find_reasons` for this result) saves running the
    ablation again, e.g. to tell the same reasons in another language."""
    w = Words(model, check_language(lang))
    prop = _property(model, result)
    found = None
    if result.status == NOT_VERIFIED:
        lines = [not_verified(w, prop, result)]
    elif result.status == HOLDS and prop.kind in ir.LIVENESS_KINDS:  # no ablation for these
        fairness = w.join(f"`{f.text}`" for f in model.fairness)
        runs = w.t("runs_fair", fairness=fairness) if fairness else w.t("runs_all")
        lines = [w.t("holds_liveness", property=w.property(prop), runs=runs)]
    elif result.status in (HOLDS, UNREACHABLE):
        found = reasons or find_reasons(model, result, limits, prop)
        lines = [opening(w, prop, result)] + reason_sentences(w, found, result.status)
    elif result.trace is None:  # a verdict from an engine that gave no run
        lines = [opening(w, prop, result)]
    else:
        story = tell(result.trace)
        lines = [w.step(fact) for fact in story.steps]
        lines.append(closing(w, prop, result, story))
        if result.status == REACHED:
            lines.insert(0, opening(w, prop, result))
            found = reasons or find_reasons(model, result, limits, prop)
            lines += reason_sentences(w, found, result.status)
    numbered = tuple(f"{i}. {w.finish(line)}" for i, line in enumerate(lines, start=1))
    return Explanation(result.name, result.status, lang, numbered, found)


def step_sentences(model: ir.Model, trace, lang: str = "en") -> tuple:
    """One sentence per step of ``trace`` (index 0: the initial state), in ``lang``: what
    the report shows as each step's description."""
    w = Words(model, check_language(lang))
    facts = tell(trace, merge_ticks=False).steps
    return tuple(w.finish(s) for s in (w.t("initial_state"), *(w.step(f) for f in facts)))


def explain_result(model: ir.Model, check_result: CheckResult, lang: str = "en",
                   limits: Limits = Limits()) -> tuple:
    """One :class:`Explanation` per property of ``check_result``, in its order."""
    return tuple(explain_property(model, p, lang, limits) for p in check_result.properties)


def _property(model: ir.Model, result: PropertyResult) -> ir.Property:
    """The model's property of this result; built-in ``domains`` and lemmas have records
    of their own, made here as the checker makes them."""
    for p in model.properties:
        if p.name == result.name:
            return p
    for lemma in model.lemmas:
        if lemma.name == result.name:
            return ir.Property(lemma.name, "always", lemma.expr, doc=lemma.doc)
    return ir.Property(result.name, result.kind, doc=result.doc)
