"""The customer record: dated mailing addresses, phones, e-mail, language, the property's owner, its occupants.

Every change writes an audit row (subject `customer` or `property`) whose detail says what
was before and after; `record_history` reads them back for the account page. The mailing
address is a dated history: `mailing_address_on` is the one answer to "where do letters to
this customer go on this day" (the notices read it). A new address is in force from today
or a later day (a forwarding address at move-out), never an earlier one: what was mailed
before stays true to the address it went to. Bad input raises RecordError naming the field
and changes nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from engine import audit
from engine.accounts.record_days import day_problem
from engine.store.customers import CustomerPhone, MailingAddress, Occupant
from engine.store.kept_reads import MAILING_ADDRESSES, kept_read
from engine.city import offered, today_in_city
from engine.csv_reading import control_character
from engine.store.models import AuditEntry, Customer, Property, UtilityAccount

ZIP = re.compile(r"^\d{5}(-\d{4})?$", re.ASCII)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MOST_PHONES = 6
# A phone as a clerk types it: digits parted by spaces, dashes, dots, slashes or parentheses, a leading +, then maybe
# an extension ("x123", "ext. 123"); 7 to 15 digits before the extension.
PHONE = re.compile(r"(?P<number>\+?[0-9()./ \-]+?)\s*(?:(?:x|ext\.?)\s*\d{1,6})?", re.I | re.ASCII)
# A day typed in the phone's box (2026-02-30, 02/30/2026, 30.02.26): digits of a phone's length, but a date's shape.
DATE_SHAPE = re.compile(r"\d{4}([-./])\d{1,2}\1\d{1,2}|\d{1,2}([-./])\d{1,2}\2(\d{2}|\d{4})", re.ASCII)


class RecordError(ValueError):
    """A change to the customer record that cannot be made; the message names the field and why."""


@dataclass(frozen=True)
class Address:
    """A mailing address and the day it is in force from (None: on file from the start)."""

    street: str
    unit: str
    city: str
    state: str
    zip: str
    in_force_from: date | None = None
    reason: str = ""
    recorded_by: str = ""
    recorded_at: datetime | None = None

    def one_line(self) -> str:
        """'12 Oak Street Apt 4, Sacramento CA 95814'."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.street}{unit}, {self.city} {self.state} {self.zip}"

    def recipient(self, name: str) -> dict[str, str]:
        """The window-envelope address of a letter to `name` at this address."""
        return {"name": name, "street": self.street, "unit": self.unit or "", "city": self.city,
                "state": self.state, "zip": self.zip}


def address_on_file(customer: Customer) -> Address:
    """The address the customer row holds: the one on file before any dated change."""
    return Address(customer.mailing_street, customer.mailing_unit or "", customer.mailing_city,
                   customer.mailing_state, customer.mailing_zip)


def _dated(row: MailingAddress) -> Address:
    return Address(row.street, row.unit or "", row.city, row.state, row.zip, row.in_force_from, row.reason,
                   row.recorded_by, row.recorded_at)


def mailing_address_on(session: Session, customer: Customer, on: date) -> Address:
    """The mailing address in force on a day: the latest dated address from that day or before, else the one on file.

    Two changes in force from the same day: the one recorded last holds (a correction of a correction).
    """
    kept = kept_read(session, MAILING_ADDRESSES, dict).get(customer.id)
    if kept is not None:  # a sweep chunk read them ahead, newest first
        row = next((address for address in kept if address.in_force_from <= on), None)
    else:
        row = session.scalar(select(MailingAddress).where(MailingAddress.customer_id == customer.id,
                                                          MailingAddress.in_force_from <= on)
                             .order_by(MailingAddress.in_force_from.desc(), MailingAddress.id.desc()).limit(1))
    return _dated(row) if row is not None else address_on_file(customer)


