"""Files that are not traces: a clear UsageError naming the file and the place in it."""

from __future__ import annotations

import json
import os

import pytest
from tracefile_support import checked, hand_built

from tcpcheck.trace import files as tracefile
from tcpcheck.diagnostics import UsageError
from tcpcheck.trace import itf as render_itf
from tcpcheck.render import json as render_json
from tcpcheck.trace.records import trace_problem
from tcpcheck.trace.files import load_trace


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


# ---- reading limits -----------------------------------------------------------------------------

def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    _fails(str(fifo), "is a FIFO (named pipe), not a trace file", "regular files only")


def test_a_device_is_refused_without_reading_it():
    _fails("/dev/zero", "/dev/zero is a character device, not a trace file")


def test_a_directory_says_so(tmp_path):
    _fails(str(tmp_path), "is a directory, not a trace file")


def test_a_file_over_the_size_limit_is_refused_with_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(tracefile, "MAX_BYTES", 2 ** 20)
    path = tmp_path / "big.json"
    path.write_text(" " * (2 ** 20 + 1))
    _fails(str(path), "is larger than 1 MiB, the most tcpcheck reads as a trace file")


def test_the_size_limit_is_generous():
    assert tracefile.MAX_BYTES == 256 * 2 ** 20


def test_nesting_at_the_limit_is_read_and_beyond_it_refused_with_line_and_column(tmp_path):
    depth = tracefile.MAX_DEPTH
    at_limit = _write(tmp_path, "[" * depth + "1" + "]" * depth, "ok.json")
    _fails(at_limit, "expected a JSON object")  # read, then refused for what it is
    beyond = _write(tmp_path, '{"steps":\n' + "[" * depth + "1" + "]" * depth + "}")
    _fails(beyond, f"{beyond}:2:{depth}: the JSON is nested more than {depth} levels deep")


def test_nesting_too_deep_for_pythons_reader_is_refused_the_same_way(tmp_path):
    path = _write(tmp_path, "[" * 100_000)
    _fails(path, f"{path}:1:{tracefile.MAX_DEPTH + 1}: the JSON is nested more than")


def test_a_huge_integer_is_named_with_its_place(tmp_path):
    data = render_json.trace(hand_built())
    text = json.dumps(data).replace('"seq": 4294967292', '"seq": ' + "7" * 5000, 1)
    _fails(_write(tmp_path, text), "steps[1].sent[0].seq: an integer of 5000 digits",
           "at most 100 digits")


def test_a_huge_bigint_in_itf(tmp_path):
    data = render_itf.itf(hand_built())
    data["states"][1]["alice"]["incarnation"] = {"#bigint": "1" * 5000}
    _fails(_write(tmp_path, data), "states[1].alice.incarnation",
           "an integer of at most 100 digits")


def test_a_lone_surrogate_is_refused(tmp_path):
    path = _write(tmp_path, '{"steps": [], "model": "\\ud800"}')
    _fails(path, "model: a string that is not Unicode text")


