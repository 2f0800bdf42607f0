"""The facts a case's steps are judged on: a documented set per subject type, derived fresh.

Every subject type lists its facts with their types (`ordinance cases show` prints them): the
record facts below, and the facts of the published measures (kind: measure) whose subject
is the account (for a delinquency, lien or refund case) or the license, with the type and
meaning their documents give (`subject_facts`).
Facts marked `case` come from the case's own fields (given when the case is opened or set by
its steps) with the default shown; the others are read from the account, the license or the
ledger as of the step's day (an account's from engine.accounts.facts, the one place that reads
them). The case's own fields are facts too and take precedence.

A refund case, a lien case and an adjustment case are about a utility account (`subject_id` is the
account's id).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Callable, TypeAlias

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.accounts.facts import facts_for_account, facts_with_standings
from engine.accounts.history import license_streams
from engine.money.ledger import Standing, refundable_cents, standing
from engine.money import from_cents, round_money
from engine.rules import plans
from engine.rules.kinds.deadline import KIND as DEADLINE, penalty_schedules
from engine.rules.document import InputSpec, RuleDocument
from engine.rules.kinds.measure import in_force, measured_facts, streams_read
from engine.rules.measure import measure_type
from engine.rules.library import RuleLibrary
from engine.rules.types import JsonValue, YamlValue
from engine.rules.versions import version_in_force
from engine.store.kept_reads import BILL_PERIODS, kept_read
from engine.store.models import Bill, License, LedgerEntry

CaseFields: TypeAlias = dict[str, JsonValue]  # a case's own fields, as the case keeps them
SubjectFacts: TypeAlias = dict[str, object]  # a subject's facts on a day, by name


@dataclass(frozen=True)
class Fact:
    """One documented fact: its name, type, meaning, and whether the case's fields hold it."""

    name: str
    type: str
    meaning: str  # what the fact is, in a sentence a clerk reads beside its label
    case: bool = False
    default: YamlValue = None
    label: str = ""  # what the fact is called on a page: "Past due", "Days past due"
    says: str = ""  # the sentence a page says of it, when not `meaning` (a measure's: its description's first)

    def spec(self) -> InputSpec:
        """The fact as a rule input, so `when:` literals take its type."""
        return InputSpec(name=self.name, type=self.type, required=False)


def _facts(*facts: Fact) -> dict[str, Fact]:
    """A registry of facts by name."""
    return {f.name: f for f in facts}


ACCOUNT = (
    Fact("account_number", "text", label="Account number", meaning="the utility account number"),
    Fact("account_status", "text", label="Account status", meaning="active or closed"),
    Fact("account_closed", "boolean", label="Account closed", meaning="the account is closed (final-billed)"),
    Fact("balance", "money", label="Balance", meaning="what the account owes on the day (negative: a credit)"),
    Fact("past_due_balance", "money", label="Past due", meaning="what was due before the day and is unpaid"),
    Fact("days_past_due", "integer", label="Days past due", meaning="days since the oldest unpaid due date"),
    Fact("cycle", "text", label="Billing cycle", meaning="the billing cycle (A, B, C, D)"),
    Fact("meter_size", "text", label="Meter size", meaning='the meter size (3/4")'),
    Fact("rate_class", "text", label="Rate class", meaning="residential or commercial"),
    Fact("low_income", "boolean", label="Low-income assistance",
         meaning="the customer is enrolled on the day in an assistance program that counts as low income "
         "(the Customer Assistance Program in the sample city)"),
    Fact("assistance_programs", "list", label="Assistance programs",
         meaning="the ids of the assistance programs the customer is enrolled in on the day "
         "(the city settings list them)"),
    Fact("owner_is_customer", "boolean", label="Owner is the customer",
         meaning="the customer of record owns the property"),
    Fact("cash_only", "boolean", label="Cash only", meaning="the account pays only by cash or card"),
    Fact("parcel", "text", label="Parcel", meaning="the parcel number of the service address"),
)

