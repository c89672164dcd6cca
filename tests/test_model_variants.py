"""The TIME_WAIT variants are the base model plus exactly the difference their headers state.

Until the language can say "extends" (issue 5), the variants are full copies; this test keeps
them from drifting: everything after the header must equal the base with the one change.
"""

from __future__ import annotations

import re
from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "models"


def _body(name: str) -> str:
    text = (MODELS / name).read_text()
    return text[text.index("const MSL"):]


BASE = _body("teardown_time_wait.tcp")


def test_short_time_wait_only_shortens_time_wait():
    expected = BASE.replace("const TW  = 2 * MSL",
                            "const TW  = MSL                # shorter than 2*MSL")
    assert expected != BASE
    assert _body("teardown_short_time_wait.tcp") == expected


def test_no_time_wait_only_skips_time_wait():
    split = BASE.index("endpoint server")
    client, server = BASE[:split], BASE[split:]
    client = client.replace("-> TIME_WAIT on recv", "-> CLOSED on recv")
    server = server.replace("-> TIME_WAIT on recv", "-> LISTEN on recv")
    expected = re.sub(r"\s+start tw TW", "", client + server)
    assert "-> TIME_WAIT" not in expected
    assert _body("teardown_no_time_wait.tcp") == expected
