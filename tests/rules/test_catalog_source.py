"""The running system's rules: the store's published revisions, the folder only while none are."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from engine.rulebook import store
from engine.rulebook.drafting import check_draft
from engine.rulebook.catalog_source import (NOTHING_PUBLISHED, CatalogCache, current_catalog, current_rules,
                                         publication_stamp)
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import Bill
from engine.users import add_user
from tests.factories import create_account
from webapp.cli import main

REPO = Path(__file__).resolve().parents[2]
RULES, WORKFLOWS = REPO / "rules", REPO / "workflows"
NOW = datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 24)
LATE_FEE = RULES / "utilities" / "late-fee.yaml"
LATE_FEE_2027 = """\
  - effective: 2027-01-01
    reference: Resolution 2026-77
    lines:
      - name: Late payment penalty (12%)
        when: {fact: past_due_balance, gte: 10.00}
        percent: {of: {fact: past_due_balance}, rate: 12}
        min: 2.00
        max: 75.00
"""


def publish_a_2027_late_fee(db) -> None:
    """Sam drafts a 12% late fee from 2027; Ana, an administrator, publishes it."""
    for username, role in (("sam", "supervisor"), ("ana", "admin")):
        add_user(db, username=username, full_name=username.title(), role=role, password="correct horse",
                 actor="test", now=NOW)
    text = LATE_FEE.read_text(encoding="utf-8").rstrip("\n") + "\n" + LATE_FEE_2027
    row = store.draft(db, check_draft(db, "late-fee", text, TODAY), "sam", NOW)
    store.publish(db, "late-fee", row.revision, "ana", NOW, TODAY)


def late_fee_on(library, day: date) -> str:
    """The late fee on a $200.00 past-due balance on the day."""
    return str(library.evaluate("late-fee", {"past_due_balance": "200.00"}, day).total)


def test_with_nothing_published_the_rules_come_from_the_folder(db):
    """A new install: the store is empty, so the folder's documents are the rules."""
    assert publication_stamp(db) == NOTHING_PUBLISHED
    catalog = current_catalog(db, RULES, WORKFLOWS)
    assert "late-fee" in catalog.rules and len(catalog.workflows.ids()) > 0


def test_once_published_the_store_is_read_and_a_future_version_applies_on_its_date(db):
    """After the import and a publication the 12% version is used from 2027-01-01, not before."""
    store.import_folder(db, RULES, actor="test", now=NOW, today=TODAY)
    publish_a_2027_late_fee(db)
    rules = current_catalog(db, RULES, WORKFLOWS).rules
    assert late_fee_on(rules, date(2026, 12, 31)) == "20.00"
    assert late_fee_on(rules, date(2027, 1, 1)) == "24.00"
    assert late_fee_on(current_rules(db, RULES), date(2027, 1, 1)) == "24.00"


def test_the_folder_is_not_read_once_the_store_has_published(db, tmp_path):
    """An empty folder does not matter when the store has published documents."""
    store.import_folder(db, RULES, actor="test", now=NOW, today=TODAY)
    assert "late-fee" in current_catalog(db, tmp_path, WORKFLOWS).rules


def test_the_cache_is_built_again_after_a_publication_and_not_otherwise(db):
    """The same catalog while nothing is published; a new one on the next read after a publication."""
    store.import_folder(db, RULES, actor="test", now=NOW, today=TODAY)
    cache = CatalogCache(RULES, WORKFLOWS)
    first = cache.get(db)
    assert cache.get(db) is first
    before = publication_stamp(db)
    publish_a_2027_late_fee(db)
    assert publication_stamp(db) != before
    second = cache.get(db)
    assert second is not first
    assert late_fee_on(first.rules, date(2027, 1, 1)) == "20.00"
    assert late_fee_on(second.rules, date(2027, 1, 1)) == "24.00"


def test_the_billing_run_bills_by_the_published_rules_not_the_folder(committing_url, tmp_path):
    """`ordinance billing run` with an empty --rules-dir still bills: the store's rules are used."""
    engine = make_engine(committing_url)
    with make_sessionmaker(engine)() as session, session.begin():
        store.import_folder(session, RULES, actor="test", now=NOW, today=TODAY)
        number = create_account(session).number
    reads = tmp_path / "reads.csv"
    reads.write_text(f"account_number,read_on,reading,consumption\n{number},2026-11-20,112,12\n", encoding="utf-8")
    empty = tmp_path / "no-rules"
    empty.mkdir()

    result = CliRunner().invoke(main, ["billing", "run", "--cycle", "A", "--period", "2026-11", "--reads", str(reads),
                                       "--as-of", "2026-11-24", "--rules-dir", str(empty)],
                                env={"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path)})

    assert result.exit_code == 0, result.output
    with make_sessionmaker(engine)() as session:
        bill = session.scalar(select(Bill))
        assert (bill.rule_id, bill.rule_version) == ("water-rates-residential", "2026-07-01")
    engine.dispose()
