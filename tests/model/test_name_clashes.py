"""Names that would silently mean something else are errors; a pattern that can hardly
match anything is a warning."""

from __future__ import annotations

import pytest

from tcpcheck.diagnostics import ModelError
from tcpcheck.loader import load_string

OTHER = "endpoint b { states B initial B }\n"


def test_a_quantifier_may_not_be_called_seg():
    with pytest.raises(ModelError) as info:
        load_string("model m\nendpoint a { states A initial A\n"
                    "  transition t: A -> A on recv SYN }\n" + OTHER +
                    "property p: always at a.t: exists seg in channel: seg.SYN\n")
    assert [(d.code, d.span.line, d.span.column) for d in info.value.errors] == \
        [("duplicate", 5, 35)]


def test_a_flagless_pattern_without_dots_is_a_warning():
    model = load_string("model m\nendpoint a { states A initial A\n"
                        "  transition t: A -> A on recv -RST }\n" + OTHER)
    assert [(w.code, w.span.line) for w in model.warnings] == [("flags", 3)]
    quiet = load_string("model m\nendpoint a { states A initial A\n"
                        "  transition t: A -> A on recv -RST ... }\n" + OTHER)
    assert quiet.warnings == ()
