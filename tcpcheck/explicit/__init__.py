"""The explicit-state engine: pure successor semantics and a breadth-first checker."""

from tcpcheck.explicit.checker import CheckOptions, check

__all__ = ["CheckOptions", "check"]
