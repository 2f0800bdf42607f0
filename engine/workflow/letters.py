"""The data a `notice:` action fixes on its Notice row: what the letter prints, from the case on the day.

One builder per subject kind gives the recipient and the subject's own lines (account,
parcel, license); one per notice type adds its amounts and dates from the case's facts and
fields (the notice of intent to lien: the lien amount by rule with the charges it is made
of, engine.workflow.lien_amount). `reference` is the ordinance cited: the reference of the version in force of
the rule the workflow's `notice:` action cites (`cites:`), or else of a rule the step consulted. Money
is text with two decimals (engine.money.money_text), dates ISO. A letter goes to the
customer's mailing address in force on its day (engine.accounts.customer_record.mailing_address_on):
a forwarding address recorded for a move-out takes the letters from its day on.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Callable

from sqlalchemy.orm import Session

from engine import city
from engine.accounts.customer_record import mailing_address_on
from engine.accounts.history import ServiceOff
from engine.money import money_text
from engine.money.ledger.balances import standings_on
from engine.notices.catalog import COMMON_KEYS, NoticeDataError, notice_type
from engine.rules.library import RuleLibrary
from engine.rules.services import CATCH_ALL, service_names
from engine.rules.types import Facts, JsonValue
from engine.rules.versions import version_in_force
from engine.store.models import Customer, License, UtilityAccount
from engine.workflow.facts import license_type_name, plan_payments
from engine.workflow.lien_amount import lien_amount

# The dates a notice tells its reader to act by (pay by, shut-off on or after), and the case field each is
# printed from (None: from a fact of the subject). None of them may be earlier than the day it is mailed. The
# shut-off notice's pay-by is `shutoff_pay_by` when the workflow sets it, else its shut-off day.
DEADLINES: dict[str, dict[str, str | None]] = {
    "past-due-reminder": {"due_date": "shutoff_notice_on"}, "shutoff-notice": {"due_date": "shutoff_pay_by",
                                                                               "shutoff_date": "shutoff_on"},
    "door-hanger": {"shutoff_date": "shutoff_on"}, "lien-intent": {"due_date": "pay_by"},
    "license-renewal-reminder": {"due_date": None}, "license-renewal-final": {"due_date": None},
}
# The notices that print what is past due of each service (when a service is named).
BY_SERVICE_NOTICES = ("past-due-reminder", "shutoff-notice", "door-hanger")
# The case fields each notice prints that a step must give (a form field, a `set:`, or given at opening); the
# workflow loader refuses a `notice:` in a workflow where none does.
NOTICE_FIELDS: dict[str, tuple[str, ...]] = {
    "past-due-reminder": ("shutoff_notice_on",),
    "shutoff-notice": ("shutoff_on",), "door-hanger": ("shutoff_on",),
    "payment-plan-agreement": ("plan_balance", "installments", "first_due"),
    "lien-intent": ("pay_by",), "lien-release": ("recording_number",), "refund-letter": ("amount", "check_number"),
}


def iso(value: object) -> str | None:
    """A date as a notice holds it, or None."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def past_due_by_service(session: Session, rules: RuleLibrary, account_id: int, on: date) -> list[dict[str, str]] | None:
    """What is past due of each service on the day, named in each of the city's languages: printed when a service is
    named.

    None (nothing printed) when nothing past due names a service: a ledger from before charges
    knew their service owes only `other`, and a list of one "Other charges" line says nothing.
    """
    owed = [o for o in standings_on(session, on, [account_id])[account_id].by_service if o.past_due_cents > 0]
    if all(o.service == CATCH_ALL for o in owed):
        return None
    languages = city.offered(session)
    names = {language: service_names(rules, on, language) for language in languages}
    return [{"service": o.service, **{f"name_{language}": names[language].get(o.service, o.service)
                                      for language in languages}, "amount": money_text(o.past_due_cents)}
            for o in owed]


def _recipient(session: Session, customer: Customer, on: date) -> dict[str, str]:
    """The window-envelope address of a customer: the mailing address in force on the notice's day."""
    return mailing_address_on(session, customer, on).recipient(customer.name)


def _account_lines(session: Session, rules: RuleLibrary, subject_id: int) -> tuple[Customer, dict[str, JsonValue]]:
    """The account's customer, and its lines on every account letter."""
    account = session.get(UtilityAccount, subject_id)
    return account.customer, {"account_number": account.number, "service_address": account.property.service_address,
                              "parcel": account.property.parcel}


