"""Benchmark ``tcpcheck conform``: a capture of about 100,000 TCP segments over many
connections (several shapes of open and close, random ISNs and ports, interleaved, some
with a data segment, which diverges), written with dpkt, then checked against
models/rfc9293.tcp.

    python bench/conform.py                    # 100,000 segments, the figures
    python bench/conform.py --segments 20000 --pcapng

Prints the time to read the capture, the time to check it (in this process, as the command
does), the command's own wall time (a fresh process: start-up, model load, reading,
checking, printing) and the verdict counts (the search shares what it learns between
connections of the same shape).

Figures (two cores shared with other work, so noisy; 100,006 segments, 16,131 connections,
seed 1): pcap read 4.08 s, check 1.26 s, the command 7.30 s wall; pcapng read 4.25 s, check
1.14 s, command 6.60 s; a later pcap run on a quieter machine: read 2.23 s, check 0.66 s,
command 4.12 s.  Every run: 15,350 conform, 781 diverge (exactly the connections with a
data segment), exit code 1.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tcpcheck.analyses.capture import read  # noqa: E402
from tcpcheck.analyses.conform import ConformOptions, conform  # noqa: E402
from tcpcheck.loader import load_file  # noqa: E402
from tests.conform import pcaps  # noqa: E402

OPEN = ((0, "S", 0, 0), (1, "SA", 0, 1), (0, "A", 1, 1))
SHAPES = {  # every one conforms to models/rfc9293.tcp, except "data"
    "open and close": pcaps.OPEN_CLOSE,
    "server closes first": OPEN + ((1, "FA", 1, 1), (0, "A", 1, 2), (0, "FA", 1, 2),
                                   (1, "A", 2, 2)),
    "simultaneous close": OPEN + ((0, "FA", 1, 1), (1, "FA", 1, 1), (0, "A", 2, 2),
                                  (1, "A", 2, 2)),
    "SYN retransmitted": ((0, "S", 0, 0),) + pcaps.OPEN_CLOSE,
    "refused": ((0, "S", 0, 0), (1, "RA", 0, 1)),
    "data": OPEN + ((0, "PA", 1, 1, 100),),
}
WEIGHTS = {"open and close": 40, "server closes first": 20, "simultaneous close": 10,
           "SYN retransmitted": 10, "refused": 15, "data": 5}


def connections(segments: int, rng: random.Random) -> list:
    """(shape, frames) pairs with about ``segments`` segments in all."""
    names = list(WEIGHTS)
    found, total = [], 0
    while total < segments:
        shape = rng.choices(names, weights=[WEIGHTS[n] for n in names])[0]
        isns = (rng.randrange(2**32), rng.randrange(2**32))
        found.append((shape, pcaps.connection(SHAPES[shape], hosts=hosts(len(found)),
                                              isns=isns)))
        total += len(SHAPES[shape])
    return found


def hosts(n: int) -> tuple:
    """The addresses of connection ``n``: a different opener for each."""
    return ((f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}", 1024 + n % 60000),
            ("192.0.2.1", 80))


def interleave(conns: list, rng: random.Random, window: int = 50) -> list:
    """The frames of ``conns`` with up to ``window`` connections in progress at once, each
    connection's own frames in order."""
    frames, active, queue = [], [], [list(f) for _, f in conns]
    queue.reverse()
    while queue or active:
        while queue and len(active) < window:
            active.append(queue.pop())
        pick = rng.randrange(len(active))
        frames.append(active[pick].pop(0))
        if not active[pick]:
            active.pop(pick)
    return frames


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pcapng", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    conns = connections(args.segments, rng)
    frames = interleave(conns, rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("bench.pcapng" if args.pcapng else "bench.pcap")
        pcaps.write(path, frames, pcapng=args.pcapng)
        model = load_file(str(ROOT / "models" / "rfc9293.tcp"), {})
        started = time.perf_counter()
        capture = read(str(path))
        reading = time.perf_counter() - started
        result = conform(model, capture, ConformOptions())
        checking = time.perf_counter() - started - reading
        started = time.perf_counter()
        cli = subprocess.run([sys.executable, "-m", "tcpcheck", "conform",
                              "models/rfc9293.tcp", str(path)], cwd=ROOT, capture_output=True)
        wall = time.perf_counter() - started
    counts = {k: result.count(k) for k in ("conforms", "diverges", "unchecked", "stopped")}
    expected_divergent = sum(shape == "data" for shape, _ in conns)
    print(f"capture: {len(frames):,} segments, {len(conns):,} connections "
          f"({'pcapng' if args.pcapng else 'pcap'}, seed {args.seed})")
    print(f"read:    {reading:.2f} s")
    print(f"check:   {checking:.2f} s  ({len(frames) / checking:,.0f} segments/s)")
    print(f"command: {wall:.2f} s wall, exit code {cli.returncode}")
    print(f"verdicts: {counts} (connections with data: {expected_divergent:,})")
    ok = counts["diverges"] == expected_divergent and counts["conforms"] == len(conns) - \
        expected_divergent and cli.returncode == (1 if expected_divergent else 0)
    print("as expected" if ok else "NOT AS EXPECTED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
