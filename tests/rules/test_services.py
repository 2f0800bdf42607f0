"""The city's services and its payment order as rule documents: a schedule line's service checked against the list."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from engine.rulebook.drafting import check_draft
from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.rules.services import CATCH_ALL, DEFAULT_ORDER, PaymentOrder, label, payment_orders_of, services_on

RULES = Path(__file__).resolve().parents[2] / "rules"
TODAY = date(2026, 11, 24)
SERVICES = """\
id: city-services
kind: services
title: Services
versions:
  - effective: 2024-07-01
    services:
      water: {en: Water, es: Agua}
      sewer: {en: Sewer, es: Alcantarillado}
  - effective: 2027-01-01
    services:
      water: {en: Water, es: Agua}
      sewer: {en: Sewer, es: Alcantarillado}
      storm: {en: Storm drainage}
"""
STORM_FEE = """\
id: storm-fee
kind: schedule
title: Storm drainage
versions:
  - effective: {effective}
    service: {service}
    lines:
      - name: Storm drainage, per parcel
        amount: 6.50
"""
ORDER = """\
id: payment-order
kind: payment-order
title: How payments apply
versions:
  - effective: 2026-01-01
    order: oldest_due_first
  - effective: 2026-07-01
    order: {by_service: [water, sewer, other]}
  - effective: 2027-07-01
    retired: true
"""


def _errors(*texts: str) -> list[str]:
    """The messages a library of these texts gives (none: it is valid)."""
    try:
        RuleLibrary.from_documents(load_document(text, f"doc{i}.yaml") for i, text in enumerate(texts))
    except DocumentErrors as bad:
        return [str(error) for error in bad.errors]
    return []


def test_the_sample_city_bills_water_and_sewer_lines_to_their_services():
    """12 CCF on a 3/4" meter on 2026-02-01: water 54.22 (27.02 + 27.20), sewer 32.23, the franchise fee 4.32 in fees."""
    library = RuleLibrary.from_folder(RULES)
    shown = library.evaluate("water-rates-residential", {"meter_size": '3/4"', "consumption_ccf": 12},
                             date(2026, 2, 1)).to_json()
    assert [(line["amount"], line["service"]) for line in shown["lines"]] == [
        ("27.02", "water"), ("27.20", "water"), ("16.33", "sewer"), ("15.90", "sewer"), ("4.32", "fees")]
    fee = library.evaluate("late-fee", {"past_due_balance": "52.03"}, date(2026, 3, 2)).to_json()
    assert fee["lines"][0]["service"] == "fees"  # the version's service: for every line of it
    assert library.evaluate("payment-order", {}, TODAY).to_json()["order"] == "oldest_due_first"
    assert label(library.evaluate("city-services", {}, TODAY).services, "sewer", "es") == "Alcantarillado"


def test_a_schedule_naming_a_service_not_on_the_list_is_refused_at_draft_and_publish():
    """The one check of a draft names the service, the day and the list."""
    published = RuleLibrary.from_folder(RULES)
    checked = check_draft(published, None, STORM_FEE.format(effective="2027-01-01", service="stormwater"), TODAY)
    assert [error.message for error in checked.errors] == [
        'service "stormwater" is not among the city\'s services on 2027-01-01 (city-services lists water, sewer, '
        'garbage, storm, fees)']
    assert [error.path for error in checked.errors] == ["versions[0].service"]
    assert check_draft(published, None, STORM_FEE.format(effective="2027-01-01", service="storm"), TODAY).ok


def test_a_service_counts_from_the_day_the_list_names_it():
    """storm is on the list from 2027-01-01: a version of 2026-12-01 may not bill it, one of 2027-01-01 may."""
    assert _errors(SERVICES, STORM_FEE.format(effective="2027-01-01", service="storm")) == []
    assert _errors(SERVICES, STORM_FEE.format(effective="2026-12-01", service="storm")) == [
        "doc1.yaml:6: versions[0].service: service \"storm\" is not among the city's services on 2026-12-01 "
        "(city-services lists water, sewer)"]


def test_a_service_needs_a_list_and_other_is_the_catch_all():
    assert _errors(STORM_FEE.format(effective="2027-01-01", service="storm")) == [
        "doc0.yaml:6: versions[0].service: service \"storm\": no services document lists the city's services "
        "(a document of kind services)"]
    assert _errors(SERVICES.replace("storm: {en: Storm drainage}", "other: {en: Other}")) == [
        'doc0.yaml:13: versions[1].services.other: "other" is where debits without a service are counted; '
        "give the service another name"]


def test_a_city_has_one_services_list_and_one_payment_order():
    second = SERVICES.replace("id: city-services", "id: more-services")
    assert _errors(SERVICES, second) == [
        "doc1.yaml:2: kind: the city has one services document, city-services; change that one rather than "
        "adding more-services"]


def test_a_payment_order_names_services_on_the_list_or_the_catch_all():
    assert _errors(SERVICES, ORDER) == []
    assert _errors(SERVICES, ORDER.replace("[water, sewer, other]", "[water, garbage]")) == [
        "doc1.yaml:8: versions[1].order.by_service[1]: service \"garbage\" is not among the city's services on "
        "2026-07-01 (city-services lists water, sewer)"]
    refused = _errors(SERVICES, ORDER.replace("order: oldest_due_first", "order: newest_first"))
    assert refused and "oldest_due_first or {by_service: [water, sewer, ..]}" in refused[0]


def test_the_order_in_force_on_a_day_decides():
    """Oldest due first before its first version, by service from 2026-07-01, oldest first again once retired."""
    orders = payment_orders_of(load_document(ORDER, "order.yaml"))
    by_service = PaymentOrder(("water", "sewer", "other"))
    assert [orders.on(date(2025, 12, 31)), orders.on(date(2026, 6, 30)), orders.on(date(2026, 7, 1)),
            orders.on(date(2027, 7, 1))] == [DEFAULT_ORDER, DEFAULT_ORDER, by_service, DEFAULT_ORDER]
    assert orders.changes_between(date(2026, 6, 30), date(2026, 7, 1))
    assert not orders.changes_between(date(2026, 7, 1), date(2027, 6, 30))
    assert [by_service.rank(s) for s in ("water", "sewer", None, CATCH_ALL, "garbage")] == [0, 1, 2, 2, 3]
    assert by_service.words() == "by service (water, sewer, other), then oldest due first"


def test_the_list_in_force_on_a_day():
    services = load_document(SERVICES, "services.yaml")
    assert list(services_on(services, date(2026, 1, 1))) == ["water", "sewer"]
    assert list(services_on(services, date(2020, 1, 1))) == ["water", "sewer"]  # before the list: its first version
    assert list(services_on(services, date(2027, 1, 1))) == ["water", "sewer", "storm"]
    assert label(services_on(services, date(2027, 1, 1)), "storm", "es") == "Storm drainage"  # no Spanish: English
    assert label({}, CATCH_ALL, "es") == "Otros cargos"
