"""Saved runs -> the records of tcpcheck.trace, so that a trace can move between tools.

:func:`load_trace` reads any of:

* a whole result, as ``tcpcheck check|prove MODEL --json`` prints it (``properties``; a
  property's trace is chosen by name, by default the first one present), or ``tcpcheck
  synth --json`` (its ``below`` result);
* a trace file, as ``tcpcheck trace FILE --format json`` prints it (``trace``, with the
  model ``file`` and ``seqspace``);
* a bare trace object (section "Trace" of spec/JSON.md);
* an ITF file as :mod:`tcpcheck.render.itf` writes it.

It rebuilds exactly the :class:`~tcpcheck.trace.Trace` that was written.  Every problem
with a file is a :class:`~tcpcheck.diagnostics.UsageError` that names the file and the
place in it (``properties[0].trace.steps[2].state``): nothing here prints.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from tcpcheck.diagnostics import UsageError, did_you_mean
from tcpcheck.model.ir import FLAG_NAMES
from tcpcheck.render import itf as itf_format
from tcpcheck.trace import EndpointView, SegmentView, Snapshot, Step, Trace


@dataclass(frozen=True)
class LoadedTrace:
    """A trace read from a file, with what the file says about where it came from."""

    trace: Trace
    model: str  # the model's name
    file: str | None  # the model file the run was found in, when the file records it
    seqspace: int | None  # the sequence-number modulus, when recorded (prove); else the model's
    source: str  # the file read
    format: str  # "result", "trace-file", "trace" or "itf"


def load_trace(path, property: str | None = None, counterexample: int = 1) -> LoadedTrace:
    """Read the trace in ``path``.  In a whole result, ``property`` picks the property (by
    default the first with a trace) and ``counterexample`` which of its counterexamples
    (1 = the shortest, ``trace``; more exist when the check asked for several)."""
    text = _read(path)
    data = _parse_json(text, str(path))
    try:
        return _load(data, str(path), property, counterexample)
    except _Bad as bad:
        raise UsageError(f"{path}: {bad}") from None


# ---- files ---------------------------------------------------------------------------------

def _read(path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no such trace file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a trace file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read {path}: {err}") from None


def _parse_json(text: str, path: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        lines = text.splitlines()
        where = f"{path}:{err.lineno}:{err.colno}"
        message = f"{where}: not a JSON file: {err.msg}"
        if 1 <= err.lineno <= len(lines):
            line = lines[err.lineno - 1].replace("\t", " ")
            gutter = f"{err.lineno:>5} | "
            message += f"\n{gutter}{line}\n{' ' * (len(gutter) - 2)}| {' ' * (err.colno - 1)}^"
        raise UsageError(message) from None


class _Bad(Exception):
    """The file is JSON but not what it should be; the message says where."""


def _load(data, path: str, prop: str | None, counterexample: int) -> LoadedTrace:
    if not isinstance(data, dict):
        raise _Bad(f"expected a JSON object (a tcpcheck result, trace or ITF trace), found "
                   f"{_kind(data)}")
    if "states" in data and "vars" in data:
        trace, info = trace_from_itf(data)
        _want_property(trace, prop)
        return LoadedTrace(trace, trace.model, info.get("file"), info.get("seqspace"), path,
                           "itf")
    if "properties" in data or "below" in data:
        return _from_result(data, path, prop, counterexample)
    if "trace" in data:
        trace = trace_from_json(_get(data, "trace", "", dict), "trace")
        _want_property(trace, prop)
        return LoadedTrace(trace, trace.model, _get(data, "file", "", str, None),
                           _get(data, "seqspace", "", int, None), path, "trace-file")
    if "steps" in data:
        trace = trace_from_json(data, "")
        _want_property(trace, prop)
        return LoadedTrace(trace, trace.model, None, None, path, "trace")
    raise _Bad("not a tcpcheck trace: expected the output of 'tcpcheck check --json' "
               "(with 'properties'), a trace (with 'steps') or an ITF trace (with 'vars' and "
               "'states')")


def _from_result(data: dict, path: str, prop: str | None, counterexample: int) -> LoadedTrace:
    if "properties" in data:
        results = _get(data, "properties", "", list)
        where = "properties"
    else:
        results = [_get(data, "below", "", dict)]
        where = "below"
    named = list(enumerate(results))
    for i, r in named:
        _get(r, "name", f"{where}[{i}]", str)
    i, r = _choose_property(named, prop)
    place = f"{where}[{i}]"
    runs = _get(r, "counterexamples", place, list, None) or []
    first = _get(r, "trace", place, dict)
    if counterexample < 1 or counterexample > max(1, len(runs)):
        found = max(1, len(runs))
        raise _Bad(f"property '{r['name']}' has {found} counterexample"
                   f"{'s' if found != 1 else ''} in this file, so there is no number "
                   f"{counterexample}")
    if counterexample == 1:
        trace = trace_from_json(first, f"{place}.trace")
    else:
        run = runs[counterexample - 1]
        trace = trace_from_json(run, f"{place}.counterexamples[{counterexample - 1}]")
    return LoadedTrace(trace, _get(data, "model", "", str, None) or trace.model,
                       _get(data, "file", "", str, None), _get(data, "seqspace", "", int, None),
                       path, "result")


def _choose_property(named: list, prop: str | None):
    """The (position, result) to read: ``prop``'s, or the first with a trace."""
    with_trace = [(i, r) for i, r in named if r.get("trace") is not None]
    if prop is None:
        if not with_trace:
            statuses = ", ".join(f"{r['name']} {r.get('status')}" for _, r in named) or "none"
            raise _Bad(f"no property in this file has a trace ({statuses})")
        return with_trace[0]
    for i, r in named:
        if r["name"] == prop:
            if r.get("trace") is None:
                raise _Bad(f"property '{prop}' has no trace in this file: its status is "
                           f"{r.get('status')}; these have one: "
                           f"{', '.join(x['name'] for _, x in with_trace) or 'none'}")
            return i, r
    names = [r["name"] for _, r in named]
    hint = did_you_mean(prop, names)
    raise _Bad(f"no property '{prop}' in this file" + (f" ({hint})" if hint else "")
               + f"; it has: {', '.join(names) or 'none'}")


