"""The city's services and how payments are applied to them: read from rule documents, pure data.

A `kind: services` document lists the services a schedule line may bill (water, sewer,
garbage, ...), each with its name in the city's languages; a `kind: payment-order` document
says how credits pay what is owed: oldest due first, or by a priority of services (oldest
due first within each, the services not listed after them). Both are versioned: the
version in force on a day decides. A debit that names no service belongs to the catch-all,
`other`, which no service may be called.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from engine.rules.document import RuleDocument, Version

SERVICES_KIND = "services"
PAYMENT_ORDER_KIND = "payment-order"
CATCH_ALL = "other"  # the service of a debit that names none (a bill line without one, entries before services)
SERVICE_NAME = r"^[a-z][a-z0-9_]{0,31}$"  # fits ledger_entries.service (32 characters)
OLDEST_DUE_FIRST = "oldest_due_first"
SAMPLE_AGING = (30, 60, 90)  # the last day of each past-due bucket when a payment order says none (1-30, 31-60, 61-90)
# What the catch-all is called when the services document's `other_charges` does not say (the sample city's words).
CATCH_ALL_LABELS = {"en": "Other charges", "es": "Otros cargos"}
LANGUAGE_CODE = r"^[a-z]{2}$"  # a language's code, as the notice templates name their files (engine.notices.languages)


@dataclass(frozen=True)
class PaymentOrder:
    """How credits pay debits: services first in this order (empty: none), then oldest due first; and how what is
    left unpaid is aged: the last day late of each of the three past-due buckets before the last, open one."""

    by_service: tuple[str, ...] = ()
    aging: tuple[int, ...] = SAMPLE_AGING

    def rank(self, service: str | None) -> int:
        """Where a debit of this service comes: its place in the priority, the unlisted ones last together."""
        name = service or CATCH_ALL
        return self.by_service.index(name) if name in self.by_service else len(self.by_service)

    def words(self) -> str:
        """The order as a clerk reads it."""
        if not self.by_service:
            return "oldest due first"
        return f"by service ({', '.join(self.by_service)}), then oldest due first"

    def bucket_words(self) -> tuple[str, ...]:
        """The aging buckets' names: 'Current', '1–30 days', '31–60 days', '61–90 days', 'Over 90 days'."""
        first, second, third = self.aging
        return ("Current", f"1–{first} days", f"{first + 1}–{second} days", f"{second + 1}–{third} days",
                f"Over {third} days")


DEFAULT_ORDER = PaymentOrder()


@dataclass(frozen=True)
class PaymentOrders:
    """The payment order of each version of the city's payment-order document (none: oldest due first)."""

    versions: tuple[tuple[date, PaymentOrder | None], ...] = ()  # ascending; None: retired
    rule: str | None = None

    def on(self, day: date) -> PaymentOrder:
        """The order in force on the day; oldest due first before the first version or once retired."""
        found: PaymentOrder | None = DEFAULT_ORDER
        for effective, order in self.versions:
            if effective > day:
                break
            found = order
        return found or DEFAULT_ORDER

    def changes_between(self, first: date, second: date) -> bool:
        """Whether the order in force differs between the two days."""
        return self.on(first) != self.on(second)


OLDEST_FIRST_ALWAYS = PaymentOrders()


def order_of(body: Mapping) -> PaymentOrder:
    """The PaymentOrder a payment-order version's `order:` says."""
    order = body["order"]
    aging = tuple(int(days) for days in body.get("aging") or SAMPLE_AGING)
    return PaymentOrder(() if order == OLDEST_DUE_FIRST else tuple(order["by_service"]), aging)


def payment_orders_of(doc: RuleDocument | None) -> PaymentOrders:
    """The versions of a payment-order document as data (None: no document, oldest due first always)."""
    if doc is None:
        return OLDEST_FIRST_ALWAYS
    return PaymentOrders(tuple((v.effective, None if v.retired else order_of(v.body)) for v in doc.versions),
                         doc.id)


def the_document(documents: Iterable[RuleDocument], kind: str) -> RuleDocument | None:
    """The city's one document of a kind (services, payment-order), or None."""
    return next((doc for doc in documents if doc.kind == kind), None)


def version_on(doc: RuleDocument, day: date) -> Version | None:
    """The version of a document in force on the day (the first one for a day before it); None if retired."""
    current = doc.versions[0]
    for version in doc.versions:
        if version.effective > day:
            break
        current = version
    return None if current.retired else current


def services_on(doc: RuleDocument, day: date) -> dict[str, dict[str, str]]:
    """The services the list names on the day (a day before its first version: the first version's), with labels."""
    version = version_on(doc, day)
    return {} if version is None else dict(version.body["services"])


def catch_all_names(documents: Iterable[RuleDocument], day: date) -> dict[str, str]:
    """What the catch-all is called in each language on the day: the services document's `other_charges` over the
    sample city's words."""
    services = the_document(documents, SERVICES_KIND)
    version = None if services is None else version_on(services, day)
    return {**CATCH_ALL_LABELS, **((version.body.get("other_charges") or {}) if version is not None else {})}


def city_services(documents: Iterable[RuleDocument], day: date) -> dict[str, dict[str, str]]:
    """The services on the city's list on the day, with their names (none without a services document)."""
    services = the_document(documents, SERVICES_KIND)
    return {} if services is None else services_on(services, day)


def service_names(documents: Iterable[RuleDocument], day: date, language: str) -> dict[str, str]:
    """Each service's name in a language on the day, the catch-all's included (for pages and notices)."""
    services = {**city_services(documents, day), CATCH_ALL: catch_all_names(documents, day)}
    return {name: label(services, name, language) for name in services}


def label(services: Mapping[str, Mapping[str, str]], service: str, language: str) -> str:
    """A service's name in a language (English, then the service's own name, when the language has none)."""
    labels = services.get(service) or (CATCH_ALL_LABELS if service == CATCH_ALL else {})
    return labels.get(language) or labels.get("en") or service


def services_named(version: Version) -> Iterator[tuple[str, str]]:
    """(path, service) of each service a schedule version names: the version's default and its lines'."""
    path = f"versions[{version.index}]"
    if "service" in version.body:
        yield f"{path}.service", version.body["service"]
    for i, line in enumerate(version.body.get("lines", [])):
        if "service" in line:
            yield f"{path}.lines[{i}].service", line["service"]


def services_ordered(version: Version) -> Iterator[tuple[str, str]]:
    """(path, service) of each service a payment-order version's priority names."""
    order = version.body.get("order")
    if isinstance(order, dict):
        for i, service in enumerate(order["by_service"]):
            yield f"versions[{version.index}].order.by_service[{i}]", service


def unknown_services(doc: RuleDocument, named: Iterable[tuple[str, str, date]],
                     known: Iterable[RuleDocument], *, catch_all: bool = False) -> Iterator[tuple[str, str]]:
    """(path, message) for each service named (path, service, on day) that the city's list lacks on that day."""
    named = list(named)
    if not named:
        return
    services = the_document(known, SERVICES_KIND)
    for path, service, day in named:
        if catch_all and service == CATCH_ALL:
            continue
        if services is None:
            yield path, (f'service "{service}": no services document lists the city\'s services '
                         f"(a document of kind {SERVICES_KIND})")
            continue
        listed = services_on(services, day)
        if service not in listed:
            yield path, (f'service "{service}" is not among the city\'s services on {day.isoformat()} '
                         f'({services.id} lists {", ".join(listed) or "none"})')
