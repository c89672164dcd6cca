"""Traces written as JSON or ITF read back into equal Trace records."""

from __future__ import annotations

import json

import pytest
from tracefile_support import QUICK_RUNS, checked, every_trace, hand_built, itf_problems

from tcpcheck.trace import itf as render_itf
from tcpcheck.render import json as render_json
from tcpcheck.trace.files import load_trace, trace_from_itf, trace_from_json

RUN_IDS = [name.removesuffix(".tcp") for name, _ in QUICK_RUNS]


def _run(name, overrides):
    return checked(name, tuple(sorted(overrides.items())))


def _write(tmp_path, name, data) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("name,overrides", QUICK_RUNS, ids=RUN_IDS)
def test_every_trace_of_a_shipped_model_round_trips_through_json_and_itf(name, overrides,
                                                                         tmp_path):
    model, result = _run(name, overrides)
    traces = every_trace(result)
    assert traces, "the run should have at least one trace"
    for i, t in enumerate(traces):
        assert trace_from_json(json.loads(json.dumps(render_json.trace(t)))) == t
        bare = load_trace(_write(tmp_path, f"{i}.json", render_json.trace(t)))
        assert bare.trace == t and bare.format == "trace"
        seqspace = model.bounds.seqspace
        itf = render_itf.itf(t, meta={"file": model.file, "seqspace": seqspace})
        assert itf_problems(itf) == []
        loaded = load_trace(_write(tmp_path, f"{i}.itf.json", itf))
        assert loaded.trace == t and loaded.format == "itf"
        assert (loaded.file, loaded.seqspace) == (model.file, seqspace)


@pytest.mark.parametrize("name,overrides", QUICK_RUNS, ids=RUN_IDS)
def test_a_whole_result_gives_each_property_and_each_counterexample(name, overrides, tmp_path):
    model, result = _run(name, overrides)
    path = _write(tmp_path, "run.json", render_json.check_result(result, model))
    with_trace = [p for p in result.properties if p.trace is not None]
    first = load_trace(path)
    assert first.trace == with_trace[0].trace and first.format == "result"
    assert (first.model, first.file, first.seqspace) == (model.name, model.file,
                                                         model.bounds.seqspace)
    # the run's settings: the --set values and the bounds they give
    assert first.overrides == tuple(overrides.items())
    assert first.bounds == render_json.bounds(model)
    assert first.bounds["channel"]["capacity"] == model.channel.capacity
    for p in with_trace:
        assert load_trace(path, p.name).trace == p.trace
        for k, t in enumerate(p.traces, start=1):
            assert load_trace(path, p.name, counterexample=k).trace == t


def test_several_counterexamples_are_kept_where_they_exist():
    _, result = _run("teardown_no_time_wait.tcp", {"channel.capacity": 1})
    clean = result.get("clean_close")
    # each breaks it in its own way: a different sequence of actions, values aside
    shapes = {tuple((s.actor, s.kind, s.transition) for s in t.steps[1:]) for t in clean.traces}
    assert len(clean.traces) == 3 and len(shapes) == 3


@pytest.mark.parametrize("loop_start,kind,prop", [(None, "counterexample", "made_up"),
                                                  (2, "witness", None)])
def test_a_hand_built_trace_with_every_kind_of_step_round_trips(loop_start, kind, prop,
                                                                tmp_path):
    t = hand_built(loop_start, kind, prop)
    assert {s.kind for s in t.steps} == {"init", "user", "duplicate", "lose", "tick", "crash",
                                         "discard", "recv", "error"}
    assert trace_from_json(json.loads(json.dumps(render_json.trace(t)))) == t
    data = render_itf.itf(t)
    assert itf_problems(data) == []
    assert ("loop" in data) == (loop_start is not None)
    again, facts = trace_from_itf(json.loads(render_itf.dumps(data)))
    assert again == t and facts == {"file": None, "seqspace": None, "overrides": None,
                                    "bounds": None}
    doc = render_json.trace_file(t, file="m.tcp", seqspace=2 ** 32)
    loaded = load_trace(_write(tmp_path, "t.json", doc))
    assert loaded.trace == t and loaded.format == "trace-file"
    assert (loaded.file, loaded.seqspace) == ("m.tcp", 2 ** 32)


def test_the_params_of_a_symbolic_run_round_trip():
    # "alice" is also an endpoint's name (tcpspec allows it): only #meta can hold it then
    t = hand_built(params=(("MSL", 3), ("TW", 7), ("alice", 1)))
    assert trace_from_json(json.loads(json.dumps(render_json.trace(t)))) == t
    data = render_itf.itf(t)
    assert itf_problems(data) == []
    assert data["params"] == ["MSL", "TW"] and data["states"][0]["TW"] == {"#bigint": "7"}
    assert "TW" not in data["states"][1]
    assert trace_from_itf(json.loads(render_itf.dumps(data)))[0] == t


def test_a_trace_json_without_endpoint_names_still_reads():
    # files written before the field existed: the snapshots name the endpoints
    t = hand_built()
    data = render_json.trace(t)
    del data["endpoint_names"], data["params"]
    assert trace_from_json(data) == t


def test_a_symbolic_trace_with_32_bit_numbers_round_trips(tmp_path):
    from tcpcheck import symbolic
    from tcpcheck.loader import load_file
    from tracefile_support import ROOT

    model = load_file(ROOT / "models" / "two_way_handshake.tcp")
    result = symbolic.prove(model, symbolic.ProveOptions(depth=3, properties=("no_stale_accept",)))
    p = result.get("no_stale_accept") if hasattr(result, "get") else result.properties[0]
    assert p.status == "violated"
    path = _write(tmp_path, "proof.json", render_json.proof_result(result, model, 3))
    loaded = load_trace(path)
    assert loaded.trace == p.trace and loaded.seqspace == 2 ** 32
    itf = render_itf.itf(p.trace, meta={"seqspace": loaded.seqspace})
    assert itf_problems(itf) == []
    assert trace_from_itf(json.loads(render_itf.dumps(itf)))[0] == p.trace


def test_itf_writes_the_action_and_the_whole_system():
    _, result = _run("two_way_handshake.tcp", {})
    t = result.get("no_stale_accept").trace
    data = render_itf.itf(t)
    assert data["vars"] == ["mbt::actionTaken", "tcpcheck::step", "client", "server", "channel"]
    assert [s["mbt::actionTaken"] for s in data["states"]] == [
        "init", "client.connect", "client.crash", "server.syn_in"]
    last = data["states"][-1]
    assert last["client"]["incarnation"] == {"#bigint": "1"}
    assert last["client"]["variables"]["used"] == {"#set": [{"#bigint": "0"}]}
    assert last["client"]["timers"]["rexmt"] == {"tag": "None", "value": {"#tup": []}}
    assert last["server"]["state"] == "ESTABLISHED"
    assert last["channel"]["in_flight"][0]["flags"] == {"#set": ["SYN", "ACK"]}
    assert last["tcpcheck::step"]["received"]["tag"] == "Some"
    assert data["#meta"]["format"] == "ITF"
    assert render_itf.dumps(data) == render_itf.dumps(render_itf.itf(t))  # deterministic


def test_the_json_and_itf_entries_of_the_format_table_read_back():
    from tcpcheck.render.formats import render_trace

    t = hand_built()
    assert trace_from_json(json.loads(render_trace(t, "json"))) == t
    assert trace_from_itf(json.loads(render_trace(t, "itf")))[0] == t