def read_addresses_ahead(session: Session, customer_ids: Sequence[int]) -> None:
    """Read the dated mailing addresses of these customers in one query, kept for a sweep chunk (kept_reads; a flush
    of an address forgets them): their letters then find their addresses without a query each."""
    kept = kept_read(session, MAILING_ADDRESSES, dict)
    wanted = sorted({customer_id for customer_id in customer_ids if customer_id not in kept})
    if not wanted:
        return
    found: dict[int, list[MailingAddress]] = {customer_id: [] for customer_id in wanted}
    for row in session.scalars(select(MailingAddress).where(MailingAddress.customer_id.in_(wanted))
                               .order_by(MailingAddress.customer_id, MailingAddress.in_force_from.desc(),
                                         MailingAddress.id.desc())):
        found[row.customer_id].append(row)
    kept.update(found)


def mailing_history(session: Session, customer: Customer) -> list[Address]:
    """Every dated mailing address of the customer, newest first (the one on file is not among them)."""
    rows = session.scalars(select(MailingAddress).where(MailingAddress.customer_id == customer.id)
                           .order_by(MailingAddress.in_force_from.desc(), MailingAddress.id.desc()))
    return [_dated(row) for row in rows]


# Characters that turn the text after them right to left, or isolate it, unseen: a name or street holding one
# prints and reads otherwise than it was typed.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def one_line_problem(text: str, label: str) -> str | None:
    """Why `text` is not one printed line (a sentence naming the field `label`), or None when it is: it holds a
    character no letter or page prints, a line break, a tab, an escape or a hidden direction mark (the street went
    onto letters as two lines)."""
    found = control_character(text) or next((f"U+{ord(c):04X}" for c in text if c in BIDI_CONTROLS), None)
    if found:
        return (f"{label}: one line of printed characters, without a line break, tab or other control character "
                f"(it holds {found}).")
    return None


def _one_line(text: str, label: str) -> str:
    """The text, or RecordError when it is not one printed line (one_line_problem)."""
    problem = one_line_problem(text, label)
    if problem:
        raise RecordError(problem)
    return text


def _required(value: str | None, label: str, longest: int) -> str:
    text = (value or "").strip()
    if not text:
        raise RecordError(f"{label}: enter it.")
    if len(text) > longest:
        raise RecordError(f"{label}: at most {longest} characters, not {len(text)}.")
    return _one_line(text, label)


def checked_address(street: str, unit: str, city: str, state: str, zip_code: str) -> tuple[str, str, str, str, str]:
    """The parts of a mailing address, trimmed, or RecordError naming the part that is wrong."""
    street = _required(street, "Street", 160)
    unit = _one_line((unit or "").strip(), "Unit")
    if len(unit) > 40:
        raise RecordError(f"Unit: at most 40 characters, not {len(unit)}.")
    city = _required(city, "City", 80)
    state = _required(state, "State", 2).upper()
    if not re.fullmatch(r"[A-Z]{2}", state):
        raise RecordError(f"State: two letters, such as CA, not {state!r}.")
    zip_code = _required(zip_code, "ZIP code", 10)
    if not ZIP.match(zip_code):
        raise RecordError(f"ZIP code: five digits, or five and four (95601-1234), not {zip_code!r}.")
    return street, unit, city, state, zip_code


def _within(day: date, field: str, today: date) -> None:
    """Refuse a day outside the years a record holds (engine.accounts.record_days) from the city's `today`, naming
    the field."""
    problem = day_problem(day, field, today=today)
    if problem:
        raise RecordError(problem)


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise RecordError(f"There is no customer number {customer_id}.")
    return customer


