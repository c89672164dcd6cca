"""``tcpcheck trace FILE`` never crashes, whatever the file holds.

A mutation fuzzer (Hypothesis, a fixed small budget, derandomized): saved runs of shipped
models (a whole ``check --json`` result, a trace file of ``trace --format json``, an ITF
file of ``trace --format itf``, with and without recorded ``--set`` values, a lasso, a hand
built trace with every kind of step) are truncated, have keys and list items deleted,
swapped, duplicated or renamed, values of other types, huge and negative numbers, deep
nesting, steps reordered, dropped or repeated, or the facts of another model's file; then
``tcpcheck trace`` runs in-process in every output format and with ``--eval``.  The exit
code must be one of 0..3 and no output may hold a traceback or an internal error.  The
inputs that once crashed it (tests/tracefile/corpus, from the team's fuzzing campaign) are
replayed as they were found.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tracefile_support import ROOT, checked, hand_built

from tcpcheck.cli import main
from tcpcheck.commands.trace import render as render_loaded
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_file
from tcpcheck.trace import itf as render_itf
from tcpcheck.render import json as render_json
from tcpcheck.trace.files import load_trace

CORPUS = Path(__file__).resolve().parent / "corpus"
FORMATS = ["chart", "steps", "rfc", "mermaid", "svg", "json", "itf"]
EXPRESSIONS = ["client.iss", "seg.seq", "self.incarnation", "exists s in channel: s.SYN",
               "client.rexmt", "server.state == ESTABLISHED", "client.snd_nxt - client.iss",
               "forall s in channel: s.age >= 0", "seg.conn", "alice.iss"]
SETTINGS = ["bounds.seqspace=8", "bounds.seqspace=16", "MSL=2", "channel.capacity=1"]


def tcpcheck(*argv) -> tuple:
    """Exit code and output of one command line, with standard output and error encoding
    strictly to UTF-8 as a real terminal or pipe does (a lone surrogate would fail)."""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="strict")
    code = main(list(argv), stdout=out, stderr=err)
    out.flush()
    err.flush()
    return code, out_bytes.getvalue().decode(), err_bytes.getvalue().decode()


def assert_no_crash(code: int, out: str, err: str, argv) -> None:
    assert code in (0, 1, 2, 3), (argv, code, err[-2000:])
    assert "Traceback" not in out + err, (argv, err[-2000:])
    assert "internal error" not in err, (argv, err[-2000:])


# ---- the saved runs the mutants start from ---------------------------------------------------

def _saved(loaded, fmt: str) -> str:
    return render_loaded(loaded, fmt)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> list:
    """Texts of saved runs: results, trace files and ITF of small shipped models."""
    folder = tmp_path_factory.mktemp("seeds")
    texts = []

    def result(name: str, overrides: dict, model=None, res=None):
        if model is None:
            model, res = checked(name, tuple(sorted(overrides.items())))
        data = render_json.check_result(res, model)
        data["file"] = str(Path(model.file).relative_to(ROOT))  # as `check` run from ROOT
        text = render_json.dumps(data)
        path = folder / f"{len(texts)}.json"
        path.write_text(text, encoding="utf-8")
        texts.append(text)
        loaded = load_trace(str(path))
        texts.append(_saved(loaded, "json"))
        texts.append(_saved(loaded, "itf"))

    result("two_way_handshake.tcp", {})
    result("time_wait_every_msl.tcp", {})
    variant = load_file(ROOT / "models" / "variants" / "two_way_handshake.tcp",
                        {"bounds.seqspace": 8})
    result("", {}, variant, check(variant, CheckOptions(timeout=60)))
    lasso = load_file(ROOT / "models" / "handshake_no_fairness.tcp")
    result("", {}, lasso, check(lasso, CheckOptions(timeout=60)))
    every_kind = hand_built(loop_start=2)
    texts.append(render_json.dumps(render_json.trace(every_kind)))
    texts.append(render_itf.dumps(render_itf.itf(every_kind, meta={"seqspace": 2 ** 32})))
    return texts


# ---- mutations -----------------------------------------------------------------------------

WEIRD = [None, True, False, 0, -1, -(10 ** 12), 10 ** 30, 2 ** 32, 2 ** 64, 1.5, "", "x",
         "client", "server", "channel", "clock", "init", "SYN", "tick", "error", "\ud800",
         "a\nb", "\x1b[31m", [], {}, [1, 2], {"#bigint": "5"}, {"#bigint": "9" * 200},
         {"#set": []}, {"tag": "None", "value": {"#tup": []}}, {"tag": "Some", "value": 3}]
TEXT_INSERTS = ["9" * 5000, '"\\ud800"', "1e999", "NaN", "-0", "[" * 3000,
                "[" * 200 + "1" + "]" * 200 + ","]


def _places(value, here=()):
    """Every path into ``value`` (no deeper than tcpcheck files nest)."""
    out = [here]
    if isinstance(value, dict) and len(here) < 20:
        for k, v in value.items():
            out += _places(v, here + (k,))
    elif isinstance(value, list) and len(here) < 20:
        for i, v in enumerate(value):
            out += _places(v, here + (i,))
    return out


def _at(value, path):
    for p in path:
        value = value[p]
    return value


def _copy(value):
    return json.loads(json.dumps(value))


# The parts that say how a run hangs together (numbering, names, references between steps,
# what every step must repeat): a mutation lands on one of these three times in four, since
# a file's leaves (values of variables) far outnumber them.
STRUCTURE = {"index", "length", "loop", "loop_start", "endpoint_names", "endpoints", "name",
             "src", "dst", "steps", "states", "kind", "actor", "trigger", "transition",
             "variables", "timers", "ghosts", "in_flight", "received", "sent", "overflowed",
             "expired", "segment", "state", "summary", "vars", "#meta", "tcpcheck", "model",
             "file", "overrides", "bounds", "seqspace", "seq", "ack", "flags", "properties",
             "trace", "counterexamples", "channel", "client", "server", "alice", "bob",
             "incarnation", "lost", "duplicated", "age", "params"}


def _structural(path: tuple) -> bool:
    return path[-1] in STRUCTURE or (isinstance(path[-1], int) and len(path) > 1
                                     and path[-2] in STRUCTURE)


def _mutate(data, op: int, pick: int, arg: int):
    """One mutation of the JSON value ``data`` (in place, mostly); ``pick`` chooses where,
    ``arg`` how."""
    places = [p for p in _places(data) if p]
    structural = [p for p in places if _structural(p)]
    if structural and pick % 4:
        places = structural
    if not places:
        return data
    path = places[pick // 4 % len(places)]
    parent, key = _at(data, path[:-1]), path[-1]
    value = parent[key]
    if op == 0:
        del parent[key]
    elif op == 1:
        parent[key] = _copy(WEIRD[arg % len(WEIRD)])
    elif op == 2 and type(value) is int:
        parent[key] = [-1, -value - 1, value + 1, value * 7, 10 ** (arg % 40), 2 ** 32][arg % 6]
    elif op == 3 and isinstance(parent, list):
        parent.insert(key, _copy(value))
    elif op == 4 and isinstance(parent, list):
        other = arg % len(parent)
        parent[key], parent[other] = parent[other], parent[key]
    elif op == 5 and isinstance(parent, dict):
        other = list(parent)[arg % len(parent)]
        parent[key], parent[other] = parent[other], parent[key]
    elif op == 6 and isinstance(parent, dict):
        parent[["x", "client", "server", "iss", "#meta", f"{key}_"][arg % 6]] = parent.pop(key)
    elif op == 7:
        for _ in range([3, 70, 300][arg % 3]):
            value = [value]
        parent[key] = value
    elif op == 8 and isinstance(value, list):
        parent[key] = value[arg % max(1, len(value)):] + value[:arg % max(1, len(value))]
    elif op == 9 and isinstance(value, str):
        parent[key] = [value + "_", value[:-1], value.upper(), value * 3, "1" + value,
                       value.replace("client", "server")][arg % 6]
    elif op == 10:
        parent[key] = _copy(_at(data, places[arg % len(places)]))
    return data


def _renumber(data, steps_too: bool):
    """Lengths fixed, and with ``steps_too`` steps numbered by position again: so that a
    reordered, dropped or repeated step passes the simple checks and the deeper ones are
    tried."""
    runs = []
    if isinstance(data, dict):
        if isinstance(data.get("states"), list):
            meta = data.get("#meta")
            info = meta.get("tcpcheck") if isinstance(meta, dict) else None
            if isinstance(info, dict):
                info["length"] = len(data["states"]) - 1
            for i, s in enumerate(data["states"]):
                if isinstance(s, dict) and isinstance(s.get("#meta"), dict) and steps_too:
                    s["#meta"]["index"] = i
            return data
        runs = [data.get("trace"), data] + [
            t for p in (data.get("properties") or [] if isinstance(data.get("properties"),
                                                                  list) else [])
            if isinstance(p, dict)
            for t in [p.get("trace")] + (p.get("counterexamples") or [])]
    for run in runs:
        if isinstance(run, dict) and isinstance(run.get("steps"), list):
            for i, s in enumerate(run["steps"]):
                if isinstance(s, dict) and steps_too:
                    s["index"] = i
            run["length"] = len(run["steps"]) - 1
    return data


def _runs(data) -> list:
    """("json", trace object) or ("itf", ITF object) for each run in a saved file."""
    if not isinstance(data, dict):
        return []
    if isinstance(data.get("states"), list):
        return [("itf", data)]
    runs = [data.get("trace"), data]
    if isinstance(data.get("properties"), list):
        runs += [t for p in data["properties"] if isinstance(p, dict)
                 for t in [p.get("trace")] + list(p.get("counterexamples") or [])]
    return [("json", r) for r in runs if isinstance(r, dict) and isinstance(r.get("steps"),
                                                                             list)]


def _targeted(data, op: int, a: int, b: int):
    """One mutation aimed at what ties a run together (each would mislead a renderer if
    the loader let it through): a step's number, the endpoints' names in the run, a
    snapshot or a segment, a variable, timer or ghost field missing in one step, the loop,
    a step's kind or actor.  Lengths stay right, so the deeper rules are what is tested."""
    runs = _runs(data)
    if not runs:
        return data
    fmt, run = runs[a % len(runs)]
    steps = run["steps"] if fmt == "json" else run["states"]
    if not steps or not all(isinstance(s, dict) for s in steps):
        return data
    i = a % len(steps)
    step = steps[i]
    info = run.get("#meta", {}).get("tcpcheck", {}) if fmt == "itf" else run
    names = list(info.get("endpoint_names") or ["client", "server"])
    views = step.get("state", {}).get("endpoints", []) if fmt == "json" else \
        [step.get(n) for n in names]
    view = views[b % len(views)] if views else None
    record = step if fmt == "json" else step.get("tcpcheck::step", {})
    segs = [x for key in ("received", "segment") for x in [record.get(key)]
            if isinstance(x, dict)]
    segs = [x.get("value") if fmt == "itf" else x for x in segs]
    segs = [x for x in segs + list(record.get("sent") or []) if isinstance(x, dict)]
    other = ["x", "clock", "channel", names[0], names[-1]][b % 5]
    if op == 0:  # a step's number
        if fmt == "json":
            step["index"] = b % (len(steps) + 2) - 1
        else:
            step.setdefault("#meta", {})["index"] = b % (len(steps) + 2) - 1
    elif op == 1 and i > 0:  # a step dropped
        del steps[i]
    elif op == 2 and isinstance(view, dict):  # an endpoint renamed or gone in one step
        if fmt == "json" and b % 2:
            views.remove(view)
        elif fmt == "json":
            view["name"] = other
        else:
            del step[names[b % len(names)]]
    elif op == 3 and info.get("endpoint_names") and isinstance(info["endpoint_names"], list):
        names = info["endpoint_names"]  # the run's names (an earlier op may have emptied them)
        [names.reverse, names.pop, lambda: names.append("x"),
         lambda: names.__setitem__(0, "x")][b % 4]()
    elif op == 4 and isinstance(view, dict):  # a variable or timer missing in one step
        pairs = view.get("variables" if b % 2 else "timers")
        if isinstance(pairs, dict) and pairs:
            del pairs[list(pairs)[b % len(pairs)]]
    elif op == 5:  # the loop
        run["loop_start" if fmt == "json" else "loop"] = b % (len(steps) + 3) - 1
    elif op == 6 and segs:  # a segment between other endpoints, or without a ghost
        seg = segs[b % len(segs)]
        if b % 3 == 2 and isinstance(seg.get("ghosts"), dict) and seg["ghosts"]:
            del seg["ghosts"][list(seg["ghosts"])[0]]
        else:
            seg["src" if b % 3 else "dst"] = other
    elif op == 7:  # a step of another kind, or by another actor
        kinds = ["init", "user", "crash", "timeout", "recv", "discard", "lose", "duplicate",
                 "tick", "error"]
        record["kind" if b % 2 else "actor"] = kinds[b % len(kinds)] if b % 2 else other
    return data


