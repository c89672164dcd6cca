"""bench/compare_spin.py's table, without spin installed and without running a verifier:
rendering from saved runs, the ratios, the cold and cached columns, a native refusal shown
as the Python fallback, and reading pan's and `check --json`'s output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import compare_spin  # noqa: E402
import spin_runs  # noqa: E402
import spin_table  # noqa: E402
from spin_runs import FALLBACK, Measured, Run  # noqa: E402

SPIN = Run("spin", "three_way", 3, 3, "verify", states=5_725_871, transitions=37_020_449,
           verdict="holds", seconds=12.0, cached_seconds=9.0, search_seconds=8.7,
           build_seconds=3.0, peak_mb=867.0, backend="spin")
NATIVE = Run("native", "three_way", 3, 3, "verify", states=5_725_871, transitions=30_000_000,
             verdict="holds", seconds=6.0, cached_seconds=4.5, search_seconds=3.0,
             peak_mb=433.5, cold_peak_mb=440.0, backend="native")
PYTHON = Run("python", "teardown", 1, 1, "verify", states=525, transitions=1_000,
             verdict="holds", seconds=1.0, search_seconds=0.05, peak_mb=30.0, backend="python")


def test_ratios_compare_cold_with_spins_build_and_run_and_cached_with_pan_alone():
    assert spin_table.time_ratio(NATIVE, SPIN) == pytest.approx(0.5)      # 6 / (3 + 9)
    assert spin_table.cached_ratio(NATIVE, SPIN) == pytest.approx(0.5)    # 4.5 / 9
    assert spin_table.memory_ratio(NATIVE, SPIN) == pytest.approx(0.5)    # bytes per state
    assert NATIVE.rate == pytest.approx(5_725_871 / 3.0)


def test_the_python_engines_one_run_stands_for_its_cached_time():
    spin = Run("spin", "teardown", 1, 1, "verify", states=525, seconds=2.0,
               cached_seconds=0.02, peak_mb=15.0)
    assert spin_table.cached_ratio(PYTHON, spin) == pytest.approx(50.0)


def test_no_ratio_without_spin_or_after_an_error():
    assert spin_table.time_ratio(NATIVE, None) is None
    assert spin_table.time_ratio(NATIVE, Run("spin", "three_way", 3, 3, "verify",
                                             error="build failed")) is None
    assert spin_table.times(None) == "-"


def test_a_rate_below_pans_resolution_is_not_given():
    assert Run("spin", "m", 1, 1, "verify", states=225, search_seconds=0.0).rate is None


def test_json_round_trip_renders_the_same_table():
    runs = [SPIN, NATIVE, PYTHON]
    text = spin_table.to_json(runs, {"spin": True, "command": "x"})
    back, meta = spin_table.from_json(text)
    assert back == runs and meta == {"spin": True, "command": "x"}
    assert spin_table.render_text(back) == spin_table.render_text(runs)
    saved = json.loads(text)["runs"][1]
    assert saved["bytes_per_state"] == pytest.approx(NATIVE.bytes_per_state)


def test_an_older_json_with_unknown_keys_still_reads():
    data = {"runs": [{**SPIN.to_json(), "some_new_figure": 1}]}
    assert spin_table.from_json(json.dumps(data))[0] == [SPIN]


@pytest.mark.parametrize("text", ["[]", '{"runs": 3}', '{"runs": [{"K": 1}]}', "not json"])
def test_a_file_that_is_not_a_run_is_refused(text):
    with pytest.raises(ValueError):
        spin_table.from_json(text)


def test_text_table_has_cold_cached_and_ratio_columns():
    out = spin_table.render_text([SPIN, NATIVE])
    header, _, spin_line, native_line = out.splitlines()[:4]
    for column in ("cold s", "cached s", "cold ratio", "cached ratio", "B/state ratio"):
        assert column in header
    assert native_line.split()[-4:] == ["0.50x", "0.50x", "0.50x", "yes"]
    assert " 6.00 " in native_line and " 4.50 " in native_line
    assert "12.00" in spin_line and spin_line.rstrip().endswith("-")


def test_markdown_row_puts_spin_beside_each_engine():
    out = spin_table.render_markdown([SPIN, NATIVE]).splitlines()
    assert len(out) == 3 and out[0].count("|") == out[1].count("|") == out[2].count("|")
    row = out[2]
    assert "5,725,871 (equal)" in row
    assert "12.00 / 6.00 (0.50x)" in row and "9.00 / 4.50 (0.50x)" in row
    assert "| native |" in row


def test_a_differing_count_is_flagged_and_makes_the_exit_status_1(tmp_path, capsys):
    wrong = Run("native", "three_way", 3, 3, "verify", states=5_725_870, verdict="holds",
                seconds=1.0, backend="native")
    assert spin_table.states_equal(wrong, SPIN) == "NO"
    saved = tmp_path / "run.json"
    saved.write_text(spin_table.to_json([SPIN, wrong], {}))
    assert compare_spin.main(["--from-json", str(saved)]) == 1
    saved.write_text(spin_table.to_json([SPIN, NATIVE], {}))
    assert compare_spin.main(["--from-json", str(saved), "--markdown"]) == 0
    assert "(equal)" in capsys.readouterr().out


def test_without_spin_counts_are_held_against_the_recorded_ones():
    assert spin_table.states_equal(NATIVE, None) == "yes (recorded)"
    assert spin_table.states_equal(PYTHON, None) == "yes (recorded)"
    verdict = Run("native", "two_way", 3, 3, "verdict", states=177, verdict="violated")
    assert spin_table.states_equal(verdict, SPIN) == "n/a"


def test_from_json_of_a_missing_file_is_a_message_not_a_traceback(tmp_path, capsys):
    assert compare_spin.main(["--from-json", str(tmp_path / "none.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_native_refusal_shows_the_python_runs_figures_as_the_fallback():
    refused = Run("native", "teardown", 1, 1, "verify", seconds=0.5, backend=FALLBACK,
                  note="a shared channel is not supported natively yet")
    shown = spin_runs.with_fallback(refused, PYTHON)
    assert shown.tool == "native" and shown.backend == FALLBACK
    assert shown.states == PYTHON.states and shown.note == refused.note
    assert spin_table.engine_label(shown) == "native (python fallback)"
    alone = spin_runs.with_fallback(refused, None)  # the Python engine did not run this size
    assert "not run at this size" in spin_table.verdict_text(alone)
    assert alone.seconds is None and spin_table.time_ratio(alone, SPIN) is None
    out = spin_table.render_text([shown])
    assert "native refused the model" in out.replace("engine ", "")


def test_a_refusal_is_read_from_checks_usage_error():
    err = "tcpcheck: error: the native engine cannot check this model: a shared channel\n"
    assert spin_runs._refusal(Measured(2, "", err, 1.0, 30.0)) == "a shared channel"
    assert spin_runs._refusal(Measured(1, "", err, 1.0, 30.0)) == ""


PAN_OUT = """\
State-vector 36 byte, depth reached 284, errors: 0
  5725871 states, stored
 31294578 states, matched
 37020449 transitions (= stored+matched)
