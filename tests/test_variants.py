"""Every shipped variant (models/variants/*.tcp, spec/MANUAL.md 3.1): its verdicts pinned,
its header honest, and each the exact equivalent of the model it says it stands for.

The variants are pinned here, not in models/manifest.json: a full check of a teardown
variant takes minutes, so each is checked only for the properties its header is about,
stopping once they are decided."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcpcheck.engine.registry import check  # --engine auto: native where it can
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file

from model_shape import model_shape

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ROOT / "models" / "variants"

# path -> (properties checked (None: all), {property: (status, trace length)}, states)
PINNED = {
    "two_way_handshake.tcp": (None, {
        "no_stale_accept": ("violated", 3),
        "handshake_completes": ("reached", 3),
    }, 35),
    "time_wait_too_short.tcp": (None, {
        "no_old_segment_confusion": ("violated", 9),
        "reopened": ("reached", 8),
        "old_fin_arrives": ("reached", 8),
    }, 47),
    "teardown_tw_short.tcp": (("no_old_segment_confusion", "clean_close"), {
        "no_old_segment_confusion": ("violated", 18),
        "clean_close": ("violated", 23),
    }, 93526),
    "predictable_isn.tcp": (None, {
        "no_spoofed_connection": ("violated", 9),
        "forged_ack_never_misses": ("holds", None),
        "both_established": ("reached", 9),
    }, 259),
    "unpredictable_isn.tcp": (None, {
        "no_spoofed_connection": ("violated", 9),
        "forged_ack_never_misses": ("violated", 9),
        "both_established": ("reached", 9),
        "spoof_needs_a_lucky_guess": ("holds", None),
    }, 1894),
    "blind_reset.tcp": (None, {
        "spoofed_rst_needs_exact_guess": ("violated", 2),
        "spoofed_syn_never_resets": ("violated", 2),
        "exact_guess_resets": ("reached", 2),
        "peer_abort_resets": ("reached", 2),
        "rst_needs_in_window_guess": ("holds", None),
    }, 6284),
    "rfc5961.tcp": (None, {
        "spoofed_rst_needs_exact_guess": ("holds", None),
        "spoofed_syn_never_resets": ("holds", None),
        "exact_guess_resets": ("reached", 2),
        "peer_abort_resets": ("reached", 2),
        "peer_reset_after_challenge": ("reached", 5),
    }, 11730),
    "syn_flood.tcp": (None, {
        "client_connects": ("violated", 18),
        "server_accepts_client": ("holds", None),
        "legit_syn_never_dropped": ("violated", 8),
        "connected": ("reached", 4),
    }, 1960),
    "syn_cookies.tcp": (None, {
        "client_connects": ("holds", None),
        "server_accepts_client": ("holds", None),
        "connected": ("reached", 4),
    }, 56),
}
# variants whose runs are pinned step by step in a test file of their own (with bounds
# chosen there, since their bases take minutes to check in full)
PINNED_ELSEWHERE = {
    "no_time_wait.tcp": "tests/variants/test_time_wait.py",
    "time_wait_assassination.tcp": "tests/variants/test_time_wait.py",
    "rfc1337_fix.tcp": "tests/variants/test_time_wait.py",
}
ALL_VARIANTS = sorted(p.name for p in VARIANTS.glob("*.tcp"))


def test_every_variant_is_pinned():
    assert set(ALL_VARIANTS) == set(PINNED) | set(PINNED_ELSEWHERE)
    assert not set(PINNED) & set(PINNED_ELSEWHERE)
    for test_file in PINNED_ELSEWHERE.values():
        assert (ROOT / test_file).is_file()


@pytest.mark.parametrize("name", sorted(PINNED))
def test_variant_verdicts(name):
    properties, expected, states = PINNED[name]
    model = load_file(VARIANTS / name)
    assert model.extends, "a file in models/variants extends a model"
    result = check(model, CheckOptions(properties=properties))
    got = {p.name: (p.status, len(p.trace) if p.trace else None) for p in result.properties
           if p.name != "domains"}
    assert got == expected
    assert result.stats.states == states


@pytest.mark.parametrize("name", ALL_VARIANTS)
def test_variant_header_says_what_it_demonstrates(name):
    text = (VARIANTS / name).read_text(encoding="utf-8")
    assert text.startswith("# "), "a header comment first"
    assert text.splitlines()[1].startswith("model ") and " extends " in text.splitlines()[1]
    doc = load_file(VARIANTS / name).doc
    assert doc and "Demonstrates" in doc




def test_two_way_variant_is_the_hand_written_two_way_model():
    variant = load_file(VARIANTS / "two_way_handshake.tcp")
    flat = load_file(ROOT / "models" / "two_way_handshake.tcp")
    assert model_shape(variant) == model_shape(flat)
    a, b = check(variant, CheckOptions()), check(flat, CheckOptions())
    assert (a.stats.states, a.stats.transitions, a.stats.diameter) == \
        (b.stats.states, b.stats.transitions, b.stats.diameter)
    assert [(p.name, p.status, p.trace and len(p.trace)) for p in a.properties] == \
        [(p.name, p.status, p.trace and len(p.trace)) for p in b.properties]


def test_short_time_wait_variant_is_the_base_with_tw_set_to_3():
    variant = load_file(VARIANTS / "teardown_tw_short.tcp")
    assert model_shape(variant) == model_shape(load_file(ROOT / "models" / "teardown_time_wait.tcp",
                                               {"TW": 3}))
    assert variant.extends == (str(ROOT / "models" / "teardown_time_wait.tcp"),)
