#!/usr/bin/env python3
"""tcpcheck side by side with SPIN on the same TCP models (bench/spin/).

    python bench/compare_spin.py [--quick | --grid] [--json | --markdown] [--only MODEL]
                                 [--timeout S]

For every model and size (K client incarnations, N segments in flight) it builds and runs
SPIN's verifier from bench/spin/MODEL.pml (spin -a, gcc, pan; -DNOREDUCE as in
bench/spin/RESULTS.md) in a temporary directory, and runs `tcpcheck check --json` on
bench/spin/MODEL.tcp (both `--engine native` and `--engine python` when `tcpcheck check
--help` offers --engine), and prints per run: states, transitions, verdict,
counterexample length, time to verdict, states/s, peak memory, bytes per state, and the
ratios tcpcheck/SPIN.  Without `spin` on the PATH it says how to install it and runs
tcpcheck only.

Modes per row:
  verify   a model whose property holds: both tools explore the whole space (counts equal)
  verdict  a violated model: SPIN's first error (DFS) and its shortest trail (-DREACH -i),
           tcpcheck's breadth-first counterexample (shortest by construction)
  full     a violated model's whole space: pan -A (assertions off) against
           `tcpcheck check --exhaustive` (counts equal)

Peak memory is each child process's own maximum resident set (os.wait4), so pan's figure
includes its hash table (-w, chosen from the size) and tcpcheck's the Python interpreter.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPIN_DIR = HERE / "spin"
PML_FILES = ("tcp_core.pml", "three_way.pml", "two_way.pml", "teardown.pml",
             "teardown_no_timewait.pml")

# SPIN -DNOREDUCE distinct states per (model, K, N, mode), from bench/spin/RESULTS.md and
# runs of SPIN 6.5.2 made for this benchmark; used to size pan's hash table (-w) and, by
# tests/bench/test_spin_models.py, as the expected counts when spin is not installed.
SPIN_STATES = {
    ("three_way", 1, 1): 225, ("three_way", 1, 2): 945, ("three_way", 1, 3): 4_841,
    ("three_way", 1, 4): 19_537, ("three_way", 2, 1): 1_619, ("three_way", 2, 2): 27_555,
    ("three_way", 2, 3): 581_987, ("three_way", 3, 1): 5_043, ("three_way", 3, 2): 139_047,
    ("three_way", 3, 3): 5_725_871, ("three_way", 4, 1): 7_664, ("three_way", 4, 2): 268_817,
    ("teardown", 1, 1): 525, ("teardown", 1, 2): 5_809, ("teardown", 1, 3): 44_821,
    ("teardown", 1, 4): 257_833, ("teardown", 2, 1): 2_091, ("teardown", 2, 2): 23_227,
    ("teardown", 2, 3): 179_275, ("teardown", 2, 4): 1_031_323, ("teardown", 3, 1): 3_655,
    ("teardown", 3, 2): 40_643, ("teardown", 3, 3): 313_727, ("teardown", 4, 1): 4_176,
    ("teardown", 4, 2): 46_448, ("teardown", 4, 3): 358_544,
    # whole spaces of the violated models (pan -A)
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

HOLDS = ("three_way", "teardown")

QUICK = [("three_way", 1, 1, "verify"), ("three_way", 2, 2, "verify"),
         ("three_way", 3, 1, "verify"), ("teardown", 1, 2, "verify"),
         ("teardown", 2, 2, "verify"), ("teardown", 3, 1, "verify"),
         ("two_way", 3, 3, "verdict"), ("two_way", 2, 2, "full"),
         ("teardown_no_timewait", 2, 3, "verdict"), ("teardown_no_timewait", 2, 1, "full")]
FULL = QUICK + [("three_way", 1, 3, "verify"), ("three_way", 3, 2, "verify"),
                ("three_way", 4, 2, "verify"), ("three_way", 2, 3, "verify"),
                ("teardown", 2, 3, "verify"), ("teardown", 3, 3, "verify"),
                ("teardown", 4, 3, "verify"), ("teardown", 1, 4, "verify"),
                ("teardown_no_timewait", 2, 2, "full")]

# --grid: every size up to K = 4, N = 3 that tcpcheck's Python engine explores within
# about 30 s (46 runs, about 4 minutes): counts for the holding models, whole spaces and
# shortest counterexamples for the violated ones
GRID = ([("teardown", k, n, "verify") for k in (1, 2, 3, 4) for n in (1, 2, 3)]
        + [("three_way", k, n, "verify") for k in (1, 2, 3, 4) for n in (1, 2, 3)
           if n < 3 or k < 3]
        + [(m, k, n, mode) for m in ("two_way", "teardown_no_timewait") for k in (1, 2, 3)
           for n in (1, 2) for mode in ("full", "verdict")])


@dataclass
class Run:
    """One tool's run of one model at one size."""

    tool: str
    model: str
    K: int
    N: int
    mode: str
    states: int | None = None
    transitions: int | None = None
    verdict: str = ""
    cex_length: int | None = None
    seconds: float | None = None  # time to verdict: the verifier's wall time
    search_seconds: float | None = None  # the tool's own figure for its search alone
    build_seconds: float | None = None  # SPIN: spin -a + gcc
    peak_mb: float | None = None
    error: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        if self.states and self.seconds:
            return self.states / self.seconds
        return None

    @property
    def bytes_per_state(self) -> float | None:
        if self.states and self.peak_mb:
            return self.peak_mb * 2 ** 20 / self.states
        return None


