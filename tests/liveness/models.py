"""Tiny hand-checked models for the liveness tests: each is small enough to draw."""

from __future__ import annotations

from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_string

# A client sends a SYN and retransmits it every tick until a SYN-ACK comes; the server
# answers every SYN.  Loss is unbounded: every SYN may be lost.
SYN_LOSS = """
model syn_loss
FAIRNESS
channel { capacity = 2 loss = unbounded duplication = no }
endpoint client {
  states CLOSED, SYN_SENT, ESTABLISHED
  initial CLOSED
  terminal ESTABLISHED
  timer rexmt
  transition connect: CLOSED -> SYN_SENT on open { send SYN(seq=0) start rexmt 1 }
  transition again: SYN_SENT -> same on timeout rexmt { send SYN(seq=0) start rexmt 1 }
  transition synack: SYN_SENT -> ESTABLISHED on recv SYN ACK { stop rexmt }
}
endpoint server {
  states LISTEN, SYN_RECEIVED
  initial LISTEN
  terminal SYN_RECEIVED
  transition syn_in: LISTEN -> SYN_RECEIVED on recv SYN { send SYN+ACK(seq=0, ack=1) }
  transition syn_again: SYN_RECEIVED -> same on recv SYN { send SYN+ACK(seq=0, ack=1) }
}
property done: eventually client.state == ESTABLISHED
property answered: client.state == SYN_SENT ~> client.state == ESTABLISHED
property again_and_again: always eventually client.state == ESTABLISHED
"""

# A ping-pong of SYNs between the two sides that never lets time pass, while the client's
# timer waits for a tick to expire: a Zeno run, ruled out by `weak tick` only.
ZENO = """
model zeno
FAIRNESS
channel { capacity = 1 loss = no duplication = no }
endpoint client {
  states IDLE, WAIT, DONE
  initial IDLE
  terminal DONE
  timer t
  transition go: IDLE -> WAIT on open { send SYN(seq=0) start t 1 }
  transition echo: WAIT -> same on recv SYN { send SYN(seq=0) }
  transition done: WAIT -> DONE on timeout t
}
endpoint server {
  states LISTEN
  initial LISTEN
  terminal LISTEN
  transition echo: LISTEN -> same on recv SYN { send SYN(seq=0) }
}
property finishes: eventually client.state == DONE
"""

# User calls only: A -> B1 -> B2 -> B1 ..., back to A only from B1, and B2 may spin.
TOGGLE = """
model toggle
FAIRNESS
endpoint client {
  states A, B1, B2
  initial A
  transition leave: A -> B1 on open
  transition forth: B1 -> B2 on open
  transition fro: B2 -> B1 on listen
  transition back: B1 -> A on close
  transition spin: B2 -> same on abort
}
endpoint server { states S initial S }
property home_again: always eventually client.state == A
property leaves: eventually client.state == B1
property returns: client.state == B2 ~> client.state == A
"""

# A client that may give up for good in a terminal state where the goal does not hold.
GIVE_UP = """
model give_up
FAIRNESS
endpoint client {
  states A, B, C
  initial A
  terminal B, C
  transition win: A -> B on open
  transition lose: A -> C on close
}
endpoint server { states S initial S terminal S }
property wins: eventually client.state == B
"""


def model(text: str, fairness: str = ""):
    block = f"fairness {{ {fairness} }}" if fairness else ""
    return load_string(text.replace("FAIRNESS", block), "m.tcp")


def run(text: str, fairness: str = "", **options):
    return check(model(text, fairness), CheckOptions(**options))
