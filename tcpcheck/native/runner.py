"""Run the native search and turn its records into the Python checker's CheckResult.

The search runs in a worker thread (ctypes releases the GIL), so the main thread keeps
handling SIGINT/SIGTERM (tcpcheck.limits) and the run's time and memory limits: when the
watch says stop it sets the shared stop flag, which the C loop polls after every state
and inside long choices.  Afterwards every run to report (a counterexample, a witness,
the state of a domain error) is rebuilt by replaying the recorded action indices through
:class:`tcpcheck.explicit.semantics.Semantics`, comparing each state with the native
one; the verdicts and traces are then assembled by the Python checker's own result code,
so that every renderer sees exactly what a Python run gives.  Any disagreement raises
:class:`NativeMismatch` and the caller runs the Python engine instead.
"""

from __future__ import annotations

import ctypes
import dataclasses
import threading
import time

from tcpcheck.explicit.checker import DOMAINS, LEMMA, LEMMA_VIOLATED, CheckOptions, _Explorer
from tcpcheck.engine.state import view
from tcpcheck.limits import ForcedStop, Watch, polled
from tcpcheck.model import ir
from tcpcheck.native import build as build_mod
from tcpcheck.native import codegen, layout
from tcpcheck.native import graph as graph_mod
from tcpcheck import storage as storage_mod
from tcpcheck.result import REACHED, VIOLATED, CheckResult

STOP_CODES = {0: None, 1: "decided", 2: "max-states", 4: "max-memory"}
S_EXTERNAL, S_UNSUPPORTED = 3, 5
POLL_SECONDS = 0.02
_RUN_LOCK = threading.Lock()  # a loaded object keeps one search's records at a time


class NativeMismatch(Exception):
    """The native run cannot be used (a value beyond int64, or a replay that disagrees
    with the reference semantics); ``str()`` says why."""


@dataclasses.dataclass(frozen=True)
class Native:
    """A model compiled for the native engine."""

    model: ir.Model
    library: object
    layout: layout.Layout
    built: build_mod.Built


def compile_model(model: ir.Model) -> Native:
    """Generate and build (or find in the cache); BuildFailed when there is no compiler."""
    built = build_mod.build(codegen.generate(model))
    try:
        library = ctypes.CDLL(str(built.path))
    except OSError as err:
        raise build_mod.BuildFailed(f"cannot load the compiled model: {err}") from None
    _declare(library)
    return Native(model, library, layout.build(model), built)


def _declare(lib) -> None:
    p, i64, i32 = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int32
    lib.tc_run.argtypes = [p, i64, i64, i32, i64, p, p, p]
    lib.tc_run.restype = i64
    lib.tc_path.argtypes = [i64, p, p, i64]
    lib.tc_path.restype = i64
    lib.tc_state.argtypes = [i64, p]
    lib.tc_state.restype = None
    lib.tc_witnesses.argtypes = [i64, p, i64]
    lib.tc_witnesses.restype = i64
    lib.tc_free.argtypes = []
    lib.tc_free.restype = None
    lib.tc_workers.argtypes = [i64]
    lib.tc_workers.restype = i64
    lib.tc_storage.argtypes = [i64, i64]
    lib.tc_storage.restype = None
    lib.tc_bits_set.argtypes = []
    lib.tc_bits_set.restype = i64
    graph_mod.declare(lib)


def check(native: Native, options: CheckOptions = CheckOptions()) -> CheckResult:
    """The CheckResult a Python run of ``options`` would give, from a native search."""
    started = time.monotonic()
    # the same compile-time errors as Python; its liveness judgement reads the C graph
    explorer = graph_mod.NativeExplorer(native.model, options)
    with _RUN_LOCK:
        try:
            run = _search(native, options, started)
            return _Result(native, explorer, options, run, started).build()
        finally:
            native.library.tc_free()


@dataclasses.dataclass
class _Run:
    out: list
    stop_reason: str | None  # what the watch said, when it stopped the search
    watch: Watch | None = None


