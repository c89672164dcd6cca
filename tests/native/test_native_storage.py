"""`tcpcheck check --storage exact|hashcompact|bitstate[=BITS]` (issue 13 section 3,
docs/storage.md): an approximate run finds the same violations as an exact one (its
traces replayed through the reference semantics), never says "holds" (exit 3, stop
reason "approximate"), says so in the text and in --json with its estimate of what was
missed, and refuses what it cannot honour (the Python engine, liveness)."""

from __future__ import annotations

import io
import json

import pytest

from native_support import ROOT, needs_cc
from tcpcheck.cli import main
from tcpcheck.storage import StorageError, bitstate, hashcompact, parse

pytestmark = needs_cc


def run(model: str, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(ROOT / model), *extra], out, err)
    assert "Traceback" not in err.getvalue(), err.getvalue()
    return code, out.getvalue(), err.getvalue()


def run_json(model: str, *extra: str) -> tuple[int, dict]:
    code, out, _ = run(model, "--json", *extra)
    return code, json.loads(out)


def verdicts(data: dict) -> dict:
    return {p["name"]: (p["status"], len(p["trace"]["steps"]) if p["trace"] else None)
            for p in data["properties"]}


@pytest.mark.parametrize("mode", ["hashcompact", "bitstate"])
@pytest.mark.parametrize("model, prop", [("models/two_way_handshake.tcp", None),
                                         ("models/teardown_no_time_wait.tcp",
                                          "no_old_segment_confusion")])
def test_an_approximate_run_finds_the_exact_runs_shortest_violation(model, prop, mode):
    select = ("--property", prop) if prop else ()
    code, exact = run_json(model, *select)
    code_a, approx = run_json(model, *select, "--storage", mode)
    assert code == code_a == 1
    found = {n: v for n, v in verdicts(exact).items() if v[0] == "violated"}
    assert found and all(verdicts(approx)[n] == v for n, v in found.items())
    assert approx["storage"]["mode"] == mode and approx["storage"]["approximate"]
    assert "storage" not in exact  # an exact run's JSON stays as it was


def test_hashcompact_stores_the_same_states_and_never_says_holds():
    # 509,509 states with 64-bit fingerprints: a collision is expected n^2 / 2^65 =
    # 7e-9 times, so the count must equal the exact one (a difference is a bug)
    model = "models/three_way_handshake.tcp"
    code, exact = run_json(model)
    code_a, approx = run_json(model, "--storage", "hashcompact")
    assert code == 0 and exact["stats"]["states"] == 509_509
    assert approx["stats"]["states"] == exact["stats"]["states"]
    assert approx["stats"]["transitions"] == exact["stats"]["transitions"]
    assert code_a == 3 and approx["stop_reason"] == "approximate" and not approx["complete"]
    statuses = {p["name"]: p["status"] for p in approx["properties"]}
    assert "not_verified" in statuses.values()
    assert set(statuses.values()) <= {"not_verified", "reached"}  # a goal reached is real
    assert all(statuses[p["name"]] == "not_verified" for p in exact["properties"]
               if p["status"] in ("holds", "unreachable"))
    s = approx["storage"]
    assert s["fingerprint_bits"] == 64 and 1e-9 < s["expected_states_missed"] < 1e-8
    assert approx["workers"] == exact["workers"]  # the parallel search, as exact's


def test_a_tiny_bit_array_misses_states_and_says_so():
    model = "models/three_way_handshake.tcp"
    code, out, _ = run(model, "--storage", "bitstate=10")
    assert code == 3
    assert "holds" not in out
    assert "no violation found (approximate: bitstate, 2^10 bits" in out
    assert "storage: approximate" in out
    code, data = run_json(model, "--storage", "bitstate=10")
    assert code == 3 and data["stats"]["states"] < 509_509  # missed, as it says
    s = data["storage"]
    assert s["bits"] == 10 and s["hashes"] == 3 and s["miss_probability"] > 0.1
    assert s["hash_factor"] < 10


def test_the_default_bitstate_finds_every_state_of_a_small_model():
    code, exact = run_json("models/two_way_handshake.tcp", "--exhaustive")
    code_a, approx = run_json("models/two_way_handshake.tcp", "--exhaustive",
                              "--storage", "bitstate")
    assert approx["stats"]["states"] == exact["stats"]["states"]
    assert approx["storage"]["bits"] == 27 and approx["storage"]["hash_factor"] > 1000


