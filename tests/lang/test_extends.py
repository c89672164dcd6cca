"""Variants (``model NAME extends "BASE"``, spec/MANUAL.md 3.1): what the merged model
contains, each error a variant can make, and that checking a variant is checking the
hand-written model it stands for."""

from __future__ import annotations

import io

import pytest

from tcpcheck.cli import main
from tcpcheck.diagnostics import ModelError
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.lang.parser import parse
from tcpcheck.loader import load_file, load_string
from tcpcheck.model.lower import lower
from tcpcheck.render.text import model_error

BASE = """model base "the base"
const A = 1
const B = A + 1
param P = 2 where P >= 1
bounds { seqspace = 4 }
channel { capacity = 2  loss = 1 }
segment { ghost g : bool  ghost h : 0..1 }
endpoint a "endpoint a" {
  states S, T
  initial S
  terminal T
  var x : 0..3
  var y : bool
  timer t
  transition go: S -> T on open { x := B  start t 1 }
  transition back: T -> S on timeout t
  transition stay: S -> S on close
}
endpoint b {
  states U
  initial U
  terminal U
}
property p1: always a.x <= 3
property p2: reachable a.state == T
lemma l1: a.x >= 0
lemma l2: a.x <= 3
"""


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def variant(tmp_path, text: str, name: str = "v.tcp", **kw):
    write(tmp_path, "base.tcp", BASE)
    return load_file(write(tmp_path, name, text), **kw)


def errors(tmp_path, text: str, base: str = BASE) -> ModelError:
    write(tmp_path, "base.tcp", base)
    with pytest.raises(ModelError) as info:
        load_file(write(tmp_path, "v.tcp", text))
    return info.value


def names(items) -> list:
    return [i.name for i in items]


def endpoint(model, name):
    return model.endpoints[model.endpoint_index(name)]


# ---- merge semantics -------------------------------------------------------------------

def test_an_empty_variant_is_the_base_under_its_own_name(tmp_path):
    m = variant(tmp_path, 'model v extends "base.tcp"\n')
    base = load_file(tmp_path / "base.tcp")
    assert m.name == "v" and m.doc is None and m.file.endswith("v.tcp")
    assert m.extends == (str(tmp_path / "base.tcp"),)
    assert m.endpoints == base.endpoints and m.properties == base.properties
    assert m.lemmas == base.lemmas and m.constants == base.constants


def test_the_variants_doc_replaces_the_bases(tmp_path):
    m = variant(tmp_path, 'model v extends "base.tcp"\n"""the variant"""\n'
                          'endpoint a "new a" { }\n')
    assert m.doc == "the variant" and endpoint(m, "a").doc == "new a"


def test_a_replaced_const_keeps_its_place_and_those_below_see_it(tmp_path):
    m = variant(tmp_path, 'model v extends "base.tcp"\nreplace const A = 5\nconst C = B * 2\n')
    assert m.constants == (("A", 5), ("B", 6), ("C", 12))


def test_a_replaced_const_cannot_use_a_const_the_variant_adds(tmp_path):
    err = errors(tmp_path, 'model v extends "base.tcp"\nconst C = 7\nreplace const A = C\n')
    first = err.errors[0]  # then the base's uses of A, which has no value
    assert first.code == "unknown-name" and "'C'" in first.message
    assert first.span.line == 3 and first.span.file.endswith("v.tcp")


def test_replace_and_remove_params_and_consts(tmp_path):
    m = variant(tmp_path, 'model v extends "base.tcp"\n'
                          'replace param P = 0 where P >= 0 "new doc"\n'
                          'replace const B = 3\n')
    assert [(p.name, p.default, p.doc) for p in m.params] == [("P", 0, "new doc")]
    assert dict(m.constants)["B"] == 3
    m = variant(tmp_path, 'model v extends "base.tcp"\nremove param P\n')
    assert m.params == ()


def test_properties_and_lemmas_replaced_in_place_added_at_the_end(tmp_path):
    m = variant(tmp_path, 'model v extends "base.tcp"\n'
                          'property p0: always true\n'
                          'replace property p1: always a.x <= 2 "tighter"\n'
                          'remove property p2\n'
                          'lemma l0: true\n'
                          'replace lemma l1: a.x >= 0 "again"\n'
                          'remove lemma l2\n')
    assert names(m.properties) == ["p1", "p0"]
    assert m.properties[0].doc == "tighter"
    assert names(m.lemmas) == ["l1", "l0"] and m.lemmas[0].doc == "again"


