"""Ghost segment fields may not take a built-in field's name (`seq` is a keyword, refused by
the grammar): `s.dst` in a quantifier is
the endpoint a segment travels to (a field named dst once compiled to a name that does not
exist and crashed the checker)."""

import pytest

from tcpcheck.diagnostics import ModelError
from tcpcheck.loader import load_string

MODEL = """
model m
segment {{ ghost {name} : 0..1 }}
endpoint a {{ states S  initial S  transition go: S -> S on open {{ send SYN(seq=0) }} }}
endpoint b {{ states S  initial S }}
"""


@pytest.mark.parametrize("name", ["ack", "age", "dst", "SYN"])
def test_a_built_in_name_is_refused(name):
    with pytest.raises(ModelError) as err:
        load_string(MODEL.format(name=name))
    assert str(err.value) == (f"<string>:3:17: segment field '{name}' is declared twice or "
                              "is a built-in field")


def test_other_names_are_fine():
    load_string(MODEL.format(name="to_tcb"))
