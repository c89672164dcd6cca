"""tcpcheck.engine.state: the state and action formats, checked against what the successor
function produces on a hand-checked model."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "explicit"))
from explicit_support import IDLE_B, load  # noqa: E402

from tcpcheck.engine import state as fmt  # noqa: E402
from tcpcheck.explicit.semantics import Semantics  # noqa: E402
from tcpcheck.model import ir  # noqa: E402

SENDER = """
    model sender
    channel { capacity = 2  loss = 1  duplication = 1 }
    endpoint a {
      states S0, S1
      initial S0
      terminal S1
      var n : 0..3 = 2
      timer t
      transition go: S0 -> S1 on open { n := 3  send SYN(seq=1) }
    }
    """ + IDLE_B


def test_the_layout_names_the_positions_the_semantics_uses():
    sem = Semantics(load(SENDER))
    init = sem.initial_state()
    a = init[0]
    assert a[fmt.CONTROL] == 0 and a[fmt.INCARNATION] == 0 and a[fmt.VAR_BASE] == 2
    assert a[fmt.timer_base(1)] == -1  # the timer follows the one variable, stopped
    assert init[fmt.LOST] == 0 and init[fmt.DUPLICATED] == 0
    [(action, after)] = sem.successors(init)
    fire = fmt.view(action)
    assert isinstance(fire, fmt.Fire) and fire == action  # a view equals the plain tuple
    assert (fire.kind, fire.endpoint, fire.transition, fire.received) == (fmt.FIRE, 0, 0, None)
    [segment] = fmt.channel_towards(after, 1)
    assert fire.sent == (segment,) and segment[fmt.SEQ] == 1
    assert segment[fmt.FLAGS] == int(ir.Flag.SYN) and segment[fmt.ACK] == 0
    assert after[0][fmt.VAR_BASE] == 3
    assert fmt.with_channel(after, 1, ()) == (after[0], after[1], (), (), 0, 0)


def test_every_action_kind_has_a_view():
    sem = Semantics(load(SENDER))
    [(_, after)] = sem.successors(sem.initial_state())
    kinds = {fmt.view(a).kind: type(fmt.view(a)) for a, _ in sem.successors(after)}
    assert kinds[fmt.LOSE] is fmt.Fault and kinds[fmt.DUPLICATE] is fmt.Fault
    assert fmt.DISCARD in kinds and kinds[fmt.DISCARD] is fmt.Discard  # b takes nothing


OVERFLOW = """
    model overflow
    endpoint a {
      states S0
      initial S0
      terminal S0
      var x : 0..1
      transition inc: S0 -> S0 on open { x := x + 1 }
    }
    """ + IDLE_B


def test_an_effect_that_cannot_be_computed_is_the_states_only_move_an_error():
    sem = Semantics(load(OVERFLOW))
    init = sem.initial_state()
    [(action, after)] = [m for m in sem.successors(init) if m[0][0] == fmt.FIRE]
    assert after[0][fmt.VAR_BASE] == 1
    failed = sem.successors(after)  # inc would store 2: the error move, returned not raised
    assert tuple(failed) == () and not failed.blocked
    error = fmt.view(failed.error)
    assert isinstance(error, fmt.Error) and error == failed.error
    assert (error.kind, error.endpoint, error.transition) == (fmt.ERROR, 0, 0)
    assert "a.x := 2" in error.message
    assert sem.successors(after) == failed and sem.successors(after).error == failed.error
    assert sem.successors(init).error is None  # a state without one says None


def test_successors_carry_the_moves_blocked_and_the_error_move():
    moves = fmt.Successors([("a", 1)], blocked=True)
    assert tuple(moves) == (("a", 1),) and moves.blocked and moves.error is None
    failed = fmt.Successors.failed(1, 3, "why")
    assert failed.error == (fmt.ERROR, 1, 3, "why") and len(failed) == 0