def test_transitions_replaced_in_place_added_after_the_bases(tmp_path):
    m = variant(tmp_path, 'model v extends "base.tcp"\nendpoint a {\n'
                          '  transition first: S -> S on abort\n'
                          '  replace transition go: S -> T on listen\n'
                          '  remove transition back\n'
                          '}\n')
    a = endpoint(m, "a")
    assert names(a.transitions) == ["go", "stay", "first"]
    assert a.transitions[0].trigger.kind == "listen"
    assert a.transitions[0].span.file.endswith("v.tcp")
    assert a.transitions[1].span.file.endswith("base.tcp")


def test_states_variables_and_timers(tmp_path):
    m = variant(tmp_path, 'model v extends "base.tcp"\nendpoint a {\n'
                          '  states W\n'
                          '  initial W\n'
                          '  terminal S, W\n'
                          '  replace ghost var x : 0..5 = 2\n'
                          '  remove var y\n'
                          '  persistent var z : bool\n'
                          '  timer u\n'
                          '  transition w: W -> S on open\n'
                          '}\n')
    a = endpoint(m, "a")
    assert a.states == ("S", "T", "W") and a.states[a.initial] == "W"
    assert {a.states[i] for i in a.terminal} == {"S", "W"}
    assert [(v.name, v.init, v.ghost, v.persistent) for v in a.variables] == \
        [("x", 2, True, False), ("z", False, False, True)]
    assert a.timers == ("t", "u")


def test_removing_a_state_drops_it_from_the_bases_terminal_states(tmp_path):
    m = variant(tmp_path, 'model v extends "base.tcp"\nendpoint a {\n  remove state T\n'
                          '  remove timer t\n  remove transition go, back\n}\n'
                          'remove property p2\n')
    a = endpoint(m, "a")
    assert a.states == ("S",) and a.terminal == frozenset() and a.timers == ()


def test_settings_and_segment_fields(tmp_path):
    m = variant(tmp_path, 'model v extends "base.tcp"\n'
                          'bounds { incarnations = 2 }\n'
                          'channel { loss = no  duplication = 1 }\n'
                          'segment { ghost k : bool  replace ghost h : 0..2  remove ghost g }\n')
    assert m.bounds.seqspace == 4 and m.bounds.incarnations == 2
    assert (m.channel.capacity, m.channel.loss, m.channel.duplication) == (2, 0, 1)
    assert [(f.name, str(f.type)) for f in m.ghost_fields] == [("h", "0..2"), ("k", "bool")]


def test_a_variant_of_a_variant(tmp_path):
    write(tmp_path, "base.tcp", BASE)
    write(tmp_path, "one/v1.tcp", 'model v1 extends "../base.tcp"\nreplace const A = 2\n'
                                  'property p3: always true\n')
    m = load_file(write(tmp_path, "two/v2.tcp", 'model v2 extends "../one/v1.tcp"\n'
                                                'remove property p3\nreplace const B = A * 10\n'))
    assert m.constants == (("A", 2), ("B", 20))
    assert names(m.properties) == ["p1", "p2"]
    assert m.extends == (str(tmp_path / "one" / "v1.tcp"), str(tmp_path / "base.tcp"))


def test_set_overrides_apply_to_the_merged_model(tmp_path):
    m = variant(tmp_path, 'model v extends "base.tcp"\nconst C = 1\n', overrides={"C": 4, "A": 3})
    assert dict(m.constants) == {"A": 3, "B": 4, "C": 4}


def test_load_string_resolves_the_base_from_the_given_file_name(tmp_path):
    write(tmp_path, "base.tcp", BASE)
    m = load_string('model v extends "base.tcp"\n', str(tmp_path / "v.tcp"))
    assert m.name == "v" and names(m.properties) == ["p1", "p2"]


# ---- errors ------------------------------------------------------------------------------

def test_replace_or_remove_of_a_missing_name_with_did_you_mean(tmp_path):
    err = errors(tmp_path, 'model v extends "base.tcp"\n'
                           'replace property p11: always true\n'
                           'remove lemma l11\n'
                           'replace const AA = 1\n'
                           'endpoint a {\n'
                           '  replace transition goo: S -> S on open\n'
                           '  remove state TT\n'
                           '  remove timer tt\n'
                           '  remove var xx\n'
                           '}\n')
    got = [(d.code, d.span.line, d.hint) for d in err.errors]
    assert got == [
        ("unknown-name", 2, "did you mean 'p1'?"),
        ("unknown-name", 3, "did you mean 'l1'?"),
        ("unknown-name", 4, "did you mean 'A'?"),
        ("unknown-transition", 6, "did you mean 'go'?"),
        ("unknown-state", 7, "did you mean 'T'?"),
        ("unknown-timer", 8, "did you mean 't'?"),
        ("unknown-name", 9, "did you mean 'x'?"),
    ]
    assert all(d.span.file.endswith("v.tcp") for d in err.errors)
    assert "base model 'base' has no property" in err.errors[0].message


