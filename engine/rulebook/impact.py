"""What a draft revision would change on real accounts and licenses, before it is published.

The version in force today (the published rules) is compared with the draft's new version
on its effective date, on the population the document decides for:

- a water rate schedule: each active account of its rate class, on its last bill's facts
  (consumption, meter size, sewer, winter average, built as the billing run builds them),
  totalled by meter size, each monthly bill also over a year (twelve of them);
- other schedules and criteria: each account with a past-due balance today (fees such as the
  late fee, decisions such as shut-off eligibility); a license fee: each active license;
- the city calendar: each day of the next three months whose shut-off or office answer moves;
- a renewal deadline: each active license whose renewal status moves on one of the next
  three months' first days.

Facts held on a case (an appeal pending, a medical certificate, a payment plan) take their
documented defaults. Schedules and criteria are evaluated a chunk of subjects at a time by the
batch fast paths (engine.rulebook.evaluations); only the examples shown are explained. Nothing
here reads the clock (`today` comes in) or writes.

The work goes a chunk of accounts (or licenses) at a time; an optional `progress(done, total,
subjects)` is told after each chunk (the impact runs as a background job that shows it). The
report goes to JSON and back (`to_json`, `from_json`), amounts as exact decimal strings, so the
job can keep it.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Callable, TypeVar

from sqlalchemy import Text, cast, extract, func, select
from sqlalchemy.orm import Session

from engine.accounts.facts import facts_with_standings
from engine.accounts.history import ServiceOff
from engine.money.billing import rate_facts, winter_average
from engine.money.ledger import Standing
from engine.money.ledger.balances import OWING, PAST_DUE, count_of, standings_of
from engine.money.ledger.standing import standings
from engine.money import from_cents
from engine.rulebook.evaluations import Evaluations, one_by_one
from engine.rules.calendar import CityCalendar, city_calendar
from engine.rules.criteria import Outcome
from engine.rules.document import RuleDocument, Version
from engine.rules.errors import EvaluationError
from engine.rules.kinds.billing import BillingPolicy, billing_document
from engine.rules.library import RuleLibrary
from engine.rules.months import first_of_month
from engine.rules.results import RuleResult, as_text, json_value
from engine.rules.schedule import ScheduleResult
from engine.rules.services import PAYMENT_ORDER_KIND, payment_orders_of
from engine.rules.types import Facts, JsonValue
from engine.rules.versions import version_in_force
from engine.store.models import Bill, Business, License, MeterRead, UtilityAccount

BANDS = ("decrease", "no change", "up to 5%", "5% to 10%", "more than 10%")
# The histogram of changes in dollars: a change below an edge falls in its bin, one at or past the last in the next.
UP_BINS = ((Decimal(1), "up less than $1"), (Decimal(2), "up $1 to $2"), (Decimal(5), "up $2 to $5"),
           (Decimal(10), "up $5 to $10"), (Decimal(20), "up $10 to $20"), (None, "up $20 or more"))
DOWN_BINS = ((Decimal(1), "down less than $1"), (Decimal(5), "down $1 to $5"), (Decimal(10), "down $5 to $10"),
             (None, "down $10 or more"))
DOLLAR_BINS = tuple(label for _, label in reversed(DOWN_BINS)) + ("no change",) + tuple(label for _, label in UP_BINS)
LICENSE_FACTS = {"category", "employees"}
BILLS_A_YEAR = 12  # a billing period is a month (engine.money.billing: periods are YYYY-MM)
LOOK_AHEAD_DAYS = 92
T = TypeVar("T")  # a subject of a population: its facts, or a day
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Change:
    """One subject's amount before and after: the account or license number, and both totals."""

    number: str
    before: Decimal
    after: Decimal

    @property
    def difference(self) -> Decimal:
        """After less before."""
        return self.after - self.before

    @property
    def percent(self) -> Decimal | None:
        """The change as a percent of before, to one decimal (None when before is zero)."""
        return None if not self.before else (self.difference * HUNDRED / self.before).quantize(Decimal("0.1"))

    def to_json(self) -> dict[str, str]:
        """The change as JSON, amounts as exact decimal strings."""
        return {"number": self.number, "before": str(self.before), "after": str(self.after)}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Change:
        """The change `to_json` wrote."""
        return cls(data["number"], Decimal(data["before"]), Decimal(data["after"]))


