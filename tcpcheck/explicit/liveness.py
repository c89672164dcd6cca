"""Liveness under fairness: fair cycles of the explored state graph, found with SCCs.

The breadth-first explorer (:mod:`tcpcheck.explicit.checker`) records, for every state it
expanded, its outgoing edges: the successor's index and an *action key*, the action
without what does not identify it (a segment's age).  This module judges the three
liveness kinds on that graph (spec/MANUAL.md, sections 12.7, 12.8 and 14.12):

* ``eventually Q`` is violated by a run from the initial state that never meets Q;
* ``P ~> Q`` by a run that meets a P-and-not-Q state and never meets Q afterwards;
* ``always eventually Q`` (the same as ``true ~> Q``) by a run that from some point on
  never meets Q.

Such a run is infinite and, since the state space is finite, ends in a cycle; or it is
finite and stops in a state with no successor at all (a deadlock or a terminal state),
which also never meets Q again.  An infinite run counts only if it is *fair*.  Each
fairness constraint of the model stands for a family of *instances*, one per action
class: delivering one distinct segment (flags, seq, ack, ghost fields; its age aside)
towards one endpoint, a tick, a firing of one transition.  For a set of states C that a
run visits for ever (a strongly connected component, the run taking every edge in it):

* weak: an instance enabled in every state of C must be taken on an edge inside C;
* strong: an instance enabled in some state of C must be taken on an edge inside C; if it
  is not, the states where it is enabled cannot be visited for ever, so they are removed
  and the components of what is left are examined again (Emerson and Lei).

The counterexample is a lasso: a shortest prefix (breadth-first) to the first state of a
fair component met, and a short cycle through it that takes what the constraints demand
(found with breadth-first searches inside the component).
"""

from __future__ import annotations

from array import array
from collections import deque
from dataclasses import dataclass

from tcpcheck.explicit.semantics import DISCARD, FIRE, LOSE, TICK
from tcpcheck.model import ir
from tcpcheck.result import HOLDS, NOT_VERIFIED, VIOLATED

# instances of fairness: ("deliver", direction, segment without age), ("tick",),
# ("fire", endpoint, transition)
DELIVER, FIRING = "deliver", "fire"


def action_key(action) -> tuple:
    """What identifies an action for fairness: the action without a segment's age."""
    kind = action[0]
    if kind == FIRE:
        seg = action[3]
        return (FIRE, action[1], action[2], None if seg is None else seg[:-1])
    if kind == TICK:
        return (TICK,)
    return (kind, action[1], action[2][:-1])


def instances_of(key: tuple) -> tuple:
    """The fairness instances an action with ``key`` takes."""
    kind = key[0]
    if kind == FIRE:
        fire = (FIRING, key[1], key[2])
        return (fire, (DELIVER, key[1], key[3])) if key[3] is not None else (fire,)
    if kind == DISCARD:
        return ((DELIVER, key[1], key[2]),)
    if kind == TICK:
        return (("tick",),)
    return ()


class Graph:
    """The explored state graph: flat arrays of edges, states in breadth-first order."""

    def __init__(self):
        self.succ = array("q")
        self.key = array("q")
        self.lo: list = []  # per state: first edge, or -1 when the state was not expanded
        self.hi: list = []
        self.keys: list = []  # key id -> key tuple
        self._key_ids: dict = {}
        self.open = None  # the state being expanded, if any
        # states at the edge of the bounds (every segment waits for room to send its
        # replies): the run would go on with a larger channel, so it is outside the model
        # and not a run that stops; such a state is neither a dead end nor on a cycle
        self.outside: set = set()

    def add_state(self) -> None:
        self.lo.append(-1)
        self.hi.append(-1)

    def begin(self, state: int) -> None:
        self.lo[state] = -2 - len(self.succ)  # provisional until end(): -2 - start
        self.open = state

    def edge(self, target: int, action) -> None:
        key = action_key(action)
        k = self._key_ids.get(key)
        if k is None:
            k = self._key_ids[key] = len(self.keys)
            self.keys.append(key)
        self.succ.append(target)
        self.key.append(k)

    def end(self, state: int) -> None:
        start = -2 - self.lo[state]
        self.lo[state], self.hi[state] = start, len(self.succ)
        self.open = None

    def abandon(self, state: int) -> None:
        """The state's expansion did not finish (a limit, an error): it counts as unexplored."""
        start = -2 - self.lo[state] if self.lo[state] <= -2 else len(self.succ)
        del self.succ[start:]
        del self.key[start:]
        self.lo[state] = self.hi[state] = -1
        self.open = None

    def expanded(self, state: int) -> bool:
        return self.lo[state] >= 0

    def edges(self, state: int):
        lo = self.lo[state]
        if lo < 0:
            return ()
        hi = self.hi[state]
        return zip(self.succ[lo:hi], self.key[lo:hi])

    def targets(self, state: int):
        lo = self.lo[state]
        return self.succ[lo:self.hi[state]] if lo >= 0 else ()

    def edge_keys(self, state: int):
        lo = self.lo[state]
        return self.key[lo:self.hi[state]] if lo >= 0 else ()

    def dead_end(self, state: int) -> bool:
        return (self.lo[state] >= 0 and self.lo[state] == self.hi[state]
                and state not in self.outside)


