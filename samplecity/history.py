"""A year in the life of each account: meter reads, bills, payments, and the ledger they leave.

How people pay: most pay on time and in full (autopay, online, by mail, at the counter);
about 15% are sometimes late; about 4% are chronically delinquent and stop paying months
before the as-of date, so their balances age past 90 days; about 1% have a check come
back unpaid (the payment, its reversal and the returned-payment fee); about one prompt
payer in fifty paid a bill twice and is owed the credit. A year's entries are posted in
date order per account (the late fees of the open cases follow, posted by the workflow).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import attrgetter

from engine.money.billing import charge_description
from engine.money.gate import NEW_BOOKS, Admitted, Posting, Reversed, admit_all
from engine.money.ledger import aging
from engine.money.ledger.kept import balance_row, service_rows
from engine.rules.months import first_of_month
from samplecity import usage
from samplecity.accounts import AccountPlan, weighted
from samplecity.billing import BillingCalendar, RateBook
from samplecity.dice import dice

PROMPT, SOMETIMES_LATE, DELINQUENT, RETURNED_CHECK = "prompt", "sometimes_late", "delinquent", "returned_check"
BEHAVIOURS = ((PROMPT, 80), (SOMETIMES_LATE, 15), (DELINQUENT, 4), (RETURNED_CHECK, 1))
HABITS = ((("ach", "online"), 22), (("card", "online"), 25), (("check", "lockbox"), 33),
          (("cash", "counter"), 10), (("check", "counter"), 5), (("card", "counter"), 5))
DUPLICATE_EVERY = 50  # about one prompt payer in 50 pays a bill twice
IN_DATE_ORDER = attrgetter("on", "order")
RETURN_REASON = "Insufficient funds (NSF)"

READ_COLUMNS = ("id", "account_id", "period", "read_on", "reading", "consumption_ccf", "source", "meter_id")
BILL_COLUMNS = ("id", "account_id", "cycle", "period", "service_from", "service_to", "billed_on", "due_on",
                "consumption_ccf", "total_cents", "rule_id", "rule_version", "explanation")
# Bill lines repeat: millions of bills share a few thousand priced line sets. Each bill is
# staged as (bill, price, first line id) and each price's lines once; one INSERT ... SELECT
# then writes every bill's lines inside the database.
BILL_PRICES = "bill_id INTEGER PRIMARY KEY, price_key INTEGER NOT NULL, first_line_id INTEGER NOT NULL"
PRICED_LINES = ("price_key INTEGER NOT NULL, position INTEGER NOT NULL, name VARCHAR(120) NOT NULL, "
                "amount_cents BIGINT NOT NULL, detail TEXT NOT NULL, service VARCHAR(32), "
                "PRIMARY KEY (price_key, position)")
WRITE_BILL_LINES = (
    "INSERT INTO bill_lines (id, bill_id, position, name, amount_cents, detail, service) "
    "SELECT b.first_line_id + l.position - 1, b.bill_id, l.position, l.name, l.amount_cents, l.detail, l.service "
    "FROM demo_bill_prices b CROSS JOIN demo_priced_lines l WHERE l.price_key = b.price_key "
    "ORDER BY b.bill_id, l.position")
PAYMENT_COLUMNS = ("id", "account_id", "amount_cents", "tender", "source", "received_on", "check_number",
                   "idempotency_key", "drawer_id", "status", "returned_on", "return_reason", "actor", "posted_at")
LEDGER_COLUMNS = ("id", "account_id", "kind", "amount_cents", "effective_on", "due_on", "posted_at", "actor",
                  "description", "reference", "rule_id", "rule_version", "bill_id", "payment_id", "reverses_id",
                  "fund", "gl_account", "service")
BALANCE_COLUMNS = ("account_id", "balance_cents", "past_due_cents", "oldest_unpaid_due", "current_cents",
                   "days_1_30_cents", "days_31_60_cents", "days_61_90_cents", "over_90_cents")
SERVICE_BALANCE_COLUMNS = ("account_id", "service", "unpaid_cents", "past_due_cents", "current_cents",
                           "days_1_30_cents", "days_31_60_cents", "days_61_90_cents", "over_90_cents")


@dataclass(frozen=True)
class BillingMonth:
    """One cycle's billing of one month: when the meter was read, the service period, bill and due dates."""

    period: str
    month: int
    read_on: date
    service_from: date
    service_to: date
    billed_on: date
    due_on: date


