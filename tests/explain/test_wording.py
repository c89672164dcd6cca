"""The words of explanations, pinned by golden files (English and Chinese): each model here
shows one kind of sentence that used to come out wrong.

* plurals.tcp: several segments in one place ("outlive the MSL and expire", "are dropped",
  "are still in the network"), a comma closing "sent by ... at step N" mid-sentence, a
  quantifier's value named in parentheses (its text has a colon);
* handshake_no_fairness.tcp: a liveness counterexample told from the run in the sentence's
  own language (it was the checker's English detail inside the Chinese sentence); a variant
  broken in its initial state ("a 0-step run breaks the property: ."); a tick told inside a
  sentence without its capital ("...: One tick passes (step 3)");
* close_liveness.tcp and a model with two fairness constraints: a liveness verdict in one
  sentence, the constraints listed as a list ("`a` and `b`", not "`a`, `b`");
* channel_full.tcp: "holds within the bounds", "unreachable within the bounds" and a
  liveness property not verified at the edge of the bounds, with the number of states;
* isn_clock.tcp: a segment a full channel dropped named as a segment, a variant of one
  state ("all 1 state ... were explored"), the endpoint "host" named in Chinese;
* three_way_handshake.tcp stopped at a limit: the reason in the sentence's language;
* variants/time_wait_too_short.tcp: ticks in a row told as one sentence name their steps.

``TCPCHECK_UPDATE_GOLDEN=1`` rewrites the golden files after a deliberate change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tcpcheck.explain import Limits, explain
from tcpcheck.explain.words import Words
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_string

from .explain_support import MODELS, THREE_WAY, assert_golden, load

HERE = Path(__file__).resolve().parent / "models"
LIMITS = Limits(max_states=3000)  # small variants: the goldens stay fast and exact
LANGS = ["en", "zh"]


def _told(model, result, lang: str) -> list:
    """Each property's verdict line, then its numbered sentences."""
    lines = []
    for p in result.properties:
        if p.name == "domains":
            continue
        lines.append(f"{p.name}: {p.status}")
        lines += explain(model, p, lang, LIMITS)
    return lines


def _golden(path: Path, lang: str, name: str, **options):
    model = load(path)
    result = check(model, CheckOptions(**options))
    lines = _told(model, result, lang)
    assert_golden(f"{name}.{lang}.txt", lines)
    return lines


@pytest.mark.parametrize("lang", LANGS)
def test_several_segments_in_one_place(lang):
    text = "\n".join(_golden(HERE / "plurals.tcp", lang, "plurals"))
    if lang == "en":
        assert ("the SYN with seq=0, sent by the client at step 1, and the SYN with seq=1, "
                "sent by the client at step 1, outlive the MSL and expire.") in text
        assert "so the SYN with seq=2 and the SYN with seq=3 are dropped." in text
        assert "are still in the network." in text
        assert "server.state = S, (exists s in channel.server: s.SYN) = false)" in text
    else:
        assert "信道已满，SYN 报文段（序号 seq=2）和 SYN 报文段（序号 seq=3）被丢弃" in text


@pytest.mark.parametrize("lang", LANGS)
def test_liveness_counterexample_and_a_broken_initial_state(lang):
    text = "\n".join(_golden(MODELS / "handshake_no_fairness.tcp", lang, "handshake_no_fairness"))
    assert ": ." not in text and "：。" not in text
    if lang == "en":
        assert "without it, the initial state already breaks the property." in text
        assert "breaks the property: one tick passes (step 3)." in text
        assert ("a liveness property: the premise holds after step 1 without the goal, then "
                "steps 2 to 4 repeat for ever and the goal never holds; no fairness is "
                "declared, so every such cycle counts.") in text
    else:
        assert "去掉它，初始状态就已违反该性质。" in text
        assert "steps" not in text and "repeat" not in text  # no English detail left
        assert "第 1 步之后前提成立而目标不成立，然后第 2 步到第 4 步永远重复下去" in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_liveness_verdict_that_holds_is_one_sentence(lang):
    lines = _golden(MODELS / "close_liveness.tcp", lang, "close_liveness")
    assert [line for line in lines if line.startswith("2.")] == []


SYN_LOSS = """
model syn_loss
fairness { weak channel  weak tick }
channel { capacity = 2 loss = unbounded duplication = no }
endpoint client {
  states CLOSED, SYN_SENT, ESTABLISHED
  initial CLOSED
  terminal ESTABLISHED
  timer rexmt
  transition connect: CLOSED -> SYN_SENT on open { send SYN(seq=0) start rexmt 1 }
  transition again: SYN_SENT -> same on timeout rexmt { send SYN(seq=0) start rexmt 1 }
  transition synack: SYN_SENT -> ESTABLISHED on recv SYN ACK { stop rexmt }
}
endpoint server {
  states LISTEN, SYN_RECEIVED
  initial LISTEN
  terminal SYN_RECEIVED
  transition syn_in: LISTEN -> SYN_RECEIVED on recv SYN { send SYN+ACK(seq=0, ack=1) }
  transition syn_again: SYN_RECEIVED -> same on recv SYN { send SYN+ACK(seq=0, ack=1) }
}
property again_and_again: always eventually client.state == ESTABLISHED
"""