# ---- fairness ----------------------------------------------------------------------------

def timeout_transitions(model: ir.Model) -> frozenset:
    """(endpoint, transition index) of every `timeout` transition: what `weak timers`
    covers."""
    return frozenset((e, t) for e, ep in enumerate(model.endpoints)
                     for t, tr in enumerate(ep.transitions) if tr.trigger.kind == "timeout")


class Constraints:
    """A model's fairness constraints (and possibly one more, to try it), as two predicates
    on instances, cached per action key."""

    def __init__(self, model: ir.Model, graph: Graph, fairness: tuple):
        self.graph = graph
        self.fairness = fairness
        self._timeouts = timeout_transitions(model)
        self._weak: list = []  # key id -> frozenset of weak (not strong) instances
        self._strong: list = []
        self._enabled: dict = {}  # state -> (weak instances, strong instances) enabled

    def _strength(self, inst: tuple) -> str | None:
        best = None
        for f in self.fairness:
            if _covers(f, inst, self._timeouts):
                if f.strength == "strong":
                    return "strong"
                best = "weak"
        return best

    def _classify(self, k: int) -> None:
        while len(self._weak) <= k:
            key = self.graph.keys[len(self._weak)]
            weak, strong = [], []
            for inst in instances_of(key):
                s = self._strength(inst)
                if s == "strong":
                    strong.append(inst)
                elif s == "weak":
                    weak.append(inst)
            self._weak.append(frozenset(weak))
            self._strong.append(frozenset(strong))

    def taken(self, k: int) -> frozenset:
        if not self.fairness:
            return _NOTHING
        self._classify(k)
        return self._weak[k] | self._strong[k]

    def enabled(self, state: int) -> tuple:
        if not self.fairness:
            return _NOTHING, _NOTHING
        found = self._enabled.get(state)
        if found is None:
            weak, strong = set(), set()
            keys = self.graph.edge_keys(state)
            if keys:
                self._classify(max(keys))
                w, st = self._weak, self._strong
                for k in keys:
                    if w[k]:
                        weak |= w[k]
                    if st[k]:
                        strong |= st[k]
            found = self._enabled[state] = (frozenset(weak), frozenset(strong))
        return found

    @property
    def empty(self) -> bool:
        return not self.fairness


_NOTHING = frozenset()


def _covers(f: ir.Fairness, inst: tuple, timeouts) -> bool:
    if f.target == "channel":
        return inst[0] == DELIVER and (f.endpoint is None or inst[1] == f.endpoint)
    if f.target == "tick":
        return inst[0] == "tick"
    if inst[0] != FIRING:
        return False
    if f.target == "timers":
        return (inst[1], inst[2]) in timeouts
    return (inst[1], inst[2]) in f.transitions


# ---- strongly connected components ---------------------------------------------------------

def sccs(graph: Graph, nodes) -> list:
    """The strongly connected components of the subgraph on ``nodes`` (a set), each a list
    of states; iterative Tarjan, so no recursion limit."""
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    result = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(graph.targets(root)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in nodes:
                    continue
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(graph.targets(w))))
                    advanced = True
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[v] < low[parent]:
                    low[parent] = low[v]
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                result.append(component)
    return result


