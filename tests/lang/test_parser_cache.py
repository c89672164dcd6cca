"""The grammar's parsers kept in the cache directory: built once, read back by the next
process, and a cache that is damaged or cannot be written never changes a parse."""

from __future__ import annotations

import pytest

from tcpcheck.lang import grammar
from tcpcheck.lang.parser import parse

from tests.conftest import MODELS

SOURCE = (MODELS / "three_way_handshake.tcp").read_text()


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """An empty cache directory, and no parser kept in this process."""
    monkeypatch.setenv("TCPCHECK_CACHE", str(tmp_path / "cache"))
    grammar.model_parser.cache_clear()
    grammar.expression_parser.cache_clear()
    yield tmp_path / "cache"
    grammar.model_parser.cache_clear()
    grammar.expression_parser.cache_clear()


def entries(directory):
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_a_parser_built_once_is_read_back_and_parses_the_same(fresh):
    expected = parse(SOURCE)  # built here, and stored
    assert [name.startswith("lark-") for name in entries(fresh)] == [True]
    grammar.model_parser.cache_clear()
    assert parse(SOURCE) == expected  # read from the cache
    grammar.expression_parser()
    assert len(entries(fresh)) == 2  # a parser per start rule


def test_a_damaged_cache_entry_is_rebuilt(fresh):
    expected = parse(SOURCE)
    (entry,) = fresh.iterdir()
    entry.write_bytes(b"not a parser")
    grammar.model_parser.cache_clear()
    assert parse(SOURCE) == expected
    assert entry.read_bytes() != b"not a parser"


def test_a_cache_that_cannot_be_written_only_costs_the_build(fresh, monkeypatch):
    expected = parse(SOURCE)
    blocker = fresh.parent / "a-file"  # a cache "directory" that is a file: no entry fits
    blocker.write_text("")
    monkeypatch.setenv("TCPCHECK_CACHE", str(blocker))
    grammar.model_parser.cache_clear()
    assert parse(SOURCE) == expected
    assert blocker.read_text() == ""
