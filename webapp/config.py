"""Configuration of the web app and the command line, read from the environment.

DATABASE_URL      the database (default: SQLite in the instance folder)
ORDINANCE_INSTANCE the instance folder (default: ./instance): database, secret key, PDFs
SECRET_KEY        signs sessions and CSRF tokens (default: generated once into the instance folder)
"""
from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable


def instance_folder() -> Path:
    """The instance folder from ORDINANCE_INSTANCE, or ./instance; created if missing."""
    folder = Path(os.environ.get("ORDINANCE_INSTANCE") or "instance").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def secret_key(folder: Path) -> str:
    """SECRET_KEY from the environment, else the instance's own key, generated once (mode 0600)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = folder / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def utc_now() -> datetime:
    """The real time, aware, in UTC: the app's clock unless a test gives it another."""
    return datetime.now(timezone.utc)


class Config:
    """Settings for a real run; attributes in capitals become Flask's app.config."""

    TESTING = False
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SESSION_COOKIE_NAME = "ordinance_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=9)  # a working day; then sign in again
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024  # payment import files
    CLOCK: Callable[[], datetime] = staticmethod(utc_now)

    def __init__(self, *, database_url: str | None = None, instance: Path | None = None,
                 loopback_http: bool = False, **overrides: Any) -> None:
        """Read the environment; `loopback_http` drops the Secure cookie flag for `ordinance serve` on 127.0.0.1."""
        self.INSTANCE = instance or instance_folder()
        self.DATABASE_URL = database_url or os.environ.get("DATABASE_URL") or \
            f"sqlite:///{self.INSTANCE / 'ordinance.db'}"
        self.SECRET_KEY = self._secret()
        # Browsers drop Secure cookies sent over plain http, which the embedded server on
        # 127.0.0.1 speaks; anywhere else Ordinance sits behind https.
        self.SESSION_COOKIE_SECURE = not loopback_http
        self.REMEMBER_COOKIE_SECURE = not loopback_http
        for key, value in overrides.items():
            setattr(self, key, value)

    def _secret(self) -> str:
        """The key that signs sessions."""
        return secret_key(self.INSTANCE)


class TestConfig(Config):
    """Settings for tests: a given database, CSRF off unless a test turns it on, plain-http cookies."""

    __test__ = False  # not a test class, whatever pytest thinks of its name

    TESTING = True
    WTF_CSRF_ENABLED = False

    def __init__(self, *, database_url: str, instance: Path | None = None, **overrides: Any) -> None:
        """A test app on `database_url`; the instance folder defaults to a temporary one."""
        super().__init__(database_url=database_url, instance=instance or Path(os.environ.get("TMPDIR", "/tmp")),
                         loopback_http=True, **overrides)

    def _secret(self) -> str:
        """A fixed key: tests need no secrecy."""
        return "ordinance-tests-only"
