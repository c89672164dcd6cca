"""A state at the edge of the bounds (every segment in flight waits for room to send its
replies) is not a place where a run stops, nor proof that it goes on: a liveness property
whose goal-avoiding runs reach one is NOT VERIFIED, never "holds" (MANUAL 12.7)."""

from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_string

# The server answers the SYN with two segments into a direction that holds one, and no
# segment may be lost: after OPEN the only receipt waits for room for ever.
BLOCKED = """
model blocked
channel { capacity = 1  loss = no  duplication = no }
endpoint client {
  states CLOSED, SENT
  initial CLOSED
  terminal CLOSED
  transition connect: CLOSED -> SENT on open { send SYN(seq=0) }
}
endpoint server {
  states LISTEN, DONE
  initial LISTEN
  terminal LISTEN, DONE
  transition answer: LISTEN -> DONE on recv SYN { send ACK(seq=0, ack=1)  send ACK(seq=0, ack=1) }
}
property done: client.state == SENT ~> server.state == DONE
property finally_done: eventually server.state == DONE
property never: always eventually false
property no_deadlock: deadlock free
"""


def _statuses(text: str) -> dict:
    result = check(load_string(text), CheckOptions())
    return result, {p.name: p.status for p in result.properties}


def test_a_run_into_the_bound_edge_is_not_verified():
    result, status = _statuses(BLOCKED)
    assert result.complete and result.stats.states == 2
    assert status["done"] == status["finally_done"] == "not_verified"
    # every run ends at the edge, so even 'always eventually false' is not claimed to hold
    assert status["never"] == "not_verified"
    assert status["no_deadlock"] == "holds"  # the edge is not a deadlock either
    done = next(p for p in result.properties if p.name == "done")
    assert "edge of the bounds" in done.detail
    assert any("waits for room" in w for w in result.warnings)
    assert result.exit_code != 0


def test_with_room_for_both_answers_the_goal_comes():
    _, status = _statuses(BLOCKED.replace("capacity = 1", "capacity = 2"))
    assert status["done"] == status["finally_done"] == "holds"


def test_a_server_that_never_answers_violates_it():
    _, status = _statuses(BLOCKED.replace(
        "LISTEN -> DONE on recv SYN { send ACK(seq=0, ack=1)  send ACK(seq=0, ack=1) }",
        "LISTEN -> LISTEN on recv SYN"))
    assert status["done"] == status["finally_done"] == "violated"
