"""The lasso in every output: chart, steps, rfc, mermaid, svg, JSON, ITF and reading it
back; the command line's exit codes; prove, synth, compare and explain on liveness."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tcpcheck.cli import main
from tcpcheck.trace import itf as render_itf
from tcpcheck.render import json as render_json
from tcpcheck.render.formats import render_trace
from tcpcheck.trace.files import load_trace
from tests.liveness.models import SYN_LOSS, model, run

ROOT = Path(__file__).resolve().parents[2]
FAIR = str(ROOT / "models" / "handshake_liveness.tcp")
UNFAIR = str(ROOT / "models" / "handshake_no_fairness.tcp")
CLOSE = str(ROOT / "models" / "close_liveness.tcp")


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def lasso():
    return run(SYN_LOSS).get("done").trace


def test_the_chart_marks_where_the_cycle_starts_and_ends(lasso):
    lines = render_trace(lasso, "chart").splitlines()
    start = next(i for i, l in enumerate(lines) if "loop starts here" in l)
    assert lines[start + 1].lstrip().startswith("2 ")  # right before step 2
    assert "~~~" in lines[start]
    assert "back to step 2" in lines[-1] and "~~~" in lines[-1]


def test_the_steps_mark_the_cycle(lasso):
    text = render_trace(lasso, "steps")
    assert "  2. the channel loses SYN seq=0 (client -> server)  <-- the loop starts here" in text
    assert text.splitlines()[-1] == "       ... and again from step 2, for ever"


@pytest.mark.parametrize("fmt, mark", [("rfc", "(the run repeats from here)"),
                                       ("mermaid", "the steps from here repeat forever"),
                                       ("svg", "the run repeats from here")])
def test_the_other_formats_mark_it_too(lasso, fmt, mark):
    assert mark in render_trace(lasso, fmt)


def test_json_has_the_loop_and_the_hints():
    result = run(SYN_LOSS)
    data = render_json.check_result(result, model(SYN_LOSS))
    done = next(p for p in data["properties"] if p["name"] == "done")
    assert done["kind"] == "eventually" and done["status"] == "violated"
    assert done["trace"]["loop_start"] == 2 and done["trace"]["length"] == 4
    assert [(h["constraint"], h["holds_with_it"]) for h in done["fairness_hints"]] == [
        ("strong channel", True), ("strong server.syn_in", False)]
    assert done["fairness_hints"][0]["text"].startswith(
        "this cycle is unfair under `strong channel`: ")
    domains = next(p for p in data["properties"] if p["name"] == "domains")
    assert "fairness_hints" not in domains


def test_a_lasso_round_trips_through_json_and_itf(tmp_path, lasso):
    code, out, _ = cli("check", UNFAIR, "--json")
    assert code == 1
    saved = tmp_path / "result.json"
    saved.write_text(out)
    back = load_trace(saved, "handshake_completes").trace
    assert (len(back), back.loop_start) == (4, 2)
    data = render_itf.itf(back)
    assert data["loop"] == 2 and len(data["states"]) == 5
    itf_file = tmp_path / "run.itf.json"
    itf_file.write_text(render_itf.dumps(data))
    again = load_trace(itf_file).trace
    assert again.loop_start == 2
    assert [s.summary for s in again.steps] == [s.summary for s in back.steps]
    code, text, _ = cli("trace", str(itf_file), "--format", "steps")
    assert code == 0 and "<-- the loop starts here" in text


def test_check_exit_codes_and_text():
    code, out, _ = cli("check", UNFAIR, "--format", "steps")
    assert code == 1
    assert "handshake_completes   VIOLATED  (counterexample: 4 steps)" in out
    assert ("  fairness: this cycle is unfair under `strong channel`: SYN seq=0 could be "
            "delivered to server after step 1, but every time it could be delivered it was "
            "lost instead; declaring `fairness { strong channel }` rules this run out, and "
            "with it the property holds") in out
    code, out, _ = cli("check", FAIR)
    assert code == 0 and "handshake_completes   holds" in out
    code, out, _ = cli("check", CLOSE, "--max-states", "50")
    assert code == 3 and "NOT VERIFIED: closes, fin_wait_ends, always_closed_again" in out


def test_parse_lists_the_fairness():
    code, out, _ = cli("parse", FAIR)
    assert code == 0 and "fairness: strong channel" in out
    assert "handshake_completes [eventually]" in out
    code, out, _ = cli("parse", CLOSE, "--json")
    assert json.loads(out)["fairness"] == ["strong channel"]


def test_prove_and_synth_say_liveness_is_for_check():
    code, _, err = cli("prove", FAIR, "-p", "handshake_completes")
    assert code == 2 and "liveness properties are checked by `tcpcheck check`" in err
    code, out, err = cli("prove", FAIR, "--depth", "2")
    assert "note: not checking the liveness properties handshake_completes, " \
           "syn_sent_established" in err
    assert "no_deadlock" in out and "handshake_completes" not in out
    code, _, err = cli("synth", FAIR, "-p", "syn_sent_established", "--param", "X")
    assert code == 2 and "is a liveness property" in err


def test_compare_shows_liveness_cells():
    code, out, _ = cli("compare", FAIR, UNFAIR)
    assert code == 1
    row = next(l for l in out.splitlines() if l.startswith("handshake_completes"))
    assert row.split()[1:] == ["holds", "violated", "(4)"]


def test_explain_tells_a_liveness_verdict():
    code, out, _ = cli("explain", UNFAIR, "-p", "handshake_completes")
    assert code == 1
    assert ("eventually completes\"), a liveness property: steps 2 to 4 repeat for ever and "
            "the goal never holds") in out
    code, out, _ = cli("explain", FAIR, "-p", "handshake_completes")
    assert code == 0
    assert ("handshake_completes (\"with a fair channel and retransmission the handshake "
            "eventually completes\") holds: every run that the fairness `strong channel` allows "
            "was followed through the complete state graph, and none avoids the goal for "
            "ever.") in out
