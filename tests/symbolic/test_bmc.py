"""BMC on tiny hand-checked models: exact depths, honest bounded verdicts, 32-bit traces."""

from __future__ import annotations

from pathlib import Path

from symbolic.symbolic_support import COUNTER, load, run, statuses
from tcpcheck.loader import load_file
from tcpcheck.symbolic import BOUNDED, ProveOptions, prove

MODELS = Path(__file__).resolve().parents[2] / "models"


def test_counter_depths_are_exact():
    model = load(COUNTER)
    result = run(model, engine="bmc", depth=6)
    # 4 steps then close: the goal at depth 5, never earlier
    assert result.get("finished").status == "reached"
    assert len(result.get("finished").trace) == 5
    # x reaches 3 after exactly three steps
    assert result.get("below_three").status == "violated"
    assert len(result.get("below_three").trace) == 3
    assert result.get("below_three").trace.steps[-1].state.endpoint("a").value("x") == 3
    assert statuses(result)["same"] == BOUNDED


def test_bounded_is_never_proved_and_exits_3():
    model = load(COUNTER)
    result = run(model, engine="bmc", depth=2, properties=("same",))
    assert statuses(result) == {"same": BOUNDED}
    assert "2 steps" in result.get("same").detail
    assert result.exit_code == 3


def test_goal_beyond_the_depth_is_bounded_not_unreachable():
    model = load(COUNTER)
    result = run(model, engine="bmc", depth=4, properties=("finished",))
    assert statuses(result) == {"finished": BOUNDED}


def test_two_way_handshake_refuted_with_32_bit_numbers():
    model = load_file(MODELS / "two_way_handshake.tcp")
    result = prove(model, ProveOptions(engine="bmc", depth=4, properties=("no_stale_accept",)))
    p = result.get("no_stale_accept")
    assert p.status == "violated" and len(p.trace) == 3
    assert result.seqspace == 1 << 32
    assert [s.transition for s in p.trace.steps[1:]] == ["connect", "crash", "syn_in"]
    last = p.trace.steps[-1]
    assert last.state.endpoint("server").state == "ESTABLISHED"
    assert last.received.ghosts == (("conn", 0),)
    assert last.state.endpoint("client").incarnation == 1
    # a concrete 32-bit run: the server acknowledges the old SYN's number plus one
    syn = p.trace.steps[1].sent[0]
    assert 0 <= syn.seq < 1 << 32
    assert last.sent[0].ack == (syn.seq + 1) % (1 << 32)
