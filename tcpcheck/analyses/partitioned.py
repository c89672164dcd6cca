"""Exhaustive breadth-first search partitioned over Ray actors (``check --ray``): the
classic distributed search of DiVinE and PREACH, as docs/distributed.md designs it.

W partitions each own the states whose hash is theirs (``hash(state) % W``: a state is a
tuple of integers, booleans and frozensets of those, whose hashes are the same in every
process, unlike a string's).  Each keeps the visited set of its part, expands the part of
the frontier it owns with the reference semantics (section 13 of the manual) and sends
every successor to its owner, de-duplicated per level.  The levels are synchronous: the
driver (this process) starts level d on every partition, hands each one the successors
sent to it, and waits for all before level d+1, so every state is stored by exactly one
partition at its breadth-first depth and every move is expanded exactly once: the states,
transitions, diameter and verdicts are those of ``tcpcheck check``, and a counterexample is
a shortest one.  Among runs of equal length the one kept is the smallest (partition,
index) (not necessarily the one a single search shows: its order is its queue's).

Each partition judges what it sees with the checker's own code (an _Explorer used as a
judge, as ``simulate`` does): invariants, lemmas and goals on the states it stores, step
properties on the firings it expands, deadlock and the domains on the states it expands.
A run found is rebuilt from the partitions' parent links, replayed by the reference
semantics and judged again before it is shown; a replay that disagrees is an internal
error, never a verdict.  Liveness properties need a cycle search over the whole graph
(DiVinE's OWCTY or MAP), which is not built: they are reported not verified."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from tcpcheck.diagnostics import TcpcheckError, UsageError
from tcpcheck.engine.state import view
from tcpcheck.explicit.checker import DOMAINS, LEMMA, LEMMA_VIOLATED, CheckOptions, _Explorer
from tcpcheck.explicit.semantics import FIRE
from tcpcheck.limits import Watch, polled
from tcpcheck.model import ir
from tcpcheck.result import FAILING, NOT_VERIFIED, REACHED, VIOLATED, CheckResult

LIVENESS_DETAIL = ("not judged: a partitioned run has no distributed cycle search; check "
                   "liveness in one process (without --ray)")
POLL_SECONDS = 0.1


class PartitionMismatch(TcpcheckError):
    """A run the partitions reported does not replay in the reference semantics."""


@dataclass(frozen=True)
class Found:
    """A property decided by one partition: at the state ``local`` it stored (then its move
    ``k``, for a step property), ``length`` steps from the initial state."""

    name: str
    status: str
    length: int
    owner: int
    local: int
    k: int = -1
    detail: str | None = None

    def order(self) -> tuple:
        return (self.length, self.owner, self.local, self.k)


@dataclass(frozen=True)
class Level:
    """What a partition did in one level: expanded, then stored."""

    transitions: int
    stored: int  # states it stored in the level
    found: tuple  # Found records
    complete: bool = True  # False: the deadline came before its frontier was expanded
    cut_short: bool = False  # an error move
    blocked: int = 0  # states whose moves all wait for room in the channel
    fired: tuple = ()  # ((endpoint, transition), firings)


class Partition:
    """One part of the state space (a Ray actor; plain Python, so tested without Ray)."""

    def __init__(self, model: ir.Model, names: tuple, me: int, parts: int):
        self.x = _Explorer(model, CheckOptions(properties=names))
        self.x.watch = Watch(None, None, time.monotonic())
        self.x.cut_short, self.x.capacity_blocked = False, 0
        self.judged = self.x.props + [self.x.domains]
        self.me, self.parts = me, parts
        self.index: dict = {}
        self.states: list = []
        self.links: list = []  # per state: (owner, local, move) of the state that found it
        self.frontier: list = []
        self.reported: set = set()
        self.found: list = []

    def seed(self, state) -> Level:
        """Store the initial state (this partition owns it)."""
        self._store(state, None, 0)
        return self._level(0, 1)

    def expand(self, depth: int, deadline: float | None) -> list:
        """Expand the frontier (its states are at ``depth``); one list of (state, local
        parent, move) per partition, then this level's Level (without stored states)."""
        x, out = self.x, [dict() for _ in range(self.parts)]
        transitions, blocked_before = 0, x.capacity_blocked
        fired_before = dict(x.coverage)
        complete = True
        for n, local in enumerate(self.frontier):
            if deadline is not None and n % 256 == 0 and time.time() > deadline:
                complete = False
                break
            succs = x._successors(local, self.states[local])
            if succs.error is not None:
                x._error_move(local, succs.error)
            self._note(depth, local)
            for k, (action, nxt) in enumerate(succs):
                transitions += 1
                if action[0] == FIRE:
                    x._on_fire(local, action, nxt)
                    self._note(depth + 1, local, k)
                out[hash(nxt) % self.parts].setdefault(nxt, (local, k))
        self.frontier = []
        fired = tuple((key, n - fired_before[key]) for key, n in x.coverage.items()
                      if n != fired_before[key])
        level = Level(transitions, 0, self._take(), complete, x.cut_short,
                      x.capacity_blocked - blocked_before, fired)
        return [[(s, p, k) for s, (p, k) in part.items()] for part in out] + [level]

    def receive(self, depth: int, *sent) -> Level:
        """Store the states of ``sent`` (one list per sending partition, in partition order)
        not seen before; they make the next frontier."""
        before = len(self.states)
        for sender, part in enumerate(sent):
            for state, parent, k in part:
                if state not in self.index:
                    self._store(state, (sender, parent, k), depth)
        return self._level(depth, len(self.states) - before)

    def link(self, local: int):
        """(owner, local, move) of the state that found state ``local``; None: initial."""
        return self.links[local]

    def _store(self, state, link, depth: int) -> None:
        local = len(self.states)
        self.index[state] = local
        self.states.append(state)
        self.links.append(link)
        self.frontier.append(local)
        self.x._check_state(local, state)
        self._note(depth, local)

    def _note(self, length: int, local: int, k: int = -1) -> None:
        for p in self.judged:
            if p.status is not None and p.prop.name not in self.reported:
                self.reported.add(p.prop.name)
                self.found.append(Found(p.prop.name, p.status, length, self.me, local, k,
                                        p.detail))

    def _take(self) -> tuple:
        found, self.found = tuple(self.found), []
        return found

    def _level(self, depth: int, stored: int) -> Level:
        return Level(0, stored, self._take())


