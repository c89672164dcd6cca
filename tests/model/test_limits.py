"""The limits of what a model may say (issue 11): numbers within 2^63 - 1, nesting within
MAX_NESTING levels, choose domains that are never enumerated before an engine decides it
can afford to, and the explicit engine's refusal of one it cannot.  Each limit is a
diagnostic with a code and a position (or a usage error with exit code 2), never a crash."""

from __future__ import annotations

import io
import time

import pytest

from tcpcheck.cli import main
from tcpcheck.diagnostics import ModelError
from tcpcheck.explicit import CheckOptions, check
from tcpcheck.explicit.semantics import MAX_CHOICE_VALUES, ChoiceTooLarge, Semantics
from tcpcheck.lang.nesting import MAX_NESTING
from tcpcheck.loader import load_string
from tcpcheck.model import ir


def model(body: str = "", *, bounds: str = "", const: str = "", prop: str = "a.x <= 3") -> str:
    return (f"model m\n{const}\n{bounds}\n"
            "endpoint a {\n  states A\n  initial A\n  terminal A\n  var x : 0..3\n"
            "  var s : seq\n"
            f"  transition t: A -> A on open {{ {body} }}\n}}\n"
            "endpoint b { states B initial B terminal B }\n"
            f"property p: always {prop}\n")


def errors(text: str):
    with pytest.raises(ModelError) as info:
        load_string(text, "m.tcp")
    return info.value.errors


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    text = out.getvalue() + err.getvalue()
    assert "Traceback" not in text and "internal error" not in text
    return code, out.getvalue(), err.getvalue()


# ---- numbers -----------------------------------------------------------------------------

def test_the_largest_number_is_accepted():
    loaded = load_string(model(const="const BIG = 9223372036854775807"), "m.tcp")
    assert dict(loaded.constants)["BIG"] == (1 << 63) - 1


@pytest.mark.parametrize("digits", ["9223372036854775808", "1" * 40, "1" * 5000])
def test_a_number_too_large_is_a_diagnostic_at_its_place(digits):
    (d,) = errors(model(body=f"x := {digits}"))
    assert d.code == "number"
    assert (d.span.line, d.span.column) == (10, 39)
    assert len(d.message) < 300  # a 5000-digit number is not repeated whole


def test_leading_zeros_do_not_count_against_the_limit():
    load_string(model(const="const Z = " + "0" * 60 + "7"), "m.tcp")


def test_a_constant_that_overflows_as_it_folds_is_a_diagnostic_and_nothing_more():
    big = " * ".join(["4294967296"] * 3)
    found = errors(model(const=f"const A = {big}\nconst B = A * A", prop="a.x <= A"))
    # one error, at the product; B and the property that use A say nothing more
    assert [(d.code, d.span.line) for d in found] == [("number", 2)]


def test_seqspace_up_to_2_to_the_32_is_legal_and_not_enumerated():
    text = model(body="choose s", bounds="bounds { seqspace = 4294967296 }")
    started = time.monotonic()
    loaded = load_string(text, "m.tcp")
    assert time.monotonic() - started < 5
    (choose,) = loaded.endpoints[0].transitions[0].body
    assert choose.domain == range(1 << 32)
    assert ir.domain_size(choose.domain) == 1 << 32
    (d,) = errors(model(bounds="bounds { seqspace = 4294967297 }"))
    assert d.code == "value" and d.span.line == 3


# ---- nesting -----------------------------------------------------------------------------

def chain(n: int) -> str:
    """An expression with n operators in one chain: n levels once it is a tree."""
    return "x + " + " + ".join(["1"] * n) + " <= 3"


def test_nesting_at_the_limit_is_accepted_and_checked(tmp_path):
    # a sum of MAX_NESTING operands: MAX_NESTING - 1 operators above a number
    text = model(body="s := s + " + " + ".join(["1"] * (MAX_NESTING - 1)))
    load_string(text, "m.tcp")
    with pytest.raises(ModelError):
        load_string(model(body="s := s + " + " + ".join(["1"] * MAX_NESTING)), "m.tcp")
    path = tmp_path / "deep.tcp"
    path.write_text(text, encoding="utf-8")
    code, _, _ = run("check", str(path), "--max-states", "50")
    assert code == 0


