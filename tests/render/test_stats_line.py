"""The statistics line: bytes per state and the native compile time, when there are any."""

from __future__ import annotations

from tcpcheck.render.text import PER_STATE_MIN, stats_and_backend
from tcpcheck.result import CheckResult, Stats


def result(stored_mb=None, compile_seconds=None, backend="python", states=1000):
    stats = Stats(states, 2000, 7, 0.5, 40.0, (), stored_mb, compile_seconds)
    return CheckResult("m", "explicit", (), stats, True, backend=backend)


def test_bytes_per_state_are_the_stored_memory_over_the_states():
    line = stats_and_backend(result(stored_mb=1.0, states=2 ** 14))
    assert line.endswith("peak memory 40 MB (64 bytes per state), python engine")


def test_no_figure_when_nothing_was_measured_the_run_reused_memory_or_is_small():
    for stored, states in ((None, 10 ** 5), (0.0, 10 ** 5), (1.0, PER_STATE_MIN - 1)):
        assert stats_and_backend(result(stored_mb=stored, states=states)).endswith(
            "peak memory 40 MB, python engine")


def test_the_native_engine_says_what_compiling_cost():
    assert stats_and_backend(result(compile_seconds=0.0, backend="native")).endswith(
        "native engine (from the cache)")
    assert stats_and_backend(result(compile_seconds=1.234, backend="native")).endswith(
        "native engine (compiled in 1.23 s)")
