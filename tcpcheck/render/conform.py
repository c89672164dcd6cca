"""``tcpcheck conform``: a ConformResult (tcpcheck/analyses/conform.py) as text or JSON.

A renderer never explores: everything printed is in the records.  Segments are written as
the sequence charts write them (``SYN+ACK seq=0 ack=1``), with the numbers the check
compared: relative to their side's first number, reduced modulo the sequence space.
"""

from __future__ import annotations

import textwrap

from tcpcheck import __version__
from tcpcheck.analyses.conform import CONFORMS, DIVERGES, STOPPED, UNCHECKED
from tcpcheck.model.ir import flag_text
from tcpcheck.render import json as render_json

VERDICT_TEXT = {CONFORMS: "conforms", DIVERGES: "DIVERGES", STOPPED: "NOT DECIDED (stopped)",
                UNCHECKED: "not checked"}
WIDTH = 100
MAX_LISTED = 12  # allowed segments and control states listed in text (JSON has them all)


def text(result) -> str:
    cap = result.capture
    lines = [f"model {result.model}, capture {cap.path}", f"  {cap.format}: {_counts(cap)}",
             f"  {result.endpoints[0]}: the side that opened; {result.endpoints[1]}: its peer",
             *_given(result),
             f"  numbers: relative to each side's first number (its ISN), modulo the model's "
             f"sequence space ({result.seqspace})"]
    for v in result.verdicts:
        lines.extend(_connection(v, result))
    lines.append(_summary(result))
    return "\n".join(lines)


def _counts(cap) -> str:
    parts = [_plural(cap.total, "packet"), _plural(len(cap.packets), "TCP segment")]
    if cap.non_tcp:
        parts.append(f"{cap.non_tcp:,} not TCP, left out")
    if cap.malformed:
        parts.append(f"{cap.malformed:,} malformed, left out")
    if cap.truncated:
        parts.append("the file ends inside a packet record, which is left out")
    return ", ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _endpoint(address: tuple) -> str:
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _connection(v, result) -> list:
    head = (f"  {v.number}. {_endpoint(v.opener)} -> {_endpoint(v.responder)} (incarnation "
            f"{v.incarnation}, {_plural(v.segments, 'segment')})  {VERDICT_TEXT[v.verdict]}")
    if v.verdict == CONFORMS:
        return [head + _reduced(v, result)]
    names = result.endpoints
    at = v.at
    lines = [f"{head} at segment {at.index} (frame {at.frame})", f"       why: {v.reason}"]
    if v.verdict != DIVERGES:
        return lines
    lines.append(f"       seen:    {names[at.side]} {_seen(at, result.seqspace, result.fields)}")
    shown = [f"{names[a.side]} {_allowed(a)}" for a in v.allowed]
    lines.extend(_wrapped("allowed: ", _listed(shown) or ["silence (no segment)"]))
    states = [f"{names[0]} {a}, {names[1]} {b}" for a, b in v.states]
    lines.extend(_wrapped("states:  ", _listed(states)))
    if v.reduced:
        lines.append(f"       (relative numbers up to {v.largest:,} were reduced modulo "
                     f"{result.seqspace})")
    return lines


def _listed(items: list) -> list:
    if len(items) <= MAX_LISTED:
        return items
    return items[:MAX_LISTED] + [f"and {len(items) - MAX_LISTED} more (--json lists all)"]


def _given(result) -> list:
    if result.endpoint == "both":
        return []
    given = result.endpoints[1 if result.endpoint == "client" else 0]
    return [f"  --endpoint {result.endpoint}: the {given}'s segments are taken as given, "
            f"not checked"]


def _wrapped(label: str, items: list) -> list:
    """``items`` after ``label``, separated by "; ", wrapped at WIDTH between items."""
    glued = "; ".join(item.replace(" ", "\0") for item in items)  # no break inside an item
    lines = textwrap.wrap(glued, WIDTH, initial_indent=" " * 7 + label,
                          subsequent_indent=" " * (7 + len(label)), break_on_hyphens=False)
    return [line.replace("\0", " ") for line in lines]


