"""Helpers of the native engine's tests: a skip when there is no C compiler, and the
comparison of a native result with a Python one."""

from __future__ import annotations

from pathlib import Path

from engine_note import needs_cc
from tcpcheck.explicit import check as python_check
from tcpcheck.native import runner
from tcpcheck.render import json as render_json

ROOT = Path(__file__).resolve().parents[2]
__all__ = ["ROOT", "both", "comparable", "needs_cc"]

# what legitimately differs between two runs: time, memory, and which backend ran
TIMING = ("seconds", "states_per_second", "peak_memory_mb", "bytes_per_state",
          "compile_seconds")


def comparable(result, model) -> dict:
    """The JSON of a result (verdicts, traces, counts, coverage) without the timing."""
    data = render_json.check_result(result, model)
    data.pop("backend")
    for key in TIMING:
        data["stats"].pop(key)
    return data


def both(model, options):
    """(native result, python result) of the same run."""
    native = runner.check(runner.compile_model(model), options)
    return native, python_check(model, options)
