"""Shared helpers for the symbolic engine's tests: tiny models written inline."""

from __future__ import annotations

from textwrap import dedent

from tcpcheck.loader import load_string
from tcpcheck.symbolic import ProveOptions, prove

# An endpoint that never acts and is always terminal.
IDLE_B = """
endpoint b {
  states Z
  initial Z
  terminal Z
}
"""

# Two counters that move together; a property that needs the other as a lemma.
COUNTER = """
model counter
endpoint a {
  states RUN, DONE
  initial RUN
  terminal RUN, DONE
  var x : 0..5
  var y : 0..5
  transition step: RUN -> RUN on open when x < 4 { x := x + 1  y := y + 1 }
  transition finish: RUN -> DONE on close when x == 4
}
""" + IDLE_B + """
property same: always a.x == a.y
property at_most_four: always a.x <= 4
property finished: reachable a.state == DONE
property below_three: always a.x < 3
property never_five: always a.y != 5
"""


def load(text: str, **overrides):
    return load_string(dedent(text), overrides=overrides or None)


def run(model, **options):
    options.setdefault("seqspace", model.bounds.seqspace)
    return prove(model, ProveOptions(**options))


def statuses(result) -> dict:
    return {p.name: p.status for p in result.properties}