pan: elapsed time 8.68 seconds
"""


def test_pan_output_is_read():
    got = spin_runs.parse_pan("verify", PAN_OUT)
    assert got == {"search_seconds": 8.68, "states": 5_725_871, "transitions": 37_020_449,
                   "verdict": "holds"}
    failed = PAN_OUT.replace("errors: 0", "errors: 1") + \
        "pan:1: assertion violated (s_tag==c_n-1) (at depth 37)\n"
    assert spin_runs.parse_pan("verdict", failed)["extra"] == {"dfs_trail": 37}
    assert spin_runs.parse_pan("verify", "")["error"]


def test_checks_json_verdict_and_shortest_counterexample():
    props = [{"name": "domains", "status": "holds"},
             {"name": "a", "status": "violated", "trace": {"steps": [0] * 13}},
             {"name": "b", "status": "violated", "trace": {"steps": [0] * 5}}]
    assert spin_runs.check_verdict("verdict", props) == {"verdict": "violated", "cex_length": 4}
    assert spin_runs.check_verdict("verify", props[:1] + [{"name": "c", "status": "holds"}]) \
        == {"verdict": "holds"}
    assert spin_runs.check_verdict("full", props) == {"verdict": "(exhaustive)"}


def test_an_incomplete_check_never_reads_as_holds():
    out = json.dumps({"complete": False, "stop_reason": "timeout", "backend": "native",
                      "stats": {"states": 10}, "properties": [{"name": "p", "status": "holds"}]})
    run = spin_runs._read_check(Run("native", "m", 1, 1, "verify"), Measured(3, out, "", 1, 1))
    assert run.error == "incomplete: timeout" and run.verdict != "holds"


def test_python_runs_only_at_small_sizes_unless_named():
    assert compare_spin.python_runs_at("teardown", 2, 2, asked=False)
    assert not compare_spin.python_runs_at("three_way", 3, 3, asked=False)
    assert not compare_spin.python_runs_at("three_way", 9, 9, asked=False)  # unknown size
    assert compare_spin.python_runs_at("three_way", 3, 3, asked=True)


def test_engines_option():
    assert compare_spin.parse_engines("native, python,native") == ("native", "python")
    with pytest.raises(Exception):
        compare_spin.parse_engines("spin")


def test_every_planned_size_has_spins_count_for_its_hash_table():
    for model, k, n, _ in {*compare_spin.QUICK, *compare_spin.FULL, *compare_spin.LARGE,
                           *compare_spin.GRID}:
        assert (model, k, n) in spin_runs.SPIN_STATES


def test_the_plot_takes_native_whole_space_runs_only():
    import plot_spin  # its data; matplotlib is imported only when drawing

    fallback = Run("native", "three_way", 1, 2, "verify", states=945, seconds=1.0,
                   backend=FALLBACK)
    again = Run("native", "three_way", 3, 3, "verify", states=5_725_871, seconds=5.0,
                backend="native")
    verdict = Run("native", "three_way", 1, 1, "verdict", seconds=1.0, backend="native")
    runs = [NATIVE, fallback, verdict, again, SPIN]
    assert plot_spin.series(runs, "three_way", "native", "seconds") == {3: [(3, 5.0)]}
    assert plot_spin.series(runs, "three_way", "spin", "cached_seconds") == {3: [(3, 9.0)]}
    assert plot_spin.series(runs, "teardown", "native", "seconds") == {}


def test_a_verdict_search_that_native_found_small_runs_in_python_too():
    # two_way K=3 N=3: a whole space of 2.9 M states, but breadth-first stops at 177
    assert compare_spin.python_runs_at("two_way", 3, 3, asked=False, explored=177)
    assert not compare_spin.python_runs_at("teardown", 1, 1, asked=False, explored=10**6)
