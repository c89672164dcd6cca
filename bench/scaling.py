#!/usr/bin/env python3
"""The speed-up curve of `tcpcheck check --workers N` on whatever machine runs it.

    python bench/scaling.py [--max-workers W] [--repeat R] [--json] [MODEL --set K=.. ...]

Default model: bench/spin/three_way.tcp --set K=3 --set N=3 (5,725,871 states).  For each
N in 1..W (default: the number of cores) it runs the native engine R times (default 3) as a
whole process (the model is compiled once first, so cc is not timed), and prints per N
the median wall time, median CPU time (user + system of the child), the speed-up against
N = 1, and the workers the run reported in its --json (fewer than asked means the engine
ran fewer threads; the table shows it).  Exit status 1 when a run's counts or verdicts
differ from the N = 1 run's: a speed-up with other results is no speed-up.
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
TIMING = ("seconds", "states_per_second", "peak_memory_mb")


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
    rows, reference, same = [], None, True
    for n in range(1, max_workers + 1):
        runs = [run_once(model_args, n) for _ in range(repeat)]
        results = [dict(r[2], workers=None) for r in runs]
        reference = reference or results[0]
        same = same and all(r == reference for r in results)
        rows.append({"asked": n, "ran": runs[0][2].get("workers", 1),
                     "wall_s": statistics.median(r[0] for r in runs),
                     "cpu_s": statistics.median(r[1] for r in runs),
                     "states": runs[0][2]["stats"]["states"]})
    for row in rows:
        row["speedup"] = rows[0]["wall_s"] / row["wall_s"]
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
    if args.json:
        print(json.dumps({"model": model_args, "cores": os.cpu_count(), "rows": rows,
                          "identical_results": same}, indent=2))
    else:
        print(f"{' '.join(model_args)} on {os.cpu_count()} cores, {args.repeat} runs each")
        print(table(rows))
        print("results identical for every N" if same else "RESULTS DIFFER between N")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
