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


def test_the_spin_bench_options_stay_on_the_python_engine_until_supported():
    # a shared channel and assumptions change the state space: the native engine must not
    # run a model that has them and explore something else
    three_way = load_file(ROOT / "bench" / "spin" / "three_way.tcp")
    teardown = load_file(ROOT / "bench" / "spin" / "teardown.tcp")
    assert "shared" in support.unsupported(three_way)
    assert support.unsupported(teardown) is not None