def test_adding_a_name_the_base_has_says_to_replace_it(tmp_path):
    err = errors(tmp_path, 'model v extends "base.tcp"\n'
                           'property p1: always true\n'
                           'const P = 1\n'
                           'segment { ghost g : bool }\n'
                           'endpoint a {\n  states S\n  var x : bool\n  timer t\n'
                           '  transition go: S -> S on open\n}\n')
    got = [(d.code, d.span.line, d.hint) for d in err.errors]
    assert got == [
        ("duplicate", 2, "write 'replace property p1: ...' to change it"),
        ("duplicate", 3, None),  # a param in the base: no const to replace
        ("duplicate", 4, "write 'replace ghost g : TYPE' to change it"),
        ("duplicate", 6, None),
        ("duplicate", 7, "write 'replace var x : TYPE' to change it"),
        ("duplicate", 8, None),
        ("duplicate", 9, "write 'replace transition go: ...' to change it"),
    ]
    assert "already has param 'P'" in err.errors[1].message


def test_the_wrong_kind_of_item_is_named(tmp_path):
    err = errors(tmp_path, 'model v extends "base.tcp"\nremove property l1\n'
                           'replace const P = 3\n')
    assert [(d.message, d.hint) for d in err.errors] == [
        ("'l1' is a lemma of the base model 'base', not a property", "write 'remove lemma l1'"),
        ("'P' is a param of the base model 'base', not a constant",
         "write 'replace param P'"),
    ]


def test_an_item_changed_twice(tmp_path):
    err = errors(tmp_path, 'model v extends "base.tcp"\nremove property p1\n'
                           'replace property p1: always true\n')
    assert [(d.code, d.span.line) for d in err.errors] == [("duplicate", 3)]


def test_an_endpoint_the_base_does_not_have(tmp_path):
    err = errors(tmp_path, 'model v extends "base.tcp"\nendpoint aa { states Q }\n')
    (d,) = err.errors
    assert d.code == "unknown-name" and d.hint == "did you mean 'a'?"
    assert (d.span.line, d.span.column) == (2, 10)


def test_a_missing_base_file_points_at_the_path(tmp_path):
    with pytest.raises(ModelError) as info:
        load_file(write(tmp_path, "v.tcp", 'model v extends "nowhere/base.tcp"\n'))
    (d,) = info.value.errors
    assert d.code == "extends" and "no such base model file" in d.message
    assert (d.span.line, d.span.column, d.span.end_column) == (1, 17, 35)
    assert "nowhere/base.tcp" in d.message


def test_a_cycle_of_extends(tmp_path):
    write(tmp_path, "x.tcp", 'model x extends "y.tcp"\n')
    write(tmp_path, "y.tcp", 'model y extends "x.tcp"\n')
    with pytest.raises(ModelError) as info:
        load_file(tmp_path / "x.tcp")
    (d,) = info.value.errors
    assert d.code == "extends" and "cycle" in d.message and d.span.file.endswith("y.tcp")
    with pytest.raises(ModelError) as info:
        load_file(write(tmp_path, "self.tcp", 'model s extends "./self.tcp"\n'))
    assert info.value.errors[0].code == "extends"


def test_a_syntax_error_in_the_base_shows_the_bases_file_and_line(tmp_path):
    err = errors(tmp_path, 'model v extends "base.tcp"\nconst Z = 1\n',
                 base=BASE.replace("const B = A + 1", "const B = A +"))
    text = model_error(err)
    assert err.errors[0].code == "syntax" and err.errors[0].span.file.endswith("base.tcp")
    # reported on the base's line 3, where the expression stops short (the parser met
    # 'param' on line 4)
    assert err.errors[0].span.line == 3
    assert "found 'param' on line 4" in err.errors[0].message
    assert "const B = A +" in text


def test_removing_what_the_base_still_uses_points_into_the_base(tmp_path):
    err = errors(tmp_path, 'model v extends "base.tcp"\nendpoint a {\n  remove state T\n}\n')
    first = err.errors[0]
    assert first.code == "unknown-state" and first.span.file.endswith("base.tcp")
    assert first.span.line == 15  # transition go: S -> T
    assert "the variant removes state 'T' at" in first.hint and "v.tcp:3:16" in first.hint
    text = model_error(err)
    assert "  transition go: S -> T on open { x := B  start t 1 }" in text  # the base's text
    assert "remove state T" not in text.split("\n")[1]


