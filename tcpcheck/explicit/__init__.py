"""The explicit-state engine: pure successor semantics and a breadth-first checker (the
reference implementation; ``ENGINE`` is its entry in tcpcheck.engine.registry)."""

from tcpcheck.explicit.checker import CheckOptions, check

__all__ = ["CheckOptions", "check", "ENGINE"]


class PythonEngine:
    name, title = "python", "Python"

    @staticmethod
    def unavailable(model, options, observers=()) -> None:
        return None  # every model, every property kind, observers too

    @staticmethod
    def explore(model, options, observers=()):
        return check(model, options, observers)


ENGINE = PythonEngine()