@dataclass(frozen=True)
class Example:
    """A subject's facts and both explanations (lines as name, amount, detail)."""

    change: Change
    facts: dict[str, JsonValue]  # as JSON keeps them: yes/no as true/false, lists as lists, dates ISO, amounts as text
    before_lines: list[tuple[str, Decimal, str]]
    after_lines: list[tuple[str, Decimal, str]]

    def to_json(self) -> dict[str, JsonValue]:
        """The example as JSON (facts in their order, lines as [name, amount, detail])."""
        return {"change": self.change.to_json(), "facts": [[key, value] for key, value in self.facts.items()],
                "before_lines": _lines_json(self.before_lines), "after_lines": _lines_json(self.after_lines)}

    @classmethod
    def from_json(cls, data: dict[str, JsonValue]) -> Example:
        """The example `to_json` wrote."""
        return cls(Change.from_json(data["change"]), {key: value for key, value in data["facts"]},
                   _lines_of(data["before_lines"]), _lines_of(data["after_lines"]))


def _lines_json(lines: list[tuple[str, Decimal, str]]) -> list[list[str]]:
    """Explanation lines as JSON: [name, amount as a decimal string, detail]."""
    return [[name, str(amount), detail] for name, amount, detail in lines]


def _lines_of(data: list[list[str]]) -> list[tuple[str, Decimal, str]]:
    """Explanation lines from `_lines_json`."""
    return [(name, Decimal(amount), detail) for name, amount, detail in data]


@dataclass
class MoneyImpact:
    """A schedule's totals before and after over its population."""

    subjects: str
    affected: int = 0
    before_total: Decimal = Decimal("0.00")
    after_total: Decimal = Decimal("0.00")
    bands: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BANDS, 0))
    largest_increases: list[Change] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    not_evaluated: list[tuple[str, str]] = field(default_factory=list)
    histogram: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DOLLAR_BINS, 0))
    # By the fact the subjects are grouped by (a water account's meter size): its value -> [count, before, after].
    group_by: str | None = None
    groups: dict[str, list] = field(default_factory=dict)
    per_year: int | None = None  # how many times a year each amount recurs (12: a monthly bill), else None

    def yearly(self, amount: Decimal) -> Decimal | None:
        """An amount over a year (the monthly bill twelve times), when the amounts recur."""
        return amount * self.per_year if self.per_year else None

    def to_json(self) -> dict[str, JsonValue]:
        """The totals as JSON, amounts as exact decimal strings."""
        return {"subjects": self.subjects, "affected": self.affected, "before_total": str(self.before_total),
                "after_total": str(self.after_total), "bands": [[band, n] for band, n in self.bands.items()],
                "largest_increases": [change.to_json() for change in self.largest_increases],
                "examples": [example.to_json() for example in self.examples],
                "not_evaluated": [list(pair) for pair in self.not_evaluated],
                "histogram": [[label, n] for label, n in self.histogram.items()],
                "group_by": self.group_by, "per_year": self.per_year,
                "groups": [[key, n, str(before), str(after)] for key, (n, before, after) in self.groups.items()]}

    @classmethod
    def from_json(cls, data: dict[str, JsonValue]) -> MoneyImpact:
        """The totals `to_json` wrote."""
        return cls(subjects=data["subjects"], affected=data["affected"],
                   before_total=Decimal(data["before_total"]), after_total=Decimal(data["after_total"]),
                   bands={band: n for band, n in data["bands"]},
                   largest_increases=[Change.from_json(item) for item in data["largest_increases"]],
                   examples=[Example.from_json(item) for item in data["examples"]],
                   not_evaluated=[(number, reason) for number, reason in data["not_evaluated"]],
                   histogram={label: n for label, n in data.get("histogram", [])},  # none in a report kept before it
                   group_by=data.get("group_by"), per_year=data.get("per_year"),
                   groups={key: [n, Decimal(before), Decimal(after)] for key, n, before, after in data.get("groups", [])})


