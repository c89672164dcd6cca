"""Source text -> frozen model, in one call: parse, apply overrides, lower (validate).

Overrides let one model file be checked at other bounds without editing it (``tcpcheck
check MODEL --set channel.capacity=3 --set MSL=3``), the way a TLC configuration picks
constants for a spec: ``NAME`` is a ``const`` or a ``param`` (its default), ``bounds.X`` and
``channel.X`` are settings.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tcpcheck.diagnostics import ModelError, UsageError, did_you_mean
from tcpcheck.lang import ast
from tcpcheck.lang.extends import explain_removed
from tcpcheck.lang.extends import resolve as resolve_extends
from tcpcheck.lang.parser import parse
from tcpcheck.lang.source import SourceError, read_source
from tcpcheck.model.ir import Model
from tcpcheck.model.lower import BOUND_SETTINGS, CHANNEL_SETTINGS, lower


def load_string(text: str, file: str = "<string>", overrides: dict | None = None) -> Model:
    """Parse and validate tcpspec source; raises ModelError with every problem found."""
    sources, removals = {file: text}, ()
    try:
        tree = parse(text, file)
        if tree.extends is not None:  # a variant: merge its bases in (tcpcheck.lang.extends)
            tree, removals = resolve_extends(tree, sources)
        if overrides:
            tree = apply_overrides(tree, overrides)
        model = lower(tree, text)
    except ModelError as err:
        err.source = text
        err.sources = {**sources, **err.sources}
        explain_removed(err, removals)
        raise
    # the model records what it was loaded with, so results need not be told (spec/JSON.md)
    return dataclasses.replace(model, overrides=tuple((overrides or {}).items()))


def load_file(path: str | Path, overrides: dict | None = None) -> Model:
    """Read, parse and validate a model file (a regular file of at most
    tcpcheck.lang.source.MAX_MODEL_BYTES)."""
    path = Path(path)
    try:
        text = read_source(path)
    except FileNotFoundError:
        raise UsageError(f"no such model file: {path}") from None
    except SourceError as err:
        raise UsageError(f"cannot read {path}: {err}") from None
    return load_string(text, str(path), overrides)


def parse_override(text: str) -> tuple[str, object]:
    """``NAME=VALUE`` from the command line; VALUE is a number, yes, no or unbounded."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise UsageError(f"--set takes NAME=VALUE, e.g. channel.capacity=3, not '{text}'")
    value = value.strip()
    if value in ("yes", "no", "unbounded"):
        return name.strip(), value
    try:
        return name.strip(), int(value)
    except ValueError:
        raise UsageError(f"--set {name}: expected a whole number, yes, no or unbounded, "
                         f"not '{value}'") from None


def apply_overrides(tree: ast.ModelNode, overrides: dict) -> ast.ModelNode:
    """A copy of ``tree`` with constants, param defaults and settings replaced.  A new
    default is validated against the params' constraints when the tree is lowered."""
    consts, params = list(tree.consts), list(tree.params)
    bounds, channel = list(tree.bounds), list(tree.channel)
    const_names = [c.name.name for c in consts]
    param_names = [p.name.name for p in params]
    for name, value in overrides.items():
        section, _, key = name.rpartition(".")
        node_value = ast.IntLit(value, tree.span) if isinstance(value, int) else value
        if section == "" and key in const_names:
            if not isinstance(value, int):
                raise UsageError(f"constant {key} takes a number, not '{value}'")
            i = const_names.index(key)
            consts[i] = dataclasses.replace(consts[i], value=node_value)
        elif section == "" and key in param_names:
            if not isinstance(value, int):
                raise UsageError(f"param {key} takes a number, not '{value}'")
            i = param_names.index(key)
            params[i] = dataclasses.replace(params[i], default=node_value, overridden=True)
        elif section in ("bounds", "channel"):
            allowed = BOUND_SETTINGS if section == "bounds" else CHANNEL_SETTINGS
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                raise UsageError(f"unknown setting {name}" + (f" ({hint})" if hint else ""))
            settings = bounds if section == "bounds" else channel
            settings[:] = [s for s in settings if s.name.name != key]
            settings.append(ast.Setting(ast.Ident(key, tree.span), node_value, tree.span))
        else:
            pool = const_names + param_names + [f"bounds.{b}" for b in BOUND_SETTINGS] + \
                [f"channel.{c}" for c in CHANNEL_SETTINGS]
            hint = did_you_mean(name, pool)
            raise UsageError(f"nothing to set called '{name}'" + (f" ({hint})" if hint else "")
                             + "; use a constant's or param's name, bounds.NAME or channel.NAME")
    return dataclasses.replace(tree, consts=tuple(consts), params=tuple(params),
                               bounds=tuple(bounds), channel=tuple(channel))
