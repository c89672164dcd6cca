"""Subcommands that live in a module of their own, found here by the CLI.

Each module of this package defines ``NAME`` (the subcommand), ``add_parser(subparsers)``
(its argparse parser, built with ``subparsers.add_parser(NAME, ...)``) and
``run(args, stdout, stderr) -> int`` (the exit code).  They are discovered by name, in
alphabetical order, so adding a subcommand touches no other file; a module's name is its
``NAME``, so that a command line naming one subcommand imports that module alone (start-up
then pays for what that command uses, not for every command's renderers and engines).  Like ``tcpcheck.cli``,
these modules are the only code that prints; errors are raised as the exceptions of
``tcpcheck.diagnostics`` and turned into messages and exit codes by ``tcpcheck.cli.main``.
"""

from __future__ import annotations

import importlib
import pkgutil


def names() -> list:
    """The subcommands' names (their modules' names), sorted, without importing any."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def load(only: str | None = None) -> list:
    """Every subcommand module of this package, sorted by module name; with ``only`` (a
    subcommand's name) that one module alone."""
    chosen = [only] if only is not None else names()
    return [importlib.import_module(f"{__name__}.{name}") for name in chosen]
