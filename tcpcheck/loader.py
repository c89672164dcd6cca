"""Source text -> frozen model, in one call: parse, then lower (validate)."""

from __future__ import annotations

from pathlib import Path

from tcpcheck.diagnostics import Diagnostic, ModelError, Span, UsageError
from tcpcheck.lang.parser import parse
from tcpcheck.model.ir import Model
from tcpcheck.model.lower import lower


def load_string(text: str, file: str = "<string>") -> Model:
    """Parse and validate tcpspec source; raises ModelError with every problem found."""
    try:
        return lower(parse(text, file), text)
    except ModelError as err:
        err.source = text
        raise


def load_file(path: str | Path) -> Model:
    """Read, parse and validate a model file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"no such model file: {path}") from None
    except (IsADirectoryError, UnicodeDecodeError, PermissionError) as err:
        raise UsageError(f"cannot read {path}: {err}") from None
    return load_string(text, str(path))


__all__ = ["load_file", "load_string", "Diagnostic", "ModelError", "Span"]