def _search(native: Native, options: CheckOptions, started: float) -> _Run:
    model, lib = native.model, native.library
    props = codegen.all_properties(model)
    wanted = options.properties
    active = (ctypes.c_int32 * (len(props) + 1))(
        *[int(wanted is None or p.name in wanted) for p in props], 0)
    ncov = sum(len(e.transitions) for e in model.endpoints)
    out = (ctypes.c_int64 * (10 + 4 * len(props) + ncov))()
    live = (ctypes.c_int64 * 4)()
    stop = ctypes.c_int32(0)
    args = (active, -1 if options.max_states is None else options.max_states,
            -1 if options.max_depth is None else options.max_depth,
            int(options.stop_when_decided), options.counterexamples, ctypes.byref(stop), live,
            out)
    graph_mod.prepare(lib, props, wanted)  # the liveness graph, when a property needs it
    lib.tc_workers(max(1, options.workers))  # one when the liveness graph is recorded
    _set_storage(lib, options)
    worker = threading.Thread(target=lib.tc_run, args=args, daemon=True,
                              name="tcpcheck-native")
    watch = Watch(options.timeout, options.max_memory_mb, started)
    report = (lambda: options.progress(live[0], live[1], live[2], live[3],
                                       time.monotonic() - started)) if options.progress else None
    reason = _watched(worker, stop, watch, report, options.progress_interval)
    return _Run(list(out), reason, watch)


def _set_storage(lib, options: CheckOptions) -> None:
    """check --storage and --hash-seed for the next run."""
    lib.tc_storage(storage_mod.CODES[options.storage], options.storage_bits)
    lib.tc_hash_seed.argtypes = [ctypes.c_uint64]
    lib.tc_hash_seed.restype = None
    # the seed as 64 bits, as C takes it (seed 0: the unseeded hash)
    lib.tc_hash_seed(options.hash_seed & (2 ** 64 - 1))


