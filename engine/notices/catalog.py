"""The notices the city mails: an explicit registry, and the check that a notice's data is complete.

A notice's data is a plain JSON-safe dict fixed when the notice is created: money as
strings ("52.03"), dates as ISO strings ("2026-03-05"). Every notice needs the keys in
COMMON_KEYS; each type adds its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Protocol

from engine.money.amounts import parse_money


class PrintsLanguages(Protocol):
    """The languages a renderer's templates print (engine.notices.languages.Languages)."""

    def language(self, code: str) -> object:
        """The language with this code, or a NoticeDataError saying what its set lacks."""
        ...


# Keys every notice needs, whatever its type.
COMMON_KEYS = ("notice_date", "reference", "recipient")
RECIPIENT_KEYS = ("name", "street", "city", "state", "zip")
CITY_KEYS = ("name", "address", "phone", "website", "payment_address")

# Keys that hold money or dates wherever they appear: checked so a bad value names its key.
MONEY_KEYS = frozenset({
    "amount_due", "fee", "penalty", "refund_amount", "reconnection_fee", "lien_amount",
    "down_payment", "plan_total", "plan_balance", "installments_total",
})
DATE_KEYS = frozenset({
    "notice_date", "due_date", "shutoff_date", "reconnection_date", "lapsed_date",
    "issued_date", "expiration_date", "check_date", "recording_date", "release_date", "down_payment_due",
    "read_date",
})
INSTALLMENT_KEYS = ("due_date", "amount")
# Dates the customer must act by (pay by, shut-off on or after, down payment due; and each installment's due date):
# a notice printed after one of them would ask for the impossible, so it is refused.
ACT_BY_KEYS = ("due_date", "shutoff_date", "down_payment_due")
# Each of those dates as staff read it (a sweep's report says which date had passed).
ACT_BY_WORDS = {"due_date": "pay-by date", "shutoff_date": "shut-off date", "down_payment_due": "down payment's day"}


class NoticeDataError(ValueError):
    """Notice data that cannot make the notice: names the notice type and the key."""


class PastActBy(NoticeDataError):
    """A notice that would ask the customer to act by a day already past on the day it is printed."""

    def __init__(self, type_id: str, key: str, day: date, printed_on: date) -> None:
        """The notice type, the date's key, the date, and the day it would be printed."""
        self.type_id, self.key, self.day, self.printed_on = type_id, key, day, printed_on
        super().__init__(f"{type_id} notice: its {self.date_words} is already past on {printed_on.isoformat()}, "
                         "the day it would be printed; make a new notice with a date still to come")

    @property
    def date_words(self) -> str:
        """The date as staff read it: 'pay-by date 2026-06-18', 'installment 2's due date 2026-07-15'."""
        if self.key.startswith("installments["):
            return f"installment {self.key[13:self.key.index(']')]}'s due date {self.day.isoformat()}"
        return f"{ACT_BY_WORDS.get(self.key, self.key)} {self.day.isoformat()}"


@dataclass(frozen=True)
class NoticeType:
    """One kind of notice: its id, its title as staff read it, and the data it needs (its printed titles, in each
    language, are in the language's words file: engine.notices.languages)."""

    id: str
    title_en: str
    requires: tuple[str, ...]
    preview: str = "Show what the letter will say"  # the button that shows a step's letter before it is taken
    by_workflow: bool = True  # a workflow's `notice:` may make it (False: made by its own service, e.g. the read review)

    def template_name(self, language: str) -> str:
        """The Jinja template that writes this notice in one language."""
        return f"{self.id}.{language}.html"

    @property
    def by_license(self) -> bool:
        """True for a business-license notice, which quotes the license number, not an account."""
        return "license_number" in self.requires


def _types(*types: NoticeType) -> MappingProxyType:
    """A read-only registry keyed by notice id."""
    return MappingProxyType({t.id: t for t in types})


NOTICE_TYPES = _types(
    NoticeType("past-due-reminder", "Past-Due Reminder",
               ("account_number", "service_address", "amount_due", "due_date")),
    NoticeType("shutoff-notice", "Notice of Service Shut-Off",
               ("account_number", "service_address", "amount_due", "due_date", "shutoff_date")),
    NoticeType("door-hanger", "Final Shut-Off Notice",
               ("account_number", "service_address", "amount_due", "shutoff_date")),
    NoticeType("payment-plan-agreement", "Payment Plan Agreement",
               ("account_number", "service_address", "amount_due", "installments"), preview="Show the installments"),
    NoticeType("reconnection", "Service Restored",
               ("account_number", "service_address", "reconnection_date", "reconnection_fee",
                "amount_due")),
    NoticeType("lien-intent", "Notice of Intent to Record a Lien",
               ("account_number", "service_address", "parcel", "amount_due", "due_date")),
    NoticeType("lien-release", "Release of Lien",
               ("account_number", "service_address", "parcel", "recording_number",
                "release_date")),
    NoticeType("license-renewal-reminder", "Business License Renewal Reminder",
               ("license_number", "business_name", "fee", "due_date")),
    NoticeType("license-renewal-final", "Final Reminder: Business License Renewal",
               ("license_number", "business_name", "fee", "penalty", "amount_due", "due_date")),
    NoticeType("license-lapsed", "Business License Lapsed",
               ("license_number", "business_name", "fee", "penalty", "amount_due",
                "lapsed_date")),
    NoticeType("license-certificate", "Business License Certificate",
               ("license_number", "business_name", "license_type", "issued_date",
                "expiration_date")),
    NoticeType("refund-letter", "Refund",
               ("account_number", "refund_amount", "check_number", "check_date")),
    NoticeType("leak-letter", "Possible Leak: Your Water Use Jumped",
               ("account_number", "service_address", "period", "read_date", "consumption_ccf", "average_ccf",
                "times_average"), by_workflow=False),
)
WORKFLOW_NOTICES = tuple(type_id for type_id, kind in NOTICE_TYPES.items() if kind.by_workflow)


