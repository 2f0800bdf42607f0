"""The app factory: `create_app(config)` builds the web UI on a database."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from webapp import navigation, security
from webapp.auth import access
from webapp.config import Config
from webapp.extensions import csrf, database, login_manager
from webapp.main import errors

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | None = None, *, sessions: sessionmaker[Session] | None = None) -> Flask:
    """The Ordinance web app; `sessions` replaces the sessionmaker built from DATABASE_URL (tests)."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static")
    app.config.from_object(config or Config())
    app.jinja_env.autoescape = True
    database.init_app(app, sessions)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to open that page."
    login_manager.session_protection = "strong"
    access.init_app(app)
    security.init_app(app)
    navigation.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """Attach every page of the UI."""
    from webapp.admin import bp as admin_bp
    from webapp.auth import bp as auth_bp
    from webapp.main import bp as main_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
