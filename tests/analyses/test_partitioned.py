"""The partitioned search (check --ray, tcpcheck/analyses/partitioned.py) against the
reference engine: on every shipped model, with 2 and 3 partitions, the same states,
transitions, diameter and verdicts, and counterexamples and witnesses of the same length
that replay (exhaustively on the small models; to a depth bound on the large ones).  The
comparison runs the partitions in this process (tests/analyses/fake_ray.py); the last
tests run them on a local Ray and through the command line."""

from __future__ import annotations

import io
import json

import pytest

from tcpcheck import cli
from tcpcheck.analyses import partitioned
from tcpcheck.engine import registry
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file
from tcpcheck.result import NOT_VERIFIED, VIOLATED

from tests.analyses.fake_ray import FakeRay
from tests.conftest import ROOT

MANIFEST = json.loads((ROOT / "models" / "manifest.json").read_text())
SMALL = 30_000  # states: explored to the end; larger models to DEPTH
DEPTH = 8
TWO = str(ROOT / "models" / "two_way_handshake.tcp")


def run_cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _models() -> list:
    return [pytest.param(path, None if entry["states"] <= SMALL else DEPTH, id=path)
            for path, entry in sorted(MANIFEST.items())]


def _summary(result) -> tuple:
    props = tuple((p.name, p.status, None if p.trace is None else len(p.trace.steps))
                  for p in result.properties if p.kind not in ("eventually", "leads_to",
                                                               "always_eventually"))
    s = result.stats
    return s.states, s.transitions, s.diameter, result.complete, props


@pytest.mark.parametrize("path,depth", _models())
def test_partitions_explore_what_one_process_explores(path, depth):
    model = load_file(str(ROOT / path), {})
    options = CheckOptions(max_depth=depth, stop_when_decided=False)
    expected = registry.check(model, options, "python")
    for parts in (2, 3):
        got = partitioned.check(model, options, FakeRay(), parts)
        assert _summary(got) == _summary(expected), parts
        assert got.backend == "partitioned" and got.workers == parts
        for p in got.properties:
            if p.kind in ("eventually", "leads_to", "always_eventually"):
                assert p.status == NOT_VERIFIED and "not judged" in p.detail


@pytest.mark.parametrize("path", ["models/two_way_handshake.tcp", "models/spoofing.tcp",
                                  "models/handshake_no_fairness.tcp"])
def test_a_run_stopped_when_decided_has_the_same_verdicts_and_lengths(path):
    model = load_file(str(ROOT / path), {})
    expected = registry.check(model, CheckOptions(), "python")
    got = partitioned.check(model, CheckOptions(), FakeRay(), 3)
    assert _summary(got)[4] == _summary(expected)[4]
    assert all(p.trace.steps[0].kind == "init" for p in got.properties if p.trace is not None)


def test_liveness_is_never_claimed_and_the_run_exits_3():
    model = load_file(str(ROOT / "models" / "handshake_liveness.tcp"), {})
    got = partitioned.check(model, CheckOptions(), FakeRay(), 2)
    live = [p for p in got.properties if p.kind in ("eventually", "leads_to")]
    assert live and all(p.status == NOT_VERIFIED for p in live)
    assert got.exit_code == 3


def test_a_depth_bound_is_not_verified():
    model = load_file(str(ROOT / "models" / "three_way_handshake.tcp"), {})
    got = partitioned.check(model, CheckOptions(max_depth=3), FakeRay(), 2)
    assert not got.complete and got.stop_reason == "max-depth"
    assert all(p.status != "holds" for p in got.properties)


def test_a_time_limit_stops_the_partitions_not_verified():
    model = load_file(str(ROOT / "models" / "isn_clock.tcp"), {})
    got = partitioned.check(model, CheckOptions(timeout=0.3), FakeRay(), 2)
    assert not got.complete and got.stop_reason == "timeout" and got.exit_code == 3
    assert got.stats.states < MANIFEST["models/isn_clock.tcp"]["states"]


def test_a_lost_partition_stops_the_run_not_verified():
    class Lost(Exception):
        pass

    class LosingRay(FakeRay):
        exceptions = type("exceptions", (), {"RayError": Lost})

        def get(self, refs):
            raise Lost("actor died")

    model = load_file(str(ROOT / "models" / "two_way_handshake.tcp"), {})
    got = partitioned.check(model, CheckOptions(), LosingRay(), 2)
    assert got.stop_reason == "partition-lost" and got.exit_code == 3


def test_a_run_that_does_not_replay_is_an_internal_error(monkeypatch):
    model = load_file(str(ROOT / "models" / "two_way_handshake.tcp"), {})
    real = partitioned.Partition.link

    def wrong(self, local):  # every run claims a different last move
        link = real(self, local)
        return None if link is None else (link[0], link[1], link[2] + 1)

    monkeypatch.setattr(partitioned.Partition, "link", wrong)
    with pytest.raises(partitioned.PartitionMismatch):
        partitioned.check(model, CheckOptions(), FakeRay(), 2)


def test_what_a_partitioned_run_cannot_do_is_a_usage_error():
    assert run_cli("check", str(ROOT / "models/two_way_handshake.tcp"), "--partitions", "2")[0] == 2
    for extra in (("--engine", "native"), ("--storage", "hashcompact"),
                  ("--counterexamples", "2")):
        code, _, err = run_cli("check", TWO, "--ray", "local", *extra)
        assert code == 2 and "Traceback" not in err, extra


# -- on Ray ---------------------------------------------------------------------------------

def test_on_ray_the_counts_are_one_process_counts(ray):
    model = load_file(str(ROOT / "models" / "offpath_reset.tcp"), {})
    options = CheckOptions(stop_when_decided=False)
    expected = registry.check(model, options, "python")
    got = partitioned.check(model, options, ray, 3)
    assert _summary(got) == _summary(expected)


def test_the_command_shows_the_stale_syn_found_by_partitions(ray):
    code, out, err = run_cli("check", TWO, "--ray", "local",
                             "--partitions", "2")
    assert code == 1, err
    assert "no_stale_accept      VIOLATED  (counterexample: 3 steps)" in out
    assert "partitioned engine (2 partitions on Ray)" in out
    code, out, _ = run_cli("check", TWO, "--ray", "local",
                           "--json")
    data = json.loads(out)
    assert code == 1 and data["backend"] == "partitioned"
    assert {p["name"]: p["status"] for p in data["properties"]}["no_stale_accept"] == VIOLATED