SUBJECT_FACTS: dict[str, dict[str, Fact]] = {
    "utility_account": _facts(
        *ACCOUNT,
        Fact("period", "text", label="Bill period",
             meaning="the bill period (YYYY-MM) the case is about: given when it is opened, "
             "else the period of the oldest unpaid bill", case=True),
        Fact("appeal_pending", "boolean", label="Appeal pending",
             meaning="an appeal of the bill is pending", case=True, default=False),
        Fact("medical_certificate", "boolean", label="Medical certificate",
             meaning="a primary care provider's certificate is on file", case=True,
             default=False),
        Fact("payment_plan_active", "boolean", label="Payment plan in effect",
             meaning="a payment plan is in effect", case=True, default=False),
        Fact("plan_installments_missed", "integer", label="Installments missed",
             meaning="installments of the case's payment plan due before the "
             "day and not covered by payments since the plan began"),
        Fact("plan_days_behind", "integer", label="Days behind on the plan",
             meaning="days since the first installment missed (0 when none)"),
    ),
    "license": _facts(
        Fact("license_number", "text", label="License number", meaning="the license number"),
        Fact("license_type", "text", label="License type",
             meaning="a general business license or a home occupation permit"),
        Fact("license_status", "text", label="License status", meaning="applied, active, expired, lapsed or closed"),
        Fact("business_name", "text", label="Business", meaning="the business's name"),
        Fact("category", "text", label="Business category", meaning="the business category (retail, restaurant, ...)"),
        Fact("employees", "integer", label="Employees", meaning="employees, owners included"),
        Fact("gross_receipts", "money", label="Gross receipts",
             meaning="last year's gross receipts, as the business gave them ($0.00 when it gave none)"),
        Fact("issued_on", "date", label="Term began", meaning="the first day of the current term"),
        Fact("expires_on", "date", label="Term ends", meaning="the last day of the current term"),
        Fact("license_fee", "money", label="License fee", meaning="the fee assessed for the current term"),
        Fact("license_fee_unpaid", "money", label="License fee unpaid",
             meaning="what of the fee and the late penalty assessed is not paid yet (counter receipts pay it)"),
        Fact("new_permit", "boolean", label="New permit", meaning="the license has never been issued"),
        Fact("renewal_status", "text", label="Renewal status",
             meaning="by the renewal deadline: active, renewal due, grace, late or lapsed"),
        Fact("penalty_free_until", "date", label="Renew without penalty by",
             meaning="the last day to renew without a late penalty: the expiry date, or once "
             "it has passed the end of the grace period"),
        Fact("reminder_due", "text", label="Renewal reminder due",
             meaning="the latest renewal reminder dated on or before the day"),
        Fact("days_late", "integer", label="Days late", meaning="days late after the grace period"),
        Fact("months_late", "integer", label="Months late", meaning="started months late after the grace period"),
    ),
    "refund": _facts(
        Fact("account_number", "text", label="Account number", meaning="the utility account number"),
        Fact("account_status", "text", label="Account status", meaning="active or closed"),
        Fact("balance", "money", label="Balance", meaning="what the account owes on the day (negative: a credit)"),
        Fact("refundable", "money", label="Refundable credit", meaning="the credit that may be refunded"),
        Fact("credit_after_refund", "money", label="Credit left after the refund",
             meaning="the refundable credit left once the amount asked is refunded "
             "(negative: the refund asks for more than the credit; absent until an amount is asked)"),
        Fact("amount", "money", label="Refund asked", meaning="the refund requested", case=True),
        Fact("source", "text", label="Where the credit comes from",
             meaning="an overpayment, a deposit or a license overpayment", case=True),
        Fact("requested_by", "text", label="Requested by", meaning="the user who requested the refund", case=True),
    ),
    "adjustment": _facts(
        Fact("account_number", "text", label="Account number", meaning="the utility account number"),
        Fact("account_status", "text", label="Account status", meaning="active or closed"),
        Fact("balance", "money", label="Balance", meaning="what the account owes on the day (negative: a credit)"),
        Fact("past_due_balance", "money", label="Past due", meaning="what was due before the day and is unpaid"),
        Fact("amount", "money", label="Adjustment asked",
             meaning="the amount of the adjustment asked for (a credit or a debit)", case=True),
        Fact("direction", "text", label="Credit or debit",
             meaning="credit (the customer owes less) or debit (the customer owes more)", case=True),
        Fact("reason_code", "text", label="Reason",
             meaning="the adjustment's reason code (the city's adjustment reasons)", case=True),
        Fact("note", "text", label="Note", meaning="what the person who asked for it wrote", case=True),
        Fact("adjustment_id", "integer", label="Adjustment number",
             meaning="the number of the adjustment asked for", case=True),
        Fact("requested_by", "text", label="Asked by", meaning="the user who asked for the adjustment", case=True),
    ),
    "lien": _facts(
        *ACCOUNT,
        Fact("appeal_pending", "boolean", label="Appeal pending",
             meaning="an appeal of the lien is pending", case=True, default=False),
        Fact("bankruptcy", "boolean", label="Bankruptcy stay",
             meaning="a bankruptcy stay stands", case=True, default=False),
    ),
}

