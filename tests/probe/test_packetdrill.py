"""``tcpcheck probe --packetdrill``: every probe case as a packetdrill script that packetdrill's
grammar accepts, whose probe is the case's segment and whose expected reply is the model's
prediction, reached by the socket calls and peer segments that drive the socket into the
case's state."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from render.packetdrill_grammar import Line, check_script
from tcpcheck.analyses import probe
from tcpcheck.cli import main
from tcpcheck.loader import load_file
from tcpcheck.model.ir import flag_text
from tcpcheck.probe import kernel, lab
from tcpcheck.render import probe_packetdrill as pp
from tcpcheck.render.packetdrill import flag_letters
from tests.probe.pdreplay import replay_all

LINUX = str(Path(__file__).resolve().parents[2] / "models" / "linux.tcp")
STATES = 10000  # enough global states to reach every control state the cases name
U32 = 2 ** 32
# the peer's segments and the kernel's on the way into each state (hand-counted from
# tcpcheck/probe/kernel.py's driver): the probe is the packet line after them
DRIVE_PACKETS = {"CLOSED": 0, "LISTEN": 0, "SYN_SENT": 1, "SYN_RECEIVED": 2, "ESTABLISHED": 3,
                 "FIN_WAIT_1": 4, "FIN_WAIT_2": 5, "CLOSING": 6, "TIME_WAIT": 6,
                 "CLOSE_WAIT": 5, "LAST_ACK": 6}


@pytest.fixture(scope="module")
def predicted():
    """(case, prediction) for every case of models/linux.tcp, predicted once."""
    predictions, _ = probe.predict(load_file(LINUX), probe.all_cases(), max_states=STATES)
    return [(c, predictions[c]) for c in probe.all_cases()]


def _script(case, prediction, observed=None) -> str:
    return pp.script(case, prediction, model="linux", file="models/linux.tcp",
                     endpoint="server", observed=observed)


def _events(text: str) -> list:
    """The lines that are events (no comments, no blanks)."""
    return [x for x in text.splitlines() if x.strip() and not x.startswith("//")]


def _case(name: str, predicted) -> tuple:
    return next((c, p) for c, p in predicted if c.name == name)


# ---- the grammar --------------------------------------------------------------------------

def test_every_case_but_queue_full_is_a_script_packetdrill_parses(predicted):
    scripted = unpredicted = 0
    for case, prediction in predicted:
        why = pp.unscriptable(case, prediction)
        if case.numbers == "queue-full":
            assert why and "single peer" in why
            continue
        if prediction.reason is not None:  # data in the window: linux.tcp as written has none
            assert case.probe.startswith("data") and why.startswith("no prediction"), case.name
            unpredicted += 1
            continue
        assert why is None, case.name
        try:
            check_script(_script(case, prediction))
        except AssertionError as err:
            pytest.fail(f"{case.name}: {err}")
        scripted += 1
    assert unpredicted == 6 and scripted == len(probe.all_cases()) - 1 - 6 == 204


def test_a_case_without_a_prediction_gets_no_script():
    case = probe.Case("ESTABLISHED", "SYN", "exact")
    why = pp.unscriptable(case, probe.Prediction((), 0, "the model does not reach it"))
    assert why == "no prediction: the model does not reach it"


# ---- the segments: the case's probe, then the prediction ------------------------------------

def test_the_probe_is_the_cases_segment_and_the_reply_the_models_flags(predicted):
    for case, prediction in predicted:
        if pp.unscriptable(case, prediction):
            continue
        packets = check_script(_script(case, prediction))
        n = DRIVE_PACKETS[case.state]
        sent = packets[n]
        kind = kernel.KIND[case.probe]
        assert sent.direction == "<" and sent.flags == flag_letters(flag_text(kind.flags)), \
            case.name
        bits, _ = prediction.replies[0]
        reply = packets[n + 1:]
        assert [(p.direction, p.flags) for p in reply] == \
            [(">", flag_letters(flag_text(b))) for b in bits], case.name


def test_the_probes_numbers_are_the_cases_relative_to_the_connection(predicted):
    # RCV.NXT and SND.NXT of the driven socket, relative to each side's ISN (0)
    expected = {"ESTABLISHED/ACK/ack-ahead": Line("<", ".", 1, 1 + kernel.AHEAD),
                "ESTABLISHED/SYN/below": Line("<", "S", (1 - kernel.BEHIND) % U32, None),
                "ESTABLISHED/data/above": Line("<", "P.", 1 + kernel.FAR, 1 + kernel.FAR),
                "TIME_WAIT/FIN-ACK/retransmitted": Line("<", "F.", 1, 2),
                "FIN_WAIT_1/RST/inexact": Line("<", "R", 2, None),
                "CLOSE_WAIT/NULL/exact": Line("<", "-", 2, None),
                "LAST_ACK/Xmas/above": Line("<", "FPU", 2 + kernel.FAR, None),
                "SYN_SENT/SYN-ACK/exact": Line("<", "S.", 0, 1),
                "LISTEN/SYN/any": Line("<", "S", 0, None)}
    for name, line in expected.items():
        case, prediction = _case(name, predicted)
        packets = check_script(_script(case, prediction))
        assert packets[DRIVE_PACKETS[case.state]] == line, name
    data = _events(_script(*_case("ESTABLISHED/data/above", predicted)))
    assert "+0 < P. 1073741825:1073741826(1) ack 1073741825 win 65535" in data


def test_the_replys_numbers_are_rfc_9293s_for_its_flags():
    def reply(name, bits, after=None):  # after: the state after; by default unchanged
        case = next(c for c in probe.all_cases() if c.name == name)
        prediction = probe.Prediction((((bits,), (after or case.state,)),), 1)
        return _events(_script(case, prediction))[-1]

    # a RST answers an ACK at its ACK field, a segment without ACK with RST+ACK at SEG.SEQ+LEN
    assert reply("CLOSED/ACK/any", kernel.RST) == "+0 > R 0:0(0) <...>"
    assert reply("CLOSED/SYN/any", kernel.RST | kernel.ACK) == "+0 > R. 0:0(0) ack 1 <...>"
    assert reply("ESTABLISHED/ACK/ack-ahead", kernel.RST) == "+0 > R 1001:1001(0) <...>"
    # a challenge or duplicate ACK: SND.NXT, RCV.NXT; a probe the model takes in (its state
    # changes) is acknowledged
    assert reply("ESTABLISHED/SYN/exact", kernel.ACK) == "+0 > . 1:1(0) ack 1 <...>"
    assert reply("ESTABLISHED/data/above", kernel.ACK) == "+0 > . 1:1(0) ack 1 <...>"
    assert reply("ESTABLISHED/FIN-ACK/exact", kernel.ACK, "CLOSE_WAIT") == \
        "+0 > . 1:1(0) ack 2 <...>"
    assert reply("SYN_SENT/SYN-ACK/exact", kernel.ACK, "ESTABLISHED") == \
        "+0 > . 1:1(0) ack 1 <...>"
    assert reply("TIME_WAIT/FIN-ACK/exact", kernel.ACK) == "+0 > . 2:2(0) ack 2 <...>"
    assert reply("TIME_WAIT/FIN-ACK/retransmitted", kernel.ACK) == "+0 > . 2:2(0) ack 2 <...>"
    # a RST at seq 0 from a socket with an ISN: said to be beyond packetdrill's numbers
    case = next(c for c in probe.all_cases() if c.name == "FIN_WAIT_2/SYN/exact")
    text = _script(case, probe.Prediction((((kernel.RST | kernel.ACK,), ("CLOSED",)),), 1))
    assert "this line fails on its seq" in text and text.endswith("+0 > R. 0:0(0) ack 2 <...>\n")
    case = next(c for c in probe.all_cases() if c.name == "CLOSED/SYN/any")
    text = _script(case, probe.Prediction((((kernel.RST | kernel.ACK,), ("CLOSED",)),), 1))
    assert "fails on its seq" not in text
    # a SYN+ACK of a new connection (a new ISN) is said to be beyond them too; the same
    # connection's (simultaneous open, a retransmitted SYN+ACK) is not
    syn_ack = probe.Prediction((((kernel.SYN | kernel.ACK,), ("SYN_RECEIVED",)),), 1)
    for name, beyond in (("TIME_WAIT/SYN/above", True), ("SYN_SENT/SYN/exact", False),
                         ("SYN_RECEIVED/SYN/retransmitted", False)):
        case = next(c for c in probe.all_cases() if c.name == name)
        assert ("kernel picks a new ISN" in _script(case, syn_ack)) == beyond, name
    # a SYN+ACK: the kernel's ISN, acknowledging the probe's SYN
    assert reply("LISTEN/SYN/any", kernel.SYN | kernel.ACK) == "+0 > S. 0:0(0) ack 1 <...>"
    assert reply("SYN_RECEIVED/SYN/retransmitted", kernel.SYN | kernel.ACK) == \
        "+0 > S. 0:0(0) ack 1 <...>"


def test_no_reply_expects_no_segment_and_says_so(predicted):
    case, _ = _case("ESTABLISHED/RST/above", predicted)
    text = _script(case, probe.Prediction((((), ("ESTABLISHED",)),), 1))
    assert _events(text)[-1].startswith("+0 < R ")
    assert "// predicted: no reply, then ESTABLISHED" in text


def test_several_replies_expect_the_kernels_when_the_model_allows_it():
    case = next(c for c in probe.all_cases() if c.name == "ESTABLISHED/RST/above")
    both = probe.Prediction((((kernel.ACK,), ("ESTABLISHED",)), ((), ("ESTABLISHED",))), 1)
    first = _script(case, both)
    assert _events(first)[-1] == "+0 > . 1:1(0) ack 1 <...>"
    assert "the model also allows: no reply, then ESTABLISHED" in first
    silent = _script(case, both, observed=())
    assert _events(silent)[-1].startswith("+0 < R ")
    assert "the model also allows: ACK, then ESTABLISHED" in silent
    assert _script(case, both, observed=(kernel.RST,)) == first  # not allowed: the model's first


# ---- the way into the state, checked by hand -------------------------------------------------

LISTENER = ["0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3", "+0 bind(3, ..., ...) = 0",
            "+0 listen(3, 8) = 0"]
HANDSHAKE = ["+0 < S 0:0(0) win 65535", "+0 > S. 0:0(0) ack 1 <...>",
             "+0 < . 1:1(0) ack 1 win 65535", "+0 accept(3, ..., ...) = 4"]


def test_the_way_into_listen_established_and_time_wait(predicted):
    def drive(name):  # the events before the probe
        return _events(_script(*_case(name, predicted)).split("// the probe:")[0])

    assert drive("LISTEN/SYN-ACK/any") == LISTENER
    assert drive("ESTABLISHED/SYN/exact") == LISTENER + HANDSHAKE
    # the application closes first; the peer's FIN acknowledges the kernel's; the last ACK
    assert drive("TIME_WAIT/SYN/below") == LISTENER + HANDSHAKE + [
        "+0 close(4) = 0", "+0 > F. 1:1(0) ack 1 <...>", "+0 < F. 1:1(0) ack 2 win 65535",
        "+0 > . 2:2(0) ack 2 <...>"]
    assert drive("SYN_SENT/RST/exact") == [
        "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3", "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0",
        "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)",
        "+0 > S 0:0(0) <...>"]
    assert drive("CLOSED/RST/any") == LISTENER[:2]  # bound, never listening


def test_the_file_names_are_the_cases():
    case = probe.Case("ESTABLISHED", "SYN-ACK", "exact")
    assert pp.file_name(case) == "ESTABLISHED_SYN-ACK_exact.pkt"


# ---- the command -----------------------------------------------------------------------------

def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(["probe", LINUX, "--max-states", str(STATES), *argv], out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def not_root(monkeypatch):
    def refuse():
        raise lab.LabError("probe needs root: (test)")
    monkeypatch.setattr(lab, "check_can_build", refuse)


def test_without_root_the_scripts_are_written_and_no_probe_runs(tmp_path, not_root):
    code, out, err = _run("--cases", "ESTABLISHED/*", "--packetdrill", str(tmp_path / "pkt"))
    assert code == 3, err  # every case 'not run'
    names = sorted(p.name for p in (tmp_path / "pkt").iterdir())
    # 24 cases, less the 3 of data in the window linux.tcp as written cannot predict
    assert len(names) == 21 and "ESTABLISHED_SYN_exact.pkt" in names
    assert "ESTABLISHED_data_exact.pkt" not in names
    assert "packetdrill: wrote 21 scripts" in out
    assert out.startswith("the probes are not run (probe needs root: (test)): the table "
                          "holds the model's predictions")
    assert "24 cases: 21 not run, 3 outside the model" in out
    text = (tmp_path / "pkt" / "ESTABLISHED_SYN_exact.pkt").read_text()
    check_script(text)
    assert "// made by: tcpcheck probe" in text and "--cases 'ESTABLISHED/*'" in text
    assert f"--max-states {STATES} --packetdrill" in text  # the predictions depend on it


def test_a_pkt_file_takes_one_case(tmp_path, not_root):
    target = tmp_path / "tw.pkt"
    code, _, err = _run("--cases", "TIME_WAIT/*", "--packetdrill", str(target))
    assert code == 2 and "a .pkt file holds one case and --cases selects 21" in err
    assert not target.exists()
    code, out, _ = _run("--cases", "TIME_WAIT/SYN/above", "--packetdrill", str(target))
    assert code == 3 and f"wrote 1 script to {target}" in out
    check_script(target.read_text())


def test_json_stays_json_and_the_note_goes_to_stderr(tmp_path, not_root):
    code, out, err = _run("--cases", "LISTEN/SYN/*", "--json", "--packetdrill",
                          str(tmp_path / "d"))
    data = json.loads(out)
    assert [c["verdict"] for c in data["cases"]] == ["not run", "not run"]
    assert "packetdrill: wrote 1 script" in err and "LISTEN/SYN/queue-full" in err
    assert code == 3 == data["exit_code"]


def test_an_unwritable_directory_is_a_usage_error(tmp_path, not_root):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, out, err = _run("--cases", "LISTEN/SYN/any", "--packetdrill", str(blocker / "d"))
    assert code == 2 and "cannot make the directory" in err and "Traceback" not in err
    assert out == ""  # refused before anything ran


@pytest.mark.parametrize("target", ["file/d/one.pkt", "."])
def test_a_pkt_file_that_cannot_be_written_is_refused_before_any_probe(tmp_path, not_root,
                                                                       target):
    (tmp_path / "file").write_text("")
    path = str(tmp_path / target) if target != "." else str(tmp_path / "dir.pkt")
    if target == ".":
        (tmp_path / "dir.pkt").mkdir()
    code, out, err = _run("--cases", "LISTEN/SYN/any", "--packetdrill", path)
    assert code == 2 and "Traceback" not in err and out == ""
    assert ("cannot make the directory" in err) if target != "." else ("is a directory" in err)


def test_with_root_the_script_expects_the_kernels_reply(lab_ok, tmp_path):
    code, out, err = _run("--cases", "ESTABLISHED/RST/*", "--json", "--packetdrill",
                          str(tmp_path))
    data = json.loads(out)
    for case in data["cases"]:
        if case["verdict"] != "match":
            continue
        text = (tmp_path / (case["case"].replace("/", "_") + ".pkt")).read_text()
        replies = [x for x in check_script(text) if x.direction == ">"][1:]  # less the SYN+ACK
        assert [x.flags for x in replies] == [
            flag_letters(f) for f in case["observed"]["reply"]], case["case"]
    assert lab.existing(mine=True) == []


# ---- against the kernel ----------------------------------------------------------------------

def test_every_script_replays_against_the_kernel_as_packetdrill_would(lab_ok):
    """The scripts, made from a probe run (each expects the kernel's reply where the model
    allows several), replayed against the kernel (tests/probe/pdreplay.py, packetdrill's
    rules): every one of a matching case passes but those whose reply the script says
    packetdrill's numbers cannot express (a RST at seq 0, a new ISN); the replayer itself
    fails a wrong ack and an unexpected reply."""
    result = probe.run(load_file(LINUX), probe.all_cases(), max_states=STATES)
    scripts = {o.case.name: _script(o.case, o.prediction, o.observed.replies)
               for o in result.outcomes
               if o.verdict == probe.MATCH and pp.unscriptable(o.case, o.prediction) is None}
    assert len(scripts) >= 190  # linux.tcp matches every case on Linux 6
    established = scripts["ESTABLISHED/FIN-ACK/exact"]
    assert "\n+0 > . 1:1(0) ack 2 <...>\n" in established
    wrong_ack = established.replace("+0 > . 1:1(0) ack 2 <...>", "+0 > . 1:1(0) ack 1 <...>")
    case = probe.Case("ESTABLISHED", "SYN", "exact")  # Linux sends a challenge ACK
    silent = _script(case, probe.Prediction((((), ("ESTABLISHED",)),), 1))
    failures = replay_all([*scripts.items(), ("wrong ack", wrong_ack), ("silent", silent)])
    cannot = {name for name, text in scripts.items() if "fails on its seq" in text}
    assert {name for name, why in failures.items() if why} == cannot | {"wrong ack", "silent"}
    assert "expected > . 1:1(0) ack 1 <...>, the kernel sent flags 0x10 seq 1 ack 2" in \
        failures["wrong ack"]
    assert failures["silent"].startswith("after the last line the kernel sent flags 0x10")
    # on Linux 6: SYN_RECEIVED/SYN/exact, FIN_WAIT_2/SYN/exact (a RST at seq 0) and
    # TIME_WAIT/SYN/above (a new connection with a new ISN)
    assert len(cannot) <= 3, cannot
    assert lab.existing(mine=True) == []
