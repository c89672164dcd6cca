"""The few calls of Ray that tcpcheck.analyses.partitioned makes, run at once in this
process: actors are plain objects, a remote call is a call, an object reference is the
value.  Lets the partitioned search be checked on every model without starting Ray (the
real Ray runs in tests/analyses/test_partitioned.py's last tests)."""

from __future__ import annotations


class FakeRay:
    def __init__(self, cpus: int = 2):
        self.cpus = cpus
        self.killed = 0

    def remote(self, **_options):
        return _ActorClass  # ray.remote(num_cpus=...)(cls)

    def cluster_resources(self) -> dict:
        return {"CPU": self.cpus}

    def get(self, refs):
        return list(refs) if isinstance(refs, list) else refs

    def wait(self, refs, num_returns, timeout):
        return list(refs), []

    def kill(self, _actor) -> None:
        self.killed += 1


class _ActorClass:
    def __init__(self, cls):
        self.cls = cls

    def options(self, **_options):
        return self

    def remote(self, *args):
        return _Actor(self.cls(*args))


class _Actor:
    def __init__(self, obj):
        self.obj = obj

    def __getattr__(self, name):
        return _Method(getattr(self.obj, name))


class _Method:
    def __init__(self, fn):
        self.fn = fn

    def options(self, **_options):
        return self

    def remote(self, *args):
        return self.fn(*args)
