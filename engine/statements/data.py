"""What a bill statement prints, read from the database for many bills at a time: plain JSON-safe data.

For each bill: the customer's mailing address and language, the account and service address,
the period and read dates with the previous and current reads, the use of the last 12 bills,
the bill's lines with their working and the rate schedule's reference (engine.money.bill_explanation,
the account page's own), the account's summary on the bill's date (the balance on the last bill,
payments since, other charges and credits, this bill, the total due and the part past due),
the city's messages for the cycle (the `kind: bill-messages` document) and the stub's scan line.

Everything is as of the bill's date, read from what is stored, so a reprint next month says
what the mailed bill said. Money is "52.03" (dollars as text, as notices keep it); dates are ISO.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.money.amounts import money_text
from engine import city
from engine.money.bill_explanation import explain_bill
from engine.money.ledger.standing import standings
from engine.rules.errors import RuleError
from engine.rules.kinds.bill_messages import KIND as MESSAGES_KIND, messages_for
from engine.rules.kinds.billing import USAGE_BILLS, BillingPolicy, billing_document
from engine.rules.library import RuleLibrary
from engine.rules.months import period_months_later
from engine.rules.services import service_names
from engine.money.scanline import scan_line
from engine.store.models import Bill, Customer, LedgerEntry, MeterRead, UtilityAccount

READS_BACK_DAYS = 31 * 14  # a bill's previous read is looked for this far before its service ended
HISTORY_MONTHS_PER_BILL = 3  # a chart of N bills reads N * 3 months of bills: monthly, every 2 or every 3 months


@dataclass(frozen=True)
class Statement:
    """One bill's statement: its bill, the customer's language and ZIP (for the postal summary), and its data."""

    bill_id: int
    account_number: str
    language: str
    zip: str
    data: dict[str, Any]


class StatementData:
    """Builds statements' data for bills, with the rules (service names, messages) read once per day and language."""

    def __init__(self, library: RuleLibrary) -> None:
        """The rules the statements quote (the city's services and its bill messages)."""
        self.library = library
        self._names: dict[tuple[date, str], dict[str, str]] = {}
        self._messages: dict[date, dict] = {}
        self._usage_bills: dict[date, int] = {}

    def service_names(self, day: date, language: str) -> dict[str, str]:
        """Each service's name in a language on a day."""
        key = (day, language)
        if key not in self._names:
            self._names[key] = service_names(self.library, day, language)
        return self._names[key]

    def messages(self, day: date, cycle: str, language: str) -> list[str]:
        """The city's messages for bills of the cycle dated on the day, in the language."""
        if day not in self._messages:
            doc = next((doc for doc in self.library if doc.kind == MESSAGES_KIND.name), None)  # one a city
            try:
                self._messages[day] = ({"messages": []} if doc is None else
                                       self.library.evaluate(doc.id, {}, day).to_json())
            except RuleError:  # none in force that day: no message
                self._messages[day] = {"messages": []}
        return messages_for(self._messages[day], cycle, language)

    def usage_bills(self, day: date) -> int:
        """How many bills a statement dated on the day charts: the billing document's `usage_history` (else 12)."""
        if day not in self._usage_bills:
            doc = billing_document(self.library)
            try:
                self._usage_bills[day] = BillingPolicy.of(doc, day).usage_bills if doc is not None else USAGE_BILLS
            except RuleError:  # no version in force that day: the usual 12
                self._usage_bills[day] = USAGE_BILLS
        return self._usage_bills[day]

    def of_bills(self, session: Session, bills: list[Bill]) -> list[Statement]:
        """The statements of these bills (with their lines loaded), in the order given."""
        if not bills:
            return []
        ids = sorted({bill.account_id for bill in bills})
        accounts = {a.id: a for a in session.scalars(select(UtilityAccount).where(UtilityAccount.id.in_(ids)).options(
            selectinload(UtilityAccount.customer), selectinload(UtilityAccount.property)))}
        latest = max(bill.service_to for bill in bills)
        earliest = min(bill.service_to for bill in bills) - timedelta(days=READS_BACK_DAYS)
        reads = _reads(session, ids, earliest, latest)
        charted = max(self.usage_bills(bill.billed_on) for bill in bills)
        history = _bill_history(session, ids, min(bill.period for bill in bills), max(bill.period for bill in bills),
                                charted * HISTORY_MONTHS_PER_BILL)
        on_bill_day = _standings(session, {(bill.account_id, bill.billed_on) for bill in bills})
        previous = {bill.id: _previous(history[bill.account_id], bill.period) for bill in bills}
        on_last_bill = _standings(session, {(bill.account_id, prior.billed_on) for bill in bills
                                            if (prior := previous[bill.id]) is not None})
        paid = _payments(session, ids, min(bill.billed_on for bill in bills) - timedelta(days=400), latest)
        languages = city.offered(session)
        return [self._statement(bill, accounts[bill.account_id], reads[bill.account_id], history[bill.account_id],
                                previous[bill.id], on_bill_day, on_last_bill, paid[bill.account_id], languages)
                for bill in bills]

    def _statement(self, bill: Bill, account: UtilityAccount, reads: list, history: list, previous: Any,
                   on_bill_day: dict, on_last_bill: dict, paid: list, languages: list[str]) -> Statement:
        """One bill's statement, in the customer's language if the city offers it (else English)."""
        customer: Customer = account.customer
        language = city.printed_in(languages, customer.language)
        now = on_bill_day[(bill.account_id, bill.billed_on)]
        since = previous.billed_on if previous is not None else None
        before = on_last_bill[(bill.account_id, since)].balance_cents if since is not None else 0
        payments = sum(cents for day, cents in paid if (since is None or day > since) and day <= bill.billed_on)
        other = now.balance_cents - bill.total_cents - before - payments
        due = max(now.balance_cents, 0)
        current_read = next((r for r in reads if r.period == bill.period), None)
        previous_read = next((r for r in reversed(reads) if r.read_on < bill.service_to and r.period != bill.period),
                             None)
        usage = [{"period": b.period, "ccf": b.consumption_ccf} for b in history if b.period <= bill.period]
        why = explain_bill(bill)
        data = {
            "notice_date": bill.billed_on.isoformat(),
            "reference": why.reference or bill.rule_id,
            "recipient": {"name": customer.name, "street": customer.mailing_street, "unit": customer.mailing_unit,
                          "city": customer.mailing_city, "state": customer.mailing_state, "zip": customer.mailing_zip},
            "account_number": account.number,
            "service_address": account.property.service_address,
            "cycle": bill.cycle,
            "period": bill.period,
            "service_from": bill.service_from.isoformat(),
            "service_to": bill.service_to.isoformat(),
            "billed_on": bill.billed_on.isoformat(),
            "due_date": bill.due_on.isoformat(),
            "consumption_ccf": bill.consumption_ccf,
            "previous_read": _read(previous_read),
            "current_read": _read(current_read),
            "usage": usage[-self.usage_bills(bill.billed_on):],
            "usage_bills": self.usage_bills(bill.billed_on),
            "explanation": {**why.to_json(), "rule_title": self.library.title_of(bill.rule_id)},
            "services": self.service_names(bill.billed_on, language),
            "previous_balance": money_text(before),
            "previous_bill_date": since.isoformat() if since else None,
            "payments": money_text(payments),
            "other": money_text(other),
            "current_charges": money_text(bill.total_cents),
            "balance": money_text(now.balance_cents),
            "past_due": money_text(max(now.past_due_cents, 0)),
            "amount_due": money_text(due),
            "messages": self.messages(bill.billed_on, bill.cycle, language),
            "scan_line": scan_line(account.number, due),
        }
        return Statement(bill.id, account.number, language, (customer.mailing_zip or "")[:5], data)


