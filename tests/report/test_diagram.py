"""State diagrams: the DOT text (golden files), trace highlighting, SVG through Graphviz,
and ``tcpcheck diagram``."""

from __future__ import annotations

import dataclasses
import io
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tcpcheck.cli import main
from tcpcheck.diagnostics import UsageError
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file, load_string
from tcpcheck.render import diagram
from tcpcheck.render import json as render_json

from .golden import assert_golden

ROOT = Path(__file__).resolve().parents[2]
THREE_WAY = ROOT / "models" / "three_way_handshake.tcp"
TWO_WAY = ROOT / "models" / "two_way_handshake.tcp"
SVG_NS = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="needs Graphviz's dot (apt-get install graphviz)")


@pytest.fixture(scope="module")
def three_way():
    return load_file(THREE_WAY)


@pytest.fixture(scope="module")
def witness(three_way):
    """The shortest handshake: connect, syn_in, syn_ack_in, ack_in.  The depth limit keeps
    the search short (the built-in domains property would otherwise make it explore
    everything); breadth-first, it finds the same shortest witness."""
    result = check(three_way, CheckOptions(properties=("handshake_completes",), max_depth=4))
    return result.get("handshake_completes").trace


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(map(str, argv)), out, err)
    return code, out.getvalue(), err.getvalue()


# ---- DOT ------------------------------------------------------------------------------------

def test_three_way_handshake_dot(three_way):
    assert_golden("three_way_handshake.dot", diagram.dot(three_way))


def test_three_way_handshake_dot_with_a_trace(three_way, witness):
    assert [s.transition for s in witness.steps[1:]] == ["connect", "syn_in", "syn_ack_in",
                                                         "ack_in"]
    assert_golden("three_way_handshake_witness.dot", diagram.dot(three_way, trace=witness))


def test_dot_is_deterministic(three_way, witness):
    assert diagram.dot(three_way, trace=witness) == diagram.dot(three_way, trace=witness)


def test_every_state_is_a_node_and_initial_and_terminal_are_marked(three_way):
    text = diagram.dot(three_way)
    for ep in three_way.endpoints:
        assert f'subgraph "cluster_{ep.name}"' in text
        for state in ep.states:
            assert f'"{ep.name}.{state}" [label="{state}"' in text
        assert f'"{ep.name}.__initial" -> "{ep.name}.{ep.states[ep.initial]}";' in text
    assert '"server.ESTABLISHED" [label="ESTABLISHED", peripheries=2' in text
    assert '"server.LISTEN" [label="LISTEN"];' in text  # not terminal: a single border


def test_edges_say_trigger_and_sends(three_way):
    text = diagram.dot(three_way)
    assert ('"server.LISTEN" -> "server.SYN_RECEIVED" '
            '[label="syn_in\\nrecv SYN / snd SYN,ACK"') in text
    # the loops of one state are one edge with a line per transition (Graphviz would
    # otherwise draw their labels on top of each other)
    loop = [line for line in text.splitlines()
            if '"client.SYN_SENT" -> "client.SYN_SENT"' in line]
    assert len(loop) == 1
    assert "syn_rexmt: timeout rexmt / snd SYN\\l" in loop[0]
    assert "bad_ack_rst: recv ACK -RST ... / snd RST\\l" in loop[0]


def test_a_trace_highlights_what_it_used(three_way, witness):
    used = diagram.used_edges(three_way, witness)
    client, server = three_way.endpoints
    by_name = {(e, ep.transitions[t].name, ep.states[s]): steps
               for (e, t, s), steps in used.items()
               for ep in [three_way.endpoints[e]]}
    assert by_name == {(0, "connect", "CLOSED"): (1,), (1, "syn_in", "LISTEN"): (2,),
                       (0, "syn_ack_in", "SYN_SENT"): (3,), (1, "ack_in", "SYN_RECEIVED"): (4,)}
    visited = diagram.visited_states(three_way, witness)
    assert (1, server.state_index("SYN_RECEIVED")) in visited
    assert len(visited) == len(client.states) + len(server.states)
    text = diagram.dot(three_way, trace=witness)
    assert "syn_in\\nrecv SYN / snd SYN,ACK\\n(step 2)" in text
    assert text.count(f'color="{diagram.HIGHLIGHT}", fontcolor') == 4  # the four edges taken


def test_a_transition_taken_twice_lists_both_steps():
    model = load_string(
        "model loop\n"
        "endpoint a { states S, T  initial S  timer t\n"
        "  transition go: S -> T on open { start t 1 }\n"
        "  transition again: T -> same on timeout t { start t 1 } }\n"
        "endpoint b { states U  initial U }\n"
        "property twice: reachable a.state == T\n")
    trace = check(model, CheckOptions(properties=("twice",))).get("twice").trace
    again = dataclasses.replace(trace.steps[1], index=2, transition="again",
                                state=trace.steps[1].state)
    longer = dataclasses.replace(trace, steps=trace.steps + (
        again, dataclasses.replace(again, index=3)))
    assert diagram.used_edges(model, longer)[(0, 1, 1)] == (2, 3)
    assert "again: timeout t (steps 2, 3)" in diagram.dot(model, trace=longer)


