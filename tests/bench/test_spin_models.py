"""bench/spin/*.tcp explore exactly SPIN's state spaces; the two language additions they
need (channel option ``shared``, ``assume``) on small hand-counted models.

SPIN's counts are SPIN 6.5.2 -DNOREDUCE "states, stored" (bench/spin/RESULTS.md, and runs
of bench/compare_spin.py); the whole spaces of the violated models are pan -A's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

from tcpcheck.diagnostics import ModelError
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file, load_string
from tcpcheck.result import HOLDS, VIOLATED

ROOT = Path(__file__).resolve().parents[2]
SPIN = ROOT / "bench" / "spin"
EXHAUSTIVE = CheckOptions(stop_when_decided=False)


def spin_model(name: str, k: int, n: int):
    return load_file(SPIN / f"{name}.tcp", {"K": k, "N": n})


def verdicts(result) -> dict:
    return {p.name: p.status for p in result.properties}


# -- SPIN's counts and verdicts ----------------------------------------------------------------

@pytest.mark.parametrize("name,k,n,states", [
    ("three_way", 1, 1, 225), ("three_way", 1, 3, 4_841), ("three_way", 2, 2, 27_555),
    ("three_way", 3, 1, 5_043), ("three_way", 4, 1, 7_664),
    ("teardown", 1, 1, 525), ("teardown", 1, 2, 5_809), ("teardown", 2, 1, 2_091),
    ("teardown", 2, 2, 23_227), ("teardown", 3, 1, 3_655), ("teardown", 4, 1, 4_176),
])
def test_holding_models_have_spins_state_count(name, k, n, states):
    result = check(spin_model(name, k, n))
    assert result.complete
    assert result.stats.states == states
    assert set(verdicts(result).values()) == {HOLDS}


@pytest.mark.parametrize("name,k,n,steps", [
    ("two_way", 3, 3, 4),                 # SPIN -DREACH -i: trail 4 (RESULTS.md)
    ("two_way", 2, 2, 4),
    ("teardown_no_timewait", 2, 3, 12),   # SPIN: trail 12 (RESULTS.md)
    ("teardown_no_timewait", 2, 2, 13),   # SPIN at N=2: 13
])
def test_violated_models_have_spins_shortest_counterexample(name, k, n, steps):
    result = check(spin_model(name, k, n))
    violated = [p for p in result.properties if p.status == VIOLATED]
    assert violated
    assert min(len(p.trace.steps) - 1 for p in violated) == steps


@pytest.mark.parametrize("name,k,n,states", [
    ("two_way", 2, 2, 20_507), ("teardown_no_timewait", 2, 1, 2_411),
    ("teardown_no_timewait", 1, 2, 5_193),
])
def test_violated_models_whole_space_is_spins_with_assertions_off(name, k, n, states):
    result = check(spin_model(name, k, n), EXHAUSTIVE)
    assert result.complete and result.stats.states == states


def test_without_time_wait_a_single_incarnation_is_safe():
    # one incarnation: nothing older to confuse; same count as with TIME_WAIT (SPIN: 525)
    result = check(spin_model("teardown_no_timewait", 1, 1))
    assert result.stats.states == 525 and set(verdicts(result).values()) == {HOLDS}


# -- channel option 'shared' ------------------------------------------------------------------

def two_senders(channel: str) -> str:
    """a sends X (SYN) to b, b sends Y (ACK) to a, each once; nobody receives anything, so
    a delivery is a discard.  States: a's part is S0 / S1 with X in flight 0, 1, 2 times
    (duplication), b's likewise."""
    return dedent(f"""
        model shared_fixture
        channel {{ {channel} }}
        endpoint a {{
          states S0, S1
          initial S0
          terminal S0, S1
          transition go: S0 -> S1 on open {{ send SYN(seq=0) }}
        }}
        endpoint b {{
          states B0, B1
          initial B0
          terminal B0, B1
          transition go: B0 -> B1 on open {{ send ACK(seq=1) }}
        }}
        """)


@pytest.mark.parametrize("channel,states", [
    # per direction, capacity 1, no duplication: a's part (S0), (S1,X), (S1,-) times b's: 9
    ("capacity = 1  duplication = no", 9),
    # shared, capacity 1: X and Y never in flight together (the second send is lost): 8
    ("capacity = 1  duplication = no  shared = yes", 8),
    # per direction, capacity 2, duplication: a's part S0 / S1 with 0, 1 or 2 copies of X
    # (4 values), b's likewise: 16
    ("capacity = 2", 16),
    # shared, capacity 2: pairs whose copies add up to at most 2.  Copies per part
    # {0, 0, 1, 2}: 2*4 (a has none) + 1*3 (a has 1, b at most 1) + 1*2 (a has 2, b none) = 13;
    # duplication needs room in the whole bag (no XX with Y)
    ("capacity = 2  shared = yes", 13),
    ("capacity = 2  shared = no", 16),
])
def test_shared_channel_counts_both_directions(channel, states):
    result = check(load_string(two_senders(channel)), EXHAUSTIVE)
    assert result.complete and result.stats.states == states


