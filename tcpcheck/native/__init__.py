"""The native explicit-state engine: the breadth-first search of tcpcheck.explicit,
generated as C for one model, compiled with the system's C compiler and run in one call.

:func:`check` picks the implementation (``auto``, ``native`` or ``python``) and returns
the CheckResult the Python checker returns, with ``backend`` naming the one that ran.
``auto`` runs natively when the model is supported (tcpcheck.native.support) and a
compiler works, else the Python engine, with a one-line notice saying why.
"""

from __future__ import annotations

from tcpcheck.diagnostics import UsageError
from tcpcheck.explicit import CheckOptions
from tcpcheck.explicit import check as python_check

ENGINES = ("auto", "native", "python")


def check(model, options: CheckOptions = CheckOptions(), engine: str = "auto",
          notice=None):
    """Check ``model`` with the engine asked for; ``notice(text)`` hears why the native
    engine was not used (auto) or was abandoned for the Python one."""
    if engine not in ENGINES:
        raise UsageError(f"no engine '{engine}'; the engines are {', '.join(ENGINES)}")
    if engine == "python":
        return python_check(model, options)
    from tcpcheck.explicit.semantics import refuse_large_choices
    from tcpcheck.native import build, runner, support  # ctypes only when asked for

    refuse_large_choices(model)  # the Python engine's refusal, before compiling anything
    reason = support.unsupported(model, options)
    if reason is None:
        try:
            native = runner.compile_model(model)
        except build.BuildFailed as err:
            reason = str(err)
    if reason is not None:
        if engine == "native":
            raise UsageError(f"the native engine cannot check this model: {reason}")
        _say(notice, f"note: using the Python engine: {reason}")
        return python_check(model, options)
    try:
        return runner.check(native, options)
    except runner.NativeMismatch as err:
        _say(notice, f"note: the native run was abandoned ({err}); using the Python engine")
        return python_check(model, options)


def _say(notice, text: str) -> None:
    if notice is not None:
        notice(text)
