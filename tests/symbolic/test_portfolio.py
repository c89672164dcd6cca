"""The portfolio (the default engine of `tcpcheck prove`): which answer decides a property,
where its run comes from, what an undecided property says; and the supervisor that runs
the solver processes: never more at once than --jobs, turns for every task, limits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from symbolic.symbolic_support import COUNTER, load, run, statuses
from tcpcheck import limits
from tcpcheck.cli import main
from tcpcheck.limits import INTERRUPTED, MAX_MEMORY, TIMEOUT, Watch
from tcpcheck.result import PropertyResult
from tcpcheck.symbolic import PORTFOLIO, ProveOptions, prove
from tcpcheck.symbolic.portfolio import Policy, plan
from tcpcheck.symbolic.processes import Worker
from tcpcheck.symbolic.properties import Goal
from tcpcheck.symbolic.solving import Done, Fact, Failed, Final, Phase, Refuted
from tcpcheck.symbolic.supervisor import ENDED, Supervisor, Task

MODELS = Path(__file__).resolve().parents[2] / "models"


# ---- end to end ---------------------------------------------------------------------------

def test_each_goal_gets_the_answer_of_the_engine_that_can_give_it():
    result = run(load(COUNTER), depth=6, timeout=60)
    assert result.engine == PORTFOLIO and result.stop_reason is None
    assert statuses(result) == {"same": "proved", "at_most_four": "proved", "finished": "reached",
                                "below_three": "violated", "never_five": "proved",
                                "domains": "proved"}
    assert result.answered_by("finished") == "bmc" and result.answered_by("below_three") == "bmc"
    assert result.answered_by("same") in ("kind", "pdr")
    assert len(result.get("below_three").trace) == 3  # BMC's: a shortest run


def test_the_run_shown_is_the_same_every_time():
    # whichever engine answers first, the run is BMC's; two runs of the command (fresh
    # processes: inside one process, Z3's choice of values depends on what it did before)
    argv = [sys.executable, "-m", "tcpcheck", "prove", str(MODELS / "two_way_handshake.tcp"),
            "-p", "no_stale_accept", "--json"]
    first, second = (json.loads(subprocess.run(argv, capture_output=True, text=True,
                                               check=False).stdout) for _ in range(2))
    assert first["properties"][0]["trace"] == second["properties"][0]["trace"]
    assert first["properties"][0]["engine"] == "bmc"


def test_an_undecided_property_says_what_each_engine_reached():
    # below_three fails after 3 steps: BMC and k-induction stop at depth 2 without a run,
    # Spacer refutes it, which is not taken without BMC's run
    result = run(load(COUNTER), engine=PORTFOLIO, depth=2, timeout=60,
                 properties=("below_three",))
    p = result.get("below_three")
    assert p.status == "bounded"
    assert "bmc: no violation in runs of up to 2 steps" in p.detail
    assert "kind: not proved: not 3-inductive" in p.detail
    assert "pdr: Spacer reports a violation; the run is left to BMC" in p.detail
    assert result.answered_by("below_three") is None
    assert result.exit_code == 3


def test_a_time_limit_leaves_the_undecided_bounded_with_the_depth_reached():
    result = prove(load(COUNTER), ProveOptions(timeout=0.01, properties=("same",),
                                               seqspace=8))
    p = result.get("same")
    assert result.stop_reason == TIMEOUT and p.status in ("unknown", "bounded")
    assert p.detail.startswith("time limit (0.01 s)")


# ---- the policy, on messages ----------------------------------------------------------------

def _goal(name="p", reach=False):
    return Goal(name, "always", reach, None, None)


def _policy(engine=PORTFOLIO):
    goal = _goal()
    tasks = plan(engine, [goal], None)
    canceled = []
    policy = Policy(engine, [goal], tasks)

    def cancel(task):
        canceled.append(task.engine)
        task.state = "canceled"

    policy.cancel = cancel
    return policy, {t.engine: t for t in tasks}, canceled


def _result(status, detail=""):
    return PropertyResult("p", "always", status, detail=detail)


def test_a_proof_decides_and_stops_the_other_engines():
    policy, tasks, canceled = _policy()
    policy.handle(tasks["pdr"], Final(_result("proved", "proved by Spacer")))
    assert policy.finished() and sorted(canceled) == ["bmc", "kind", "pdr"]
    assert policy.answered() == (("p", "pdr"),)


def test_k_inductions_run_waits_for_bmcs():
    policy, tasks, canceled = _policy()
    kind_run = _result("violated", "found by k-induction (base case) at depth 3")
    policy.handle(tasks["kind"], Final(kind_run))
    assert not policy.finished() and sorted(canceled) == ["kind", "pdr"]  # BMC goes on
    bmc_run = _result("violated", "found by bmc at depth 3")
    policy.handle(tasks["bmc"], Final(bmc_run))
    assert policy.finished() and policy.results(None, 1.0, {}) == [bmc_run]
    assert policy.answered() == (("p", "bmc"),)


def test_k_inductions_run_stands_when_bmc_is_stopped_first():
    policy, tasks, _ = _policy()
    kind_run = _result("violated", "found by k-induction (base case) at depth 3")
    policy.handle(tasks["kind"], Final(kind_run))
    assert policy.results(INTERRUPTED, 1.0, {}) == [kind_run]
    assert policy.answered() == (("p", "kind"),)


def test_spacers_refutation_alone_decides_nothing():
    policy, tasks, canceled = _policy()
    policy.handle(tasks["pdr"], Refuted("p"))
    policy.handle(tasks["pdr"], Final(_result("unknown", "Spacer reports a violation")))
    policy.handle(tasks["bmc"], Fact("p", "bmc", "no violation in runs of up to 4 steps", 4))
    assert not policy.finished() and canceled == []
    (p,) = policy.results(TIMEOUT, 9.0, {"timeout": 9})
    assert p.status == "bounded" and policy.answered() == (("p", None),)
    assert p.detail.startswith("time limit (9 s) after 9.0 s; bmc: no violation in runs of up "
                               "to 4 steps; kind: not started; pdr: Spacer reports")


def test_a_signal_leaves_the_undecided_unknown():
    policy, tasks, _ = _policy()
    policy.handle(tasks["bmc"], Fact("p", "bmc", "no violation in runs of up to 4 steps", 4))
    (p,) = policy.results(INTERRUPTED, 2.0, {})
    assert p.status == "unknown" and p.detail.startswith("interrupted after 2.0 s; bmc: no")


def test_a_single_engine_reports_its_own_verdict():
    policy, tasks, _ = _policy("kind")
    bounded = _result("bounded", "not proved: not 3-inductive")
    policy.handle(tasks["kind"], Final(bounded))
    assert policy.finished() and policy.results(None, 1.0, {}) == [bounded]


def test_a_crash_in_a_solver_process_is_an_internal_error():
    policy, tasks, _ = _policy()
    try:
        policy.handle(tasks["kind"], Failed("crash", "Traceback ...\nZeroDivisionError: x"))
    except Exception as err:  # noqa: BLE001 - the type is the point
        assert type(err).__name__ == "SolverCrash" and "ZeroDivisionError" in str(err)
    else:
        raise AssertionError("no error")


# ---- the supervisor, with plain processes -------------------------------------------------

class _Collect:
    """A policy that only records, and is finished when every task ended."""

    def __init__(self, tasks):
        self.tasks = tasks
        self.messages = []
        self.ended_at = {}

    def finished(self):
        return all(t.state == ENDED for t in self.tasks)

    def progress(self):
        return ""

    def handle(self, task, message):
        self.messages.append((task.number, message))

    def ended(self, task):
        self.ended_at[task.number] = time.monotonic()


def _busy(seconds):
    """A target that uses ``seconds`` of CPU, reporting as it goes."""

    def target(send):
        send(Phase("busy"))
        began = time.process_time()
        while time.process_time() - began < seconds:
            pass
        send(Done(seconds))

    return target


def _supervise(targets, jobs, **kwargs):
    tasks = [Task(i, "bmc", (f"g{i}",), None) for i in range(len(targets))]
    policy = _Collect(tasks)

    def start(task):
        return Worker(targets[task.number], lambda err, text: Failed("crash", text))

    supervisor = Supervisor(tasks, policy, start, jobs=jobs, watch=kwargs.pop("watch", Watch()),
                            **kwargs)
    began = time.monotonic()
    with limits.polled():
        reason = supervisor.run()
    return reason, policy, began, tasks


def test_never_more_solver_processes_at_once_than_jobs_and_every_one_gets_turns():
    reason, policy, began, tasks = _supervise([_busy(0.6)] * 3, jobs=1)
    assert reason is None and all(t.done for t in tasks)
    finished = sorted(at - began for at in policy.ended_at.values())
    assert finished[-1] >= 1.7  # 1.8 s of work on one core: never two at once
    # least attained service: all three share the core, so none ends after its own 0.6 s
    assert finished[0] >= 1.2


def test_the_memory_limit_counts_the_solver_processes():
    def hungry(send):
        block = bytearray(300 * 2 ** 20)  # 300 MB, touched
        for i in range(0, len(block), 4096):
            block[i] = 1
        send(Phase("holding"))
        time.sleep(60)

    own = os.sysconf("SC_PAGE_SIZE") * int(open("/proc/self/statm").read().split()[1]) / 2 ** 20
    began = time.monotonic()
    reason, _, _, tasks = _supervise([hungry], jobs=1, memory_mb=own + 150)
    assert reason == MAX_MEMORY and time.monotonic() - began < 20
    assert tasks[0].worker.status is not None  # killed and reaped


def test_a_stop_request_ends_every_process():
    def sleeper(send):
        send(Fact("g", "bmc", "sleeping"))
        time.sleep(60)

    limits.STOP.reset()
    watch = Watch()
    targets = [sleeper] * 3

    class _StopSoon(_Collect):
        def handle(self, task, message):
            super().handle(task, message)
            if len(self.messages) == 2:
                limits.STOP.request(2)  # SIGINT, as the handler would record it

    tasks = [Task(i, "bmc", (f"g{i}",), None) for i in range(3)]
    policy = _StopSoon(tasks)
    supervisor = Supervisor(tasks, policy, lambda t: Worker(targets[t.number], None), jobs=2,
                            watch=watch)
    try:
        with limits.polled():
            reason = supervisor.run()
    finally:
        limits.STOP.reset()
    assert reason == INTERRUPTED
    started = [t for t in tasks if t.worker is not None]
    assert len(started) == 2 and all(t.worker.status is not None for t in started)


# ---- the progress line -----------------------------------------------------------------

class _Terminal:
    """A standard error that says it is a terminal, and records what was written."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return True