class _Result:
    """Feeds the native records to the Python explorer's result code."""

    def __init__(self, native: Native, explorer: _Explorer, options, run: _Run, started):
        self.native, self.ex, self.options, self.run = native, explorer, options, run
        self.started = started
        self.sem = explorer.sem
        self.model = native.model
        # the approximate modes keep no words of expanded states: replays are not compared
        # with them, but every property is still judged on the replayed run
        self.approximate = options.storage != storage_mod.EXACT
        explorer.native = self  # it rebuilds the states of its runs through self.replay

    def build(self) -> CheckResult:
        out = self.run.out
        states, transitions, diameter, code = out[0], out[1], out[2], out[3]
        depth_cut, queue_left, cut_short, blocked = out[4:8]
        if code == S_UNSUPPORTED:
            raise NativeMismatch("a value went beyond 64-bit integers")
        stop_reason = self.run.stop_reason if code == S_EXTERNAL else STOP_CODES[code]
        if code == S_EXTERNAL and stop_reason is None:
            stop_reason = "interrupted"
        ex = self.ex
        ex.states = _Sparse(states)
        ex.parent, ex.action = {0: -1}, {0: None}
        init = self.sem.initial_state()
        ex.states[0] = init
        ex.transitions, ex.capacity_blocked, ex.cut_short = transitions, blocked, bool(cut_short)
        keys = [(e, t) for e, ep in enumerate(self.model.endpoints)
                for t in range(len(ep.transitions))]
        ncov = len(keys)
        for key, fired in zip(keys, out[len(out) - ncov:]):
            ex.coverage[key] = fired
        self._properties(out)
        if out[8]:
            self._domains(out[9])
        if stop_reason is None and depth_cut:
            stop_reason = "max-depth"
        exhausted = not queue_left and stop_reason is None and not cut_short
        if exhausted and self.approximate:  # a state may have been missed: never "holds"
            exhausted, stop_reason = False, "approximate"
        seconds = time.monotonic() - self.started  # the search's, as a Python run's
        if ex.liveness:
            self._liveness(exhausted)
        if cut_short and stop_reason in (None, "decided"):
            stop_reason = "error"
        result = ex._result(exhausted, stop_reason if not exhausted else None, diameter, seconds)
        stats = dataclasses.replace(result.stats, compile_seconds=self.native.built.seconds)
        return dataclasses.replace(result, backend="native", stats=stats,
                                   workers=int(self.native.library.tc_workers(0)),
                                   storage=self._storage(states))

    def _storage(self, states: int):
        """What an approximate run may have missed (tcpcheck.storage); None when exact."""
        options = self.options
        if options.storage == storage_mod.HASHCOMPACT:
            return storage_mod.hashcompact(states, options.hash_seed)
        if options.storage == storage_mod.BITSTATE:
            return storage_mod.bitstate(states, options.storage_bits,
                                        int(self.native.library.tc_bits_set()),
                                        options.hash_seed)
        return None

    # -- properties ----------------------------------------------------------------------
    def _properties(self, out) -> None:
        wanted = self.options.properties
        chosen = [i for i, prop in enumerate(codegen.all_properties(self.model))
                  if wanted is None or prop.name in wanted]  # as the explorer chose them
        for i, p in zip(chosen, self.ex.props):
            status, wkind, index, action = out[10 + 4 * i: 14 + 4 * i]
            if status == 0:
                continue
            if status == 2:
                state = self._replay(index)
                if not self._value(p, p.fn, state, None):
                    raise NativeMismatch(f"goal {p.prop.name} is not met where the native run met it")
                p.status, p.witness = REACHED, index
            elif wkind == 1:
                self._step_violation(p, index, action)
            else:
                self._state_violation(p, index)
            if status == 1 and self.options.counterexamples > 1:
                self._more_witnesses(p, i)

    def _more_witnesses(self, p, i: int) -> None:
        """The other runs kept for p (--counterexamples N), after its first: a state's
        index, or (parent, action, state) for a firing or an edge into a broken state."""
        lib = self.native.library
        n = lib.tc_witnesses(i, None, 0)
        runs = (ctypes.c_int64 * (3 * n))()
        lib.tc_witnesses(i, runs, n)
        for w in range(1, n):
            kind, index, k = runs[3 * w: 3 * w + 3]
            state = self._replay(index)
            if kind == 0:
                p.witnesses.append(index)
                continue
            action, nxt = self.sem.successors(state)[k]
            p.witnesses.append((index, action, nxt))

    def _state_violation(self, p, index: int) -> None:
        state = self._replay(index)
        kind = p.prop.kind
        if kind == "deadlock":
            succs = self.sem.successors(state)
            if succs or succs.blocked or self.sem.is_terminal(state):
                raise NativeMismatch(f"state {index} is no deadlock for the reference semantics")
            p.detail = self.ex._deadlock_kind(state)
        else:
            value = self._value(p, p.fn, state, None)
            if value:
                raise NativeMismatch(f"{p.prop.name} holds where the native run broke it")
            if kind == LEMMA and p.detail is None:
                p.detail = LEMMA_VIOLATED
        p.status, p.witness = VIOLATED, index
        p.witnesses.append(index)

    def _step_violation(self, p, parent: int, k: int) -> None:
        state = self._replay(parent)
        action, nxt = self.sem.successors(state)[k]
        fn = next((f for q, f in self.ex.steps.get(tuple(action[1:3]), ()) if q is p), None)
        if fn is None or self._value(p, fn, nxt, action[3]):
            raise NativeMismatch(f"step property {p.prop.name} holds on the replayed firing")
        witness = (parent, action, nxt)
        p.status, p.witness = VIOLATED, witness
        p.witnesses.append(witness)

    @staticmethod
    def _value(p, fn, state, seg):
        """The property's value; an evaluation error counts as false, with its detail
        (tcpcheck.explicit.checker._Explorer._evaluate)."""
        try:
            return fn(state, seg)
        except (ArithmeticError, ValueError) as err:
            p.detail = f"the property cannot be evaluated in this state: {err}"
            return None

    def _domains(self, index: int) -> None:
        error = self.sem.successors(self._replay(index)).error
        if error is not None:
            self.ex.domains.status, self.ex.domains.witness = VIOLATED, (index, view(error))
            return
        raise NativeMismatch(f"state {index} expands without error in the reference semantics")

    # -- liveness ------------------------------------------------------------------------
    def _liveness(self, exhausted: bool) -> None:
        """The explorer's liveness judgement (checker._judge_liveness_within) on the graph
        the C search recorded (tcpcheck.native.graph); not when its memory ran out (the
        run stopped then, so the properties stay not verified)."""
        lib, states = self.native.library, len(self.ex.states)
        graph = graph_mod.read(lib, self.model, states)
        if graph is None:
            return
        props = codegen.all_properties(self.model)
        self._slots = {(props[i].name, role): j
                       for j, (i, role, _) in enumerate(graph_mod.predicates(props))}
        self.ex.graph = graph
        try:
            self.ex._judge_liveness_within(self.run.watch, exhausted)
        except graph_mod.GraphMismatch as err:
            raise NativeMismatch(str(err)) from None

    def live_values(self, p, role: str) -> bytes:
        """The C values of ``p``'s goal or premise on every state (graph.values)."""
        slot = self._slots[(p.prop.name, role)]
        return graph_mod.values(self.native.library, slot, len(self.ex.states))

    # -- replay --------------------------------------------------------------------------
    def replay(self, index: int) -> tuple:
        return self._replay(index)

    def same(self, index: int, state) -> None:
        """NativeMismatch unless the Python ``state`` is the native state ``index``."""
        slots = (ctypes.c_int64 * self.native.layout.slots)()
        self.native.library.tc_state(index, slots)
        if layout.flatten(self.native.layout, state) != list(slots):
            raise NativeMismatch(f"state {index} differs from the reference semantics")

    def _replay(self, index: int) -> tuple:
        """The state ``index`` of the native run, rebuilt with the Python semantics from
        the initial state; each state on the way must equal the native one."""
        ex, lib = self.ex, self.native.library
        if index in ex.parent:  # replayed with its run (a lasso's states have no run)
            return ex.states[index]
        n = lib.tc_path(index, None, None, 0)  # the length first
        indices, actions = (ctypes.c_int64 * n)(), (ctypes.c_int64 * n)()
        lib.tc_path(index, indices, actions, n)
        slots = (ctypes.c_int64 * self.native.layout.slots)()
        state, previous = ex.states[0], 0
        for step in range(n):
            i, k = indices[step], actions[step]
            succs = self.sem.successors(state)
            if k >= len(succs):
                raise NativeMismatch(f"state {i}: action {k} of {len(succs)}")
            action, state = succs[k]
            if not self.approximate:
                lib.tc_state(i, slots)
                if layout.flatten(self.native.layout, state) != list(slots):
                    raise NativeMismatch(f"state {i} differs from the reference semantics")
            ex.states[i], ex.parent[i], ex.action[i] = state, previous, action
            previous = i
        return state