# -- the driver ----------------------------------------------------------------------------

def refuse(options: CheckOptions) -> None:
    """UsageError for what a partitioned run cannot honour."""
    if options.counterexamples > 1:
        raise UsageError("--ray keeps one counterexample per property; drop --counterexamples")
    if options.storage != "exact":
        raise UsageError(f"--ray stores states exactly; drop --storage {options.storage}")


def check(model: ir.Model, options: CheckOptions, ray, partitions: int) -> CheckResult:
    """Explore ``model`` in ``partitions`` Ray actors (``ray``: the module, connected)."""
    refuse(options)
    started = time.monotonic()
    ex = _Explorer(model, options)
    for p in ex.liveness:
        p.status, p.detail = NOT_VERIFIED, LIVENESS_DETAIL
    names = tuple(p.prop.name for p in ex.props if p.prop.kind not in ir.LIVENESS_KINDS)
    watch = Watch(options.timeout, options.max_memory_mb, started)
    cpus = 1 if partitions <= ray.cluster_resources().get("CPU", 1) else 0
    actor = ray.remote(num_cpus=cpus)(Partition)
    actors = [actor.options(scheduling_strategy="SPREAD").remote(model, names, w, partitions)
              for w in range(partitions)]
    try:
        run = _Run(ray, actors, ex, options, watch)
        run.explore()
        return run.result(started)
    finally:
        for a in actors:
            ray.kill(a)


