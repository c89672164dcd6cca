"""The ablation's plan and variants: which candidates are run, and that a variant is the
model with exactly one thing taken away."""

from __future__ import annotations

from tcpcheck.explain.reasons import CHECK, CHOICE, REMOVED, Candidate, plan, variant
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.render.values import expr_text
from tcpcheck.result import HOLDS, REACHED, PropertyResult

from .explain_support import THREE_WAY, TWO_WAY, load


def test_a_safety_property_with_unbounded_loss_weakens_checks_only():
    model = load(THREE_WAY)
    prop = model.get_property("no_stale_accept")
    candidates, skipped = plan(model, prop, PropertyResult(prop.name, prop.kind, HOLDS))
    assert {c.kind for c in candidates} == {CHECK, CHOICE}
    assert skipped == ("removal-removes-runs",)
    # with a loss budget, a discard is a loss the budget does not count: recv removals run
    bounded = load(THREE_WAY, **{"channel.loss": 1})
    candidates, skipped = plan(bounded, prop, PropertyResult(prop.name, prop.kind, HOLDS))
    removed = [bounded.endpoints[c.endpoint].transitions[c.transition] for c in candidates
               if c.kind == REMOVED]
    assert removed and all(t.trigger.kind == "recv" for t in removed)
    assert skipped == ("removal-local-removes-runs",)


def test_removing_a_transition_reindexes_the_step_selectors():
    model = load(TWO_WAY)
    server = model.endpoint_index("server")
    names = [t.name for t in model.endpoints[server].transitions]
    v = variant(model, Candidate(server, names.index("syn_in"), REMOVED))
    assert [t.name for t in v.endpoints[server].transitions] == \
        [n for n in names if n != "syn_in"]
    selected = {v.endpoints[e].transitions[t].name
                for e, t in v.get_property("no_stale_accept").selectors}
    assert selected == {"est_challenge", "est_old"}


def test_weakening_replaces_one_conjunct_by_true():
    model = load(THREE_WAY)
    server = model.endpoint_index("server")
    index = [t.name for t in model.endpoints[server].transitions].index("ack_in")
    v = variant(model, Candidate(server, index, CHECK, conjunct=0))
    guard = v.endpoints[server].transitions[index].guard
    assert expr_text(guard) == "seg.ack == snd_nxt"
    client = model.endpoint_index("client")
    v = variant(model, Candidate(client, 0, CHOICE, conjunct=0, choice=0))
    assert v.endpoints[client].transitions[0].body[0].where is None


def test_a_reached_goal_removes_only_what_its_witness_fires():
    model = load(TWO_WAY)
    result = check(model, CheckOptions(properties=("handshake_completes",)))
    prop = model.get_property("handshake_completes")
    candidates, skipped = plan(model, prop, result.get("handshake_completes"))
    assert result.get("handshake_completes").status == REACHED
    assert {c.kind for c in candidates} == {REMOVED} and len(candidates) == 3
    assert set(skipped) == {"weaken-adds-runs", "removal-outside-witness"}