def test_errors_in_the_variant_come_before_those_in_the_base(tmp_path):
    err = errors(tmp_path, 'model v extends "base.tcp"\nendpoint a {\n  remove var x\n'
                           '  transition z: S -> S on open { y := 3 }\n}\n')
    files = [d.span.file.rsplit("/", 1)[-1] for d in err.errors]
    assert files[0] == "v.tcp" and "base.tcp" in files
    assert files == sorted(files, key=lambda f: f != "v.tcp")


def test_replace_and_remove_need_a_base(tmp_path):
    with pytest.raises(ModelError) as info:
        load_string(BASE + "remove property p1\nendpoint a { replace var x : bool }\n")
    extends = [(d.code, d.hint) for d in info.value.errors if d.code == "extends"]
    assert extends == [("extends", "write 'model base extends \"BASE.tcp\"'")] * 2


def test_lowering_an_unmerged_variant_is_an_error():
    with pytest.raises(ModelError) as info:
        lower(parse('model v extends "base.tcp"\n'))
    assert "extends" in [d.code for d in info.value.errors]


def test_extends_replace_and_remove_are_reserved_words():
    for word in ("extends", "replace", "remove"):
        with pytest.raises(ModelError):
            parse(f"model m\nconst {word} = 1\n")
    parse("model m\nendpoint a { states state initial state }\n")  # 'state' still a name


# ---- the command line --------------------------------------------------------------------

def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return code, out.getvalue(), err.getvalue()


def test_cli_exits_2_with_the_caret_in_the_right_file(tmp_path):
    write(tmp_path, "base.tcp", BASE)
    bad_name = write(tmp_path, "v.tcp", 'model v extends "base.tcp"\n'
                                        'replace property p3: always true\n')
    in_base = write(tmp_path, "w.tcp", 'model w extends "base.tcp"\n'
                                       'endpoint a {\n  remove timer t\n}\n')
    for command in ("parse", "check"):
        code, out, err = run(command, bad_name)
        assert code == 2 and out == ""
        assert "v.tcp:2:18: error: cannot replace property 'p3'" in err
        assert "    2 | replace property p3: always true\n" in err
        assert "      |                  ^^\n" in err
        assert err.rstrip().endswith("1 error in the model")
        code, out, err = run(command, in_base)
        assert code == 2 and out == ""
        assert "base.tcp:15:49: error: unknown timer 't' (the variant removes timer 't' at " in err
        assert "   15 |   transition go: S -> T on open { x := B  start t 1 }\n" in err
        assert err.rstrip().endswith("2 errors in the model")


def test_cli_exits_2_on_a_missing_base(tmp_path):
    code, out, err = run("check", write(tmp_path, "v.tcp", 'model v extends "gone.tcp"\n'))
    assert code == 2 and "no such base model file" in err and '^^^^^^^^^^' in err


# ---- a variant checks as the model it stands for -----------------------------------------

HANDSHAKE = """model hs
bounds { seqspace = 2 }
channel { capacity = 1  loss = 1  duplication = no }
endpoint client {
  states CLOSED, SYN_SENT, ESTABLISHED
  initial CLOSED
  terminal ESTABLISHED
  var iss : seq
  timer rexmt
  transition connect: CLOSED -> SYN_SENT on open { choose iss  send SYN(seq=iss)  start rexmt 1 }
  transition rexmit: SYN_SENT -> same on timeout rexmt { send SYN(seq=iss)  start rexmt 1 }
  transition synack: SYN_SENT -> ESTABLISHED on recv SYN ACK when seg.ack == iss + 1
  { stop rexmt  send ACK(seq=iss + 1, ack=seg.seq + 1) }
}
endpoint server {
  states LISTEN, SYN_RECEIVED, ESTABLISHED
  initial LISTEN
  terminal ESTABLISHED
  var iss : seq
  var rcv : seq
  timer rexmt
  transition syn_in: LISTEN -> SYN_RECEIVED on recv SYN
  { choose iss  rcv := seg.seq + 1  send SYN+ACK(seq=iss, ack=rcv)  start rexmt 1 }
  transition rexmit: SYN_RECEIVED -> same on timeout rexmt
  { send SYN+ACK(seq=iss, ack=rcv)  start rexmt 1 }
  transition ack_in: SYN_RECEIVED -> ESTABLISHED on recv ACK when seg.ack == iss + 1
  { stop rexmt }
}
property both: reachable client.state == ESTABLISHED and server.state == ESTABLISHED
property no_deadlock: deadlock free
"""

