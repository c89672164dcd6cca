"""A model as the engines see it, for tests that say two models are the same model: a
variant and the flat file it stands for."""

from __future__ import annotations

import dataclasses

from tcpcheck.model import ir

# what says where and how a model was written (or loaded: the --set values it records),
# not what it means
SKIPPED = {"span", "doc", "file", "warnings", "extends", "overrides"}


def model_shape(obj):
    """Everything but spans, docstrings, files, warnings and the model's name."""
    if isinstance(obj, ir.Model):
        obj = dataclasses.replace(obj, name="")
    if dataclasses.is_dataclass(obj):
        return (type(obj).__name__,) + tuple(
            (f.name, model_shape(getattr(obj, f.name))) for f in dataclasses.fields(obj)
            if f.name not in SKIPPED)
    if isinstance(obj, (tuple, list)):
        return tuple(model_shape(x) for x in obj)
    if isinstance(obj, frozenset):
        return frozenset(model_shape(x) for x in obj)
    return obj
