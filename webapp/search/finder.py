"""Find anyone: accounts and businesses by any word or part of a name, street, phone, e-mail or number.

Results come in four tiers, each asked of an index and each at most a page:
exact numbers (an account number with or without its zeros and dashes, a license number,
a parcel), then documents holding every typed word whole ("Garcia"), then every word as the
start of a word ("Garc", account, license and parcel numbers that start with it), then every
piece anywhere, inside a word ("arcia", "555-0142"). A row found twice keeps its best tier.
A customer or a service address found leads to its utility accounts. Each result says what
matched and how.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.addresses import words_of
from engine.numerals import digits_of
from engine.store.models import Business, Customer, License, Property, UtilityAccount
from webapp.search.sources import NUMBER_DIGITS, SOURCES, sources_for, starts_with
from webapp.search.typed import Typed, read_typed

PAGE = 50
EXACT, WORD, START, PART = range(4)
HOW = {EXACT: "exact number", WORD: "whole word", START: "start of a word", PART: "part of a word"}

Hit = tuple[str, int, str]  # ("account" | "business", its id, what matched: a source or a number's kind)


@dataclass(frozen=True)
class Found:
    """One result: an account or a business, what matched, and how well."""

    tier: int
    account: UtilityAccount | None
    business: Business | None
    matched: str  # e.g. "phone 530-555-0142"
    through_owner: bool = False  # found by its property's or business's owner, not by itself

    @property
    def how(self) -> str:
        """How it matched, in words: exact number, whole word, start of a word, part of a word."""
        return HOW[self.tier]

    @property
    def sort_key(self) -> tuple:
        """Tier first; within a tier, what matched itself before what its owner matched, then by name."""
        name = self.account.customer.name if self.account else self.business.name
        return self.tier, self.through_owner, name.casefold(), self.account.number if self.account else ""


@dataclass(frozen=True)
class Results:
    """What was typed, read, and at most a page of results, best first."""

    typed: Typed
    found: list[Found]

    @property
    def full(self) -> bool:
        """A whole page was found: there may be more, typing more narrows them."""
        return len(self.found) >= PAGE

    @property
    def straight_to(self) -> Found | None:
        """The one result to open at once: a single exact number and nothing else equally good."""
        exact = [found for found in self.found if found.tier == EXACT]
        return exact[0] if len(exact) == 1 else None


def find(session: Session, text: str) -> Results:
    """At most a page of accounts and businesses matching `text`, best first."""
    typed = read_typed(text)
    if not typed.words and not typed.pieces:
        return Results(typed, [])
    hits: dict[tuple[str, int], tuple[int, str]] = {}
    for tier, search in _searches(session, typed):
        if len(hits) >= PAGE:
            break
        for kind, row_id, source in search():
            hits.setdefault((kind, row_id), (tier, source))
    return Results(typed, _load(session, typed, hits))


def properties(session: Session, text: str, *, limit: int = 20) -> list[Property]:
    """At most `limit` properties by parcel or service address, best first (to start service at): the parcel equal
    to what was typed, then addresses holding every word whole, then as starts of words, then every piece anywhere;
    within each, by address. Street words are matched in any of their forms, as in `find`."""
    typed = read_typed(text)
    sources = sources_for(session)
    tiers = [lambda: _ids(session, select(Property.id).where(Property.parcel == typed.text.upper())),
             lambda: sources.words("property", typed, starts=False, limit=limit),
             lambda: sources.words("property", typed, starts=True, limit=limit),
             lambda: sources.pieces("property", typed, limit=limit)]
    best: dict[int, int] = {}
    for tier, search in enumerate(tiers):
        if len(best) >= limit:
            break
        for row_id in search():
            best.setdefault(row_id, tier)
    found = session.scalars(select(Property).where(Property.id.in_(best))) if best else []
    return sorted(found, key=lambda place: (best[place.id], place.service_address))[:limit]


def _searches(session: Session, typed: Typed) -> list[tuple[int, Callable[[], list[Hit]]]]:
    """Each search, with its tier, in the order they are asked."""
    sources = sources_for(session)
    searches: list[tuple[int, Callable[[], list[Hit]]]] = []
    if typed.single:
        searches += [(EXACT, lambda: _exact_numbers(session, typed))]
    searches += [(WORD, lambda source=source: _documents(session, source, sources.words(
        source, typed, starts=False, limit=PAGE))) for source in SOURCES]
    if typed.single:
        searches += [(START, lambda: _number_starts(session, sources, typed))]
    searches += [(START, lambda source=source: _documents(session, source, sources.words(
        source, typed, starts=True, limit=PAGE))) for source in SOURCES]
    searches += [(PART, lambda source=source: _documents(session, source, sources.pieces(
        source, typed, limit=PAGE))) for source in SOURCES]
    return searches


def _ids(session: Session, query) -> list[int]:
    """The ids a query gives, at most a page."""
    return list(session.scalars(query.limit(PAGE)))


def _exact_numbers(session: Session, typed: Typed) -> list[Hit]:
    """Accounts by their number (as typed, or its digits without leading zeros), businesses by license, by parcel."""
    upper = typed.text.upper()
    by_number = UtilityAccount.number == typed.text
    if typed.number:
        by_number = by_number | (NUMBER_DIGITS == typed.number)
    hits = [("account", i, "account number") for i in _ids(session, select(UtilityAccount.id).where(by_number))]
    hits += [("business", i, "license") for i in _ids(session, select(License.business_id).where(License.number == upper))]
    parcel = select(UtilityAccount.id).join(Property, Property.id == UtilityAccount.property_id).where(
        Property.parcel == upper)
    return hits + [("account", i, "parcel") for i in _ids(session, parcel)]


def _number_starts(session: Session, sources, typed: Typed) -> list[Hit]:
    """Account numbers (digits without zeros), license numbers and parcels that start with what was typed."""
    upper = typed.text.upper()
    hits = []
    if typed.number:
        hits += [("account", i, "account number")
                 for i in _ids(session, select(UtilityAccount.id).where(sources.number_starts(typed.number)))]
    licenses = select(License.business_id).where(starts_with(License.number, upper))
    hits += [("business", i, "license") for i in _ids(session, licenses)]
    parcels = select(UtilityAccount.id).join(Property, Property.id == UtilityAccount.property_id).where(
        starts_with(Property.parcel, upper))
    return hits + [("account", i, "parcel") for i in _ids(session, parcels)]


def _documents(session: Session, source: str, ids: list[int]) -> list[Hit]:
    """What the matched rows of a source lead to: a customer's accounts, the accounts at the properties and the
    businesses the customer owns; an address's accounts; the business."""
    if not ids:
        return []
    if source == "business":
        return [("business", i, source) for i in ids]
    if source == "property":
        return [("account", i, source) for i in _ids(session, select(UtilityAccount.id).where(
            UtilityAccount.property_id.in_(ids)))]
    owned = select(Property.id).where(Property.owner_id.in_(ids))
    return ([("account", i, source) for i in _ids(session, select(UtilityAccount.id).where(
                UtilityAccount.customer_id.in_(ids)))]
            + [("account", i, "owner") for i in _ids(session, select(UtilityAccount.id).where(
                UtilityAccount.property_id.in_(owned)))]
            + [("business", i, "owner") for i in _ids(session, select(Business.id).where(Business.owner_id.in_(ids)))])


