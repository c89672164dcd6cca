"""The report in another language: every word of the page's own (headings, table, buttons,
verdicts, statistics, the script's labels, each step's description) comes from the table
of the explanations (tcpcheck/render/lang.py); the model's own text stays as written."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from tcpcheck.cli import main
from tcpcheck.explain import explain, step_sentences
from tcpcheck.render.lang import EN, ZH
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file
from tcpcheck.render import report as render_report
from tcpcheck.render import text as render_text
from report.golden import assert_golden

ROOT = Path(__file__).resolve().parents[2]
TWO_WAY = ROOT / "models" / "two_way_handshake.tcp"
TEARDOWN = ROOT / "models" / "teardown_time_wait.tcp"
DATA = re.compile(r'<script type="application/json" id="tcpcheck-data">(.*?)</script>', re.S)
# English words of the page's own that must not be left on a Chinese page
ENGLISH = ("Counterexample", "Witness", "counterexample", "witness", "previous", "next",
           "first", "last", "property", "verdict", "states", "diameter", "peak memory",
           "VIOLATED", "reached", "holds", "NOT VERIFIED", "exploration stopped", "Home)",
           "step", "model ")


@pytest.fixture(scope="module")
def two_way():
    model = load_file(TWO_WAY)
    return model, check(model)


def _zh_page(model, result) -> str:
    runs = [p for p in result.properties if p.trace is not None]
    return render_report.report(
        model, result, lang="zh",
        explanations={p.name: explain(model, p, "zh") for p in runs},
        descriptions={p.name: step_sentences(model, p.trace, "zh") for p in runs})


def _visible(page: str, model) -> str:
    """The page's own words: without the embedded data, the script, the style, the charts,
    the timings, and the model's own text (its doc and its properties' docs)."""
    text = DATA.sub("", page)
    for tag in ("script", "style", "svg", "title"):
        text = re.sub(rf"<{tag}\b.*?</{tag}>", "", text, flags=re.S)
    text = re.sub(r'<pre class="model-doc">.*?</pre>', "", text, flags=re.S)
    text = re.sub(r'<p class="property-doc">.*?</p>', "", text, flags=re.S)
    text = re.sub(r"<li>.*?</li>", "", text, flags=re.S)  # explanations: tests/explain
    return re.sub(r'<p class="file">.*?</p>', '<p class="file"></p>', text)


def _words(visible: str) -> str:
    """What a reader sees or hears of the markup: its text, titles and labels."""
    said = re.findall(r'(?:title|aria-label)="([^"]*)"', visible)
    return re.sub(r"<[^>]+>", " ", visible) + " ".join(said)


def test_the_chinese_page_golden(two_way):
    model, result = two_way
    page = _zh_page(model, result)
    visible = _visible(page, model)
    visible = re.sub(r'<p class="stats">.*?</p>', '<p class="stats"></p>', visible)
    assert_golden("two_way.zh.html", visible)
    said = _words(visible)
    for word in ENGLISH:
        assert word not in said, word
    assert '<html lang="zh">' in page
    data = json.loads(DATA.search(page).group(1))
    assert data["lang"] == "zh" and data["labels"]["position"] == "第 {n} 步，共 {total} 步"
    assert data["descriptions"]["no_stale_accept"][0] == "初始状态。"
    assert len(data["descriptions"]["no_stale_accept"]) == 4  # a sentence per step


def test_every_label_of_the_page_is_in_both_tables():
    keys = [k for k in EN if k.startswith(("report_", "status_"))]
    assert len(keys) > 40 and all(k in ZH for k in keys)
    for key in render_report.SCRIPT_LABELS:
        assert set(re.findall(r"\{(\w+)\}", EN[key])) == set(re.findall(r"\{(\w+)\}", ZH[key]))


def test_in_english_the_page_says_what_the_text_output_says():
    model = load_file(TEARDOWN, {"CONNECTIONS": 1, "MSL": 1})
    result = check(model, CheckOptions())
    words = render_report.Labels("en")
    for p in result.properties:
        assert render_report.status_text(p, words) == render_text.status_text(p)
    assert render_report.stats_text(result, words) == render_text.stats_line(result)
    page = render_report.report(model, result)
    assert "holds within the bounds (8 states where the channel was full)" in page
    zh = render_report.report(model, result, lang="zh")
    assert "在模型的界限内成立（其中 8 个状态里信道已满）" in zh


def test_a_stopped_run_says_why_in_chinese():
    model = load_file(ROOT / "models" / "three_way_handshake.tcp")
    result = check(model, CheckOptions(properties=("no_stale_accept",), max_states=10))
    page = render_report.report(model, result, lang="zh")
    assert "检查提前停止（达到了状态数上限），状态空间没有被完整探索；未验证：no_stale_accept" in page
    assert "<td>达到了状态数上限</td>" in page  # the verdict's reason, not its English detail


def test_cli_report_in_chinese(tmp_path):
    out_file = tmp_path / "zh.html"
    out, err = io.StringIO(), io.StringIO()
    code = main(["report", str(TWO_WAY), "-o", str(out_file), "--lang", "zh"], out, err)
    assert code == 1, err
    page = out_file.read_text(encoding="utf-8")
    assert "<h2>no_stale_accept 的反例</h2>" in page and ">下一步 &#x25B6;</button>" in page
    data = json.loads(DATA.search(page).group(1))
    assert data["descriptions"]["no_stale_accept"][3].startswith("客户端崩溃重启前的旧实例")
