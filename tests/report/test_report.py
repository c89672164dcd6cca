"""The HTML report: self-contained, its embedded data is the result, its charts mark each
step, Jupyter's summary, and ``tcpcheck report``."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tcpcheck.cli import main
from tcpcheck.explicit import check
from tcpcheck.loader import load_file
from tcpcheck.notebook import DISPLAYS
from tcpcheck.render import json as render_json
from tcpcheck.render import report as render_report

ROOT = Path(__file__).resolve().parents[2]
TWO_WAY = ROOT / "models" / "two_way_handshake.tcp"
THREE_WAY = ROOT / "models" / "three_way_handshake.tcp"
SVG_NS = "{http://www.w3.org/2000/svg}"
DATA = re.compile(r'<script type="application/json" id="tcpcheck-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def two_way():
    model = load_file(TWO_WAY)
    return model, check(model)


@pytest.fixture(scope="module")
def page(two_way) -> str:
    model, result = two_way
    return render_report.report(model, result)


def _data(page: str) -> dict:
    found = DATA.findall(page)
    assert len(found) == 1
    return json.loads(found[0])


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(map(str, argv)), out, err)
    return code, out.getvalue(), err.getvalue()


# ---- self-contained -------------------------------------------------------------------------

def test_the_page_references_nothing_outside_itself(page):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"<(link|iframe|img|object|embed)\b", page, re.I)
    assert "@import" not in page and "url(" not in page
    hrefs = re.findall(r"""href\s*=\s*["']([^"']*)""", page)
    assert hrefs and all(h.startswith("#") for h in hrefs)  # only links within the page


def test_the_embedded_data_is_the_result(two_way, page):
    model, result = two_way
    data = _data(page)
    assert data["model"] == {"name": model.name, "file": model.file, "doc": model.doc}
    expected = json.loads(render_json.dumps(render_json.check_result(result, model)))
    assert data["result"] == expected
    shown = {p["name"]: p["trace"] for p in data["result"]["properties"]}
    trace = result.get("no_stale_accept").trace
    assert shown["no_stale_accept"] == json.loads(json.dumps(render_json.trace(trace)))
    assert [s["state"]["endpoints"][0]["incarnation"] for s in
            shown["no_stale_accept"]["steps"]] == [0, 0, 1, 1]


def test_one_section_per_run_with_a_slider_over_its_steps(two_way, page):
    _, result = two_way
    runs = [p for p in result.properties if p.trace is not None]
    assert [p.name for p in runs] == ["no_stale_accept", "handshake_completes"]
    for p in runs:
        section = page[page.index(f'<section class="trace" id="trace-{p.name}"'):]
        section = section[:section.index("</section>")]
        assert f'max="{len(p.trace)}"' in section
        for control in ("first", "prev", "next", "last"):
            assert f'class="{control}"' in section
        assert 'class="chart"' in section
    assert "VIOLATED" in page and "reached" in page


def test_explanations_are_shown_and_escaped(two_way):
    model, result = two_way
    sentences = ("The client opens <first>.", "Then </script> it crashes & restarts.")
    page = render_report.report(model, result, explanations={"no_stale_accept": sentences})
    assert "<li>The client opens &lt;first&gt;.</li>" in page
    assert "Then &lt;/script&gt; it crashes &amp; restarts." in page
    assert page.count("</script>") == 2  # the data's and the code's: nothing closes early
    assert _data(page)["explanations"] == {"no_stale_accept": list(sentences)}


def test_given_charts_are_embedded_as_elements(two_way):
    model, result = two_way
    given = '<?xml version="1.0"?>\n<!-- drawn elsewhere -->\n<svg id="given"></svg>'
    page = render_report.report(model, result, charts={"no_stale_accept": given})
    assert '<div class="chart"><svg id="given"></svg></div>' in page
    assert "<?xml" not in page and "drawn elsewhere" not in page


def test_the_report_is_deterministic(two_way):
    model, result = two_way
    assert render_report.report(model, result) == render_report.report(model, result)


# ---- the fallback sequence chart ------------------------------------------------------------

def test_the_chart_has_a_group_per_step_and_an_arrow_per_segment(two_way):
    _, result = two_way
    trace = result.get("no_stale_accept").trace
    root = ET.fromstring(render_report.sequence_chart(trace))
    groups = [g for g in root.iter(f"{SVG_NS}g")]
    steps = [g.get("data-step") for g in groups if g.get("class") == "step"]
    assert steps == ["0", "1", "2", "3"]
    arrows = [(g.get("data-sent"), g.get("data-arrived")) for g in groups
              if g.get("class") == "arrow"]
    # the SYN of step 1 is the one the server accepts at step 3; the SYN-ACK is in flight
    assert arrows == [("1", "3"), ("3", None)]


# ---- Jupyter --------------------------------------------------------------------------------

def test_check_results_render_in_jupyter(two_way):
    _, result = two_way
    mime, draw = DISPLAYS[type(result)]
    shown = draw(result)
    assert mime == "text/html" and shown == render_report.result_html(result)
    assert "VIOLATED" in shown and "<svg" in shown and "client crashes and restarts" in shown
    assert "<script" not in shown  # notebooks may refuse to run it


# ---- tcpcheck report ------------------------------------------------------------------------

def test_cli_writes_the_report_and_exits_like_check(tmp_path, two_way):
    out_file = tmp_path / "report.html"
    code, out, err = _run("report", TWO_WAY, "-o", out_file)
    assert code == 1
    assert out.startswith(f"wrote {out_file}: no_stale_accept VIOLATED")
    assert "Traceback" not in err
    data = _data(out_file.read_text(encoding="utf-8"))
    assert data["result"]["exit_code"] == 1


def test_cli_exit_0_when_everything_holds_or_is_reached(tmp_path):
    # the two-way model is explored completely (35 states), so domains holds too
    code, _, err = _run("report", TWO_WAY, "-p", "handshake_completes", "-o",
                        tmp_path / "r.html")
    assert code == 0, err


def test_cli_exit_3_when_stopped_at_a_limit(tmp_path):
    code, out, _ = _run("report", THREE_WAY, "--max-states", "10", "-p", "no_stale_accept",
                        "-o", tmp_path / "r.html")
    assert code == 3
    assert "NOT VERIFIED" in out
    assert "NOT VERIFIED" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_cli_unknown_property_exits_2_with_a_hint(tmp_path):
    code, out, err = _run("report", TWO_WAY, "-p", "no_stale_acept", "-o", tmp_path / "r.html")
    assert code == 2 and out == ""
    assert "did you mean 'no_stale_accept'?" in err
    assert not (tmp_path / "r.html").exists()


def test_cli_unwritable_output_exits_2(tmp_path):
    code, _, err = _run("report", TWO_WAY, "-o", tmp_path / "no" / "such" / "dir.html")
    assert code == 2 and "cannot write" in err and "Traceback" not in err


def test_cli_needs_an_output_file():
    code, _, err = _run("report", TWO_WAY)
    assert code == 2 and "-o/--output" in err


def test_cli_bad_set_exits_2(tmp_path):
    code, _, err = _run("report", TWO_WAY, "--set", "chanel.capacity=1", "-o", tmp_path / "r.html")
    assert code == 2 and "did you mean 'channel.capacity'?" in err
