"""`tcpcheck check --format svg|mermaid|json|itf [-o FILE]`: the run is a file of its kind,
alone; what people read goes elsewhere (tcpcheck/commands/_artefact.py)."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from engine_note import without_fallback_note
from tcpcheck.cli import main
from tcpcheck.commands._artefact import numbered_path
from tcpcheck.loader import load_file
from tcpcheck.render.formats import FILE_FORMATS, TEXT_FORMATS, format_of_path
from tcpcheck.render.svg import SVG_NS

MODELS = Path(__file__).resolve().parents[2] / "models"
TWO_WAY = str(MODELS / "two_way_handshake.tcp")  # no_stale_accept violated, a goal reached
HOLDS = str(MODELS / "handshake_liveness.tcp")  # every property holds, in a second
LASSO = str(MODELS / "handshake_no_fairness.tcp")  # a liveness counterexample (a cycle)
SEQSPACE = load_file(TWO_WAY).bounds.seqspace


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out, err)
    return code, out.getvalue(), without_fallback_note(err.getvalue())


def _svg_title(text: str) -> str:
    root = ET.fromstring(text)  # the whole output parses: nothing around the document
    assert root.tag == f"{{{SVG_NS}}}svg"
    return root.find(f"{{{SVG_NS}}}title").text


def test_the_formats_split_into_text_and_files():
    assert TEXT_FORMATS == ("chart", "steps", "rfc")
    assert set(FILE_FORMATS) == {"mermaid", "svg", "json", "itf"}


# ---- standard output: the document alone ----------------------------------------------------

def test_svg_alone_on_stdout_and_the_verdicts_on_stderr():
    code, out, err = run("check", TWO_WAY, "--format", "svg")
    assert code == 1
    assert _svg_title(out) == "two_way_handshake: counterexample for no_stale_accept (3 steps)"
    assert "no_stale_accept      VIOLATED  (counterexample: 3 steps)" in err
    assert "the svg on standard output is the counterexample for no_stale_accept (3 steps)" in err
    assert "states" in err and "<svg" not in err


def test_mermaid_alone_on_stdout():
    code, out, err = run("check", TWO_WAY, "--format", "mermaid")
    assert code == 1 and out.startswith("sequenceDiagram\n    title two_way_handshake")
    assert all(line.startswith("    ") for line in out.splitlines()[1:])
    assert "VIOLATED" not in out and "VIOLATED" in err


def test_json_is_a_trace_file_that_trace_reads_back(tmp_path):
    code, out, _ = run("check", TWO_WAY, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["file"] == TWO_WAY and data["seqspace"] == SEQSPACE  # the model's bounds
    assert data["trace"]["property"] == "no_stale_accept" and data["trace"]["length"] == 3
    saved = tmp_path / "run.json"
    saved.write_text(out)
    assert run("trace", saved, "--format", "json") == (0, out, "")  # identical again
    code, table, err = run("trace", saved, "--eval", "client.incarnation")
    assert (code, err) == (0, "") and table.splitlines()[-1].split()[:2] == ["3", "1"]


def test_itf_records_the_model_file_and_reads_back(tmp_path):
    code, out, _ = run("check", TWO_WAY, "--format", "itf")
    assert code == 1
    data = json.loads(out)
    assert data["#meta"]["tcpcheck"]["file"] == TWO_WAY
    assert data["#meta"]["tcpcheck"]["seqspace"] == SEQSPACE and len(data["states"]) == 4
    saved = tmp_path / "run.itf.json"
    saved.write_text(out)
    assert run("trace", saved, "--format", "itf") == (0, out, "")


def test_a_lasso_keeps_its_loop_as_itf():
    code, out, err = run("check", LASSO, "--format", "itf")
    assert code == 1 and json.loads(out)["loop"] == 2
    assert "the itf on standard output is the counterexample for handshake_completes" in err


# ---- which run -----------------------------------------------------------------------------

def test_a_counterexample_comes_before_a_witness():
    _, out, _ = run("check", TWO_WAY, "--format", "svg", "--witnesses")
    assert "counterexample for no_stale_accept" in _svg_title(out)
    # even when the goal is named first: a counterexample is what needs looking at
    _, out, _ = run("check", TWO_WAY, "--format", "svg", "-p", "handshake_completes",
                    "-p", "no_stale_accept")
    assert "counterexample for no_stale_accept" in _svg_title(out)


def test_a_goal_named_with_property_gives_its_witness():
    code, out, err = run("check", TWO_WAY, "--format", "svg", "-p", "handshake_completes")
    assert code == 0 and _svg_title(out) == (
        "two_way_handshake: witness for handshake_completes (3 steps)")
    assert "is the witness for handshake_completes (3 steps)" in err


def test_a_witness_needs_witnesses_or_its_name(tmp_path):
    model = MODELS / "time_wait_every_msl.tcp"  # every property holds, a goal is reached
    code, out, err = run("check", model, "--format", "mermaid")
    assert (code, out) == (0, "")
    assert ("note: no mermaid written: no checked property has a counterexample; "
            "--witnesses writes the witness of reopened") in err
    code, out, _ = run("check", model, "--format", "mermaid", "--witnesses")
    assert code == 0 and "title time_wait_every_msl: witness for reopened" in out


def test_nothing_to_write_keeps_the_verdicts_exit_code(tmp_path):
    code, out, err = run("check", HOLDS, "--format", "svg")
    assert (code, out) == (0, "")
    assert "handshake_completes   holds" in err
    assert err.endswith("note: no svg written: no checked property has a counterexample\n")
    target = tmp_path / "run.svg"
    code, out, err = run("check", HOLDS, "-o", target)
    assert code == 0 and not target.exists() and "handshake_completes   holds" in out
    assert f"note: {target} was not written: no checked property has a counterexample" in err
    code, out, err = run("check", HOLDS, "--format", "json", "--max-states", "5")
    assert (code, out) == (3, "") and "NOT VERIFIED" in err
    assert err.endswith("has a counterexample (the exploration stopped early)\n")


# ---- -o FILE -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, fmt", [("run.svg", "svg"), ("run.mmd", "mermaid"),
                                       ("run.json", "json"), ("run.itf.json", "itf")])
def test_o_writes_the_file_and_prints_the_usual_report(tmp_path, name, fmt):
    target = tmp_path / name
    code, out, err = run("check", TWO_WAY, "-o", target)  # the format from the name
    assert (code, err) == (1, "")
    assert "no_stale_accept      VIOLATED" in out and "|----" in out  # the chart, as always
    assert out.endswith(f"wrote {target}: the counterexample for no_stale_accept (3 steps)\n")
    _, alone, _ = run("check", TWO_WAY, "--format", fmt)
    assert target.read_text() == alone


def test_o_dash_is_standard_output():
    code, out, err = run("check", TWO_WAY, "--format", "svg", "-o", "-")
    assert (code, out) == run("check", TWO_WAY, "--format", "svg")[:2]
    assert "the svg on standard output is the counterexample" in err


def test_coverage_goes_with_the_verdicts():
    code, out, err = run("check", TWO_WAY, "--format", "svg", "--coverage")
    assert code == 1 and "coverage (times each transition fired):" in err
    assert _svg_title(out)
    code, out, _ = run("check", TWO_WAY, "--format", "svg", "--coverage", "-o", "-")
    assert "coverage" not in out


def test_format_wins_over_the_name(tmp_path):
    target = tmp_path / "chart.txt"
    code, _, _ = run("check", TWO_WAY, "--format", "svg", "-o", target)
    assert code == 1 and _svg_title(target.read_text()).startswith("two_way_handshake")


def test_counterexamples_go_to_numbered_files(tmp_path):
    target = tmp_path / "run.itf.json"
    code, out, _ = run("check", TWO_WAY, "-p", "no_stale_accept", "--counterexamples", "2",
                       "-o", target)
    first, second = tmp_path / "run-1.itf.json", tmp_path / "run-2.itf.json"
    assert code == 1 and not target.exists() and first.exists() and second.exists()
    assert f"wrote {first}, {second}: 2 counterexamples for no_stale_accept" in out
    lengths = [len(json.loads(p.read_text())["states"]) - 1 for p in (first, second)]
    assert lengths == sorted(lengths) and lengths[0] == 3  # shortest first
    assert first.read_text() != second.read_text()


def test_numbered_names():
    assert numbered_path("run.svg", 2) == "run-2.svg"
    assert numbered_path("out/run.itf.json", 1) == str(Path("out/run-1.itf.json"))
    assert numbered_path("my.chart.svg", 3) == "my.chart-3.svg"
    assert numbered_path("run", 1) == "run-1" and numbered_path("a.txt", 1) == "a-1.txt"


def test_format_of_path():
    assert [format_of_path(p) for p in ("a.svg", "A.SVG", "a.mmd", "a.mermaid", "a.json",
                                        "a.itf.json", "a.txt", ".svg", "svg")] == [
        "svg", "svg", "mermaid", "mermaid", "json", "itf", None, None, None]


# ---- usage errors, before any exploration ------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["--format", "svg", "--counterexamples", "3"],
     "--counterexamples 3 with --format svg: one svg document holds one run; give -o FILE"),
    (["--format", "svg", "--json"], "--json prints the whole result; it cannot be combined "
                                    "with --format svg"),
    (["--json", "-o", "run.itf.json"], "cannot be combined with --format itf or -o"),
    (["--format", "steps", "-o", "run.txt"], "-o writes one run as a file (mermaid, svg, "
                                             "json, itf); --format steps is text"),
    (["-o", "run.txt"], "cannot tell the format of run.txt from its name; give --format "
                        "mermaid|svg|json|itf"),
    (["-o", "no/such/dir/run.svg"], "cannot write no/such/dir/run.svg: there is no directory "
                                    "no/such/dir"),
    (["--format", "svg", "-o", "."], "cannot write .: it is a directory"),
    (["--format", "svg", "-o", "no-such-model.tcp"], "-o no-such-model.tcp would overwrite "
                                                     "the model being checked"),
    (["-o", "-"], "-o - writes to standard output; give --format mermaid|svg|json|itf"),
])
def test_usage_errors(argv, message):
    code, out, err = run("check", "no-such-model.tcp", *argv)  # the model is never read
    assert (code, out) == (2, "") and message in err and "Traceback" not in err


def test_the_text_formats_are_unchanged():
    for fmt in TEXT_FORMATS:
        code, out, err = run("check", TWO_WAY, "--format", fmt)
        assert code == 1 and out.count("VIOLATED") == 1 and "Counterexample for" in out
        assert err == ""
