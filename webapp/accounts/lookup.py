"""Reading accounts for the pages: search by number, name or address, and everything an account page shows.

Searches are prefix matches written as ranges on indexed columns (account number, customer
name, service address), each limited, so they stay fast with a million accounts. On SQLite
case is handled by trying the few ways a prefix is usually capitalised, each its own index
range; on PostgreSQL names and addresses are matched as `lower(column) LIKE lower(prefix) || '%'`,
served by the lower(...) text_pattern_ops indexes of migration 0005 under any collation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup
from sqlalchemy import String, func, literal, select
from sqlalchemy.orm import Session, selectinload

from engine.money.ledger import Standing, refundable_cents
from engine.money.ledger.balances import standings_on
from engine.store.models import (Bill, Case, Customer, Deposit, LedgerEntry, Notice, Payment, Property,
                                 UtilityAccount)
from webapp.charts import Bars, bar_chart, listed
from webapp.formatting import month_name

LIMIT = 50
ACCOUNT_SUBJECTS = ("utility_account", "refund", "lien")


def spellings(text: str) -> list[str]:
    """The prefix as typed and as it is usually capitalised (Maria Lo, MARIA LO, maria lo)."""
    found: list[str] = []
    for spelling in (text, text.title(), text.upper(), text.lower(), text.capitalize()):
        if spelling not in found:
            found.append(spelling)
    return found


def starts_with(column, text: str):
    """`column` starts with `text`, as an index range (plus an exact check for collations that differ)."""
    after = text[:-1] + chr(ord(text[-1]) + 1)
    return (column >= text) & (column < after) & column.startswith(text, autoescape=True)


def like_prefix(column, text: str):
    """`lower(column) LIKE lower(text) || '%'`, with `%`, `_` and `\\` in `text` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(func.lower(literal(escaped, String)).concat("%"), escape="\\")


def name_matches(session: Session, column, text: str) -> list:
    """Conditions, each one index lookup, that together find `column` starting with `text` whatever its case."""
    if session.get_bind().dialect.name == "postgresql":
        return [like_prefix(column, text)]
    return [starts_with(column, spelling) for spelling in spellings(text)]


def _rows(session: Session, where, order) -> list[UtilityAccount]:
    """Accounts matching `where`, with customer and property, at most LIMIT."""
    query = (select(UtilityAccount).join(Customer, Customer.id == UtilityAccount.customer_id)
             .join(Property, Property.id == UtilityAccount.property_id).where(where).order_by(order).limit(LIMIT)
             .options(selectinload(UtilityAccount.customer), selectinload(UtilityAccount.property)))
    return list(session.scalars(query))


def search(session: Session, text: str) -> list[UtilityAccount]:
    """Accounts whose number, customer name or service address starts with `text`; at most LIMIT."""
    text = " ".join(text.split())
    if not text:
        return []
    found: dict[int, UtilityAccount] = {}
    for account in _rows(session, starts_with(UtilityAccount.number, text), UtilityAccount.number):
        found.setdefault(account.id, account)
    names = name_matches(session, Customer.name, text)
    addresses = name_matches(session, Property.service_address, text)
    for name, address in zip(names, addresses):
        if len(found) >= LIMIT:
            break
        for column, where in ((Customer.name, name), (Property.service_address, address)):
            for account in _rows(session, where, column):
                found.setdefault(account.id, account)
    return list(found.values())[:LIMIT]


def standings_today(session: Session, accounts: list[UtilityAccount], today: date) -> dict[int, Standing]:
    """The standing today of each account found, by account id, from the kept balances."""
    return standings_on(session, today, [account.id for account in accounts])


def account_by_number(session: Session, number: str) -> UtilityAccount | None:
    """The account with this number, or None."""
    return session.scalar(select(UtilityAccount).where(UtilityAccount.number == number)
                          .options(selectinload(UtilityAccount.customer),
                                   selectinload(UtilityAccount.property).selectinload(Property.owner)))


@dataclass(frozen=True)
class AccountPage:
    """Everything the account page shows, read for one city day."""

    account: UtilityAccount
    standing: Standing
    refundable_cents: int
    bills: list[Bill]
    entries: list[LedgerEntry]
    payments: list[Payment]
    deposits: list[Deposit]
    cases: list[Case]
    notices: list[Notice]


def account_page(session: Session, account: UtilityAccount, today: date, *, rows: int = 24) -> AccountPage:
    """The account's standing today, its latest bills with their lines, ledger, payments, deposits, cases, notices."""
    newest = lambda model: model.id.desc()  # noqa: E731
    return AccountPage(
        account=account,
        standing=standings_on(session, today, [account.id])[account.id],
        refundable_cents=int(refundable_cents(session, account.id)),  # PostgreSQL sums come back as Decimal
        bills=list(session.scalars(select(Bill).where(Bill.account_id == account.id)
                                   .order_by(Bill.period.desc()).limit(rows).options(selectinload(Bill.lines)))),
        entries=list(session.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account.id)
                                     .order_by(newest(LedgerEntry)).limit(rows * 4))),
        payments=list(session.scalars(select(Payment).where(Payment.account_id == account.id)
                                      .order_by(newest(Payment)).limit(rows * 2))),
        deposits=list(session.scalars(select(Deposit).where(Deposit.account_id == account.id).order_by(newest(Deposit)))),
        cases=list(session.scalars(select(Case).where(Case.account_id == account.id)
                                   .order_by(Case.closed_at.is_not(None), newest(Case)).limit(rows))),
        notices=list(session.scalars(select(Notice).where(Notice.subject_type.in_(ACCOUNT_SUBJECTS),
                                                          Notice.subject_id == account.id)
                                     .order_by(newest(Notice)).limit(rows * 2))),
    )


def notice_of_account(session: Session, account: UtilityAccount, notice_id: int) -> Notice | None:
    """The notice if it was written about this account, else None."""
    notice = session.get(Notice, notice_id)
    if notice is None or notice.subject_type not in ACCOUNT_SUBJECTS or notice.subject_id != account.id:
        return None
    return notice


def payment_of_account(session: Session, account: UtilityAccount, payment_id: int) -> Payment | None:
    """The payment if it was made to this account, else None."""
    payment = session.get(Payment, payment_id)
    return payment if payment is not None and payment.account_id == account.id else None


def usage_chart(bills: list[Bill]) -> tuple[Markup, str] | None:
    """The water use of the account's last 12 bills, oldest first: (the chart, its words), or None with no bill."""
    shown = sorted(bills, key=lambda bill: bill.period)[-12:]
    if not shown:
        return None
    labels = [month_name(bill.period) for bill in shown]
    values = [bill.consumption_ccf for bill in shown]
    words = "Water use by bill: " + listed(labels, [f"{value} CCF" for value in values]) + "."
    return bar_chart(Bars("Water use, last 12 bills", labels, values, "CCF", words)), words
