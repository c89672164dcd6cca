"""Run-time evaluation errors are violations of `domains` with a run, never a crash, and
they leave every other property undecided rather than holding."""

from __future__ import annotations

import pytest

from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_string

OTHER = "endpoint b { states B initial B }\n"


@pytest.mark.parametrize("body, words", [
    ("s := s + {x + 5}", "outside its element domain"),
    ("x := 3 % x", "evaluation failed"),
    ("s := s + {x - 1}", "evaluation failed"),
])
def test_evaluation_errors_violate_domains(body, words):
    model = load_string(
        "model m\nendpoint a { states A, B initial A\n"
        "  var x : 0..3\n  var s : set of 0..3\n"
        f"  transition t: A -> B on open {{ {body} }} }}\n" + OTHER +
        "property p: always a.x <= 3\n")
    result = check(model, CheckOptions())
    domains = result.get("domains")
    assert domains.status == "violated" and words in domains.detail
    assert [s.kind for s in domains.trace.steps] == ["init", "error"]
    assert result.get("p").status == "not_verified"
    assert not result.complete and result.stop_reason == "error"


@pytest.mark.parametrize("prop", ["always a.x % b.y == 0", "reachable a.x % b.y == 1",
                                  "always (a.x - 1) in a.s"])
def test_a_property_that_cannot_be_evaluated_is_violated_with_the_reason(prop):
    model = load_string(
        "model m\nendpoint a { states A initial A var x : 0..3  var s : set of 0..3 }\n"
        "endpoint b { states B initial B var y : 0..1 }\n"
        f"property p: {prop}\n")
    result = check(model, CheckOptions())
    p = result.get("p")
    assert p.status == "violated" and "cannot be evaluated" in p.detail
    assert len(p.trace) == 0 and result.exit_code == 1


def test_a_run_stopped_at_a_limit_lists_domains_as_not_verified():
    model = load_string(
        "model m\nendpoint a { states A initial A var x : 0..3\n"
        "  transition up: A -> A on open { x := x + 1 } }\n"
        "endpoint b { states B initial B }\n")
    cut = check(model, CheckOptions(max_states=2))
    assert [(p.name, p.status) for p in cut.properties] == [("domains", "not_verified")]
    assert cut.exit_code == 3
    full = check(model, CheckOptions())
    assert full.get("domains").status == "violated" and full.exit_code == 1
