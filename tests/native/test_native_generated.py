"""The native engine against the Python engine on small generated models (tests/native/
generated_models.py): the whole --json output but the timing must be equal, exhaustive and
stopping once decided.  Derandomized, so every run checks the same models."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from generated_models import models
from native_support import ROOT, both, comparable, needs_cc
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file, load_string
from tcpcheck.native import support

pytestmark = needs_cc


@settings(max_examples=60, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(text=models())
def test_native_equals_python_on_generated_models(text):
    model = load_string(text)
    for exhaustive in (True, False):
        options = CheckOptions(max_states=20_000, stop_when_decided=not exhaustive)
        assert support.unsupported(model, options) is None, text
        native, python = both(model, options)
        assert comparable(native, model) == comparable(python, model), text


def test_the_spin_bench_models_run_natively():
    # a shared channel and assumptions are translated (tcpcheck.native.codegen); the
    # engines' agreement on them is tests/native/test_native_spin.py
    for name in ("three_way", "teardown"):
        model = load_file(ROOT / "bench" / "spin" / f"{name}.tcp")
        assert support.unsupported(model) is None, name