@pytest.mark.parametrize("lang", LANGS)
def test_the_declared_fairness_is_listed_as_a_list(lang):
    model = load_string(SYN_LOSS, "syn_loss.tcp")
    lines = _told(model, check(model), lang)
    assert_golden(f"syn_loss_weak_fairness.{lang}.txt", lines)
    last = lines[-1]
    assert ("`weak channel` and `weak tick`" if lang == "en"
            else "`weak channel` 和 `weak tick`") in last


@pytest.mark.parametrize("lang", LANGS)
def test_verdicts_at_the_edge_of_the_channels_bound(lang):
    text = "\n".join(_golden(HERE / "channel_full.tcp", lang, "channel_full"))
    if lang == "en":
        assert "safe holds within the bounds: every reachable state was explored" in text
        assert "The goal answered is unreachable within the bounds" in text
        assert "done is not verified: a run that avoids the goal reaches the edge" in text
    else:
        assert "性质 safe 在模型的界限内成立" in text and "目标 answered 在模型的界限内不可达" in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_dropped_segment_a_one_state_variant_and_the_host(lang):
    text = "\n".join(_golden(MODELS / "isn_clock.tcp", lang, "isn_clock_reopened",
                             properties=("reopened",)))
    if lang == "en":
        assert "the channel is full, so the SYN with seq=1 is dropped." in text
        assert "the goal is unreachable (the variant's only state was explored)" in text
    else:
        assert "主机调用 OPEN" in text and "主机的定时器 quantum 超时；主机执行" in text


@pytest.mark.parametrize("lang", LANGS)
def test_a_run_stopped_at_a_limit_says_why_in_its_language(lang):
    model = load(THREE_WAY)
    result = check(model, CheckOptions(properties=("no_stale_accept",), max_states=50))
    lines = _told(model, result, lang)
    assert_golden(f"three_way_limit.{lang}.txt", lines)
    assert ("(the state limit was reached)" if lang == "en" else "（达到了状态数上限）") in lines[1]


@pytest.mark.parametrize("lang", LANGS)
def test_ticks_told_as_one_sentence_say_which_steps(lang):
    lines = _golden(MODELS / "variants" / "time_wait_too_short.tcp", lang,
                    "time_wait_too_short_reopened", properties=("reopened",))
    assert ("5. 3 ticks pass (steps 4 to 6)." if lang == "en"
            else "5. 经过 3 个时钟滴答（第 4 步到第 6 步）。") in lines


@pytest.mark.parametrize("n, article", [(1, "a "), (5, "a "), (8, "an "), (11, "an "),
                                        (18, "an "), (80, "an "), (111, "a "), (181, "a "),
                                        (11_000, "an "), (800, "an ")])
def test_an_article_before_a_number_follows_how_it_is_said(n, article):
    model = load(THREE_WAY)
    assert Words(model, "en").a_number(n) == article
    assert Words(model, "zh").a_number(n) == ""


def test_the_premise_step_told_is_the_checkers():
    """The explanation finds, from the run, the step after which a leads-to's premise held;
    it must be the one the checker's detail names (the start of its lasso)."""
    import re

    from tests.liveness.models import SYN_LOSS as LOSSY, TOGGLE, model as tiny

    teardown = (MODELS / "teardown_time_wait.tcp").read_text(encoding="utf-8") + (
        "\nproperty fin_wait_1_left: client.state == FIN_WAIT_1 ~> client.state != FIN_WAIT_1\n")
    cases = [(tiny(TOGGLE), "returns"), (tiny(LOSSY), "answered"),
             (load_string(teardown, str(MODELS / "teardown_time_wait.tcp"),
                          {"CONNECTIONS": 1, "MSL": 1}), "fin_wait_1_left")]
    found = []
    for model, name in cases:
        p = check(model, CheckOptions(properties=(name,))).get(name)
        assert p.status == "violated" and p.kind == "leads_to"
        said = explain(model, p, "en")[-1]
        checker = re.search(r"the premise holds after step (\d+)", p.detail).group(1)
        told = re.search(r"the premise holds after step (\d+)", said).group(1)
        assert told == checker, (name, p.detail, said)
        found.append(int(told))
    assert found == [2, 1, 5]


def test_chinese_sentences_use_chinese_punctuation():
    """In every Chinese golden: no English comma, colon, semicolon or full stop next to a
    Chinese character, and no space around Chinese punctuation (the number that starts a
    sentence, "1. ", is the list's, not the sentence's)."""
    import re

    wrong = re.compile(r"[\u4e00-\u9fff][,.:;!?]|[,:;!?] ?[\u4e00-\u9fff]"
                       r"|[\u4e00-\u9fff] [（）“”。，、：；]|[（）“”。，、：；] [\u4e00-\u9fff]")
    goldens = sorted((Path(__file__).resolve().parent / "golden").glob("*.zh.txt"))
    assert len(goldens) >= 9
    for path in goldens:
        for line in path.read_text(encoding="utf-8").splitlines():
            sentence = re.sub(r"^\d+\. ", "", line)
            assert not wrong.search(sentence), (path.name, sentence)