def _read(read: Any) -> dict | None:
    """A meter read as a statement prints it."""
    return None if read is None else {"read_on": read.read_on.isoformat(), "reading": read.reading}


def _reads(session: Session, ids: list[int], earliest: date, latest: date) -> dict[int, list]:
    """The accounts' reads from earliest to latest, by account, oldest first."""
    found: dict[int, list] = defaultdict(list)
    for read in session.execute(select(MeterRead.account_id, MeterRead.period, MeterRead.read_on, MeterRead.reading)
                                .where(MeterRead.account_id.in_(ids), MeterRead.read_on >= earliest,
                                       MeterRead.read_on <= latest).order_by(MeterRead.read_on)):
        found[read.account_id].append(read)
    return found


def _bill_history(session: Session, ids: list[int], first: str, last: str, months: int) -> dict[int, list]:
    """The accounts' bills from `months` months before the first period to the last, by account, oldest first."""
    found: dict[int, list] = defaultdict(list)
    for bill in session.execute(select(Bill.account_id, Bill.period, Bill.billed_on, Bill.consumption_ccf)
                                .where(Bill.account_id.in_(ids), Bill.period >= period_months_later(first, -months),
                                       Bill.period <= last).order_by(Bill.period)):
        found[bill.account_id].append(bill)
    return found


def _previous(history: list, period: str) -> Any:
    """The account's bill before this period's, or None."""
    earlier = [bill for bill in history if bill.period < period]
    return earlier[-1] if earlier else None


def _standings(session: Session, wanted: Iterable[tuple[int, date]]) -> dict[tuple[int, date], Any]:
    """The standing of each (account, day) asked, from the ledger (reading the accounts of one day together)."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for account_id, day in wanted:
        by_day[day].append(account_id)
    return {(account_id, day): found for day, ids in by_day.items()
            for account_id, found in standings(session, day, ids)}


def _payments(session: Session, ids: list[int], earliest: date, latest: date) -> dict[int, list[tuple[date, int]]]:
    """The accounts' payments (credits of kind payment, cents below zero) by day, by account."""
    found: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for row in session.execute(select(LedgerEntry.account_id, LedgerEntry.effective_on, LedgerEntry.amount_cents)
                               .where(LedgerEntry.account_id.in_(ids), LedgerEntry.kind == "payment",
                                      LedgerEntry.effective_on >= earliest, LedgerEntry.effective_on <= latest)):
        found[row.account_id].append((row.effective_on, row.amount_cents))
    return found


def bills_of_run(session: Session, cycle: str, period: str, chunk: int = 500) -> Iterator[list[Bill]]:
    """The bills of a billing run (cycle and period) in mailing order (ZIP, then account number), a chunk at a time."""
    order = (select(Bill.id).join(UtilityAccount, UtilityAccount.id == Bill.account_id)
             .join(Customer, Customer.id == UtilityAccount.customer_id)
             .where(Bill.cycle == cycle, Bill.period == period)
             .order_by(Customer.mailing_zip, UtilityAccount.number))
    ids = list(session.scalars(order))
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        found = {bill.id: bill for bill in session.scalars(select(Bill).where(Bill.id.in_(part))
                                                           .options(selectinload(Bill.lines)))}
        yield [found[bill_id] for bill_id in part]
