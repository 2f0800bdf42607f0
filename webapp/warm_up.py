"""A new web worker made ready before its first clerk: the city's catalog built, every page template compiled.

Built on the first request instead, they cost that clerk a second or more (the catalog alone,
40 rule documents read from the store, about 0.9 s on the 100,000-account sample city), and
every worker of a server pays it once for each kind of page.
"""
from __future__ import annotations

import logging
import time

from flask import Flask

from webapp.catalog import catalog

log = logging.getLogger("ordinance.serve")


def page_templates(name: str) -> bool:
    """The pages' templates (the notices' have their own renderer)."""
    return name.endswith(".html") and not name.startswith("notices/")


def warm_up(app: Flask) -> float:
    """Build the catalog and compile the page templates; the seconds it took. A failure is logged, not raised: the
    first page then does the same work, and says what is wrong there."""
    started = time.perf_counter()
    try:
        with app.app_context():
            catalog()
        for name in app.jinja_env.list_templates(filter_func=page_templates):
            app.jinja_env.get_template(name)
    except Exception:  # noqa: BLE001 - the server still starts; the first request meets the problem again
        log.warning("the worker could not get ready ahead of its first page", exc_info=True)
    return time.perf_counter() - started
