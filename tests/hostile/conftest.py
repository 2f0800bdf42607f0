"""Hostile-input fixtures: the app at NOW with API tokens (tests/api), signed-in staff and the CLI (tests/web)."""
from __future__ import annotations

from tests.api.conftest import api, app, client  # noqa: F401  (shared fixtures)
from tests.web.conftest import cli, clerk, login_as, runner, supervisor  # noqa: F401  (shared fixtures)