TWO_WAY = """model two_way extends "hs.tcp"
endpoint server {
  remove state SYN_RECEIVED
  remove transition rexmit, ack_in
  remove timer rexmt
  replace transition syn_in: LISTEN -> ESTABLISHED on recv SYN
  { choose iss  rcv := seg.seq + 1  send SYN+ACK(seq=iss, ack=rcv) }
}
property server_first: always server.state == ESTABLISHED or client.state != ESTABLISHED
"""


def flat_two_way() -> str:
    text = HANDSHAKE.replace("model hs", "model two_way")
    server = text.index("endpoint server")
    head, tail = text[:server], text[server:]
    tail = tail.replace("states LISTEN, SYN_RECEIVED, ESTABLISHED", "states LISTEN, ESTABLISHED")
    tail = tail.replace("  timer rexmt\n", "")
    tail = tail.replace("LISTEN -> SYN_RECEIVED on recv SYN\n"
                        "  { choose iss  rcv := seg.seq + 1  send SYN+ACK(seq=iss, ack=rcv)  "
                        "start rexmt 1 }",
                        "LISTEN -> ESTABLISHED on recv SYN\n"
                        "  { choose iss  rcv := seg.seq + 1  send SYN+ACK(seq=iss, ack=rcv) }")
    start = tail.index("  transition rexmit")
    tail = tail[:start] + tail[tail.index("}\nproperty both"):]
    return head + tail + ("property server_first: always server.state == ESTABLISHED or "
                          "client.state != ESTABLISHED\n")


def summary(model):
    result = check(model, CheckOptions(stop_when_decided=False))
    return (result.complete, result.stats.states, result.stats.transitions,
            result.stats.diameter,
            [(p.name, p.status, len(p.trace) if p.trace else None) for p in result.properties])


def test_checking_a_variant_is_checking_the_flat_model_it_stands_for(tmp_path):
    write(tmp_path, "hs.tcp", HANDSHAKE)
    merged = load_file(write(tmp_path, "two_way.tcp", TWO_WAY))
    flat = load_string(flat_two_way(), "flat.tcp")
    assert "SYN_RECEIVED" not in flat_two_way()
    assert [e.transitions for e in merged.endpoints] != [] and \
        [[t.name for t in e.transitions] for e in merged.endpoints] == \
        [[t.name for t in e.transitions] for e in flat.endpoints]
    got, expected = summary(merged), summary(flat)
    assert got == expected
    assert got != summary(load_file(tmp_path / "hs.tcp"))  # the variant changed something


def test_parse_names_the_bases(tmp_path):
    write(tmp_path, "base.tcp", BASE)
    write(tmp_path, "one/v1.tcp", 'model v1 extends "../base.tcp"\n')
    code, out, _ = run("parse", write(tmp_path, "v2.tcp", 'model v2 extends "one/v1.tcp"\n'))
    assert code == 0
    assert f"extends {tmp_path / 'one' / 'v1.tcp'}, which extends {tmp_path / 'base.tcp'}" in out


def test_initial_given_twice_in_a_variant_points_at_the_variant(tmp_path):
    err = errors(tmp_path, 'model v extends "base.tcp"\nendpoint a {\n  initial S\n  initial T\n}\n')
    (d,) = err.errors
    assert d.code == "duplicate" and d.span.file.endswith("v.tcp") and d.span.line == 2


def test_a_variants_fairness_block_replaces_the_bases(tmp_path):
    write(tmp_path, "fair.tcp", BASE + "fairness { strong channel }\n")
    kept = load_file(write(tmp_path, "v.tcp", 'model v extends "fair.tcp"\n'))
    assert [f.text for f in kept.fairness] == ["strong channel"]
    changed = load_file(write(tmp_path, "w.tcp", 'model w extends "fair.tcp"\n'
                                                 'fairness { weak channel }\n'))
    assert [f.text for f in changed.fairness] == ["weak channel"]


def test_a_nul_character_in_the_base_path_is_an_error_at_the_path(tmp_path):
    # found by the model fuzzer: os.path raised ValueError ("embedded null byte"), exit 4
    err = errors(tmp_path, 'model v extends "\\x00base.tcp"\n')
    [d] = err.diagnostics
    assert d.code == "extends" and "NUL character" in d.message
    assert (d.span.line, d.span.column) == (1, 17)
