"""The explicit engines' state format: the one contract between the successor function, the
search, the decoder of traces, the analyses and the native engine's packed layout.

A **global state** is a flat tuple, hashable and compared by value::

    (endpoint 0, endpoint 1, channel towards 0, channel towards 1, lost, duplicated)

* an **endpoint** is ``(control, incarnation, variable..., timer...)``: ``control`` indexes the
  endpoint's declared states, ``incarnation`` counts its crashes, then one value per declared
  variable (in declaration order: sequence numbers reduced modulo the sequence space, sets as
  bit masks, booleans as bools) and one per timer (-1 stopped, else the ticks left; 0 =
  expired, waiting for its ``timeout`` transition);
* a **channel** holds the segments in flight towards that endpoint: a sorted tuple (a bag)
  when the channel reorders, else a FIFO tuple; a **segment** is ``(flags, seq, ack,
  ghost..., age)``;
* ``lost`` / ``duplicated`` count the faults used against the channel's budgets (kept at 0
  when a budget is unbounded, so that they do not multiply states).

An **action** (what a move did) is a plain tuple whose first item is its kind, cheap to keep
for every stored state; :func:`view` gives it names for code outside the hot path::

    (FIRE, endpoint, transition, received segment or None, sent segments, overflowed)
    (DISCARD, endpoint, segment)     the endpoint received a segment that nothing accepts
    (LOSE, direction, segment)       the channel dropped it
    (DUPLICATE, direction, segment)  the channel copied it
    (TICK, ((direction, segment), ...))  one unit of time passed; those segments expired
    (ERROR, endpoint, transition, message)  the error move: see below

The moves of a state come as :class:`Successors`, a tuple of ``(action, next_state)`` pairs
in a fixed order with two more facts: ``blocked`` (some receipt waits for room in the
channel, so a state without moves is at a bound of the model, not a deadlock) and
``error``.  A move whose effect cannot be computed (a value outside its domain, ``x % 0``, a
guard that cannot be evaluated) leads to no state: it is the **error move**, an ERROR action
naming the endpoint and transition that failed and why.  A state with an error move has it
as its only outcome (``error`` set, no moves): what else it could do depends on the order
the transitions were tried, so none of it is explored; the search records the state as not
expanded and the run as not complete (tcpcheck.engine.search), and the checker reports the
``domains`` property violated with a run to that state.  The native engine follows the same
rule.  spec/MANUAL.md 13 ("Semantics of a step") says what each move does.
"""

from __future__ import annotations

from typing import NamedTuple

# positions in a global state
ENDPOINTS = (0, 1)
LOST, DUPLICATED = 4, 5
CHANNEL_BASE = 2  # the channel towards endpoint e is state[CHANNEL_BASE + e]

# positions in an endpoint tuple
CONTROL, INCARNATION = 0, 1
VAR_BASE = 2  # the first variable; the timers follow the variables

# positions in a segment
FLAGS, SEQ, ACK = 0, 1, 2
GHOST_BASE = 3  # the ghost fields; the age is the last item

# action kinds
FIRE, DISCARD, LOSE, DUPLICATE, TICK = "fire", "discard", "lose", "duplicate", "tick"
ERROR = "error"


def channel_towards(state: tuple, endpoint: int) -> tuple:
    return state[CHANNEL_BASE + endpoint]


def with_channel(state: tuple, endpoint: int, channel: tuple) -> tuple:
    """``state`` with the channel towards ``endpoint`` replaced."""
    if endpoint == 0:
        return (state[0], state[1], channel, state[3], state[4], state[5])
    return (state[0], state[1], state[2], channel, state[4], state[5])


def timer_base(variables: int) -> int:
    """The position of the first timer in an endpoint with ``variables`` variables."""
    return VAR_BASE + variables


class Successors(tuple):
    """The outcome of expanding a state: its ``(action, next_state)`` moves in successor
    order, ``blocked`` and the ``error`` move (an ERROR action, or None), as the module
    says.  Built once and never changed."""

    def __new__(cls, moves=(), blocked: bool = False, error: tuple | None = None):
        found = super().__new__(cls, moves)
        found.blocked = blocked
        found.error = error
        return found

    @classmethod
    def failed(cls, endpoint: int, transition: int, message: str) -> "Successors":
        """The outcome of a state whose expansion met an error move."""
        return cls((), False, (ERROR, endpoint, transition, message))


class Fire(NamedTuple):
    kind: str
    endpoint: int
    transition: int
    received: tuple | None
    sent: tuple
    overflowed: tuple


class Discard(NamedTuple):
    kind: str
    endpoint: int
    segment: tuple


class Fault(NamedTuple):
    kind: str  # LOSE or DUPLICATE
    direction: int  # the endpoint the segment was travelling to
    segment: tuple


class Tick(NamedTuple):
    kind: str
    expired: tuple  # (direction, segment) pairs


class Error(NamedTuple):
    kind: str
    endpoint: int
    transition: int  # its index among the endpoint's transitions
    message: str  # why its effect cannot be computed


_VIEWS = {FIRE: Fire, DISCARD: Discard, LOSE: Fault, DUPLICATE: Fault, TICK: Tick,
          ERROR: Error}


def view(action: tuple):
    """The action with named fields (a Fire, Discard, Fault, Tick or Error; equal to
    ``action``)."""
    return _VIEWS[action[0]](*action)