@dataclass
class OutcomeImpact:
    """A decision's outcomes before and after, and the subjects whose outcome moves."""

    subjects: str
    counted: int = 0
    before: Counter = field(default_factory=Counter)
    after: Counter = field(default_factory=Counter)
    changed_count: int = 0
    changed: list[tuple[str, str, str]] = field(default_factory=list)
    not_evaluated: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, JsonValue]:
        """The outcomes as JSON (counts as [outcome, count] pairs)."""
        return {"subjects": self.subjects, "counted": self.counted,
                "before": [[outcome, n] for outcome, n in self.before.items()],
                "after": [[outcome, n] for outcome, n in self.after.items()], "changed_count": self.changed_count,
                "changed": [list(row) for row in self.changed],
                "not_evaluated": [list(pair) for pair in self.not_evaluated]}

    @classmethod
    def from_json(cls, data: dict[str, JsonValue]) -> OutcomeImpact:
        """The outcomes `to_json` wrote."""
        return cls(subjects=data["subjects"], counted=data["counted"],
                   before=Counter({outcome: n for outcome, n in data["before"]}),
                   after=Counter({outcome: n for outcome, n in data["after"]}), changed_count=data["changed_count"],
                   changed=[(number, was, will) for number, was, will in data["changed"]],
                   not_evaluated=[(number, reason) for number, reason in data["not_evaluated"]])


@dataclass
class ImpactReport:
    """What publishing a draft would change: which versions are compared, on whom, and the result."""

    document_id: str
    kind: str
    today: date
    effective: date
    version_now: date | None
    population: str
    money: MoneyImpact | None = None
    outcomes: OutcomeImpact | None = None

    def to_json(self) -> dict[str, JsonValue]:
        """The report as JSON: dates ISO, amounts exact decimal strings (what the impact job keeps)."""
        return {"document_id": self.document_id, "kind": self.kind, "today": self.today.isoformat(),
                "effective": self.effective.isoformat(),
                "version_now": self.version_now.isoformat() if self.version_now else None,
                "population": self.population, "money": self.money.to_json() if self.money else None,
                "outcomes": self.outcomes.to_json() if self.outcomes else None}

    @classmethod
    def from_json(cls, data: dict[str, JsonValue]) -> ImpactReport:
        """The report `to_json` wrote."""
        return cls(document_id=data["document_id"], kind=data["kind"], today=date.fromisoformat(data["today"]),
                   effective=date.fromisoformat(data["effective"]),
                   version_now=date.fromisoformat(data["version_now"]) if data["version_now"] else None,
                   population=data["population"],
                   money=MoneyImpact.from_json(data["money"]) if data["money"] else None,
                   outcomes=OutcomeImpact.from_json(data["outcomes"]) if data["outcomes"] else None)


def outcome_text(outcome: Outcome | JsonValue) -> str:
    """A decision's outcome in words: `eligible: true, reason: delinquent`."""
    if isinstance(outcome, dict):
        return ", ".join(f"{key}: {as_text(value)}" for key, value in outcome.items()) or "no rule matched"
    if isinstance(outcome, list):
        return "; ".join(outcome_text(item) for item in outcome) or "no rule matched"
    return as_text(outcome)


def band_of(change: Change) -> str:
    """The change band: decrease, no change, up to 5%, 5% to 10%, more than 10%."""
    if change.difference < 0:
        return "decrease"
    if change.difference == 0:
        return "no change"
    percent = change.percent
    if percent is not None and percent <= 5:
        return "up to 5%"
    if percent is not None and percent <= 10:
        return "5% to 10%"
    return "more than 10%"