def test_on_a_terminal_the_progress_line_names_the_engines_at_work(monkeypatch):
    import io

    monkeypatch.setenv("COLUMNS", "80")
    err = _Terminal()
    code = main(["prove", str(MODELS / "time_wait_every_msl.tcp"), "--timeout", "2.5",
                 "--jobs", "2"], io.StringIO(), err)
    assert code in (0, 3)
    lines = [line for line in err.text.split("\r") if line.strip()]
    assert lines, "no progress line"
    assert all(len(line) <= 80 for line in lines)  # never wraps on an 80-column terminal
    assert any("decided |" in line for line in lines)
    assert any(e in line for line in lines for e in (": bmc depth ", "kind ", "pdr Spacer"))
    assert err.text.endswith("\r")  # wiped before the result is printed


def test_a_proof_after_spacers_refutation_says_the_refutation_was_wrong():
    policy, tasks, _ = _policy()
    policy.handle(tasks["pdr"], Refuted("p"))
    policy.handle(tasks["kind"], Final(_result("proved", "proved by 1-induction")))
    (p,) = policy.results(None, 1.0, {})
    assert p.status == "proved" and policy.answered() == (("p", "kind"),)
    assert p.detail == ("proved by 1-induction; Spacer had reported a violation, which no run "
                        "confirms")


def test_a_process_the_system_refuses_is_an_engine_that_could_not_run():
    import errno

    policy, tasks, _ = _policy()

    def refuse(task):
        raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

    supervisor = Supervisor(list(tasks.values()), policy, refuse, jobs=2, watch=Watch())
    policy.cancel = supervisor.cancel
    with limits.polled():
        assert supervisor.run() is None  # every task ended: nothing left to run
    (p,) = policy.results(None, 0.1, {})
    assert p.status == "unknown"
    assert p.detail == ("bmc: its process could not be started (Resource temporarily "
                        "unavailable); kind: its process could not be started (Resource "
                        "temporarily unavailable); pdr: its process could not be started "
                        "(Resource temporarily unavailable)")