def _license_lines(session: Session, rules: RuleLibrary, subject_id: int) -> tuple[Customer, dict[str, JsonValue]]:
    """The business owner, and the license's lines on every license letter (its type named as its renewal
    deadline names it)."""
    lic = session.get(License, subject_id)
    return lic.business.owner, {"license_number": lic.number, "business_name": lic.business.name,
                                "business_address": lic.business.address,
                                "license_type": license_type_name(rules, lic.license_type),
                                **({"verification_code": lic.verification_code} if lic.verification_code else {})}


SUBJECT_LINES: dict[str, Callable[[Session, RuleLibrary, int], tuple[Customer, dict[str, JsonValue]]]] = {
    "utility_account": _account_lines, "lien": _account_lines, "refund": _account_lines,
    "adjustment": _account_lines,
    "license": _license_lines,
}


def _field(fields: dict, name: str) -> JsonValue:
    """A case field a notice prints, or NoticeDataError naming it (the notice type is added by notice_data)."""
    value = fields.get(name)
    if value in (None, ""):
        raise NoticeDataError(f"the case has no {name!r} to print")
    return value


def _fee(fields: dict, schedule: str | None) -> str | None:
    """The amount a fee action of this case posted for the fee schedule the notice names, if any."""
    found = (fields.get("fees") or {}).get(schedule) if schedule else None
    return money_text(found) if found is not None else None


def _owed(facts: dict) -> str:
    """What the account owes on the day (never below zero on a letter)."""
    return money_text(max(facts.get("balance", Decimal(0)), Decimal(0)))


def _past_due(on: date, facts: dict, fields: dict, fee: str | None) -> dict:
    """Reminder: the balance, pay before the shut-off notice date the workflow set, and the late fee charged."""
    pay_by = iso(_field(fields, "shutoff_notice_on"))
    return {"amount_due": _owed(facts), "due_date": pay_by, "late_fee": _fee(fields, fee)}


def _shutoff(on: date, facts: dict, fields: dict, fee: str | None) -> dict:
    """Shut-off notice and door hanger: the balance, the shut-off day, and pay by the day the workflow set
    (`shutoff_pay_by`; a workflow that sets none: pay by the shut-off day itself)."""
    shutoff = iso(_field(fields, "shutoff_on"))
    pay_by = iso(fields.get("shutoff_pay_by")) or shutoff
    return {"amount_due": _owed(facts), "shutoff_date": shutoff, "due_date": pay_by}


def _plan(on: date, facts: dict, fields: dict, fee: str | None) -> dict:
    """Payment plan agreement: the plan balance, the down payment and its day, each installment, and the total."""
    for name in NOTICE_FIELDS["payment-plan-agreement"]:
        _field(fields, name)
    down, rows = plan_payments(fields)
    balance, paid_in_installments = Decimal(str(fields["plan_balance"])), sum((a for _, a in rows), Decimal(0))
    if down + paid_in_installments != balance:
        raise NoticeDataError(f"the plan's payments sum to {down + paid_in_installments}, not its balance {balance}")
    apart = int(fields.get("installment_months") or 1)
    return {"amount_due": money_text(balance), "plan_balance": money_text(balance),
            "down_payment": money_text(down), "down_payment_due": fields.get("plan_started_on") or iso(on),
            "installments": [{"due_date": d.isoformat(), "amount": money_text(a)} for d, a in rows],
            "installments_total": money_text(paid_in_installments),
            "plan_total": money_text(down + paid_in_installments),
            **({"installment_months": apart} if apart != 1 else {})}  # a monthly plan's letter as it always was


def _reconnection(on: date, facts: dict, fields: dict, fee: str | None) -> dict:
    """Reconnection: the day, the fee charged (paid, or waived), what is owed now."""
    return {"reconnection_date": on.isoformat(), "reconnection_fee": _fee(fields, fee) or "0.00",
            "reconnection_fee_waived": fee is not None and fee in (fields.get("waived") or {}),
            "amount_due": _owed(facts)}


def _lien_intent(session: Session, rules: RuleLibrary, subject_id: int, on: date, facts: dict, fields: dict,
                 service_off: ServiceOff | None = None) -> dict:
    """Notice of intent: the lien amount by rule (the schedule tagged lien_amount) and how it is made up, pay by the
    date set."""
    amount = lien_amount(session, rules, subject_id, on, facts, service_off)
    return {"amount_due": amount["lien_amount"], **amount, "due_date": fields.get("pay_by")}


