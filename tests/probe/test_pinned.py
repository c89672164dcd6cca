"""The kernel's answer to every probe case against the pin for its major version
(tests/probe/expected/linux-MAJOR.json, written by tests/probe/pin.py), and models/linux.tcp
against the kernel: every case matches, rfc9293.tcp diverges where linux.tcp says Linux
differs (both with data, ``DATA=1``: the data cases need it).

A kernel of another major version, or one whose outcome-changing sysctls differ from the
pin's, is not failed blindly: the test is skipped with the list of cases that answered
differently (re-pin with `sudo python tests/probe/pin.py` once linux.tcp matches there)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tcpcheck.analyses import probe
from tcpcheck.loader import load_file
from tests.probe import pin

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def linux_run():
    from tests.probe.conftest import why_not
    why = why_not()
    if why:
        pytest.skip(why)
    return probe.run(load_file(str(pin.MODEL), pin.OVERRIDES), probe.all_cases())


def test_every_case_answers_as_pinned_for_this_kernel(linux_run):
    path = pin.pin_path(linux_run.kernel)
    if not path.exists():
        pytest.skip(f"no pin for Linux {pin.major(linux_run.kernel)} (kernel "
                    f"{linux_run.kernel}); the pins are "
                    f"{sorted(p.name for p in pin.EXPECTED.glob('*.json'))}")
    pinned = json.loads(path.read_text())
    differing = pin.differences(pinned, linux_run)
    sysctls_differ = any(line.startswith("sysctl ") for line in differing)
    if differing and sysctls_differ:
        pytest.skip(f"kernel {linux_run.kernel} with other sysctls than the pin's "
                    f"({pinned['kernel']}): {len(differing)} differences:\n"
                    + "\n".join(differing))
    assert not differing, (f"kernel {linux_run.kernel} against the pin of "
                           f"{pinned['kernel']}:\n" + "\n".join(differing))


def test_linux_tcp_matches_every_case(linux_run):
    diverging = [o.case.name for o in linux_run.outcomes if o.verdict != probe.MATCH]
    assert diverging == [] and linux_run.exit_code == 0
    assert len(linux_run.outcomes) == len(probe.all_cases()) == 211


# every case where rfc9293.tcp's prediction diverges from Linux 6, by the difference of
# models/linux.tcp that accounts for it (README, "How Linux differs from RFC 9293")
_SYNCHRONIZED = ("ESTABLISHED", "FIN_WAIT_1", "CLOSING", "CLOSE_WAIT", "LAST_ACK")
SHOWN_BY = {
    "L1": [f"{s}/{p}/above" for s in _SYNCHRONIZED for p in ("FIN", "NULL", "Xmas")],
    "L2": [f"{s}/RST/inexact" for s in ("SYN_RECEIVED",) + _SYNCHRONIZED],
    "L3": ["TIME_WAIT/FIN/exact", "TIME_WAIT/Xmas/exact"],
    "L4": ["TIME_WAIT/SYN/above"],
    "L5": ["SYN_RECEIVED/SYN/exact", "SYN_RECEIVED/SYN-ACK/exact", "SYN_RECEIVED/ACK/above",
           "SYN_RECEIVED/SYN-ACK/above", "SYN_RECEIVED/FIN-ACK/above",
           "SYN_RECEIVED/data/above", "SYN_RECEIVED/SYN/retransmitted"],
    "L6": ["SYN_SENT/ACK/above", "SYN_SENT/ACK/ack-ahead", "SYN_SENT/SYN-ACK/above",
           "SYN_SENT/FIN-ACK/above", "SYN_SENT/data/above"],
    "L7": ["FIN_WAIT_2/SYN/exact", "FIN_WAIT_2/SYN-ACK/exact", "FIN_WAIT_2/RST/inexact",
           "FIN_WAIT_2/RST/above", "FIN_WAIT_2/ACK/ack-ahead"],
    "L8": ["LAST_ACK/ACK/ack-ahead"],
    "L9": ["CLOSING/FIN-ACK/retransmitted", "LAST_ACK/FIN-ACK/retransmitted"],
    "L12": ["FIN_WAIT_1/data/exact", "FIN_WAIT_2/data/exact", "ESTABLISHED/data-close/exact"],
}


def test_rfc9293_diverges_exactly_where_linux_tcp_states_a_difference(linux_run):
    if not pin.pin_path(linux_run.kernel).exists():
        pytest.skip(f"the differences were measured on Linux 6, this is {linux_run.kernel}")
    result = probe.run(load_file(str(ROOT / "models" / "rfc9293.tcp"), pin.OVERRIDES),
                       probe.all_cases())
    diverging = {o.case.name for o in result.outcomes if o.verdict == probe.DIVERGENCE}
    stated = {name for cases in SHOWN_BY.values() for name in cases}
    assert len(stated) == 47 and diverging == stated and result.exit_code == 1
    assert all(o.verdict == probe.MATCH for o in result.outcomes if o.case.name not in stated)


class _Result:  # what pin.differences reads of a probe result
    def __init__(self, cases: dict, sysctls: dict):
        self.sysctls = tuple(sysctls.items())
        self.outcomes = tuple(_Outcome(n, *a) for n, a in cases.items())


class _Outcome:
    def __init__(self, name, replies, after):
        from tcpcheck.probe.kernel import Observation
        self.case = probe.Case(*name.split("/"))
        self.observed = Observation(*name.split("/"), replies, "?", after)


def test_a_differing_kernel_is_reported_case_by_case():
    pinned = {"kernel": "6.18", "sysctls": {"net.ipv4.tcp_rfc1337": "0"},
              "cases": {"TIME_WAIT/RST/exact": {"reply": [], "after": "CLOSED"},
                        "LISTEN/SYN/any": {"reply": ["SYN+ACK"], "after": "SYN_RECEIVED"}}}
    # tcp_rfc1337=1: TIME-WAIT ignores the RST (RFC 1337); LISTEN answers as pinned
    now = _Result({"TIME_WAIT/RST/exact": ((), "TIME_WAIT"),
                   "LISTEN/SYN/any": ((0x12,), "SYN_RECEIVED")}, {"net.ipv4.tcp_rfc1337": "1"})
    assert pin.differences(pinned, now) == [
        "TIME_WAIT/RST/exact: pinned none -> CLOSED, now none -> TIME_WAIT",
        "sysctl net.ipv4.tcp_rfc1337: pinned 0, now 1"]
    assert pin.major("6.18.44-fc") == "6" and pin.pin_path("7.0.1").name == "linux-7.json"