def notice_type(type_id: str) -> NoticeType:
    """The registered notice type for an id, or a clear error listing the known ones."""
    try:
        return NOTICE_TYPES[type_id]
    except KeyError:
        known = ", ".join(NOTICE_TYPES)
        raise NoticeDataError(f"unknown notice type {type_id!r}; known types: {known}") from None


def required_keys(type_id: str) -> tuple[str, ...]:
    """Every top-level data key a notice of this type needs (recipient needs RECIPIENT_KEYS)."""
    return COMMON_KEYS + notice_type(type_id).requires


def validate_notice(type_id: str, language: str, data: dict, city: dict,
                    languages: PrintsLanguages | None = None, printed_on: date | None = None) -> NoticeType:
    """Check that the data (and the city) hold every key this notice needs, with valid values, (given the
    languages the templates print, engine.notices.languages) that its language is one of them, and (given the day
    it is printed, in the city's time zone) that no date the customer must act by is already past."""
    kind = notice_type(type_id)
    if languages is not None:
        try:
            languages.language(language)
        except NoticeDataError as error:
            raise NoticeDataError(f"{type_id} notice: {error}") from None
    if not isinstance(data, dict):
        raise NoticeDataError(f"{type_id} notice: data must be a dict, not {type(data).__name__}")
    _require(type_id, data, required_keys(type_id), "")
    _require(type_id, data["recipient"], RECIPIENT_KEYS, "recipient.")
    _require(type_id, city, CITY_KEYS, "city.")
    _check_values(type_id, data, "")
    if "installments" in kind.requires:
        _check_installments(type_id, data["installments"])
    if data.get("past_due_by_service") is not None:
        _check_by_service(type_id, data["past_due_by_service"])
    if printed_on is not None:
        _check_not_past(kind, data, printed_on)
    return kind


def _act_by_dates(kind: NoticeType, data: dict) -> list[tuple[str, date]]:
    """(key, day) of each date the customer must act by that this kind of notice prints (a plan prints its down
    payment's day and each installment's)."""
    plan = "installments" in kind.requires
    keys = [key for key in ACT_BY_KEYS if key in kind.requires or (plan and key == "down_payment_due")]
    found = [(key, date.fromisoformat(data[key])) for key in keys if data.get(key)]
    installments = data["installments"] if plan else []
    return found + [(f"installments[{number}].due_date", date.fromisoformat(item["due_date"]))
                    for number, item in enumerate(installments, start=1)]


def _check_not_past(kind: NoticeType, data: dict, printed_on: date) -> None:
    """Refuse a notice that would ask the customer to act by a day before the day it is printed."""
    for key, day in _act_by_dates(kind, data):
        if day < printed_on:
            raise PastActBy(kind.id, key, day, printed_on)


def _require(type_id: str, mapping: object, keys: tuple[str, ...], prefix: str) -> None:
    """Every key present and not empty, or an error naming the first that is not."""
    if not isinstance(mapping, dict):
        raise NoticeDataError(f"{type_id} notice: {prefix.rstrip('.')} must be a dict")
    for key in keys:
        if mapping.get(key) in (None, "", [], {}):
            raise NoticeDataError(f"{type_id} notice: data is missing {prefix}{key!r}")


def _check_values(type_id: str, data: dict, prefix: str) -> None:
    """Money keys must be amounts and date keys ISO dates; the error names the key."""
    for key, value in data.items():
        if value is None:
            continue
        if key in MONEY_KEYS:
            _check_money(type_id, f"{prefix}{key}", value)
        elif key in DATE_KEYS:
            _check_date(type_id, f"{prefix}{key}", value)


def _check_installments(type_id: str, installments: object) -> None:
    """A payment plan is a list of installments, each with a due date and an amount."""
    if not isinstance(installments, list):
        raise NoticeDataError(f"{type_id} notice: 'installments' must be a list")
    for number, item in enumerate(installments, start=1):
        _require(type_id, item, INSTALLMENT_KEYS, f"installments[{number}].")
        _check_date(type_id, f"installments[{number}].due_date", item["due_date"])
        _check_money(type_id, f"installments[{number}].amount", item["amount"])


def _check_by_service(type_id: str, lines: object) -> None:
    """Past due by service is a list of lines, each with the service, its name in English (`name_en`; `name_<code>`
    in each other language the city offers) and an amount."""
    if not isinstance(lines, list):
        raise NoticeDataError(f"{type_id} notice: 'past_due_by_service' must be a list")
    for number, item in enumerate(lines, start=1):
        _require(type_id, item, ("service", "name_en", "amount"),
                 f"past_due_by_service[{number}].")
        _check_money(type_id, f"past_due_by_service[{number}].amount", item["amount"])


def _check_money(type_id: str, key: str, value: object) -> None:
    """Refuse a money value that is not a string or integer amount with cents at most."""
    if not isinstance(value, str):
        raise NoticeDataError(f"{type_id} notice: {key!r} must be money as a string like \"52.03\"")
    try:
        parse_money(value)
    except ValueError as error:
        raise NoticeDataError(f"{type_id} notice: {key!r}: {error}") from None


def _check_date(type_id: str, key: str, value: object) -> None:
    """Refuse a date value that is not an ISO date string."""
    try:
        date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NoticeDataError(
            f"{type_id} notice: {key!r} must be an ISO date like \"2026-03-05\", not {value!r}"
        ) from None
