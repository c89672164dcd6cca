"""Saved runs -> the records of tcpcheck.trace, so that a trace can move between tools.

:func:`load_trace` reads any of:

* a whole result, as ``tcpcheck check|prove MODEL --json`` prints it (``properties``; a
  property's trace is chosen by name, by default the first one present), or ``tcpcheck
  synth --json`` (its ``below`` result);
* a trace file, as ``tcpcheck trace FILE --format json`` prints it (``trace``, with the
  model ``file``, ``seqspace``, ``overrides`` and ``bounds``);
* a bare trace object (section "Trace" of spec/JSON.md);
* an ITF file as :mod:`tcpcheck.trace.itf` writes it.

It rebuilds exactly the :class:`~tcpcheck.trace.Trace` that was written, and only a trace
that keeps the rules of :func:`tcpcheck.trace.trace_problem` (step numbers, the two
endpoints and every snapshot, segment and step that refers to them, the same variables at
every step, fields in range, ...), so that every renderer can trust what it is given.
Every problem with a file is a :class:`~tcpcheck.diagnostics.UsageError` that names the
file and the place in it (``properties[0].trace.steps[2].state``): nothing here prints.

A file is read only if it is a regular file (never a FIFO, a device or a directory, which
could block or never end) of at most :data:`MAX_BYTES`; its JSON may nest at most
:data:`MAX_DEPTH` levels and its integers have at most :data:`MAX_INT_DIGITS` digits.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass

from tcpcheck.diagnostics import UsageError, did_you_mean
from tcpcheck.model.ir import DATA_FIELDS, FLAG_NAMES
from tcpcheck.trace import itf as itf_format
from tcpcheck.trace.records import (NAME, EndpointView, SegmentView, Snapshot, Step, Trace,
                            trace_problem)

MAX_BYTES = 256 * 1024 * 1024  # far above any real result (a long run is a few MiB)
MAX_DEPTH = 64  # a result nests about 10 levels deep
MAX_INT_DIGITS = 100  # sequence numbers have 10; more is a damaged file, not a run
SETTING_WORDS = ("yes", "no", "unbounded")  # the values --set takes besides numbers


@dataclass(frozen=True)
class LoadedTrace:
    """A trace read from a file, with what the file says about where it came from."""

    trace: Trace
    model: str  # the model's name
    file: str | None  # the model file the run was found in, when the file records it
    seqspace: int | None  # the sequence-number modulus of the run, when recorded
    source: str  # the file read
    format: str  # "result", "trace-file", "trace" or "itf"
    # the --set values the model was loaded with, as (name, value) pairs in the order
    # given; None when the file does not record them (written before they were recorded)
    overrides: tuple | None = None
    # the run's effective bounds ({"seqspace", "incarnations", "channel": {...}}), when
    # recorded
    bounds: dict | None = None


def load_trace(path, property: str | None = None, counterexample: int = 1) -> LoadedTrace:
    """Read the trace in ``path``.  In a whole result, ``property`` picks the property (by
    default the first with a trace) and ``counterexample`` which of its counterexamples
    (1 = the shortest, ``trace``; more exist when the check asked for several)."""
    data = read_json(path, "trace file")
    try:
        return _load(data, str(path), property, counterexample)
    except _Bad as bad:
        raise UsageError(f"{path}: {bad}") from None


# ---- files ---------------------------------------------------------------------------------

def read_json(path, what: str = "JSON file"):
    """The JSON value in the file ``path`` (a ``what``), within the limits of the module
    doc; UsageError naming the file (and line and column) otherwise."""
    text = _read(path, what)
    data = _parse_json(text, str(path))
    if not _plain(data):
        _check_depth(text, str(path))  # too deep: says so with the line and column
        raise UsageError(f"{path}: {_unreadable_value(data)}")
    return data


def _read(path, what: str) -> str:
    try:
        # non-blocking, so that opening a FIFO with no writer returns at once (and is then
        # refused below) instead of waiting for ever
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise UsageError(f"no such {what}: {path}") from None
    except (OSError, ValueError) as err:
        raise UsageError(f"cannot read {path}: {getattr(err, 'strerror', None) or err}") \
            from None
    too_big = UsageError(f"{path} is larger than {MAX_BYTES // 2**20} MiB, the most "
                         f"tcpcheck reads as a {what}")
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        os.close(fd)
        if info.st_size > MAX_BYTES and stat.S_ISREG(info.st_mode):
            raise too_big
        raise UsageError(f"{path} is {file_kind(info.st_mode)}, not a {what}; tcpcheck "
                         "reads regular files only")
    with os.fdopen(fd, "rb") as stream:
        chunks, total = [], 0
        try:
            while chunk := stream.read(1 << 20):  # in pieces: the file may grow meanwhile
                total += len(chunk)
                if total > MAX_BYTES:
                    raise too_big
                chunks.append(chunk)
        except OSError as err:
            raise UsageError(f"cannot read {path}: {err.strerror or err}") from None
    data = b"".join(chunks)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise UsageError(f"{path}:{line}:{column}: not UTF-8 text (byte "
                         f"0x{data[err.start]:02x}): a {what} is JSON in UTF-8") from None


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, in words ("a FIFO (named pipe)")."""
    for test, words in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                        (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                        (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return words
    return "not a regular file"


# Strings (so that brackets inside them do not count) and brackets; an unterminated string
# runs to the end of the text, which the JSON reader then reports.
_NESTING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.S)


def _check_depth(text: str, path: str) -> None:
    """Where ``text`` nests deeper than MAX_DEPTH (UsageError with the line and column):
    for JSON that Python's reader, which recurses, could not read."""
    depth = 0
    for match in _NESTING.finditer(text):
        c = text[match.start()]
        if c == '"':
            continue
        depth += 1 if c in "[{" else -1
        if depth > MAX_DEPTH:
            line = text.count("\n", 0, match.start()) + 1
            column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            raise UsageError(f"{path}:{line}:{column}: the JSON is nested more than "
                             f"{MAX_DEPTH} levels deep here; no tcpcheck file nests so deep")


@dataclass(frozen=True)
class _HugeInt:
    """An integer literal too long to read (Python refuses more than 4300 digits, and a
    long one is never a value of a run): kept as its length, reported with its place."""

    digits: int


def _parse_int(text: str):
    digits = len(text) - text.startswith("-")
    return _HugeInt(digits) if digits > MAX_INT_DIGITS else int(text)


def _parse_json(text: str, path: str):
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as err:
        lines = text.splitlines()
        where = f"{path}:{err.lineno}:{err.colno}"
        message = f"{where}: not a JSON file: {err.msg}"
        if 1 <= err.lineno <= len(lines) and len(lines[err.lineno - 1]) <= 200:
            line = lines[err.lineno - 1].replace("\t", " ")
            gutter = f"{err.lineno:>5} | "
            message += f"\n{gutter}{line}\n{' ' * (len(gutter) - 2)}| {' ' * (err.colno - 1)}^"
        raise UsageError(message) from None
    except RecursionError:  # nested some thousand levels deep: say where it goes too deep
        _check_depth(text, path)
        raise UsageError(f"{path}: the JSON is nested too deeply to read") from None


def _plain(data) -> bool:
    """Whether ``data`` nests at most MAX_DEPTH levels and holds no integer too long to read
    and no string that is not Unicode text: the quick test, without places."""
    stack = [([data], 0)]  # in a list, so that a bare value is tested too
    while stack:
        value, depth = stack.pop()
        items = value.items() if type(value) is dict else enumerate(value)
        if depth > MAX_DEPTH:
            return False
        for key, v in items:
            t = type(v)
            if t is dict or t is list:
                stack.append((v, depth + 1))
            elif t is _HugeInt or (t is str and not _is_text(v)) or \
                    (type(key) is str and not _is_text(key)):
                return False
    return True


def _unreadable_value(data) -> str:
    """Why ``data``, which nests at most MAX_DEPTH levels, is not :func:`_plain`, with the
    place: an integer too long to read, or a string that is not Unicode text (a lone
    surrogate such as "\\ud800", which no output can encode)."""
    stack = [(data, ())]
    while stack:
        value, where = stack.pop()
        if isinstance(value, _HugeInt):
            return (f"{_place(where)}: an integer of {value.digits} digits; tcpcheck reads "
                    f"integers of at most {MAX_INT_DIGITS} digits")
        if isinstance(value, str) and not _is_text(value):
            return f"{_place(where)}: a string that is not Unicode text (a lone surrogate)"
        if isinstance(value, dict):
            for key in value:
                if not _is_text(key):
                    return f"{_place(where)}: a key that is not Unicode text (a lone surrogate)"
            stack += [(v, where + (k,)) for k, v in reversed(value.items())]
        elif isinstance(value, list):
            stack += [(v, where + (i,)) for i, v in reversed(list(enumerate(value)))]
    return "a value tcpcheck cannot read"  # not reached: _plain found something


def _is_text(s: str) -> bool:
    if s.isascii():
        return True
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _place(parts: tuple, prefix: str = "") -> str:
    """``properties[0].trace.steps[2]`` from its parts; "the top level" for none."""
    out = prefix
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "the top level"


class _Bad(Exception):
    """The file is JSON but not what it should be; the message says where."""


def _load(data, path: str, prop: str | None, counterexample: int) -> LoadedTrace:
    if not isinstance(data, dict):
        raise _Bad(f"expected a JSON object (a tcpcheck result, trace or ITF trace), found "
                   f"{_kind(data)}")
    if "states" in data and "vars" in data:
        trace, info = trace_from_itf(data)
        _want_property(trace, prop)
        return LoadedTrace(trace, trace.model, info["file"], info["seqspace"], path, "itf",
                           info["overrides"], info["bounds"])
    if "properties" in data or "below" in data:
        return _from_result(data, path, prop, counterexample)
    if "trace" in data:
        run = _run_facts(data, "")
        trace = trace_from_json(_get(data, "trace", "", dict), "trace", run.seqspace)
        _want_property(trace, prop)
        return LoadedTrace(trace, trace.model, run.file, run.seqspace, path, "trace-file",
                           run.overrides, run.bounds)
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
    run = _run_facts(data, "")
    if counterexample == 1:
        trace = trace_from_json(first, f"{place}.trace", run.seqspace)
    else:
        trace = trace_from_json(runs[counterexample - 1],
                                f"{place}.counterexamples[{counterexample - 1}]", run.seqspace)
    return LoadedTrace(trace, _get(data, "model", "", str, None) or trace.model, run.file,
                       run.seqspace, path, "result", run.overrides, run.bounds)


def _choose_property(named: list, prop: str | None):
    """The (position, result) to read: ``prop``'s, or the first with a trace."""
    with_trace = [(i, r) for i, r in named if r.get("trace") is not None]
    if prop is None:
        if not with_trace:
            statuses = ", ".join(f"{r['name']} {_short(r.get('status'))}"
                                 for _, r in named) or "none"
            raise _Bad(f"no property in this file has a trace ({statuses})")
        return with_trace[0]
    for i, r in named:
        if r["name"] == prop:
            if r.get("trace") is None:
                raise _Bad(f"property '{prop}' has no trace in this file: its status is "
                           f"{_short(r.get('status'))}; these have one: "
                           f"{', '.join(x['name'] for _, x in with_trace) or 'none'}")
            return i, r
    names = [r["name"] for _, r in named]
    hint = did_you_mean(prop, names)
    raise _Bad(f"no property '{prop}' in this file" + (f" ({hint})" if hint else "")
               + f"; it has: {', '.join(names) or 'none'}")


def _short(value) -> str:
    """A value of the file quoted in a message: a status, at most 40 characters."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _short_repr(value) -> str:
    text = repr(value) if isinstance(value, str) else _short(value)
    return text if len(text) <= 40 else text[:36] + "...'"


def _want_property(trace: Trace, prop: str | None) -> None:
    """A file with one trace: ``--property`` may only name the property it belongs to."""
    if prop is not None and prop != trace.property:
        hint = did_you_mean(prop, [trace.property] if trace.property else [])
        raise _Bad(f"this file holds one trace, of property '{trace.property}', not "
                   f"'{prop}'" + (f" ({hint})" if hint else ""))


# ---- what a result or trace file says about the run ----------------------------------------

@dataclass(frozen=True)
class _RunFacts:
    file: str | None
    seqspace: int | None  # the modulus of the run: ``seqspace``, else ``bounds.seqspace``
    overrides: tuple | None
    bounds: dict | None


def _run_facts(data: dict, where: str) -> _RunFacts:
    """``file``, ``seqspace``, ``overrides`` and ``bounds`` of a result, a trace file or
    ITF's ``#meta.tcpcheck`` (each optional: older files lack the last two)."""
    w = lambda k: f"{where}.{k}" if where else k
    file = _get(data, "file", where, str, None)
    if file is not None and not (file and file.isprintable() and len(file) <= 4096):
        raise _Bad(f"{w('file')}: a model file's path is one line of printable text, at "
                   "most 4096 characters")
    seqspace = _get(data, "seqspace", where, int, None)
    if seqspace is not None and seqspace < 2:
        raise _Bad(f"{w('seqspace')}: a sequence space has at least 2 numbers, not {seqspace}")
    overrides = _overrides(_get(data, "overrides", where, dict, None), w("overrides"))
    bounds = _bounds(_get(data, "bounds", where, dict, None), w("bounds"))
    if seqspace is None and bounds is not None:
        seqspace = bounds.get("seqspace")
    return _RunFacts(file, seqspace, overrides, bounds)


_SETTING = re.compile(r"((bounds|channel)\.)?[A-Za-z_][A-Za-z0-9_]*")


def _overrides(data: dict | None, where: str) -> tuple | None:
    if data is None:
        return None
    out = []
    for name, value in data.items():
        if not _SETTING.fullmatch(name):
            raise _Bad(f"{where}: {name!r} is not something --set can set (a constant's or "
                       "param's name, bounds.NAME or channel.NAME)")
        if not (_is(value, int) or value in SETTING_WORDS):
            raise _Bad(f"{where}.{name}: expected a whole number, yes, no or unbounded, found "
                       f"{_kind(value)}")
        out.append((name, value))
    return tuple(out)


# The fields of ``bounds`` (and its ``channel``): (types, least value) for those with one.
_BOUND_FIELDS = {"seqspace": ((int,), 2), "incarnations": ((int,), 0)}
_CHANNEL_FIELDS = {"capacity": ((int,), 0), "loss": ((int, None), 0),
                   "duplication": ((int, None), 0), "reordering": ((bool,), None),
                   "msl": ((int, None), 0)}


def _bounds(data: dict | None, where: str) -> dict | None:
    if data is None:
        return None
    out = _fields(data, where, _BOUND_FIELDS)
    channel = _get(data, "channel", where, dict, None)
    if channel is not None:
        out["channel"] = _fields(channel, f"{where}.channel", _CHANNEL_FIELDS)
    return out


def _fields(data: dict, where: str, fields: dict) -> dict:
    out = {}
    for key, (types, least) in fields.items():
        if key not in data:
            continue
        value = _get(data, key, where, *types)
        if least is not None and _is(value, int) and value < least:
            raise _Bad(f"{where}.{key}: expected {least} or more, found {value}")
        out[key] = value
    return out


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


def _consistent(trace: Trace, seqspace: int | None, place) -> Trace:
    """``trace`` if it keeps the rules every renderer relies on; else _Bad naming the
    place in the file (``place`` turns a path of the records into one)."""
    problem = trace_problem(trace, seqspace=seqspace)
    if problem is not None:
        raise _Bad(f"{place(problem.where)}: {problem.message}")
    return trace


# ---- the JSON of render/json.py -----------------------------------------------------------

def trace_from_json(data, where: str = "", seqspace: int | None = None) -> Trace:
    """The Trace that ``tcpcheck.render.json.trace`` wrote as ``data`` (checked: see the
    module doc; ``seqspace``, when known, bounds the segments' numbers)."""
    w = lambda k: f"{where}.{k}" if where else k
    steps = tuple(_json_step(s, f"{w('steps')}[{i}]") for i, s in _items(data, "steps", where))
    if not steps:
        raise _Bad(f"{w('steps')}: a trace has at least its initial state")
    length = _get(data, "length", where, int, None)
    if length is not None and length != len(steps) - 1:
        raise _Bad(f"{w('length')}: says {length} actions but 'steps' has {len(steps)} "
                   "entries (it should have length + 1)")
    names = _get(data, "endpoint_names", where, list, None)
    derived = names is None
    if derived:  # written before the field existed: the snapshots name them
        names = [e.name for e in steps[0].state.endpoints]
    if not all(isinstance(n, str) for n in names):
        raise _Bad(f"{w('endpoint_names')}: expected a list of strings")
    params = tuple((k, _json_int(v, f"{w('params')}.{k}"))
                   for k, v in (_get(data, "params", where, dict, None) or {}).items())
    trace = Trace(_get(data, "model", where, str), steps, _get(data, "kind", where, str),
                  _get(data, "property", where, str, None),
                  _get(data, "loop_start", where, int, None), tuple(names), params)

    def place(parts: tuple) -> str:
        if derived and parts[:1] == ("endpoint_names",):
            return _place(("steps", 0, "state", "endpoints"), where)
        return _place(parts, where)

    return _consistent(trace, seqspace, place)


def _json_int(v, where: str) -> int:
    if not _is(v, int):
        raise _Bad(f"{where}: expected an integer, found {_kind(v)}")
    return v


def _json_step(data, where: str) -> Step:
    g = lambda key, *types: _get(data, key, where, *types)
    seg = lambda key: _json_segment(g(key, dict, None), f"{where}.{key}")
    segs = lambda key: tuple(_json_segment(_listed(s, f"{where}.{key}[{i}]"),
                                           f"{where}.{key}[{i}]")
                             for i, s in _items(data, key, where))
    return Step(g("index", int), g("actor", str), g("kind", str), g("summary", str),
                _json_snapshot(g("state", dict), f"{where}.state"),
                transition=g("transition", str, None), trigger=g("trigger", str, None),
                received=seg("received"), sent=segs("sent"), overflowed=segs("overflowed"),
                expired=segs("expired"), segment=seg("segment"))


def _json_snapshot(data, where: str) -> Snapshot:
    endpoints = tuple(_json_endpoint(e, f"{where}.endpoints[{i}]")
                      for i, e in _items(data, "endpoints", where))
    flight = tuple(_json_segment(_listed(s, f"{where}.in_flight[{i}]"),
                                 f"{where}.in_flight[{i}]")
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


def _listed(segment, where: str):
    """A segment in a list, which is never null (null means "no segment" only where a
    step may have none: ``received`` and ``segment``)."""
    if segment is None:
        raise _Bad(f"{where}: expected a segment, found null")
    return segment


def _json_segment(data, where: str) -> SegmentView | None:
    if data is None:
        return None
    flags = _get(data, "flags", where, list)
    fields = tuple((k, _get(data, k, where, int)) for k in DATA_FIELDS if k in data)
    ghosts = fields + tuple((k, _json_value(v, f"{where}.ghosts.{k}"))
                            for k, v in _get(data, "ghosts", where, dict).items())
    return SegmentView(_get(data, "src", where, str), _get(data, "dst", where, str),
                       _flag_text(flags, f"{where}.flags"), _get(data, "seq", where, int),
                       _get(data, "ack", where, int), ghosts, _get(data, "age", where, int))


def _json_value(v, where: str):
    if isinstance(v, bool) or _is(v, int):
        return v
    if isinstance(v, list) and all(_is(x, int) for x in v):
        return tuple(sorted(set(v)))  # a set, as its elements in increasing order
    raise _Bad(f"{where}: expected true/false, an integer or a list of integers, "
               f"found {_kind(v)}")


def _flag_text(flags: list, where: str) -> str:
    unknown = [f for f in flags if f not in FLAG_NAMES]
    if unknown:
        hint = did_you_mean(str(unknown[0]), FLAG_NAMES)
        raise _Bad(f"{where}: unknown flag {_short_repr(unknown[0])}"
                   + (f" ({hint})" if hint else "") + f"; flags are {', '.join(FLAG_NAMES)}")
    if len(set(flags)) != len(flags):
        raise _Bad(f"{where}: a flag is listed twice")
    ordered = sorted(flags, key=FLAG_NAMES.index)  # SYN+ACK, however the file lists them
    return "+".join(ordered) if ordered else "none"


# ---- ITF ------------------------------------------------------------------------------------

def trace_from_itf(data) -> tuple[Trace, dict]:
    """The Trace that ``tcpcheck.trace.itf.itf`` wrote as ``data`` (checked: see the module
    doc), and the facts of its ``#meta.tcpcheck``: ``file``, ``seqspace``, ``overrides``
    and ``bounds`` (each None when absent)."""
    meta = data.get("#meta") if isinstance(data.get("#meta"), dict) else {}
    info = meta.get("tcpcheck")
    if not isinstance(info, dict):
        raise _Bad("an ITF trace, but not one tcpcheck wrote: '#meta.tcpcheck' is missing "
                   "(tcpcheck reads back the ITF files it writes)")
    at = "#meta.tcpcheck"
    names = _get(info, "endpoint_names", at, list)
    if len(names) != 2 or not all(isinstance(n, str) and NAME.fullmatch(n) for n in names) \
            or names[0] == names[1]:
        raise _Bad(f"{at}.endpoint_names: expected the names of the 2 endpoints, found "
                   f"{_short(names)}")
    variables = _get(data, "vars", "", list)
    for name in [itf_format.ACTION_TAKEN, itf_format.STEP, *names, itf_format.CHANNEL]:
        if name not in variables:
            raise _Bad(f"vars: the variable '{name}' is missing")
    states = _items(data, "states", "")
    if not states:
        raise _Bad("states: a trace has at least its initial state")
    steps = tuple(_itf_step(s, f"states[{i}]", names, i) for i, s in states)
    length = _get(info, "length", at, int, None)
    if length is not None and length != len(steps) - 1:
        raise _Bad(f"{at}.length: says {length} actions but 'states' has {len(steps)} "
                   "entries (it should have length + 1)")
    params = tuple((k, _json_int(v, f"{at}.params.{k}"))
                   for k, v in (_get(info, "params", at, dict, None) or {}).items())
    trace = Trace(_get(info, "model", at, str), steps, _get(info, "kind", at, str),
                  _get(info, "property", at, str, None),
                  _get(data, "loop", "", int, None), tuple(names), params)
    run = _run_facts(info, at)
    _consistent(trace, run.seqspace, lambda parts: _itf_place(parts, names))
    for i, s in states:  # what the file says each step did agrees with the step
        said = _get(s, itf_format.ACTION_TAKEN, f"states[{i}]", str)
        if said != itf_format.action_taken(steps[i]):
            raise _Bad(f"states[{i}].{itf_format.ACTION_TAKEN}: says {_short(said)}, but the "
                       f"step is {itf_format.action_taken(steps[i])!r}")
    facts = {"file": run.file, "seqspace": run.seqspace, "overrides": run.overrides,
             "bounds": run.bounds}
    return trace, facts


def _itf_place(parts: tuple, names: list) -> str:
    """The place in an ITF file of a path of the records (see tcpcheck.trace.TraceProblem)."""
    head = {"endpoint_names": "#meta.tcpcheck.endpoint_names", "loop_start": "loop",
            "model": "#meta.tcpcheck.model", "kind": "#meta.tcpcheck.kind",
            "property": "#meta.tcpcheck.property", "params": "#meta.tcpcheck.params",
            "steps": "states"}
    if parts[0] != "steps" or len(parts) < 3:
        return _place(parts[1:], head[parts[0]])
    i, rest = parts[1], parts[2:]
    state = f"states[{i}]"
    if rest[0] == "index":
        return f"{state}.#meta.index"
    if rest[0] != "state":  # a field of the step record; options hold their value
        field = rest[0] + (".value" if rest[0] in ("received", "segment", "transition",
                                                  "trigger") else "")
        return _place(rest[1:], f"{state}.{itf_format.STEP}.{field}")
    rest = rest[1:]
    if rest[0] == "endpoints" and len(rest) >= 2:
        return _place(rest[2:], f"{state}.{names[rest[1]]}")
    return _place(rest, f"{state}.{itf_format.CHANNEL}")


def _itf_step(data, where: str, names: list, position: int) -> Step:
    meta = _get(data, "#meta", where, dict, None) or {}
    index = _get(meta, "index", f"{where}.#meta", int, None)
    record = _get(data, itf_format.STEP, where, dict)
    at = f"{where}.{itf_format.STEP}"
    g = lambda key, *types: _get(record, key, at, *types)
    option = lambda key, *types: _itf_option(_field(record, key, at), f"{at}.{key}", *types)
    seg = lambda key: _itf_segment(option(key), f"{at}.{key}.value")
    segs = lambda key: tuple(_itf_segment(_listed(s, f"{at}.{key}[{i}]"), f"{at}.{key}[{i}]")
                             for i, s in _items(record, key, at))
    endpoints = tuple(_itf_endpoint(_get(data, n, where, dict), n, f"{where}.{n}")
                      for n in names)
    chan = _get(data, itf_format.CHANNEL, where, dict)
    cw = f"{where}.{itf_format.CHANNEL}"
    flight = tuple(_itf_segment(_listed(s, f"{cw}.in_flight[{i}]"), f"{cw}.in_flight[{i}]")
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
        timers.append((k, None if left is None else _itf_int(left, f"{where}.timers.{k}.value")))
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
    ghosts = tuple((k, _itf_value(v, f"{where}.ghosts.{k}"))
                   for k, v in _get(data, "ghosts", where, dict).items())
    num = lambda key: _itf_int(_get(data, key, where, dict, int), f"{where}.{key}")
    return SegmentView(_get(data, "src", where, str), _get(data, "dst", where, str),
                       _flag_text(members, f"{where}.flags"), num("seq"), num("ack"), ghosts,
                       num("age"))


_BIGINT = re.compile(r"-?[0-9]{1,%d}" % MAX_INT_DIGITS)


def _itf_int(v, where: str) -> int:
    """``{"#bigint": "-12"}``, or a plain JSON integer (ITF allows both)."""
    if _is(v, int):
        return v
    if isinstance(v, dict) and set(v) == {"#bigint"} and isinstance(v["#bigint"], str) \
            and _BIGINT.fullmatch(v["#bigint"]):
        return int(v["#bigint"])
    raise _Bad(f"{where}: expected an integer of at most {MAX_INT_DIGITS} digits "
               f"({{\"#bigint\": \"42\"}}), found {_kind(v)}")


def _itf_value(v, where: str):
    if isinstance(v, bool):
        return v
    if isinstance(v, dict) and "#set" in v:
        if not isinstance(v["#set"], list):
            raise _Bad(f"{where}: '#set' holds a list")
        return tuple(sorted({_itf_int(x, f"{where}.#set[{i}]") for i, x in enumerate(v["#set"])}))
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