def change_mailing_address(session: Session, customer_id: int, *, street: str, unit: str, city: str, state: str,
                           zip_code: str, in_force_from: date, reason: str, actor: str, today: date,
                           now: datetime) -> MailingAddress:
    """Record a mailing address in force from a day (today, or later for a forwarding address); audited."""
    customer = _customer(session, customer_id)
    street, unit, city, state, zip_code = checked_address(street, unit, city, state, zip_code)
    if in_force_from < today:
        raise RecordError(f"In force from: today or a later day, not {in_force_from.isoformat()} "
                          "(letters already sent went to the address then in force).")
    _within(in_force_from, "In force from", today)
    reason = _one_line((reason or "").strip(), "Reason")
    if len(reason) > 120:
        raise RecordError(f"Reason: at most 120 characters, not {len(reason)}.")
    before = mailing_address_on(session, customer, in_force_from)
    row = MailingAddress(customer_id=customer.id, street=street, unit=unit, city=city, state=state, zip=zip_code,
                         in_force_from=in_force_from, reason=reason, recorded_by=actor, recorded_at=now)
    session.add(row)
    session.flush()
    after = _dated(row)
    audit.record(session, actor=actor, action="customer.mailing_address", subject_type="customer",
                 subject_id=customer.id, at=now,
                 detail={"before": before.one_line(), "after": after.one_line(),
                         "in_force_from": in_force_from.isoformat(), "reason": reason})
    return row


# --- phones, e-mail, language ----------------------------------------------------------------


def phones_of(session: Session, customer: Customer) -> list[tuple[str, str]]:
    """The customer's phones as (label, number), in their order (a record from before labels: its one phone)."""
    rows = session.execute(select(CustomerPhone.label, CustomerPhone.number)
                           .where(CustomerPhone.customer_id == customer.id).order_by(CustomerPhone.position)).all()
    if rows:
        return [(row.label, row.number) for row in rows]
    return [("phone", customer.phone)] if customer.phone else []


def phone_problem(number: str, field: str) -> str | None:
    """Why `number` is not a phone a clerk would type, as a sentence naming `field` (other letters than an
    extension's, a date's shape, too few or too many digits), or None when it is one."""
    shape = PHONE.fullmatch(number) if len(number) <= 32 else None
    if shape is None:
        return (f"{field}: {number[:40]!r} is not a phone number: at most 32 characters, digits, with spaces, dashes, "
                "dots or parentheses, a leading + and an extension like x123.")
    if DATE_SHAPE.fullmatch(shape["number"].strip()):
        return f"{field}: {number!r} is not a phone number: it has the shape of a date."
    if not 7 <= len(re.sub(r"\D", "", shape["number"])) <= 15:
        return f"{field}: {number!r} is not a phone number (7 to 15 digits before an extension)."
    return None


