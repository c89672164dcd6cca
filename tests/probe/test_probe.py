"""The kernel against the model: a few fast cases, the report, the exit codes."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from tcpcheck.analyses import probe
from tcpcheck.cli import main
from tcpcheck.limits import Interrupted
from tcpcheck.loader import load_file
from tcpcheck.probe import kernel, lab
from tcpcheck.render import probe as render_probe

RFC9293 = str(Path(__file__).resolve().parents[2] / "models" / "rfc9293.tcp")
SMALL = ["--max-states", "3000"]  # LISTEN and CLOSED are reached long before


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(["probe", RFC9293, *SMALL, *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def test_listen_answers_syn_with_syn_ack_as_the_model_predicts(lab_ok):
    model = load_file(RFC9293)
    result = probe.run(model, probe.select("LISTEN/SYN/any"), max_states=3000)
    (o,) = result.outcomes
    assert o.observed.replies == (kernel.SYN | kernel.ACK,)
    assert o.observed.before == "LISTEN" and o.observed.after == "SYN_RECEIVED"
    assert o.prediction.allows_reply((kernel.SYN | kernel.ACK,))
    assert o.verdict == probe.MATCH and result.exit_code == 0


def test_a_closed_port_answers_rst(lab_ok):
    code, out, _ = _run("--cases", "CLOSED/ACK", "--json")
    data = json.loads(out)
    (case,) = data["cases"]
    assert case["observed"]["reply"] == ["RST"]
    assert case["predicted"] == [{"reply": ["RST"], "after": ["CLOSED"]}]
    assert case["verdict"] == "match" and code == 0 == data["exit_code"]
    assert set(data["sysctls"]) == set(lab.SYSCTLS) and data["kernel"] == os.uname().release


def test_the_table_names_case_prediction_observation_and_verdict(lab_ok):
    code, out, err = _run("--cases", "CLOSED/SYN/any")
    assert code == 0, err
    assert "case" in out and "predicted" in out and "observed (kernel)" in out
    line = next(x for x in out.splitlines() if x.startswith("CLOSED/SYN/any"))
    assert line.split() == ["CLOSED/SYN/any", "RST+ACK", "->", "CLOSED", "RST+ACK", "->",
                            "CLOSED", "match"]
    assert "tcp_syncookies=" in out and os.uname().release in out
    assert lab.existing(mine=True) == []


def test_an_interrupted_run_removes_the_lab_and_exits_3(lab_ok, monkeypatch):
    calls = []

    def run_batch(self, state, probes):
        calls.append(state)
        raise Interrupted()

    monkeypatch.setattr(kernel.Bench, "run_batch", run_batch)
    code, out, _ = _run("--cases", "CLOSED/*")
    assert code == 3 and len(calls) == 1
    assert "interrupted before every case ran" in out and "9 not run" in out
    assert lab.existing(mine=True) == []


def test_a_divergence_exits_1():
    case = probe.Case("LISTEN", "SYN", "any")
    predicted = probe.Prediction((((kernel.SYN | kernel.ACK,), ("SYN_RECEIVED",)),), 1)
    seen = kernel.Observation("LISTEN", "SYN", "any", (kernel.RST | kernel.ACK,), "LISTEN",
                              "LISTEN")
    assert probe.verdict(predicted, seen) == probe.DIVERGENCE
    same_reply_other_state = kernel.Observation("LISTEN", "SYN", "any",
                                                (kernel.SYN | kernel.ACK,), "LISTEN", "LISTEN")
    assert probe.verdict(predicted, same_reply_other_state) == probe.DIVERGENCE
    outcome = probe.Outcome(case, predicted, seen, probe.DIVERGENCE)
    result = probe.ProbeResult("m", "m.tcp", "server", "6", (), 0.5, (outcome,), True, True, 1.0)
    assert result.exit_code == 1


def test_a_state_the_model_lacks_is_no_prediction_not_a_match():
    model = load_file(str(Path(RFC9293).with_name("three_way_handshake.tcp")))
    predictions, _ = probe.predict(model, probe.select("TIME_WAIT/ACK/exact"), max_states=2000)
    (p,) = predictions.values()
    assert p.reason is not None and p.replies == ()


def test_the_model_predicts_exact_and_out_of_window_from_its_own_numbers():
    model = load_file(RFC9293)
    predictions, _ = probe.predict(model, probe.select("ESTABLISHED/ACK/"), max_states=20000)
    exact = predictions[probe.Case("ESTABLISHED", "ACK", "exact")]
    outside = predictions[probe.Case("ESTABLISHED", "ACK", "above")]
    assert exact.replies == (((), ("ESTABLISHED",)),)  # an acceptable ACK: nothing to say
    assert outside.replies == (((kernel.ACK,), ("ESTABLISHED",)),)  # RFC 9293 3.10.7.4


def test_data_in_the_window_is_predicted_only_by_a_model_with_data():
    cases = probe.select("ESTABLISHED/data/")
    with_data, _ = probe.predict(load_file(RFC9293, {"DATA": 1}), cases, max_states=4000)
    exact = with_data[probe.Case("ESTABLISHED", "data", "exact")]
    # the seventh check: the octet at RCV.NXT is taken and acknowledged
    assert exact.replies == (((kernel.ACK,), ("ESTABLISHED",)),)
    without, _ = probe.predict(load_file(RFC9293), cases, max_states=4000)
    assert without[probe.Case("ESTABLISHED", "data", "exact")].reason is not None
    assert without[probe.Case("ESTABLISHED", "data", "inexact")].reason is not None
    # outside every window the first check answers whatever the length
    assert without[probe.Case("ESTABLISHED", "data", "above")].replies == \
        with_data[probe.Case("ESTABLISHED", "data", "above")].replies


def test_data_cases_are_outside_a_model_without_data_and_not_counted(monkeypatch):
    """A model as written (DATA = 0) has no words for data in the window: those cases are
    listed as outside the model, never sent (the lab sees only the others) and do not
    change the exit code; a run of nothing but such cases compares nothing: exit 3."""
    cases = probe.select("ESTABLISHED/data/")
    predictions, _ = probe.predict(load_file(RFC9293), cases, max_states=4000)
    outside = {c.numbers for c, p in predictions.items() if p.outside}
    assert outside == {"exact", "inexact"}
    sent = []
    monkeypatch.setattr(probe.lab, "check_can_build", lambda: None)
    monkeypatch.setattr(probe.lab, "kernel_release", lambda: "6.test")

    def fake_run(chosen, predictions, outcomes):
        sent.extend(chosen)
        for c in chosen:
            outcomes.append(probe.Outcome(c, predictions[c], None, probe.MATCH))
        return ()

    monkeypatch.setattr(probe, "_run_cases", fake_run)
    result = probe.run(load_file(RFC9293), cases, max_states=4000)
    assert [c.numbers for c in sent] == ["above", "below"]
    assert [(o.case.numbers, o.verdict) for o in result.outcomes] == [
        ("above", "match"), ("exact", "outside"), ("inexact", "outside"), ("below", "match")]
    assert [o.case for o in result.outcomes] == list(cases)  # the table keeps their order
    assert result.exit_code == 0
    alone = probe.run(load_file(RFC9293), probe.select("ESTABLISHED/data/exact"),
                      max_states=4000)
    assert [o.verdict for o in alone.outcomes] == ["outside"] and alone.exit_code == 3
    assert "1 case: 1 outside the model" in render_probe.text(alone)


def test_a_close_with_unread_data_is_the_delivery_then_the_users_close():
    case = probe.Case("ESTABLISHED", "data-close", "exact")
    rfc, _ = probe.predict(load_file(RFC9293, {"DATA": 1}), (case,), max_states=4000)
    linux, _ = probe.predict(load_file(str(Path(RFC9293).with_name("linux.tcp")),
                                       {"DATA": 1}), (case,), max_states=4000)
    # RFC 9293 3.10.4: the octet acknowledged, then CLOSE sends a FIN; linux.tcp's L12
    # (RFC 1122 4.2.2.13): a RST, the TCB deleted
    assert rfc[case].replies == (((kernel.ACK, kernel.FIN | kernel.ACK), ("FIN_WAIT_1",)),)
    assert linux[case].replies == (((kernel.ACK, kernel.RST | kernel.ACK), ("CLOSED",)),)


# 2 states without a connection x 9 probes, 9 with one x 20, 5 retransmissions, a SYN at
# a full accept queue, 6 of data in the window (4 at RCV.NXT), data then close(2)
@pytest.mark.parametrize("pattern, count", [("LISTEN", 10), ("*/SYN/*", 2 + 9 * 3 + 1 + 1),
                                            ("*/exact", 9 * 8 + 4 + 1), ("*exact", 9 * 9 + 5 + 1),
                                            ("*/retransmitted", 5), ("*/data/*", 9 + 2 + 6),
                                            ("*/data-close/*", 1), (None, 211)])
def test_cases_are_selected_by_pattern(pattern, count):
    assert len(probe.select(pattern)) == count


def test_bad_usage_and_no_root_exit_2_without_a_namespace(monkeypatch):
    code, _, err = _run("--cases", "NOPE")
    assert code == 2 and "no probe case matches 'NOPE'" in err
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    code, out, err = _run("--cases", "LISTEN")
    assert code == 2 and "needs root" in err and out == "" and "Traceback" not in err


def test_ss_states_are_read_per_connection():
    text = ("State     Recv-Q Send-Q Local Address:Port Peer Address:Port\n"
            "LISTEN    0      8      10.77.0.1:20002    0.0.0.0:*\n"
            "TIME-WAIT 0      0      10.77.0.1:20002    10.77.0.3:20001\n")
    assert kernel.state_in(text, 20002, 20001, False) == "TIME_WAIT"
    assert kernel.state_in(text, 20002, 20009, True) == "LISTEN"
    assert kernel.state_in(text, 20002, 20009, False) == "CLOSED"


def test_an_orphaned_fin_wait_2_times_out_after_tcp_fin_timeout(lab_ok):
    # models/linux.tcp L7 (fw2_timeout): RFC 9293 sets no timer in FIN-WAIT-2, Linux ends
    # an orphan's wait after tcp_fin_timeout, here shortened to 1 s in the lab's namespace
    import time
    with lab.lab() as the_lab:
        lab._sysctl_write(the_lab.kernel_ns, "net.ipv4.tcp_fin_timeout", "1")
        # the timeout is at least 3.5 RTOs (tcp_fin_time): the lab's rto_min of seconds off
        lab._ip("route", "replace", f"{lab.PROBE_ADDR}/32", "dev", the_lab.kernel_if,
                ns=the_lab.kernel_ns)
        bench = kernel.Bench(the_lab)
        try:
            (seen,) = bench.run_batch("FIN_WAIT_2", [("ACK", "exact")])
            assert (seen.before, seen.replies, seen.after) == ("FIN_WAIT_2", (), "FIN_WAIT_2")
            time.sleep(2.0)
            assert "FIN-WAIT-2" not in lab.socket_states(the_lab.kernel_ns)
        finally:
            bench.close()
