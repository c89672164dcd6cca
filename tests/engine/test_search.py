"""tcpcheck.engine.search: the one breadth-first search, on hand-made graphs."""

from __future__ import annotations

import time

from tcpcheck.engine.search import BreadthFirst, Observer, SearchLimits, StopSearch
from tcpcheck.engine.state import ERROR, Successors
from tcpcheck.limits import LimitReached, Watch

# 0 -> 1, 2;  1 -> 3;  2 -> 3, 0;  3 -> 4;  4 (no moves).  Diameter 3 (0-1-3-4).
GRAPH = {0: [1, 2], 1: [3], 2: [3, 0], 3: [4], 4: []}


def moves(graph=GRAPH):
    return lambda index, state: Successors([(f"{state}->{n}", n) for n in graph[state]])


class Recorder(Observer):
    def __init__(self):
        self.events = []

    def on_state(self, index, state):
        self.events.append(("state", index, state))

    def on_edge(self, parent, action, state, index, new):
        self.events.append(("edge", parent, action, index, new))

    def on_error(self, index, state, error):
        self.events.append(("error", index, error))

    def on_expanded(self, index, complete):
        self.events.append(("expanded", index, complete))


def run(expand=None, observer=None, **limits):
    observer = observer or Recorder()
    search = BreadthFirst(expand or moves(), observer, SearchLimits(**limits),
                          Watch(None, None, time.monotonic()))
    return search, search.run(0), observer


def test_every_state_once_in_breadth_first_order_with_shortest_parents():
    search, end, rec = run()
    assert end.complete and end.stop_reason is None
    assert search.states == [0, 1, 2, 3, 4]
    assert end.transitions == 6 and end.diameter == 3
    assert [a for a, _ in search.path(4)] == [None, "0->1", "1->3", "3->4"]
    assert ("edge", 2, "2->0", 0, False) in rec.events  # a revisit is an edge, not a state
    assert [e for e in rec.events if e[0] == "state"] == \
        [("state", i, s) for i, s in enumerate([0, 1, 2, 3, 4])]
    assert [e for e in rec.events if e[0] == "expanded"] == \
        [("expanded", i, True) for i in range(5)]


def test_the_state_limit_stops_before_storing_one_more():
    search, end, rec = run(max_states=3)
    assert not end.complete and end.stop_reason == "max-states"
    assert search.states == [0, 1, 2]
    assert ("expanded", 1, False) in rec.events  # cut off while expanding state 1


def test_the_depth_limit_leaves_deep_states_unexpanded_and_goes_on():
    search, end, _ = run(max_depth=2)
    assert search.states == [0, 1, 2, 3]  # 3 found at depth 2 but not expanded
    assert not end.complete and end.stop_reason == "max-depth"


def test_a_state_with_an_error_move_is_reported_skipped_and_the_run_is_not_complete():
    base = moves()
    failed = Successors.failed(0, 2, "x % 0")
    search, end, rec = run(lambda i, s: failed if s == 1 else base(i, s))
    assert search.states == [0, 1, 2, 3, 4]  # 3 is still reached through 2
    assert not end.complete and end.stop_reason == "error"
    assert rec.events.index(("error", 1, (ERROR, 0, 2, "x % 0"))) + 1 == \
        rec.events.index(("expanded", 1, False))
    assert [e for e in rec.events if e[0] == "error"] == [("error", 1, failed.error)]
    assert search.transitions == 5  # 0->1, 0->2, 2->3, 2->0, 3->4: not 1->3


def test_a_limit_inside_an_expansion_leaves_the_state_in_the_queue():
    base = moves()

    def expand(i, s):
        if s == 2:
            raise LimitReached("timeout")
        return base(i, s)

    search, end, rec = run(expand)
    assert end.stop_reason == "timeout" and not end.complete
    assert search.states == [0, 1, 2, 3]
    assert ("expanded", 2, False) in rec.events


def test_an_observer_ends_the_search_and_is_remembered():
    class StopAtThree(Recorder):
        def on_state(self, index, state):
            if state == 3:
                raise StopSearch("found")

    search, end, _ = run(observer=StopAtThree())
    assert end.stop_reason == "found" and not end.complete
    assert isinstance(search.stopped_by, StopSearch)


def test_decided_ends_the_search_before_the_next_expansion():
    class Decided(Recorder):
        def decided(self):
            return len(self.events) > 0

    search, end, _ = run(observer=Decided())
    assert end.stop_reason == "decided" and search.states == [0]
