"""Liveness on the native engine: the state graph recorded by the C search (liveness.c),
judged by the Python checker's own code (tcpcheck.explicit.liveness).

When some liveness property is checked, the search records every expanded state's edges
(target, action key) and, per stored state, the value of each predicate the judgement
needs (the goal Q of every liveness property, and the premise P of ``P ~> Q``), evaluated
in C as the safety properties are.  Afterwards they are copied into flat arrays that fill
a :class:`tcpcheck.explicit.liveness.Graph` exactly as a Python run fills it (same state
numbers, same edge order, same key ids), and :class:`NativeExplorer`, the Python
explorer over the native records, runs the unchanged judgement: verdicts, lassos, fairness
hints and "not verified at the edge of the bounds" are the reference engine's.  Every
state of a reported run is rebuilt with the Python semantics and compared with the
native one (tcpcheck.native.runner), the lasso's edges included.
"""

from __future__ import annotations

import ctypes
from array import array
from itertools import compress

from tcpcheck.engine.state import DISCARD, DUPLICATE, FIRE, LOSE, TICK
from tcpcheck.explicit import liveness
from tcpcheck.explicit.checker import _Explorer
from tcpcheck.model import ir
from tcpcheck.native.cexpr import CExpr
from tcpcheck.result import VIOLATED

KINDS = (FIRE, DISCARD, LOSE, DUPLICATE, TICK)  # liveness.c's K_FIRE ... K_TICK
GOAL, PREMISE = "goal", "premise"


class GraphMismatch(Exception):
    """A lasso edge the reference semantics does not take (runner: NativeMismatch)."""


def predicates(props) -> list:
    """(property index, role, expression) of every predicate the liveness judgement reads,
    for ``props`` (tcpcheck.native.codegen.all_properties): the slots of liveness.c."""
    found = []
    for i, p in enumerate(props):
        if p.liveness:
            found.append((i, GOAL, p.expr))
            if p.kind == "leads_to":
                found.append((i, PREMISE, p.premise))
    return found


def source(props, lay, modulus: int) -> str:
    """C: NLIVE and eval_live(j, S), the predicates' values in a state (as eval_prop)."""
    slots = predicates(props)
    lines = [f"#define NLIVE {len(slots)}",
             "static int64_t eval_live(int j, const int64_t *S) {",
             "    const int64_t *g = NULL; int self = -1; (void)S; (void)g; (void)self;",
             "    switch (j) {"]
    for j, (_, _, expr) in enumerate(slots):
        lines.append(f"    case {j}: return {CExpr(lay, modulus, in_transition=False).gen(expr)};")
    lines += ["    }", "    return 1;", "}"]
    return "\n".join(lines)


def declare(lib) -> None:
    p, i64 = ctypes.c_void_p, ctypes.c_int64
    lib.tc_live.argtypes, lib.tc_live.restype = [p], i64
    lib.tc_live_sizes.argtypes, lib.tc_live_sizes.restype = [p], None
    lib.tc_live_graph.argtypes = [i64, p, p, p, p, p, p]
    lib.tc_live_graph.restype = None
    lib.tc_live_values.argtypes, lib.tc_live_values.restype = [i64, i64, p], None
    lib.tc_region.argtypes, lib.tc_region.restype = [i64, p, p, p, p, p, i64, p, p, p, p, p], i64
    lib.tc_region_preds.argtypes, lib.tc_region_preds.restype = [i64, p, p, p, p, p, p], i64


def prepare(lib, props, wanted) -> None:
    """Before tc_run: record the graph when a liveness property among ``wanted`` (names,
    None for all) is checked, with the predicates of those properties."""
    slots = predicates(props)
    flags = [int(wanted is None or props[i].name in wanted) for i, _, _ in slots]
    lib.tc_live((ctypes.c_int32 * (len(flags) + 1))(*flags, 0))


def read(lib, model: ir.Model, nstates: int) -> liveness.Graph | None:
    """The recorded graph as a liveness.Graph (None when its memory ran out)."""
    sizes = (ctypes.c_int64 * 5)()
    lib.tc_live_sizes(sizes)
    nedges, nkeys, noutside, nomem, width = sizes
    if nomem:
        return None
    graph = liveness.Graph()
    graph.lo, graph.hi = _zeros("q", nstates), _zeros("q", nstates)
    graph.succ, graph.key = _zeros("I", nedges), _zeros("I", nedges)
    rows, outside = _zeros("q", nkeys * width), _zeros("I", noutside)
    lib.tc_live_graph(nstates, *(_address(a) for a in (graph.lo, graph.hi, graph.succ,
                                                         graph.key, rows, outside)))
    graph.keys = [_key(model, rows[k * width:(k + 1) * width]) for k in range(nkeys)]
    graph._key_ids = {key: k for k, key in enumerate(graph.keys)}
    graph.outside = set(outside)
    return graph


def values(lib, slot: int, nstates: int) -> bytes:
    """One predicate on every state: 0 false, 1 true, 2 an evaluation error."""
    out = ctypes.create_string_buffer(nstates)
    lib.tc_live_values(slot, nstates, out)
    return out.raw


