"""A mutation fuzzer of model text in the suite (issue 11): mutants of every shipped model
and variant (tokens deleted, swapped or duplicated, near-miss names, extreme numbers, deep
nesting, NUL bytes, string escapes, extends cycles) go through ``tcpcheck parse`` and a limited ``tcpcheck
check`` in-process.  Every run must end with an exit code in 0..3 and no traceback or
"internal error".  The budget is fixed and small (derandomized, a few dozen examples);
tests/lang/corpus keeps the inputs that once crashed, found by a larger campaign."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tcpcheck.cli import main
from tcpcheck.lang.nesting import MAX_NESTING

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "models").glob("*.tcp")) + sorted((ROOT / "models" / "variants").glob("*.tcp"))

# ('[\s\S]' and not '(?:.|\n)', which backtracks exponentially on a '"""' never closed)
TOKEN = re.compile(r'"""[\s\S]*?(?:"""|\Z)|"(?:[^"\\\n]|\\.)*"|#[^\n]*|[A-Za-z_]\w*|\d+|:=|->|~>|=>|'
                   r'==|!=|<=|>=|\.\.\.|\.\.|\s+|.', re.S)
EXTREME = ["0", "65536", "65537", "1000000", "4294967296", "4294967297", "9223372036854775807",
           "9223372036854775808", "1" * 5000]
LIMITED_CHECK = ["--max-states", "2000", "--timeout", "5"]


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def solid(toks) -> list[int]:
    """Indices of the tokens that are not white space."""
    return [i for i, t in enumerate(toks) if not t.isspace()]


@st.composite
def token_edit(draw, text: str) -> str:
    toks = tokens(text)
    where = solid(toks)
    i = where[draw(st.integers(0, len(where) - 1))]
    kind = draw(st.sampled_from(["delete", "swap", "duplicate"]))
    if kind == "delete":
        toks[i] = ""
    elif kind == "duplicate":
        toks[i] = toks[i] + " " + toks[i]
    else:
        j = where[draw(st.integers(0, len(where) - 1))]
        toks[i], toks[j] = toks[j], toks[i]
    return "".join(toks)


@st.composite
def near_miss(draw, text: str) -> str:
    toks = tokens(text)
    words = [i for i in solid(toks) if re.match(r"[A-Za-z_]", toks[i])]
    i = words[draw(st.integers(0, len(words) - 1))]
    word = toks[i]
    at = draw(st.integers(0, len(word) - 1))
    edit = draw(st.sampled_from(["drop", "add", "case"]))
    if edit == "drop":
        toks[i] = word[:at] + word[at + 1:]
    elif edit == "add":
        toks[i] = word[:at] + draw(st.sampled_from("aeiostx_")) + word[at:]
    else:
        toks[i] = word.swapcase()
    return "".join(toks)


@st.composite
def extreme_number(draw, text: str) -> str:
    toks = tokens(text)
    numbers = [i for i, t in enumerate(toks) if t.isdigit()] or solid(toks)
    i = numbers[draw(st.integers(0, len(numbers) - 1))]
    toks[i] = draw(st.sampled_from(EXTREME))
    return "".join(toks)


@st.composite
def small_number(draw, text: str) -> str:
    """A number changed to another small one: the model usually still loads, so the check
    explores it (time, channel and sequence-number settings at their edges)."""
    toks = tokens(text)
    numbers = [i for i, t in enumerate(toks) if t.isdigit()] or solid(toks)
    i = numbers[draw(st.integers(0, len(numbers) - 1))]
    toks[i] = str(draw(st.integers(0, 5)))
    return "".join(toks)


@st.composite
def large_seqspace(draw, text: str) -> str:
    """A sequence space the explicit engine cannot enumerate a choice over."""
    value = draw(st.sampled_from(["65536", "65537", "1000000", "4294967296"]))
    if "seqspace" in text:
        return re.sub(r"seqspace\s*=\s*[^\n#}]*", f"seqspace = {value} ", text, count=1)
    return text.replace("\nendpoint", f"\nbounds {{ seqspace = {value} }}\nendpoint", 1)


@st.composite
def deep_nesting(draw, text: str) -> str:
    toks = tokens(text)
    atoms = [i for i in solid(toks) if toks[i].isdigit() or re.match(r"[a-z_]\w*$", toks[i])]
    i = atoms[draw(st.integers(0, len(atoms) - 1))]
    depth = draw(st.sampled_from([MAX_NESTING - 1, MAX_NESTING + 1, 1000]))
    style = draw(st.sampled_from(["parens", "chain", "not", "minus", "if"]))
    atom = toks[i]
    toks[i] = {"parens": "(" * depth + atom + ")" * depth,
               "chain": atom + " + 1" * depth,
               "not": "not " * depth + atom,
               "minus": "- " * depth + atom,
               "if": "if x == 0 { " * depth + atom + " }" * depth}[style]
    return "".join(toks)


@st.composite
def nul_bytes(draw, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    return text[:at] + "\0" * draw(st.sampled_from([1, 7])) + text[at:]


@st.composite
def string_escape(draw, text: str) -> str:
    """A backslash escape, good or meaningless, at the end of a one-line string."""
    toks = tokens(text)
    strings = [i for i, t in enumerate(toks) if t.startswith('"') and not t.startswith('"""')]
    if not strings:
        return text
    i = strings[draw(st.integers(0, len(strings) - 1))]
    escape = draw(st.sampled_from(["\\x", "\\N{nope}", "\\u12", "\\n", "\\777"]))
    toks[i] = toks[i][:-1] + escape + '"'
    return "".join(toks)


MUTATIONS = [token_edit, near_miss, extreme_number, small_number, small_number, large_seqspace,
             deep_nesting, nul_bytes, string_escape]


@st.composite
def mutants(draw):
    """(shipped model, mutated text, whether it extends a file that extends it back)."""
    source = draw(st.sampled_from(SOURCES))
    text = source.read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 2))):
        text = draw(draw(st.sampled_from(MUTATIONS))(text))
    cycle = draw(st.integers(0, 9)) == 0
    return source.name, text, cycle


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """A copy of models/ with an empty variants/ beside it, where every mutant is written
    (so that a variant's ``extends "../BASE.tcp"`` still finds its base)."""
    root = tmp_path_factory.mktemp("fuzz")
    for model in (ROOT / "models").glob("*.tcp"):
        shutil.copy(model, root / model.name)
    (root / "variants").mkdir()
    return root


def write_mutant(tree: Path, text: str, cycle: bool) -> Path:
    path = tree / "variants" / "mutant.tcp"
    if cycle:  # the mutant extends other.tcp, which extends the mutant
        (tree / "variants" / "other.tcp").write_text('model other extends "mutant.tcp"\n',
                                                      encoding="utf-8")
        text = re.sub(r'^model (\w+)( extends "[^"]*")?', r'model \1 extends "other.tcp"', text,
                      count=1, flags=re.M)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


def run(*argv) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue() + err.getvalue()


@settings(max_examples=100, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(case=mutants())
def test_mutated_models_never_crash_parse_or_check(tree, case):
    name, text, cycle = case
    path = write_mutant(tree, text, cycle)
    for argv in (["parse", str(path)], ["check", str(path), *LIMITED_CHECK]):
        code, output = run(*argv)
        assert "Traceback" not in output and "internal error" not in output, \
            f"{argv[0]} on a mutant of {name}:\n{output[-3000:]}"
        assert code in (0, 1, 2, 3), f"{argv[0]} on a mutant of {name}: exit {code}"