def _want_property(trace: Trace, prop: str | None) -> None:
    """A file with one trace: ``--property`` may only name the property it belongs to."""
    if prop is not None and prop != trace.property:
        hint = did_you_mean(prop, [trace.property] if trace.property else [])
        raise _Bad(f"this file holds one trace, of property '{trace.property}', not "
                   f"'{prop}'" + (f" ({hint})" if hint else ""))


# ---- field access ---------------------------------------------------------------------------

def _get(obj, key: str, where: str, *types):
    """``obj[key]``, checked against ``types`` (``None`` allows null).  Listing ``None``
    among the types also makes the field optional, for files from before it existed."""
    if not isinstance(obj, dict):
        raise _Bad(f"{where or 'the top level'}: expected an object, found {_kind(obj)}")
    path = f"{where}.{key}" if where else key
    if key not in obj:
        if None in types:
            return None
        raise _Bad(f"{where or 'the top level'}: missing field '{key}'")
    value = obj[key]
    if not any(_is(value, t) for t in types):
        raise _Bad(f"{path}: expected {' or '.join(_TYPE_WORDS[t] for t in types)}, "
                   f"found {_kind(value)}")
    return value


_TYPE_WORDS = {str: "a string", int: "an integer", bool: "true or false", list: "a list",
               dict: "an object", None: "null"}


def _is(value, t) -> bool:
    if t is None:
        return value is None
    if t is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, t)


def _kind(value) -> str:
    for t in (None, bool, int, str, list, dict):
        if _is(value, t):
            return _TYPE_WORDS[t]
    return "a number with a fraction" if isinstance(value, float) else type(value).__name__


