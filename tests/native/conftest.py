"""The native engine's tests compile into a cache of their own (not the user's)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """TCPCHECK_CACHE for the session, for this process and the CLIs it starts."""
    previous = os.environ.get("TCPCHECK_CACHE")
    os.environ["TCPCHECK_CACHE"] = str(tmp_path_factory.mktemp("native-cache"))
    yield
    if previous is None:
        os.environ.pop("TCPCHECK_CACHE", None)
    else:
        os.environ["TCPCHECK_CACHE"] = previous
