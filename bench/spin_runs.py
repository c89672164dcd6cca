"""Running SPIN and tcpcheck on one model and size, and measuring each run.

Used by bench/compare_spin.py (which plans the sizes and prints the table,
bench/spin_table.py).  Every verifier runs as a child process; its wall time is taken
here and its peak memory is the child's own maximum resident set (os.wait4), so each
figure is one process's, never this script's.

Time to verdict, per tool:
  SPIN      spin -a + gcc + pan, all three (the verifier is generated and compiled per
            size, since K and N are -D macros); pan alone is the "cached" figure, the time
            of a verifier built before.
  tcpcheck  `tcpcheck check --json` as a user runs it: cold with an empty native cache
            (TCPCHECK_CACHE pointing at a fresh directory, so C generation and cc are
            included), then cached, a second run on the same cache.  The Python engine has
            nothing to cache: one run, whose time is the cold figure.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPIN_DIR = HERE / "spin"
PML_FILES = ("tcp_core.pml", "three_way.pml", "two_way.pml", "teardown.pml",
             "teardown_no_timewait.pml")
MB = 2 ** 20

# SPIN -DNOREDUCE distinct states per (model, K, N), from bench/spin/RESULTS.md and runs of
# SPIN 6.5.2 made for this benchmark; used to size pan's hash table (-w), to keep the Python
# engine to small sizes and, without spin installed, as the counts to compare against
# (tests/bench/test_spin_models.py pins the small ones).  The violated models' entries are
# their whole spaces (pan -A).
SPIN_STATES = {
    ("three_way", 1, 1): 225, ("three_way", 1, 2): 945, ("three_way", 1, 3): 4_841,
    ("three_way", 1, 4): 19_537, ("three_way", 2, 1): 1_619, ("three_way", 2, 2): 27_555,
    ("three_way", 2, 3): 581_987, ("three_way", 2, 4): 7_794_115,
    ("three_way", 3, 1): 5_043, ("three_way", 3, 2): 139_047,
    ("three_way", 3, 3): 5_725_871, ("three_way", 4, 1): 7_664, ("three_way", 4, 2): 268_817,
    ("three_way", 4, 3): 14_220_313,
    ("teardown", 1, 1): 525, ("teardown", 1, 2): 5_809, ("teardown", 1, 3): 44_821,
    ("teardown", 1, 4): 257_833, ("teardown", 1, 5): 1_070_141, ("teardown", 1, 6): 3_529_393,
    ("teardown", 2, 1): 2_091, ("teardown", 2, 2): 23_227, ("teardown", 2, 3): 179_275,
    ("teardown", 2, 4): 1_031_323, ("teardown", 2, 5): 4_280_555,
    ("teardown", 2, 6): 14_117_563, ("teardown", 3, 1): 3_655,
    ("teardown", 3, 2): 40_643, ("teardown", 3, 3): 313_727, ("teardown", 3, 4): 1_804_811,
    ("teardown", 3, 5): 7_490_967, ("teardown", 4, 1): 4_176,
    ("teardown", 4, 2): 46_448, ("teardown", 4, 3): 358_544, ("teardown", 4, 4): 2_062_640,
    ("teardown", 4, 5): 8_561_104,
    ("two_way", 1, 1): 193, ("two_way", 1, 2): 737, ("two_way", 2, 1): 1_555,
    ("two_way", 2, 2): 20_507, ("two_way", 3, 1): 5_075, ("two_way", 3, 2): 116_355,
    ("two_way", 3, 3): 2_920_087,
    ("teardown_no_timewait", 1, 1): 525, ("teardown_no_timewait", 1, 2): 5_193,
    ("teardown_no_timewait", 2, 1): 2_411, ("teardown_no_timewait", 2, 2): 176_575,
    ("teardown_no_timewait", 2, 3): 8_319_711, ("teardown_no_timewait", 3, 1): 4_615,
    ("teardown_no_timewait", 3, 2): 712_847,
}
# SPIN's shortest counterexample (-DREACH -i) per violated model and size
SPIN_SHORTEST = {("two_way", 3, 3): 4, ("two_way", 2, 2): 4,
                 ("teardown_no_timewait", 2, 3): 12, ("teardown_no_timewait", 2, 2): 13}

FALLBACK = "python fallback"


@dataclass(frozen=True)
class Run:
    """One tool's run of one model at one size.  ``tool`` is "spin", "native" or "python"
    (the tcpcheck engine asked for); ``backend`` the engine that actually ran."""

    tool: str
    model: str
    K: int
    N: int
    mode: str  # verify, verdict or full (compare_spin.py's docstring)
    states: int | None = None
    transitions: int | None = None
    verdict: str = ""
    cex_length: int | None = None
    seconds: float | None = None  # time to verdict, cold (SPIN: spin -a + gcc + pan)
    cached_seconds: float | None = None  # tcpcheck: second run, same cache; SPIN: pan alone
    search_seconds: float | None = None  # the tool's own figure for its search alone
    build_seconds: float | None = None  # SPIN: spin -a + gcc
    peak_mb: float | None = None  # the verifier's (SPIN: pan; tcpcheck: the cached run)
    cold_peak_mb: float | None = None  # tcpcheck's cold run, which includes cc's
    backend: str = ""
    note: str = ""
    error: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return (self.model, self.K, self.N, self.mode)

    @property
    def rate(self) -> float | None:
        """States per second of search (pan's resolution is 0.01 s: below, none)."""
        if self.states and self.search_seconds and self.search_seconds >= 0.01:
            return self.states / self.search_seconds
        return None

    @property
    def bytes_per_state(self) -> float | None:
        if self.states and self.peak_mb:
            return self.peak_mb * MB / self.states
        return None

    @property
    def fell_back(self) -> bool:
        return self.tool == "native" and self.backend not in ("", "native")

    def to_json(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        return {**data, "states_per_second": self.rate, "bytes_per_state": self.bytes_per_state}

    @classmethod
    def from_json(cls, data: dict) -> "Run":
        """The inverse of to_json (derived figures recomputed; unknown keys ignored, so
        that an older run's JSON still renders)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


# -- running a child and measuring it --------------------------------------------------------
@dataclass(frozen=True)
class Measured:
    code: int  # exit status; 124 when killed at the timeout
    out: str
    err: str
    wall: float
    peak_mb: float  # the child's maximum resident set, its waited-for children included


def measured(cmd, cwd, timeout: float, env=None) -> Measured:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=env)
        deadline = start + timeout
        try:
            while True:  # os.wait4 gives this child's own rusage (ru_maxrss in KiB on Linux)
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    code = os.waitstatus_to_exitcode(status)
                    break
                if time.perf_counter() > deadline:
                    proc.kill()
                    _, _, usage = os.wait4(proc.pid, 0)
                    code = 124
                    break
                time.sleep(0.005)
        except BaseException:  # Ctrl-C: leave no verifier running behind us
            proc.kill()
            proc.wait()
            raise
        proc.returncode = code  # reaped above; stops Popen from waiting again
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return Measured(code, out.read().decode(errors="replace"),
                        err.read().decode(errors="replace"), wall, usage.ru_maxrss / 1024)


# -- SPIN ----------------------------------------------------------------------------------------
def spin_available() -> bool:
    return shutil.which("spin") is not None and shutil.which("gcc") is not None


def hash_bits(model: str, k: int, n: int) -> int:
    """pan's -w: a hash table about twice the expected states (at least 2^18 slots)."""
    expected = SPIN_STATES.get((model, k, n), 1_000_000)
    return max(18, min(28, math.ceil(math.log2(expected * 2))))


CFLAGS = ("-O2", "-w", "-DSAFETY", "-DNOREDUCE")


def run_spin(model: str, k: int, n: int, mode: str, timeout: float) -> Run:
    run = Run("spin", model, k, n, mode, backend="spin")
    with tempfile.TemporaryDirectory(prefix="spin-") as tmp:
        for name in PML_FILES:
            shutil.copy(SPIN_DIR / name, tmp)
        # -m: depth bound (the deepest run in RESULTS.md is 3,147), kept small because pan
        # allocates its stack for it up front
        pan = ["./pan", "-m100000", f"-w{hash_bits(model, k, n)}"]
        if mode == "full":
            pan.append("-A")
        gen = measured(["spin", "-a", f"-DK={k}", f"-DN={n}", f"{model}.pml"], tmp, timeout)
        done = gen
        if gen.code == 0:
            done = measured(["gcc", *CFLAGS, "-o", "pan", "pan.c"], tmp, timeout)
        build = gen.wall + (done.wall if done is not gen else 0.0)
        if done.code != 0:
            return replace(run, build_seconds=build,
                           error=f"build failed: {done.err.strip()[:200]}")
        ran = measured(pan, tmp, timeout)
        run = replace(run, build_seconds=build, seconds=build + ran.wall,
                      cached_seconds=ran.wall, peak_mb=ran.peak_mb)
        if ran.code == 124:
            return replace(run, error=f"timed out after {timeout:.0f} s")
        run = replace(run, **parse_pan(mode, ran.out))
        if mode == "verdict":
            run = replace(run, extra={**run.extra, **_spin_shortest(tmp, pan, timeout)})
            run = replace(run, cex_length=run.extra.get("shortest"))
    return run


def _spin_shortest(tmp: str, pan: list, timeout: float) -> dict:
    """SPIN's shortest trail: pan rebuilt with -DREACH (exact depths), run with -i."""
    built = measured(["gcc", *CFLAGS, "-DREACH", "-o", "pan_r", "pan.c"], tmp, timeout)
    if built.code != 0:
        return {}
    ran = measured(["./pan_r", *pan[1:], "-i"], tmp, timeout)
    reduced = _all_ints(r"reducing search depth to (\d+)", ran.out)
    return {"shortest": reduced[-1] if reduced else None,
            "shortest_seconds": round(built.wall + ran.wall, 3)}


def _all_ints(pattern: str, text: str) -> list:
    return [int(x) for x in re.findall(pattern, text)]


def parse_pan(mode: str, out: str) -> dict:
    """The Run fields that pan's output gives."""
    states = _all_ints(r"(\d+) states, stored", out)
    trans = _all_ints(r"(\d+) transitions \(= stored\+matched\)", out)
    errors = _all_ints(r"errors: (\d+)", out)
    elapsed = re.findall(r"pan: elapsed time ([\d.e+-]+) seconds", out)
    got = {"search_seconds": float(elapsed[-1]) if elapsed else None,
           "states": states[-1] if states else None,
           "transitions": trans[-1] if trans else None}
    if mode == "full":
        return {**got, "verdict": "(assertions off)"}
    if errors and errors[-1] > 0:
        depth = _all_ints(r"assertion violated .*\(at depth (\d+)\)", out)
        return {**got, "verdict": "violated", "extra": {"dfs_trail": depth[0] if depth else None}}
    if not states:
        return {**got, "verdict": "?", "error": "no statistics in pan's output"}
    return {**got, "verdict": "holds"}


# -- tcpcheck ------------------------------------------------------------------------------------
def tcpcheck_command(path: Path, k: int, n: int, mode: str, engine: str) -> list:
    cmd = [sys.executable, "-m", "tcpcheck", "check", str(path), "--set", f"K={k}",
           "--set", f"N={n}", "--json", "--engine", engine]
    return cmd + (["--exhaustive"] if mode == "full" else [])


def run_tcpcheck(model: str, k: int, n: int, mode: str, engine: str, timeout: float,
                 path: Path | None = None) -> Run:
    """``engine`` "native": a cold run on an empty cache, then a cached one; "python": one
    run.  A model the native engine refuses comes back with backend FALLBACK and the reason
    in ``note`` (compare_spin.py fills its figures from the Python run, when there is one)."""
    run = Run(engine, model, k, n, mode)
    cmd = tcpcheck_command(path or SPIN_DIR / f"{model}.tcp", k, n, mode, engine)
    with tempfile.TemporaryDirectory(prefix="tcpcheck-cache-") as cache:
        env = {**os.environ, "TCPCHECK_CACHE": cache}
        cold = measured(cmd, ROOT, timeout, env)
        run = replace(run, seconds=cold.wall, cold_peak_mb=cold.peak_mb, peak_mb=cold.peak_mb)
        refused = _refusal(cold)
        if refused:
            return replace(run, backend=FALLBACK, note=refused)
        run = _read_check(run, cold)
        if engine == "native" and not run.error:
            warm = measured(cmd, ROOT, timeout, env)
            again = _read_check(replace(run, peak_mb=warm.peak_mb), warm)
            run = replace(again, seconds=cold.wall, cached_seconds=warm.wall)
    return run


def _refusal(done: Measured) -> str:
    """The reason when `check --engine native` refused the model (a usage error)."""
    match = re.search(r"engine cannot check this model: (.*)", done.err)
    return match.group(1).strip() if done.code == 2 and match else ""


def _read_check(run: Run, done: Measured) -> Run:
    if done.code == 124:
        return replace(run, error=f"timed out after {done.wall:.0f} s")
    try:
        data = json.loads(done.out)
    except ValueError:
        tail = done.err.strip().splitlines()[-1:] or [""]
        return replace(run, error=f"exit {done.code}: {tail[0][:200]}")
    stats = data.get("stats", {})
    run = replace(run, states=stats.get("states"), transitions=stats.get("transitions"),
                  search_seconds=stats.get("seconds"), backend=data.get("backend", "python"))
    if not data.get("complete", True) and mode_needs_all(run.mode):
        return replace(run, error=f"incomplete: {data.get('stop_reason')}")
    return replace(run, **check_verdict(run.mode, data.get("properties", [])))


def mode_needs_all(mode: str) -> bool:
    return mode in ("verify", "full")


def check_verdict(mode: str, properties: list) -> dict:
    """verdict and cex_length from `check --json`'s properties (``domains`` left out)."""
    props = [p for p in properties if p.get("name") != "domains"]
    if mode == "full":
        return {"verdict": "(exhaustive)"}
    violated = [p for p in props if p.get("status") == "violated"]
    if violated:
        lengths = [len(p["trace"]["steps"]) - 1 for p in violated if p.get("trace")]
        return {"verdict": "violated", "cex_length": min(lengths) if lengths else None}
    if props and all(p.get("status") == "holds" for p in props):
        return {"verdict": "holds"}
    return {"verdict": ",".join(sorted({str(p.get("status")) for p in props})) or "?"}


def with_fallback(native: Run, python: Run | None) -> Run:
    """A refused native run shown with the Python run's figures (what `--engine auto`
    does), or with none when the Python engine did not run at this size."""
    if not native.fell_back:
        return native
    if python is None:  # the refusal's own time and memory measure no search
        return replace(native, seconds=None, peak_mb=None, cold_peak_mb=None)
    return replace(python, tool=native.tool, backend=FALLBACK, note=native.note)