@pytest.mark.parametrize("expression", [
    chain(MAX_NESTING + 1),
    "not " * (MAX_NESTING + 1) + "x == 1",
    "- " * (MAX_NESTING + 1) + "x <= 3",
    "x <= " + " * ".join(["1"] * 3000),
])
def test_an_expression_nested_too_deeply_is_one_diagnostic_at_its_start(expression):
    (d,) = errors(model(body=f"if {expression} {{ x := 0 }}"))
    assert d.code == "nesting" and "nested too deeply" in d.message
    assert (d.span.line, d.span.column) == (10, 37)


def test_an_if_and_its_condition_count_together():
    (d,) = errors(model(body=f"if {chain(MAX_NESTING - 2)} {{ x := 0 }}"))
    assert d.code == "nesting" and "together" in d.message
    assert (d.span.line, d.span.column) == (10, 34)


def test_parentheses_alone_do_not_nest():
    load_string(model(prop="(" * 500 + "a.x <= 3" + ")" * 500), "m.tcp")


def test_if_statements_nested_too_deeply_are_reported_at_the_outermost():
    deep = "if x == 0 { " * MAX_NESTING + "x := 1" + " }" * MAX_NESTING
    (d,) = errors(model(body=deep))
    assert d.code == "nesting" and (d.span.line, d.span.column) == (10, 34)
    chain_of_else = "if x == 0 { x := 1 } " + "else if x == 1 { x := 2 } " * 3000
    (d,) = errors(model(body=chain_of_else))
    assert d.code == "nesting" and d.span.line == 10


# ---- choose domains ------------------------------------------------------------------------

def test_a_seq_variable_wrapping_an_int_range_keeps_the_order_of_its_residues():
    loaded = load_string(model(body="choose s in 14..17", bounds="bounds { seqspace = 16 }"),
                         "m.tcp")
    (choose,) = loaded.endpoints[0].transitions[0].body
    assert list(choose.domain) == [14, 15, 0, 1] and ir.domain_size(choose.domain) == 4


def test_a_choice_with_nothing_to_choose_from_is_an_error():
    (d,) = errors(model(body="choose x in 5..9"))
    assert d.code == "domain" and d.span.line == 10


def big_choice(seqspace: int) -> ir.Model:
    return load_string(model(body="choose s", bounds=f"bounds {{ seqspace = {seqspace} }}"),
                       "m.tcp")


def test_the_explicit_engine_takes_a_choice_up_to_the_cap():
    Semantics(big_choice(MAX_CHOICE_VALUES))  # compiles; exploring it is the checker's affair


def test_the_explicit_engine_refuses_a_larger_choice_before_exploring():
    started = time.monotonic()
    with pytest.raises(ChoiceTooLarge) as info:
        check(big_choice(MAX_CHOICE_VALUES + 1), CheckOptions(max_states=10))
    assert time.monotonic() - started < 5
    message = str(info.value)
    for words in ("'choose s'", "a.t", f"{MAX_CHOICE_VALUES + 1:,}", "tcpcheck prove",
                  "--set bounds.seqspace"):
        assert words in message


def test_the_refusal_is_exit_code_2_and_prove_handles_the_model(tmp_path):
    path = tmp_path / "big.tcp"
    path.write_text(model(body="choose s", bounds="bounds { seqspace = 4294967296 }"),
                    encoding="utf-8")
    code, out, err = run("check", str(path), "--max-states", "2000", "--timeout", "10")
    assert (code, out) == (2, "") and "4,294,967,296 values" in err and "prove" in err
    code, out, _ = run("prove", str(path), "--depth", "1", "--timeout", "60")
    assert code in (0, 3) and "p " in out


# ---- sets ----------------------------------------------------------------------------------

@pytest.mark.parametrize("body, bounds", [
    ("x := 0 + 0  if 9223372036854775807 in {9223372036854775807} { x := 1 }", ""),
    ("if s in {s} { x := 1 }", "bounds { seqspace = 4294967296 }"),
    ("if x in {x, 63} { x := 1 }", ""),
])
def test_a_set_literal_of_values_too_large_for_a_mask_is_an_error(body, bounds):
    (d,) = errors(model(body=body, bounds=bounds))
    assert d.code == "value" and d.span.line == 10 and "set" in d.message


def test_a_set_literal_of_small_values_is_fine():
    load_string(model(body="if s in {s, 0} and x in {x, 62} { x := 1 }",
                      bounds="bounds { seqspace = 63 }"), "m.tcp")
