"""A local Ray for the tests that need one (swarm, check --ray), started once per test
module; skipped with a message when Ray is not installed."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def ray():
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'tcpcheck[ray]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()
