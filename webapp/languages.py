"""The languages as the web app shows them: those the notice templates print (engine.notices.languages), the ones
the city offers (its `languages` setting), each named by its words file, never by a table in Python."""
from __future__ import annotations

from flask import Flask, g

from engine import city
from engine.notices.languages import Languages, discover
from webapp.catalog import notice_templates
from webapp.extensions import database
from webapp.fields import option


def printable() -> Languages:
    """The languages the notice templates folder holds a complete set for (read once per request)."""
    if "ordinance_languages" not in g:
        g.ordinance_languages = discover(notice_templates())
    return g.ordinance_languages


def offered() -> list[str]:
    """The languages the city prints in (its setting), English first."""
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
