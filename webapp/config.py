"""Configuration of the web app and the command line, read from the environment.

DATABASE_URL      the database (default: SQLite in the instance folder)
ORDINANCE_INSTANCE the instance folder (default: ./instance): database, secret key, PDFs
SECRET_KEY        signs sessions and CSRF tokens (default: generated once into the instance folder)
AUDIT_KEY         signs the audit log's checkpoints (default: instance/audit_key, generated once, mode 0600);
                  never in the database. Every host of a deployment (web, scheduler) needs the same one.
ORDINANCE_PDF_FOLDER where mailing PDFs are written (default: the instance's notices/ folder); on several
                  machines, a shared path every sweep worker and web server sees
ORDINANCE_METRICS_TOKEN a bearer token that may read /metrics from another machine (unset: loopback only)
ORDINANCE_LOG_FORMAT `json` (one JSON object per line, the default of `ordinance serve`) or `text`
ORDINANCE_PLAIN_HTTP `trusted`: the server is reached over plain http on a trusted network, so its
                  sign-in cookies are not marked Secure (the only accepted value; unset means https)

Cookies are Secure (browsers send them over https only) unless the server listens on
loopback (127.0.0.1, localhost, ::1) or ORDINANCE_PLAIN_HTTP=trusted: `cookie_rule` decides.

Sign-in: a session lasts PERMANENT_SESSION_LIFETIME at most and ends after
SESSION_IDLE_TIMEOUT without a request (counter PCs are shared); failed sign-ins are
throttled by SIGN_IN_THROTTLE (engine.throttle.ThrottleRules). The address a sign-in comes
from is request.remote_addr, the computer that connected to the WSGI server: behind an HTTP
reverse proxy, wrap the app in werkzeug's ProxyFix (x_for = the number of proxies in
front), or every sign-in seems to come from the proxy and shares its throttle.
"""
from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

from engine.numerals import is_digits
from engine.throttle import ThrottleRules

PLAIN_HTTP = "ORDINANCE_PLAIN_HTTP"
TRUSTED = "trusted"


class ConfigError(ValueError):
    """A setting in the environment that Ordinance cannot use; the message says what to set instead."""


@dataclass(frozen=True)
class CookieRule:
    """Whether the sign-in cookies are marked Secure, and the reason, as `ordinance serve` prints it."""

    secure: bool
    reason: str


def is_loopback(host: str | None) -> bool:
    """True for an address only this machine can reach: localhost, 127.x.x.x, ::1."""
    if not host:
        return False
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def plain_http_setting() -> str:
    """ORDINANCE_PLAIN_HTTP: "" (unset) or "trusted"; any other value is a ConfigError naming the accepted one."""
    value = os.environ.get(PLAIN_HTTP, "")
    if value not in ("", TRUSTED):
        raise ConfigError(f"{PLAIN_HTTP}={value!r} is not understood: the only accepted value is `{TRUSTED}` "
                          "(the server is reached over plain http on a trusted network); leave it unset when "
                          "Ordinance is served behind https")
    return value


def cookie_rule(host: str | None = None) -> CookieRule:
    """Secure cookies, unless the server listens on loopback or ORDINANCE_PLAIN_HTTP=trusted says plain http is fine."""
    trusted = plain_http_setting() == TRUSTED
    if is_loopback(host):
        return CookieRule(False, "cookies not Secure: plain http on loopback")
    if trusted:
        return CookieRule(False, f"cookies not Secure: plain http on a trusted network ({PLAIN_HTTP}={TRUSTED})")
    return CookieRule(True, "cookies are Secure: serve behind https")


BACKGROUND_NICENESS = "ORDINANCE_BACKGROUND_NICENESS"
DEFAULT_BACKGROUND_NICENESS = 10


def background_niceness() -> int:
    """ORDINANCE_BACKGROUND_NICENESS (0 to 19, default 10): how far the sweeps and background jobs stand back from
    the pages for the processor; a ConfigError for any other value."""
    value = os.environ.get(BACKGROUND_NICENESS, "").strip()
    if not value:
        return DEFAULT_BACKGROUND_NICENESS
    if not is_digits(value) or not 0 <= int(value) <= 19:
        raise ConfigError(f"{BACKGROUND_NICENESS}={value!r} is not a niceness: give a whole number from 0 (the "
                          f"sweeps compete with the pages as equals) to 19 (they take only what the pages leave); "
                          f"unset, it is {DEFAULT_BACKGROUND_NICENESS}")
    return int(value)