def test_shared_channel_with_a_loss_budget_blocks_the_sender():
    # loss = 0: a send into a full bag cannot happen, so the second sender waits until the
    # first segment is delivered (a discard).  Capacity 1: (S0,B0), (S1 X,B0), (S0,B1 Y),
    # (S1,B0), (S0,B1), (S1,B1 Y), (S1 X,B1), (S1,B1) = 8 states; 4 sends + 4 discards
    result = check(load_string(two_senders("capacity = 1  duplication = no  loss = 0  "
                                           "shared = yes")), EXHAUSTIVE)
    assert result.stats.states == 8
    assert result.stats.transitions == 8


@pytest.mark.parametrize("channel,message", [
    ("shared = maybe", "'shared' is 'yes' or 'no'"),
    ("shared = 1", "'shared' is 'yes' or 'no'"),
    ("shared = yes  reordering = no", "needs 'reordering = yes'"),
])
def test_shared_misuse_is_an_error(channel, message):
    with pytest.raises(ModelError) as err:
        load_string(two_senders(channel))
    assert message in str(err.value)


def run_cli(*args, tmp_path: Path, text: str):
    path = tmp_path / "m.tcp"
    path.write_text(text)
    return subprocess.run([sys.executable, "-m", "tcpcheck", *args, str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_prove_refuses_a_shared_channel(tmp_path):
    text = two_senders("capacity = 1  shared = yes") + "property p: always true\n"
    done = run_cli("prove", tmp_path=tmp_path, text=text)
    assert done.returncode == 2, done.stderr
    assert "shared channel" in done.stderr and "Traceback" not in done.stderr


def test_check_json_says_shared(tmp_path):
    done = run_cli("check", "--json", tmp_path=tmp_path,
                   text=two_senders("capacity = 1  shared = yes"))
    assert done.returncode == 0, done.stderr
    assert '"shared": true' in done.stdout


# -- assume ------------------------------------------------------------------------------------

ASSUME = dedent("""
    model assume_fixture
    channel { duplication = no }
    endpoint a {
      states S0, S1
      initial S0
      terminal S0, S1
      transition go: S0 -> S1 on open { send SYN(seq=0) }
    }
    endpoint b {
      states B0, B1
      initial B0
      terminal B0, B1
      transition done: B0 -> B1 on close
      transition take: B0, B1 -> same on recv SYN
    }
    """)


def test_without_assumption_b_closes_any_time():
    # a: (S0), (S1, X in flight), (S1, none)  times  b: B0, B1  = 6
    assert check(load_string(ASSUME), EXHAUSTIVE).stats.states == 6


def test_assumption_limits_when_a_transition_fires():
    # b may close only once a has sent and nothing is in flight: (S0,B0), (S1 X,B0),
    # (S1,B0), (S1,B1) = 4 (evaluated after the firing, with every variable visible)
    text = ASSUME + dedent("""
        assume quiet: always at b.done: a.state == S1 and not (exists s in channel: true)
        """)
    result = check(load_string(text), EXHAUSTIVE)
    assert result.stats.states == 4


@pytest.mark.parametrize("assumption,message", [
    ("assume q: always b.state == B0", "'assume NAME: always at SELECTORS: EXPR'"),
    ("assume q: always at b.take: true", "receives a segment"),
    ("assume q: always at b.nothing: true", "nothing"),
    ("assume q: always at b.done: true\nproperty q: always true", "already the name"),
])
def test_assume_misuse_is_an_error(assumption, message):
    with pytest.raises(ModelError) as err:
        load_string(ASSUME + assumption + "\n")
    assert message in str(err.value) or any(message in d.message for d in err.value.diagnostics)


def test_prove_refuses_an_assumption(tmp_path):
    text = ASSUME + "assume q: always at b.done: a.state == S1\nproperty p: always true\n"
    done = run_cli("prove", tmp_path=tmp_path, text=text)
    assert done.returncode == 2, done.stderr
    assert "assume" in done.stderr and "Traceback" not in done.stderr


def test_parse_lists_assumptions(tmp_path):
    text = ASSUME + 'assume quiet: always at b.done: a.state == S1 "b waits for a"\n'
    done = run_cli("parse", tmp_path=tmp_path, text=text)
    assert done.returncode == 0, done.stderr
    assert "assumptions (1):\n  quiet: b waits for a" in done.stdout