# The subject of the measures each subject type of case reads (a refund case reads only the record facts above).
MEASURED_AS = {"utility_account": "account", "lien": "account", "license": "license"}


def measure_facts(rules: Iterable[RuleDocument], subject: str) -> dict[str, Fact]:
    """The facts the measures of a subject (account, license) provide: type and meaning from their documents."""
    return {doc.header["provides"]: Fact(doc.header["provides"], measure_type(doc), f"{doc.title} ({doc.id})",
                                         label=doc.title, says=first_sentence(doc.description))
            for doc in rules if doc.kind == "measure" and doc.header.get("subject") == subject}


def first_sentence(text: object) -> str:
    """The first sentence of a document's description (what a page says beside its title), or nothing."""
    words = " ".join(str(text or "").split())
    end = words.find(". ")
    return words[:end + 1] if end >= 0 else words


def subject_facts(subject_type: str, rules: Iterable[RuleDocument] | None) -> dict[str, Fact]:
    """Every documented fact of a subject type: its record facts, then its published measures'."""
    measured = measure_facts(rules or (), MEASURED_AS[subject_type]) if subject_type in MEASURED_AS else {}
    record = SUBJECT_FACTS[subject_type]
    return {**record, **{name: fact for name, fact in measured.items() if name not in record}}


def renewal_deadline(rules: Iterable[RuleDocument], license_type: str) -> str | None:
    """The id of the deadline document that governs renewals of this license type (its header's `license_types`
    lists it; the first by id if two do), or None: a license of a type no deadline lists has no renewal facts."""
    return next((doc.id for doc in rules
                 if doc.kind == DEADLINE.name and license_type in (doc.header.get("license_types") or ())), None)


def license_type_name(rules: Iterable[RuleDocument], license_type: str) -> str:
    """What a license of this type is called on its certificate and letters: the name its renewal deadline's
    `license_names` gives, else the first other deadline's (by id) that names it, else the type in words
    ("Food truck")."""
    governing = renewal_deadline(rules, license_type)
    deadlines = sorted((doc for doc in rules if doc.kind == DEADLINE.name), key=lambda doc: (doc.id != governing,
                                                                                              doc.id))
    for doc in deadlines:
        names = doc.header.get("license_names") or {}
        if isinstance(names, dict) and names.get(license_type):
            return str(names[license_type])
    return license_type.replace("_", " ").capitalize()


@dataclass
class FactContext:
    """What deriving facts needs: the session, the rules, and the day they are taken on."""

    session: Session
    rules: RuleLibrary
    on: date
    renewed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # workflow id: states tagged license_renewed
    # (workflow id, version): states tagged service_off, whose steps in and out are shut-offs and reconnections
    service_off: Mapping[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)