def _load(session: Session, typed: Typed, hits: dict[tuple[str, int], tuple[int, str]]) -> list[Found]:
    """The accounts and businesses hit, with what matched, best first, at most a page."""
    wanted = {kind: [row_id for (k, row_id) in hits if k == kind] for kind in ("account", "business")}
    accounts = (session.scalars(select(UtilityAccount).where(UtilityAccount.id.in_(wanted["account"])).options(
        joinedload(UtilityAccount.customer), joinedload(UtilityAccount.property).joinedload(Property.owner)))
        if wanted["account"] else [])
    businesses = session.scalars(select(Business).where(Business.id.in_(wanted["business"])).options(
        joinedload(Business.owner))) if wanted["business"] else []
    licenses = _licenses(session, wanted["business"])
    found = [Found(tier, a, None, _account_matched(a, typed, source), source == "owner")
             for a in accounts for tier, source in [hits[("account", a.id)]]]
    found += [Found(tier, None, b, _business_matched(b, licenses.get(b.id, []), typed, source), source == "owner")
              for b in businesses for tier, source in [hits[("business", b.id)]]]
    return sorted(found, key=lambda f: f.sort_key)[:PAGE]


def _licenses(session: Session, business_ids: list[int]) -> dict[int, list[str]]:
    """The license numbers of each business, by business id."""
    numbers: dict[int, list[str]] = {}
    if business_ids:
        for business_id, number in session.execute(select(License.business_id, License.number).where(
                License.business_id.in_(business_ids)).order_by(License.number)):
            numbers.setdefault(business_id, []).append(number)
    return numbers


def holds(value: str, typed: Typed) -> bool:
    """Whether a field holds what was typed: the digits, or every word in one of its forms (case and punctuation
    aside: "NE" is held by "North-East Oak" as its words "north east")."""
    if typed.digits:
        return typed.digits in digits_of(value)
    words = " ".join(words_of(value))
    return all(any(form in words for form in forms) for forms in typed.forms)


def _first_holding(fields: list[tuple[str, str]], typed: Typed) -> str:
    """'label value' of the first field that holds what was typed; else of the first field."""
    label, value = next(((label, value) for label, value in fields if value and holds(value, typed)), fields[0])
    return f"{label} {value}"


def _person_matched(person: Customer, typed: Typed, *, name: str) -> str:
    """Which of a person's name, phone or e-mail holds what was typed, and its value."""
    return _first_holding([(name, person.name), ("phone", person.phone), ("e-mail", person.email)], typed)


def _account_matched(account: UtilityAccount, typed: Typed, source: str) -> str:
    """What matched on an account: its number, its customer's name, phone or e-mail, its address or parcel."""
    customer, place = account.customer, account.property
    if source == "account number":
        return f"account number {account.number}"
    if source == "owner":
        return "property owner " + _person_matched(place.owner, typed, name="name")
    if source == "customer":
        return _person_matched(customer, typed, name="customer name")
    return _first_holding([("service address", place.service_address), ("parcel", place.parcel)]
                          if source == "property" else [("parcel", place.parcel)], typed)


def _business_matched(business: Business, numbers: list[str], typed: Typed, source: str) -> str:
    """What matched on a business: a license number, its name or its address."""
    if source == "owner":
        return "owner " + _person_matched(business.owner, typed, name="name")
    if source == "license":
        upper = typed.text.upper()
        return "license " + next((n for n in numbers if n.startswith(upper)), ", ".join(numbers))
    return _first_holding([("business name", business.name), ("business address", business.address)], typed)