def dollar_bin(difference: Decimal) -> str:
    """The histogram bin of a change in dollars (DOLLAR_BINS)."""
    if difference == 0:
        return "no change"
    size = abs(difference)
    return next(label for edge, label in (UP_BINS if difference > 0 else DOWN_BINS) if edge is None or size < edge)


def first_new_effective(draft: RuleDocument, published: RuleDocument | None) -> date:
    """The effective date of the draft's first version that is new or changed (else its newest)."""
    known = {v.effective: (v.body, v.reference, v.retired) for v in (published.versions if published else [])}
    new = [v.effective for v in draft.versions if known.get(v.effective) != (v.body, v.reference, v.retired)]
    return min(new) if new else draft.versions[-1].effective


def draft_library(current: RuleLibrary, draft: RuleDocument) -> RuleLibrary:
    """The published library with the draft in place of its document."""
    return RuleLibrary.from_documents([draft, *(doc for doc in current if doc.id != draft.id)])


# --- populations: (number, facts) streamed a chunk at a time ---------------------------------

Tally = Callable[[int, int], None]  # told (done, total) after each chunk of a population


def _tell(tally: Tally | None, done: int, total: int) -> None:
    """Tell the tally how far a population has got, when there is one."""
    if tally is not None:
        tally(done, total)


def _id_chunks(session: Session, query, id_column, chunk: int) -> Iterator[list]:
    """Rows of `query` in id order, a chunk at a time (keyset on `id_column`)."""
    after = 0
    while True:
        rows = session.connection().execute(query.where(id_column > after).order_by(id_column).limit(chunk)).all()
        if rows:
            yield rows
        if len(rows) < chunk:
            return
        after = rows[-1].id


def _counted_chunks(session: Session, query, id_column, chunk: int, tally: Tally | None) -> Iterator[list]:
    """`_id_chunks`, telling the tally how many rows of how many are done after each chunk."""
    total = session.connection().execute(select(func.count()).select_from(query.subquery())).scalar_one() \
        if tally is not None else 0
    done = 0
    _tell(tally, done, total)
    for rows in _id_chunks(session, query, id_column, chunk):
        yield rows
        done += len(rows)
        _tell(tally, done, total)


def _billing_policy(library: RuleLibrary, today: date) -> BillingPolicy | None:
    """The city's billing document's version in force today (which rate classes a rate schedule bills), or None."""
    doc = billing_document(library)
    try:
        return BillingPolicy.of(doc, today) if doc is not None else None
    except EvaluationError:
        return None


def billed_accounts(session: Session, rate_classes: list[str], chunk: int, policy: BillingPolicy,
                    tally: Tally | None = None) -> Iterator[tuple[str, dict]]:
    """Each active account of these rate classes that has a bill, with its last bill's rate facts (the winter
    average by the billing document's `policy`)."""
    # The services as their stored JSON text, read once per distinct list (a city has a handful), not once per account.
    query = (select(UtilityAccount.id, UtilityAccount.number, UtilityAccount.meter_size,
                    cast(UtilityAccount.services, Text).label("services"))
             .where(UtilityAccount.rate_class.in_(rate_classes), UtilityAccount.status == "active"))
    services_of = lru_cache(maxsize=64)(lambda text: json.loads(text) if text else [])
    for accounts in _counted_chunks(session, query, UtilityAccount.id, chunk, tally):
        yield from _last_bill_facts(session, accounts, services_of, policy)


