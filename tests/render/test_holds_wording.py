"""What "holds" covers: a safety property that holds while some runs end at the edge of the
channel's bound says so, with the number of such states, in the text output and the JSON;
the status stays ``holds`` and the exit code 0 (spec/MANUAL.md 14.2, spec/JSON.md)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from tcpcheck.cli import main
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file
from tcpcheck.render import json as render_json
from tcpcheck.render import text as render_text
from render.render_support import assert_golden

ROOT = Path(__file__).resolve().parents[2]
TEARDOWN = ROOT / "models" / "teardown_time_wait.tcp"
SMALL = ["--set", "CONNECTIONS=1", "--set", "MSL=1"]  # 2,397 states, 8 at the edge


def _cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out, err)
    return code, out.getvalue(), err.getvalue()


def _result():
    model = load_file(TEARDOWN, {"CONNECTIONS": 1, "MSL": 1})
    return model, check(model, CheckOptions())


def test_the_verdict_lines_say_within_the_bounds():
    _, result = _result()
    width = max(len(p.name) for p in result.properties)
    lines = "\n".join(render_text.property_line(p, width) for p in result.properties) + "\n"
    assert_golden("teardown_small.verdicts.txt", lines)
    assert "holds within the bounds (8 states where the channel was full)" in lines
    assert "reached  (witness: 9 steps)" in lines  # a witness is not qualified
    assert any("8 states end because every segment in flight waits for room" in w
               for w in result.warnings)


def test_the_cli_keeps_status_holds_and_exit_code_0():
    code, out, _ = _cli("check", TEARDOWN, *SMALL)
    assert code == 0
    assert "clean_close               holds within the bounds (8 states where the channel " \
           "was full)" in out
    code, out, _ = _cli("check", TEARDOWN, *SMALL, "--json")
    data = json.loads(out)
    assert data["exit_code"] == 0
    shown = {p["name"]: (p["status"], p["channel_full_states"]) for p in data["properties"]}
    assert shown == {"no_old_segment_confusion": ("holds", 8), "clean_close": ("holds", 8),
                     "fin_meets_time_wait": ("reached", 0), "second_connection": ("reached", 0),
                     "simultaneous_close": ("reached", 0), "no_deadlock": ("holds", 8),
                     "domains": ("holds", 8)}


def test_one_state_at_the_edge_is_one_state():
    from tcpcheck.result import PropertyResult

    p = PropertyResult("safe", "always", "holds", channel_full=1)
    assert render_text.status_text(p) == "holds within the bounds (1 state where the channel " \
                                         "was full)"
    unreached = PropertyResult("goal", "reachable", "unreachable", channel_full=2)
    assert render_text.status_text(unreached) == ("UNREACHABLE within the bounds (2 states "
                                                  "where the channel was full)")
    assert render_text.status_text(PropertyResult("x", "always", "holds")) == "holds"
    # a counterexample is not qualified by the edge: the run it shows is a real one
    violated = PropertyResult("x", "always", "violated", channel_full=3)
    assert render_text.status_text(violated) == "VIOLATED"
    assert render_json.property_result(p)["channel_full_states"] == 1


def test_compare_says_within_bounds_in_its_cells_and_explains_it_below():
    code, out, _ = _cli("compare", TEARDOWN, *SMALL)
    assert code == 0
    assert "holds within bounds (8 full)" in out
    assert out.rstrip().endswith("so runs beyond the channel bound are not covered")
    code, out, _ = _cli("compare", TEARDOWN, *SMALL, "--format", "json")
    cells = json.loads(out)["cells"]
    assert {c["teardown_time_wait"]["channel_full_states"] for c in cells.values()} >= {8}
    assert all(c["teardown_time_wait"]["status"] != "holds within bounds"
               for c in cells.values())


def test_compare_adds_no_note_where_no_cell_needs_it():
    code, out, _ = _cli("compare", ROOT / "models" / "two_way_handshake.tcp")
    assert code == 1 and "reached (3)" in out
    assert "within bounds" not in out