def _field(obj, key: str, where: str):
    """``obj[key]`` of any type (the caller checks it, with a better message)."""
    if not isinstance(obj, dict) or key not in obj:
        _get(obj, key, where, dict)  # raises: not an object, or the field is missing
    return obj[key]


def _items(obj, key: str, where: str) -> list:
    return list(enumerate(_get(obj, key, where, list)))


# ---- the JSON of render/json.py -----------------------------------------------------------

def trace_from_json(data, where: str = "") -> Trace:
    """The Trace that ``tcpcheck.render.json.trace`` wrote as ``data``."""
    w = lambda k: f"{where}.{k}" if where else k
    steps = tuple(_json_step(s, f"{w('steps')}[{i}]") for i, s in _items(data, "steps", where))
    if not steps:
        raise _Bad(f"{w('steps')}: a trace has at least its initial state")
    length = _get(data, "length", where, int, None)
    if length is not None and length != len(steps) - 1:
        raise _Bad(f"{w('length')}: says {length} actions but 'steps' has {len(steps)} "
                   "entries (it should have length + 1)")
    names = _get(data, "endpoint_names", where, list, None)
    if names is None:  # written before the field existed: the snapshots name them
        names = [e.name for e in steps[0].state.endpoints]
    if not all(isinstance(n, str) for n in names):
        raise _Bad(f"{w('endpoint_names')}: expected a list of strings")
    params = tuple((k, _json_int(v, f"{w('params')}.{k}"))
                   for k, v in (_get(data, "params", where, dict, None) or {}).items())
    return Trace(_get(data, "model", where, str), steps, _get(data, "kind", where, str),
                 _get(data, "property", where, str, None),
                 _get(data, "loop_start", where, int, None), tuple(names), params)


def _json_int(v, where: str) -> int:
    if not _is(v, int):
        raise _Bad(f"{where}: expected an integer, found {_kind(v)}")
    return v


def _json_step(data, where: str) -> Step:
    g = lambda key, *types: _get(data, key, where, *types)
    seg = lambda key: _json_segment(g(key, dict, None), f"{where}.{key}")
    segs = lambda key: tuple(_json_segment(s, f"{where}.{key}[{i}]")
                             for i, s in _items(data, key, where))
    return Step(g("index", int), g("actor", str), g("kind", str), g("summary", str),
                _json_snapshot(g("state", dict), f"{where}.state"),
                transition=g("transition", str, None), trigger=g("trigger", str, None),
                received=seg("received"), sent=segs("sent"), overflowed=segs("overflowed"),
                expired=segs("expired"), segment=seg("segment"))


def _json_snapshot(data, where: str) -> Snapshot:
    endpoints = tuple(_json_endpoint(e, f"{where}.endpoints[{i}]")
                      for i, e in _items(data, "endpoints", where))
    flight = tuple(_json_segment(s, f"{where}.in_flight[{i}]")
                   for i, s in _items(data, "in_flight", where))
    return Snapshot(endpoints, flight, _get(data, "lost", where, int),
                    _get(data, "duplicated", where, int))


def _json_endpoint(data, where: str) -> EndpointView:
    variables = tuple((k, _json_value(v, f"{where}.variables.{k}"))
                      for k, v in _get(data, "variables", where, dict).items())
    timers = []
    for k, v in _get(data, "timers", where, dict).items():
        if not (v is None or _is(v, int)):
            raise _Bad(f"{where}.timers.{k}: expected ticks left (an integer) or null, "
                       f"found {_kind(v)}")
        timers.append((k, v))
    return EndpointView(_get(data, "name", where, str), _get(data, "state", where, str),
                        _get(data, "incarnation", where, int), variables, tuple(timers))