def _nontrivial(graph: Graph, component: list) -> bool:
    if len(component) > 1:
        return True
    v = component[0]
    return v in graph.targets(v)


def fair_components(graph: Graph, cons: Constraints, nodes: set, components=None) -> list:
    """The fair strongly connected sets of states inside ``nodes`` (each a set);
    ``components``: the nontrivial components of ``nodes``, when already known."""
    if components is None:
        components = [c for c in sccs(graph, nodes) if _nontrivial(graph, c)]
    if cons.empty:  # without fairness every cycle counts
        return [set(c) for c in components]
    fair = []
    work = list(components)
    while work:
        component = set(work.pop())
        taken: set = set()
        weak_everywhere = None
        strong_enabled: dict = {}
        for u in component:
            weak, strong = cons.enabled(u)
            weak_everywhere = set(weak) if weak_everywhere is None else weak_everywhere & weak
            for inst in strong:
                strong_enabled.setdefault(inst, []).append(u)
            for v, k in graph.edges(u):
                if v in component:
                    got = cons.taken(k)
                    if got:
                        taken |= got
        if weak_everywhere - taken:
            continue  # every part of it keeps that instance enabled and never takes it
        bad = {u for inst, where in strong_enabled.items() if inst not in taken for u in where}
        if not bad:
            fair.append(component)
            continue
        rest = component - bad
        work += [c for c in sccs(graph, rest) if _nontrivial(graph, c)]
    return fair


# ---- the search -------------------------------------------------------------------------------

@dataclass
class Lasso:
    """A violating run: ``start`` (a state the explorer's parent links lead to), then
    ``path`` and ``cycle``, lists of edges ``(from, key id, to)``; no cycle for a run that
    stops in a dead end."""

    start: int
    path: list
    cycle: list


class Region:
    """What every search for one property shares, whatever the fairness: the expanded
    states reachable from the starts through avoided states, and their components."""

    def __init__(self, graph: Graph, avoid: list, starts, from_initial: bool):
        self.candidates = [s for s in starts if avoid[s] and graph.expanded(s)]
        self.from_initial = from_initial
        self.nodes = _forward(graph, self.candidates, avoid) if self.candidates else set()
        self.components = [c for c in sccs(graph, self.nodes) if _nontrivial(graph, c)]
        self.dead_ends = {s for s in self.nodes if graph.dead_end(s)}
        self._preds = None

    def preds(self, graph: Graph) -> dict:
        if self._preds is None:
            self._preds = {}
            nodes = self.nodes
            for u in nodes:
                for v in graph.targets(u):
                    if v in nodes:
                        self._preds.setdefault(v, []).append(u)
        return self._preds


def search(graph: Graph, cons: Constraints, avoid: list, starts, from_initial: bool,
           region: Region | None = None):
    """A run that, from one of ``starts`` (state indices, in breadth-first order), stays in
    states where ``avoid[s]`` is true for ever, fairly, or until it stops; None if there is
    none among the expanded states.  ``region``: :class:`Region` of the same arguments."""
    if region is None:
        region = Region(graph, avoid, starts, from_initial)
    candidates = region.candidates
    if not candidates:
        return None
    fair = fair_components(graph, cons, region.nodes, region.components)
    component_of = {}
    for i, comp in enumerate(fair):
        for s in comp:
            component_of[s] = i
    targets = set(component_of) | region.dead_ends
    if not targets:
        return None
    if from_initial:
        start = candidates[0]
    else:
        able = _backward(region.preds(graph), targets)
        start = next((s for s in candidates if s in able), None)
        if start is None:
            return None
    path = _bfs_path(graph, start, region.nodes, lambda u: u in targets)
    end = path[-1][2] if path else start
    if end not in component_of:
        return Lasso(start, path, [])
    return Lasso(start, path, fair_cycle(graph, cons, fair[component_of[end]], end))


@dataclass(frozen=True)
class Judgement:
    """The verdict of one liveness search: ``status`` is VIOLATED (``lasso`` breaks the
    property), NOT_VERIFIED (no violation inside the bounds, but ``edge`` states that avoid
    the goal lie at the edge of the bounds, so what such a run does next is unknown),
    HOLDS, or None (no violation among the expanded states of an incomplete exploration:
    nothing may be claimed)."""

    status: str | None
    lasso: Lasso | None = None
    edge: int = 0


