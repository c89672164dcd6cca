"""``tcpcheck diff``: the search for a shortest distinguishing run (tcpcheck/analyses/diff.py), its
side-by-side rendering (tcpcheck/render/diffview.py) and the command's exit codes.

Tiny models written to tmp_path give exact expected runs; the handshake models give the
classic case (the old duplicate SYN), which is found at depth 3 in a fraction of a second.
"""

from __future__ import annotations

import io
import json

import pytest

from tcpcheck.cli import main
from tcpcheck.diagnostics import UsageError
from tcpcheck.analyses.diff import CANNOT, KEEPS, DiffOptions, diff
from tcpcheck.render.diffview import describe_observation
from tcpcheck.loader import load_file, load_string

from tests.conftest import MODELS, ROOT
from tests.golden import check_golden

GOLDEN = ROOT / "tests" / "diff" / "golden"
TWO = "models/two_way_handshake.tcp"
THREE = "models/three_way_handshake.tcp"


def run_cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(["diff", *argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def flat(text: str) -> str:
    """The text with its line breaks and padding undone, to look for wrapped sentences."""
    return " ".join(text.replace(" | ", " ").split())


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # so that the model paths printed are relative, as in the golden


# ---- tiny models ---------------------------------------------------------------------------

# a opens and sends a SYN; b answers it (ANSWER is replaced) and is done.
PING = """
model {name}
channel {{ capacity = 1  loss = 0  duplication = 0 }}
endpoint a {{
  states IDLE, SENT
  initial IDLE
  terminal SENT
  transition go: IDLE -> SENT on open {{ send SYN(seq=0) }}
  transition answer: SENT -> SENT on recv ...
}}
endpoint b {{
  states WAIT, GOT
  initial WAIT
  terminal GOT
  var flag : 0..1
  transition got: WAIT -> GOT on recv SYN {{ {answer} }}
}}
property clean: always b.flag == 0
property answered: reachable b.state == GOT
"""


def write(tmp_path, name, answer):
    path = tmp_path / f"{name}.tcp"
    path.write_text(PING.format(name=name, answer=answer))
    return str(path)


@pytest.fixture
def pings(tmp_path):
    return {
        "ack": write(tmp_path, "ping_ack", "send ACK(seq=0, ack=1)"),
        "rst": write(tmp_path, "ping_rst", "send RST(seq=0)"),
        "flagged": write(tmp_path, "ping_flagged", "send ACK(seq=0, ack=1) flag := 1"),
    }


def test_a_different_answer_is_a_two_step_difference_both_ways(pings):
    a, b = load_file(pings["ack"]), load_file(pings["rst"])
    result = diff(a, b)
    assert result.exit_code == 1
    for direction, mine, theirs in zip(result.directions, ("ACK", "RST"), ("RST", "ACK")):
        d = direction.difference
        assert direction.status == "difference"
        assert len(d) == 2 and len(d.run) == 2 and len(d.other) == 1
        assert d.other_kind == CANNOT and d.other_states == 1
        assert [s.kind for s in d.run.steps[1:]] == ["user", "recv"]
        assert d.run.steps[2].sent[0].flags == mine
        assert [s.sent[0].flags for s in d.alternatives] == [theirs]
        assert describe_observation(d.observations[0], ("a", "b")) == \
            "a calls OPEN; sends SYN seq=0 -> a SENT, b WAIT"


def test_the_text_puts_the_runs_side_by_side_within_100_columns(pings):
    code, out, err = run_cli(pings["ack"], pings["rst"])
    assert code == 1 and err == ""
    assert "A against B: a run of 2 steps that ping_ack allows and ping_rst does not" in out
    assert "(differs: sends RST seq=0, not ACK seq=0 ack=1)" in flat(out)
    assert "result: ping_ack and ping_rst differ" in out
    assert max(len(line) for line in out.splitlines() if "/" not in line) <= 100
    row = next(line for line in out.splitlines() if line.startswith("   2 "))
    left, right = row[5:].split(" | ")
    assert left.startswith("b receives SYN seq=0 [got]") and right.startswith("cannot; instead:")


def test_identical_observations_are_no_difference_within_the_bounds(pings):
    # ping_flagged differs from ping_ack only in a variable, which is not observed
    code, out, _ = run_cli(pings["ack"], pings["flagged"])
    assert code == 0
    assert out.count("no difference within the bounds: every run of") == 2
    assert out.rstrip().endswith("result: no difference within the bounds")


def test_the_same_model_twice_is_no_difference(at_root):
    code, out, _ = run_cli(TWO, TWO)
    assert code == 0
    assert "every run of two_way_handshake is a run of two_way_handshake" in flat(out)
    assert "result: no difference within the bounds" in out


# a chooses silently whether its close will send FIN or RST; b sees either
CHOICE = """
model {name}
channel {{ capacity = 1  loss = 0  duplication = 0 }}
endpoint a {{
  states IDLE, OPEN, DONE
  initial IDLE
  terminal DONE
  var v : 0..1
  transition go: IDLE -> OPEN on open {{ {choose} }}
  transition fin: OPEN -> DONE on close when v == 0 {{ send FIN(seq=0) }}
  transition rst: OPEN -> DONE on close when v == 1 {{ send RST(seq=0) }}
}}
endpoint b {{
  states Z
  initial Z
  terminal Z
  transition take: Z -> Z on recv ...
}}
"""


def test_a_hidden_choice_is_tracked_as_a_set_of_states(tmp_path):
    both = load_string(CHOICE.format(name="either", choose="choose v"), "either.tcp")
    fin = load_string(CHOICE.format(name="fin_only", choose="v := 0"), "fin.tcp")
    result = diff(both, fin)
    forward, backward = result.directions
    # every run of fin_only is one of either (the subset construction: after OPEN,
    # `either` is in two states, one per choice), but not the other way round
    assert backward.status == "none" and backward.complete
    d = forward.difference
    assert len(d) == 2 and d.run.steps[2].transition == "rst"
    assert d.alternatives[0].transition == "fin"
    assert result.exit_code == 1
    assert diff(fin, both).directions[0].status == "none"


def test_a_property_broken_in_one_and_kept_in_the_other(pings):
    a, b = load_file(pings["flagged"]), load_file(pings["ack"])
    result = diff(a, b, DiffOptions(prop="clean"))
    forward, backward = result.directions
    d = forward.difference
    assert len(d) == 2 and d.other_kind == KEEPS and len(d.other) == 2
    assert d.run.steps[-1].state.endpoint("b").value("flag") == 1
    assert d.other.steps[-1].state.endpoint("b").value("flag") == 0
    assert backward.status == "none" and backward.complete
    code, out, _ = run_cli(pings["flagged"], pings["ack"], "-p", "clean")
    assert code == 1
    assert "a run of 2 steps breaks clean in ping_flagged; ping_ack follows all of it and " \
        "keeps it" in flat(out)
    assert ">> breaks clean" in out and ">> keeps clean" in out


def test_a_goal_met_in_one_and_not_in_the_other(pings):
    code, out, _ = run_cli(pings["ack"], pings["flagged"], "-p", "answered")
    assert code == 0  # both meet it at the same step
    assert "no run meets the goal of answered in ping_ack while ping_flagged follows it " \
        "without meeting it" in flat(out)


# ---- the classic case --------------------------------------------------------------------

@pytest.fixture(scope="module")
def classic():
    return diff(load_file(MODELS / "two_way_handshake.tcp"),
                load_file(MODELS / "three_way_handshake.tcp"), DiffOptions(prop="no_stale_accept"))


def test_the_old_duplicate_syn_tells_two_way_from_three_way(classic):
    forward, backward = classic.directions
    d = forward.difference
    assert len(d) == 3
    steps = d.run.steps[1:]
    assert [(s.actor, s.kind, s.transition) for s in steps] == [
        ("client", "user", "connect"), ("client", "crash", "crash"), ("server", "recv", "syn_in")]
    old_syn = steps[2].received
    assert (old_syn.flags, old_syn.seq, dict(old_syn.ghosts)) == ("SYN", 0, {"conn": 0})
    after = steps[2].state
    assert after.endpoint("server").state == "ESTABLISHED"
    assert after.endpoint("client").incarnation == 1  # the SYN is an old incarnation's
    # three-way follows the first two steps, then answers the old SYN with a SYN-ACK
    # and stays out of ESTABLISHED
    assert d.other_kind == CANNOT and len(d.other) == 2
    (alt,) = d.alternatives
    assert alt.transition == "syn_in" and [s.flags for s in alt.sent] == ["SYN+ACK"]
    assert alt.state.endpoint("server").state == "SYN_RECEIVED"
    assert backward.status == "none" and backward.complete
    assert classic.exit_code == 1


def test_the_classic_case_side_by_side(at_root):
    code, out, err = run_cli(TWO, THREE, "--property", "no_stale_accept")
    assert code == 1 and err == ""
    assert max(len(line) for line in out.splitlines()) <= 100
    check_golden(GOLDEN / "classic.txt", out)


def test_on_the_wire_three_way_takes_the_old_syn_and_keeps_the_property():
    result = diff(load_file(MODELS / "two_way_handshake.tcp"),
                  load_file(MODELS / "three_way_handshake.tcp"),
                  DiffOptions(prop="no_stale_accept", observe="wire"))
    d = result.directions[0].difference
    assert len(d) == 3 and d.other_kind == KEEPS
    assert d.other.steps[-1].state.endpoint("server").state == "SYN_RECEIVED"


def test_without_a_property_the_servers_state_after_a_fresh_syn_differs():
    result = diff(load_file(MODELS / "two_way_handshake.tcp"),
                  load_file(MODELS / "three_way_handshake.tcp"))
    for d, state in zip(result.directions, ("ESTABLISHED", "SYN_RECEIVED")):
        run = d.difference.run
        assert len(run) == 2 and run.steps[-1].state.endpoint("server").state == state


# ---- limits, JSON, bad input ---------------------------------------------------------------

def test_a_limit_is_exit_3_and_never_no_difference(at_root):
    code, out, _ = run_cli(THREE, THREE, "--max-states", "500")
    assert code == 3
    assert "no difference within the bounds" not in out
    assert flat(out).count("no difference found within 500 state pairs (not explored further: "
                           "the state limit was reached)") == 2
    assert "result: no difference found within the limits (not explored further)" in out
    code, out, _ = run_cli(TWO, TWO, "--max-depth", "3", "--json")
    data = json.loads(out)
    assert code == 3 == data["exit_code"]
    assert [d["status"] for d in data["directions"]] == ["not_explored_further"] * 2
    assert {d["stop_reason"] for d in data["directions"]} == {"max-depth"}


def test_json_shape(at_root):
    code, out, _ = run_cli(TWO, THREE, "-p", "no_stale_accept", "--json")
    data = json.loads(out)
    assert code == 1 == data["exit_code"]
    assert list(data) == ["schema", "tcpcheck", "models", "observe", "ghosts", "property",
                          "directions", "exit_code"]
    assert data["models"] == [{"name": "two_way_handshake", "file": TWO},
                              {"name": "three_way_handshake", "file": THREE}]
    forward, backward = data["directions"]
    assert list(forward) == ["first", "second", "status", "complete", "stop_reason", "detail",
                             "pairs", "depth", "seconds", "difference"]
    assert (forward["status"], backward["status"], backward["difference"]) == \
        ("difference", "none", None)
    d = forward["difference"]
    assert list(d) == ["length", "other", "other_states", "other_control", "observations",
                       "run", "other_run", "alternatives"]
    assert (d["length"], d["other"], d["other_control"]) == (3, "cannot", [["CLOSED", "LISTEN"]])
    assert d["observations"][2] == ("server receives SYN seq=0; sends SYN+ACK seq=0 ack=1 -> "
                                    "client CLOSED, server ESTABLISHED")
    assert len(d["run"]["steps"]) == 4 and len(d["other_run"]["steps"]) == 3
    assert d["alternatives"][0]["transition"] == "syn_in"


@pytest.mark.parametrize("argv, message", [
    ([TWO, THREE, "-p", "old_syn_recovery"],
     "model two_way_handshake has no property 'old_syn_recovery'"),
    ([TWO, THREE, "-p", "no_stale_acept"], "(did you mean 'no_stale_accept'?)"),
    ([TWO, THREE, "-p", "domains"], "diff does not compare the built-in domains property"),
    ([TWO, "missing.tcp"], "no such model file: missing.tcp"),
    ([TWO], "the following arguments are required: B"),
    ([TWO, THREE, "--observe", "everything"], "invalid choice: 'everything'"),
])
def test_bad_input_is_exit_2_without_a_traceback(at_root, argv, message, capsys):
    code, out, err = run_cli(*argv)
    err += capsys.readouterr().err  # argparse writes its own usage errors
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_ghosts_need_the_same_ghost_fields(at_root, pings):
    code, _, err = run_cli(TWO, pings["ack"], "--ghosts")
    assert code == 2 and "--ghosts needs the same ghost fields in both models" in err
    with pytest.raises(UsageError):
        diff(load_file(MODELS / "two_way_handshake.tcp"), load_file(pings["ack"]),
             DiffOptions(observe="nothing"))


def test_observing_ghosts_tells_the_old_syn_apart_earlier_in_no_case(at_root):
    # with the ghost tag observed, the classic run is the same: what differs is the
    # server's state, not the tag (three-way gets the same old SYN)
    code, out, _ = run_cli(TWO, THREE, "-p", "no_stale_accept", "--ghosts")
    assert code == 1 and "a run of 3 steps breaks no_stale_accept" in out


def test_a_time_limit_reports_progress_and_proves_nothing():
    seen = []
    three = load_file(MODELS / "three_way_handshake.tcp")
    result = diff(three, three, DiffOptions(timeout=1.5, progress=lambda *a: seen.append(a)))
    assert result.exit_code == 3
    assert [d.stop_reason for d in result.directions] == ["timeout", "timeout"]
    assert {a[0] for a in seen} == {"A against B", "B against A"}
    direction, pairs, depth, queue, seconds = seen[-1]
    assert pairs > 0 and seconds >= 1.0


GOAL_ERROR = """
model g{n}
endpoint client {{
  states A, B
  initial A
  var x : 0..1 = 1
  transition go: A -> B on open {{ x := {n} }}
}}
endpoint server {{ states S  initial S }}
property goal: reachable 2 % client.x == 1
"""


def test_a_goal_that_cannot_be_evaluated_is_not_met():
    # in g0 the goal divides by zero after `go`; that is no goal met (the review found it
    # counted as met), so neither model meets it and they do not differ on it
    result = diff(load_string(GOAL_ERROR.format(n=0)), load_string(GOAL_ERROR.format(n=1)),
                  DiffOptions(prop="goal"))
    assert [d.difference for d in result.directions] == [None, None]
    assert all(d.complete for d in result.directions)
