"""Benchmark the explicit engine: states, transitions, time, states/second, peak memory.

    python bench/run.py              # every shipped model, then the scaled families
    python bench/run.py --quick      # shipped models only
    python bench/run.py --families   # the scaled families only
    python bench/run.py --markdown   # the table as Markdown (for the README)
    python bench/run.py --engine native   # the search compiled to C (tcpcheck.native);
                                          # a model's liveness properties are left out

Each run happens in a fresh Python process so that its peak memory (max RSS) is its own.
Runs use --exhaustive, so a model is explored completely even when its properties are
decided early: the figures measure the whole state space.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (model file, overrides): the scaled families show how the state space grows with channel
# capacity, duplication, segment lifetime and the number of connections (reconnect cycles).
FAMILIES = [
    ("models/three_way_handshake.tcp", {"channel.capacity": 1, "bounds.incarnations": 1}),
    ("models/three_way_handshake.tcp", {"channel.capacity": 1}),
    ("models/teardown_time_wait.tcp", {"channel.capacity": 1}),
    ("models/teardown_time_wait.tcp", {"channel.capacity": 1, "MSL": 3, "TW": 6}),
    ("models/teardown_time_wait.tcp", {"channel.duplication": 0}),
    ("models/teardown_time_wait.tcp", {"CONNECTIONS": 3, "channel.capacity": 1}),
    ("models/teardown_time_wait.tcp", {"CONNECTIONS": 3, "channel.duplication": 0}),
    # the complete machine with duplicates and ABORT, one segment per direction, one loss
    ("models/rfc9293.tcp", {"channel.capacity": 1, "channel.duplication": 1, "channel.loss": 1,
                            "CLIENT_ABORTS": 1, "SERVER_ABORTS": 1}),
]

_CHILD = r"""
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from tcpcheck.engine import registry
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file
overrides = json.loads(sys.argv[3])
model, engine = load_file(sys.argv[2], overrides), sys.argv[4]
chosen = None  # natively, a model with liveness properties is measured on its safety ones
if engine == "native" and any(p.liveness for p in model.properties):
    chosen = tuple(p.name for p in model.properties if not p.liveness)
result = registry.check(model, CheckOptions(properties=chosen, stop_when_decided=False), engine,
                      notice=lambda text: print(text, file=sys.stderr))
s = result.stats
print(json.dumps({"states": s.states, "transitions": s.transitions, "diameter": s.diameter,
                  "seconds": s.seconds, "rate": s.states_per_second,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "verdicts": {p.name: p.status for p in result.properties}}))
"""


def measure(path: str, overrides: dict, engine: str = "python") -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), str(ROOT / path),
                          json.dumps(overrides), engine], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def rows(quick: bool, families_only: bool, engine: str = "python"):
    shipped = [(str(p.relative_to(ROOT)), {}) for p in sorted(ROOT.glob("models/*.tcp"))]
    chosen = FAMILIES if families_only else shipped + ([] if quick else FAMILIES)
    for path, overrides in chosen:
        yield path, overrides, measure(path, overrides, engine)


def main(argv) -> int:
    markdown = "--markdown" in argv
    header = ["model", "overrides", "states", "transitions", "diameter", "seconds",
              "states/s", "peak MB"]
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
    else:
        print("  ".join(f"{h:>12}" for h in header))
    engine = "python"  # the reference; --engine native|auto measures tcpcheck.native
    if "--engine" in argv and argv.index("--engine") + 1 < len(argv):
        engine = argv[argv.index("--engine") + 1]
    for path, overrides, r in rows("--quick" in argv, "--families" in argv, engine):
        cells = [Path(path).stem, " ".join(f"{k}={v}" for k, v in overrides.items()) or "-",
                 f"{r['states']:,}", f"{r['transitions']:,}", str(r["diameter"]),
                 f"{r['seconds']:.1f}", f"{r['rate']:,.0f}", f"{r['peak_mb']:.0f}"]
        if markdown:
            print("| " + " | ".join(cells) + " |")
        else:
            print("  ".join(f"{c:>12}" for c in cells))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
