"""The `ordinance` command line.

Every module in this package that defines `command` (a click command or group) is added to
`ordinance` under that command's name; the modules hold no logic of their own, they call
the same services as the web UI. Each command gets its database, clock and date from
`webapp.cli.context` and fails through `webapp.cli.failures` (a message, never a traceback).
"""
from __future__ import annotations

import importlib
import pkgutil

import click

from webapp.cli.failures import CityGroup


@click.group(cls=CityGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Ordinance: the rule-driven back office of a city's Finance / Customer Services division."""


def _add_commands() -> None:
    """Add each `command` found in this package's modules to `main`."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):  # __main__ runs the command line; it holds no command
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        command = getattr(module, "command", None)
        if isinstance(command, click.Command):
            main.add_command(command)


_add_commands()