def _last_bill_facts(session: Session, accounts: list, services_of: Callable[[str | None], list],
                     policy: BillingPolicy) -> Iterator[tuple[str, dict]]:
    """The rate facts of a chunk of accounts' last bills (accounts never billed are left out)."""
    first, last = accounts[0].id, accounts[-1].id
    newest = (select(func.max(Bill.id)).where(Bill.account_id.between(first, last))
              .group_by(Bill.account_id).scalar_subquery())
    bills = {row.account_id: row for row in session.connection().execute(
        select(Bill.account_id, Bill.consumption_ccf, Bill.service_to).where(Bill.id.in_(newest)))}
    if not bills:
        return
    since = min(bill.service_to for bill in bills.values()) - timedelta(days=policy.winter_days)
    winter: dict[int, list[tuple[date, int]]] = {}
    reads = session.connection().execute(
        select(MeterRead.account_id, MeterRead.read_on, MeterRead.consumption_ccf)
        .where(MeterRead.account_id.between(first, last), MeterRead.read_on >= since,
               MeterRead.read_on < max(bill.service_to for bill in bills.values()),
               extract("month", MeterRead.read_on).in_(policy.winter_months)))
    for account_id, read_on, used in reads:
        winter.setdefault(account_id, []).append((read_on, used))
    for account in accounts:
        bill = bills.get(account.id)
        if bill is not None:
            average = winter_average(winter.get(account.id, []), bill.service_to, policy)
            yield account.number, rate_facts(account.meter_size, services_of(account.services), bill.consumption_ccf,
                                             average)


def past_due_accounts(session: Session, today: date, chunk: int, rules: Iterable[RuleDocument],
                      tally: Tally | None = None, *, reads: Collection[str] | None = None,
                      service_off: ServiceOff | None = None) -> Iterator[tuple[str, dict]]:
    """Each account past due today, with its facts (the measures of `rules`; only those giving a fact of `reads`,
    the facts the documents compared read, when it is given). The kept balances name the accounts past due (those
    whose standing may have moved since the kept day worked out afresh), so only they are read."""
    if reads is not None:
        rules = [doc for doc in rules if doc.kind != "measure" or doc.header.get("provides") in reads]
    past_due = count_of(session, today, PAST_DUE)
    waiting: dict[int, Standing] = {}
    checked = 0
    _tell(tally, checked, past_due)
    for account_id, standing in standings_of(session, today, PAST_DUE):
        checked += 1
        waiting[account_id] = standing
        if len(waiting) >= chunk:
            yield from _numbered(facts_with_standings(session, waiting, today, rules, service_off))
            waiting = {}
            _tell(tally, checked, past_due)
    if waiting:
        yield from _numbered(facts_with_standings(session, waiting, today, rules, service_off))
    _tell(tally, checked, past_due)


def _numbered(facts: dict[int, dict]) -> Iterator[tuple[str, dict]]:
    """(account number, facts) for each account's facts."""
    for found in facts.values():
        yield found["account_number"], found


def active_licenses(session: Session, chunk: int, tally: Tally | None = None) -> Iterator[tuple[str, dict]]:
    """Each active license with its business's category and employees and its term."""
    query = (select(License.id, License.number, License.license_type, License.issued_on, License.expires_on,
                    License.fee_cents, Business.category, Business.employees, Business.gross_receipts_cents)
             .join(Business, Business.id == License.business_id).where(License.status == "active"))
    for rows in _counted_chunks(session, query, License.id, chunk, tally):
        for row in rows:
            yield row.number, {"license_number": row.number, "license_type": row.license_type,
                               "category": row.category, "employees": row.employees,
                               "gross_receipts": from_cents(row.gross_receipts_cents or 0),
                               "issued_on": row.issued_on, "expires_on": row.expires_on, "new_permit": False,
                               "license_fee": from_cents(row.fee_cents or 0)}


# --- comparing ------------------------------------------------------------------------------


def _lines(result: ScheduleResult) -> list[tuple[str, Decimal, str]]:
    """A schedule result's lines as (name, amount, detail)."""
    return [(line["name"], line["amount"], line.get("detail", "")) for line in result.lines]


