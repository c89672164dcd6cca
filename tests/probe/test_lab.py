"""The lab is built, usable, and always removed."""

from __future__ import annotations

import os
import socket

import pytest

from tcpcheck.probe import lab


def test_the_lab_is_built_and_removed(lab_ok):
    before = lab.existing(mine=True)
    with lab.lab() as the_lab:
        made = set(lab.existing(mine=True)) - set(before)
        assert made == {the_lab.kernel_ns, the_lab.craft_ns}
        with lab.entered(the_lab.kernel_ns):
            s = socket.socket()
        try:  # the kernel side's address is in its namespace, not in ours
            s.bind((lab.KERNEL_ADDR, 0))
        finally:
            s.close()
        values = lab.read_sysctls(the_lab.kernel_ns)
        assert set(values) == set(lab.SYSCTLS)
        assert values["net.ipv4.tcp_syncookies"] in {"0", "1", "2"}
    assert lab.existing(mine=True) == before


def test_the_lab_is_removed_after_an_exception_inside(lab_ok):
    before = lab.existing(mine=True)
    with pytest.raises(RuntimeError, match="inside"):
        with lab.lab() as the_lab:
            assert the_lab.kernel_ns in lab.existing(mine=True)
            raise RuntimeError("inside")
    assert lab.existing(mine=True) == before


def test_two_labs_have_different_names(lab_ok):
    with lab.lab() as one, lab.lab() as two:
        assert {one.kernel_ns, one.craft_ns}.isdisjoint({two.kernel_ns, two.craft_ns})
        assert one.kernel_if != two.kernel_if


def test_without_root_the_lab_refuses_with_a_message(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(lab.LabError, match="needs root"):
        with lab.lab():
            pass  # pragma: no cover


def test_sigterm_mid_run_removes_the_lab_and_reports_what_ran(lab_ok):
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    model = Path(__file__).resolve().parents[2] / "models" / "rfc9293.tcp"
    proc = subprocess.Popen([sys.executable, "-m", "tcpcheck", "probe", str(model),
                             "--max-states", "3000", "--cases", "CLOSED"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    prefix = f"tcpcheck-{proc.pid % 10000:04d}"
    deadline = time.monotonic() + 20
    while not any(n.startswith(prefix) for n in lab.existing()) and proc.poll() is None:
        assert time.monotonic() < deadline, "the lab never appeared"
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 3, err
    assert "Traceback" not in err and "interrupted before every case ran" in out
    assert not any(n.startswith(prefix) for n in lab.existing())