@st.composite
def mutants(draw, seeds: list) -> str:
    text = seeds[draw(st.integers(0, len(seeds) - 1))]
    how = draw(st.sampled_from(["truncate", "insert", "other-model", "tree", "tree",
                                "targeted", "targeted", "targeted"]))
    if how == "truncate":
        return text[:draw(st.integers(0, len(text) - 1))]
    if how == "insert":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.sampled_from(TEXT_INSERTS)) + text[at:]
    data = json.loads(text)
    if how == "other-model":  # the facts of another saved run: its model, file, settings
        other = json.loads(seeds[draw(st.integers(0, len(seeds) - 1))])
        for key in ("model", "file", "overrides", "bounds", "seqspace", "#meta"):
            if isinstance(other, dict) and key in other and key in data:
                data[key] = other[key]
        return json.dumps(data)
    ops = draw(st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10 ** 6),
                                  st.integers(0, 10 ** 6)), min_size=1, max_size=3))
    for op, pick, arg in ops:
        data = (_targeted if how == "targeted" else _mutate)(data, op, pick, arg)
    if how == "targeted" or draw(st.booleans()):
        data = _renumber(data, how != "targeted" and draw(st.booleans()))
    return json.dumps(data)


@st.composite
def command_lines(draw) -> list:
    if draw(st.integers(0, 3)) == 0:
        argv = [x for e in draw(st.lists(st.sampled_from(EXPRESSIONS), min_size=1,
                                         max_size=2)) for x in ("--eval", e)]
        if draw(st.booleans()):
            argv += ["--set", draw(st.sampled_from(SETTINGS))]
    else:
        argv = ["--format", draw(st.sampled_from(FORMATS))]
        if draw(st.booleans()):
            argv.append("--full")
    if draw(st.integers(0, 9)) == 0:
        argv += ["-p", draw(st.sampled_from(["no_stale_accept", "handshake_completes",
                                             "made_up", "x"]))]
    return argv