def judge(graph: Graph, cons: Constraints, avoid: list, starts, from_initial: bool,
          region: Region, complete: bool) -> Judgement:
    """The verdict of a property under the constraints ``cons``: the one judgement the
    checker gives and the fairness hints re-check with (so a hint never claims more than
    declaring its constraint would give).  ``complete``: the exploration was exhaustive."""
    lasso = search(graph, cons, avoid, starts, from_initial, region)
    if lasso is not None:
        return Judgement(VIOLATED, lasso)  # made of expanded states: real even after a limit
    edge = len(region.nodes & graph.outside)
    if edge:
        return Judgement(NOT_VERIFIED, edge=edge)
    return Judgement(HOLDS if complete else None)


def _forward(graph: Graph, starts, avoid) -> set:
    seen = set(starts)
    queue = deque(starts)
    lo = graph.lo
    while queue:
        u = queue.popleft()
        for v in graph.targets(u):
            if v not in seen and avoid[v] and lo[v] >= 0:
                seen.add(v)
                queue.append(v)
    return seen


def _backward(preds: dict, targets: set) -> set:
    seen = set(targets)
    queue = deque(targets)
    while queue:
        v = queue.popleft()
        for u in preds.get(v, ()):
            if u not in seen:
                seen.add(u)
                queue.append(u)
    return seen


def _bfs_path(graph: Graph, start: int, inside: set, goal, first_edge: bool = False) -> list:
    """Shortest list of edges from ``start`` inside ``inside`` to a state meeting ``goal``
    (``[]`` if ``start`` meets it, unless ``first_edge``: then at least one edge)."""
    if goal(start) and not first_edge:
        return []
    parent = {start: None}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for v, k in graph.edges(u):
            if v not in inside:
                continue
            if goal(v) and (v != start or first_edge):
                path = [(u, k, v)]
                while parent[u] is not None:
                    path.append(parent[u])
                    u = parent[u][0]
                return path[::-1]
            if v not in parent:
                parent[v] = (u, k, v)
                queue.append(v)
    return []


def _edge_path(graph: Graph, start: int, inside: set, inst: tuple, cons: Constraints,
               weak: bool) -> list:
    """Shortest edges from ``start`` inside ``inside`` that end by taking instance ``inst``
    (or, for a weak one, reach a state where it is not enabled)."""
    parent = {start: None}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        hit = None
        if weak and inst not in cons.enabled(u)[0]:
            hit = []
        else:
            for v, k in graph.edges(u):
                if v in inside and inst in cons.taken(k):
                    hit = [(u, k, v)]
                    break
        if hit is not None:
            path = hit
            while parent[u] is not None:
                path.append(parent[u])
                u = parent[u][0]
            return path[::-1] if len(path) > 1 else path
        for v, k in graph.edges(u):
            if v in inside and v not in parent:
                parent[v] = (u, k, v)
                queue.append(v)
    raise AssertionError("a fair component takes every instance it must")  # pragma: no cover


def fair_cycle(graph: Graph, cons: Constraints, component: set, entry: int) -> list:
    """A short cycle from ``entry`` back to it inside the fair ``component`` that takes every
    instance the constraints demand: greedy, the nearest obligation first; then once more
    with every obligation the first try met known from the start, keeping the shorter."""
    seen: set = set()
    first = _greedy_cycle(graph, cons, component, entry, (), seen)
    if not seen:
        return first
    again = _greedy_cycle(graph, cons, component, entry, tuple(sorted(seen, key=repr)), set())
    return again if len(again) < len(first) else first


def _greedy_cycle(graph, cons, component, entry, seed, seen) -> list:
    cycle: list = []
    current = entry
    while True:
        needed = _obligations(cons, cycle, entry, seed)
        seen.update(needed)
        if needed:
            weak, inst = needed[0]
            # never empty: ``current`` is on the cycle, so it enables what is still needed
            # (a seeded one may be met where the cycle stands: then it is dropped)
            part = _edge_path(graph, current, component, inst, cons, weak)
            if not part:
                seed = tuple(x for x in seed if x != (weak, inst))
                continue
            cycle += part
            current = part[-1][2]
            continue
        if current == entry and cycle:
            return cycle
        back = _bfs_path(graph, current, component, lambda u: u == entry,
                         first_edge=not cycle)
        cycle += back
        current = entry
        if not _obligations(cons, cycle, entry, seed):
            return cycle


