"""Exact verdicts, lassos and fairness hints of the explicit engine's liveness check, on
tiny models whose state graphs can be drawn by hand (tests/liveness/models.py)."""

from __future__ import annotations

from tcpcheck.explicit import liveness
from tcpcheck.result import HOLDS, NOT_VERIFIED, VIOLATED
from tests.liveness.models import GIVE_UP, SYN_LOSS, TOGGLE, ZENO, run


def kinds(trace) -> list:
    return [s.kind for s in trace.steps]


def hints(p) -> list:
    return [(h.constraint, h.holds_with_it) for h in p.hints]


def test_every_syn_lost_without_fairness():
    result = run(SYN_LOSS)
    assert (result.stats.states, result.stats.transitions, result.complete) == (33, 101, True)
    p = result.get("done")
    assert p.status == VIOLATED and p.kind == "eventually"
    t = p.trace
    assert (len(t), t.loop_start) == (4, 2)
    assert [s.summary for s in t.steps[1:]] == [
        "client calls OPEN [connect]; sends SYN seq=0",
        "the channel loses SYN seq=0 (client -> server)",
        "one tick passes",
        "client timer rexmt expires [again]; sends SYN seq=0",
    ]
    assert t.steps[-1].state == t.steps[t.loop_start - 1].state  # the cycle closes
    assert p.detail == ("steps 2 to 4 repeat for ever and the goal never holds; no fairness is "
                        "declared, so every such cycle counts")
    assert hints(p) == [("strong channel", True), ("strong server.syn_in", False)]
    assert p.hints[0].reason == ("SYN seq=0 could be delivered to server after step 1, but every "
                                 "time it could be delivered it was lost instead")
    assert p.hints[0].text.endswith("declaring `fairness { strong channel }` rules this run out, "
                                    "and with it the property holds")


def test_weak_channel_fairness_does_not_rule_out_losing_every_syn():
    p = run(SYN_LOSS, "weak channel").get("done")
    assert p.status == VIOLATED
    assert (len(p.trace), p.trace.loop_start) == (4, 2)
    assert p.detail.endswith("the cycle is fair under the declared fairness (`weak channel`)")
    assert hints(p)[0] == ("strong channel", True)


def test_strong_channel_fairness_makes_the_handshake_complete():
    result = run(SYN_LOSS, "strong channel")
    assert [(p.name, p.status) for p in result.properties] == [
        ("done", HOLDS), ("answered", HOLDS), ("again_and_again", HOLDS), ("domains", HOLDS)]
    assert result.stats.states == 33  # fairness changes no state, only which runs count


def test_fairness_towards_one_side_only():
    # the SYN reaches the server fairly, the SYN-ACK may still be lost for ever
    p = run(SYN_LOSS, "strong channel.server").get("done")
    assert p.status == VIOLATED
    assert (len(p.trace), p.trace.loop_start) == (6, 3)
    assert kinds(p.trace) == ["init", "user", "recv", "tick", "timeout", "recv", "lose"]
    assert hints(p) == [("weak channel", False), ("strong channel", True),
                        ("weak client.synack", False), ("strong client.synack", True)]
    assert run(SYN_LOSS, "strong channel.client").get("done").status == VIOLATED


def test_leads_to_and_always_eventually():
    result = run(SYN_LOSS)
    answered, again = result.get("answered"), result.get("again_and_again")
    assert (answered.kind, answered.status) == ("leads_to", VIOLATED)
    assert answered.detail.startswith("the premise holds after step 1 without the goal, then "
                                      "steps 2 to 4 repeat for ever")
    assert (again.kind, again.status, again.trace.loop_start) == ("always_eventually",
                                                                  VIOLATED, 2)


def test_a_zeno_run_needs_weak_tick_and_weak_timers():
    p = run(ZENO).get("finishes")
    assert p.status == VIOLATED
    assert (len(p.trace), p.trace.loop_start) == (3, 2)  # SYNs bounce, time stands still
    assert kinds(p.trace) == ["init", "user", "recv", "recv"]
    assert hints(p) == [("weak tick", False)]
    assert p.hints[0].reason == "time could pass in every state of the cycle, but it never does"
    # with time passing, the timer expires, and its timeout must be fair too
    p = run(ZENO, "weak tick").get("finishes")
    assert (p.status, len(p.trace), p.trace.loop_start) == (VIOLATED, 4, 3)
    assert kinds(p.trace) == ["init", "user", "tick", "recv", "recv"]
    assert hints(p) == [("weak timers", True)]
    assert run(ZENO, "weak timers").get("finishes").status == VIOLATED
    result = run(ZENO, "weak tick weak timers")
    assert (result.get("finishes").status, result.stats.states) == (HOLDS, 8)
    assert run(ZENO, "weak tick weak client.done").get("finishes").status == HOLDS


