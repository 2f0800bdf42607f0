"""Extensions, created unbound here and bound to the app in `create_app`.

`database.session` is the request's SQLAlchemy session: opened on first use, rolled back if
the request fails, closed when the request ends. Views commit it themselves on success.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, request
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.store.db import make_engine, make_sessionmaker

READ_ONLY_METHODS = ("GET", "HEAD", "OPTIONS")

login_manager = LoginManager()
csrf = CSRFProtect()


class Database:
    """The app's engine and sessionmaker, and a session per request."""

    def init_app(self, app: Flask, factory: sessionmaker[Session] | None = None) -> None:
        """Bind to the app: an engine from DATABASE_URL, unless a sessionmaker is given (tests)."""
        if factory is None:
            engine = make_engine(app.config["DATABASE_URL"])
            factory = make_sessionmaker(engine)
        app.extensions["ordinance.sessionmaker"] = factory
        app.teardown_appcontext(self._close)

    @staticmethod
    def factory() -> sessionmaker[Session]:
        """The current app's sessionmaker (for work outside a request, e.g. the CLI)."""
        return current_app.extensions["ordinance.sessionmaker"]

    @property
    def engine(self) -> Engine:
        """The current app's engine (or connection, in tests)."""
        return self.factory().kw["bind"]

    @property
    def session(self) -> Session:
        """The request's session, opened on first use."""
        if "ordinance_session" not in g:
            session = self.factory()()
            if request.method in READ_ONLY_METHODS:  # a page view reads: don't queue behind writers
                session.connection(execution_options={"sqlite_begin": "DEFERRED"})
            g.ordinance_session = session
        return g.ordinance_session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session of its own for a read before the request writes; on SQLite it never waits behind a writer."""
        with self.factory()() as session:
            session.connection(execution_options={"sqlite_begin": "DEFERRED"})
            yield session

    def rollback(self) -> None:
        """Roll back the request's session, if one was opened (before rendering an error page)."""
        session = g.get("ordinance_session")
        if session is not None:
            session.rollback()

    @staticmethod
    def _close(error: BaseException | None) -> None:
        """End the request's session: roll back what was not committed, then close."""
        session = g.pop("ordinance_session", None)
        if session is None:
            return
        try:
            if error is not None:
                session.rollback()
        finally:
            session.close()


database = Database()
