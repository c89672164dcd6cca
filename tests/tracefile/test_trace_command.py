"""``tcpcheck trace FILE``: render a saved trace, convert it, evaluate expressions on it."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from tracefile_support import ROOT, assert_golden, checked, itf_problems

from tcpcheck.cli import main
from tcpcheck.render import json as render_json
from tcpcheck.render import steps as render_steps
from tcpcheck.render.formats import DEFAULT_FORMAT, render_trace
from tcpcheck.trace.files import load_trace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "explicit"))
from explicit_support import TIMED  # noqa: E402  the hand-checked timed model


def tcpcheck(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def run_json(tmp_path, monkeypatch):
    """What ``tcpcheck check models/two_way_handshake.tcp --json`` printed, saved; run from
    the repository root, so the file records the model as models/two_way_handshake.tcp."""
    monkeypatch.chdir(ROOT)
    code, out, _ = tcpcheck("check", "models/two_way_handshake.tcp", "--json")
    assert code == 1
    path = tmp_path / "run.json"
    path.write_text(out, encoding="utf-8")
    return str(path)


def _eval_rows(out: str) -> list:
    """The value columns of the --eval table, one list per step (columns are separated by
    two or more spaces; the last one is the action)."""
    import re

    lines = out.splitlines()
    start = next(i for i, l in enumerate(lines) if l.lstrip().startswith("step"))
    rows = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        cells = re.split(r"\s{2,}", line.strip())
        rows.append(cells[1:-1])
    return rows


# ---- rendering --------------------------------------------------------------------------------

TITLE = ("Counterexample for no_stale_accept: model two_way_handshake "
         "(models/two_way_handshake.tcp), 3 steps\n")


def test_steps_is_the_first_counterexample_as_check_prints_it(run_json):
    code, out, err = tcpcheck("trace", run_json, "--format", "steps")
    assert code == 0 and err == ""
    t = load_trace(run_json).trace
    assert t.property == "no_stale_accept"
    assert out == TITLE + render_steps.trace(t) + "\n"


def test_the_default_format_is_checks_default(run_json):
    code, out, _ = tcpcheck("trace", run_json)
    assert code == 0
    assert out == TITLE + render_trace(load_trace(run_json).trace, DEFAULT_FORMAT) + "\n"


@pytest.mark.parametrize("fmt", ["rfc", "mermaid", "svg"])
def test_the_other_formats_of_check(run_json, fmt):
    code, out, _ = tcpcheck("trace", run_json, "--format", fmt)
    body = render_trace(load_trace(run_json).trace, fmt)
    assert code == 0 and out == (TITLE if fmt == "rfc" else "") + body + "\n"


def test_another_property_and_full(run_json):
    code, out, _ = tcpcheck("trace", run_json, "-p", "handshake_completes", "--full",
                            "--format", "steps")
    assert code == 0 and out.startswith("Witness for handshake_completes")
    t = load_trace(run_json, "handshake_completes").trace
    assert render_steps.trace(t, full=True) in out


def test_json_and_itf_outputs_read_back_to_the_same_trace(run_json, tmp_path):
    original = load_trace(run_json)
    for fmt in ("json", "itf"):
        code, out, _ = tcpcheck("trace", run_json, "--format", fmt)
        assert code == 0
        saved = tmp_path / f"again.{fmt}.json"
        saved.write_text(out, encoding="utf-8")
        again = load_trace(str(saved))
        assert again.trace == original.trace
        assert again.file == "models/two_way_handshake.tcp"
    # and a converted file converts again without loss
    code, out, _ = tcpcheck("trace", str(tmp_path / "again.itf.json"), "--format", "json")
    assert json.loads(out)["trace"] == render_json.trace(original.trace)


def test_itf_output_golden_and_valid(run_json):
    code, out, _ = tcpcheck("trace", run_json, "--format", "itf")
    assert code == 0 and itf_problems(json.loads(out)) == []
    assert_golden("two_way_handshake.itf.json", out)


def test_a_chosen_counterexample_of_several(tmp_path):
    model, result = checked("teardown_no_time_wait.tcp", (("channel.capacity", 1),))
    path = tmp_path / "many.json"
    path.write_text(render_json.dumps(render_json.check_result(result, model)))
    second = result.get("clean_close").traces[1]
    code, out, _ = tcpcheck("trace", str(path), "-p", "clean_close", "--counterexample", "2",
                            "--format", "steps")
    assert code == 0 and render_steps.trace(second) in out


# ---- --eval -----------------------------------------------------------------------------------

# The stale-SYN run: 0 initial; 1 client OPEN (SYN seq=0 in flight, snd_nxt 1); 2 client
# crashes (incarnation 1, snd_nxt back to 0, the SYN still in flight); 3 server takes the
# old SYN, is ESTABLISHED and sends SYN+ACK seq=0 ack=1 to the client.
HAND_CHECKED = [
    ("client.snd_nxt - client.iss", ["0", "1", "0", "0"]),
    ("client.iss - 1", ["3", "3", "3", "3"]),  # sequence arithmetic modulo seqspace = 4
    ("server.state == ESTABLISHED", ["false", "false", "false", "true"]),
    ("client.state", ["CLOSED", "SYN_SENT", "CLOSED", "CLOSED"]),
    ("exists s in channel: s.SYN", ["false", "true", "true", "true"]),
    ("exists s in channel.client: s.ACK and s.ack == 1", ["false", "false", "false", "true"]),
    ("forall s in channel: s.conn == 0", ["true", "true", "true", "true"]),
    ("server.peer == client.incarnation", ["true", "true", "false", "false"]),
    ("client.used", ["{}", "{0}", "{0}", "{0}"]),
    ("0 in client.used and client.incarnation > 0", ["false", "false", "true", "true"]),
    ("seg.seq", ["-", "-", "-", "0"]),
    ("self.incarnation", ["-", "0", "1", "0"]),
]


@pytest.mark.parametrize("expr,values", HAND_CHECKED, ids=[e for e, _ in HAND_CHECKED])
def test_eval_values_at_each_step(run_json, expr, values):
    code, out, err = tcpcheck("trace", run_json, "--eval", expr)
    assert code == 0, err
    assert _eval_rows(out) == [[v] for v in values]


def test_several_expressions_make_columns_golden(run_json):
    code, out, _ = tcpcheck("trace", run_json, "--eval", "client.snd_nxt - client.iss",
                            "--eval", "server.state == ESTABLISHED", "--eval", "seg.seq")
    assert code == 0
    assert _eval_rows(out) == [["0", "false", "-"], ["1", "false", "-"],
                               ["0", "false", "-"], ["0", "true", "0"]]
    assert_golden("two_way_handshake.eval.txt", out)


def test_eval_uses_the_sequence_space_the_file_records(run_json, tmp_path):
    data = json.loads(open(run_json).read())
    data["seqspace"] = 8  # as `prove --seqspace 8 --json` would record it
    path = tmp_path / "eight.json"
    path.write_text(json.dumps(data))
    code, out, _ = tcpcheck("trace", str(path), "--eval", "client.iss - 1")
    assert code == 0 and _eval_rows(out) == [["7"]] * 4


def test_eval_reads_constants_and_params(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = tcpcheck("check", "models/time_wait_every_msl.tcp", "--json")
    path = tmp_path / "tw.json"
    path.write_text(out)
    code, out, err = tcpcheck("trace", str(path), "--eval", "TW - 2 * MSL")
    assert code == 0, err
    assert set(sum(_eval_rows(out), [])) == {"0"}  # TW = 4, MSL = 2 at the defaults
    code, out, err = tcpcheck("trace", str(path), "--eval", "TW - MSL", "--set", "MSL=3",
                              "--set", "TW=6")
    assert code == 0, err
    assert set(sum(_eval_rows(out), [])) == {"3"}


def test_eval_reads_params_at_the_values_a_symbolic_run_recorded(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    _, out, _ = tcpcheck("check", "models/time_wait_every_msl.tcp", "--json")
    data = json.loads(out)
    with_trace = next(p for p in data["properties"] if p["trace"] is not None)
    with_trace["trace"]["params"] = {"MSL": 3, "RTO": 1, "TW": 7}  # as prove would record
    path = tmp_path / "chosen.json"
    path.write_text(json.dumps(data))
    code, out, err = tcpcheck("trace", str(path), "--eval", "TW - MSL", "--eval", "RTO")
    assert code == 0, err
    assert set(map(tuple, _eval_rows(out))) == {("4", "1")}


def test_eval_division_by_zero_is_shown_not_raised(run_json):
    code, out, err = tcpcheck("trace", run_json, "--eval", "5 % client.incarnation")
    assert code == 0, err
    assert [r[0].startswith("error:") for r in _eval_rows(out)] == [True, True, False, False]


# ---- --eval mistakes: exit 2, a caret under the expression --------------------------------------

def test_a_misspelled_variable_gets_did_you_mean_and_a_caret(run_json):
    code, out, err = tcpcheck("trace", run_json, "--eval", "client.snd_nx + 1")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("--eval:1:8: error:") and "did you mean 'snd_nxt'?" in lines[0]
    assert lines[1].endswith("| client.snd_nx + 1")
    assert lines[2].index("^") == lines[1].index("snd_nx") and lines[2].count("^") == 6


def test_a_misspelled_state_and_a_syntax_error_are_all_reported(run_json):
    code, _, err = tcpcheck("trace", run_json, "--eval", "server.state == ESTABLISHD",
                            "--eval", "client.iss ==")
    assert code == 2
    assert "did you mean 'ESTABLISHED'?" in err and "--eval:1:14: error: expected" in err
    assert "Traceback" not in err


def test_a_type_error_in_the_expression(run_json):
    code, _, err = tcpcheck("trace", run_json, "--eval", "client.used + 1")
    assert code == 2 and "--eval:1:1: error:" in err


def test_eval_with_another_format_is_a_usage_error(run_json):
    code, _, err = tcpcheck("trace", run_json, "--eval", "client.iss", "--format", "itf")
    assert code == 2 and "--eval" in err
    code, _, err = tcpcheck("trace", run_json, "--eval", "client.iss", "--format", "steps")
    assert code == 2 and "--eval" in err


def test_eval_needs_a_model_when_the_file_names_none(tmp_path):
    _, result = checked("two_way_handshake.tcp")
    path = tmp_path / "bare.json"
    path.write_text(json.dumps(render_json.trace(result.get("no_stale_accept").trace)))
    code, _, err = tcpcheck("trace", str(path), "--eval", "client.iss")
    assert code == 2 and "--model FILE" in err
    code, out, err = tcpcheck("trace", str(path), "--eval", "client.iss",
                              "--model", str(ROOT / "models" / "two_way_handshake.tcp"))
    assert code == 0 and _eval_rows(out) == [["0"]] * 4


def test_eval_against_another_model_is_refused(run_json):
    code, _, err = tcpcheck("trace", run_json, "--eval", "client.iss", "--model",
                            str(ROOT / "models" / "three_way_handshake.tcp"))
    assert code == 2 and "is a run of model 'two_way_handshake'" in err


# ---- bad trace files through the command line ----------------------------------------------

def test_bad_files_exit_2_with_a_message(run_json, tmp_path):
    code, _, err = tcpcheck("trace", str(tmp_path / "missing.json"))
    assert code == 2 and "no such trace file" in err
    code, _, err = tcpcheck("trace", run_json, "-p", "handshake")
    assert code == 2 and "did you mean 'handshake_completes'?" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    code, _, err = tcpcheck("trace", str(broken))
    assert code == 2 and f"{broken}:1:3: not a JSON file" in err and "^" in err


# ---- --eval of timers and segment ages ----------------------------------------------------------



def test_eval_of_a_timer_shows_minus_one_while_stopped(run_json):
    # the stale-SYN run: OPEN starts rexmt at 1, the crash stops it
    code, out, err = tcpcheck("trace", run_json, "--eval", "client.rexmt")
    assert code == 0, err
    assert _eval_rows(out) == [["-1"], ["1"], ["-1"], ["-1"]]


def test_eval_of_timers_and_ages_on_a_timed_run(tmp_path):
    model = tmp_path / "timed.tcp"
    model.write_text(TIMED, encoding="utf-8")
    code, out, _ = tcpcheck("check", str(model), "-p", "fresh_delivery", "--json")
    assert code == 1
    run = tmp_path / "timed.json"
    run.write_text(out, encoding="utf-8")
    # open (SYN at age 0, rexmt 3); a tick (age 1, rexmt 2); the server takes the SYN at age 1
    code, out, err = tcpcheck("trace", str(run), "--eval", "client.rexmt",
                              "--eval", "exists s in channel: s.age > 0", "--eval", "seg.age")
    assert code == 0, err
    assert _eval_rows(out) == [["-1", "false", "-"], ["3", "false", "-"],
                               ["2", "true", "-"], ["2", "false", "1"]]


def test_eval_of_a_misspelled_timer_suggests_it(run_json):
    code, out, err = tcpcheck("trace", run_json, "--eval", "client.rexnt")
    assert code == 2 and out == ""
    assert err.startswith("--eval:1:8: error:") and "did you mean 'rexmt'?" in err


# ---- the run's settings: recorded by check and prove, used by trace (issue 15) --------------------

@pytest.fixture
def run16(tmp_path, monkeypatch):
    """``check --set bounds.seqspace=16 --json``, saved."""
    monkeypatch.chdir(ROOT)
    code, out, _ = tcpcheck("check", "models/two_way_handshake.tcp", "--set",
                            "bounds.seqspace=16", "--json")
    assert code == 1
    path = tmp_path / "run16.json"
    path.write_text(out, encoding="utf-8")
    return str(path)


def test_check_json_records_the_overrides_and_the_bounds(run16):
    data = json.loads(open(run16).read())
    assert list(data)[:6] == ["schema", "tcpcheck", "model", "file", "overrides", "bounds"]
    assert data["overrides"] == {"bounds.seqspace": 16}
    assert data["bounds"] == {"seqspace": 16, "incarnations": 2,
                              "channel": {"capacity": 2, "loss": None, "duplication": 1,
                                          "reordering": True, "msl": None}}


def test_check_json_without_set_records_none_and_the_models_own_bounds(run_json):
    data = json.loads(open(run_json).read())
    assert data["overrides"] == {} and data["bounds"]["seqspace"] == 4


def test_eval_uses_the_recorded_sequence_space_not_the_model_files(run16):
    # iss is 0; modulo 16 the sum is 15 (modulo 4, the model file's, it would be 3)
    code, out, err = tcpcheck("trace", run16, "--eval", "client.iss + 15")
    assert code == 0 and err == ""
    assert _eval_rows(out) == [["15"]] * 4


def test_eval_loads_the_model_at_the_recorded_overrides(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    _, out, _ = tcpcheck("check", "models/time_wait_every_msl.tcp", "--set", "MSL=3",
                         "--set", "TW=6", "--json")
    path = tmp_path / "tw.json"
    path.write_text(out)
    code, out, err = tcpcheck("trace", str(path), "--eval", "TW - MSL", "--eval", "MSL")
    assert code == 0 and err == ""
    assert set(map(tuple, _eval_rows(out))) == {("3", "3")}


def test_set_that_differs_from_the_record_wins_with_a_note(run16):
    code, out, err = tcpcheck("trace", run16, "--eval", "client.iss + 15", "--set",
                              "bounds.seqspace=32")
    assert code == 0
    assert _eval_rows(out) == [["15"]] * 4  # 32 leaves 0 + 15 as it is
    assert err == (f"note: --set bounds.seqspace=32 differs from the run in {run16}, which was "
                   "found with bounds.seqspace=16; evaluating with bounds.seqspace=32\n")
    code, out, err = tcpcheck("trace", run16, "--eval", "client.iss", "--set", "MSL=2")
    assert code == 2  # the model has no MSL: the usual message, after the note
    assert "which was found without it (the model's own value)" in err
    code, out, err = tcpcheck("trace", run16, "--eval", "client.iss", "--set",
                              "bounds.seqspace=16")
    assert code == 0 and err == ""  # the same as recorded: nothing to say


def test_a_set_smaller_than_the_runs_numbers_is_refused_with_the_reason(run16, tmp_path):
    data = json.loads(open(run16).read())
    data["properties"][0]["trace"]["steps"][1]["state"]["endpoints"][0]["variables"]["iss"] = 9
    path = tmp_path / "nine.json"
    path.write_text(json.dumps(data))
    code, out, err = tcpcheck("trace", str(path), "--eval", "client.iss", "--set",
                              "bounds.seqspace=8")
    assert code == 2 and out == ""
    assert "step 1: client.iss is 9, outside the sequence space 0 .. 7" in err
    assert "the run was found at other settings" in err


def test_an_old_result_without_the_settings_is_refused_not_misread(run16, tmp_path):
    data = json.loads(open(run16).read())
    del data["overrides"], data["bounds"]  # as written before they were recorded
    data["properties"][0]["trace"]["steps"][1]["state"]["endpoints"][0]["variables"]["iss"] = 9
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    code, _, err = tcpcheck("trace", str(path), "--eval", "client.iss + 15")
    assert code == 2
    assert "client.iss is 9, outside the sequence space 0 .. 3" in err and "--set" in err
    code, out, err = tcpcheck("trace", str(path), "--eval", "client.iss + 15", "--set",
                              "bounds.seqspace=16")
    assert code == 0 and err == "" and _eval_rows(out)[1] == ["8"]  # 24 mod 16


def test_a_recorded_setting_the_model_does_not_have(run16, tmp_path):
    data = json.loads(open(run16).read())
    data["overrides"] = {"MSL": 3}
    path = tmp_path / "msl.json"
    path.write_text(json.dumps(data))
    code, _, err = tcpcheck("trace", str(path), "--eval", "client.iss")
    assert code == 2 and "nothing to set called 'MSL'" in err
    assert f"the settings {path} records: --set MSL=3" in err


def test_the_title_says_the_settings(run16):
    code, out, _ = tcpcheck("trace", run16, "--format", "steps")
    assert code == 0
    assert out.splitlines()[0] == ("Counterexample for no_stale_accept: model two_way_handshake "
                                   "(models/two_way_handshake.tcp, --set bounds.seqspace=16), "
                                   "3 steps")


def test_trace_files_keep_the_settings(run16, tmp_path):
    for fmt in ("json", "itf"):
        code, out, _ = tcpcheck("trace", run16, "--format", fmt)
        assert code == 0
        data = json.loads(out)
        facts = data if fmt == "json" else data["#meta"]["tcpcheck"]
        assert facts["overrides"] == {"bounds.seqspace": 16}
        assert facts["bounds"]["seqspace"] == facts["seqspace"] == 16
        saved = tmp_path / f"saved.{fmt}.json"
        saved.write_text(out)
        again = load_trace(str(saved))
        assert again.overrides == (("bounds.seqspace", 16),) and again.seqspace == 16
        code, out, err = tcpcheck("trace", str(saved), "--eval", "client.iss + 15")
        assert code == 0 and err == "" and _eval_rows(out) == [["15"]] * 4


def test_prove_json_records_the_settings(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    # one property: at three incarnations the domains property alone costs the solvers
    # seconds, and the settings recorded are the run's whatever it proves
    code, out, _ = tcpcheck("prove", "models/two_way_handshake.tcp", "--depth", "3",
                            "--set", "bounds.incarnations=3", "--json",
                            "--property", "no_stale_accept")
    assert code == 1
    data = json.loads(out)
    assert data["overrides"] == {"bounds.incarnations": 3}
    assert data["bounds"]["incarnations"] == 3 and data["seqspace"] == 2 ** 32
    path = tmp_path / "proof.json"
    path.write_text(out)
    assert load_trace(str(path)).seqspace == 2 ** 32  # the proof's, not the model's 4


# ---- --eval against a model that does not fit -------------------------------------------------

def test_eval_with_a_ghost_field_the_model_lacks(run_json, tmp_path):
    data = json.loads(open(run_json).read())
    for step in data["properties"][0]["trace"]["steps"]:
        for seg in [step["received"], step["segment"], *step["sent"], *step["expired"],
                    *step["state"]["in_flight"]]:
            if seg is not None:
                seg["ghosts"] = {"tag": 1}
    path = tmp_path / "ghost.json"
    path.write_text(json.dumps(data))
    code, _, err = tcpcheck("trace", str(path), "--eval", "seg.seq")
    assert code == 2
    assert "step 1: a segment has the ghost fields tag, the model's are conn" in err


def test_eval_with_a_variable_of_another_sort(run_json, tmp_path):
    data = json.loads(open(run_json).read())
    for step in data["properties"][0]["trace"]["steps"]:
        step["state"]["endpoints"][1]["variables"]["chose_isn"] = 0
    path = tmp_path / "sort.json"
    path.write_text(json.dumps(data))
    code, _, err = tcpcheck("trace", str(path), "--eval", "server.chose_isn")
    assert code == 2 and "step 0: server.chose_isn is a number, but the model declares it " \
                         "bool; the model changed" in err


def test_eval_with_a_model_path_that_is_not_a_file(run_json, tmp_path):
    code, _, err = tcpcheck("trace", run_json, "--eval", "client.iss", "--model", "/dev/zero")
    assert code == 2 and "/dev/zero is a character device, not a model file" in err
    code, _, err = tcpcheck("trace", run_json, "--eval", "client.iss", "--model", str(tmp_path))
    assert code == 2 and "is a directory, not a model file" in err


@pytest.mark.parametrize("fmt", ["json", "itf"])
def test_check_format_json_and_itf_record_the_settings_too(fmt, tmp_path, monkeypatch):
    # `check --format json|itf` writes one run as a trace file: read back, it is evaluated
    # at the run's own settings, as a whole result is
    monkeypatch.chdir(ROOT)
    code, out, _ = tcpcheck("check", "models/two_way_handshake.tcp", "--set",
                            "bounds.seqspace=16", "--format", fmt)
    assert code == 1
    path = tmp_path / f"run.{fmt}.json"
    path.write_text(out, encoding="utf-8")
    code, out, err = tcpcheck("trace", str(path), "--eval", "client.iss + 15")
    assert code == 0 and err == ""
    assert _eval_rows(out) == [["15"]] * 4