def test_weak_and_strong_fairness_of_a_transition():
    p = run(TOGGLE).get("home_again")
    assert (p.status, len(p.trace), p.trace.loop_start) == (VIOLATED, 3, 2)
    assert [s.transition for s in p.trace.steps[1:]] == ["leave", "forth", "fro"]
    assert hints(p) == [("strong client.back", False), ("strong client.spin", False)]
    # back is enabled in B1 only: weak fairness allows B1, B2, B1, ... for ever
    p = run(TOGGLE, "weak client.back").get("home_again")
    assert (p.status, p.trace.loop_start) == (VIOLATED, 2)
    # strong fairness removes B1 from the cycle; B2 spinning on its own is still fair
    p = run(TOGGLE, "strong client.back").get("home_again")
    assert (p.status, len(p.trace), p.trace.loop_start) == (VIOLATED, 3, 3)
    assert [s.transition for s in p.trace.steps[1:]] == ["leave", "forth", "spin"]
    assert hints(p) == [("weak client.fro", True)]
    result = run(TOGGLE, "strong client.back weak client.fro")
    assert [(p.name, p.status) for p in result.properties] == [
        ("home_again", HOLDS), ("leaves", HOLDS), ("returns", HOLDS), ("domains", HOLDS)]


def test_leads_to_starts_where_the_premise_holds():
    p = run(TOGGLE).get("returns")  # client.state == B2 ~> client.state == A
    assert (p.status, len(p.trace), p.trace.loop_start) == (VIOLATED, 3, 3)
    assert p.trace.steps[2].state.endpoints[0].state == "B2"
    assert p.detail.startswith("the premise holds after step 2 without the goal, then step 3 "
                               "repeats for ever")


def test_a_run_that_stops_short_of_the_goal_is_a_violation_no_fairness_excuses():
    for fairness in ("", "weak client.win"):
        p = run(GIVE_UP, fairness).get("wins")
        assert p.status == VIOLATED
        assert (len(p.trace), p.trace.loop_start, p.hints) == (1, None, ())
        assert p.trace.steps[-1].transition == "lose"
        assert p.detail.startswith("the run stops after step 1 in a state with no successor")


def test_a_goal_true_at_the_start_holds_at_once():
    assert run(TOGGLE.replace("eventually client.state == B1", "eventually client.state == A")
               ).get("leaves").status == HOLDS


def test_a_limit_means_not_verified_never_holds():
    result = run(SYN_LOSS, "strong channel", max_states=10)
    assert not result.complete
    assert {p.name: p.status for p in result.properties}["done"] == NOT_VERIFIED
    assert result.get("done").detail == "the state limit was reached"
    assert run(SYN_LOSS, "strong channel", max_depth=3).get("done").status == NOT_VERIFIED


def test_a_violation_found_before_a_limit_is_kept():
    # the every-SYN-lost cycle lies within the first states explored
    p = run(SYN_LOSS, max_states=20).get("done")
    assert p.status == VIOLATED and p.trace.loop_start is not None
    assert p.hints and all(h.holds_with_it in (None, False) for h in p.hints)


def test_liveness_runs_to_the_end_even_when_the_rest_is_decided():
    result = run(SYN_LOSS + "property can_finish: reachable client.state == ESTABLISHED\n",
                 "strong channel")
    assert result.complete and result.get("done").status == HOLDS


def test_selecting_a_liveness_property():
    result = run(SYN_LOSS, properties=("answered",))
    assert [p.name for p in result.properties] == ["answered", "domains"]


# ---- the graph algorithms on their own ------------------------------------------------------

def chain_graph(n: int, back: bool) -> liveness.Graph:
    g = liveness.Graph()
    for _ in range(n):
        g.add_state()
    for i in range(n):
        g.begin(i)
        if i + 1 < n:
            g.edge(i + 1, ("tick", ()))
        elif back:
            g.edge(0, ("tick", ()))
        g.end(i)
    return g


def test_tarjan_is_iterative():
    g = chain_graph(50_000, back=True)  # far deeper than Python's recursion limit
    components = liveness.sccs(g, set(range(50_000)))
    assert len(components) == 1 and len(components[0]) == 50_000
    g = chain_graph(1000, back=False)
    assert len(liveness.sccs(g, set(range(1000)))) == 1000
    assert g.dead_end(999) and not g.dead_end(0)


def test_an_abandoned_expansion_leaves_no_edges():
    g = liveness.Graph()
    g.add_state()
    g.add_state()
    g.begin(0)
    g.edge(1, ("tick", ()))
    g.abandon(0)
    assert not g.expanded(0) and list(g.edges(0)) == [] and len(g.succ) == 0
