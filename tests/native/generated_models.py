"""Small random models for the native/Python differential test."""
from hypothesis import strategies as st

FLAGS = ["SYN", "ACK", "FIN", "RST", "SYN+ACK", "FIN+ACK"]


@st.composite
def endpoint(draw, name: str, n_states: int):
    states = [f"S{i}" for i in range(n_states)]
    terminal = draw(st.lists(st.sampled_from(states), unique=True, max_size=n_states))
    has_timer = draw(st.booleans())
    lines = [f"endpoint {name} {{", f"  states {', '.join(states)}", "  initial S0"]
    if terminal:
        lines.append(f"  terminal {', '.join(terminal)}")
    lines += ["  var x : 0..2", "  var s : seq"]
    if has_timer:
        lines.append("  timer t")
    triggers = ["open", "close", "crash"] + [f"recv {f}" for f in FLAGS[:4]]
    if has_timer:
        triggers.append("timeout t")
    # a fixed opening, so that most models have something to explore: a sends, b answers
    if name == "a":
        lines.append("  transition t0: S0 -> S1 on open { choose s  send SYN(seq=s) }")
    else:
        lines.append("  transition t0: S0 -> same on recv SYN { x := 1  send SYN+ACK(seq=s, "
                     "ack=seg.seq + 1) }")
    for k in range(1, draw(st.integers(2, 5))):
        sources = draw(st.lists(st.sampled_from(states), unique=True, min_size=1, max_size=2))
        target = draw(st.sampled_from(states + ["same"]))
        trig = draw(st.sampled_from(triggers))
        recv = trig.startswith("recv")
        guard = draw(st.sampled_from(["", "when x < 2", "when x != 1"]
                                     + (["when seg.seq == s", "when seg.ack == s + 1"] if recv else [])))
        body = []
        for _ in range(draw(st.integers(0, 3))):
            stmt = draw(st.sampled_from(
                ["x := x + 1", "x := 0", "s := s + 1", "choose s", "choose x",
                 "send {f}(seq=s)", "send {f}(seq=s, ack=s + 1)"]
                + (["start t 1", "start t 2", "stop t"] if has_timer else [])
                + (["s := seg.seq + 1", "x := 2"] if recv else [])))
            body.append(stmt.replace("{f}", draw(st.sampled_from(FLAGS))))
        text = f"  transition t{k}: {', '.join(sources)} -> {target} on {trig}"
        if guard:
            text += f" {guard}"
        if body:
            text += " { " + "  ".join(body) + " }"
        lines.append(text)
    lines.append("}")
    return "\n".join(lines), states, has_timer


@st.composite
def models(draw):
    capacity = draw(st.integers(1, 2))
    loss = draw(st.sampled_from(["0", "1", "no"]))
    dup = draw(st.sampled_from(["0", "1", "no"]))
    reorder = draw(st.sampled_from(["yes", "no"]))
    msl = draw(st.sampled_from(["", "  msl = 2"]))
    # one bag for both directions (it needs reordering)
    shared = draw(st.sampled_from(["", "  shared = yes"])) if reorder == "yes" else ""
    a, a_states, _ = draw(endpoint("a", draw(st.integers(2, 3))))
    b, b_states, _ = draw(endpoint("b", draw(st.integers(1, 3))))
    props = [
        "property p_inv: always a.x <= 1",
        f"property p_goal: reachable b.state == {b_states[-1]} and a.x == 1",
        "property p_step: always at a.t0: a.s != 0",
        "property p_chan: always forall g in channel: g.seq != 3",
        "property p_dead: deadlock free",
    ]
    chosen = draw(st.lists(st.sampled_from(props), unique=True, min_size=1, max_size=4))
    return "\n".join([
        "model gen",
        f"bounds {{ seqspace = 4  incarnations = {draw(st.integers(1, 2))} }}",
        f"channel {{ capacity = {capacity}  loss = {loss}  duplication = {dup}  "
        f"reordering = {reorder}{msl}{shared} }}",
        a, b, *chosen, *draw(assumptions()), ""])


@st.composite
def assumptions(draw):
    """None, or an assumption on a's opening (a user call, which an assumption may
    select): on the other endpoint, on the channel, or one that fails to evaluate when
    b.x is 1 (a domain error of the state)."""
    return draw(st.sampled_from([
        [], [], ["assume a_waits: always at a.t0: b.x <= 1"],
        ["assume quiet: always at a.t0: forall g in channel: g.seq != 2"],
        ["assume odd: always at a.t0: 1 % (b.x - 1) == 0"],
    ]))
