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

A move whose effect cannot be computed (a value outside its domain, ``x % 0``) is not an
action: the successor function raises DomainViolation for the state, and the search records
the state as not expanded (tcpcheck.engine.search).  spec/MANUAL.md 13 ("Semantics of a
step") says what each move does.
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


_VIEWS = {FIRE: Fire, DISCARD: Discard, LOSE: Fault, DUPLICATE: Fault, TICK: Tick}


def view(action: tuple):
    """The action with named fields (a Fire, Discard, Fault or Tick; equal to ``action``)."""
    return _VIEWS[action[0]](*action)