def billing_months(calendar: BillingCalendar, cycle: str, periods: list[str]) -> list[BillingMonth]:
    """The year of billing months of a cycle; meters are read five days before the bill."""
    dates = [calendar.dates(cycle, period) for period in [previous_period(periods[0])] + periods]
    months = []
    for (before, _), (billed_on, due_on), period in zip(dates, dates[1:], periods):
        months.append(BillingMonth(period, int(period[5:]), billed_on - timedelta(days=5),
                                   before - timedelta(days=4), billed_on - timedelta(days=5), billed_on, due_on))
    return months


def previous_period(period: str) -> str:
    """The YYYY-MM before a YYYY-MM."""
    return first_of_month(date(int(period[:4]), int(period[5:]), 1), -1).strftime("%Y-%m")


@dataclass(slots=True)
class Entry:
    """A ledger entry before its id is known: sorted by day, then by `order`."""

    on: date
    order: int
    kind: str
    amount_cents: int
    description: str
    reference: str = ""
    due_on: date | None = None
    rule_id: str | None = None
    rule_version: str | None = None
    bill_id: int | None = None
    payment_id: int | None = None
    reverses: "Entry | None" = None
    id: int = 0
    period: str = ""  # the bill period of a charge
    booked: Admitted | None = None  # what the posting gate admitted: cents and where they are booked
    service: str | None = None  # the service a charge or fee bills (None: the catch-all)


@dataclass
class Standing:
    """Where an account stands on the as-of date, for choosing which accounts have open cases."""

    account_id: int
    cycle: str
    behaviour: str
    balance_cents: int
    past_due_cents: int
    oldest_unpaid_due: date | None
    oldest_unpaid_period: str = ""
    duplicate_payment_cents: int = 0


@dataclass
class Ids:
    """The next primary key of each table the year of history writes."""

    read: int = 1
    bill: int = 1
    line: int = 1
    payment: int = 1
    entry: int = 1


@dataclass
class Counts:
    """How many accounts behave each way, for the load's summary."""

    behaviours: dict[str, int] = field(default_factory=dict)
    returned_checks: int = 0


