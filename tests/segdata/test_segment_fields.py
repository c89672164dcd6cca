"""The protocol fields ``len`` and ``wnd`` (MANUAL 7) in the language: how they are declared,
where they sit among a segment's fields, what ``seg.seglen`` counts, and the errors for
their misuse (each with a place and, where a name is close, a did-you-mean)."""

from __future__ import annotations

import pytest

from tcpcheck.diagnostics import ModelError
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.loader import load_string
from tcpcheck.model import ir

MODEL = """
model m
segment {{ {fields} }}
endpoint a {{
  states S, T  initial S  terminal S, T
  var n : 0..9
  transition go: S -> T on open {{ {body} }}
}}
endpoint b {{
  states S  initial S  terminal S
  var got : 0..9
  transition take: S -> S on recv ... {{ {take} }}
}}
"""


def model(fields="len : 0..2  wnd : 0..4", body="send ACK(seq=1, len=2, wnd=3)",
          take="got := seg.seglen", more=""):
    return load_string(MODEL.format(fields=fields, body=body, take=take) + more)


def error(**parts) -> str:
    """Every diagnostic of the model, with its hint, one a line."""
    with pytest.raises(ModelError) as err:
        model(**parts)
    return "\n".join(f"{d.span}: {d.message} ({d.hint})" for d in err.value.diagnostics)


def test_protocol_fields_come_first_in_a_fixed_order():
    m = model(fields="ghost conn : 0..1  wnd : 0..4  len : 0..2")
    assert [(f.name, f.ghost) for f in m.ghost_fields] == \
        [("len", False), ("wnd", False), ("conn", True)]
    send = m.endpoints[0].transitions[0].body[0]
    assert [e.value for e in send.ghosts] == [2, 3, 0]  # the ghost takes its default


def test_a_guard_may_read_len_and_wnd_but_not_a_ghost():
    m = model(take="if seg.len > 0 and seg.wnd < 4 { got := seg.len }")
    assert m.endpoints[1].transitions[0].body
    text = error(fields="len : 0..2  wnd : 0..4  ghost g : 0..2",
                 take="if seg.g > 0 { got := 1 }")
    assert "ghost" in text


@pytest.mark.parametrize("flags, length, seglen", [
    ("ACK", 2, 2), ("SYN", 0, 1), ("SYN+ACK", 1, 2), ("FIN+ACK", 2, 3), ("SYN+FIN", 0, 2)])
def test_seglen_counts_syn_and_fin_as_the_rfc_does(flags, length, seglen):
    goals = "".join(f"property got_{k}: reachable b.got == {k}\n" for k in range(5))
    m = model(body=f"send {flags}(seq=1, len={length})", more=goals)
    result = check(m, CheckOptions(stop_when_decided=False))
    reached = {p.name for p in result.properties if p.status == "reached"}
    assert ir.seg_len(ir.flags_of(flags.split("+")), length) == seglen
    assert reached == {"got_0", f"got_{seglen}"}  # 0 before the segment arrives


def test_seglen_without_a_len_field_counts_the_flags_only():
    m = model(fields="ghost conn : 0..1", body="send SYN+FIN(seq=1)")
    field = m.endpoints[1].transitions[0].body[0].value
    assert (field.field, field.ghost_index, field.type) == ("seglen", None, ir.IntType(0, 2))


def test_a_misspelled_protocol_field_gets_a_did_you_mean():
    text = error(fields="lenght : 0..2")
    assert "a segment has no protocol field 'lenght'" in text and "did you mean 'len'" in text


def test_another_unmarked_field_is_told_to_be_a_ghost():
    assert "write 'ghost conn : ...'" in error(fields="conn : 0..1")


def test_len_declared_as_a_ghost_is_refused():
    assert "'len' is a protocol field" in error(fields="ghost len : 0..2")


@pytest.mark.parametrize("type_", ["bool", "seq", "-1..2", "0..70000"])
def test_a_protocol_field_is_a_small_range_from_zero(type_):
    assert "counts octets" in error(fields=f"wnd : {type_}")


@pytest.mark.parametrize("fields", ["len : 0..2  wnd : 5..2", "len : 0..2  wnd : seq",
                                    "len : 0..2  ghost wnd : 0..4"])
def test_a_field_declared_in_error_is_one_error_not_one_per_use(fields):
    # the send of wnd and nothing else: no "declares no wnd field" for a field declared
    text = error(fields=fields, body="send ACK(seq=1, len=2, wnd=3)", take="got := seg.wnd")
    assert len(text.splitlines()) == 1 and "declares no" not in text, text
    assert "SeqType" not in text


def test_reading_an_undeclared_len_says_the_model_declares_none():
    text = error(fields="wnd : 0..4", take="got := seg.len")
    assert "7:51: a segment has no field 'len': the model declares no len field" in text
    assert "12:52: a segment has no field 'len': the model declares no len field" in text


def test_sending_an_undeclared_wnd_gets_a_did_you_mean():
    text = error(fields="len : 0..2", body="send ACK(seq=1, wnd=2)")
    assert "a segment has no field 'wnd': the model declares no wnd field" in text


def test_a_length_from_a_ghost_is_refused():
    text = error(fields="len : 0..2  ghost g : 0..2", body="send ACK(seq=1, len=incarnation)")
    assert "ghost" in text and "len" in text


def test_a_len_outside_its_range_is_a_domains_violation():
    m = model(body="n := 5  send ACK(seq=1, len=n)")
    result = check(m, CheckOptions(stop_when_decided=False))
    domains = next(p for p in result.properties if p.name == "domains")
    assert domains.status == "violated" and "len = 5" in domains.detail


def test_a_variant_may_replace_a_protocol_field():
    # the parse of "replace len : ..." in a segment block (lang/extends merges it by name)
    from tcpcheck.lang.parser import parse
    tree = parse("model v extends \"m.tcp\"\nsegment { replace len : 0..3 }\n", "v.tcp")
    assert tree.edits and tree.edits[0].item.ghost is False