class _Sparse:
    """The explorer's state list for a native run: its length is the number of states
    found, and it holds the states of the runs that were replayed."""

    def __init__(self, count: int):
        self.count = count
        self.found: dict = {}

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int):
        return self.found[index]

    def __setitem__(self, index: int, state) -> None:
        self.found[index] = state


# -- random walks (tcpcheck simulate, walk.c) ----------------------------------------------

INT32_DEPTH = 2 ** 31 - 1  # the deepest walk walk.c takes: a run's moves are int32
# a walker's allocation failed: the machine's memory, not a --max-memory (simulate has none)
WALK_STOPS = {0: None, 4: "out-of-memory"}
PROGRESS_SECONDS = 0.5  # between two progress reports of the walks


@dataclasses.dataclass(frozen=True)
class WalkFound:
    """The run a native walk kept for one property: the shortest that decided it (ties to
    the lowest run index), as the successor indices it took."""

    name: str
    status: str  # violated or reached
    length: int
    run: int
    moves: tuple


@dataclasses.dataclass(frozen=True)
class Walks:
    """What tc_walks reports, not yet replayed."""

    runs_done: int
    steps: int
    states_seen: int
    ticks: int  # moves that fire no transition (time, losses, duplications, discards)
    fired: tuple  # ((endpoint, transition), firings), in declaration order
    found: tuple  # WalkFound
    stop_reason: str | None
    threads: int
    seconds: float  # the walks alone


def walk_engine(model: ir.Model) -> tuple:
    """(the compiled model, None) when the native engine can walk ``model``, else (None,
    why not, in one line)."""
    from tcpcheck.explicit.semantics import refuse_large_choices
    from tcpcheck.native import support

    refuse_large_choices(model)  # the Python engine's refusal, before compiling anything
    why = support.unsupported(model)
    if why is not None:
        return None, why
    try:
        return compile_model(model), None
    except build_mod.BuildFailed as err:
        return None, str(err)