# -- running a child and measuring it --------------------------------------------------------
def measured(cmd, cwd, timeout: float) -> tuple:
    """Run ``cmd``; (exit code, stdout, stderr, wall seconds, peak RSS in MB of this child)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        deadline = start + timeout
        try:
            while True:  # os.wait4 gives this child's own rusage (ru_maxrss in KiB on Linux)
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    proc.kill()
                    pid, status, usage = os.wait4(proc.pid, 0)
                    status = -1
                    break
                time.sleep(0.005)
        except BaseException:  # Ctrl-C: leave no verifier running behind us
            proc.kill()
            proc.wait()
            raise
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status) if status != -1 else 124
        out.seek(0)
        err.seek(0)
        return (proc.returncode, out.read().decode(errors="replace"),
                err.read().decode(errors="replace"), wall, usage.ru_maxrss / 1024)


# -- SPIN ----------------------------------------------------------------------------------------
def spin_available() -> bool:
    return shutil.which("spin") is not None and shutil.which("gcc") is not None


def hash_bits(model: str, k: int, n: int) -> int:
    """pan's -w: a hash table about twice the expected states (at least 2^18 slots)."""
    expected = SPIN_STATES.get((model, k, n), 1_000_000)
    return max(18, min(28, math.ceil(math.log2(expected * 2))))


def run_spin(model: str, k: int, n: int, mode: str, timeout: float) -> Run:
    run = Run("spin", model, k, n, mode)
    with tempfile.TemporaryDirectory(prefix="spin-") as tmp:
        for name in PML_FILES:
            shutil.copy(SPIN_DIR / name, tmp)
        cflags = ["-O2", "-w", "-DSAFETY", "-DNOREDUCE"]
        # -m: depth bound (the deepest run in RESULTS.md is 3,147), kept small because pan
        # allocates its stack for it up front
        pan = ["./pan", "-m100000", f"-w{hash_bits(model, k, n)}"]
        if mode == "full":
            pan.append("-A")
        start = time.perf_counter()
        code, _, err, *_ = measured(["spin", "-a", f"-DK={k}", f"-DN={n}", f"{model}.pml"], tmp,
                                    timeout)
        if code == 0:
            code, _, err, *_ = measured(["gcc", *cflags, "-o", "pan", "pan.c"], tmp, timeout)
        run.build_seconds = time.perf_counter() - start
        if code != 0:
            run.error = f"build failed: {err.strip()[:200]}"
            return run
        code, out, _, wall, peak = measured(pan, tmp, timeout)
        run.seconds, run.peak_mb = wall, peak
        if code == 124:
            run.error = f"timed out after {timeout:.0f} s"
            return run
        parse_pan(run, out)
        if mode == "verdict":  # the shortest trail: -DREACH (exact depths) and -i
            code, _, err, *_ = measured(["gcc", *cflags, "-DREACH", "-o", "pan_r", "pan.c"], tmp,
                                        timeout)
            if code == 0:
                code, out, _, wall, _ = measured(["./pan_r", *pan[1:], "-i"], tmp, timeout)
                reduced = _all_ints(r"reducing search depth to (\d+)", out)
                if reduced:
                    run.cex_length = reduced[-1]
                run.extra["shortest_seconds"] = round(wall, 3)
    return run


def _all_ints(pattern: str, text: str) -> list:
    return [int(x) for x in re.findall(pattern, text)]