def _json_segment(data, where: str) -> SegmentView | None:
    if data is None:
        return None
    flags = _get(data, "flags", where, list)
    ghosts = tuple((k, _json_value(v, f"{where}.ghosts.{k}"))
                   for k, v in _get(data, "ghosts", where, dict).items())
    return SegmentView(_get(data, "src", where, str), _get(data, "dst", where, str),
                       _flag_text(flags, f"{where}.flags"), _get(data, "seq", where, int),
                       _get(data, "ack", where, int), ghosts, _get(data, "age", where, int))


def _json_value(v, where: str):
    if isinstance(v, bool) or _is(v, int):
        return v
    if isinstance(v, list) and all(_is(x, int) for x in v):
        return tuple(v)  # a set, as its elements in increasing order
    raise _Bad(f"{where}: expected true/false, an integer or a list of integers, "
               f"found {_kind(v)}")


def _flag_text(flags: list, where: str) -> str:
    unknown = [f for f in flags if f not in FLAG_NAMES]
    if unknown:
        hint = did_you_mean(str(unknown[0]), FLAG_NAMES)
        raise _Bad(f"{where}: unknown flag {unknown[0]!r}" + (f" ({hint})" if hint else "")
                   + f"; flags are {', '.join(FLAG_NAMES)}")
    return "+".join(flags) if flags else "none"


# ---- ITF ------------------------------------------------------------------------------------

def trace_from_itf(data) -> tuple[Trace, dict]:
    """The Trace that ``tcpcheck.render.itf.itf`` wrote as ``data``, and the facts of its
    ``#meta.tcpcheck`` (``file``, ``seqspace``, ...)."""
    meta = data.get("#meta") if isinstance(data.get("#meta"), dict) else {}
    info = meta.get("tcpcheck")
    if not isinstance(info, dict):
        raise _Bad("an ITF trace, but not one tcpcheck wrote: '#meta.tcpcheck' is missing "
                   "(tcpcheck reads back the ITF files it writes)")
    names = _get(info, "endpoint_names", "#meta.tcpcheck", list)
    variables = _get(data, "vars", "", list)
    for name in [itf_format.ACTION_TAKEN, itf_format.STEP, *names, itf_format.CHANNEL]:
        if name not in variables:
            raise _Bad(f"vars: the variable '{name}' is missing")
    states = _items(data, "states", "")
    if not states:
        raise _Bad("states: a trace has at least its initial state")
    steps = tuple(_itf_step(s, f"states[{i}]", names, i) for i, s in states)
    params = tuple((k, _json_int(v, f"#meta.tcpcheck.params.{k}"))
                   for k, v in (_get(info, "params", "#meta.tcpcheck", dict, None) or {}).items())
    trace = Trace(_get(info, "model", "#meta.tcpcheck", str), steps,
                  _get(info, "kind", "#meta.tcpcheck", str),
                  _get(info, "property", "#meta.tcpcheck", str, None),
                  _get(data, "loop", "", int, None), tuple(names), params)
    facts = {"file": _get(info, "file", "#meta.tcpcheck", str, None),
             "seqspace": _get(info, "seqspace", "#meta.tcpcheck", int, None)}
    return trace, facts


def _itf_step(data, where: str, names: list, position: int) -> Step:
    meta = _get(data, "#meta", where, dict, None) or {}
    index = _get(meta, "index", f"{where}.#meta", int, None)
    record = _get(data, itf_format.STEP, where, dict)
    at = f"{where}.{itf_format.STEP}"
    g = lambda key, *types: _get(record, key, at, *types)
    option = lambda key, *types: _itf_option(_field(record, key, at), f"{at}.{key}", *types)
    seg = lambda key: _itf_segment(option(key), f"{at}.{key}")
    segs = lambda key: tuple(_itf_segment(s, f"{at}.{key}[{i}]")
                             for i, s in _items(record, key, at))
    endpoints = tuple(_itf_endpoint(_get(data, n, where, dict), n, f"{where}.{n}")
                      for n in names)
    chan = _get(data, itf_format.CHANNEL, where, dict)
    cw = f"{where}.{itf_format.CHANNEL}"
    flight = tuple(_itf_segment(s, f"{cw}.in_flight[{i}]")
                   for i, s in _items(chan, "in_flight", cw))
    snap = Snapshot(endpoints, flight, _itf_int(_get(chan, "lost", cw, dict, int), f"{cw}.lost"),
                    _itf_int(_get(chan, "duplicated", cw, dict, int), f"{cw}.duplicated"))
    return Step(position if index is None else index, g("actor", str), g("kind", str),
                g("summary", str), snap,
                transition=option("transition", str), trigger=option("trigger", str),
                received=seg("received"), sent=segs("sent"), overflowed=segs("overflowed"),
                expired=segs("expired"), segment=seg("segment"))