def compare_amounts(population: Iterator[tuple[str, dict]], before: Evaluations, after: Evaluations, subjects: str,
                    *, largest: int = 10, examples: int = 3, chunk: int = 2000, group_by: str | None = None,
                    per_year: int | None = None) -> MoneyImpact:
    """Each subject's schedule total before and after (a chunk at a time): totals, bands, largest increases, examples
    of subjects whose amount changes, and the totals by the value of the fact `group_by` (a meter size)."""
    impact = MoneyImpact(subjects=subjects, group_by=group_by, per_year=per_year)
    for part in _chunks(population, chunk):
        facts_list = [facts for _, facts in part]
        for (number, facts), was, will in zip(part, before.totals(facts_list), after.totals(facts_list)):
            refused = was if isinstance(was, EvaluationError) else will
            if isinstance(refused, EvaluationError):
                if len(impact.not_evaluated) < largest:
                    impact.not_evaluated.append((number, str(refused)))
                continue
            change = Change(number, was, will)
            _count_amount(impact, change, largest)
            if group_by is not None:
                group = impact.groups.setdefault(as_text(facts.get(group_by, "none")), [0, Decimal(0), Decimal(0)])
                group[0] += 1
                group[1] += was
                group[2] += will
            if len(impact.examples) < examples and change.difference:
                shown = {key: _kept(value) for key, value in facts.items()}
                impact.examples.append(Example(change, shown, _lines(before.one(facts)), _lines(after.one(facts))))
    _keep_largest(impact, largest)
    return impact


def _kept(value: object) -> JsonValue:
    """A fact's value as an example keeps it in the job's JSON: its type kept for the page to word it by, an amount
    as its exact digits."""
    kept = json_value(value)
    return str(kept) if isinstance(kept, Decimal) else kept


def _count_amount(impact: MoneyImpact, change: Change, largest: int) -> None:
    """Count one subject's change: the totals, its band, and the largest increases so far."""
    impact.affected += 1
    impact.before_total += change.before
    impact.after_total += change.after
    difference = change.difference
    impact.bands["no change" if not difference else band_of(change)] += 1  # most bills of a draft do not change
    impact.histogram["no change" if not difference else dollar_bin(difference)] += 1
    if difference > 0:
        impact.largest_increases.append(change)
        if len(impact.largest_increases) > largest * 4:
            _keep_largest(impact, largest)


def _chunks(population: Iterator[tuple[str, T]], size: int) -> Iterator[list[tuple[str, T]]]:
    """The population a list of `size` subjects at a time."""
    part: list[tuple[str, T]] = []
    for subject in population:
        part.append(subject)
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part


def _keep_largest(impact: MoneyImpact, largest: int) -> None:
    """Keep the `largest` increases, biggest first (then by number)."""
    impact.largest_increases.sort(key=lambda c: (-c.difference, c.number))
    del impact.largest_increases[largest:]


Judge = Callable[[list[T]], "list[str | EvaluationError]"]  # each subject's outcome in words, or its error


def compare_outcomes(population: Iterator[tuple[str, T]], before: Judge, after: Judge, subjects: str, *,
                     listed: int = 50, chunk: int = 2000) -> OutcomeImpact:
    """Each subject's outcome before and after (a chunk at a time): counts of each, and the subjects that move."""
    impact = OutcomeImpact(subjects=subjects)
    for part in _chunks(population, chunk):
        items = [item for _, item in part]
        for (number, _), was, will in zip(part, before(items), after(items)):
            refused = was if isinstance(was, EvaluationError) else will
            if isinstance(refused, EvaluationError):
                if len(impact.not_evaluated) < listed:
                    impact.not_evaluated.append((number, str(refused)))
                continue
            impact.counted += 1
            impact.before[was] += 1
            impact.after[will] += 1
            if was != will:
                impact.changed_count += 1
                if len(impact.changed) < listed:
                    impact.changed.append((number, was, will))
    return impact


