"""The native engine against the Python engine on 200 small generated models (tests/native/
generated_models.py): the whole --json output but the timing must be equal, exhaustive and
stopping once decided.  Seeded, so every run checks the same models."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, seed, settings

from generated_models import models
from native_support import ROOT, both, comparable, needs_cc
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file, load_string
from tcpcheck.native import support

pytestmark = needs_cc

# 4 x 50 models, each chunk a test of its own so that the test workers share them
EACH = settings(max_examples=50, derandomize=False, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module", autouse=True)
def quick_compiles():
    """-O0: the generated models are tiny, and compiling them is most of this test's time
    (0.2 s instead of 0.6-1 s each); what is compared is the semantics, not the speed."""
    previous = os.environ.get("TCPCHECK_CFLAGS")
    os.environ["TCPCHECK_CFLAGS"] = "-O0"
    yield
    if previous is None:
        os.environ.pop("TCPCHECK_CFLAGS")
    else:
        os.environ["TCPCHECK_CFLAGS"] = previous


def engines_agree(text):
    model = load_string(text)
    for exhaustive in (True, False):
        options = CheckOptions(max_states=20_000, stop_when_decided=not exhaustive)
        assert support.unsupported(model, options) is None, text
        native, python = both(model, options)
        assert comparable(native, model) == comparable(python, model), text


@seed(1)
@EACH
@given(text=models())
def test_native_equals_python_on_generated_models_1(text):
    engines_agree(text)


@seed(2)
@EACH
@given(text=models())
def test_native_equals_python_on_generated_models_2(text):
    engines_agree(text)


@seed(3)
@EACH
@given(text=models())
def test_native_equals_python_on_generated_models_3(text):
    engines_agree(text)


@seed(4)
@EACH
@given(text=models())
def test_native_equals_python_on_generated_models_4(text):
    engines_agree(text)


def test_the_spin_bench_models_run_natively():
    # a shared channel and assumptions are translated (tcpcheck.native.codegen); the
    # engines' agreement on them is tests/native/test_native_spin.py
    for name in ("three_way", "teardown"):
        model = load_file(ROOT / "bench" / "spin" / f"{name}.tcp")
        assert support.unsupported(model) is None, name
