"""``tcpcheck explain``: exit codes as ``check``, --json, and bad input (exit 2)."""

from __future__ import annotations

import io
import json

from tcpcheck.cli import main

from .explain_support import THREE_WAY, TWO_WAY


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(["explain", *map(str, argv)], out, err)
    return code, out.getvalue(), err.getvalue()


def test_a_violation_exits_1_and_is_told_in_numbered_sentences():
    code, out, err = run(TWO_WAY, "-p", "no_stale_accept")
    assert code == 1
    assert "no_stale_accept: VIOLATED" in out and "  3. An old SYN with seq=0" in out
    assert "checked in" in err  # timings go to stderr, so stdout is reproducible


def test_chinese_and_json():
    code, out, _ = run(TWO_WAY, "-p", "no_stale_accept", "--lang", "zh", "--json")
    data = json.loads(out)
    assert code == 1 and data["exit_code"] == 1 and data["lang"] == "zh"
    [e] = data["explanations"]
    assert e["property"] == "no_stale_accept" and e["status"] == "violated"
    assert e["lang"] == "zh" and e["sentences"][0].startswith("1. 客户端调用 OPEN")


def test_a_holding_property_exits_0_with_its_reasons():
    # one segment per direction keeps the check and its ablation to a few seconds
    code, out, err = run(THREE_WAY, "-p", "no_stale_accept", "--set", "channel.capacity=1")
    assert code == 0
    assert "no_stale_accept: holds" in out
    assert "condition `iss not in used` on its choice in connect" in out
    assert "ablation: 14 variants" in err


def test_a_limit_exits_3_and_explains_nothing():
    code, out, _ = run(THREE_WAY, "-p", "no_stale_accept", "--max-states", "300")
    assert code == 3 and "is not verified" in out


def test_bad_language_exits_2():
    code, out, err = run(TWO_WAY, "--lang", "fr")
    assert code == 2 and out == ""
    assert "no explanations in language 'fr'" in err and "en, zh" in err


def test_unknown_property_exits_2_with_did_you_mean():
    code, _, err = run(TWO_WAY, "-p", "no_stale_acept")
    assert code == 2 and "did you mean 'no_stale_accept'?" in err
    assert "Traceback" not in err


def test_the_headings_speak_the_sentences_language_and_say_within_the_bounds():
    model = THREE_WAY.parent.parent / "tests" / "explain" / "models" / "channel_full.tcp"
    code, out, _ = run(model, "--lang", "zh")
    assert code == 1  # the goal is unreachable (a failure, as in check)
    assert out.startswith("模型 channel_full (")
    assert "\nsafe: 在模型的界限内成立（其中 1 个状态里信道已满）\n" in out
    assert "\ndone: 未验证\n" in out
    code, out, _ = run(model)
    assert out.startswith("model channel_full (")
    assert "\nsafe: holds within the bounds (1 state where the channel was full)\n" in out
    assert "\nanswered: UNREACHABLE within the bounds (1 state where the channel was full)\n" in out
