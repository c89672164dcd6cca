#!/usr/bin/env python3
"""tcpcheck side by side with SPIN on the same TCP models (bench/spin/).

    python bench/compare_spin.py [--quick | --large | --grid] [--json | --markdown]
                                 [--engines native,python] [--only MODEL] [--timeout S]
    python bench/compare_spin.py --from-json FILE [--markdown | --json]

For every model and size (K client incarnations, N segments in flight) it builds and runs
SPIN's verifier from bench/spin/MODEL.pml (spin -a, gcc, pan; -DNOREDUCE as in
bench/spin/RESULTS.md) in a temporary directory, and `tcpcheck check --json` on
bench/spin/MODEL.tcp with each engine: the native one twice, cold (an empty cache, so C
generation and cc are included) and cached; the Python one at small sizes only (at most
PYTHON_MAX_STATES states) unless --engines names it.  It prints per run: states,
transitions, verdict, counterexample length, time to verdict cold and cached, states/s,
peak memory, bytes per state, and the ratios tcpcheck / SPIN (bench/spin_table.py says
which figures each ratio compares).  Without `spin` on the PATH it says how to install it
and runs tcpcheck only, comparing its counts with SPIN's recorded ones.  Exit status 1
when a state count differs from SPIN's.

Modes per row:
  verify   a model whose property holds: both tools explore the whole space (counts equal)
  verdict  a violated model: SPIN's first error (DFS; its shortest trail from -DREACH -i),
           tcpcheck's breadth-first counterexample (shortest by construction)
  full     a violated model's whole space: pan -A (assertions off) against
           `tcpcheck check --exhaustive` (counts equal)

The plot of time and memory against K and N: bench/plot_spin.py, from --json output.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling modules

from spin_runs import (SPIN_STATES, run_spin, run_tcpcheck, spin_available,  # noqa: E402
                       with_fallback)
from spin_table import from_json, mismatches, render_markdown, render_text, to_json  # noqa: E402

PYTHON_MAX_STATES = 300_000  # the Python engine's share: about 20 s at 15,000 states/s
ENGINES = ("native", "python")
MODELS = ("three_way", "two_way", "teardown", "teardown_no_timewait")

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
# --large: each model's largest sizes in bench/spin/RESULTS.md that SPIN explores in under
# half a minute here (three_way K=4 N=3, 14 M states, and teardown N=6 take a minute or two)
LARGE = [("three_way", 3, 3, "verify"), ("three_way", 2, 4, "verify"),
         ("teardown", 2, 5, "verify"), ("teardown", 4, 5, "verify"),
         ("two_way", 3, 3, "verdict"), ("two_way", 3, 3, "full"),
         ("teardown_no_timewait", 2, 3, "verdict"), ("teardown_no_timewait", 2, 3, "full")]
# --grid: the two holding families over K and N up to about 9 M states (bench/plot_spin.py
# draws them), and the violated models' small sizes, whole spaces and verdicts
GRID_LIMIT = 9_000_000
HOLDS_FAMILIES = ("three_way", "teardown")
GRID = ([(m, k, n, "verify") for m in HOLDS_FAMILIES for k in (1, 2, 3, 4)
         for n in range(1, 7) if SPIN_STATES.get((m, k, n), GRID_LIMIT + 1) <= GRID_LIMIT]
        + [(m, k, n, mode) for m in ("two_way", "teardown_no_timewait") for k in (1, 2, 3)
           for n in (1, 2) for mode in ("full", "verdict")])


def python_runs_at(model: str, k: int, n: int, asked: bool, explored: int | None = None) -> bool:
    """Whether the Python engine runs this size: always when --engines names it, else only
    where the native run explored (or, without one, SPIN's recorded whole space has) at
    most PYTHON_MAX_STATES states."""
    size = explored if explored is not None else SPIN_STATES.get((model, k, n))
    return asked or (size is not None and size <= PYTHON_MAX_STATES)


def run_size(model, k, n, mode, engines, python_asked, have_spin, timeout) -> list:
    runs = [run_spin(model, k, n, mode, timeout)] if have_spin else []
    native = None
    if "native" in engines:  # first: its state count tells whether Python can follow
        native = run_tcpcheck(model, k, n, mode, "native", timeout)
    explored = native.states if native is not None and not native.fell_back else None
    python = None
    if "python" in engines and python_runs_at(model, k, n, python_asked, explored):
        python = run_tcpcheck(model, k, n, mode, "python", timeout)
    shown = [with_fallback(native, python)] if native is not None else []
    return runs + shown + ([python] if python else [])


def parse_engines(text: str) -> tuple:
    names = tuple(dict.fromkeys(x.strip() for x in text.split(",") if x.strip()))
    bad = [x for x in names if x not in ENGINES]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"engines are {', '.join(ENGINES)} (got {text!r})")
    return names


def arguments(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sizes = ap.add_mutually_exclusive_group()
    sizes.add_argument("--quick", action="store_true", help="only small sizes (about a minute)")
    sizes.add_argument("--large", action="store_true", help="each model's largest sizes "
                       "(2.9-8.6 M states; native and SPIN only unless --engines)")
    sizes.add_argument("--grid", action="store_true", help="the holding models over K and N "
                       "up to 9 M states, for bench/plot_spin.py (about 15 minutes)")
    sizes.add_argument("--from-json", metavar="FILE", type=Path,
                       help="render a saved --json run again, running nothing")
    out = ap.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the runs as JSON")
    out.add_argument("--markdown", action="store_true", help="one Markdown row per model, "
                     "size and engine (the README's table)")
    ap.add_argument("--engines", type=parse_engines, default=None, metavar="LIST",
                    help="tcpcheck engines to run, comma-separated (default native,python; "
                    f"python only up to {PYTHON_MAX_STATES:,} states unless named here)")
    ap.add_argument("--only", choices=MODELS, help="only this model")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per run (default 600)")
    return ap.parse_args(argv)


def measure(args) -> tuple:
    chosen = QUICK if args.quick else LARGE if args.large else GRID if args.grid else FULL
    plan = [p for p in chosen if args.only in (None, p[0])]
    have_spin = spin_available()
    if not have_spin:
        print("spin (or gcc) is not installed: running tcpcheck only.  Install SPIN with\n"
              "  apt-get install -y spin gcc      (Debian/Ubuntu; SPIN 6.5.2)\n"
              "or build it from https://github.com/nimble-code/Spin.", file=sys.stderr)
    engines = args.engines or ENGINES
    runs = []
    for model, k, n, mode in plan:
        runs += run_size(model, k, n, mode, engines, args.engines is not None, have_spin,
                         args.timeout)
        print(f"  done {model} K={k} N={n} {mode}", file=sys.stderr)
    meta = {"spin": have_spin, "command": " ".join(["python bench/compare_spin.py",
                                                     *(argv_of(args))]),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                       f"{platform.python_version()}"}
    return runs, meta


def argv_of(args) -> list:
    flags = [f"--{name}" for name in ("quick", "large", "grid") if getattr(args, name)]
    if args.engines:
        flags.append("--engines " + ",".join(args.engines))
    if args.only:
        flags.append(f"--only {args.only}")
    return flags


def main(argv=None) -> int:
    args = arguments(argv)
    if args.from_json:
        try:
            runs, meta = from_json(args.from_json.read_text())
        except (OSError, ValueError) as err:
            print(f"compare_spin: cannot read {args.from_json}: {err}", file=sys.stderr)
            return 2
    else:
        runs, meta = measure(args)
    if args.json:
        print(to_json(runs, meta))
    elif args.markdown:
        print(render_markdown(runs), end="")
    else:
        print(render_text(runs), end="")
    return 1 if mismatches(runs) else 0


if __name__ == "__main__":
    sys.exit(main())
