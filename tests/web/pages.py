"""What the page tests share: a fixed clock, a bill worked out by the real rate schedule, ledger postings."""
from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from engine.audit import DOWNLOAD
from engine.money import ledger
from engine.money.billing import bill_lines_summing_to_total
from engine.money import to_cents
from engine.rules.library import RuleLibrary
from engine.store.models import AuditEntry, Bill, BillLine, UtilityAccount
from tests.factories import NOW

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 3, 2)  # NOW is 09:00 on March 2 in Alder Creek
_library: RuleLibrary | None = None


@contextmanager
def served_in_thread(app: Flask) -> Iterator[str]:
    """The app served by a thread of this process on a free loopback port (the browser tests' server): its base URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=5)


def library() -> RuleLibrary:
    """The sample city's rules, read once."""
    global _library
    if _library is None:
        _library = RuleLibrary.from_folder(REPO / "rules")
    return _library


def audited_downloads(session: Session) -> list[AuditEntry]:
    """The audit rows of staff downloads of customers' data (engine.audit.record_download), oldest first, read afresh."""
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == DOWNLOAD).order_by(AuditEntry.id)))


def assert_download_audited(entry: AuditEntry, data: bytes, disposition: str, username: str, rows: int) -> None:
    """The audit row names the person, the file they got (its Content-Disposition's name), how many rows and the
    SHA-256 of exactly its bytes."""
    filename = re.search(r'filename="([^"]+)"', disposition).group(1)
    assert (entry.actor, entry.subject_type, entry.subject_id) == (username, "download", filename)
    assert (entry.detail["rows"], entry.detail["bytes"], entry.detail["sha256"]) == (
        rows, len(data), hashlib.sha256(data).hexdigest())


@pytest.fixture()
def fixed_clock(app):
    """The app's clock fixed at the factories' NOW (09:00, March 2, 2026 in the city)."""
    app.config["CLOCK"] = lambda: NOW


@pytest.fixture()
def live_figures(db: Session) -> None:
    """The city's dashboard figures counted at every view (dashboard_figures_seconds 0), so that two views of the
    page show what changed between them (engine.office_figures; tests/web/test_office_figures.py has the kept ones)."""
    from engine.city import update_city
    update_city(db, actor="test", now=NOW, dashboard_figures_seconds=0)


def bill(db: Session, account: UtilityAccount, period: str, ccf: int, *, due_on: date) -> Bill:
    """A bill worked out by the residential rate schedule, stored with its lines, and its charge posted."""
    billed_on = date.fromisoformat(f"{period}-15")
    result = library().evaluate("water-rates-residential", {"meter_size": account.meter_size,
                                                            "consumption_ccf": Decimal(ccf)}, billed_on)
    explanation = result.to_json()
    explanation["facts"] = {"meter_size": account.meter_size, "consumption_ccf": ccf}
    row = Bill(account_id=account.id, cycle=account.cycle, period=period, service_from=billed_on,
               service_to=billed_on, billed_on=billed_on, due_on=due_on, consumption_ccf=ccf,
               total_cents=to_cents(result.total), rule_id=result.rule, rule_version=result.version.isoformat(),
               explanation=explanation)
    db.add(row)
    db.flush()
    for position, (name, amount, detail, service) in enumerate(bill_lines_summing_to_total(result)):
        db.add(BillLine(bill_id=row.id, position=position, name=name, amount_cents=to_cents(amount), detail=detail,
                        service=service))
    ledger.post_charge(db, account.id, result.total, on=billed_on, due_on=due_on, now=NOW, actor="billing",
                       description=f"Utility bill {period}", reference=f"bill {period}")
    db.flush()
    return row


def charge(db: Session, account: UtilityAccount, amount: str, *, on: date, due_on: date) -> None:
    """A charge on the account's ledger."""
    ledger.post_charge(db, account.id, Decimal(amount), on=on, due_on=due_on, now=NOW, actor="billing",
                       description="Water and sewer")
    db.flush()


def credit(db: Session, account: UtilityAccount, amount: str, *, on: date = TODAY) -> None:
    """A payment posted straight to the ledger (a lockbox payment stands in)."""
    ledger.post(db, account_id=account.id, kind="payment", amount=-Decimal(amount), on=on, now=NOW,
                actor="lockbox", description="Payment (lockbox)", reference=f"test-{on}")
    db.flush()