class NativeRegion(liveness.Region):
    """liveness.Region computed by liveness.c's tc_region on the Graph's own arrays (the
    forward search, the dead ends and Tarjan's components: the bulk of a judgement in
    Python), the same sets as the Python code gives."""

    def __init__(self, lib, graph, avoid: list, starts, from_initial: bool):
        n = len(graph.lo)
        self.lib, self.from_initial, self._preds = lib, from_initial, None
        self.candidates = [s for s in starts if avoid[s] and graph.lo[s] >= 0]
        self.mask = _zeros("B", n)
        dead, members, ends = _zeros("B", n), _zeros("i", n), _zeros("q", n)
        # held here while the C code reads them
        first, avoided, outside = array("q", self.candidates), bytes(avoid), _outside_mask(graph, n)
        count = lib.tc_region(n, *_addresses(graph.lo, graph.hi, graph.succ, avoided, first),
                              len(first), *_addresses(outside, self.mask, dead, members, ends))
        if count < 0:
            raise MemoryError("the native liveness region")
        self.nodes = set(compress(range(n), self.mask))
        self.dead_ends = set(compress(range(n), dead))
        bounds = [0, *ends[:count]]
        self.components = [members[a:b].tolist() for a, b in zip(bounds, bounds[1:])]

    def preds(self, graph) -> "_Preds":
        if self._preds is None:
            n = len(graph.lo)
            at, src = _zeros("q", n + 1), _zeros("I", len(graph.succ))
            self.lib.tc_region_preds(n, *_addresses(graph.lo, graph.hi, graph.succ,
                                                    self.mask, at, src))
            self._preds = _Preds(at, src)
        return self._preds


class _Preds:
    """Region.preds as arrays: ``get(v, default)`` the predecessors of ``v`` in the region."""

    def __init__(self, at: array, src: array):
        self.at, self.src = at, src

    def get(self, v: int, default=()):
        lo, hi = self.at[v], self.at[v + 1]
        return self.src[lo:hi] if hi > lo else default


def _outside_mask(graph, n: int) -> bytes:
    mask = bytearray(n)
    for s in graph.outside:
        mask[s] = 1
    return bytes(mask)


def _addresses(*buffers) -> list:
    """Where each array or bytes object's data lies (the caller must hold them while C
    reads them)."""
    return [_address(b) if isinstance(b, array) else ctypes.cast(ctypes.c_char_p(b),
                                                                 ctypes.c_void_p).value
            for b in buffers]


def _zeros(code: str, n: int) -> array:
    found = array(code, bytes(array(code).itemsize * n))
    if code == "I" and found.itemsize != 4:  # pragma: no cover - liveness.c writes uint32
        raise RuntimeError("array('I') is not 32 bits here")
    return found


def _address(a: array) -> int:
    return a.buffer_info()[0]


def _key(model: ir.Model, row) -> tuple:
    """A key row of liveness.c as liveness.action_key gives it in Python."""
    kind = KINDS[row[0]]
    if kind == TICK:
        return (TICK,)
    seg = None
    if row[3]:
        ghosts = [bool(v) if isinstance(f.type, ir.BoolType) else v
                  for f, v in zip(model.ghost_fields, row[7:])]
        seg = (row[4], row[5], row[6], *ghosts)
    if kind == FIRE:
        return (FIRE, row[1], row[2], seg)
    return (kind, row[1], seg)


class NativeExplorer(_Explorer):
    """The Python checker's explorer over a native run: its result code, and its liveness
    judgement on the graph the C search recorded.  ``native`` (tcpcheck.native.runner's
    result builder) rebuilds the states it needs with the Python semantics."""

    native = None  # runner._Result: replay(index), same(index, state), live values

    def _path(self, index: int) -> list:
        self.native.replay(index)  # the run to it, replayed and compared on the way
        return super()._path(index)

    def _region(self, avoid: list, starts, from_initial: bool):
        return NativeRegion(self.native.native.library, self.graph, avoid, starts,
                            from_initial)

    def _predicate(self, p, role: str):
        """The goal or premise of ``p`` on every state, from the C values; an evaluation
        error gives the property the reference's verdict, at the first such state."""
        data = self.native.live_values(p, role)
        bad = data.find(2)
        if bad < 0:
            return list(map(bool, data))
        fn = p.fn if role == GOAL else self.premises[p.prop.name]
        state = self.native.replay(bad)
        if self._evaluate(p, fn, state, None) is not None:
            raise GraphMismatch(f"{p.prop.name} can be evaluated in state {bad}")
        p.status, p.witness = VIOLATED, bad
        return None

    def _action(self, u: int, k: int, v: int):
        """The action of the edge ``u`` -> ``v`` with key ``k``: the first such successor
        of ``u`` in the Python semantics, as the reference takes it; ``v`` is then known
        (a lasso is walked edge by edge from its replayed start)."""
        g = self.graph
        lo, hi = g.lo[u], g.hi[u]
        succs = self.sem.successors(self.states[u])
        if len(succs) != hi - lo:
            raise GraphMismatch(f"state {u}: {len(succs)} successors, not {hi - lo}")
        for j in range(lo, hi):
            if g.succ[j] == v and g.key[j] == k:
                action, nxt = succs[j - lo]
                if liveness.action_key(action) != g.keys[k]:
                    raise GraphMismatch(f"state {u}: action {j - lo} is not the edge's")
                self.native.same(v, nxt)
                self.states[v] = nxt
                return action
        raise GraphMismatch(f"no edge {u} -> {v} in the native graph")
