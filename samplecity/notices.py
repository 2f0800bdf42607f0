"""Sample notice data for Alder Creek: what the bench renders, and an example for whoever builds the data."""
from __future__ import annotations

from types import MappingProxyType

from engine.money import money_text
from engine.notices.catalog import NOTICE_TYPES

STREETS = ("Oak Hollow Rd", "Mill St", "Cedar Ave", "Riverbend Dr", "Quarry Ln", "Sutter Way")
NAMES = ("María José Ramírez", "Dale Whitaker", "Nguyen Thi Lan", "Roberto Salazar",
         "Patricia O'Connell", "Hmong Family Market LLC")
REFERENCES = MappingProxyType({
    "past-due-reminder": "Alder Creek Municipal Code 13.08.030",
    "shutoff-notice": "Alder Creek Municipal Code 13.08.040",
    "door-hanger": "Alder Creek Municipal Code 13.08.050",
    "payment-plan-agreement": "Alder Creek Municipal Code 13.08.070",
    "reconnection": "Alder Creek Municipal Code 13.08.090",
    "lien-intent": "Alder Creek Municipal Code 13.12.020",
    "lien-release": "Alder Creek Municipal Code 13.12.060",
    "license-renewal-reminder": "Alder Creek Municipal Code 5.04.110",
    "license-renewal-final": "Alder Creek Municipal Code 5.04.120",
    "license-lapsed": "Alder Creek Municipal Code 5.04.130",
    "license-certificate": "Alder Creek Municipal Code 5.04.060",
    "refund-letter": "Alder Creek Municipal Code 13.04.150",
    "leak-letter": "Utility Billing Procedure UB-4 (Meter Reading and Review)",
})


def sample_city() -> dict:
    """The sample city's details as a notice prints them."""
    return {
        "name": "City of Alder Creek",
        "address": "100 Civic Center Plaza\nAlder Creek, CA 95620",
        "phone": "(530) 555-0142",
        "website": "www.aldercreek.gov/pay",
        "payment_address": "Utility Billing, P.O. Box 1450\nAlder Creek, CA 95621",
    }


def sample_notice_data(type_id: str, number: int = 0) -> dict:
    """Complete data for one notice of a type; `number` varies the recipient and the amounts."""
    street = f"{100 + number * 7} {STREETS[number % len(STREETS)]}"
    cents = 5203 + number * 137
    data = {
        "notice_date": "2026-03-02",
        "reference": REFERENCES[type_id],
        "recipient": {"name": NAMES[number % len(NAMES)], "street": street, "unit": "",
                      "city": "Alder Creek", "state": "CA", "zip": "95620"},
        "account_number": f"104-{22871 + number:05d}-03",
        "service_address": street,
        "parcel": f"041-{230 + number % 700:03d}-{number % 100:02d}",
        "amount_due": money_text(cents),
        "due_date": "2026-03-16",
        "shutoff_date": "2026-03-23",
        "reconnection_date": "2026-03-04",
        "reconnection_fee": "45.00",
        "recording_number": f"2025-00{18000 + number}",
        "release_date": "2026-02-27",
        "license_number": f"BL-2025-{number:05d}",
        "business_name": f"Alder Creek Bakery No. {number + 1}",
        "license_type": "Retail food establishment",
        "issued_date": "2026-03-01",
        "expiration_date": "2027-02-28",
        "fee": "125.00",
        "penalty": "31.25",
        "lapsed_date": "2026-02-28",
        "refund_amount": "75.00",
        "check_number": f"{100482 + number}",
        "check_date": "2026-03-02",
        "installments": [{"due_date": f"2026-{month:02d}-15", "amount": "41.67"}
                         for month in range(4, 10)],
        "period": "2026-03",
        "read_date": "2026-02-26",
        "consumption_ccf": 40 + number % 20,
        "average_ccf": "8.0",
        "times_average": f"{(40 + number % 20) / 8:.1f}",
        "gallons": f"{(40 + number % 20) * 748:,}",
    }
    if type_id in ("license-renewal-final", "license-lapsed"):
        data["amount_due"] = "156.25"
    if type_id == "payment-plan-agreement":  # 10% down, six installments: 27.78 + 6 x 41.67 = 277.80
        data.update(amount_due="277.80", plan_balance="277.80", down_payment="27.78", down_payment_due="2026-03-02",
                    installments_total="250.02", plan_total="277.80")
    return data


def sample_batch(count: int) -> list[tuple[str, str, dict]]:
    """`count` notices cycling through every type, alternating English and Spanish."""
    types = list(NOTICE_TYPES)
    return [(types[i % len(types)], ("en", "es")[(i // len(types)) % 2],
             sample_notice_data(types[i % len(types)], i)) for i in range(count)]