def _lien_release(on: date, facts: dict, fields: dict, fee: str | None) -> dict:
    """Release: the lien's recording number, the release's day and number."""
    return {"recording_number": fields.get("recording_number"), "release_date": fields.get("release_date") or iso(on),
            "release_recording_number": fields.get("release_recording_number")}


def _license(on: date, facts: dict, fields: dict, fee: str | None) -> dict:
    """License letters: fee, penalty, renew by (the expiry, or in grace its end), term dates, total due."""
    fee = facts.get("license_fee") or Decimal(0)
    penalty = Decimal(_fee(fields, fee) or 0)
    return {"fee": money_text(fee), "penalty": money_text(penalty), "amount_due": money_text(fee + penalty),
            "due_date": iso(facts.get("penalty_free_until") or facts.get("expires_on")),
            "issued_date": iso(facts.get("issued_on")), "expiration_date": iso(facts.get("expires_on")),
            "lapsed_date": iso(on)}


def _refund(on: date, facts: dict, fields: dict, fee: str | None) -> dict:
    """Refund letter: the amount, the check number and date."""
    return {"refund_amount": money_text(str(_field(fields, "amount"))),
            "check_number": fields.get("check_number"),
            "check_date": fields.get("check_date") or iso(on)}


BUILDERS: dict[str, Callable[[date, dict, dict, str | None], dict]] = {
    "past-due-reminder": _past_due, "shutoff-notice": _shutoff, "door-hanger": _shutoff,
    "payment-plan-agreement": _plan, "reconnection": _reconnection,
    "lien-release": _lien_release, "license-renewal-reminder": _license, "license-renewal-final": _license,
    "license-lapsed": _license, "license-certificate": _license, "refund-letter": _refund,
}


# Notices whose figures come from rules evaluated on the subject's own history, not from the facts alone.
RULED_BUILDERS: dict[str, Callable[..., dict]] = {
    "lien-intent": _lien_intent,
}


def _reference(rules: RuleLibrary, type_id: str, on: date, consulted: list[dict[str, str]], cites: str | None) -> str:
    """The ordinance a notice cites: the cited rule's version in force, else the rules the step consulted, else the
    notice's title."""
    candidates = [cites] + [entry["rule"] for entry in consulted]
    for rule_id in candidates:
        if rule_id in rules:
            version = version_in_force(rules.get(rule_id), on)
            if version.reference:
                return version.reference
    return notice_type(type_id).title_en


def notice_data(session: Session, rules: RuleLibrary, type_id: str, subject_type: str, subject_id: int, on: date,
                facts: Facts, fields: Mapping[str, JsonValue],
                consulted: list[dict[str, str]], *, cites: str | None = None,
                fee: str | None = None, service_off: ServiceOff | None = None) -> tuple[str, dict[str, JsonValue]]:
    """The language (the customer's; English when the city no longer offers it) and the complete data of one notice
    (citing the rule `cites`, else one the step consulted; the
    fee it prints is the one this case posted under the schedule `fee`, else under `cites`); NoticeDataError names a
    missing key. `service_off` (the city's states tagged so) lets a lien letter's measures count shut-offs."""
    customer, lines = SUBJECT_LINES[subject_type](session, rules, subject_id)
    try:
        if type_id in RULED_BUILDERS:
            printed = RULED_BUILDERS[type_id](session, rules, subject_id, on, dict(facts), dict(fields),
                                                    service_off=service_off)
        else:
            printed = BUILDERS[type_id](on, facts, dict(fields), fee or cites)
    except NoticeDataError as missing:
        raise NoticeDataError(f"{type_id} notice: {missing}") from None
    data = {"notice_date": on.isoformat(), "reference": _reference(rules, type_id, on, consulted, cites),
            "recipient": _recipient(session, customer, on), **lines, **printed}
    if type_id in BY_SERVICE_NOTICES and subject_type == "utility_account":
        data["past_due_by_service"] = past_due_by_service(session, rules, subject_id, on)
    data = {k: v for k, v in data.items() if v is not None}
    for key in COMMON_KEYS + notice_type(type_id).requires:
        if data.get(key) in (None, "", [], {}):
            raise NoticeDataError(f"{type_id} notice: the case has no {key!r} to print")
    return city.printed_in(city.offered(session), customer.language), data
