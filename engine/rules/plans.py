"""Payment plans: the terms a city publishes, and the schedule of payments they give (pure: no session, no clock).

A criteria document with `gives: plan_terms` (rules/utilities/payment-plan-terms.yaml) gives
the terms as its outcome; docs/rules-format.md describes them:

    down_payment_percent   the down payment, a percent of the plan balance (rounded to the cent)
    down_payment_amount    or a fixed down payment (never more than the plan balance)
    max_installments       at most this many installments after the down payment
    min_installment        each installment at least this much: fewer installments when the rest is small
    installments_due       as_agreed (monthly from the first day the clerk gives, the default),
                           monthly_from_start (monthly from the plan's first day),
                           bill_due_date (on the account's bill due day each month)
    installment_months     how many months apart the installments fall: 1 (monthly, the default) to 12;
                           2 or 3 for a city that bills every two months or quarterly, so that, with
                           bill_due_date, each installment is due with a bill
    first_installment_within_days
                           with as_agreed, the first installment falls at most this many days after
                           the plan's first day: 1 to 366 (the default, a year)

`agree` works out the whole plan from the terms, the balance, the installments asked for and the
plan's first day, and says which term set each number. The installments split what the down
payment leaves equally, rounded down to the cent by the one rounding function; the last takes
the odd cents, so down payment and installments sum to the plan balance exactly. A plan, once
agreed, keeps its numbers in its case's fields (`schedule` reads them back), so publishing new
terms never changes a plan already made.

A first installment agreed with the customer (as_agreed) falls on a day from the plan's first
day to `first_installment_within_days` after it (1 to 366; a year, FIRST_DUE_WITHIN, when the
terms do not say): one in the past makes the plan behind the day it is made, and one in year
9999 had no month after it for the second installment.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from engine.money.amounts import format_money, round_money
from engine.rules.errors import EvaluationError
from engine.rules.months import day_of_month_or_last, first_of_month, months_later_or_month_end

FIRST_DUE_WITHIN = 366  # days: an agreed first installment falls at most a year after the plan's first day, or as
# many as the terms' first_installment_within_days say (1 to this)

AS_AGREED, MONTHLY_FROM_START, BILL_DUE_DATE = "as_agreed", "monthly_from_start", "bill_due_date"
DUE = (AS_AGREED, MONTHLY_FROM_START, BILL_DUE_DATE)
MOST_INSTALLMENTS = 120
MOST_MONTHS_APART = 12  # installment_months: at most a year between installments
TERMS = ("down_payment_percent", "down_payment_amount", "max_installments", "min_installment", "installments_due",
         "installment_months", "first_installment_within_days")
WHOLE_TERMS = {"max_installments": (MOST_INSTALLMENTS, "a whole number of installments from 1 to {most}"),
               "installment_months": (MOST_MONTHS_APART, "a whole number of months between installments from 1 to "
                                                         "{most}"),
               "first_installment_within_days": (FIRST_DUE_WITHIN, "a whole number of days from 1 to {most}")}


def term_problems(then: Mapping[str, object]) -> list[tuple[str, str]]:
    """(term, what is wrong) for each outcome of a plan-terms rule that is not a plan term, or not a good one."""
    problems: list[tuple[str, str]] = []
    for key, value in then.items():
        if key not in TERMS:
            problems.append((key, f"{key!r} is not a payment plan term; the terms are {', '.join(TERMS)}"))
        elif key == "installments_due":
            if value not in DUE:
                problems.append((key, f"installments are due {' or '.join(DUE)}, not {value!r}"))
        elif key in WHOLE_TERMS:
            most, what = WHOLE_TERMS[key]
            count = _decimal(value)
            if count is None or count != count.to_integral_value() or not 1 <= count <= most:
                problems.append((key, what.format(most=most)))
        else:
            amount = _decimal(value)
            low = Decimal("0.01") if key == "min_installment" else Decimal(0)
            high = Decimal(100) if key == "down_payment_percent" else Decimal("1000000")
            if amount is None or not low <= amount <= high or (key != "down_payment_percent"
                                                                 and amount != round_money(amount)):
                what = "a percent from 0 to 100" if key == "down_payment_percent" else \
                    f"an amount in dollars and cents from {format_money(low)} to {format_money(high)}"
                problems.append((key, what))
    if "down_payment_percent" in then and "down_payment_amount" in then:
        problems.append(("down_payment_amount", "a rule gives the down payment as a percent or as an amount, "
                                                "not both"))
    return problems


def _decimal(value: object) -> Decimal | None:
    """A number of the document as a Decimal (None for anything else)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        found = Decimal(str(value))
    except InvalidOperation:
        return None
    return found if found.is_finite() else None


