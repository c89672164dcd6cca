"""The explicit-state engine: pure successor semantics and a breadth-first checker (the
reference implementation; ``ENGINE`` is its entry in tcpcheck.engine.registry)."""

from tcpcheck.explicit.checker import CheckOptions, check

__all__ = ["CheckOptions", "check", "ENGINE"]


class PythonEngine:
    name, title = "python", "Python"

    @staticmethod
    def unavailable(model, options, observers=()) -> str | None:
        # every model, every property kind, observers too; its visited set is exact
        if getattr(options, "storage", "exact") != "exact":
            return f"--storage {options.storage} is built in the native engine only"
        return None

    @staticmethod
    def explore(model, options, observers=()):
        return check(model, options, observers)


ENGINE = PythonEngine()
