"""Files that are not traces: a clear UsageError naming the file and the place in it."""

from __future__ import annotations

import json

import pytest
from tracefile_support import checked, hand_built

from tcpcheck.diagnostics import UsageError
from tcpcheck.render import itf as render_itf
from tcpcheck.render import json as render_json
from tcpcheck.tracefile import load_trace


def _write(tmp_path, data, name="t.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def result_json():
    model, result = checked("two_way_handshake.tcp")
    return render_json.check_result(result, model)


def _fails(path, *parts, **kw):
    with pytest.raises(UsageError) as info:
        load_trace(path, **kw)
    message = str(info.value)
    for part in parts:
        assert part in message, message
    return message


def test_a_missing_file(tmp_path):
    _fails(str(tmp_path / "nope.json"), "no such trace file", "nope.json")


def test_a_directory(tmp_path):
    _fails(str(tmp_path), "is a directory")


def test_not_json_gives_line_column_and_a_caret(tmp_path):
    path = _write(tmp_path, '{\n  "steps": [1, 2,,]\n}\n')
    message = _fails(path, f"{path}:2:", "not a JSON file")
    lines = message.splitlines()
    assert lines[1].endswith('"steps": [1, 2,,]')
    column = int(lines[0].split(":")[2])
    assert lines[2].index("^") - lines[2].index("| ") - 2 == column - 1


def test_json_that_is_not_an_object(tmp_path):
    _fails(_write(tmp_path, [1, 2]), "expected a JSON object", "found a list")


def test_an_object_of_another_kind(tmp_path):
    _fails(_write(tmp_path, {"hello": 1}), "not a tcpcheck trace")


def test_a_missing_field_is_named_with_its_place(tmp_path, result_json):
    data = json.loads(json.dumps(result_json))
    del data["properties"][0]["trace"]["steps"][2]["state"]["lost"]
    _fails(_write(tmp_path, data), "properties[0].trace.steps[2].state", "missing field 'lost'")


def test_a_field_of_the_wrong_type(tmp_path, result_json):
    data = json.loads(json.dumps(result_json))
    data["properties"][0]["trace"]["steps"][1]["index"] = "one"
    _fails(_write(tmp_path, data), "properties[0].trace.steps[1].index",
           "expected an integer, found a string")


def test_an_unknown_flag_gets_a_hint(tmp_path):
    data = render_json.trace(hand_built())
    data["steps"][1]["sent"][0]["flags"] = ["SNY"]
    _fails(_write(tmp_path, data), "steps[1].sent[0].flags", "unknown flag 'SNY'",
           "did you mean 'SYN'?")


def test_length_must_match_the_steps(tmp_path):
    data = render_json.trace(hand_built())
    data["length"] = 3
    _fails(_write(tmp_path, data), "length", "says 3 actions")


def test_no_such_property_with_did_you_mean(tmp_path, result_json):
    path = _write(tmp_path, result_json)
    _fails(path, "no property 'no_stale_acept'", "did you mean 'no_stale_accept'?",
           "it has: no_stale_accept, handshake_completes", property="no_stale_acept")


def test_a_property_without_a_trace(tmp_path, result_json):
    data = json.loads(json.dumps(result_json))
    data["properties"][1]["trace"] = None
    data["properties"][1]["status"] = "unreachable"
    _fails(_write(tmp_path, data), "'handshake_completes' has no trace",
           "status is unreachable", property="handshake_completes")


def test_a_result_where_nothing_has_a_trace(tmp_path, result_json):
    data = json.loads(json.dumps(result_json))
    for p in data["properties"]:
        p["trace"] = None
    _fails(_write(tmp_path, data), "no property in this file has a trace")


def test_a_counterexample_number_beyond_those_kept(tmp_path, result_json):
    _fails(_write(tmp_path, result_json), "has 3 counterexamples", "no number 4",
           property="no_stale_accept", counterexample=4)


def test_a_single_trace_file_names_its_own_property(tmp_path):
    path = _write(tmp_path, render_json.trace(hand_built()))
    _fails(path, "one trace, of property 'made_up'", "did you mean 'made_up'?",
           property="made_upp")


def test_itf_not_written_by_tcpcheck(tmp_path):
    foreign = {"vars": ["x"], "states": [{"x": {"#bigint": "1"}}]}
    _fails(_write(tmp_path, foreign), "#meta.tcpcheck")


def test_itf_missing_a_variable(tmp_path):
    data = render_itf.itf(hand_built())
    data["vars"].remove("channel")
    _fails(_write(tmp_path, data), "the variable 'channel' is missing")


def test_itf_with_a_bad_bigint(tmp_path):
    data = render_itf.itf(hand_built())
    data["states"][1]["alice"]["incarnation"] = {"#bigint": "1.5"}
    _fails(_write(tmp_path, data), "states[1].alice.incarnation", "expected an integer")


def test_itf_with_a_bad_option(tmp_path):
    data = render_itf.itf(hand_built())
    data["states"][1]["tcpcheck::step"]["transition"] = "connect"
    _fails(_write(tmp_path, data), "states[1].tcpcheck::step.transition", "expected an option")
