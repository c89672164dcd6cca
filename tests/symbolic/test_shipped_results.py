"""The headline results of the symbolic engines on the shipped models, pinned (the table
of README.md's "Symbolic verification" section)."""

from __future__ import annotations

import io
from pathlib import Path

from tcpcheck.cli import main
from tcpcheck.loader import load_file
from tcpcheck.model import ir
from tcpcheck.symbolic import PROVED, ProveOptions, prove
from tcpcheck.symbolic.synth import _constrain, _lit, _ref

MODELS = Path(__file__).resolve().parents[2] / "models"


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue()


def test_the_default_command_proves_the_three_way_handshake():
    # `tcpcheck prove models/three_way_handshake.tcp`: the portfolio decides every property
    # well within its time limit (about 5 s with two cores)
    code, out = cli("prove", str(MODELS / "three_way_handshake.tcp"))
    assert code == 0 and "stopped early" not in out
    assert "no_stale_accept      PROVED  by kind" in out
    assert "proved by 1-induction with lemmas" in out
    assert "handshake_completes  reached  (witness: 4 steps)  by bmc" in out
    assert "old_syn_recovery     reached  (witness: 3 steps)  by bmc" in out
    assert "domains              PROVED  by " in out


def test_the_default_command_shows_the_stale_syn_run():
    code, out = cli("prove", str(MODELS / "two_way_handshake.tcp"), "--format", "steps")
    assert code == 1
    assert "no_stale_accept      VIOLATED  (counterexample: 3 steps)  by bmc" in out
    assert "client crashes and restarts [crash]" in out and "[syn_in]" in out


def test_the_default_command_finds_the_skipped_quiet_time():
    code, out = cli("prove", str(MODELS / "isn_clock.tcp"), "--set", "KEEP_QUIET=0", "-p",
                    "no_old_duplicate_in_window")
    assert code == 1
    assert "no_old_duplicate_in_window  VIOLATED  (counterexample: 5 steps)  by bmc" in out


def test_three_way_handshake_proved_for_every_isn():
    model = load_file(MODELS / "three_way_handshake.tcp")
    result = prove(model, ProveOptions(engine="kind", depth=2, properties=("no_stale_accept",)))
    p = result.get("no_stale_accept")
    assert result.seqspace == 1 << 32
    assert p.status == PROVED and "1-induction" in p.detail
    assert result.exit_code == 0


def test_the_lemmas_are_needed():
    model = load_file(MODELS / "three_way_handshake.tcp")
    bare = load_file(MODELS / "three_way_handshake.tcp")
    bare = type(bare)(**{**bare.__dict__, "lemmas": ()})
    result = prove(bare, ProveOptions(engine="kind", depth=2, properties=("no_stale_accept",)))
    assert result.get("no_stale_accept").status == "bounded"
    assert model.lemmas  # the shipped file carries them


def test_time_wait_of_2_msl_proved_for_every_msl():
    model = load_file(MODELS / "time_wait_every_msl.tcp")
    result = prove(model, ProveOptions(engine="pdr", properties=("no_old_segment_confusion",),
                                       timeout=900))
    p = result.get("no_old_segment_confusion")
    assert result.symbolic_params == ("MSL", "RTO", "TW")
    assert p.status == PROVED and p.invariant


def test_time_wait_just_below_2_msl_is_refuted():
    model = load_file(MODELS / "time_wait_every_msl.tcp")
    two_msl_minus_one = ir.Binary("-", ir.Binary("*", _lit(2), _ref(model, "MSL"), ir.INT),
                                  _lit(1), ir.INT)
    below = _constrain(model, "TW", "==", two_msl_minus_one, replace=True)
    result = prove(below, ProveOptions(engine="bmc", depth=12,
                                       properties=("no_old_segment_confusion",)))
    p = result.get("no_old_segment_confusion")
    assert p.status == "violated"
    steps = p.trace.steps
    assert steps[-1].transition == "new_in" and steps[-1].received.ghosts == (("conn", 0),)
    assert any(s.kind == "lose" or s.expired or s.overflowed for s in steps)  # a loss
