"""Building the native engine: the cache (where it is, a second run does not compile),
a compiler that is missing or fails (a one-line reason, never a traceback), and the stop
flag that the Python side sets from a signal or a limit while the C search runs."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from native_support import ROOT, needs_cc
from tcpcheck import limits
from tcpcheck.explicit import CheckOptions
from tcpcheck.loader import load_file
from tcpcheck.native import build, codegen, runner

TWO_WAY = ROOT / "models" / "two_way_handshake.tcp"
THREE = ROOT / "models" / "three_way_handshake.tcp"


def test_cache_directory_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("TCPCHECK_CACHE", str(tmp_path / "a"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert build.cache_dir() == tmp_path / "a"
    monkeypatch.delenv("TCPCHECK_CACHE")
    assert build.cache_dir() == tmp_path / "x" / "tcpcheck"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert build.cache_dir() == tmp_path / "home" / ".cache" / "tcpcheck"


@needs_cc
def test_a_second_build_comes_from_the_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("TCPCHECK_CACHE", str(tmp_path))
    source = codegen.generate(load_file(TWO_WAY))
    first = build.build(source)
    assert not first.cached and first.seconds > 0 and first.path.parent == tmp_path
    second = build.build(source)
    assert second.cached and second.path == first.path and second.seconds == 0
    # no temporary left (the cache also holds the language's parser when this process
    # loaded its first model here: tcpcheck.lang)
    assert [p.name for p in tmp_path.iterdir() if p.suffix != ".pickle"] == [first.path.name]
    other = build.build(source + "\n/* another model */\n")
    assert not other.cached and other.path != first.path


@needs_cc
def test_the_cli_does_not_compile_twice(monkeypatch, tmp_path):
    monkeypatch.setenv("TCPCHECK_CACHE", str(tmp_path))
    model = load_file(TWO_WAY)
    assert not runner.compile_model(model).built.cached
    stamp = next(tmp_path.iterdir()).stat().st_mtime_ns
    assert runner.compile_model(model).built.cached
    assert next(tmp_path.iterdir()).stat().st_mtime_ns == stamp


@pytest.mark.parametrize("cc, words", [("false", "does not work"),
                                       ("no-such-compiler-xyz", "no C compiler found"),
                                       ("cc -fno-such-flag-xyz", "the C compiler failed")])
def test_a_compiler_that_fails_is_a_reason(monkeypatch, tmp_path, cc, words):
    if cc.startswith("cc ") and not Path("/usr/bin/cc").exists():
        pytest.skip("no cc here")
    monkeypatch.setenv("TCPCHECK_CACHE", str(tmp_path))
    monkeypatch.setenv("CC", cc)
    with pytest.raises(build.BuildFailed) as caught:
        build.build(codegen.generate(load_file(TWO_WAY)))
    reason = str(caught.value)
    assert words in reason and "\n" not in reason
    assert list(tmp_path.glob("*.so")) == []


@pytest.fixture
def no_stop_left_behind():
    limits.STOP.reset()
    yield
    limits.STOP.reset()


@needs_cc
def test_a_stop_request_reaches_the_c_search(no_stop_left_behind):
    # the progress callback runs in the main thread while C searches: a SIGINT there
    model = load_file(THREE, {"channel.capacity": 3})
    native = runner.compile_model(model)
    calls = []

    def progress(states, transitions, depth, queue, seconds):
        calls.append(states)
        limits.STOP.request(signal.SIGINT)  # what the handler does (inside polled())

    result = runner.check(native, CheckOptions(stop_when_decided=False, progress=progress,
                                               progress_interval=0.05))
    assert calls and result.stop_reason == "interrupted" and not result.complete
    assert result.exit_code == 3 and result.get("no_stale_accept").status == "not_verified"
    assert result.stats.states < 20_000_000


@needs_cc
def test_a_timeout_stops_the_c_search():
    model = load_file(THREE, {"channel.capacity": 3})
    result = runner.check(runner.compile_model(model),
                          CheckOptions(stop_when_decided=False, timeout=0.3))
    assert result.stop_reason == "timeout" and result.exit_code == 3
    assert result.stats.seconds < 3


@needs_cc
def test_max_states_is_exact():
    result = runner.check(runner.compile_model(load_file(THREE)),
                          CheckOptions(stop_when_decided=False, max_states=777))
    assert result.stats.states == 777 and result.stop_reason == "max-states"
    assert result.get("no_stale_accept").status == "not_verified"
    assert "holds" not in {p.status for p in result.properties}


WIDE = """
model wide
endpoint a {
  states S0, S1
  initial S0
  terminal S0, S1
  var x : 0..40000
  var y : 0..40000
  transition spread: S0 -> S1 on open { choose x  choose y }
}
endpoint b { states Z initial Z terminal Z }
property fine: always a.x >= 0
"""


@needs_cc
def test_a_timeout_stops_inside_one_huge_expansion():
    # 40,001 * 40,001 successors of one state: the C loop polls the stop flag inside it
    from tcpcheck.loader import load_string

    result = runner.check(runner.compile_model(load_string(WIDE)), CheckOptions(timeout=0.2))
    assert result.stop_reason == "timeout" and result.stats.states == 1
    assert result.stats.seconds < 2 and result.get("fine").status == "not_verified"


@needs_cc
def test_a_replay_that_disagrees_falls_back_to_python(monkeypatch):
    from tcpcheck.engine import registry
    from tcpcheck.native import layout

    monkeypatch.setattr(layout, "flatten", lambda lay, state: [])  # every state "differs"
    notes = []
    result = registry.check(load_file(TWO_WAY), CheckOptions(), "native", notice=notes.append)
    assert result.backend == "python" and result.get("no_stale_accept").status == "violated"
    assert len(notes) == 1 and "differs from the reference semantics" in notes[0]


def test_the_optimisation_flags_come_from_tcpcheck_cflags(monkeypatch):
    from tcpcheck.native import build

    monkeypatch.delenv("TCPCHECK_CFLAGS", raising=False)
    assert build.flags()[0] == "-O2"
    monkeypatch.setenv("TCPCHECK_CFLAGS", "-O3 -march=native")
    assert build.flags()[:2] == ("-O3", "-march=native") and "-O2" not in build.flags()
    assert "-shared" in build.flags()  # what a loadable object needs stays
    monkeypatch.setenv("TCPCHECK_CFLAGS", "-O1 '-DX")
    with pytest.raises(build.BuildFailed, match="TCPCHECK_CFLAGS"):
        build.build("int x;")