# A batch job (the nightly sweep) may put a dict in session.info under this key: account facts are
# then kept there per (account, day) until the job clears it (it does whenever the ledger changes).
ACCOUNT_FACTS_MEMO = "ordinance.account_facts_memo"
# A batch job may also read its chunk's account facts ahead, in bulk (`read_ahead`), under this key:
# {account id: {memo key: facts}}. The memo takes an account's from there the first time it is asked
# for them; the job forgets an account's once anything it reads from may have changed (engine.sweeps.casework).
ACCOUNT_FACTS_READ = "ordinance.account_facts_read"


def _read_ahead(session: Session, account_id: int, key: tuple) -> SubjectFacts | None:
    """The facts under `key` read ahead for the account's chunk, if they were and are still good."""
    return session.info.get(ACCOUNT_FACTS_READ, {}).get(account_id, {}).get(key)


def read_ahead(session: Session, rules: RuleLibrary, on: date, known: Mapping[int, Standing],
               service_off: Mapping[tuple[str, int], tuple[str, ...]]) -> None:
    """Read the facts of accounts whose standings on the day are known, and their oldest unpaid bill's period, in bulk.

    The same facts `account_facts` and `_oldest_unpaid_period` would read one account at a time,
    in a few queries for them all; kept under ACCOUNT_FACTS_READ for the memo to take.
    """
    if not known:
        return
    found = facts_with_standings(session, known, on, rules, service_off)
    oldest = {a: s.oldest_unpaid_due for a, s in known.items() if s.oldest_unpaid_due}
    periods: dict[int, str] = {}
    if oldest:
        for account_id, due_on, period in session.execute(
                select(Bill.account_id, Bill.due_on, Bill.period).where(Bill.account_id.in_(list(oldest)),
                                                                        Bill.due_on.in_(set(oldest.values())))
                .order_by(Bill.id)):
            if oldest[account_id] == due_on and account_id not in periods:
                periods[account_id] = period  # the first bill due that day, as _oldest_unpaid_period takes
        kept = kept_read(session, BILL_PERIODS, dict)  # for the facts after a fee that leaves the oldest due as it was
        kept.update(((account_id, due_on), periods.get(account_id)) for account_id, due_on in oldest.items())
    store = session.info.setdefault(ACCOUNT_FACTS_READ, {})
    for account_id, facts in found.items():
        store[account_id] = {(account_id, on): facts,
                                 ("period", account_id, on): {"period": periods[account_id]}
                                 if periods.get(account_id) else {}}


def account_facts(ctx: FactContext, account_id: int) -> SubjectFacts:
    """A utility account's facts on the day (kept in the session's memo when a batch job keeps one)."""
    memo = ctx.session.info.get(ACCOUNT_FACTS_MEMO)
    if memo is None:
        return facts_for_account(ctx.session, account_id, ctx.on, ctx.rules, ctx.service_off)
    key = (account_id, ctx.on)
    if key not in memo:
        ahead = _read_ahead(ctx.session, account_id, key)
        memo[key] = ahead if ahead is not None else facts_for_account(ctx.session, account_id, ctx.on, ctx.rules,
                                                                      ctx.service_off)
    return dict(memo[key])


def plan_payments(fields: CaseFields) -> tuple[Decimal, list[tuple[date, Decimal]]]:
    """A case's payment plan as agreed: the down payment (due the day the plan began) and the installments.

    The plan keeps the numbers it was made with (engine.rules.plans.agree set them): the down
    payment in `down_payment`, the day of the month in `installment_day` (else `first_due`'s), the
    months between installments in `installment_months` (else 1: monthly).
    A plan made before those fields has `down_payment_percent` of the plan balance, to the cent.
    The installments split the rest equally, the last one taking the remainder (plans.split).
    """
    total, count = Decimal(str(fields["plan_balance"])), int(fields["installments"])
    if fields.get("down_payment") is not None:
        down = Decimal(str(fields["down_payment"]))
    else:
        down = round_money(total * Decimal(str(fields.get("down_payment_percent") or 0)) / 100)
    first_due = date.fromisoformat(fields["first_due"])
    day = int(fields.get("installment_day") or first_due.day)
    return down, list(plans.split(total - down, count, first_due, day, int(fields.get("installment_months") or 1)))


