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