def test_one_endpoint_only(three_way):
    text = diagram.dot(three_way, endpoint="server")
    assert "cluster_server" in text and "cluster_client" not in text


def test_an_unknown_endpoint_is_a_usage_error_with_a_hint(three_way):
    with pytest.raises(UsageError, match=r"no endpoint 'sever' \(did you mean 'server'\?\); "
                                         r"it has: client, server"):
        diagram.dot(three_way, endpoint="sever")


def test_a_trace_of_another_model_is_a_usage_error(three_way, witness):
    bad = dataclasses.replace(witness.steps[1], transition="no_such_transition")
    trace = dataclasses.replace(witness, steps=(witness.steps[0], bad) + witness.steps[2:])
    with pytest.raises(UsageError, match="client.no_such_transition"):
        diagram.dot(three_way, trace=trace)


def test_sends_in_both_branches_are_listed_once(three_way):
    client = three_way.endpoints[0]
    closed_rst = next(t for t in client.transitions if t.name == "closed_rst")
    assert diagram.sends_summary(closed_rst.body) == "snd RST,ACK"
    crash = next(t for t in client.transitions if t.name == "crash")
    assert diagram.edge_label(client, crash) == "crash"


def test_quotes_and_backslashes_in_names_are_escaped():
    assert diagram._quote('say "hi" \\ now\nnext') == '"say \\"hi\\" \\\\ now\\nnext"'


# ---- SVG ------------------------------------------------------------------------------------

@needs_dot
def test_svg_has_a_node_per_state(three_way, witness):
    root = ET.fromstring(diagram.svg(diagram.dot(three_way, trace=witness)))
    assert root.tag == f"{SVG_NS}svg"
    titles = {g.find(f"{SVG_NS}title").text for g in root.iter(f"{SVG_NS}g")
              if g.get("class") == "node"}
    expected = {f"{ep.name}.{s}" for ep in three_way.endpoints for s in ep.states}
    assert expected <= titles
    clusters = {g.find(f"{SVG_NS}title").text for g in root.iter(f"{SVG_NS}g")
                if g.get("class") == "cluster"}
    assert clusters == {"cluster_client", "cluster_server"}


def test_svg_without_graphviz_is_a_usage_error(monkeypatch):
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    with pytest.raises(UsageError, match="apt-get install graphviz"):
        diagram.svg("digraph x {}")


# ---- tcpcheck diagram -----------------------------------------------------------------------

def test_cli_prints_dot(three_way):
    code, out, err = _run("diagram", THREE_WAY)
    assert (code, err) == (0, "")
    assert out == diagram.dot(three_way)


@needs_dot
def test_cli_writes_svg_with_a_saved_trace(tmp_path):
    model = load_file(TWO_WAY)
    result = check(model)
    saved = tmp_path / "run.json"
    saved.write_text(render_json.dumps(render_json.check_result(result, model)))
    out_file = tmp_path / "run.svg"
    code, out, err = _run("diagram", TWO_WAY, "--trace", saved, "--format", "svg",
                          "-o", out_file)
    assert code == 0, err
    assert out == f"wrote {out_file}\n"
    root = ET.fromstring(out_file.read_text())
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG_NS}text"))
    assert "(step 3)" in texts  # syn_in, which accepted the stale SYN


def test_cli_bad_endpoint_exits_2_with_a_hint():
    code, out, err = _run("diagram", THREE_WAY, "--endpoint", "clinet")
    assert code == 2 and out == ""
    assert "did you mean 'client'?" in err and "Traceback" not in err


def test_cli_missing_trace_file_exits_2(tmp_path):
    code, _, err = _run("diagram", THREE_WAY, "--trace", tmp_path / "nope.json")
    assert code == 2 and "nope.json" in err


def test_cli_bad_format_exits_2():
    code, _, err = _run("diagram", THREE_WAY, "--format", "png")
    assert code == 2 and "invalid choice" in err


def test_cli_property_without_a_trace_exits_2():
    code, _, err = _run("diagram", THREE_WAY, "--property", "no_stale_accept")
    assert code == 2 and "--trace" in err


def test_a_run_of_another_model_with_the_same_names_is_a_usage_error(three_way):
    # in the two-way model syn_in goes LISTEN -> ESTABLISHED; here it goes to SYN_RECEIVED
    two_way = load_file(TWO_WAY)
    trace = check(two_way).get("no_stale_accept").trace
    with pytest.raises(UsageError, match=r"at step 3 server.syn_in goes from LISTEN to "
                                         r"ESTABLISHED, but in the model it goes from LISTEN "
                                         r"to SYN_RECEIVED"):
        diagram.dot(three_way, trace=trace)