def _obligations(cons: Constraints, cycle: list, entry: int, seed=()) -> list:
    """What the cycle so far still has to take: (weak?, instance) pairs, the ``seed`` ones
    (met before by another try) first, unless already met."""
    states = [entry] + [v for _, _, v in cycle]
    taken = set()
    for _, k, _ in cycle:
        taken |= cons.taken(k)
    weak_all = None
    strong_any = set()
    for s in states:
        weak, strong = cons.enabled(s)
        weak_all = set(weak) if weak_all is None else weak_all & weak
        strong_any |= strong
    needed = [(False, i) for i in sorted(strong_any - taken, key=repr)]
    needed += [(True, i) for i in sorted(weak_all - taken, key=repr)]
    early = [x for x in seed if x[1] not in taken and x not in needed
             and (not x[0] or x[1] in weak_all)]
    return early + [x for x in needed if x not in early] if early else needed


# ---- what fairness would rule a cycle out ------------------------------------------------

@dataclass(frozen=True)
class Unfairness:
    """A fairness constraint the model does not declare under which a lasso's cycle is
    unfair: ``fairness`` the constraint, ``instance`` an action it would force, ``step`` a
    step after which that action is enabled, ``lost`` whether the cycle loses that segment."""

    fairness: ir.Fairness
    instance: tuple
    step: int
    lost: bool = False


def unfair_under(model: ir.Model, graph: Graph, cycle: list, first_step: int) -> list:
    """The constraints (channel, tick, timers, then transitions; the weakest strength that
    does) under which the cycle ``cycle`` (edges, its first one being step ``first_step``)
    is unfair.  Enabled and taken are read on the raw actions, whatever is declared."""
    states = [cycle[0][0]] + [v for _, _, v in cycle]
    taken = set()
    lost = set()
    for _, k, _ in cycle:
        key = graph.keys[k]
        taken |= set(instances_of(key))
        if key[0] == LOSE:
            lost.add((DELIVER, key[1], key[2]))
    enabled = []
    for s in states[:-1]:
        here = set()
        for _, k in graph.edges(s):
            here |= set(instances_of(graph.keys[k]))
        enabled.append(here)
    everywhere = set.intersection(*enabled) if enabled else set()
    somewhere = set.union(*enabled) if enabled else set()
    timeouts = timeout_transitions(model)

    def first(inst) -> int:
        return first_step - 1 + next(i for i, here in enumerate(enabled) if inst in here)

    def pick(insts):
        """(strength, instance) for the first instance, weak when one is enabled throughout."""
        insts = sorted(insts, key=lambda i: (i not in lost, repr(i)))  # a lost one first
        weak = [i for i in insts if i in everywhere]
        if weak:
            return "weak", weak[0]
        return ("strong", insts[0]) if insts else (None, None)

    found = []
    untaken = somewhere - taken
    deliveries = [i for i in untaken if i[0] == DELIVER]
    if deliveries:
        strength, inst = pick(deliveries)
        found.append(Unfairness(ir.Fairness(strength, "channel", text=f"{strength} channel"),
                                inst, first(inst), inst in lost))
    if ("tick",) in untaken:
        strength = "weak" if ("tick",) in everywhere else "strong"
        found.append(Unfairness(ir.Fairness(strength, "tick", text=f"{strength} tick"),
                                ("tick",), first(("tick",))))
    timers = [i for i in untaken if i[0] == FIRING and (i[1], i[2]) in timeouts]
    if timers:
        strength, inst = pick(timers)
        found.append(Unfairness(ir.Fairness(strength, "timers", text=f"{strength} timers"),
                                inst, first(inst)))
    others = [i for i in untaken if i[0] == FIRING and (i[1], i[2]) not in timeouts]
    for inst in sorted(others)[:3]:
        e, t = inst[1], inst[2]
        strength = "weak" if inst in everywhere else "strong"
        name = f"{model.endpoints[e].name}.{model.endpoints[e].transitions[t].name}"
        found.append(Unfairness(ir.Fairness(strength, "transition", e, frozenset({(e, t)}),
                                            f"{strength} {name}"), inst, first(inst)))
    return found