def checked_phones(phones: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The phones given, blank rows dropped, each with 7 to 15 digits and a label of at most 40 characters."""
    kept = []
    for index, (label, number) in enumerate(phones, start=1):
        label, number = (label or "").strip(), (number or "").strip()
        if not number and not label:
            continue
        if not number:
            raise RecordError(f"Phone {index}: enter the number, or clear its label.")
        if len(number) > 32 or len(label) > 40:
            raise RecordError(f"Phone {index}: the number takes at most 32 characters and the label 40.")
        _one_line(label, f"Phone {index} label")
        problem = phone_problem(number, f"Phone {index}")
        if problem:
            raise RecordError(problem)
        kept.append((label or "phone", number))
    if len(kept) > MOST_PHONES:
        raise RecordError(f"Phones: at most {MOST_PHONES}, not {len(kept)}.")
    return kept


def email_problem(email: str) -> str | None:
    """Why `email` (trimmed; empty is none) is not an e-mail address a notice may go to, or None when it is one."""
    if email and (len(email) > 160 or not EMAIL.match(email)):
        return f"E-mail: {email!r} is not an e-mail address (name@example.org)."
    return None


def _offered_language(session: Session, language: str) -> None:
    """Refuse a language the city does not print in (its `languages` setting)."""
    languages = offered(session)
    if language not in languages:
        raise RecordError(f"Language: one of the city's languages ({', '.join(languages)}), not {language!r}.")


def change_contact(session: Session, customer_id: int, *, phones: list[tuple[str, str]], email: str, language: str,
                   actor: str, now: datetime) -> Customer:
    """Replace the customer's phones, e-mail and preferred language; audited with what they were.

    `customers.phone` keeps the first phone: the one the search finds and the phone list exports.
    """
    customer = _customer(session, customer_id)
    phones = checked_phones(phones)
    email = (email or "").strip()
    problem = email_problem(email)
    if problem:
        raise RecordError(problem)
    _offered_language(session, language)
    before = {"phones": [list(p) for p in phones_of(session, customer)], "email": customer.email,
              "language": customer.language}
    after = {"phones": [list(p) for p in phones], "email": email, "language": language}
    if before == after:
        return customer
    for row in session.scalars(select(CustomerPhone).where(CustomerPhone.customer_id == customer.id)):
        session.delete(row)
    session.flush()
    session.add_all(CustomerPhone(customer_id=customer.id, position=i, label=label, number=number)
                    for i, (label, number) in enumerate(phones))
    customer.phone = phones[0][1] if phones else ""
    customer.email, customer.language = email, language
    session.flush()
    audit.record(session, actor=actor, action="customer.contact", subject_type="customer", subject_id=customer.id,
                 at=now, detail={"before": before, "after": after})
    return customer


# --- the property's owner and its occupants -----------------------------------------------------


def change_owner(session: Session, property_id: int, owner_id: int, *, actor: str, now: datetime) -> Property:
    """Make another customer the property's owner (a landlord, a new owner); audited."""
    place = session.get(Property, property_id)
    if place is None:
        raise RecordError(f"There is no property number {property_id}.")
    owner = session.get(Customer, owner_id)
    if owner is None:
        raise RecordError(f"Owner: there is no customer number {owner_id}.")
    if owner.id == place.owner_id:
        return place
    before = place.owner
    place.owner_id = owner.id
    session.flush()
    session.expire(place, ["owner"])
    audit.record(session, actor=actor, action="property.owner", subject_type="property", subject_id=place.id, at=now,
                 detail={"before": f"{before.name} (customer {before.id})",
                         "after": f"{owner.name} (customer {owner.id})"})
    return place


def occupants_on(session: Session, property_id: int, on: date) -> list[Occupant]:
    """The occupants recorded at a property on a day (moved in by then, not yet moved out)."""
    return list(session.scalars(select(Occupant).where(
        Occupant.property_id == property_id, Occupant.moved_in_on <= on,
        or_(Occupant.moved_out_on.is_(None), Occupant.moved_out_on > on)).order_by(Occupant.id)))


def occupants_of(session: Session, property_id: int) -> list[Occupant]:
    """Every occupant ever recorded at a property, those still there first."""
    return list(session.scalars(select(Occupant).where(Occupant.property_id == property_id)
                                .order_by(Occupant.moved_out_on.is_not(None), Occupant.moved_in_on.desc(),
                                          Occupant.id.desc())))


def add_occupant(session: Session, property_id: int, *, name: str, unit: str, city: str, state: str, zip_code: str,
                 language: str, moved_in_on: date, actor: str, now: datetime) -> Occupant:
    """Record who lives at a property in someone else's name (its unit and the city line of its address); audited."""
    place = session.get(Property, property_id)
    if place is None:
        raise RecordError(f"There is no property number {property_id}.")
    name = _required(name, "Occupant's name", 160)
    _within(moved_in_on, "Moved in on", today_in_city(session, now))
    _, unit, city, state, zip_code = checked_address(place.service_address, unit, city, state, zip_code)
    _offered_language(session, language)
    occupant = Occupant(property_id=place.id, name=name, unit=unit, city=city, state=state, zip=zip_code,
                        language=language, moved_in_on=moved_in_on, recorded_by=actor, recorded_at=now)
    session.add(occupant)
    session.flush()
    audit.record(session, actor=actor, action="property.occupant", subject_type="property", subject_id=place.id,
                 at=now, detail={"occupant": occupant.id, "name": name, "unit": unit,
                                 "moved_in_on": moved_in_on.isoformat()})
    return occupant


def occupant_moved_out(session: Session, occupant_id: int, *, on: date, actor: str, now: datetime) -> Occupant:
    """Record the day an occupant moved out (no notices to them from that day); audited."""
    occupant = session.get(Occupant, occupant_id)
    if occupant is None:
        raise RecordError(f"There is no occupant number {occupant_id}.")
    if occupant.moved_out_on is not None:
        raise RecordError(f"{occupant.name} moved out on {occupant.moved_out_on.isoformat()} already.")
    _within(on, "Moved out on", today_in_city(session, now))
    if on < occupant.moved_in_on:
        raise RecordError(f"Moved out on: not before the day {occupant.name} moved in "
                          f"({occupant.moved_in_on.isoformat()}).")
    occupant.moved_out_on = on
    session.flush()
    audit.record(session, actor=actor, action="property.occupant_out", subject_type="property",
                 subject_id=occupant.property_id, at=now,
                 detail={"occupant": occupant.id, "name": occupant.name, "moved_out_on": on.isoformat()})
    return occupant


# --- the history the account page shows ----------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One change of the record as the account page lists it: when, by whom, and what in words."""

    at: datetime
    actor: str
    words: str


def _phones_words(phones: list[list[str]]) -> str:
    return ", ".join(f"{number} ({label})" for label, number in phones) or "none"


def _contact_words(detail: dict[str, Any], names: Mapping[str, str]) -> str:
    before, after = detail.get("before", {}), detail.get("after", {})
    parts = []
    if before.get("phones") != after.get("phones"):
        parts.append(f"phones from {_phones_words(before.get('phones', []))} "
                     f"to {_phones_words(after.get('phones', []))}")
    if before.get("email") != after.get("email"):
        parts.append(f"e-mail from {before.get('email') or 'none'} to {after.get('email') or 'none'}")
    if before.get("language") != after.get("language"):
        parts.append(f"language from {names.get(before.get('language'), before.get('language'))} "
                     f"to {names.get(after.get('language'), after.get('language'))}")
    return "Changed " + "; ".join(parts) + "." if parts else "Contact details saved unchanged."


def change_words(action: str, detail: dict[str, Any], names: Mapping[str, str] | None = None) -> str:
    """A record change in the city's words, from its audit row (dates stay ISO for the page's `dates` filter;
    `names`: each language's name, from its words file)."""
    if action == "customer.mailing_address":
        reason = f" ({detail['reason']})" if detail.get("reason") else ""
        return (f"Mailing address from {detail.get('before')} to {detail.get('after')}, "
                f"in force from {detail.get('in_force_from')}{reason}.")
    if action == "customer.contact":
        return _contact_words(detail, names or {})
    if action == "property.owner":
        return f"Property owner from {detail.get('before')} to {detail.get('after')}."
    if action == "property.occupant":
        unit = f", {detail['unit']}" if detail.get("unit") else ""
        return f"Occupant {detail.get('name')}{unit} recorded, moved in {detail.get('moved_in_on')}."
    if action == "property.occupant_out":
        return f"Occupant {detail.get('name')} moved out {detail.get('moved_out_on')}."
    if action == "customer.assistance_enrol":
        through = f"enrolled through {detail['ends_on']}." if detail.get("ends_on") else "no end set."
        return f"Enrolled in {detail.get('name')} from {detail.get('starts_on')}, {through}"
    if action == "customer.assistance_end":
        before = detail.get("before") or "no end"
        return f"{detail.get('name')}: enrolled through {detail.get('ends_on')} (before: {before})."
    if action == "account.note":
        return f"Note {detail.get('note')} written."
    if action == "account.note_edit":
        return f"Note {detail.get('note')} edited (the earlier text is kept with it)."
    return action.replace(".", " ").replace("_", " ").capitalize() + "."


RECORD_ACTIONS = ("customer.mailing_address", "customer.contact", "property.owner", "property.occupant",
                  "property.occupant_out", "account.note", "account.note_edit", "customer.assistance_enrol",
                  "customer.assistance_end")


def record_history(session: Session, account: UtilityAccount, *, rows: int = 50,
                   names: Mapping[str, str] | None = None) -> list[Change]:
    """The changes to the account's customer, its property and its notes, newest first."""
    subjects = [("customer", str(account.customer_id)), ("property", str(account.property_id)),
                ("utility_account", str(account.id))]
    query = (select(AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.detail)
             .where(or_(*(and_(AuditEntry.subject_type == kind, AuditEntry.subject_id == number)
                          for kind, number in subjects)), AuditEntry.action.in_(RECORD_ACTIONS))
             .order_by(AuditEntry.id.desc()).limit(rows))
    return [Change(row.at, row.actor, change_words(row.action, row.detail or {}, names))
            for row in session.execute(query)]


# --- a new customer (start of service, a business owner at the counter) ---------------------------------------------


@dataclass(frozen=True)
class NewCustomer:
    """A customer the city has not billed before: name and mailing address, how to reach them."""

    name: str
    mailing_street: str
    mailing_city: str
    mailing_state: str
    mailing_zip: str
    mailing_unit: str = ""
    phone: str = ""
    email: str = ""
    language: str = "en"


def new_customer_problems(new: NewCustomer, languages: Sequence[str]) -> list[str]:
    """What is missing or wrong in a new customer, in words (none: it may be added); `languages`: the city's.

    The name and the mailing address are held to what the customer record holds them to (one printed line each,
    their lengths, a ZIP of ASCII digits), and the e-mail too: a move-in kept a name with an escape sequence in it
    and a ZIP of Arabic-Indic digits, which no record form would have taken."""
    problems = [f"{name.replace('_', ' ')} is required"
                for name in ("name", "mailing_street", "mailing_city", "mailing_state", "mailing_zip")
                if not str(getattr(new, name) or "").strip()]
    if new.mailing_state.strip() and len(new.mailing_state.strip()) != 2:
        problems.append(f"mailing state {new.mailing_state!r} is two letters (CA)")
    if not problems:  # each part given: checked as the customer record checks a name and an address it is given
        for check in (lambda: _required(new.name, "Name", 160),
                      lambda: checked_address(new.mailing_street, new.mailing_unit, new.mailing_city,
                                              new.mailing_state, new.mailing_zip)):
            try:
                check()
            except RecordError as error:
                problems.append(str(error))
    if new.phone.strip():
        problems.append(phone_problem(new.phone.strip(), "phone"))
    problems.append(email_problem((new.email or "").strip()))
    if new.language not in languages:
        problems.append(f"language {new.language!r} is not one of the city's languages ({', '.join(languages)})")
    return [problem for problem in problems if problem]


def add_customer(session: Session, new: NewCustomer, *, actor: str, now: datetime, purpose: str) -> Customer:
    """Record a new customer (checked first with new_customer_problems), audited with what it was added for."""
    customer = Customer(name=new.name.strip(), mailing_street=new.mailing_street.strip(),
                        mailing_unit=new.mailing_unit.strip(), mailing_city=new.mailing_city.strip(),
                        mailing_state=new.mailing_state.strip().upper(), mailing_zip=new.mailing_zip.strip(),
                        language=new.language, phone=new.phone.strip(), email=new.email.strip(),
                        created_at=now)
    session.add(customer)
    session.flush()
    audit.record(session, actor=actor, action="customer.added", subject_type="customer", subject_id=customer.id,
                 at=now, detail={"name": customer.name, "for": purpose})
    return customer
