#!/usr/bin/env python3
"""The speed-up curve of `tcpcheck check --workers N` on whatever machine runs it.

    python bench/scaling.py [--max-workers W] [--repeat R] [--json] [MODEL --set K=.. ...]

Default model: bench/spin/three_way.tcp --set K=3 --set N=3 (5,725,871 states).  For each
N in 1..W (default: the number of cores) it runs the native engine R times (default 3) as a
whole process (the model is compiled once first, so cc is not timed), in rounds (N = 1,
2, ..., W, then again), so that a machine shared with other work slows every N alike;
it prints per N the median wall time, median CPU time (user + system of the child), the
speed-up against N = 1 (the median over rounds of each round's own ratio), and the
workers the run reported in its --json (fewer than asked means the engine ran fewer
threads; the table shows it), then the load average.  Exit status 1 when a run's counts
or verdicts differ from the N = 1 run's: a speed-up with other results is no speed-up.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["bench/spin/three_way.tcp", "--set", "K=3", "--set", "N=3"]
TIMING = ("seconds", "states_per_second", "peak_memory_mb", "bytes_per_state",
          "compile_seconds")  # as tests/native/native_support.py: what may differ


def run_once(model_args: list, workers: int) -> tuple[float, float, dict]:
    """(wall seconds, child CPU seconds, --json without timing) of one check."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "tcpcheck", "check", *model_args,
                           "--engine", "native", "--json", "--workers", str(workers)],
                          cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1, 3):
        sys.exit(f"tcpcheck failed (exit {done.returncode}): {done.stderr.strip()}")
    data = json.loads(done.stdout)
    for key in TIMING:
        data["stats"].pop(key, None)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, data


def curve(model_args: list, max_workers: int, repeat: int) -> tuple[list, bool]:
    """One row per N, and whether every run's results equal the N = 1 run's."""
    run_once(model_args, 1)  # compile (or find in the cache) before anything is timed
    counts = range(1, max_workers + 1)
    rounds = [{n: run_once(model_args, n) for n in counts} for _ in range(repeat)]
    reference = dict(rounds[0][1][2], workers=None)
    same = all(dict(r[n][2], workers=None) == reference for r in rounds for n in counts)
    rows = []
    for n in counts:
        runs = [r[n] for r in rounds]
        rows.append({"asked": n, "ran": runs[0][2].get("workers", 1),
                     "wall_s": statistics.median(r[0] for r in runs),
                     "cpu_s": statistics.median(r[1] for r in runs),
                     "speedup": statistics.median(r[1][0] / r[n][0] for r in rounds),
                     "states": runs[0][2]["stats"]["states"]})
    return rows, same


def table(rows: list) -> str:
    lines = ["workers  ran  wall s (median)  cpu s (median)  speed-up  states"]
    for r in rows:
        lines.append(f"{r['asked']:>7}  {r['ran']:>3}  {r['wall_s']:>15.2f}  "
                     f"{r['cpu_s']:>14.2f}  {r['speedup']:>7.2f}x  {r['states']:,}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("model", nargs=argparse.REMAINDER,
                        help="a model and its check options (default: three_way K=3 N=3)")
    args = parser.parse_args()
    model_args = args.model or DEFAULT
    rows, same = curve(model_args, max(1, args.max_workers), max(1, args.repeat))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if args.json:
        print(json.dumps({"model": model_args, "cores": os.cpu_count(), "rows": rows,
                          "identical_results": same, "load_average": load}, indent=2))
    else:
        print(f"{' '.join(model_args)} on {os.cpu_count()} cores, {args.repeat} rounds")
        print(table(rows))
        print("results identical for every N" if same else "RESULTS DIFFER between N")
        if load is not None:  # other work on the machine takes cores from the threads
            print(f"load average at the end: {load:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
