"""The probe tests need root and ``ip netns``; elsewhere they skip, saying why."""

from __future__ import annotations

import os

import pytest

from tcpcheck.probe import kernel


def why_not() -> str | None:
    if os.geteuid() != 0:
        return "the probe lab needs root (network namespaces, AF_PACKET)"
    if not kernel.kernel_ready():
        return "'ip netns' is not available here"
    return None


@pytest.fixture
def lab_ok():
    why = why_not()
    if why:
        pytest.skip(why)
