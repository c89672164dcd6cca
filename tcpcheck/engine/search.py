"""The one breadth-first search of the explicit engine, and of every analysis built on it.

``tcpcheck check`` (tcpcheck.explicit.checker), ``explain``'s ablation when the Python engine
runs it (tcpcheck.explain.reasons) and ``scan`` (an observer riding on a check: all three
through tcpcheck.engine.registry), and ``diff`` (tcpcheck.analyses.diff, whose states are
pairs of one model's state and the set of the other's that match it, so not one model's
run) all explore the same way: states stored once, by index, with the parent and the
action that first reached them (so a shortest run to any state can be rebuilt), in
breadth-first order, with the same limits looked at the same way.  What each of them does with the states and edges it
meets is an :class:`Observer`; the search itself knows nothing of properties.

Limits, one rule for every caller:

* the run's :class:`tcpcheck.limits.Watch` (signals, ``--timeout``, ``--max-memory``) is asked
  before every expansion, and inside one (the caller's ``expand`` passes it to
  ``Semantics.successors``, which polls it during a long ``choose``);  a limit reached inside
  an expansion leaves that state unexpanded, at the front of the queue;
* ``max_states`` stops the search before a state beyond it is stored;
* ``max_depth``: states at that depth are stored and observed but not expanded, and the
  search goes on with the others (its stop reason is ``max-depth`` if nothing else stopped it);
* a state whose expansion is an error move (tcpcheck.engine.state: ``expand`` returned
  Successors with ``error`` set) is told to :meth:`Observer.on_error`, is not expanded, and
  the search goes on; the run is then not complete (``error``).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

from tcpcheck.limits import LimitReached, Watch, polled


def path_to(index: int, states, parent, action) -> list:
    """``[(action, state)]`` from the initial state (action None) to state ``index``, through
    the parent links (lists, or any mapping by index: the native engine's sparse records)."""
    path = []
    while index >= 0:
        path.append((action[index], states[index]))
        index = parent[index]
    path.reverse()
    return path


class Observer:
    """What a search tells its caller.  Every method may raise :class:`StopSearch`."""

    def decided(self) -> bool:
        """Asked before each expansion: True ends the search (reason ``decided``)."""
        return False

    def on_state(self, index: int, state) -> None:
        """A state stored for the first time (the initial state is index 0)."""

    def on_move(self, parent: int, action, state) -> None:
        """A move of state ``parent`` to ``state``, before the search looks ``state`` up
        (so a property of the move itself is judged even when the state limit then stops
        the search)."""

    def on_edge(self, parent: int, action, state, index: int, new: bool) -> None:
        """The move ``action`` from state ``parent`` to ``state``, stored as ``index``;
        ``new`` when this edge found it (then on_state came just before)."""

    def on_error(self, index: int, state, error) -> None:
        """State ``index``'s expansion is the error move ``error`` (an ERROR action): it
        has no successors the search may explore."""

    def on_expanded(self, index: int, complete: bool) -> None:
        """Every move of state ``index`` has been reported (``complete``), or its
        expansion failed or was interrupted (not complete)."""


class Observers(Observer):
    """Several observers as one, each told everything in the order given; the search is
    decided when any of them is."""

    def __init__(self, observers):
        self.observers = tuple(observers)

    def decided(self) -> bool:
        return any(o.decided() for o in self.observers)

    def on_state(self, index, state):
        for o in self.observers:
            o.on_state(index, state)

    def on_move(self, parent, action, state):
        for o in self.observers:
            o.on_move(parent, action, state)

    def on_edge(self, parent, action, state, index, new):
        for o in self.observers:
            o.on_edge(parent, action, state, index, new)

    def on_error(self, index, state, error):
        for o in self.observers:
            o.on_error(index, state, error)

    def on_expanded(self, index, complete):
        for o in self.observers:
            o.on_expanded(index, complete)


class StopSearch(Exception):
    """Raised by an observer or by ``expand`` to end the search with ``reason``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SearchLimits:
    max_states: int | None = None
    max_depth: int | None = None
    progress: object = None  # callable(states, transitions, depth, queue, seconds) or None
    progress_interval: float = 0.5


@dataclass(frozen=True)
class SearchEnd:
    """How a search ended.  ``complete``: every reachable state was expanded."""

    complete: bool
    stop_reason: str | None  # None when complete; else max-states, timeout, decided, ...
    transitions: int
    diameter: int  # the greatest depth of a stored state
    seconds: float


class BreadthFirst:
    """One search: ``expand(index, state)`` returns the Successors of a state (its moves
    ``(action, next_state)`` in a fixed order, or its error move).  States must be
    hashable."""

    def __init__(self, expand, observer: Observer, limits: SearchLimits, watch: Watch):
        self.expand = expand
        self.observer = observer
        self.limits = limits
        self.watch = watch
        self.index: dict = {}
        self.states: list = []
        self.parent: list = []
        self.action: list = []
        self.depth: list = []
        self.transitions = 0
        self.stopped_by: StopSearch | None = None  # what an observer or expand raised

    def path(self, index: int) -> list:
        """``[(action, state)]`` from the initial state (action None) to state ``index``."""
        return path_to(index, self.states, self.parent, self.action)

    def _store(self, state, parent: int, action, depth: int) -> int:
        i = len(self.states)
        self.index[state] = i
        self.states.append(state)
        self.parent.append(parent)
        self.action.append(action)
        self.depth.append(depth)
        self.observer.on_state(i, state)
        return i

    def run(self, initial) -> SearchEnd:
        started = self.watch.started
        queue = deque()
        reason, depth_cut, failed = None, False, False
        try:
            with polled():  # a signal only records the request; watch.reason() sees it
                queue.append(self._store(initial, -1, None, 0))
                reason = self.watch.reason()
                next_report = started + 1.0
                while queue and reason is None:
                    if self.observer.decided():
                        reason = "decided"
                        break
                    current = queue.popleft()
                    d = self.depth[current]
                    if self.limits.max_depth is not None and d >= self.limits.max_depth:
                        depth_cut = True
                        continue
                    failed |= not self._expand(current, d, queue)
                    reason = self.watch.reason()  # a signal, the clock, the memory
                    if self.limits.progress is not None:
                        now = time.monotonic()
                        if now >= next_report:
                            self.limits.progress(len(self.states), self.transitions, d,
                                                 len(queue), now - started)
                            next_report = now + self.limits.progress_interval
        except StopSearch as stop:
            reason, self.stopped_by = stop.reason, stop
        except LimitReached as limit:  # inside an expansion: that state stays unexpanded
            reason = limit.reason
        except KeyboardInterrupt:  # a caller without tcpcheck's signal handlers (a notebook)
            reason = "interrupted"
        except MemoryError:  # the machine's memory, before any --max-memory
            reason = "max-memory"
        complete = not queue and reason is None and not depth_cut and not failed
        if reason is None and depth_cut:
            reason = "max-depth"
        elif reason is None and failed:
            reason = "error"
        return SearchEnd(complete, None if complete else reason, self.transitions,
                         max(self.depth, default=0), time.monotonic() - started)

    def _expand(self, current: int, d: int, queue: deque) -> bool:
        """Expand state ``current``; False when its moves could not be known."""
        try:
            moves = self.expand(current, self.states[current])
        except (LimitReached, StopSearch):
            queue.appendleft(current)  # unexpanded: what is left to do stays in the queue
            self.observer.on_expanded(current, False)
            raise
        error = moves.error
        if error is not None:
            self.observer.on_error(current, self.states[current], error)
            self.observer.on_expanded(current, False)
            return False
        max_states = self.limits.max_states
        observer = self.observer
        for action, nxt in moves:
            self.transitions += 1
            observer.on_move(current, action, nxt)
            seen = self.index.get(nxt)
            if seen is None:
                if max_states is not None and len(self.states) >= max_states:
                    observer.on_expanded(current, False)
                    raise StopSearch("max-states")
                seen = self._store(nxt, current, action, d + 1)
                queue.append(seen)
                observer.on_edge(current, action, nxt, seen, True)
            else:
                observer.on_edge(current, action, nxt, seen, False)
        self.observer.on_expanded(current, True)
        return True