def decisions_in_words(evaluations: Evaluations) -> Judge:
    """Each subject's criteria outcome in words, decided a chunk at a time."""
    return lambda items: [answer if isinstance(answer, EvaluationError) else outcome_text(answer)
                          for answer in evaluations.outcomes(items)]


def _in_force(doc: RuleDocument, on: date) -> Version | None:
    """The version of `doc` in force on `on`, or None."""
    try:
        return version_in_force(doc, on)
    except EvaluationError:
        return None


def _calendar_days(current: RuleDocument, draft: RuleDocument, today: date) -> OutcomeImpact:
    """The days of the next three months whose shut-off or office answer moves."""
    was, will = city_calendar(current), city_calendar(draft)

    def answer(calendar: CityCalendar, day: date) -> str:
        """Whether the office is open and shut-offs are allowed on the day, and why not."""
        try:
            bars = calendar.shutoff_bars(day)
        except EvaluationError as error:
            return f"no calendar: {error}"
        return "shut-offs allowed" if not bars else "no shut-offs: " + "; ".join(bars)

    days = ((day.isoformat(), day) for day in (today + timedelta(days=n) for n in range(LOOK_AHEAD_DAYS)))
    return compare_outcomes(days, one_by_one(lambda day: answer(was, day)), one_by_one(lambda day: answer(will, day)),
                            "days", listed=LOOK_AHEAD_DAYS)


def _renewal_checks(session: Session, today: date, chunk: int,
                    tally: Tally | None = None) -> Iterator[tuple[str, dict]]:
    """Each active license on the first day of each of the next three months."""
    firsts = [first_of_month(today, n) for n in (1, 2, 3)]
    for number, facts in active_licenses(session, chunk, tally):
        for day in firsts:
            yield f"{number} on {day.isoformat()}", {**facts, "_on": day}


def _renewal_status(library: RuleLibrary, document_id: str) -> Callable[[dict], str]:
    """A license's renewal status on its check day by the library's deadline."""
    return lambda facts: library.evaluate(document_id, facts, facts["_on"]).status


Progress = Callable[[int, int, str], None]  # told (done, total, "accounts" or "licenses") as the work goes