def _plan_facts(ctx: FactContext, account_id: int, fields: CaseFields) -> SubjectFacts:
    """How far behind the case's payment plan is: installments missed and days behind."""
    needed = ("plan_started_on", "plan_balance", "installments", "first_due")
    if not fields.get("payment_plan_active") or any(k not in fields for k in needed):
        return {"plan_installments_missed": 0, "plan_days_behind": 0}
    started = date.fromisoformat(fields["plan_started_on"])
    paid = -from_cents(ctx.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
        LedgerEntry.account_id == account_id, LedgerEntry.kind == "payment",
        LedgerEntry.effective_on >= started, LedgerEntry.effective_on <= ctx.on)))
    down, installments = plan_payments(fields)
    schedule = ([(started, down)] if down else []) + installments
    covered, missed, first_missed = Decimal(0), 0, None
    for due, amount in schedule:
        covered += amount
        if due < ctx.on and covered > paid:
            missed += 1
            first_missed = first_missed or due
    return {"plan_installments_missed": missed,
            "plan_days_behind": (ctx.on - first_missed).days if first_missed else 0}


def _oldest_unpaid_period(ctx: FactContext, account_id: int) -> SubjectFacts:
    """The period of the account's oldest unpaid bill (by its due date), if a bill has that due date."""
    memo, key = ctx.session.info.get(ACCOUNT_FACTS_MEMO), ("period", account_id, ctx.on)
    if memo is not None and key in memo:
        return dict(memo[key])
    ahead = _read_ahead(ctx.session, account_id, key) if memo is not None else None
    if ahead is not None:
        memo[key] = ahead
        return dict(ahead)
    oldest = standing(ctx.session, account_id, ctx.on).oldest_unpaid_due
    kept = kept_read(ctx.session, BILL_PERIODS, dict)  # the periods a sweep chunk read ahead, by (account, due day)
    if oldest and (account_id, oldest) in kept:
        period = kept[(account_id, oldest)]
    else:
        period = oldest and ctx.session.scalar(select(Bill.period).where(Bill.account_id == account_id,
                                                                          Bill.due_on == oldest).order_by(Bill.id))
    found = {"period": period} if period else {}
    if memo is not None:
        memo[key] = found
    return dict(found)


def utility_account_facts(ctx: FactContext, subject_id: int, fields: CaseFields) -> SubjectFacts:
    """A delinquency case's facts: the account's, its oldest unpaid bill period, how its payment plan stands."""
    return {**account_facts(ctx, subject_id), **_oldest_unpaid_period(ctx, subject_id),
            **_plan_facts(ctx, subject_id, fields)}


def _renewal_facts(ctx: FactContext, lic: License, facts: SubjectFacts) -> SubjectFacts:
    """The renewal deadline's view of the license on the day: status, reminder due, lateness."""
    deadline_id = renewal_deadline(ctx.rules, lic.license_type)
    if deadline_id is None or facts.get("expires_on") is None:
        return {}
    given = {k: facts[k] for k in ("issued_on", "expires_on", "license_fee") if facts.get(k) is not None}
    result = ctx.rules.evaluate(deadline_id, given, ctx.on).to_json()
    expires_on, grace_ends = date.fromisoformat(result["expires_on"]), date.fromisoformat(result["grace_ends"])
    found = {"renewal_status": result["status"], "days_late": result["days_late"],
             "months_late": result["months_late"],
             "penalty_free_until": expires_on if ctx.on <= expires_on else grace_ends}
    due = _reminder_due(ctx, deadline_id, expires_on)
    if due:
        found["reminder_due"] = due
    return found


