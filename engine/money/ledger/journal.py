"""The general-ledger view of the account ledgers: balanced journal totals by fund and account code.

Every ledger entry moves receivables by its amount and an offset account by the opposite: the
one the posting gate booked it to from the city's chart of accounts (engine.chart_of_accounts; an
entry kept without one, the chart's for its kind). A bill's charge (and its reversal) is split
over the revenue accounts by its bill lines (a bill charged per service: each charge by the
lines of its service), each line's account found in the chart by the words of its name;
deposits taken move cash against deposits held. Totals are summed in the database, so a day's
export and a trial balance over years cost the same few queries.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session, aliased

from engine.city import get_city
from engine.chart_of_accounts import Chart, chart_of
from engine.money.gate import KINDS_BOOKED
from engine.money import money_text
from engine.store.models import BillLine, Deposit, GlEntry, LedgerEntry, Payment


def journal_totals(session: Session, entries_when: ColumnElement[bool], deposits_when: ColumnElement[bool],
                   gl_when: ColumnElement[bool]) -> dict[tuple[str, str], int]:
    """Signed cents (+ debit, - credit) by (fund, account) for the entries, deposits and GL lines selected."""
    chart = city_chart(session)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    totals[chart.receivables] += session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                                          .where(entries_when))
    target = aliased(LedgerEntry)
    by_kind = session.execute(
        select(LedgerEntry.kind, target.kind, LedgerEntry.fund, LedgerEntry.gl_account,
               func.sum(LedgerEntry.amount_cents))
        .outerjoin(target, target.id == LedgerEntry.reverses_id)
        .where(entries_when, LedgerEntry.bill_id.is_(None))
        .group_by(LedgerEntry.kind, target.kind, LedgerEntry.fund, LedgerEntry.gl_account)).all()
    for kind, target_kind, fund, gl_account, cents in by_kind:
        effective_kind = target_kind if kind == "reversal" else kind
        booked = fund and gl_account  # where the gate booked it (a reversal: where its entry was)
        kinds = chart.offset_of(effective_kind) if effective_kind in KINDS_BOOKED else (fund, gl_account)
        totals[(fund, gl_account) if booked else kinds] -= cents
    billed = session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                            .where(entries_when, LedgerEntry.bill_id.is_not(None)))
    signed_line = case((LedgerEntry.amount_cents > 0, BillLine.amount_cents), else_=-BillLine.amount_cents)
    split = 0
    for name, cents in session.execute(select(BillLine.name, func.sum(signed_line))
                                       .join(LedgerEntry, (LedgerEntry.bill_id == BillLine.bill_id)
                                             & BillLine.service.is_not_distinct_from(LedgerEntry.service))
                                       .where(entries_when, LedgerEntry.bill_id.is_not(None))
                                       .group_by(BillLine.name)).all():
        totals[chart.bill_line_account(name)] -= cents
        split += cents
    totals[chart.charges] -= billed - split  # a charge whose lines do not add up still balances, as `charges`
    received = session.scalar(select(func.coalesce(func.sum(Deposit.amount_cents), 0)).where(deposits_when))
    totals[chart.cash] += received
    totals[chart.deposits_held] -= received
    for fund, account, offset_fund, offset_account, cents in session.execute(
            select(GlEntry.fund, GlEntry.gl_account, GlEntry.offset_fund, GlEntry.offset_account,
                   func.sum(GlEntry.amount_cents)).where(gl_when)
            .group_by(GlEntry.fund, GlEntry.gl_account, GlEntry.offset_fund, GlEntry.offset_account)).all():
        totals[(fund, account)] += cents
        totals[(offset_fund, offset_account)] -= cents
    return {key: cents for key, cents in totals.items() if cents}


def city_chart(session: Session) -> Chart:
    """The city's chart of accounts in force (the sample city's until it saves its own)."""
    return chart_of(get_city(session).chart_of_accounts)


def city_chart(session: Session) -> Chart:
    """The city's chart of accounts in force (the sample city's until it saves its own)."""
    return chart_of(get_city(session).chart_of_accounts)


JOURNAL_COLUMNS = ["date", "fund", "account", "account_name", "debit", "credit"]


def journal_rows(totals: dict[tuple[str, str], int], label: str, chart: Chart) -> list[dict]:
    """CSV-ready rows: fund, account, name (the chart's), debit, credit (dollars), in account order."""
    return [{"date": label, "fund": fund, "account": account, "account_name": chart.name_of(account),
             "debit": money_text(max(cents, 0)), "credit": money_text(max(-cents, 0))}
            for (fund, account), cents in sorted(totals.items())]


def day_journal(session: Session, business_date: date) -> list[dict]:
    """The GL export of one day's postings (entries dated that day, deposits taken that day)."""
    totals = journal_totals(session, LedgerEntry.effective_on == business_date, Deposit.received_on == business_date,
                            GlEntry.effective_on == business_date)
    return journal_rows(totals, business_date.isoformat(), city_chart(session))


def trial_balance(session: Session, as_of: date) -> list[dict]:
    """Every account's balance from the start through as_of; debits equal credits."""
    totals = journal_totals(session, LedgerEntry.effective_on <= as_of, Deposit.received_on <= as_of,
                            GlEntry.effective_on <= as_of)
    return journal_rows(totals, as_of.isoformat(), city_chart(session))


COUNTER_JOURNAL_COLUMNS = ["date", "reference", "fund", "account", "account_name", "debit", "credit", "description"]


def counter_journal(session: Session, business_date: date) -> list[dict]:
    """The day's counter in GL lines, by reference: each receipt's payments and GL lines, and each drawer's over/short.

    Every row pair balances (a payment: cash against receivables; a license fee or an item:
    its revenue against its fund's cash), so the GL export's totals can be traced to each
    receipt number.
    """
    rows, chart = [], city_chart(session)
    for entry in session.scalars(select(LedgerEntry).join(Payment, Payment.id == LedgerEntry.payment_id)
                                 .where(LedgerEntry.effective_on == business_date, Payment.receipt_id.is_not(None))
                                 .order_by(LedgerEntry.id)):
        rows += _pair(business_date, entry.reference, chart.receivables, entry.amount_cents,
                      (entry.fund, entry.gl_account), entry.description, chart)
    for line in session.scalars(select(GlEntry).where(GlEntry.effective_on == business_date).order_by(GlEntry.id)):
        rows += _pair(business_date, line.reference, (line.fund, line.gl_account), line.amount_cents,
                      (line.offset_fund, line.offset_account), line.description, chart)
    return rows


def _pair(day: date, reference: str, side: tuple[str, str], cents: int, offset: tuple[str, str],
          description: str, chart: Chart) -> list[dict]:
    """Two balancing rows: `cents` on one side (+ debit), the opposite on its offset."""
    return [{"date": day.isoformat(), "reference": reference, "fund": fund, "account": account,
             "account_name": chart.name_of(account), "debit": money_text(max(signed, 0)),
             "credit": money_text(max(-signed, 0)), "description": description}
            for (fund, account), signed in ((side, cents), (offset, -cents))]
