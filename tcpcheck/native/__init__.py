"""The native explicit-state engine: the breadth-first search of tcpcheck.explicit,
generated as C for one model, compiled with the system's C compiler and run in one call.

``ENGINE`` is its entry in tcpcheck.engine.registry: it can check a model when the model
is supported (tcpcheck.native.support) and a compiler works; its results are the Python
checker's CheckResult with ``backend`` "native".
"""

from __future__ import annotations

from tcpcheck.engine.registry import EngineFailed


class NativeEngine:
    name, title = "native", "native"

    def __init__(self):
        # the model unavailable() compiled, for the explore() that follows it
        self._ready = (None, None)

    def unavailable(self, model, options, observers=()) -> str | None:
        from tcpcheck.explicit.semantics import refuse_large_choices
        from tcpcheck.native import build, runner, support  # ctypes only when asked for

        if observers:  # the search is one C call: no state of it is seen in Python
            return "an analysis that watches every state runs in Python"
        refuse_large_choices(model)  # the Python engine's refusal, before compiling anything
        reason = support.unsupported(model, options)
        if reason is not None:
            return reason
        try:
            self._ready = (model, runner.compile_model(model))
        except build.BuildFailed as err:
            return str(err)
        return None

    def explore(self, model, options, observers=()):
        from tcpcheck.native import runner

        if observers:
            raise EngineFailed(self.unavailable(model, options, observers))
        ready, native = self._ready
        self._ready = (None, None)
        if ready is not model:
            native = runner.compile_model(model)  # a cache hit once it was built
        try:
            return runner.check(native, options)
        except runner.NativeMismatch as err:
            raise EngineFailed(str(err)) from None


ENGINE = NativeEngine()
