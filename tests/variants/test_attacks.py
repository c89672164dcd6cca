"""Off-path attacks: ISN prediction (models/spoofing.tcp and its variants predictable_isn,
unpredictable_isn) and blind reset (models/offpath_reset.tcp and its variants blind_reset,
rfc5961).  Each model's verdicts, trace lengths and state counts are pinned; the off-path
restrictions on the attacker, which the language cannot enforce inside one endpoint, are
checked on the loaded model; and a deliberately on-path attacker shows that
spoof_needs_a_lucky_guess is not vacuous."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file
from tcpcheck.model import ir

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"

# path -> ({property: (status, trace length)}, states, transitions), from a default check
# (which stops once every property is decided).
PINNED = {
    "spoofing.tcp": ({
        "no_spoofed_connection": ("violated", 9),
        "forged_ack_never_misses": ("violated", 9),
        "both_established": ("reached", 9),
    }, 1905, 2694),
    "variants/predictable_isn.tcp": ({
        "no_spoofed_connection": ("violated", 9),
        "forged_ack_never_misses": ("holds", None),
        "both_established": ("reached", 9),
        "domains": ("holds", None),
    }, 259, 354),
    "variants/unpredictable_isn.tcp": ({
        "no_spoofed_connection": ("violated", 9),
        "forged_ack_never_misses": ("violated", 9),
        "both_established": ("reached", 9),
        "spoof_needs_a_lucky_guess": ("holds", None),
        "domains": ("holds", None),
    }, 1894, 2694),
    "offpath_reset.tcp": ({
        "spoofed_rst_needs_exact_guess": ("holds", None),
        "spoofed_syn_never_resets": ("holds", None),
        "exact_guess_resets": ("reached", 2),
        "peer_abort_resets": ("reached", 2),
        "domains": ("holds", None),
    }, 5863, 26485),
    "variants/blind_reset.tcp": ({
        "spoofed_rst_needs_exact_guess": ("violated", 2),
        "spoofed_syn_never_resets": ("violated", 2),
        "exact_guess_resets": ("reached", 2),
        "peer_abort_resets": ("reached", 2),
        "rst_needs_in_window_guess": ("holds", None),
        "domains": ("holds", None),
    }, 6284, 27639),
    "variants/rfc5961.tcp": ({
        "spoofed_rst_needs_exact_guess": ("holds", None),
        "spoofed_syn_never_resets": ("holds", None),
        "exact_guess_resets": ("reached", 2),
        "peer_abort_resets": ("reached", 2),
        "peer_reset_after_challenge": ("reached", 5),
        "domains": ("holds", None),
    }, 11730, 52111),
}

BASES = {
    "variants/predictable_isn.tcp": "spoofing.tcp",
    "variants/unpredictable_isn.tcp": "variants/predictable_isn.tcp",
    "variants/blind_reset.tcp": "offpath_reset.tcp",
    "variants/rfc5961.tcp": "offpath_reset.tcp",
}


def _verdicts(model, **options):
    result = check(model, CheckOptions(**options))
    return ({p.name: (p.status, len(p.trace) if p.trace else None) for p in result.properties},
            result.stats.states, result.stats.transitions)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_verdicts(name):
    assert _verdicts(load_file(MODELS / name)) == PINNED[name]


@pytest.mark.parametrize("name", sorted(PINNED))
def test_header(name):
    lines = (MODELS / name).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ")
    assert lines[1].startswith("model ")
    model = load_file(MODELS / name)
    if name in BASES:
        assert model.extends and model.extends[0] == str((MODELS / BASES[name]).resolve())
        assert "Demonstrates" in model.doc
    else:
        assert not model.extends and "Scope, and why" in model.doc


def _reads_writes(node, endpoint, reads, writes):
    """Every variable of ``endpoint`` read in ``node``, and every one assigned or chosen."""
    if isinstance(node, ir.VarRef) and node.endpoint == endpoint:
        reads.add(node.name)
    if isinstance(node, (ir.Assign, ir.Choose)):
        writes.add(node.var)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            _reads_writes(getattr(node, f.name), endpoint, reads, writes)
    elif isinstance(node, (tuple, list)):
        for x in node:
            _reads_writes(x, endpoint, reads, writes)


def _endpoint(model, name):
    index = [e.name for e in model.endpoints].index(name)
    return index, model.endpoints[index]


@pytest.mark.parametrize("name", ["offpath_reset.tcp", "variants/blind_reset.tcp",
                                  "variants/rfc5961.tcp"])
def test_reset_attacker_uses_only_its_own_variables(name):
    """The attacker shares the endpoint `client` with the real peer: its transitions read
    and write only the attacker's variables, fire from every control state, and receive
    nothing."""
    model = load_file(MODELS / name)
    index, client = _endpoint(model, "client")
    own = {"rst_shots", "syn_shots", "guess"}
    attacker = [t for t in client.transitions if t.name.startswith("inject_")]
    assert {t.name for t in attacker} == {"inject_rst", "inject_syn"}
    for t in attacker:
        reads, writes = set(), set()
        _reads_writes((t.guard, t.body), index, reads, writes)
        assert reads <= own and {client.variables[i].name for i in writes} <= own
        assert t.trigger.kind != "recv" and t.target is None
        assert t.sources == frozenset(range(len(client.states)))
    others = [t for t in client.transitions if t not in attacker]
    for t in others:
        reads, writes = set(), set()
        _reads_writes((t.guard, t.body), index, reads, writes)
        assert not (reads | {client.variables[i].name for i in writes}) & own


@pytest.mark.parametrize("name", ["spoofing.tcp", "variants/predictable_isn.tcp",
                                  "variants/unpredictable_isn.tcp"])
def test_isn_attacker_reads_only_its_own_probe(name):
    """The attacker receives only in PROBING, which it leaves for good before it sends the
    spoofed SYN: no segment of the spoofed connection reaches a transition of it."""
    model = load_file(MODELS / name)
    _, attacker = _endpoint(model, "attacker")
    state = {s: i for i, s in enumerate(attacker.states)}
    recv = [t for t in attacker.transitions if t.trigger.kind == "recv"]
    assert [(t.name, t.sources) for t in recv] == [("probe_reply",
                                                    frozenset({state["PROBING"]}))]
    into_probing = [t for t in attacker.transitions if t.target == state["PROBING"]]
    assert [t.sources for t in into_probing] == [frozenset({state["IDLE"]})]
    spoof = [t for t in attacker.transitions if t.name == "spoof_syn"]
    assert spoof[0].sources == frozenset({state["READY"]})


ON_PATH = """# An on-path attacker, for the test only.
model on_path extends "{base}"
endpoint attacker {{
  transition see_syn_ack: SPOOFING -> same on recv SYN ACK when seg.ack == X_ISS + 1
  {{ guess := seg.seq + 1 }}
}}
"""


def test_lucky_guess_property_tells_an_on_path_attacker(tmp_path):
    """spoof_needs_a_lucky_guess is not vacuous: an attacker that reads the spoofed SYN-ACK
    (on path) forges the right ACK after committing to another guess, and breaks it."""
    path = tmp_path / "on_path.tcp"
    path.write_text(ON_PATH.format(base=MODELS / "variants" / "unpredictable_isn.tcp"),
                    encoding="utf-8")
    got, _, _ = _verdicts(load_file(path), properties=("spoof_needs_a_lucky_guess",
                                                         "forged_ack_never_misses"))
    assert got["spoof_needs_a_lucky_guess"] == ("violated", 10)