def walks(native: Native, names: tuple, seed: int, runs: int, depth: int, rare: bool,
          threads: int, watch: Watch, progress=None) -> Walks:
    """``runs`` walks of ``model`` judging the properties ``names`` (and domain errors), as
    tcpcheck.analyses.simulate walks them, in ``threads`` threads; ``watch`` stops them.
    NativeMismatch when a value goes beyond what int64 follows."""
    if not (1 <= depth <= INT32_DEPTH and 0 <= runs < 2 ** 63):
        raise NativeMismatch(f"the native walks take a depth of 1 to {INT32_DEPTH:,} and "
                             f"fewer than 2^63 runs")
    model, lib = native.model, native.library
    _declare_walks(lib)
    props = codegen.all_properties(model)
    active = (ctypes.c_int32 * (len(props) + 1))(*[int(p.name in names) for p in props], 1)
    keys = [(e, t) for e, ep in enumerate(model.endpoints) for t in range(len(ep.transitions))]
    out = (ctypes.c_int64 * (6 + 3 * (len(props) + 1) + len(keys)))()
    live = (ctypes.c_int64 * 3)()
    stop = ctypes.c_int32(0)
    args = (active, seed & ((1 << 64) - 1), runs, depth, int(rare), max(1, threads),
            ctypes.byref(stop), live, out)
    worker = threading.Thread(target=lib.tc_walks, args=args, daemon=True,
                              name="tcpcheck-walks")
    report = (lambda: progress(live[0], runs, live[1], live[2],
                               time.monotonic() - watch.started)) if progress else None
    with _RUN_LOCK:
        started = time.monotonic()
        # ForcedStop leaves at once: the C walks may still run, so nothing is freed
        reason = _watched(worker, stop, watch, report, PROGRESS_SECONDS)
        seconds = time.monotonic() - started
        try:
            code = out[3]
            if code == S_UNSUPPORTED:
                raise NativeMismatch("a value went beyond 64-bit integers")
            stop_reason = (reason or "interrupted") if code == S_EXTERNAL else WALK_STOPS[code]
            found = []
            for p, name in enumerate([*(q.name for q in props), DOMAINS]):
                status, length, run = out[6 + 3 * p: 9 + 3 * p]
                if status:
                    moves = (ctypes.c_int32 * max(length, 1))()
                    lib.tc_walk_moves(p, moves, length)
                    found.append(WalkFound(name, VIOLATED if status == 1 else REACHED,
                                           length, run, tuple(moves[:length])))
        finally:
            lib.tc_walks_free()
    return Walks(out[0], out[1], out[2], out[5], tuple(zip(keys, out[len(out) - len(keys):])),
                 tuple(found), stop_reason, out[4], seconds)


def _watched(worker: threading.Thread, stop, watch: Watch, report, interval: float):
    """Start ``worker`` (a C call, which releases the GIL) and wait for it while this
    thread watches the limits and the signals, setting ``stop`` (polled by the C loop) when
    the watch says stop, and calls ``report()`` (progress) every ``interval`` seconds after
    the first; the watch's reason, if it stopped the run."""
    reason = None
    next_report = time.monotonic() + 1.0
    with polled():  # a signal records a stop request; this loop passes it on
        try:
            reason = watch.reason()
            if reason is not None:
                stop.value = 1
            worker.start()
            while worker.is_alive():
                worker.join(POLL_SECONDS)
                if reason is None:
                    reason = watch.reason()
                    if reason is not None:
                        stop.value = 1
                if report is not None and time.monotonic() >= next_report:
                    report()
                    next_report = time.monotonic() + interval
        except KeyboardInterrupt:  # a caller without tcpcheck's handlers (a notebook)
            stop.value = 1
            reason = reason or "interrupted"
            worker.join()
        except ForcedStop:
            stop.value = 1
            raise
    return reason


def _declare_walks(lib) -> None:
    p, i64, i32 = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int32
    lib.tc_walks.argtypes = [p, ctypes.c_uint64, i64, i64, i32, i64, p, p, p]
    lib.tc_walks.restype = i64
    lib.tc_walk_moves.argtypes = [i64, p, i64]
    lib.tc_walk_moves.restype = i64
    lib.tc_walks_free.argtypes = []
    lib.tc_walks_free.restype = None
