"""The city's rules and workflows as the web app reads them: the rule store's published revisions.

Each request checks, with two small queries, whether a rule or workflow revision was
published since the app built its catalog, and builds it again if so: a publication takes
effect on the next request. Until the store has published rules they come from RULES_DIR,
and until it has published workflows from WORKFLOWS_DIR; NOTICE_TEMPLATES says where the
notice templates are. By default the folders beside the code (rules/, workflows/,
templates/notices/).
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, has_request_context

from engine.rulebook.catalog_source import CatalogCache
from engine.rules.library import RuleLibrary
from engine.sweeps import registry
from engine.sweeps.runner import SIGNED
from engine.workflow.services import Catalog
from webapp.extensions import database

ROOT = Path(__file__).resolve().parent.parent
_KEY = "ordinance.catalog"


def catalog() -> Catalog:
    """The app's rules (as published) and workflow definitions, built again after a publication."""
    cache = current_app.extensions.get(_KEY)
    if cache is None:
        config = current_app.config
        cache = CatalogCache(str(config.get("RULES_DIR", ROOT / "rules")),
                             str(config.get("WORKFLOWS_DIR", ROOT / "workflows")))
        current_app.extensions[_KEY] = cache
    if has_request_context():
        if "ordinance_catalog" not in g:  # one check per request, however many views ask
            g.ordinance_catalog = cache.get(database.session)
        return g.ordinance_catalog
    with database.factory()() as session:
        return cache.get(session)


def rules() -> RuleLibrary:
    """The app's rule library."""
    return catalog().rules


def rule_title(rule_id: str | None) -> str:
    """A rule document's title, for a page that names it (`{{ why.rule_id|rule_title }}`): its id if there is none."""
    return rules().title_of(rule_id) if rule_id else ""


def sweep_label(sweep: str | None) -> str:
    """A sweep by the name staff read it by ("Liens", "Cash-only review"), for a page that names it
    (`{{ run.sweep|sweep_label }}`): engine.sweeps.registry.sweep_label with the city's rules."""
    return registry.sweep_label(sweep, rules()) if sweep else ""


def sweep_in_words(sweep: str) -> str:
    """What a sweep's signature (sweep:NAME) says on a page: "the Liens sweep" (its sweep_label)."""
    return f"the {sweep_label(sweep)} sweep"


def signatures_in_words(text: str | None) -> str:
    """Who did something, or a sentence that says it ("opened by sweep:liens"), for a page: each sweep's signature
    in words (sweep_in_words); a person's name as signed."""
    return SIGNED.sub(lambda found: sweep_in_words(found["sweep"]), text or "")


def notice_templates() -> Path:
    """The folder of the notice templates."""
    return Path(current_app.config.get("NOTICE_TEMPLATES", ROOT / "templates" / "notices"))


def state_label(workflow_id: str, version: int | None, state: str) -> str:
    """A case state in the workflow's own words ("Shut-off notice mailed") at `version` (None: the newest), or the
    state's name."""
    try:
        return catalog().workflows.get(workflow_id, version).states[state].label
    except (KeyError, LookupError, ValueError):
        return state.replace("_", " ")


def workflow_title(workflow_id: str) -> str:
    """A workflow by its title ("Utility delinquency and shut-off"), or its id in words."""
    try:
        return catalog().workflows.get(workflow_id).title
    except (LookupError, ValueError):
        return workflow_id.replace("_", " ")


def init_app(app: Flask) -> None:
    """Give the templates the workflows' words: state_label(workflow, version, state) and workflow_title(workflow)."""
    app.jinja_env.globals.update(state_label=state_label, workflow_title=workflow_title)