@dataclass(frozen=True)
class PlanTerms:
    """The terms of one plan, as the terms document gave them on the day (`source` says which rule)."""

    max_installments: int
    source: str
    down_payment_percent: Decimal | None = None
    down_payment_amount: Decimal | None = None
    min_installment: Decimal | None = None
    installments_due: str = AS_AGREED
    installment_months: int = 1
    first_installment_within_days: int | None = None  # None: FIRST_DUE_WITHIN, a year

    @classmethod
    def read(cls, outcome: Mapping[str, object], source: str) -> PlanTerms:
        """The terms from a terms document's outcome; an EvaluationError naming the document when they are not."""
        problems = term_problems(outcome)
        if problems:
            raise EvaluationError(f"{source}: " + "; ".join(message for _, message in problems))
        if "max_installments" not in outcome:
            raise EvaluationError(f"{source} gives no max_installments for these facts")
        money = {k: _decimal(outcome[k]) for k in ("down_payment_percent", "down_payment_amount", "min_installment")
                 if k in outcome}
        money = {k: v if k == "down_payment_percent" or v is None else round_money(v) for k, v in money.items()}
        return cls(max_installments=int(Decimal(str(outcome["max_installments"]))),
                   source=source, installments_due=str(outcome.get("installments_due", AS_AGREED)),
                   installment_months=int(Decimal(str(outcome.get("installment_months", 1)))),
                   first_installment_within_days=(int(Decimal(str(outcome["first_installment_within_days"])))
                                                  if "first_installment_within_days" in outcome else None), **money)


@dataclass(frozen=True)
class Plan:
    """A plan's payments: the down payment on its first day, then the installments; and why each number."""

    started_on: date
    balance: Decimal
    down_payment: Decimal
    installments: tuple[tuple[date, Decimal], ...]
    installment_day: int  # the day of the month the installments fall on (the month's last when shorter)
    explanation: tuple[str, ...] = ()
    installment_months: int = 1  # how many months apart the installments fall (installment_months)

    @property
    def payments(self) -> list[tuple[date, Decimal]]:
        """Every payment in order: the down payment (when there is one), then the installments."""
        return ([(self.started_on, self.down_payment)] if self.down_payment else []) + list(self.installments)


def down_payment(terms: PlanTerms, balance: Decimal) -> tuple[Decimal, str]:
    """The down payment the terms ask of a balance, and which term set it."""
    if terms.down_payment_amount is not None:
        amount = min(terms.down_payment_amount, balance)
        capped = " (no more than the plan balance)" if amount < terms.down_payment_amount else ""
        return amount, f"{format_money(amount)}: the fixed down payment (down_payment_amount){capped}"
    percent = terms.down_payment_percent or Decimal(0)
    amount = round_money(balance * percent / 100)
    return amount, f"{format_money(amount)}: {percent.normalize():f}% of the plan balance (down_payment_percent)"


