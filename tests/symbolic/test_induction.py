"""k-induction and Spacer on tiny models: what is inductive, what needs a lemma, and the
reports when a proof fails."""

from __future__ import annotations

from symbolic.symbolic_support import COUNTER, load, run, statuses
from tcpcheck.symbolic import BOUNDED, PROVED

WITH_LEMMA = COUNTER + """
lemma in_step: a.x == a.y
"""

WRONG_LEMMA = COUNTER + """
lemma wrong: a.x < 2
"""


def test_inductive_properties_are_proved():
    result = run(load(COUNTER), engine="kind", depth=3, properties=("same", "at_most_four"))
    assert statuses(result) == {"same": PROVED, "at_most_four": PROVED}
    assert result.exit_code == 0


def test_not_inductive_without_a_lemma_reports_the_cti():
    result = run(load(COUNTER), engine="kind", depth=2, properties=("never_five",))
    p = result.get("never_five")
    assert p.status == BOUNDED
    assert "the property" in p.detail and "counterexample to induction" in p.detail
    assert p.trace is not None  # the run from an unreachable start state that breaks it
    assert p.trace.steps[-1].state.endpoint("a").value("y") == 5


def test_lemma_makes_it_inductive():
    result = run(load(WITH_LEMMA), engine="kind", depth=2, properties=("never_five",))
    assert statuses(result) == {"never_five": PROVED}
    assert "in_step" in result.get("never_five").detail


def test_false_lemma_is_reported_with_its_run():
    result = run(load(WRONG_LEMMA), engine="kind", depth=3, properties=("never_five",))
    p = result.get("never_five")
    assert p.status == "unknown" and "lemma wrong is false" in p.detail
    assert len(p.trace) == 2


def test_kinduction_finds_violations_in_its_base_case():
    result = run(load(COUNTER), engine="kind", depth=5, properties=("below_three",))
    assert result.get("below_three").status == "violated"
    assert len(result.get("below_three").trace) == 3


def test_goal_unreachable_by_induction():
    text = COUNTER + "\nproperty y_five: reachable a.y == 5\n"
    result = run(load(text), engine="kind", depth=2, properties=("y_five",))
    assert result.get("y_five").status == BOUNDED  # needs the lemma
    result = run(load(text + "lemma in_step: a.x == a.y\n"), engine="kind", depth=2,
                 properties=("y_five",))
    assert result.get("y_five").status == "unreachable"
    assert result.exit_code == 1


def test_pdr_proves_without_lemmas_and_prints_an_invariant():
    result = run(load(COUNTER), engine="pdr", depth=6, properties=("never_five", "below_three"),
                 timeout=120)
    assert result.get("never_five").status == PROVED
    assert "inductive invariant" in result.get("never_five").detail
    assert result.get("never_five").invariant
    refuted = result.get("below_three")
    assert refuted.status == "violated" and len(refuted.trace) == 3