def _reminder_due(ctx: FactContext, deadline_id: str, expires_on: date) -> str | None:
    """The notice of the latest reminder of this term dated on or before the day."""
    version = version_in_force(ctx.rules.get(deadline_id), ctx.on)
    due = [(expires_on - timedelta(days=int(r["days_before"])), r["notice"])
           for r in version.body.get("reminders", [])]
    reached = sorted(d for d in due if d[0] <= ctx.on)
    return reached[-1][1] if reached else None


def license_facts(ctx: FactContext, subject_id: int, fields: CaseFields) -> SubjectFacts:
    """A license case's facts: the license, its business, and where it stands for renewal."""
    lic = ctx.session.get(License, subject_id)
    if lic is None:
        raise LookupError(f"no license with id {subject_id}")
    facts: SubjectFacts = {
        "license_number": lic.number, "license_type": lic.license_type, "license_status": lic.status,
        "business_name": lic.business.name, "category": lic.business.category,
        "employees": lic.business.employees, "gross_receipts": from_cents(lic.business.gross_receipts_cents or 0),
        "license_fee": from_cents(lic.fee_cents or 0),
        "license_fee_unpaid": from_cents(max(lic.due_cents, 0)),
        "new_permit": lic.issued_on is None,
    }
    if lic.issued_on:
        facts["issued_on"] = lic.issued_on
    if lic.expires_on:
        facts["expires_on"] = lic.expires_on
    return {**facts, **_renewal_facts(ctx, lic, facts), **license_measures(ctx, lic.id)}


def license_measures(ctx: FactContext, license_id: int) -> SubjectFacts:
    """The license's facts from the measures in force on the day (its renewals, penalties, notices)."""
    measures = in_force(ctx.rules or (), "license", ctx.on)
    if not measures:
        return {}
    events = license_streams(ctx.session, [license_id], ctx.on, streams_read(measures, ctx.on),
                             penalty_schedules(ctx.rules), ctx.renewed)
    return measured_facts(measures, events[license_id], ctx.on)


def refund_facts(ctx: FactContext, subject_id: int, fields: CaseFields) -> SubjectFacts:
    """A refund case's facts: the account's balance, its refundable credit and what is left of it after the refund."""
    account = account_facts(ctx, subject_id)
    keep = ("account_number", "account_status", "balance")
    refundable = from_cents(refundable_cents(ctx.session, subject_id))
    facts: SubjectFacts = {**{k: account[k] for k in keep}, "refundable": refundable}
    if fields.get("amount") is not None:
        facts["credit_after_refund"] = refundable - Decimal(str(fields["amount"]))
    return facts


def adjustment_facts(ctx: FactContext, subject_id: int, fields: CaseFields) -> SubjectFacts:
    """An adjustment case's facts: the account's number, status, balance and past due (the rest are the case's)."""
    account = account_facts(ctx, subject_id)
    return {k: account[k] for k in ("account_number", "account_status", "balance", "past_due_balance")}


def lien_facts(ctx: FactContext, subject_id: int, fields: CaseFields) -> SubjectFacts:
    """A lien case's facts: the account's, with its parcel."""
    return account_facts(ctx, subject_id)


PROVIDERS: dict[str, Callable[[FactContext, int, CaseFields], SubjectFacts]] = {
    "utility_account": utility_account_facts,
    "license": license_facts,
    "refund": refund_facts,
    "lien": lien_facts,
    "adjustment": adjustment_facts,
}


# Facts of a subject that a step may set: the case field is copied to the subject's column too.
WRITABLE: dict[str, dict[str, str]] = {
    "license": {"issued_on": "issued_on", "expires_on": "expires_on", "license_status": "status",
                "license_fee": "fee_cents"},
}