class AccountYears:
    """Writes each account's year of reads, bills, payments and ledger entries."""

    def __init__(self, writer, rates: RateBook, calendar: BillingCalendar, periods: list[str], as_of: date,
                 seed: int) -> None:
        """Bill `periods` (YYYY-MM, oldest first) for accounts loaded on `as_of`."""
        self.writer, self.rates, self.as_of = writer, rates, as_of
        self.use_rng = dice(seed, "usage")
        self.pay_rng = dice(seed, "payments")
        self.months = {cycle: billing_months(calendar, cycle, periods) for cycle in "ABCD"}
        self.stored = {cycle: [tuple(writer.day(d) for d in (m.read_on, m.service_from, m.service_to, m.billed_on,
                                                            m.due_on)) for m in months]
                       for cycle, months in self.months.items()}
        self.reads = writer.declare("meter_reads", READ_COLUMNS)
        self.bills = writer.declare("bills", BILL_COLUMNS)
        self.bill_prices = writer.declare_staging("demo_bill_prices", BILL_PRICES, ("bill_id", "price_key",
                                                                                   "first_line_id"))
        self.payments = writer.declare("payments", PAYMENT_COLUMNS)
        self.entries = writer.declare("ledger_entries", LEDGER_COLUMNS)
        self.balances = writer.declare("account_balances", BALANCE_COLUMNS)
        self.service_balances = writer.declare("account_service_balances", SERVICE_BALANCE_COLUMNS)
        self.ids = Ids()
        self.counts = Counts()
        self.nsf = rates.fee("returned-payment-fee", {"returned_payments_12m": 1}, as_of)
        self.described: dict[tuple, str] = {}  # each charge's description, by service and billing month

    def year(self, plan: AccountPlan) -> Standing | None:
        """Write one account's year; for a delinquent account or one that paid twice, where it stands."""
        months = self.months[plan.cycle]
        entries, totals = self.bill_year(plan, months)  # the charges, and the payments appended to them
        behaviour = weighted(self.pay_rng, BEHAVIOURS)
        self.counts.behaviours[behaviour] = self.counts.behaviours.get(behaviour, 0) + 1
        duplicate = self.pay_year(plan, behaviour, totals, months, entries)
        entries.sort(key=IN_DATE_ORDER)
        self.post(plan.id, entries)
        if behaviour != DELINQUENT and not duplicate:
            return None
        return standing(plan, behaviour, entries, self.as_of, duplicate)

    def bill_year(self, plan: AccountPlan, months: list[BillingMonth]) -> tuple[list[Entry], list[int]]:
        """Reads and bills for each month; returns the bills' charges (one per service, as the billing run posts
        them: engine.money.billing) and each bill's total."""
        w, ids = self.writer, self.ids
        base = usage.base_use(self.use_rng, plan.rate_class == "commercial", plan.meter_size)
        use = usage.monthly_use(self.use_rng, base, [m.month for m in months])
        winter = usage.winter_average(use, [m.month for m in months])
        registers = usage.readings(self.use_rng, use)
        charges, totals, described = [], [], self.described
        reads, bills, bill_prices, price = self.reads, self.bills, self.bill_prices, self.rates.water_and_sewer
        account_id, cycle, rate_class, meter, sewer, fire = (plan.id, plan.cycle, plan.rate_class, plan.meter_size,
                                                             plan.sewer, plan.fire_line)
        for month, stored, ccf, register in zip(months, self.stored[cycle], use, registers):
            read_on, service_from, service_to, billed_on, due_on = stored
            reads.append((ids.read, account_id, month.period, read_on, register, ccf, "route", account_id))
            ids.read += 1
            bill = price(rate_class, meter, ccf, winter, sewer, fire, month.service_from, month.service_to)
            bill_id = ids.bill
            ids.bill += 1
            bills.append((bill_id, account_id, cycle, month.period, service_from, service_to, billed_on, due_on, ccf,
                          bill.total_cents, bill.rule_id, bill.rule_version, bill.explanation(month.service_to)))
            bill_prices.append((bill_id, bill.key, ids.line))
            ids.line += len(bill.lines)
            totals.append(bill.total_cents)
            reference = f"bill {bill_id}"
            for service, cents in bill.charges:
                key = (service, service_from, service_to)
                description = described.get(key) or described.setdefault(
                    key, charge_description(service, month.service_from, month.service_to))
                charges.append(Entry(month.billed_on, 0, "charge", cents, description, reference, month.due_on,
                                     bill.rule_id, bill.rule_version, bill_id, period=month.period, service=service))
        return charges, totals

    def write_bill_lines(self) -> None:
        """Every bill's lines, from the staged prices, written by the database itself."""
        priced_lines = self.writer.declare_staging("demo_priced_lines", PRICED_LINES,
                                                   ("price_key", "position", "name", "amount_cents", "detail",
                                                    "service"))
        for bill in self.rates.kept.values():
            priced_lines.extend(bill.staged_lines())
        self.writer.flush()
        self.writer.execute(WRITE_BILL_LINES)
        self.writer.execute("DROP TABLE demo_priced_lines")
        self.writer.execute("DROP TABLE demo_bill_prices")
        self.writer.written["bill_lines"] += self.ids.line - 1

    def pay_year(self, plan: AccountPlan, behaviour: str, totals: list[int], months: list[BillingMonth],
                 entries: list[Entry]) -> int:
        """The account's payments of its bills' `totals`; returns the amount of a duplicate payment (0 if none)."""
        rng = self.pay_rng
        tender, source = ("check", "lockbox") if behaviour == RETURNED_CHECK else weighted(rng, HABITS)
        check_number = rng.randint(1001, 8000)
        stops_at = len(totals) - rng.randint(4, 7) if behaviour == DELINQUENT else len(totals)
        bounced_at = rng.randint(3, 8) if behaviour == RETURNED_CHECK else -1
        last_paid = None
        for index, (total, month) in enumerate(zip(totals, months)):
            if index >= stops_at:
                break
            amount, paid_on = self.payment_terms(rng, behaviour, total, month)
            if amount <= 0:
                continue
            paid_on = counter_day(paid_on) if source == "counter" else paid_on
            if paid_on > self.as_of:
                continue
            if tender == "check":
                check_number += 1
            payment = self.pay(plan, amount, tender, source, paid_on, f"demo:{plan.number}:{month.period}",
                               str(check_number) if tender == "check" else "", entries)
            last_paid = (amount, paid_on, month.period)
            if index == bounced_at:
                self.bounce(plan, payment, paid_on, month.period, entries)
        if behaviour == PROMPT and plan.id % DUPLICATE_EVERY == 3 and last_paid:
            amount, paid_on, period = last_paid  # the same bill paid again, by mail
            self.pay(plan, amount, "check", "lockbox", min(self.as_of, paid_on + timedelta(days=2)),
                     f"demo:{plan.number}:{period}:again", str(rng.randint(101, 999)), entries)
            return amount
        return 0

    def payment_terms(self, rng: random.Random, behaviour: str, total_cents: int,
                      month: BillingMonth) -> tuple[int, date]:
        """How much of a bill (its total: the sum of its charges) is paid, and when."""
        on_time = month.billed_on + timedelta(days=rng.randint(4, 19))
        if behaviour == SOMETIMES_LATE and rng.randint(1, 100) <= 35:
            return total_cents, month.due_on + timedelta(days=rng.randint(3, 40))
        if behaviour == DELINQUENT:
            if rng.randint(1, 100) <= 30:
                return 0, on_time
            part = total_cents * rng.randint(40, 100) // 100
            return part, month.due_on + timedelta(days=rng.randint(0, 45))
        return total_cents, on_time

    def pay(self, plan: AccountPlan, amount: int, tender: str, source: str, paid_on: date, key: str,
            check_number: str, entries: list[Entry]) -> Entry:
        """One payment received and its ledger credit."""
        payment_id = self.ids.payment
        self.ids.payment += 1
        minutes = 8 * 60 + (payment_id % 9) * 60 + payment_id % 4 * 15  # quarter hours of the working day
        self.payments.append((payment_id, plan.id, amount, tender, source, self.writer.days[paid_on], check_number,
                              key, None, "posted", None, "", "demo", self.writer.moments[(paid_on, minutes)]))
        entry = Entry(paid_on, 1, "payment", -amount, f"Payment ({tender}, {source})", check_number or key,
                      payment_id=payment_id)
        entries.append(entry)
        return entry

    def bounce(self, plan: AccountPlan, payment: Entry, paid_on: date, period: str, entries: list[Entry]) -> None:
        """The bank returns a check: the payment is reversed and the returned-payment fee charged."""
        returned_on = paid_on + timedelta(days=self.pay_rng.randint(5, 10))
        row = list(self.payments[-1])  # the payment just written, not yet sent
        row[9], row[10], row[11] = "returned", self.writer.day(returned_on), RETURN_REASON
        self.payments[-1] = tuple(row)
        self.counts.returned_checks += 1
        entries.append(Entry(returned_on, 2, "reversal", -payment.amount_cents, f"Returned check: {RETURN_REASON}",
                             payment.reference, payment_id=payment.payment_id, reverses=payment))
        entries.append(Entry(returned_on, 3, "fee", self.nsf.total_cents, "Returned payment fee", payment.reference,
                             returned_on, self.nsf.rule_id, self.nsf.rule_version, service=self.nsf.service))
        if self.pay_rng.randint(1, 10) <= 6 and returned_on + timedelta(days=12) <= self.as_of:
            self.pay(plan, payment.amount_cents * -1 + self.nsf.total_cents, "cash", "counter",
                     counter_day(returned_on + timedelta(days=12)), f"demo:{plan.number}:{period}:replacement", "",
                     entries)

    def post(self, account_id: int, entries: list[Entry]) -> None:
        """Ledger rows for the account's entries, in date order, each admitted by the posting gate."""
        days, moments, rows, entry_id = self.writer.days, self.writer.moments, self.entries, self.ids.entry
        for entry in entries:
            entry.id = entry_id
            entry_id += 1
            reverses = entry.reverses
            undone = reverses and Reversed(reverses.id, reverses.amount_cents, reverses.booked.fund,
                                           reverses.booked.gl_account)
            # A new city: the default ceilings, and no day closed yet (so each entry is booked on its own day).
            [entry.booked] = admit_all([Posting(account_id, entry.kind, entry.amount_cents, entry.on, undone)],
                                       NEW_BOOKS)
            rows.append((entry.id, account_id, entry.kind, entry.amount_cents, days[entry.on],
                         entry.due_on and days[entry.due_on], moments[(entry.on, 420 + entry.order * 90)], "demo",
                         entry.description, entry.reference, entry.rule_id, entry.rule_version, entry.bill_id,
                         entry.payment_id, reverses and reverses.id, entry.booked.fund, entry.booked.gl_account,
                         entry.service))
        self.ids.entry = entry_id
        self.keep_balance(account_id, entries)

    def keep_balance(self, account_id: int, entries: list[Entry]) -> None:
        """The account's kept balance (and by service) on the load's day, worked out by `age()` as every posting's is.

        Each entry keeps its service (a bill's charges are by service, as the billing run posts them), so
        what is owed is kept by service too; the sample city's payment order is oldest due first.
        """
        postings = [aging.Posting(e.id, e.booked.cents, e.booked.on, e.due_on, e.reverses and e.reverses.id,
                                  e.service) for e in entries]
        standing = aging.age(postings, self.as_of)
        kept = balance_row(account_id, standing)
        kept["oldest_unpaid_due"] = self.writer.day(kept["oldest_unpaid_due"])
        self.balances.append(tuple(kept[column] for column in BALANCE_COLUMNS))
        self.service_balances.extend(tuple(row[column] for column in SERVICE_BALANCE_COLUMNS)
                                     for row in service_rows(account_id, standing))


def counter_day(day: date) -> date:
    """City Hall's counter is closed at weekends: a Saturday or Sunday payment comes in on Monday."""
    weekday = day.weekday()
    return day + timedelta(days=7 - weekday) if weekday >= 5 else day


def standing(plan: AccountPlan, behaviour: str, entries: list[Entry], as_of: date, duplicate: int) -> Standing:
    """Balance, past-due balance and the oldest unpaid bill, paying the oldest charges first."""
    credit = -sum(e.amount_cents for e in entries if e.amount_cents < 0 or e.kind == "reversal")
    balance = sum(e.amount_cents for e in entries)
    past_due, oldest, oldest_period = 0, None, ""
    for entry in entries:
        if entry.amount_cents <= 0 or entry.kind == "reversal":
            continue
        covered = min(credit, entry.amount_cents)
        credit -= covered
        unpaid = entry.amount_cents - covered
        if unpaid and entry.due_on is not None and entry.due_on < as_of:
            past_due += unpaid
            if oldest is None and entry.kind == "charge":
                oldest, oldest_period = entry.due_on, entry.period
    return Standing(plan.id, plan.cycle, behaviour, balance, past_due, oldest, oldest_period, duplicate)
