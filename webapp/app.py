"""The app factory: `create_app(config)` builds the web UI on a database.

Each package under webapp/ that defines `bp` (a Blueprint, with its own url_prefix) is
registered, the way webapp/cli gathers commands: add webapp/cases/__init__.py with
`bp = Blueprint("cases", __name__, url_prefix="/cases")` and its pages are served.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from flask import Blueprint, Flask
from sqlalchemy.orm import Session, sessionmaker

from webapp import api, catalog, languages, navigation, observability, security
from webapp.auth import access
from webapp.config import Config
from webapp.extensions import csrf, database, login_manager
from webapp.main import errors
from webapp.pages import RecordIntegerConverter

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | None = None, *, sessions: sessionmaker[Session] | None = None) -> Flask:
    """The Ordinance web app; `sessions` replaces the sessionmaker built from DATABASE_URL (tests)."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static")
    app.config.from_object(config or Config())
    app.jinja_env.autoescape = True
    app.url_map.converters["int"] = RecordIntegerConverter  # before any route is added
    database.init_app(app, sessions)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to open that page."
    login_manager.session_protection = "strong"
    access.init_app(app)
    observability.init_app(app)  # after access: its request id comes first
    security.init_app(app)
    navigation.init_app(app)
    languages.init_app(app)
    catalog.init_app(app)
    errors.init_app(app)
    api.init_app(app)  # JSON errors under /api/ (after the error pages it falls back to)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """Register the `bp` of every package under webapp/ (a new page area needs no edit here)."""
    import webapp

    for info in sorted(pkgutil.iter_modules(webapp.__path__), key=lambda m: m.name):
        if not info.ispkg or info.name == "cli":
            continue
        blueprint = getattr(importlib.import_module(f"webapp.{info.name}"), "bp", None)
        if isinstance(blueprint, Blueprint):
            app.register_blueprint(blueprint)
