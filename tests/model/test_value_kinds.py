"""Values must suit where they go: ghost fields in a send, timer durations, set elements."""

from __future__ import annotations

import pytest

from tcpcheck.diagnostics import ModelError
from tcpcheck.loader import load_string

OTHER = "endpoint b { states B initial B }\n"


def _codes(text: str):
    with pytest.raises(ModelError) as info:
        load_string(text)
    return [(d.code, d.span.line) for d in info.value.errors]


@pytest.mark.parametrize("field, value", [("bool", "7"), ("0..3", "true"), ("seq", "false")])
def test_a_ghost_field_takes_only_values_of_its_type(field, value):
    text = (f"model m\nsegment {{ ghost g : {field} }}\n"
            "endpoint a { states A initial A\n"
            f"  transition t: A -> A on open {{ send SYN(g={value}) }} }}\n" + OTHER)
    assert _codes(text) == [("type", 4)]


@pytest.mark.parametrize("duration", ["true", "{1, 2}"])
def test_a_timer_duration_is_a_number(duration):
    text = ("model m\nendpoint a { states A initial A timer t\n"
            f"  transition go: A -> A on open {{ start t {duration} }} }}\n" + OTHER)
    assert _codes(text) == [("type", 3)]


@pytest.mark.parametrize("decl, stmt", [
    ("var s : set of 0..3", "s := {true}"),
    ("var s : set of bool", "s := {1}"),
])
def test_sets_do_not_mix_bools_and_numbers(decl, stmt):
    text = (f"model m\nendpoint a {{ states A initial A {decl}\n"
            f"  transition go: A -> A on open {{ {stmt} }} }}\n" + OTHER)
    assert _codes(text) == [("type", 3)]


def test_membership_and_equality_need_matching_kinds():
    text = ("model m\nendpoint a { states A initial A var s : set of 0..3 var b : set of bool }\n"
            + OTHER + "property p: always 1 in a.b\nproperty q: always a.s == a.b\n")
    assert _codes(text) == [("type", 4), ("type", 5)]