class _Run:
    def __init__(self, ray, actors, ex: _Explorer, options: CheckOptions, watch: Watch):
        self.ray, self.actors, self.ex, self.options, self.watch = ray, actors, ex, options, watch
        self.best: dict = {}  # property -> its Found with the shortest run
        self.states = self.transitions = self.blocked = self.depth = 0
        self.reason, self.depth_cut, self.cut_short, self.complete = None, False, False, False

    def explore(self) -> None:
        ex, parts = self.ex, len(self.actors)
        initial = ex.sem.initial_state()
        self.initial = initial
        with polled():
            try:
                levels = self._wait([self.actors[hash(initial) % parts].seed.remote(initial)])
                if levels is None:
                    return
                self._add(levels)
                while self.reason is None:
                    self._one_level()
            except KeyboardInterrupt:  # a caller without tcpcheck's handlers (a notebook)
                self.reason = "interrupted"

    def _one_level(self) -> None:
        options, parts = self.options, len(self.actors)
        if self._decided():
            self.reason = "decided"
            return
        if options.max_depth is not None and self.depth >= options.max_depth:
            self.depth_cut, self.reason = True, "max-depth"
            return
        deadline = None if options.timeout is None else \
            time.time() + options.timeout - (time.monotonic() - self.watch.started)
        expanded = [a.expand.options(num_returns=parts + 1).remote(self.depth, deadline)
                    for a in self.actors]
        stored = [a.receive.remote(self.depth + 1, *[expanded[s][w] for s in range(parts)])
                  for w, a in enumerate(self.actors)]
        levels = self._wait([e[parts] for e in expanded] + stored)
        if levels is None:
            return
        self._add(levels)
        new = sum(level.stored for level in levels[parts:])
        if not all(level.complete for level in levels):
            self.reason = self.watch.reason() or "timeout"
        elif new == 0:
            self.complete = True
            self.reason = "complete"
        else:
            self.depth += 1
            if options.max_states is not None and self.states >= options.max_states:
                self.reason = "max-states"

    def _wait(self, refs):
        """The values of ``refs``, or None when a signal or a limit stopped the run first,
        or a partition was lost (Ray restarts an actor, not the states it held)."""
        lost = getattr(getattr(self.ray, "exceptions", None), "RayError", ())
        pending = list(refs)
        try:
            while pending:
                reason = self.watch.reason()
                if reason is not None:
                    self.reason = reason
                    return None
                _, pending = self.ray.wait(pending, num_returns=len(pending),
                                           timeout=POLL_SECONDS)
            return self.ray.get(list(refs))
        except lost:
            self.reason = "partition-lost"
            return None

    def _add(self, levels) -> None:
        ex = self.ex
        for level in levels:
            self.transitions += level.transitions
            self.states += level.stored
            self.blocked += level.blocked
            self.cut_short |= level.cut_short
            for key, n in level.fired:
                ex.coverage[key] += n
            for f in level.found:
                if f.name not in self.best or f.order() < self.best[f.name].order():
                    self.best[f.name] = f
        if self.options.progress is not None:
            self.options.progress(self.states, self.transitions, self.depth, 0,
                                  time.monotonic() - self.watch.started)

    def _decided(self) -> bool:
        """The checker's rule (_Explorer._all_decided, one counterexample each): every
        property judged here is decided, and a failure was found or the domains decided."""
        if not self.options.stop_when_decided:
            return False
        judged = [p.prop.name for p in self.ex.props if p.prop.kind not in ir.LIVENESS_KINDS]
        if not judged or any(name not in self.best for name in judged):
            return False
        return DOMAINS in self.best or any(f.status in FAILING for f in self.best.values())

    # -- the result ------------------------------------------------------------------------
    def result(self, started: float) -> CheckResult:
        ex = self.ex
        ex.states = _Stored(self.states)
        ex.parent, ex.action = {0: -1}, {0: None}
        ex.states[0] = self.initial
        self.numbered = {}  # (owner, local) -> the index of the replayed state
        lost = getattr(getattr(self.ray, "exceptions", None), "RayError", ())
        for p in ex.props + [ex.domains]:
            found = self.best.get(p.prop.name)
            if found is not None and p.prop.kind not in ir.LIVENESS_KINDS:
                try:
                    self._judge_again(p, found)
                except lost:  # its run went with a lost partition: left undecided
                    self.reason = "partition-lost"
        ex.transitions, ex.capacity_blocked = self.transitions, self.blocked
        ex.cut_short = self.cut_short
        exhausted = self.complete and not self.cut_short
        reason = None if self.reason == "complete" else self.reason
        if self.cut_short and reason in (None, "decided"):
            reason = "error"
        out = ex._result(exhausted, None if exhausted else reason, self.depth,
                         time.monotonic() - started)
        # the states are held by the partitions, not here: no bytes per state
        return replace(out, backend="partitioned", workers=len(self.actors),
                       stats=replace(out.stats, stored_mb=None))

    def _judge_again(self, p, found: Found) -> None:
        """Replay ``found``'s run and judge ``p`` on it as the checker would."""
        index, state = self._replay(found.owner, found.local)
        sem = self.ex.sem
        if p.prop.kind == "domains":
            error = sem.successors(state).error
            if error is None:
                raise PartitionMismatch(f"no error move where partition {found.owner} found one")
            p.status, p.witness = VIOLATED, (index, view(error))
            return
        if p.prop.kind == "step":
            action, nxt = sem.successors(state)[found.k]
            fn = next((f for q, f in self.ex.steps.get(tuple(action[1:3]), ()) if q is p), None)
            if fn is None or _value(p, fn, nxt, action[3]):
                raise PartitionMismatch(f"{p.prop.name} holds on the replayed firing")
            p.status, p.witness, p.detail = VIOLATED, (index, action, nxt), found.detail
            return
        self._state_verdict(p, found, index, state)

    def _state_verdict(self, p, found: Found, index: int, state) -> None:
        sem, kind = self.ex.sem, p.prop.kind
        if kind == "deadlock":
            succs = sem.successors(state)
            if succs or succs.blocked or sem.is_terminal(state):
                raise PartitionMismatch("a reported deadlock has moves in the reference semantics")
            p.detail = self.ex._deadlock_kind(state)
        elif found.status == REACHED:
            if not _value(p, p.fn, state, None):
                raise PartitionMismatch(f"goal {p.prop.name} is not met on the replayed run")
        else:
            if _value(p, p.fn, state, None):
                raise PartitionMismatch(f"{p.prop.name} holds on the replayed run")
            p.detail = found.detail or (LEMMA_VIOLATED if kind == LEMMA else None)
        p.status, p.witness = found.status, index
        if found.status == VIOLATED:
            p.witnesses.append(index)

    def _replay(self, owner: int, local: int) -> tuple:
        """The index and state of (owner, local): its run fetched from the partitions'
        parent links, replayed from the initial state."""
        moves, at = [], (owner, local)
        while at not in self.numbered:
            link = self.ray.get(self.actors[at[0]].link.remote(at[1]))
            if link is None:
                self.numbered[at] = 0
                break
            moves.append((at, link[2]))
            at = link[:2]
        ex = self.ex
        index = self.numbered[at]
        state = ex.states[index]
        for here, k in reversed(moves):
            succs = ex.sem.successors(state)
            if k >= len(succs):
                raise PartitionMismatch(f"move {k} of {len(succs)} in a replayed run")
            action, state = succs[k]
            number = len(self.numbered) + 1
            self.numbered[here] = number
            ex.states[number], ex.parent[number], ex.action[number] = state, index, action
            index = number
        return index, state


def _value(p, fn, state, seg):
    """The property's value; an evaluation error counts as false (its detail kept)."""
    try:
        return fn(state, seg)
    except (ArithmeticError, ValueError) as err:
        p.detail = f"the property cannot be evaluated in this state: {err}"
        return None


class _Stored(dict):
    """The explorer's state list for a partitioned run: its length is the number of states
    the partitions stored; it holds the states of the runs replayed, by index."""

    def __init__(self, count: int):
        super().__init__()
        self.count = count

    def __len__(self) -> int:
        return self.count