def test_bytes_that_are_not_utf8_give_line_and_column(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{\n  "model": "caf\xe9"\n}')
    _fails(str(path), f"{path}:2:16: not UTF-8 text (byte 0xe9)")


# ---- a trace that does not hang together -------------------------------------------------------

def _broken(tmp_path, change, *parts, itf=False):
    """Write the hand-built trace (JSON or ITF) after ``change``, expect it refused."""
    data = (render_itf.itf if itf else render_json.trace)(hand_built())
    change(data)
    return _fails(_write(tmp_path, data), *parts)


def test_a_step_numbered_out_of_place(tmp_path):
    def change(d):
        d["steps"][3]["index"] = 4
    _broken(tmp_path, change, "steps[3].index: step 3 of the run says it is step 4")


def test_steps_reordered(tmp_path):
    def change(d):
        d["steps"][2], d["steps"][3] = d["steps"][3], d["steps"][2]
    _broken(tmp_path, change, "steps[2].index: step 2 of the run says it is step 3")


def test_one_endpoint_name(tmp_path):
    def change(d):
        d["endpoint_names"] = ["alice"]
    _broken(tmp_path, change, "endpoint_names: a trace has two endpoints")


def test_the_same_name_twice(tmp_path):
    def change(d):
        d["endpoint_names"] = ["alice", "alice"]
    _broken(tmp_path, change, "endpoint_names: a trace has two endpoints with different names")


def test_a_snapshot_with_one_endpoint(tmp_path):
    def change(d):
        del d["steps"][4]["state"]["endpoints"][1]
    _broken(tmp_path, change, "steps[4].state.endpoints: expected the 2 endpoints alice, bob, "
            "found 1")


def test_a_snapshot_naming_another_endpoint(tmp_path):
    def change(d):
        d["steps"][2]["state"]["endpoints"][1]["name"] = "carol"
    _broken(tmp_path, change, "steps[2].state.endpoints[1].name: endpoint 2 of the run is bob, "
            "not 'carol'")


def test_names_read_from_the_first_snapshot_when_the_field_is_absent(tmp_path):
    def change(d):
        del d["endpoint_names"]
        del d["steps"][0]["state"]["endpoints"][1]
    _broken(tmp_path, change, "steps[0].state.endpoints: a trace has two endpoints")


def test_a_variable_missing_in_a_later_step(tmp_path):
    def change(d):
        del d["steps"][5]["state"]["endpoints"][0]["variables"]["used"]
    _broken(tmp_path, change, "steps[5].state.endpoints[0].variables: no variable 'used': "
            "the variables are those of step 0 (iss, used, open, delta)")


def test_a_variable_of_another_sort_in_a_later_step(tmp_path):
    def change(d):
        d["steps"][5]["state"]["endpoints"][0]["variables"]["open"] = 3
    _broken(tmp_path, change, "steps[5].state.endpoints[0].variables.open: a whole number "
            "here, but true/false in step 0")


def test_a_timer_more_in_a_later_step(tmp_path):
    def change(d):
        d["steps"][1]["state"]["endpoints"][1]["timers"]["rexmt"] = 3
    _broken(tmp_path, change, "steps[1].state.endpoints[1].timers: a timer 'rexmt' that step 0 "
            "does not have")


def test_a_negative_timer(tmp_path):
    def change(d):
        d["steps"][1]["state"]["endpoints"][0]["timers"]["rexmt"] = -1
    _broken(tmp_path, change, "steps[1].state.endpoints[0].timers.rexmt: a timer's ticks left "
            "must be a whole number, 0 or more")


def test_a_segment_to_an_unknown_endpoint(tmp_path):
    def change(d):
        d["steps"][3]["state"]["in_flight"][0]["dst"] = "carol"
    _broken(tmp_path, change, "steps[3].state.in_flight[0].dst: 'carol' is not an endpoint of "
            "the run (alice, bob)")


def test_a_segment_to_itself(tmp_path):
    def change(d):
        d["steps"][1]["sent"][0]["dst"] = "alice"
    _broken(tmp_path, change, "steps[1].sent[0].dst: a segment goes from one endpoint to the "
            "other")


def test_a_segment_without_a_ghost_field_the_others_have(tmp_path):
    def change(d):
        del d["steps"][2]["segment"]["ghosts"]["old"]
    _broken(tmp_path, change, "steps[2].segment.ghosts: no ghost field 'old': the ghost "
            "fields are those of the run's first segment (inc, old)")


def test_a_received_segment_for_the_other_endpoint(tmp_path):
    def change(d):
        d["steps"][6]["actor"] = "bob"
    _broken(tmp_path, change, "steps[6].received.dst: bob receives a segment for alice")


def test_a_step_kind_and_its_actor(tmp_path):
    def change(d):
        d["steps"][4]["actor"] = "alice"
    _broken(tmp_path, change, "steps[4].actor: a step of kind 'tick' is taken by 'clock', "
            "not 'alice'")


def test_an_unknown_step_kind(tmp_path):
    def change(d):
        d["steps"][4]["kind"] = "nap"
    _broken(tmp_path, change, "steps[4].kind: unknown kind of step 'nap'")


def test_a_second_initial_state(tmp_path):
    def change(d):
        d["steps"][1]["kind"] = "init"
    _broken(tmp_path, change, "steps[1].kind: only step 0 is the initial state")


def test_an_error_step_before_the_end(tmp_path):
    def change(d):
        d["steps"][7] = {**d["steps"][8], "index": 7}
    _broken(tmp_path, change, "steps[7].kind: an 'error' step can only be the last step")


def test_a_tick_summary_rfc_cannot_count(tmp_path):
    def change(d):
        d["steps"][4]["summary"] = "\u00b2 ticks pass"
    _broken(tmp_path, change, "steps[4].summary: a tick's summary begins 'one tick passes'")


def test_a_summary_with_a_terminal_escape(tmp_path):
    def change(d):
        d["steps"][1]["summary"] = "\x1b[2J gone"
    _broken(tmp_path, change, "steps[1].summary: a summary is one line of printable text")


def test_dropped_segments_are_the_last_sent(tmp_path):
    def change(d):
        d["steps"][7]["overflowed"][0]["seq"] = 3
    _broken(tmp_path, change, "steps[7].overflowed: the segments dropped are the last of those "
            "sent")


def test_a_recv_step_without_its_trigger(tmp_path):
    def change(d):
        d["steps"][7]["trigger"] = None
    _broken(tmp_path, change, "steps[7].trigger: the trigger of a step of kind 'recv' is "
            "'recv', not None")


@pytest.mark.parametrize("loop", [0, 9, -1])
def test_a_loop_outside_the_run(tmp_path, loop):
    def change(d):
        d["loop_start"] = loop
    _broken(tmp_path, change, f"loop_start: the loop starts at step {loop}, but the steps that "
            "can repeat are 1 to 8")


def test_a_state_that_is_not_a_name(tmp_path):
    def change(d):
        d["steps"][1]["state"]["endpoints"][0]["state"] = "SYN SENT"
    _broken(tmp_path, change, "steps[1].state.endpoints[0].state: a control state must be a "
            "name")


def test_a_flag_listed_twice(tmp_path):
    def change(d):
        d["steps"][1]["sent"][0]["flags"] = ["SYN", "SYN"]
    _broken(tmp_path, change, "steps[1].sent[0].flags: a flag is listed twice")


def test_null_in_a_list_of_segments(tmp_path):
    def change(d):
        d["steps"][1]["sent"] = [None]
    _broken(tmp_path, change, "steps[1].sent[0]: expected a segment, found null")


def test_a_number_outside_the_recorded_sequence_space(tmp_path, result_json):
    data = json.loads(json.dumps(result_json))
    data["properties"][0]["trace"]["steps"][3]["sent"][0]["ack"] = 4
    _fails(_write(tmp_path, data), "properties[0].trace.steps[3].sent[0].ack: ack 4 is outside "
           "the sequence space 0 .. 3 of the run")


def test_itf_places_are_named_in_the_itf_file(tmp_path):
    def change(d):
        d["states"][3]["#meta"]["index"] = 7
    _broken(tmp_path, change, "states[3].#meta.index: step 3 of the run says it is step 7",
            itf=True)

    def change(d):
        del d["states"][5]["alice"]["variables"]["used"]
    _broken(tmp_path, change, "states[5].alice.variables: no variable 'used'", itf=True)

    def change(d):
        d["states"][3]["channel"]["in_flight"][0]["src"] = "carol"
    _broken(tmp_path, change, "states[3].channel.in_flight[0].src: 'carol' is not an endpoint",
            itf=True)

    def change(d):
        d["states"][6]["tcpcheck::step"]["received"]["value"]["dst"] = "bob"
    _broken(tmp_path, change, "states[6].tcpcheck::step.received.value.dst:", itf=True)

    def change(d):
        d["loop"] = 12
    _broken(tmp_path, change, "loop: the loop starts at step 12", itf=True)


def test_itf_whose_action_disagrees_with_its_step(tmp_path):
    def change(d):
        d["states"][2]["mbt::actionTaken"] = "channel.lose"
    _broken(tmp_path, change, "states[2].mbt::actionTaken: says channel.lose, but the step is "
            "'channel.duplicate'", itf=True)


def test_itf_whose_length_disagrees(tmp_path):
    def change(d):
        d["#meta"]["tcpcheck"]["length"] = 3
    _broken(tmp_path, change, "#meta.tcpcheck.length: says 3 actions but 'states' has 9",
            itf=True)


def test_every_shipped_run_keeps_the_rules(result_json):
    """No real run breaks them: the rules describe what engines write."""
    model, result = checked("two_way_handshake.tcp")
    for p in result.properties:
        for t in p.traces or ((p.trace,) if p.trace else ()):
            assert trace_problem(t, seqspace=model.bounds.seqspace) is None
    assert trace_problem(hand_built(loop_start=8), seqspace=2 ** 32) is None


def test_the_recorded_settings_are_checked(tmp_path, result_json):
    data = json.loads(json.dumps(result_json))
    data["overrides"] = {"bounds.seqspace": "sixteen"}
    _fails(_write(tmp_path, data), "overrides.bounds.seqspace: expected a whole number, yes, no "
           "or unbounded")
    data["overrides"] = {"no such thing": 1}
    _fails(_write(tmp_path, data), "overrides: 'no such thing' is not something --set can set")
    data["overrides"] = {}
    data["bounds"]["channel"]["capacity"] = -1
    _fails(_write(tmp_path, data), "bounds.channel.capacity: expected 0 or more, found -1")
    data["bounds"] = {"seqspace": 1}
    _fails(_write(tmp_path, data), "bounds.seqspace: expected 2 or more, found 1")
