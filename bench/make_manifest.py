"""Regenerate models/manifest.json from a run of every shipped model.

    python bench/make_manifest.py            # rewrite the manifest
    python bench/make_manifest.py --check    # exit 1 if a number moved

The manifest pins, for every model under models/, each property's verdict and
counterexample (or witness) length, and the run's distinct states, transitions and
diameter.  tests/test_models.py checks every entry; when the semantics change a number,
rerun this script and explain the change in the commit message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tcpcheck.explicit import CheckOptions, check  # noqa: E402
from tcpcheck.loader import load_file  # noqa: E402

MANIFEST = ROOT / "models" / "manifest.json"


def model_entry(path: Path) -> dict:
    model = load_file(path)
    result = check(model, CheckOptions())
    return {
        "model": model.name,
        "complete": result.complete,
        "states": result.stats.states,
        "transitions": result.stats.transitions,
        "diameter": result.stats.diameter,
        "properties": {
            p.name: {"status": p.status, "trace_length": len(p.trace) if p.trace else None}
            for p in result.properties
        },
    }


def build() -> dict:
    files = sorted(f for f in ROOT.glob("models/**/*.tcp")
                   if f.parent.name != "variants")  # pinned by tests/test_variants.py
    return {str(f.relative_to(ROOT)): model_entry(f) for f in files}


def main(argv) -> int:
    data = build()
    text = json.dumps(data, indent=2) + "\n"
    if "--check" in argv:
        same = MANIFEST.exists() and MANIFEST.read_text() == text
        print("manifest up to date" if same else "manifest differs")
        return 0 if same else 1
    MANIFEST.write_text(text)
    print(f"wrote {MANIFEST.relative_to(ROOT)} ({len(data)} models)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
