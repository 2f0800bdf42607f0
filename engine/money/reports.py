"""Money reports as rows (dicts of text): aging (by account, by service), billing register, summary by rate,
daily receipts, trial balance.

Each returns (or streams) plain rows that the command line writes as CSV and the web UI
renders as a table; amounts are dollars as text with two decimals.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.money.closing import stored_receipts
from engine.money.ledger import BUCKETS
from engine.money.ledger.balances import EVERY_KEPT, OWING, WITH_A_BALANCE, standings_of
from engine.rules.services import CATCH_ALL
from engine.money.ledger.journal import trial_balance as _trial_balance
from engine.money import money_text, to_cents
from engine.store.adjustments import Adjustment, Rebill
from engine.store.models import (Bill, BillLine, Customer, GlEntry, LedgerEntry, Payment, Receipt, UtilityAccount,
                                 receipt_number)

AGING_COLUMNS = ["account_number", "customer", "balance", *BUCKETS, "past_due_balance", "days_past_due"]


def aging(session: Session, as_of: date, *, include_zero: bool = False) -> Iterator[dict]:
    """Every account with a balance, its aging buckets on as_of (read from the kept balances), then a totals row."""
    totals = dict.fromkeys(["balance_cents", "past_due_cents", *BUCKETS], 0)
    pending: list = []

    def flush() -> Iterator[dict]:
        """Rows for the pending standings, with their account numbers and customer names."""
        names = dict((row[0], row[1:]) for row in session.execute(
            select(UtilityAccount.id, UtilityAccount.number, Customer.name).join(Customer)
            .where(UtilityAccount.id.in_([account_id for account_id, _ in pending]))))
        for account_id, s in pending:
            number, customer = names[account_id]
            yield {"account_number": number, "customer": customer, "balance": money_text(s.balance_cents),
                   **{b: money_text(getattr(s, b)) for b in BUCKETS}, "past_due_balance": money_text(s.past_due_cents),
                   "days_past_due": s.days_past_due}
        pending.clear()

    for account_id, standing in standings_of(session, as_of, EVERY_KEPT if include_zero else WITH_A_BALANCE):
        totals["balance_cents"] += standing.balance_cents
        totals["past_due_cents"] += standing.past_due_cents
        for bucket in BUCKETS:
            totals[bucket] += getattr(standing, bucket)
        pending.append((account_id, standing))
        if len(pending) >= 1000:
            yield from flush()
    if pending:
        yield from flush()
    yield {"account_number": "TOTAL", "customer": "", "balance": money_text(totals["balance_cents"]),
           **{b: money_text(totals[b]) for b in BUCKETS}, "past_due_balance": money_text(totals["past_due_cents"]),
           "days_past_due": ""}


AGING_BY_SERVICE_COLUMNS = ["service", "accounts", "unpaid", *BUCKETS, "past_due"]


def aging_by_service(session: Session, as_of: date) -> list[dict]:
    """What is unpaid of each service on as_of, by age (read from the kept balances), then a totals row.

    One row per service owed (by name, the catch-all `other` last): how many accounts owe
    some of it, what they owe, its aging buckets and the part past due. Credits are the
    account's and pay its debits in the city's payment order, so no service is ever negative.
    """
    sums: dict[str, dict[str, int]] = {}
    for _, standing in standings_of(session, as_of, OWING):
        for owed in standing.by_service:
            row = sums.setdefault(owed.service, dict.fromkeys(["accounts", "unpaid", *BUCKETS, "past_due"], 0))
            row["accounts"] += 1
            row["unpaid"] += owed.unpaid_cents
            row["past_due"] += owed.past_due_cents
            for bucket in BUCKETS:
                row[bucket] += getattr(owed, bucket)
    order = sorted(sums, key=lambda service: (service == CATCH_ALL, service))
    rows = [{"service": service, "accounts": sums[service]["accounts"],
             **{k: money_text(v) for k, v in sums[service].items() if k != "accounts"}} for service in order]
    total = {key: sum(sums[service][key] for service in sums) for key in ["unpaid", *BUCKETS, "past_due"]}
    return rows + [{"service": "TOTAL", "accounts": "", **{k: money_text(v) for k, v in total.items()}}]


def billing_register(session: Session, cycle: str, period: str) -> list[dict]:
    """Every bill in force of a cycle's period: account, service dates, use, total, rule version; then the total.

    A bill cancelled by a rebill is left out; the bill that replaced it is listed (billed on the rebill's day).
    """
    rows, total = [], 0
    for bill, number, rate_class, meter in session.execute(
            select(Bill, UtilityAccount.number, UtilityAccount.rate_class, UtilityAccount.meter_size)
            .join(UtilityAccount, UtilityAccount.id == Bill.account_id)
            .where(Bill.cycle == cycle, Bill.period == period, Bill.cancelled_on.is_(None))
            .order_by(UtilityAccount.number)):
        total += bill.total_cents
        rows.append({"account_number": number, "rate_class": rate_class, "meter_size": meter,
                     "service_from": bill.service_from.isoformat(), "service_to": bill.service_to.isoformat(),
                     "consumption_ccf": bill.consumption_ccf, "total": money_text(bill.total_cents),
                     "rule": bill.rule_id, "rule_version": bill.rule_version,
                     "billed_on": bill.billed_on.isoformat(), "due_on": bill.due_on.isoformat()})
    rows.append({"account_number": "TOTAL", "rate_class": "", "meter_size": "", "service_from": "", "service_to": "",
                 "consumption_ccf": sum(r["consumption_ccf"] for r in rows), "total": money_text(total), "rule": "",
                 "rule_version": "", "billed_on": "", "due_on": ""})
    return rows


def billing_totals(session: Session, cycle: str, period: str) -> list[dict]:
    """A cycle's month billed by rate class and service: bills and amount of each (bills in force), then the total.

    A bill counts once under each service it charges; a line billing no named service is the catch-all's.
    """
    in_force = (Bill.cycle == cycle, Bill.period == period, Bill.cancelled_on.is_(None))
    rows = [{"rate_class": rate_class, "service": service or CATCH_ALL, "bills": bills,
             "billed": money_text(int(cents or 0))}
            for rate_class, service, bills, cents in session.execute(
                select(UtilityAccount.rate_class, BillLine.service, func.count(func.distinct(Bill.id)),
                       func.sum(BillLine.amount_cents))
                .join(UtilityAccount, UtilityAccount.id == Bill.account_id).join(BillLine, BillLine.bill_id == Bill.id)
                .where(*in_force).group_by(UtilityAccount.rate_class, BillLine.service))]
    rows.sort(key=lambda row: (row["rate_class"], row["service"] == CATCH_ALL, row["service"]))
    bills, cents = session.execute(select(func.count(Bill.id), func.sum(Bill.total_cents)).where(*in_force)).one()
    return rows + [{"rate_class": "TOTAL", "service": "", "bills": bills, "billed": money_text(int(cents or 0))}]


def summary_by_rate(session: Session, period: str, cycle: str | None = None) -> list[dict]:
    """Bills (in force: a cancelled one's replacement, not both), use and amounts of a period by rate schedule (rate
    code) and meter size."""
    query = (select(Bill.rule_id, UtilityAccount.meter_size, func.count(), func.sum(Bill.consumption_ccf),
                    func.sum(Bill.total_cents))
             .join(UtilityAccount, UtilityAccount.id == Bill.account_id)
             .where(Bill.period == period, Bill.cancelled_on.is_(None))
             .group_by(Bill.rule_id, UtilityAccount.meter_size).order_by(Bill.rule_id, UtilityAccount.meter_size))
    if cycle:
        query = query.where(Bill.cycle == cycle)
    return [{"period": period, "rate_code": rule_id, "meter_size": meter, "bills": count,
             "consumption_ccf": int(use or 0), "billed": money_text(int(cents or 0))}
            for rule_id, meter, count, use, cents in session.execute(query)]


RECEIPT_COLUMNS = ["date", "source", "tender", "status", "payments", "amount"]
RECEIPT_GL_KINDS = {"license_fee": "license fees", "misc": "miscellaneous"}  # GL lines a receipt posts: their source


def daily_receipts(session: Session, day: date) -> list[dict]:
    """Money received on a day: payments by source, tender and status, then license fees and miscellaneous items
    taken on receipts; the total counts only what stands (a returned check or a voided receipt is listed, not added).

    A payment is booked on the day it is received, or, when it is dated on a day already
    closed, on the next open day (its ledger entry's day), so a closed day's receipts never change.
    """
    kept = stored_receipts(session, day)
    if kept is not None:
        return kept
    rows, total = [], 0
    booked = select(LedgerEntry.payment_id).where(LedgerEntry.kind == "payment", LedgerEntry.effective_on == day)
    for source, tender, status, count, cents in session.execute(
            select(Payment.source, Payment.tender, Payment.status, func.count(), func.sum(Payment.amount_cents))
            .where(Payment.id.in_(booked)).group_by(Payment.source, Payment.tender, Payment.status)
            .order_by(Payment.source, Payment.tender, Payment.status)):
        total += cents if status == "posted" else 0
        rows.append({"date": day.isoformat(), "source": source, "tender": tender, "status": status,
                     "payments": count, "amount": money_text(int(cents))})
    for kind, status, count, cents in session.execute(
            select(GlEntry.kind, Receipt.status, func.count(), func.sum(GlEntry.amount_cents))
            .join(Receipt, Receipt.id == GlEntry.receipt_id)
            .where(GlEntry.effective_on == day, GlEntry.kind.in_(RECEIPT_GL_KINDS))
            .group_by(GlEntry.kind, Receipt.status).order_by(GlEntry.kind, Receipt.status)):
        total += -cents if status == "posted" else 0
        rows.append({"date": day.isoformat(), "source": RECEIPT_GL_KINDS[kind], "tender": "", "status": status,
                     "payments": count, "amount": money_text(-int(cents))})
    rows.append({"date": day.isoformat(), "source": "TOTAL", "tender": "", "status": "",
                 "payments": sum(r["payments"] for r in rows if r["status"] == "posted"),
                 "amount": money_text(int(total))})
    return rows


CORRECTION_COLUMNS = ["date", "clerk", "kind", "reference", "account", "amount", "reason", "by"]


def corrections(session: Session, day: date) -> list[dict]:
    """The day's voids, returned payments, adjustments, waivers, rebills and drawer over/short, by the clerk they
    concern; then the total.

    A void is the clerk's receipt voided (by a supervisor); a return is the clerk's payment
    the bank returned (recorded by `by`); an adjustment or a fee waiver is the one the clerk
    asked for, posted that day (`by`: who approved it, or the clerk when it was within their
    limit); a rebill is the clerk's, its amount the new bill less the charges reversed;
    over/short is the variance of the clerk's counted drawer.
    """
    rows = []
    for receipt in session.scalars(select(Receipt).where(Receipt.status == "voided", Receipt.business_date == day)):
        accounts = ", ".join(line["reference"] for line in receipt.lines if line["kind"] == "account")
        rows.append({"clerk": receipt.actor, "kind": "void", "reference": receipt.number, "account": accounts,
                     "cents": receipt.total_cents, "reason": receipt.void_reason, "by": receipt.voided_by})
    for payment, number, by in session.execute(
            select(Payment, UtilityAccount.number, LedgerEntry.actor)
            .join(UtilityAccount, UtilityAccount.id == Payment.account_id)
            .join(LedgerEntry, (LedgerEntry.payment_id == Payment.id) & (LedgerEntry.kind == "reversal"))
            .where(Payment.status == "returned", Payment.returned_on == day)):
        rows.append({"clerk": payment.actor, "kind": "return", "reference": receipt_number(payment.receipt_id)
                     if payment.receipt_id else f"payment {payment.id}", "account": number,
                     "cents": payment.amount_cents, "reason": payment.return_reason, "by": by})
    rows += _adjustments(session, day) + _rebills(session, day)
    for entry in session.scalars(select(GlEntry).where(GlEntry.kind == "over_short", GlEntry.effective_on == day)):
        rows.append({"clerk": entry.actor, "kind": "over/short", "reference": entry.reference, "account": "",
                     "cents": -entry.amount_cents, "reason": entry.description, "by": entry.actor})
    rows.sort(key=lambda r: (r["clerk"], r["kind"], r["reference"]))
    shown = [{"date": day.isoformat(), **{k: v for k, v in r.items() if k != "cents"},
              "amount": money_text(r["cents"])} for r in rows]
    shown.append({"date": day.isoformat(), "clerk": "TOTAL", "kind": f"{len(rows)} corrections", "reference": "",
                  "account": "", "amount": "", "reason": "", "by": ""})
    return [{column: row[column] for column in CORRECTION_COLUMNS} for row in shown]


def _adjustments(session: Session, day: date) -> list[dict]:
    """The adjustments and waivers posted on the day (each by who asked), and adjustment entries posted without one."""
    rows, linked = [], set()
    for row, entry, number in session.execute(
            select(Adjustment, LedgerEntry, UtilityAccount.number)
            .join(LedgerEntry, LedgerEntry.id == Adjustment.entry_id)
            .join(UtilityAccount, UtilityAccount.id == Adjustment.account_id)
            .where(LedgerEntry.effective_on == day).order_by(Adjustment.id)):
        linked.add(entry.id)
        rows.append({"clerk": row.requested_by, "kind": "waiver" if row.fee_entry_id else "adjustment",
                     "reference": f"adjustment {row.id}", "account": number, "cents": entry.amount_cents,
                     "reason": f"{row.label}: {row.note}", "by": row.decided_by or row.requested_by})
    for entry, number in session.execute(select(LedgerEntry, UtilityAccount.number)
                                         .join(UtilityAccount, UtilityAccount.id == LedgerEntry.account_id)
                                         .where(LedgerEntry.kind == "adjustment", LedgerEntry.effective_on == day)):
        if entry.id not in linked:
            rows.append({"clerk": entry.actor, "kind": "adjustment", "reference": entry.reference, "account": number,
                         "cents": entry.amount_cents, "reason": entry.description, "by": entry.actor})
    return rows


def _rebills(session: Session, day: date) -> list[dict]:
    """The bills cancelled and rebilled on the day: the new bill less the old one's charges reversed."""
    return [{"clerk": row.actor, "kind": "rebill", "reference": f"bill {row.cancelled_bill_id} to bill {row.new_bill_id}",
             "account": number, "cents": row.billed_cents + row.reversed_cents, "reason": row.reason, "by": row.actor}
            for row, number in session.execute(select(Rebill, UtilityAccount.number)
                                               .join(UtilityAccount, UtilityAccount.id == Rebill.account_id)
                                               .where(Rebill.rebilled_on == day).order_by(Rebill.id))]


def trial_balance(session: Session, as_of: date) -> list[dict]:
    """Balances by fund and account code through as_of, with a totals row (debits = credits)."""
    rows = _trial_balance(session, as_of)
    debit = sum(to_cents(Decimal(r["debit"])) for r in rows)
    credit = sum(to_cents(Decimal(r["credit"])) for r in rows)
    rows.append({"date": as_of.isoformat(), "fund": "", "account": "TOTAL", "account_name": "",
                 "debit": money_text(debit), "credit": money_text(credit)})
    return rows
