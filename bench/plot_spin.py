#!/usr/bin/env python3
"""Plot bench/compare_spin.py's runs: time to verdict and peak memory against K and N,
SPIN against tcpcheck's native engine, for the two families whose property holds.

    python bench/compare_spin.py --grid --json > grid.json
    python bench/plot_spin.py grid.json [more.json ...] [-o docs/spin_comparison.svg]

One column per model, x = N (segments in flight), one colour per K (incarnations).  Time:
SPIN's spin -a + gcc + pan (solid), tcpcheck's cold run with C generation and cc (dashed)
and its cached run (dotted).  Memory: pan's and the cached tcpcheck run's peak resident set.
A run that fell back to the Python engine, or failed, is left out.  matplotlib is needed
here only (pip install 'tcpcheck[bench]'); tcpcheck itself never imports it.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling modules

from spin_table import from_json  # noqa: E402

FAMILIES = ("three_way", "teardown")
# (label, tool, the Run attribute, matplotlib line style)
TIME_LINES = (("SPIN: spin -a + gcc + pan", "spin", "seconds", "-"),
              ("tcpcheck native, cold (generate + cc + run)", "native", "seconds", "--"),
              ("tcpcheck native, cached", "native", "cached_seconds", ":"))
MEMORY_LINES = (("SPIN: pan", "spin", "peak_mb", "-"),
                ("tcpcheck native", "native", "peak_mb", "--"))
MARKERS = {"spin": "o", "native": "s"}


def series(runs: list, model: str, tool: str, attr: str) -> dict:
    """{K: [(N, value), ...] sorted by N} of the usable whole-space runs of ``tool``."""
    out: dict = {}
    for r in runs:
        if (r.model, r.mode, r.tool) != (model, "verify", tool) or r.error:
            continue
        if r.backend != ("spin" if tool == "spin" else "native"):
            continue  # a Python fallback is not the native engine's figure
        value = getattr(r, attr)
        if value is not None:
            out.setdefault(r.K, {})[r.N] = value  # a later file's run of a size wins
    return {k: sorted(points.items()) for k, points in sorted(out.items())}


def load(paths: list) -> tuple:
    runs, notes = [], []
    for path in paths:
        found, meta = from_json(Path(path).read_text())
        runs += found
        notes.append(f"{meta.get('date', '?')}, {meta.get('machine', '?')}")
    return runs, notes


def draw(runs: list, title: str, target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter

    plt.rcParams["svg.hashsalt"] = "tcpcheck"  # the same input draws the same file
    fig, axes = plt.subplots(2, len(FAMILIES), figsize=(11, 8.5), squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colour = lambda k: colours[(k - 1) % len(colours)]
    plain = FuncFormatter(lambda y, _: f"{y:g}")
    # on a log axis, label the minor ticks at 2 and 5 times a power of ten only
    minor = FuncFormatter(lambda y, _: f"{y:g}" if f"{y:.0e}"[0] in "25" else "")
    ks = set()
    for col, model in enumerate(FAMILIES):
        for row, (lines, unit) in enumerate(((TIME_LINES, "time to verdict (s)"),
                                             (MEMORY_LINES, "peak memory (MB)"))):
            ax = axes[row][col]
            for _, tool, attr, style in lines:
                for k, points in series(runs, model, tool, attr).items():
                    xs, ys = zip(*points)
                    ax.plot(xs, ys, style, marker=MARKERS[tool], markersize=4,
                            color=colour(k))
                    ks.add(k)
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(plain)
            ax.yaxis.set_minor_formatter(minor)
            ax.set_xlabel("N (segments in flight)")
            ax.set_ylabel(unit)
            ax.set_title(f"{model}: {unit.split(' (')[0]}")
            ax.grid(True, which="both", alpha=0.3)
            ax.xaxis.get_major_locator().set_params(integer=True)
    # one legend for all panels: line style = tool and figure, colour = K
    handles = [Line2D([], [], color="black", linestyle=style, marker=MARKERS[tool],
                      markersize=4, label=label)
               for label, tool, _, style in (*TIME_LINES, *MEMORY_LINES[1:])]
    handles[-1].set_label("tcpcheck native (memory: its cached run)")
    handles += [Line2D([], [], color=colour(k), linewidth=4, label=f"K = {k} incarnations")
                for k in sorted(ks)]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, metadata={"Date": None} if target.suffix == ".svg" else None)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("json", nargs="+", help="compare_spin.py --json output(s)")
    ap.add_argument("-o", "--output", type=Path, default=Path("docs/spin_comparison.svg"),
                    help="the image (.svg or .png; default docs/spin_comparison.svg)")
    args = ap.parse_args(argv)
    try:
        runs, notes = load(args.json)
    except (OSError, ValueError) as err:
        print(f"plot_spin: {err}", file=sys.stderr)
        return 2
    if importlib.util.find_spec("matplotlib") is None:
        print("plot_spin: matplotlib is not installed (pip install 'tcpcheck[bench]')",
              file=sys.stderr)
        return 2
    draw(runs, "SPIN 6.5.2 and tcpcheck (native engine) on bench/spin's models; "
         + "; ".join(notes), args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