def most_installments(terms: PlanTerms, balance: Decimal) -> tuple[int, str]:
    """The most installments the terms allow for a balance, and which term bounds it."""
    rest = balance - down_payment(terms, balance)[0]
    if terms.min_installment is not None and rest >= 0:
        by_size = max(1, int(rest // terms.min_installment))
        if by_size < terms.max_installments:
            return by_size, (f"at most {by_size}: {format_money(rest)} after the down payment, at least "
                             f"{format_money(terms.min_installment)} an installment (min_installment)")
    return terms.max_installments, f"at most {terms.max_installments} (max_installments)"


def first_installment(terms: PlanTerms, started_on: date, *, first_due: date | None,
                      bill_due_on: date | None) -> tuple[date, int, str]:
    """The first installment's day, the day of the month the rest fall on, and which terms set them."""
    every, apart = how_often(terms.installment_months), terms.installment_months
    if terms.installments_due == MONTHLY_FROM_START:
        first = months_later_or_month_end(started_on, apart)
        after = "a month" if apart == 1 else f"{apart} months"
        return first, started_on.day, (f"{every} from {first.isoformat()}, {after} after the plan began "
                                       f"({_terms_named(terms)})")
    if terms.installments_due == BILL_DUE_DATE:
        if bill_due_on is None:
            raise EvaluationError(f"{terms.source}: installments are due on the bill due date, and the account "
                                  "has no bill to take the day from")
        months = 0
        while months_later_or_month_end(bill_due_on, months) <= started_on:
            months += apart  # every `apart` months from the latest bill's due date: with each bill of the cycle
        first = months_later_or_month_end(bill_due_on, months)
        return first, bill_due_on.day, (f"{every} on the bill due day (day {bill_due_on.day} of the month, or its "
                                        f"last), from {first.isoformat()} ({_terms_named(terms)})")
    if first_due is None:
        raise EvaluationError(f"{terms.source}: installments are due from the day agreed; give the first "
                              "installment's day")
    within = terms.first_installment_within_days
    latest = started_on + timedelta(days=FIRST_DUE_WITHIN if within is None else within)
    if not started_on <= first_due <= latest:
        after = f"a year after it ({latest.isoformat()})" if within is None else \
            f"{within} day{'s' * (within != 1)} after it ({latest.isoformat()}; first_installment_within_days in " \
            f"{terms.source})"
        raise EvaluationError(f"the first installment's day {first_due.isoformat()} is not from the plan's first "
                              f"day ({started_on.isoformat()}) to {after}")
    return first_due, first_due.day, (f"{every} from {first_due.isoformat()}, the day agreed "
                                      f"({_terms_named(terms)})")


def how_often(months_apart: int) -> str:
    """'monthly', or 'every 2 months': how often the installments of a plan fall due."""
    return "monthly" if months_apart == 1 else f"every {months_apart} months"


def _terms_named(terms: PlanTerms) -> str:
    """The terms that set the installments' days, as the document writes them."""
    apart = f"; installment_months: {terms.installment_months}" if terms.installment_months != 1 else ""
    return f"installments_due: {terms.installments_due}{apart}"


def split(rest: Decimal, count: int, first: date, day: int, months_apart: int = 1) -> tuple[tuple[date, Decimal], ...]:
    """`count` installments of `rest` from `first`, `months_apart` months apart, on `day` of their months: equal,
    rounded down to the cent, the last taking the odd cents."""
    if count < 1:
        raise EvaluationError(f"a plan has at least one installment, not {count}")
    share = round_money(rest / count, "down")
    amounts = [share] * (count - 1) + [rest - share * (count - 1)]
    return tuple((_month_day(first, k * months_apart, day), amount) for k, amount in enumerate(amounts))


def _month_day(first: date, later: int, day: int) -> date:
    """Day `day` of the month `later` months after `first`'s (the month's last day when shorter)."""
    month = first_of_month(first, later)
    return day_of_month_or_last(month.year, month.month, day)


def agree(terms: PlanTerms, balance: Decimal, count: int, started_on: date, *, first_due: date | None = None,
          bill_due_on: date | None = None) -> Plan:
    """The plan the terms give a balance in `count` installments from `started_on`, explained term by term;
    an EvaluationError saying which term refuses it."""
    if balance <= 0:
        raise EvaluationError(f"a payment plan pays off a balance owed; the plan balance is {format_money(balance)}")
    if balance != round_money(balance):
        raise EvaluationError(f"the plan balance {balance} has a fraction of a cent")
    down, down_why = down_payment(terms, balance)
    most, most_why = most_installments(terms, balance)
    if not 1 <= count <= most:
        raise EvaluationError(f"{count} installments: the terms allow {most_why} ({terms.source})")
    first, day, when_why = first_installment(terms, started_on, first_due=first_due, bill_due_on=bill_due_on)
    rest = balance - down
    installments = split(rest, count, first, day, terms.installment_months)
    share, last = installments[0][1], installments[-1][1]
    explanation = (
        f"Terms: {terms.source}.",
        f"Plan balance {format_money(balance)}.",
        f"Down payment {down_why}, due {started_on.isoformat()}, the day the plan began.",
        f"{count} installments, {most_why}.",
        f"Each installment {format_money(share)}: {format_money(rest)} after the down payment in {count} equal "
        f"parts, rounded down to the cent" + (f"; the last {format_money(last)} takes the odd cents." if last != share
                                              else "."),
        f"Due {when_why}.",
    )
    return Plan(started_on=started_on, balance=balance, down_payment=down, installments=installments,
                installment_day=day, installment_months=terms.installment_months, explanation=explanation)