def impact_of_draft(session: Session, draft: RuleDocument, current: RuleLibrary, today: date, *,
                    effective: date | None = None, chunk: int = 2000, largest: int = 10,
                    examples: int = 3, progress: Progress | None = None,
                    service_off: ServiceOff | None = None) -> ImpactReport:
    """What publishing `draft` would change: the version in force today against the draft's on its date
    (`service_off`: the workflows' states tagged service_off, for a measure counting shut-offs)."""
    published = current.get(draft.id) if draft.id in current else None
    effective = effective or first_new_effective(draft, published)
    proposed = draft_library(current, draft)
    report = ImpactReport(document_id=draft.id, kind=draft.kind, today=today, effective=effective,
                          version_now=_version_date(published, today), population="")
    if published is None:
        report.population = "nothing: the document is not published yet, so nothing is in force to compare with"
        return report
    now, then = Evaluations(current, draft.id, today), Evaluations(proposed, draft.id, effective)
    reads = set(draft.inputs) | set(published.inputs)  # the facts either version may read: no other measure is worked
    accounts, licenses = _tally(progress, "accounts"), _tally(progress, "licenses")
    policy = _billing_policy(current, today)
    rate_classes = [name for name, schedule in policy.rate_schedules.items() if schedule == draft.id] if policy else []
    if rate_classes:
        report.population = f"active {' and '.join(rate_classes)} accounts, on the facts of each account's last bill"
        report.money = compare_amounts(billed_accounts(session, rate_classes, chunk, policy, accounts), now, then,
                                       "accounts", largest=largest, examples=examples, chunk=chunk,
                                       group_by="meter_size", per_year=BILLS_A_YEAR)
    elif draft.kind == "schedule" and LICENSE_FACTS & set(draft.inputs):
        report.population = "active licenses, by their business's category and employees"
        report.money = compare_amounts(active_licenses(session, chunk, licenses), now, then, "licenses",
                                       largest=largest, examples=examples, chunk=chunk)
    elif draft.kind == "schedule":
        report.population = "accounts with a past-due balance today"
        past_due = past_due_accounts(session, today, chunk, proposed, accounts, reads=reads,
                                     service_off=service_off)
        report.money = compare_amounts(past_due, now, then,
                                       "accounts", largest=largest, examples=examples, chunk=chunk)
    elif draft.kind == "criteria":
        report.population = "accounts with a past-due balance today (facts held on cases take their defaults)"
        past_due = past_due_accounts(session, today, chunk, proposed, accounts, reads=reads,
                                     service_off=service_off)
        report.outcomes = compare_outcomes(past_due,
                                           decisions_in_words(now), decisions_in_words(then), "accounts", chunk=chunk)
    elif draft.kind == "calendar":
        report.population = f"the days from {today.isoformat()} for the next three months"
        report.outcomes = _calendar_days(published, draft, today)
    elif draft.kind == PAYMENT_ORDER_KIND:
        report.population = (f"accounts that owe on {effective.isoformat()}: the services each has something "
                             "past due of, in the order in force and in the draft's")
        report.outcomes = _owed_by_service(session, published, draft, effective, chunk, accounts)
    elif draft.kind == "deadline":
        report.population = "active licenses, on the first day of each of the next three months"
        report.outcomes = compare_outcomes(_renewal_checks(session, today, chunk, licenses),
                                           one_by_one(_renewal_status(current, draft.id)),
                                           one_by_one(_renewal_status(proposed, draft.id)), "license checks",
                                           chunk=chunk)
    else:
        report.population = f"nothing: the impact of a {draft.kind} is not worked out here"
    return report


def _owed_by_service(session: Session, published: RuleDocument, draft: RuleDocument, day: date, chunk: int,
                     tally: Tally | None = None) -> OutcomeImpact:
    """Each account that owes on the day: what it owes (and has past due) of each service, now and with the draft."""
    was, will = payment_orders_of(published), payment_orders_of(draft)
    owing = [account_id for account_id, _ in standings_of(session, day, OWING)]
    numbers: dict[int, str] = {}

    def pairs() -> Iterator[tuple[str, tuple[Standing, Standing]]]:
        """(account number, (standing in the order now, standing in the draft's)), a chunk at a time."""
        for start in range(0, len(owing), chunk):
            ids = owing[start:start + chunk]
            numbers.update(session.execute(select(UtilityAccount.id, UtilityAccount.number)
                                           .where(UtilityAccount.id.in_(ids))).all())
            now = dict(standings(session, day, account_ids=ids, orders=was))
            for account_id, then in standings(session, day, account_ids=ids, orders=will):
                yield numbers[account_id], (now[account_id], then)
            _tell(tally, min(start + chunk, len(owing)), len(owing))

    return compare_outcomes(pairs(), one_by_one(lambda pair: _owed_words(pair[0])),
                            one_by_one(lambda pair: _owed_words(pair[1])), "accounts", chunk=chunk)


def _owed_words(standing: Standing) -> str:
    """Which services have something past due, in words (`past due: sewer, water`): the outcome counted."""
    late = [owed.service for owed in standing.by_service if owed.past_due_cents]
    return f"past due: {', '.join(late)}" if late else "nothing past due"


def _tally(progress: Progress | None, subjects: str) -> Tally | None:
    """A population's tally that tells `progress` how many `subjects` are done, or None without progress."""
    if progress is None:
        return None
    return lambda done, total: progress(done, total, subjects)


def _version_date(doc: RuleDocument | None, today: date) -> date | None:
    """The effective date of the version of `doc` in force today, if any."""
    version = _in_force(doc, today) if doc is not None else None
    return version.effective if version is not None else None
