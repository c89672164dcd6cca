"""Benchmark the symbolic engines: time to verdict per model, engine and property, with the
explicit engine's time to its verdict beside it.

    python bench/prove.py                       # every shipped model, default settings
    python bench/prove.py --markdown            # the table as Markdown (for the README)
    python bench/prove.py --models two_way_handshake --depths 4 8 --timeout 120
    python bench/prove.py --default --jobs 2    # `tcpcheck prove MODEL` as it is, per model

Each cell runs in a fresh Python process (its own peak memory), with the given timeout; a
cell that runs out of time says so.  BMC runs at each depth given; kind at the largest
depth; pdr with the timeout only; the portfolio (the default engine) with the timeout and
no depth.  Symbolic runs use 32-bit sequence numbers and jump time (the defaults of
`tcpcheck prove`); the explicit engine runs with its own bounds.

``--default`` instead times the default command, ``tcpcheck prove MODEL`` (the portfolio
on every property, its own 60 s limit), once per model: the time until the verdict is
printed, and each property's verdict with the engine that gave it.  ``--jobs N`` passes
``--jobs`` (solver processes at once; default: every core).  The peak memory of the
symbolic cells is that of the parent process (the solver processes are forked from it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SYMBOLIC = r"""
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from tcpcheck.loader import load_file
from tcpcheck.symbolic import ProveOptions, prove
model = load_file(sys.argv[2])
engine, depth, timeout, prop = sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
jobs = int(sys.argv[7]) if sys.argv[7] != "0" else None
r = prove(model, ProveOptions(engine=engine, depth=depth or None, timeout=timeout,
                              properties=(prop,), jobs=jobs))
p = r.properties[0]
print(json.dumps({"status": p.status, "length": len(p.trace) if p.trace else None,
                  "seconds": r.seconds, "engine": r.answered_by(p.name) if engine == "portfolio"
                  else None,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_EXPLICIT = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file
model = load_file(sys.argv[2])
r = check(model, CheckOptions(properties=(sys.argv[3],)))
p = r.get(sys.argv[3])
print(json.dumps({"status": p.status, "length": len(p.trace) if p.trace else None,
                  "seconds": r.stats.seconds, "states": r.stats.states,
                  "peak_mb": r.stats.peak_memory_mb}))
"""


def _run(code: str, args: list, timeout: float) -> dict:
    try:
        out = subprocess.run([sys.executable, "-c", code, str(ROOT), *args], capture_output=True,
                             text=True, timeout=timeout + 30, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "length": None, "seconds": timeout}
    except subprocess.CalledProcessError as err:
        return {"status": "error: " + err.stderr.strip().splitlines()[-1], "length": None,
                "seconds": 0.0}


def _cell(r: dict) -> str:
    text = r["status"]
    if r.get("length") is not None:
        text += f" ({r['length']})"
    if r.get("engine"):
        text += f" by {r['engine']}"
    text += f", {r['seconds']:.1f} s"
    if r.get("states") is not None:  # explicit: states and states/second
        rate = r["states"] / r["seconds"] if r["seconds"] > 0 else 0
        text += f", {r['states']:,} states ({rate:,.0f}/s)"
    if r.get("peak_mb") is not None:
        text += f", {r['peak_mb']:.0f} MB"
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="*", help="model names (default: every shipped model)")
    ap.add_argument("--depths", nargs="*", type=int, default=[4, 8])
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--jobs", type=int, default=0, help="solver processes at once (0: every core)")
    ap.add_argument("--default", action="store_true",
                    help="time the default command `tcpcheck prove MODEL` per model")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tcpcheck.loader import load_file

    paths = sorted((ROOT / "models").glob("*.tcp"))
    if args.models:
        paths = [p for p in paths if p.stem in args.models]
    if args.default:
        return _default_command(paths, args)
    columns = [f"bmc {d}" for d in args.depths] + [f"kind {max(args.depths)}", "pdr", "portfolio",
                                                   "explicit"]
    jobs = str(args.jobs)
    rows = []
    for path in paths:
        model = load_file(path)
        for prop in model.properties:
            if prop.kind == "deadlock":
                continue
            cells = [_run(_SYMBOLIC, [str(path), "bmc", str(d), str(args.timeout), prop.name,
                                      jobs], args.timeout) for d in args.depths]
            cells.append(_run(_SYMBOLIC, [str(path), "kind", str(max(args.depths)),
                                          str(args.timeout), prop.name, jobs], args.timeout))
            cells.append(_run(_SYMBOLIC, [str(path), "pdr", str(max(args.depths)),
                                          str(args.timeout), prop.name, jobs], args.timeout))
            cells.append(_run(_SYMBOLIC, [str(path), "portfolio", "0", str(args.timeout),
                                          prop.name, jobs], args.timeout))
            cells.append(_run(_EXPLICIT, [str(path), prop.name], args.timeout))
            rows.append((path.stem, prop.name, [_cell(c) for c in cells]))
            if not args.markdown:
                print(f"{path.stem:<26} {prop.name:<26} " + " | ".join(_cell(c) for c in cells),
                      flush=True)
    if args.markdown:
        print("| model | property | " + " | ".join(columns) + " |")
        print("|---|---|" + "---|" * len(columns))
        for model, prop, cells in rows:
            print(f"| {model} | {prop} | " + " | ".join(cells) + " |")
    return 0


def _default_command(paths: list, args) -> int:
    """`tcpcheck prove MODEL` per model: wall time to the verdict and each property's."""
    rows = []
    for path in paths:
        command = [sys.executable, "-m", "tcpcheck", "prove", str(path), "--json"]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        began = time.monotonic()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
        wall = time.monotonic() - began
        try:
            data = json.loads(done.stdout)
        except ValueError:
            rows.append((path.stem, f"{wall:.1f} s", f"exit {done.returncode}",
                         done.stderr.strip().splitlines()[-1:] or ["no output"]))
            continue
        verdicts = [f"{p['name']} {p['status']}"
                    + (f" ({p['trace']['length']})" if p["trace"] and p["status"] in
                       ("violated", "reached") else "")
                    + (f" by {p['engine']}" if p["engine"] else "") for p in data["properties"]]
        rows.append((path.stem, f"{wall:.1f} s", f"exit {done.returncode}", verdicts))
        if not args.markdown:
            print(f"{path.stem:<26} {wall:6.1f} s  exit {done.returncode}  " + "; ".join(verdicts),
                  flush=True)
    if args.markdown:
        print("| model | time to verdict | exit | verdicts |")
        print("|---|---|---|---|")
        for model, wall, code, verdicts in rows:
            print(f"| {model} | {wall} | {code.split()[1]} | {'; '.join(verdicts)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
