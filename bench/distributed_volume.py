"""The message volume of a partitioned breadth-first search (DiVinE, PREACH) on the bench
family, simulated on one machine: docs/distributed.md explains the design and the figures.

Each of W workers owns the states whose hash falls in its range (crc32 of the state, mod W);
a worker expands its part of a level's frontier and sends every successor it does not own
to the owner, which keeps it if it is new.  This script explores the state graph with the
reference semantics (tcpcheck.explicit), level by level, and counts for each W:

  sent      successors that cross partitions (what a naive worker sends)
  batched   the same, de-duplicated per (sender, level) before sending (PREACH's buffers)
  bytes     batched x (packed state, as the native engine stores it, + 8 bytes of parent
            reference for the counterexample)
  balance   the largest worker's share of the states over the mean (1.00 = even)

and the same with a locality-aware hash of the endpoints alone (channel-only moves stay).

    python bench/distributed_volume.py                       the default family, W=2..16
    python bench/distributed_volume.py --levels MODEL K=1 N=2  per-level figures of one
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tcpcheck.explicit.semantics import Semantics  # noqa: E402
from tcpcheck.loader import load_file  # noqa: E402
from tcpcheck.native.layout import build  # noqa: E402

FAMILY = (("bench/spin/teardown.tcp", {"K": 1, "N": 1}),
          ("bench/spin/teardown.tcp", {"K": 1, "N": 2}),
          ("bench/spin/three_way.tcp", {"K": 2, "N": 2}),
          ("bench/spin/teardown.tcp", {"K": 2, "N": 2}))
WORKERS = (2, 4, 8, 16)
PARENT_BYTES = 8  # the owner's index of the parent state: a counterexample is rebuilt from it


# how a state is hashed to its owner: the whole state (DiVinE, PREACH), or only the two
# endpoints (a locality-aware partition: a move that changes only the channel, a loss or a
# duplication, stays on its worker)
SCHEMES = {"state": lambda s: s, "endpoints": lambda s: s[:2]}


def owner(state, workers: int, scheme: str = "state") -> int:
    return zlib.crc32(repr(SCHEMES[scheme](state)).encode()) % workers


def explore(path: str, overrides: dict, workers=WORKERS) -> dict:
    """Level-synchronous breadth-first search, counting the cross-partition traffic of each
    hash scheme and number of workers (keys "scheme/W")."""
    keys = [(scheme, w) for scheme in SCHEMES for w in workers]
    model = load_file(ROOT / path, overrides)
    sem, state_bytes = Semantics(model), build(model).words * 8 + PARENT_BYTES
    start = time.monotonic()
    frontier = [sem.initial_state()]
    seen = set(frontier)
    levels, edges = [], 0
    while frontier:
        sent = dict.fromkeys(keys, 0)
        batched = {k: set() for k in keys}
        following = []
        for s in frontier:
            here = {k: owner(s, k[1], k[0]) for k in keys}
            for _, t in sem.successors(s):
                edges += 1
                for k in keys:
                    if owner(t, k[1], k[0]) != here[k]:
                        sent[k] += 1
                        batched[k].add((here[k], t))
                if t not in seen:
                    seen.add(t)
                    following.append(t)
        levels.append({"states": len(frontier), "sent": {_key(k): n for k, n in sent.items()},
                       "batched": {_key(k): len(b) for k, b in batched.items()}})
        frontier = following
    shares = {_key(k): _balance(seen, k) for k in keys}
    return {"model": model.name, "file": path, "overrides": overrides, "states": len(seen),
            "edges": edges, "levels": levels, "state_bytes": state_bytes,
            "balance": shares, "seconds": round(time.monotonic() - start, 2)}


def _key(key) -> str:
    return f"{key[0]}/{key[1]}"


def _balance(states, key) -> float:
    scheme, workers = key
    counts = [0] * workers
    for s in states:
        counts[owner(s, workers, scheme)] += 1
    return max(counts) / (len(states) / workers)


def totals(run: dict, key: str) -> dict:
    sent = sum(level["sent"][key] for level in run["levels"])
    batched = sum(level["batched"][key] for level in run["levels"])
    return {"sent": sent, "batched": batched, "bytes": batched * run["state_bytes"],
            "cross": sent / run["edges"] if run["edges"] else 0.0,
            "per_state": batched / run["states"], "balance": run["balance"][key]}


def table(runs, workers=WORKERS) -> str:
    rows = ["| model | states | edges | levels | B/state | W | sent | batched | cross | "
            "msgs/state | bytes | balance | endpoints-hash cross | its balance |",
            "|" + "---|" * 14]
    for run in runs:
        name = run["model"] + " " + " ".join(f"{k}={v}" for k, v in run["overrides"].items())
        for w in workers:
            t, local = totals(run, f"state/{w}"), totals(run, f"endpoints/{w}")
            rows.append(f"| {name} | {run['states']:,} | {run['edges']:,} | "
                        f"{len(run['levels'])} | {run['state_bytes']} | {w} | {t['sent']:,} | "
                        f"{t['batched']:,} | {t['cross']:.2f} | {t['per_state']:.2f} | "
                        f"{t['bytes'] / 1e6:.2f} MB | {t['balance']:.2f} | "
                        f"{local['cross']:.2f} | {local['balance']:.2f} |")
    return "\n".join(rows)


def level_table(run: dict, w: int) -> str:
    key = f"state/{w}"
    rows = ["| level | frontier | sent | batched | bytes |", "|---|---|---|---|---|"]
    for i, level in enumerate(run["levels"]):
        rows.append(f"| {i} | {level['states']:,} | {level['sent'][key]:,} | "
                    f"{level['batched'][key]:,} | {level['batched'][key] * run['state_bytes']:,} |")
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", nargs="+", metavar="MODEL K=V",
                        help="per-level figures of one model (W=4)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    args = parser.parse_args(argv)
    if args.levels:
        model, *sets = args.levels
        run = explore(model, {k: int(v) for k, v in (s.split("=") for s in sets)})
        print(level_table(run, 4))
        runs = [run]
    else:
        runs = [explore(path, overrides) for path, overrides in FAMILY]
        print(table(runs))
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
