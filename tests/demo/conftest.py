"""Fixtures for the sample city: the rule library read once, and a small city loaded once per module."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import Engine

from samplecity.loader import DemoSummary, load_demo
from engine.workflow.services import Catalog
from engine.store.db import make_engine
from tests.conftest import REPO, migrated_copy
from samplecity.city import APPROVAL_ROLE_IDS

AS_OF = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 17, 30, tzinfo=timezone.utc)
ACCOUNTS, LICENSES = 200, 40


@pytest.fixture(scope="session")
def city_rules() -> Catalog:
    """The sample city's rule documents and workflows, read once."""
    return Catalog.load(REPO / "rules", REPO / "workflows", APPROVAL_ROLE_IDS)


@pytest.fixture(scope="module")
def empty_database(tmp_path_factory: pytest.TempPathFactory,
                   migrated_template: str) -> Iterator[Callable[[], Engine]]:
    """Makes migrated empty databases of the module's own (SQLite files, or PostgreSQL databases)."""
    engines, drops = [], []

    def make() -> Engine:
        url, drop = migrated_copy(migrated_template, tmp_path_factory.mktemp("city") / "city.db")
        drops.append(drop)
        engine = make_engine(url)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()
    for drop in drops:
        drop()


def load(engine: Engine, rules: Catalog, seed: int = 2026, accounts: int = ACCOUNTS) -> DemoSummary:
    """Load a small sample city as of AS_OF."""
    return load_demo(engine, rules, accounts=accounts, licenses=LICENSES, seed=seed, as_of=AS_OF, now=NOW)


@pytest.fixture(scope="module")
def city(empty_database: Callable[[], Engine], city_rules: Catalog) -> Engine:
    """A sample city of 200 accounts and 40 businesses, loaded once for the module's tests."""
    engine = empty_database()
    load(engine, city_rules)
    return engine
