"""Every model that once crashed tcpcheck (tests/lang/corpus, from the mutation fuzzer of
issue 11) now ends with a clear message and exit code 2, never a traceback, a hang or a run
that explores a huge domain.  Each file runs from a copy placed where its ``extends`` finds
the shipped models, as it did when it was found."""

from __future__ import annotations

import csv
import io
import shlex
import shutil
import time
from pathlib import Path

import pytest

from tcpcheck.cli import main

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"


def _cases():
    with open(CORPUS / "cases.tsv", encoding="utf-8", newline="") as table:
        rows = list(csv.reader(table, delimiter="\t"))[1:]
    return [pytest.param(*row, id=row[0]) for row in rows]


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """A copy of models/ (bases for the corpus's variants) with a variants/ folder."""
    root = tmp_path_factory.mktemp("models")
    for model in (ROOT / "models").glob("*.tcp"):
        shutil.copy(model, root / model.name)
    (root / "variants").mkdir()
    return root


@pytest.mark.parametrize("name, command, crash, expected", _cases())
def test_a_model_that_once_crashed_now_gets_a_message(tree, name, command, crash, expected):
    path = tree / "variants" / name
    shutil.copy(CORPUS / name, path)
    argv = [str(path) if word == "FILE" else word for word in shlex.split(command)[1:]]
    code_text, words = expected.split(" ", 1)
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    code = main(argv, out, err)
    elapsed = time.monotonic() - started
    text = out.getvalue() + err.getvalue()
    assert "Traceback" not in text and "internal error" not in text, text[-2000:]
    assert code == int(code_text), text[-2000:]
    assert words in err.getvalue()
    assert elapsed < 20, f"{name} took {elapsed:.1f} s (was: {crash})"
