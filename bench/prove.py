"""Benchmark the symbolic engines: time to verdict per model, engine and property, with the
explicit engine's time to its verdict beside it.

    python bench/prove.py                       # every shipped model, default settings
    python bench/prove.py --markdown            # the table as Markdown (for the README)
    python bench/prove.py --models two_way_handshake --depths 4 8 --timeout 120

Each cell runs in a fresh Python process (its own peak memory), with the given timeout; a
cell that runs out of time says so.  BMC runs at each depth given; kind at the largest
depth; pdr with the timeout only.  Symbolic runs use 32-bit sequence numbers and jump time
(the defaults of `tcpcheck prove`); the explicit engine runs with its own bounds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SYMBOLIC = r"""
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from tcpcheck.loader import load_file
from tcpcheck.symbolic import ProveOptions, prove
model = load_file(sys.argv[2])
engine, depth, timeout, prop = sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
r = prove(model, ProveOptions(engine=engine, depth=depth, timeout=timeout, properties=(prop,)))
p = r.properties[0]
print(json.dumps({"status": p.status, "length": len(p.trace) if p.trace else None,
                  "seconds": r.seconds,
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
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tcpcheck.loader import load_file

    paths = sorted((ROOT / "models").glob("*.tcp"))
    if args.models:
        paths = [p for p in paths if p.stem in args.models]
    columns = [f"bmc {d}" for d in args.depths] + [f"kind {max(args.depths)}", "pdr", "explicit"]
    rows = []
    for path in paths:
        model = load_file(path)
        for prop in model.properties:
            if prop.kind == "deadlock":
                continue
            cells = [_run(_SYMBOLIC, [str(path), "bmc", str(d), str(args.timeout), prop.name],
                          args.timeout) for d in args.depths]
            cells.append(_run(_SYMBOLIC, [str(path), "kind", str(max(args.depths)),
                                          str(args.timeout), prop.name], args.timeout))
            cells.append(_run(_SYMBOLIC, [str(path), "pdr", str(max(args.depths)),
                                          str(args.timeout), prop.name], args.timeout))
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


if __name__ == "__main__":
    sys.exit(main())