def _itf_endpoint(data: dict, name: str, where: str) -> EndpointView:
    variables = tuple((k, _itf_value(v, f"{where}.variables.{k}"))
                      for k, v in _get(data, "variables", where, dict).items())
    timers = []
    for k, v in _get(data, "timers", where, dict).items():
        left = _itf_option(v, f"{where}.timers.{k}")
        timers.append((k, None if left is None else _itf_int(left, f"{where}.timers.{k}")))
    return EndpointView(name, _get(data, "state", where, str),
                        _itf_int(_get(data, "incarnation", where, dict, int),
                                 f"{where}.incarnation"), variables, tuple(timers))


def _itf_segment(data, where: str) -> SegmentView | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise _Bad(f"{where}: expected a segment record, found {_kind(data)}")
    flags = _get(data, "flags", where, dict)
    members = flags.get("#set")
    if not isinstance(members, list):
        raise _Bad(f"{where}.flags: expected a set of flag names ({{\"#set\": [...]}})")
    ordered = sorted(members, key=lambda f: FLAG_NAMES.index(f) if f in FLAG_NAMES else -1)
    ghosts = tuple((k, _itf_value(v, f"{where}.ghosts.{k}"))
                   for k, v in _get(data, "ghosts", where, dict).items())
    num = lambda key: _itf_int(_get(data, key, where, dict, int), f"{where}.{key}")
    return SegmentView(_get(data, "src", where, str), _get(data, "dst", where, str),
                       _flag_text(ordered, f"{where}.flags"), num("seq"), num("ack"), ghosts,
                       num("age"))


_BIGINT = re.compile(r"-?[0-9]+")


def _itf_int(v, where: str) -> int:
    """``{"#bigint": "-12"}``, or a plain JSON integer (ITF allows both)."""
    if _is(v, int):
        return v
    if isinstance(v, dict) and set(v) == {"#bigint"} and isinstance(v["#bigint"], str) \
            and _BIGINT.fullmatch(v["#bigint"]):
        return int(v["#bigint"])
    raise _Bad(f"{where}: expected an integer ({{\"#bigint\": \"42\"}}), found {_kind(v)}")


def _itf_value(v, where: str):
    if isinstance(v, bool):
        return v
    if isinstance(v, dict) and "#set" in v:
        if not isinstance(v["#set"], list):
            raise _Bad(f"{where}: '#set' holds a list")
        return tuple(sorted(_itf_int(x, f"{where}.#set[{i}]") for i, x in enumerate(v["#set"])))
    return _itf_int(v, where)


def _itf_option(v, where: str, *types):
    """Quint's ``Option``: the value of ``Some``, or None."""
    if not isinstance(v, dict) or v.get("tag") not in ("Some", "None") or "value" not in v:
        raise _Bad(f"{where}: expected an option ({{\"tag\": \"Some\", \"value\": ...}} or "
                   f"{{\"tag\": \"None\", ...}}), found {_kind(v)}")
    if v["tag"] == "None":
        return None
    value = v["value"]
    if types and not any(_is(value, t) for t in types):
        raise _Bad(f"{where}.value: expected {' or '.join(_TYPE_WORDS[t] for t in types)}, "
                   f"found {_kind(value)}")
    return value
