"""Shared set-up for billing tests: accounts with a read history, and reads files."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from engine.rules.library import RuleLibrary
from engine.store.models import MeterRead
from tests.factories import create_account

REPO = Path(__file__).resolve().parents[2]


def library() -> RuleLibrary:
    """The city's real rules."""
    return RuleLibrary.from_folder(REPO / "rules")


def account_with_reads(session, reads: list[tuple[str, date, int, int]], **overrides):
    """An account and its earlier reads: (period, read_on, reading, consumption) each."""
    account = create_account(session, **overrides)
    for period, read_on, reading, used in reads:
        session.add(MeterRead(account_id=account.id, period=period, read_on=read_on, reading=reading,
                              consumption_ccf=used))
    session.flush()
    return account


def reads_file(tmp_path: Path, rows: list[str], header: str = "account_number,read_on,reading") -> Path:
    """A reads CSV with the header and rows given."""
    path = tmp_path / "reads.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path
