"""A state at the edge of the bounds (every segment in flight waits for room to send its
replies) is not a place where a run stops: liveness treats it as deadlock freedom does,
outside the model, counted in the warning (MANUAL 12.7)."""

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
property no_deadlock: deadlock free
"""


def test_a_run_into_the_bound_edge_is_not_a_violation():
    result = check(load_string(BLOCKED), CheckOptions())
    status = {p.name: p.status for p in result.properties}
    assert status["done"] == "holds" and status["no_deadlock"] == "holds"
    assert result.stats.states == 2
    assert any("waits for room" in w for w in result.warnings)


def test_without_the_bound_the_same_stop_is_a_violation():
    # with a channel that holds both answers the server reaches DONE: no violation either,
    # and with the answer removed the run really stops short of the goal
    stuck = BLOCKED.replace("{ send ACK(seq=0, ack=1)  send ACK(seq=0, ack=1) }", "")
    stuck = stuck.replace("LISTEN -> DONE", "LISTEN -> LISTEN")
    result = check(load_string(stuck), CheckOptions())
    done = next(p for p in result.properties if p.name == "done")
    assert done.status == "violated"
