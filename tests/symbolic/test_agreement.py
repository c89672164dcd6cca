"""The explicit engine and BMC agree: the same semantics, two encodings.

For every shipped model, BMC at the model's own sequence space with one tick per step (the
explicit engine's steps) finds a counterexample or witness at depth K exactly when the
explicit engine's shortest one has length <= K, and that run has the explicit length.  The
explicit verdicts and lengths are the ones `models/manifest.json` pins (tests/test_models.py
re-checks them with the explicit engine).  Every run BMC reports is also replayed step by
step through the explicit semantics, so it is a real run of the model.

Depths are chosen to fit the suite's time budget; deadlock freedom, whose encoding asks for
every action's enabledness, is compared at a smaller depth.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from symbolic.symbolic_support import COUNTER, load
from tcpcheck.loader import load_file
from tcpcheck.symbolic import BOUNDED, ProveOptions, SymbolicUnsupported, UNIT, prove

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "explicit"))
from explicit_support import MIXED, replay  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((ROOT / "models" / "manifest.json").read_text())

DEPTHS = {  # model -> (depth for safety and goals, depth for deadlock freedom)
    "two_way_handshake": (4, 4),
    "three_way_handshake": (6, 4),
    "teardown_time_wait": (8, 4),
    "teardown_short_time_wait": (8, 4),
    "teardown_no_time_wait": (8, 4),
    "time_wait_every_msl": (12, 6),
    "isn_clock": (8, 4),
    "handshake_liveness": (6, 4),  # their liveness properties are the explicit engine's only
    "handshake_no_fairness": (6, 4),
    "close_liveness": (6, 4),
    "syn_backlog": (5, 4),
    "spoofing": (6, 4),
    "offpath_reset": (4, 3),
    "rfc9293": (5, 2),  # the complete machine: figure 6 (5 steps) found, the others bounded
    "linux": (5, 2),  # rfc9293 with Linux's differences: the same depths
    "data_transfer": (0, 0),  # refused: see REFUSED
}
# models whose channel the symbolic engine does not encode: prove refuses them, clearly
REFUSED = {"models/data_transfer.tcp": "cannot encode a shared channel"}
LIVENESS = ("eventually", "always_eventually", "leads_to")


def _expected(status: str, length, depth: int) -> tuple:
    """What BMC must say at ``depth`` given the explicit verdict and shortest length."""
    if status in ("violated", "reached") and length <= depth:
        return status, length
    return BOUNDED, None


def _check_agreement(model, pinned: dict, names: tuple, depth: int) -> None:
    result = prove(model, ProveOptions(engine="bmc", depth=depth, properties=names,
                                       seqspace=model.bounds.seqspace, time=UNIT,
                                       symbolic_params=False))
    for name in names:
        got = result.get(name)
        want = _expected(pinned[name]["status"], pinned[name]["trace_length"], depth)
        length = len(got.trace) if got.trace is not None else None
        assert (got.status, length) == want, f"{model.name}.{name} at depth {depth}"
        if got.trace is not None:
            replay(model, got.trace)


@pytest.mark.parametrize("path", sorted(REFUSED))
def test_a_model_prove_cannot_encode_is_refused_with_a_reason(path):
    with pytest.raises(SymbolicUnsupported) as err:
        prove(load_file(ROOT / path), ProveOptions(engine="bmc", depth=1))
    assert REFUSED[path] in str(err.value)


@pytest.mark.parametrize("path", sorted(set(MANIFEST) - set(REFUSED)))
def test_bmc_agrees_with_the_explicit_engine(path):
    model = load_file(ROOT / path)
    pinned = MANIFEST[path]["properties"]
    depth, deadlock_depth = DEPTHS[model.name]
    kinds = {p.name: p.kind for p in model.properties}
    names = tuple(n for n in pinned if n in kinds and kinds[n] != "deadlock"
                  and kinds[n] not in LIVENESS)
    _check_agreement(model, pinned, names, depth)
    deadlocks = tuple(n for n in pinned if kinds.get(n) == "deadlock")
    if deadlocks:
        _check_agreement(model, pinned, deadlocks, deadlock_depth)


def test_every_shipped_model_is_compared():
    shipped = {str(p.relative_to(ROOT)) for p in (ROOT / "models").glob("*.tcp")}
    assert shipped <= set(MANIFEST)
    assert {MANIFEST[p]["model"] for p in shipped} <= set(DEPTHS)




def _explicit(model):
    from tcpcheck.explicit import CheckOptions, check
    return check(model, CheckOptions(stop_when_decided=False))


MIXED_FIFO = MIXED.replace("msl = 2 }", "msl = 2  reordering = no }")


@pytest.mark.parametrize("text", [COUNTER, MIXED, MIXED_FIFO], ids=["counter", "mixed", "fifo"])
def test_tiny_models_agree_at_every_depth(text):
    model = load(text)
    explicit = {p.name: p for p in _explicit(model).properties}
    for depth in range(0, 8):
        result = prove(model, ProveOptions(engine="bmc", depth=depth, seqspace=model.bounds.seqspace,
                                           time=UNIT, symbolic_params=False))
        for got in result.properties:
            if got.name == "domains":
                continue
            ref = explicit[got.name]
            length = len(ref.trace) if ref.trace is not None else None
            want = _expected(ref.status, length, depth)
            have = (got.status, len(got.trace) if got.trace is not None else None)
            assert have == want, f"{got.name} at depth {depth}"
            if got.trace is not None:
                replay(model, got.trace)