def parse_pan(run: Run, out: str) -> None:
    states = _all_ints(r"(\d+) states, stored", out)
    trans = _all_ints(r"(\d+) transitions \(= stored\+matched\)", out)
    errors = _all_ints(r"errors: (\d+)", out)
    elapsed = re.findall(r"pan: elapsed time ([\d.e+-]+) seconds", out)
    run.search_seconds = float(elapsed[-1]) if elapsed else None
    run.states = states[-1] if states else None
    run.transitions = trans[-1] if trans else None
    if run.mode == "full":
        run.verdict = "(assertions off)"
    elif errors and errors[-1] > 0:
        run.verdict = "violated"
        depth = _all_ints(r"assertion violated .*\(at depth (\d+)\)", out)
        run.extra["dfs_trail"] = depth[0] if depth else None
    else:
        run.verdict = "holds"


# -- tcpcheck ------------------------------------------------------------------------------------
def tcpcheck_engines() -> list:
    """[None] (the default engine), or ["native", "python"] when check offers --engine."""
    code, out, _, *_ = measured([sys.executable, "-m", "tcpcheck", "check", "--help"], ROOT, 60)
    return ["native", "python"] if code == 0 and "--engine" in out else [None]


def run_tcpcheck(model: str, k: int, n: int, mode: str, engine, timeout: float) -> Run:
    tool = "tcpcheck" + (f" ({engine})" if engine else "")
    run = Run(tool, model, k, n, mode)
    cmd = [sys.executable, "-m", "tcpcheck", "check", str(SPIN_DIR / f"{model}.tcp"),
           "--set", f"K={k}", "--set", f"N={n}", "--json"]
    if engine:
        cmd += ["--engine", engine]
    if mode == "full":
        cmd.append("--exhaustive")
    code, out, err, wall, peak = measured(cmd, ROOT, timeout)
    run.seconds, run.peak_mb = wall, peak
    if code == 124:
        run.error = f"timed out after {timeout:.0f} s"
        return run
    try:
        data = json.loads(out)
    except ValueError:
        run.error = f"exit {code}: {err.strip()[-200:]}"
        return run
    stats = data.get("stats", {})
    run.states, run.transitions = stats.get("states"), stats.get("transitions")
    run.search_seconds = stats.get("seconds")
    props = [p for p in data.get("properties", []) if p.get("name") != "domains"]
    violated = [p for p in props if p.get("status") == "violated"]
    if mode == "full":
        run.verdict = "(exhaustive)"
    elif violated:
        run.verdict = "violated"
        lengths = [len(p["trace"]["steps"]) - 1 for p in violated if p.get("trace")]
        run.cex_length = min(lengths) if lengths else None
    elif props and all(p.get("status") == "holds" for p in props):
        run.verdict = "holds"
    else:
        run.verdict = ",".join(sorted({str(p.get("status")) for p in props})) or "?"
    return run


# -- output --------------------------------------------------------------------------------------
def _num(x, fmt="{:,}") -> str:
    return "-" if x is None else fmt.format(x)


def ratio(a, b) -> str:
    return f"{a / b:.1f}x" if a and b else "-"


COLUMNS = ("model", "K", "N", "mode", "tool", "states", "transitions", "verdict", "cex",
           "time s", "search s", "states/s", "peak MB", "B/state", "time ratio",
           "search ratio", "states eq")


def table_rows(groups: list) -> list:
    rows = []
    for runs in groups:
        spin = next((r for r in runs if r.tool == "spin" and not r.error), None)
        for r in runs:
            same = "-" if spin is None or r is spin or r.error else \
                ("yes" if r.states == spin.states else "NO")
            if r.mode == "verdict" and same != "-":
                same = "n/a"  # each stops at its first violation, found in its own order
            recorded = SPIN_STATES.get((r.model, r.K, r.N))
            if spin is None and r.mode != "verdict" and recorded and not r.error:
                same = "yes (recorded)" if r.states == recorded else "NO (recorded)"
            rows.append((r.model, str(r.K), str(r.N), r.mode, r.tool,
                         _num(r.states), _num(r.transitions), r.error or r.verdict,
                         _num(r.cex_length), _num(r.seconds, "{:.2f}"),
                         _num(r.search_seconds, "{:.2f}"),
                         _num(r.rate, "{:,.0f}"), _num(r.peak_mb, "{:.0f}"),
                         _num(r.bytes_per_state, "{:,.0f}"),
                         "-" if r is spin or spin is None else ratio(r.seconds, spin.seconds),
                         "-" if r is spin or spin is None else
                         ratio(r.search_seconds, max(spin.search_seconds or 0, 0.01)),
                         same))
    return rows


