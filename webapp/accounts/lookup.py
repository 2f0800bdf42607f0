"""Reading accounts for the pages: everything an account page shows (finding them is webapp.search)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from engine.accounts.adjustments import BillNote, of_account, on_next_bills
from engine.money.ledger import Standing, refundable_cents
from engine.money.ledger.balances import standings_on
from engine.money.ledger.order import payment_orders
from engine.store.adjustments import Adjustment
from engine.store.models import Bill, Case, Deposit, LedgerEntry, Notice, Payment, Property, UtilityAccount
from webapp.charts import Bars, bar_chart, listed
from webapp.formatting import month_name

ACCOUNT_SUBJECTS = ("utility_account", "refund", "lien", "adjustment")


def standings_today(session: Session, accounts: list[UtilityAccount], today: date) -> dict[int, Standing]:
    """The standing today of each account found, by account id, from the kept balances."""
    return standings_on(session, today, [account.id for account in accounts])


def account_by_number(session: Session, number: str) -> UtilityAccount | None:
    """The account with this number, or None: with its customer, property and owner, in one query (each is one row)."""
    return session.scalar(select(UtilityAccount).where(UtilityAccount.number == number)
                          .options(joinedload(UtilityAccount.customer),
                                   joinedload(UtilityAccount.property).joinedload(Property.owner)))


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
    adjustments: list[Adjustment]
    on_bills: dict[int | None, list[BillNote]]  # adjustments, waivers and rebills by the bill that shows them
    aging_words: tuple[str, ...]  # the aging buckets' names in the payment order in force ("1–30 days", ..)


def account_page(session: Session, account: UtilityAccount, today: date, *, rows: int = 24) -> AccountPage:
    """The account's standing today, its latest bills with their lines, ledger, payments, deposits, cases, notices."""
    newest = lambda model: model.id.desc()  # noqa: E731
    bills = list(session.scalars(select(Bill).where(Bill.account_id == account.id)
                                 .order_by(Bill.period.desc(), Bill.id.desc()).limit(rows)
                                 .options(selectinload(Bill.lines))))
    return AccountPage(
        account=account,
        standing=standings_on(session, today, [account.id])[account.id],
        refundable_cents=refundable_cents(session, account.id),
        bills=bills,
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
        adjustments=of_account(session, account.id, rows * 2),
        on_bills=on_next_bills(session, account.id, bills),
        aging_words=payment_orders(session).on(today).bucket_words(),
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


USAGE_BILLS = 12
USAGE_TITLE = "Water use, last 12 bills"


@dataclass(frozen=True)
class Usage:
    """The water use of an account's last 12 bills, oldest first: the months, the CCF, and the words for it."""

    months: tuple[str, ...]
    ccf: tuple[int, ...]
    title = USAGE_TITLE

    @property
    def words(self) -> str:
        """The picture in one sentence: "Water use by bill: Jan 2026 10 CCF, ..."."""
        return "Water use by bill: " + listed(self.months, [f"{value} CCF" for value in self.ccf]) + "."

    @property
    def version(self) -> str:
        """A short name of these numbers, for the picture's address: a new bill, a new address (cached apart)."""
        return hashlib.sha256(repr((self.months, self.ccf)).encode()).hexdigest()[:12]

    def chart(self) -> Markup:
        """The bar chart (webapp.charts), titled and labelled for screen readers."""
        return bar_chart(Bars(USAGE_TITLE, self.months, self.ccf, "CCF", self.words))


def usage_of_account(session: Session, account: UtilityAccount) -> Usage | None:
    """The use of the account's last 12 bills not cancelled, or None with none: what the account page's words say
    and its picture draws (each request reads it, so the two agree)."""
    rows = session.execute(select(Bill.period, Bill.consumption_ccf)
                           .where(Bill.account_id == account.id, Bill.cancelled_on.is_(None))
                           .order_by(Bill.period.desc(), Bill.id.desc()).limit(USAGE_BILLS)).all()
    if not rows:
        return None
    rows.reverse()
    return Usage(tuple(month_name(period) for period, _ in rows), tuple(ccf for _, ccf in rows))
