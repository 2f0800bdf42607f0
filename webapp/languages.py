"""The languages as the web app shows them: those the notice templates print (engine.notices.languages), the ones
the city offers (its `languages` setting), each named by its words file, never by a table in Python."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g

from engine import city
from engine.notices.languages import Languages, discover
from webapp.catalog import notice_templates
from webapp.extensions import database
from webapp.fields import option


_KEY = "ordinance.languages"


def printable() -> Languages:
    """The languages the notice templates folder holds a complete set for: looked at once per request, and read
    again when a file of the folder was added, removed or changed since the app last read it."""
    if "ordinance_languages" not in g:
        folder = notice_templates()
        seen = _signature(folder)
        kept = current_app.extensions.get(_KEY)
        if kept is None or kept[0] != seen:
            kept = current_app.extensions[_KEY] = (seen, discover(folder))
        g.ordinance_languages = kept[1]
    return g.ordinance_languages


def _signature(folder: Path) -> tuple:
    """The folder and each of its files' name, size and modification time: what changes when a template does."""
    if not folder.is_dir():
        return (str(folder),)
    return (str(folder), *sorted((entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
                                 for entry in folder.iterdir() if entry.is_file()))


def offered() -> list[str]:
    """The languages the city prints in (its setting, English always among them)."""
    return city.offered(database.session)


def language_name(code: str | None) -> str:
    """A language's name for staff ('Spanish'), from its words file; its code when no set names it."""
    return printable().name(code or "")


def choices() -> list:
    """The options of a language field: the city's languages, by name."""
    return [option(code, language_name(code)) for code in offered()]


def with_choices(*fields) -> None:
    """Give language select fields the city's languages as their options."""
    for field in fields:
        field.choices = choices()


def init_app(app: Flask) -> None:
    """The `language_name` filter and `offered_languages()` for pages."""
    app.add_template_filter(language_name)
    app.jinja_env.globals["offered_languages"] = offered
