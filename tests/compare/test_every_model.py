"""`tcpcheck compare` across every model in models/ and models/variants/, at a state limit
that keeps it to seconds: every cell agrees with the verdict pinned for that model (the
manifest, or the variants' pins), and a cell cut short by the limit says `not verified` or
a violation / goal the limit did not hide, never `holds`.  (The full matrix, every run
complete, is the README's; it takes about 8 minutes.)"""

from __future__ import annotations

import json
from pathlib import Path

from tcpcheck.analyses.compare import compare
from tcpcheck.loader import load_file

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 20_000

MANIFEST = json.loads((ROOT / "models" / "manifest.json").read_text())


def _pinned() -> dict:
    """model name -> {property: (status, length)} for every model whose run is pinned in
    full: the manifest's models."""
    return {entry["model"]: {name: (p["status"], p["trace_length"])
                             for name, p in entry["properties"].items()}
            for entry in MANIFEST.values()}


def test_compare_across_every_shipped_model():
    files = sorted((ROOT / "models").glob("*.tcp")) + sorted(
        (ROOT / "models" / "variants").glob("*.tcp"))
    models = [load_file(f) for f in files]
    matrix = compare(models, max_states=LIMIT)
    pinned = _pinned()
    assert [c.name for c in matrix.columns] == [m.name for m in models]
    checked = 0
    for i, prop in enumerate(matrix.properties):
        for j, column in enumerate(matrix.columns):
            cell = matrix.rows[i][j]
            if cell.status is None:  # the model has no such property
                assert prop not in {p.name for p in models[j].properties}
                continue
            assert column.complete or cell.status != "holds", (column.name, prop)
            assert column.complete or cell.status != "unreachable", (column.name, prop)
            want = pinned.get(column.name, {}).get(prop)
            if want is None:
                continue  # a variant: tests/test_variants.py and tests/variants/ pin it
            if column.complete or cell.status != "not_verified":
                assert (cell.status, cell.length) == want, (column.name, prop)
                checked += 1
    # the small models are decided in full, the large ones' violations and goals shown
    assert checked >= 45  # 48 cells when this was written