def stand_back() -> int:
    """Lower this process's processor priority to the background niceness (never raise it); the niceness now.

    The scheduler and the sweep workers call it: on a machine that also serves the pages, a clerk's
    page goes before the night's sweep or an export, which only take a little longer.
    """
    wanted, current = background_niceness(), os.nice(0)
    return os.nice(wanted - current) if wanted > current else current


def instance_folder() -> Path:
    """The instance folder from ORDINANCE_INSTANCE, or ./instance; created if missing."""
    folder = Path(os.environ.get("ORDINANCE_INSTANCE") or "instance").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pdf_folder(instance: Path) -> Path:
    """ORDINANCE_PDF_FOLDER, or the instance's notices/ folder: where mailing PDFs are written."""
    return Path(os.environ.get("ORDINANCE_PDF_FOLDER") or instance / "notices").resolve()


def secret_key(folder: Path) -> str:
    """SECRET_KEY from the environment, else the instance's own key, generated once (mode 0600)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    return _instance_key(folder / "secret_key")


def audit_key(folder: Path) -> bytes:
    """AUDIT_KEY from the environment, else instance/audit_key, generated once (mode 0600): signs audit checkpoints."""
    if os.environ.get("AUDIT_KEY"):
        return os.environ["AUDIT_KEY"].encode()
    return _instance_key(folder / "audit_key").encode()


def _instance_key(path: Path) -> str:
    """The key in a file of the instance folder, written once with a new random key, readable by its owner only.

    The new key is written whole to a file of its own and then linked into place, so a second
    process starting at the same moment reads either no file or the whole key, never an empty one.
    """
    if not path.exists():
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process linked its key first: that one is the instance's
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if not key:
        raise ConfigError(f"{path} is empty: remove it and a new key is written on the next start")
    return key


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
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)  # a counter PC left signed in ends its session
    SIGN_IN_THROTTLE = ThrottleRules()  # 5 free failures per (username, address), then 1 s doubling to 15 min
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024  # payment import files
    CLOCK: Callable[[], datetime] = staticmethod(utc_now)

    def __init__(self, *, database_url: str | None = None, instance: Path | None = None,
                 host: str | None = None, **overrides: Any) -> None:
        """Read the environment; `host` is the address the server listens on (None: not known, e.g. a WSGI server).

        Raises ConfigError when ORDINANCE_PLAIN_HTTP holds a value other than `trusted`.
        """
        self.cookie_rule = cookie_rule(host)
        self.INSTANCE = instance or instance_folder()
        self.DATABASE_URL = database_url or os.environ.get("DATABASE_URL") or \
            f"sqlite:///{self.INSTANCE / 'ordinance.db'}"
        self.PDF_FOLDER = pdf_folder(self.INSTANCE)
        self.METRICS_TOKEN = os.environ.get("ORDINANCE_METRICS_TOKEN") or None
        self.SECRET_KEY = self._secret()
        self.AUDIT_KEY = self._audit_key()
        # Browsers drop Secure cookies sent over plain http: see cookie_rule.
        self.SESSION_COOKIE_SECURE = self.cookie_rule.secure
        self.REMEMBER_COOKIE_SECURE = self.cookie_rule.secure
        for key, value in overrides.items():
            setattr(self, key, value)

    def _secret(self) -> str:
        """The key that signs sessions."""
        return secret_key(self.INSTANCE)

    def _audit_key(self) -> bytes:
        """The key that signs the audit log's checkpoints."""
        return audit_key(self.INSTANCE)


class TestConfig(Config):
    """Settings for tests: a given database, CSRF off unless a test turns it on, plain-http cookies."""

    __test__ = False  # not a test class, whatever pytest thinks of its name

    TESTING = True
    WTF_CSRF_ENABLED = False

    def __init__(self, *, database_url: str, instance: Path | None = None, **overrides: Any) -> None:
        """A test app on `database_url`; the instance folder defaults to a temporary one."""
        super().__init__(database_url=database_url, instance=instance or Path(os.environ.get("TMPDIR", "/tmp")),
                         host="127.0.0.1", **overrides)

    def _secret(self) -> str:
        """A fixed key: tests need no secrecy."""
        return "ordinance-tests-only"

    def _audit_key(self) -> bytes:
        """A fixed audit key, not the session key."""
        return b"ordinance-tests-only-audit-key"