def _reduced(v, result) -> str:
    if not v.reduced:
        return ""
    return f" (relative numbers up to {v.largest:,} reduced modulo {result.seqspace})"


def _segment(flags: int, seq: int, ack, length=None, window=None) -> str:
    """``ACK seq=1 ack=1 len=2 wnd=4``: len and wnd when the model declares them."""
    text = f"{flag_text(flags)} seq={seq}" + ("" if ack is None else f" ack={ack}")
    text += "" if length is None else f" len={length}"
    return text + ("" if window is None else f" wnd={window}")


def _seen(o, modulus: int, fields: tuple = ()) -> str:
    """The captured segment; its payload and window as len= and wnd= when the model
    declares those fields (the window as seen, before the model's range reads it)."""
    text = _segment(o.flags, o.seq % modulus, None if o.ack is None else o.ack % modulus,
                    o.payload if "len" in fields else None,
                    o.window if "wnd" in fields else None)
    if o.payload and "len" not in fields:
        text += f" with {_plural(o.payload, 'byte')} of data"
    return text


def _allowed(a) -> str:
    return _segment(a.flags, a.seq, a.ack, a.len, a.wnd) + ("" if a.relative else " (model numbers)")


def _summary(result) -> str:
    n = len(result.verdicts)
    parts = [f"{result.count(CONFORMS):,} conform", f"{result.count(DIVERGES):,} diverge"]
    if result.count(UNCHECKED):
        parts.append(f"{result.count(UNCHECKED):,} not checked")
    if result.count(STOPPED):
        parts.append(f"{result.count(STOPPED):,} not decided")
    return (f"{n:,} connection{'s' if n != 1 else ''}: " + ", ".join(parts)
            + f" ({result.seconds:.2f} s)")


def result_json(result) -> dict:
    """``tcpcheck conform --json`` (spec/JSON.md)."""
    cap = result.capture
    return {
        "schema": render_json.SCHEMA_VERSION, "tcpcheck": __version__,
        "model": result.model, "endpoints": list(result.endpoints),
        "endpoint": result.endpoint, "seqspace": result.seqspace,
        "capture": {"file": cap.path, "format": cap.format, "link_type": cap.link,
                    "packets": cap.total, "tcp_segments": len(cap.packets),
                    "non_tcp": cap.non_tcp, "malformed": cap.malformed,
                    "truncated": cap.truncated},
        "connections": [_connection_json(v, result.seqspace) for v in result.verdicts],
        "counts": {k: result.count(k) for k in (CONFORMS, DIVERGES, UNCHECKED, STOPPED)},
        "seconds": round(result.seconds, 3),
        "exit_code": result.exit_code,
    }


def _connection_json(v, modulus: int) -> dict:
    found = {
        "number": v.number, "opener": _address(v.opener), "responder": _address(v.responder),
        "incarnation": v.incarnation, "segments": v.segments, "verdict": v.verdict,
        "reduced": v.reduced, "largest_relative": v.largest,
    }
    if v.at is not None:
        found.update(at=_observation(v.at, modulus), reason=v.reason,
                     allowed=[_allowed_json(a) for a in v.allowed],
                     states=[list(s) for s in v.states])
    return found


def _address(address: tuple) -> dict:
    return {"address": address[0], "port": address[1]}


def _observation(o, modulus: int) -> dict:
    return {"segment": o.index, "frame": o.frame, "side": o.side, "flags": flag_text(o.flags),
            "seq": o.seq % modulus, "ack": None if o.ack is None else o.ack % modulus,
            "relative_seq": o.seq, "relative_ack": o.ack, "payload": o.payload,
            "window": o.window}


def _allowed_json(a) -> dict:
    data = {k: v for k, v in (("len", a.len), ("wnd", a.wnd)) if v is not None}
    return {"side": a.side, "flags": flag_text(a.flags), "seq": a.seq, "ack": a.ack,
            **data, "relative": a.relative}