def test_mutated_saved_runs_never_crash_the_trace_command(seeds, tmp_path_factory,
                                                          monkeypatch):
    monkeypatch.chdir(ROOT)  # the saved runs name their model files from here
    path = tmp_path_factory.mktemp("mutant") / "mutant.json"

    @settings(max_examples=120, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(text=mutants(seeds), argv=command_lines())
    def one(text, argv):
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        command = ["trace", str(path), *argv]
        assert_no_crash(*tcpcheck(*command), command)

    one()


def test_the_unmutated_seeds_read_and_render(seeds, tmp_path, monkeypatch):
    """The fuzzer's starting points are good files: every format renders each of them."""
    monkeypatch.chdir(ROOT)
    for i, text in enumerate(seeds):
        path = tmp_path / f"{i}.json"
        path.write_text(text, encoding="utf-8")
        for fmt in FORMATS:
            code, out, err = tcpcheck("trace", str(path), "--format", fmt)
            assert code == 0 and out and err == "", (i, fmt, err)


# ---- the inputs that once crashed it --------------------------------------------------------

def _cases() -> list:
    rows = (CORPUS / "cases.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [tuple(row.split("\t")) for row in rows if row.strip()]


# where each file is refused: the place in it (or line and column) that breaks the rules
REFUSED_AT = {
    "trace-005.json": ":1:65: the JSON is nested more than 64 levels deep",
    "trace-006.json": ": trace.steps[1].sent[0].seq: an integer of 5000 digits",
    "trace-007.json": ": trace.steps[1].index: step 1 of the run says it is step 2",
    "trace-008.json": ": #meta.tcpcheck.endpoint_names: expected the names of the 2 endpoints",
    "trace-009.json": ": trace.steps[0].state.endpoints[0].name: endpoint 1 of the run is",
    "trace-010.json": ": #meta.tcpcheck.length: says 4 actions",
    "trace-011.json": ": trace.endpoint_names: a trace has two endpoints",
    "trace-012.json": ": trace.endpoint_names: a trace has two endpoints",
    "trace-013.json": ": trace.steps[0].index: step 0 of the run says it is step 1",
}


@pytest.mark.parametrize("name,command,seen", _cases(), ids=[c[0] for c in _cases()])
def test_each_input_that_once_crashed_is_refused_clearly(name, command, seen, monkeypatch):
    monkeypatch.chdir(ROOT)
    file = str(CORPUS / name)
    argv = [file if word == "FILE" else word for word in command.split()[1:]]
    code, out, err = tcpcheck(*argv)
    assert_no_crash(code, out, err, argv)
    assert code == 2 and out == ""
    assert err.startswith(f"tcpcheck: error: {file}{REFUSED_AT[name]}"), err


def test_the_corpus_holds_every_case():
    assert sorted(p.name for p in CORPUS.glob("trace-*.json")) == sorted(REFUSED_AT)