@pytest.mark.parametrize("extra, words", [
    (("--engine", "python"), "native engine only"),
    (("--counterexamples", "2"), "bitstate keeps one counterexample"),
])
def test_what_bitstate_cannot_honour_is_a_usage_error(extra, words):
    code, _, err = run("models/two_way_handshake.tcp", "--storage", "bitstate", *extra)
    assert code == 2 and words in err


def test_liveness_is_refused_by_an_approximate_run():
    code, _, err = run("models/handshake_liveness.tcp", "--storage", "hashcompact")
    assert code == 2 and "cannot check liveness (handshake_completes" in err
    code, _, _ = run("models/handshake_liveness.tcp", "--storage", "hashcompact",
                     "--property", "no_deadlock")
    assert code == 3  # its safety properties alone: checked, approximately


def test_hashcompact_keeps_several_counterexamples():
    select = ("--property", "no_old_segment_confusion", "--counterexamples", "3")
    model = "models/teardown_no_time_wait.tcp"
    _, exact = run_json(model, *select)
    _, approx = run_json(model, *select, "--storage", "hashcompact")
    lengths = [[len(t["steps"]) for t in d["properties"][0]["counterexamples"]]
               for d in (exact, approx)]
    assert lengths[0] == lengths[1] and len(lengths[0]) > 1


@pytest.mark.parametrize("text", ["bits", "hashcompact=3", "bitstate=2", "bitstate=x"])
def test_a_meaningless_storage_is_refused(text):
    with pytest.raises(StorageError):
        parse(text)
    code, _, err = run("models/two_way_handshake.tcp", "--storage", text)
    assert code == 2 and "--storage" in err


def test_the_estimates():
    assert parse("bitstate=12") == ("bitstate", 12) and parse("exact") == ("exact", 27)
    assert hashcompact(2 ** 32).expected_missed == pytest.approx(0.5)
    half = bitstate(100, 10, 512)
    assert half.miss_probability == pytest.approx(0.125) and half.hash_factor == 10.24


def test_an_exhaustive_approximate_run_with_violations_still_never_says_holds():
    code, out, _ = run("models/teardown_no_time_wait.tcp", "--storage", "hashcompact",
                       "--exhaustive")
    assert code == 1  # a violation found is real
    assert " holds" not in out and "unreachable" not in out
    assert "no violation found of the others (approximate: hashcompact" in out
    assert "1,926,421 states" in out  # the exact count: 1e-7 collisions expected


K2N2 = ("--set", "K=2", "--set", "N=2")  # 27,555 states: 2^14 bits drop some


def test_hash_seeds_miss_different_states_and_each_seed_repeats_itself():
    def stored(*seed):
        code, data = run_json("bench/spin/three_way.tcp", *K2N2, "--storage", "bitstate=14",
                              *seed)
        assert code == 3 and data["storage"]["hash_seed"] == (int(seed[1]) if seed else 0)
        return data["stats"]["states"]

    # seed 0 is the unseeded hash: these are the figures of a run without --hash-seed
    assert stored() == stored("--hash-seed", "0") == 8_503
    counts = [stored("--hash-seed", str(s)) for s in range(1, 5)]
    assert counts == [8_470, 8_433, 8_453, 8_561]
    assert stored("--hash-seed", "3") == 8_453  # the same seed: the same run


def test_a_seeded_run_finds_the_same_violation_and_says_its_seed():
    code, out, _ = run("models/two_way_handshake.tcp", "--storage", "bitstate",
                       "--hash-seed", "12345")
    assert code == 1 and "hash seed 12345" in out
    _, data = run_json("models/two_way_handshake.tcp", "--storage", "hashcompact",
                       "--hash-seed", "7")
    assert data["storage"]["hash_seed"] == 7
    _, out, _ = run("models/two_way_handshake.tcp", "--storage", "bitstate")
    assert "hash seed" not in out  # the default seed is not worth a word


@pytest.mark.parametrize("extra, words", [
    ((), "--storage exact keeps whole states"),
    (("--storage", "exact"), "--storage exact keeps whole states"),
    (("--storage", "bitstate", "--hash-seed", "-1"), "expected 0 to 2^64 - 1"),
    (("--storage", "bitstate", "--hash-seed", "x"), "expected a whole number"),
])
def test_a_hash_seed_without_approximate_storage_is_a_usage_error(extra, words):
    seed = () if "--hash-seed" in extra else ("--hash-seed", "3")
    code, _, err = run("models/two_way_handshake.tcp", *extra, *seed)
    assert code == 2 and words in err