def print_table(groups: list) -> None:
    rows = table_rows(groups)
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    line = lambda cells: "  ".join(c.rjust(w) if i in (1, 2) or 5 <= i <= 15 else c.ljust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(COLUMNS))
    print(line(["-" * w for w in widths]))
    for r in rows:
        print(line(r))
    print("\ntime s: wall time of the verifier process, start-up included (SPIN: pan alone; "
          "spin -a + gcc is build_seconds in --json); search s: the tool's own time for the "
          "search;\nstates/s: states / time s; time ratio: tcpcheck / SPIN time s; search ratio: the same for "
          "search s (SPIN's at least 0.01 s, pan's resolution).")
    print("cex: shortest counterexample (SPIN: -DREACH -i; tcpcheck: breadth-first); "
          "peak MB: the process's maximum resident set.")


def print_markdown(groups: list) -> None:
    """One row per model and size: SPIN and each tcpcheck engine side by side."""
    print("| model | K | N | mode | states SPIN | states tcpcheck | verdict | cex SPIN / "
          "tcpcheck | SPIN pan s | tcpcheck search s (wall s) | search ratio | peak MB SPIN / "
          "tcpcheck | B/state SPIN / tcpcheck |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for runs in groups:
        spin = next((r for r in runs if r.tool == "spin"), None)
        for r in (x for x in runs if x is not spin):
            tool = r.tool.replace("tcpcheck", "").strip(" ()")
            name = r.model + (f" ({tool})" if tool else "")
            get = lambda run, attr, fmt="{:,}": "-" if run is None else _num(getattr(run, attr), fmt)
            verdict = r.error or ("whole space" if r.mode == "full" else r.verdict)
            if r.mode != "full" and spin is not None and (spin.error or spin.verdict) != verdict:
                verdict = f"{spin.error or spin.verdict} / {verdict}"
            print(f"| {name} | {r.K} | {r.N} | {r.mode} | {get(spin, 'states')} | "
                  f"{_num(r.states)} | {verdict} | {get(spin, 'cex_length')} / "
                  f"{_num(r.cex_length)} | {get(spin, 'search_seconds', '{:.2f}')} | "
                  f"{_num(r.search_seconds, '{:.2f}')} ({_num(r.seconds, '{:.1f}')}) | "
                  f"{ratio(r.search_seconds, max(spin.search_seconds or 0, 0.01)) if spin else '-'} | "
                  f"{get(spin, 'peak_mb', '{:.0f}')} / {_num(r.peak_mb, '{:.0f}')} | "
                  f"{get(spin, 'bytes_per_state', '{:,.0f}')} / {_num(r.bytes_per_state, '{:,.0f}')} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="only the small sizes (about a minute)")
    ap.add_argument("--grid", action="store_true", help="every size up to K=4, N=3 that "
                    "takes tcpcheck under about 30 s (46 runs, about 4 minutes)")
    ap.add_argument("--json", action="store_true", help="print the runs as JSON")
    ap.add_argument("--markdown", action="store_true", help="print one Markdown row per "
                    "model and size (the README's table)")
    ap.add_argument("--only", metavar="MODEL", help="only this model (three_way, two_way, "
                    "teardown, teardown_no_timewait)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per run (default 600)")
    args = ap.parse_args(argv)
    chosen = QUICK if args.quick else GRID if args.grid else FULL
    plan = [p for p in chosen if args.only in (None, p[0])]
    have_spin = spin_available()
    if not have_spin:
        print("spin (or gcc) is not installed: running tcpcheck only.  Install SPIN with\n"
              "  apt-get install -y spin gcc      (Debian/Ubuntu; SPIN 6.5.2)\n"
              "or build it from https://github.com/nimble-code/Spin.", file=sys.stderr)
    engines = tcpcheck_engines()
    groups = []
    for model, k, n, mode in plan:
        runs = []
        if have_spin:
            runs.append(run_spin(model, k, n, mode, args.timeout))
        for engine in engines:
            runs.append(run_tcpcheck(model, k, n, mode, engine, args.timeout))
        groups.append(runs)
        if not (args.json or args.markdown):
            print(f"  done {model} K={k} N={n} {mode}", file=sys.stderr)
    if args.json:
        out = [{**asdict(r), "states_per_second": r.rate, "bytes_per_state": r.bytes_per_state}
               for runs in groups for r in runs]
        print(json.dumps({"spin": have_spin, "runs": out}, indent=2))
    elif args.markdown:
        print_markdown(groups)
    else:
        print_table(groups)
    mismatch = [r for runs in groups for r in runs
                if runs[0].tool == "spin" and r is not runs[0] and not r.error
                and not runs[0].error and r.states != runs[0].states and r.mode != "verdict"]
    if not have_spin:  # against the counts SPIN gave (SPIN_STATES)
        mismatch = [r for runs in groups for r in runs if r.mode != "verdict" and not r.error
                    and SPIN_STATES.get((r.model, r.K, r.N), r.states) != r.states]
    return 1 if mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
