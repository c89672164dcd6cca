"""bench/conform.py's capture, small: its shapes conform (or diverge at their data segment)
when interleaved with many others, and the search shared between connections gives each
the verdict it gets alone."""

from __future__ import annotations

import importlib.util
import random

from tcpcheck.analyses.capture import read
from tcpcheck.analyses.conform import CONFORMS, DIVERGES, conform
from tcpcheck.loader import load_file

from tests.conftest import ROOT
from tests.conform import pcaps

_spec = importlib.util.spec_from_file_location("bench_conform", ROOT / "bench" / "conform.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_the_benchmark_shapes_interleaved(tmp_path):
    rng = random.Random(7)
    conns = bench.connections(3000, rng)
    path = tmp_path / "b.pcap"
    pcaps.write(path, bench.interleave(conns, rng))
    model = load_file(str(ROOT / "models" / "rfc9293.tcp"), {})
    result = conform(model, read(str(path)))
    # the connections appear in the capture in another order: each has its own address
    expected = {bench.hosts(n)[0]: DIVERGES if shape == "data" else CONFORMS
                for n, (shape, _) in enumerate(conns)}
    assert {v.opener: v.verdict for v in result.verdicts} == expected
    assert set(expected.values()) == {CONFORMS, DIVERGES}
    assert {shape for shape, _ in conns} == set(bench.SHAPES)
    # each shape alone, with a fresh search, gets the same verdict
    for shape, frames in conns[:len(bench.SHAPES) * 3]:
        alone = tmp_path / "one.pcap"
        pcaps.write(alone, frames)
        assert conform(model, read(str(alone))).verdicts[0].verdict == \
            (DIVERGES if shape == "data" else CONFORMS)

