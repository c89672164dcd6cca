"""The ablation through tcpcheck.engine.registry: the native engine and the Python reference
give every candidate the same outcome, status, state count and REASON run, so the same
sentences; ``--engine native`` where it cannot run is a usage error, and ``auto`` without a
compiler falls back to Python and says so once."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from engine_note import has_compiler, needs_cc
from tcpcheck.engine import registry
from tcpcheck.explain import Limits, explain_property, explained_properties
from tcpcheck.explicit import CheckOptions

from .explain_support import MODELS, ROOT, THREE_WAY, TWO_WAY, load

# the models and properties the explain tests use, each small enough to ablate in seconds
CASES = [
    (TWO_WAY, {}, None),
    (THREE_WAY, {"channel.capacity": 1}, "no_stale_accept"),
    (MODELS / "time_wait_every_msl.tcp", {}, "no_old_segment_confusion"),
    (MODELS / "teardown_no_time_wait.tcp", {"channel.capacity": 1}, "second_connection"),
]


def _explain(path, overrides, name, engine):
    model = load(path, **overrides)
    names = (name,) if name else None
    result = registry.check(model, CheckOptions(properties=names), engine)
    limits = Limits(engine=engine)
    # what `tcpcheck explain` explains (domains only when it failed)
    return result, [explain_property(model, p, "en", limits) for p in explained_properties(result)]


def _outcomes(explanation) -> list:
    """Everything an ablation decides; not its time, nor which engine ran it."""
    found = explanation.reasons.ablations if explanation.reasons else ()
    return [(a.candidate, a.outcome, a.status, a.states, a.detail, a.stop_reason,
             a.trace.steps if a.trace else None) for a in found]


@needs_cc
@pytest.mark.parametrize("path, overrides, name", CASES, ids=lambda c: getattr(c, "stem", None))
def test_native_and_python_ablations_agree(path, overrides, name):
    native, native_explained = _explain(path, overrides, name, "native")
    python, python_explained = _explain(path, overrides, name, "python")
    assert native.backend == "native" and python.backend == "python"
    assert [e.sentences for e in native_explained] == [e.sentences for e in python_explained]
    ablated = 0
    for n, p in zip(native_explained, python_explained):
        assert _outcomes(n) == _outcomes(p)
        if n.reasons:
            ablated += len(n.reasons.ablations)
            assert n.reasons.engines == ("native",) and p.reasons.engines == ("python",)
    assert ablated  # each case runs an ablation, or it compares nothing


def tcpcheck(*args, **env):
    done = subprocess.run([sys.executable, "-m", "tcpcheck", "explain", *map(str, args)],
                          cwd=ROOT, text=True, capture_output=True,
                          env={**os.environ, **env}, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_native_asked_for_without_a_compiler_is_a_usage_error():
    done = tcpcheck(TWO_WAY, "--engine", "native", CC="false")
    assert done.returncode == 2 and done.stdout == ""
    assert "the native engine cannot check this model" in done.stderr


def test_auto_without_a_compiler_falls_back_to_python_and_says_so_once():
    done = tcpcheck(TWO_WAY, "--json", CC="false")
    data = json.loads(done.stdout)
    assert done.returncode == 1 and data["backend"] == "python"
    ablated = [e for e in data["explanations"] if e["ablation_engines"]]
    assert ablated and all(e["ablation_engines"] == ["python"] for e in ablated)
    notes = [line for line in done.stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and notes[0].startswith("note: using the Python engine")


@needs_cc
def test_the_timing_line_names_the_engines():
    done = tcpcheck(TWO_WAY, "--engine", "native")
    assert "(35 states, native engine)" in done.stderr
    assert done.stderr.rstrip().endswith("native engine")


def test_auto_checks_small_variants_in_python_and_large_ones_natively(monkeypatch):
    """Compiling every variant would cost more than checking it: under auto a variant that
    fits SMALL_VARIANT states goes to Python; one that outgrows it moves the rest to auto's
    choice, with the same outcomes as Python alone."""
    from tcpcheck.explain import reasons
    _, small = _explain(TWO_WAY, {}, None, "auto")
    assert {e for x in small if x.reasons for e in x.reasons.engines} == {"python"}
    monkeypatch.setattr(reasons, "SMALL_VARIANT", 50)
    _, python = _explain(THREE_WAY, {"channel.capacity": 1}, "no_stale_accept", "python")
    _, mixed = _explain(THREE_WAY, {"channel.capacity": 1}, "no_stale_accept", "auto")
    assert [_outcomes(e) for e in mixed] == [_outcomes(e) for e in python]
    if has_compiler():
        assert "native" in mixed[0].reasons.engines
