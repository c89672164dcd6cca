"""Parameter synthesis on a tiny model whose boundary is known by hand: a counter that
climbs to 2*N; the least LIMIT keeping it at most LIMIT is 2*N."""

from __future__ import annotations

import io
import json

from symbolic.symbolic_support import IDLE_B, load
from tcpcheck.cli import main
from tcpcheck.symbolic import synthesize

CLIMB = """
model climb
param N = 2 where N >= 1 and N <= 3
param LIMIT = 4 where LIMIT >= 0
endpoint a {
  states UP
  initial UP
  terminal UP
  var x : 0..10
  transition inc: UP -> UP on open when x < 2 * N { x := x + 1 }
}
""" + IDLE_B + """
property capped: always a.x <= LIMIT
"""


def test_the_boundary_is_found_proved_and_shown_just_below():
    result = synthesize(load(CLIMB), "capped", "LIMIT", depth=10, samples=3)
    assert [(s.fixed, s.least) for s in result.samples] == [
        ((("N", 1),), 2), ((("N", 2),), 4), ((("N", 3),), 6)]
    assert result.expression == "2*N"
    assert result.proved_at_least
    assert result.below.status == "violated"
    last = result.below.trace.steps[-1].state.endpoint("a")
    assert last.value("x") == len(result.below.trace)  # climbed one step at a time
    assert result.exit_code == 0


def test_k_induction_can_prove_the_candidates():
    # capped is 1-inductive exactly when LIMIT >= 2*N, so k-induction finds the same line
    result = synthesize(load(CLIMB), "capped", "LIMIT", depth=10, samples=2, engine="kind")
    assert [s.least for s in result.samples] == [2, 4]
    assert result.expression == "2*N" and result.proved_at_least
    assert result.below.status == "violated"


def test_unknown_param_is_a_usage_error(tmp_path):
    path = tmp_path / "climb.tcp"
    path.write_text(CLIMB)
    out, err = io.StringIO(), io.StringIO()
    code = main(["synth", str(path), "-p", "capped", "--param", "LIMT"], out, err)
    assert code == 2 and "no param 'LIMT'" in err.getvalue()


def test_cli_json(tmp_path):
    path = tmp_path / "climb.tcp"
    path.write_text(CLIMB)
    out, err = io.StringIO(), io.StringIO()
    code = main(["synth", str(path), "-p", "capped", "--param", "LIMIT", "--depth", "10",
                 "--json"], out, err)
    data = json.loads(out.getvalue())
    assert code == 0 and data["expression"] == "2*N" and data["proved_at_least"]
    assert data["below"]["status"] == "violated"
