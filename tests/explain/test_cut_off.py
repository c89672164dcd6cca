"""An ablation cut off by Ctrl-C, SIGTERM or the memory limit says so: it neither claims that
no reason exists nor suggests a larger --variant-states, and explain exits 3."""

from __future__ import annotations

import io
import signal

import pytest

from tcpcheck import limits
from tcpcheck.cli import main


@pytest.fixture(autouse=True)
def no_stop_left_behind():
    limits.STOP.reset()
    yield
    limits.STOP.reset()


def signal_at_poll(monkeypatch, n: int, signum) -> None:
    polls = {"n": 0}
    real = limits.Watch.reason

    def reason(self):
        polls["n"] += 1
        if polls["n"] == n:
            limits.STOP.request(signum)  # inside polled(): recorded, as the handler would
        return real(self)

    monkeypatch.setattr(limits.Watch, "reason", reason)


@pytest.mark.parametrize("lang, cut, undecided", [
    ("en", "The search for reasons was cut short (the run was terminated (SIGTERM))",
     "Not decided, because the run was terminated (SIGTERM): "),
    ("zh", "寻找原因的检查被提前停止（检查被终止（SIGTERM））", "因为检查被终止（SIGTERM），未能判定："),
])
def test_an_ablation_cut_off_by_a_signal_says_so(monkeypatch, lang, cut, undecided):
    # the model's own check takes about 50 looks; the signal comes during the ablation.  The
    # looks counted are the Python engine's (Watch.reason), so that engine runs throughout
    signal_at_poll(monkeypatch, 120, signal.SIGTERM)
    out, err = io.StringIO(), io.StringIO()
    code = main(["explain", "models/time_wait_every_msl.tcp", "-p", "no_old_segment_confusion",
                 "--lang", lang, "--engine", "python"], stdout=out, stderr=err)
    text = out.getvalue()
    assert code == 3, text + err.getvalue()
    assert cut in text and undecided in text
    assert "--variant-states may decide" not in text.split(undecided)[1]
