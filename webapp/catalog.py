"""The city's rules and workflows as the web app reads them: loaded once per app, on first use.

RULES_DIR, WORKFLOWS_DIR and NOTICE_TEMPLATES in the app's config say where they are; by
default the folders beside the code (rules/, workflows/, templates/notices/).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app

from engine.rules.library import RuleLibrary
from engine.workflow.services import Catalog

ROOT = Path(__file__).resolve().parent.parent
_KEY = "ordinance.catalog"


def catalog() -> Catalog:
    """The app's rules and workflow definitions (read and checked the first time they are needed)."""
    found = current_app.extensions.get(_KEY)
    if found is None:
        config = current_app.config
        found = _load(str(config.get("RULES_DIR", ROOT / "rules")), str(config.get("WORKFLOWS_DIR", ROOT / "workflows")))
        current_app.extensions[_KEY] = found
    return found


@lru_cache(maxsize=4)
def _load(rules_dir: str, workflows_dir: str) -> Catalog:
    """The folders read and checked once per process (apps made one after another share them)."""
    return Catalog.load(rules_dir, workflows_dir)


def rules() -> RuleLibrary:
    """The app's rule library."""
    return catalog().rules


def notice_templates() -> Path:
    """The folder of the notice templates."""
    return Path(current_app.config.get("NOTICE_TEMPLATES", ROOT / "templates" / "notices"))
