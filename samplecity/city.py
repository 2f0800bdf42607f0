"""Who the sample city is: its settings row and the staff logins the demo creates."""
from __future__ import annotations

from dataclasses import dataclass

CITY_NAME = "City of Alder Creek"
TIME_ZONE = "America/Los_Angeles"
LANGUAGES = ["en", "es"]
PAYMENT_ADDRESS = "City of Alder Creek, Utility Billing\nPO Box 4471\nAlder Creek, CA 95601"
PHONE = "530-555-0140"
WEBSITE = "https://www.aldercreek.example.gov"
URL = "http://127.0.0.1:5000"


@dataclass(frozen=True)
class DemoLogin:
    """A staff login of the sample city, with its published demo password."""

    username: str
    full_name: str
    role: str
    password: str
    grants: tuple[str, ...] = ()  # the approval roles the demo grants them


DEMO_LOGINS = (
    DemoLogin("clerk", "Rosa Delgado", "clerk", "clerk-demo-2026"),
    DemoLogin("supervisor", "Martin Okafor", "supervisor", "supervisor-demo-2026"),
    DemoLogin("admin", "Janet Whitfield", "admin", "admin-demo-2026"),
    DemoLogin("director", "Priya Raman", "supervisor", "director-demo-2026", ("department_head",)),
    DemoLogin("attorney", "Daniel Cho", "clerk", "attorney-demo-2026", ("city_attorney",)),
    DemoLogin("council", "Grace Ellison", "clerk", "council-demo-2026", ("council_clerk",)),
)


def city_settings_row() -> dict:
    """The city settings of Alder Creek, as a row for `city_settings`."""
    return {"name": CITY_NAME, "timezone": TIME_ZONE, "languages": LANGUAGES,
            "payment_address": PAYMENT_ADDRESS, "phone": PHONE, "website": WEBSITE,
            "logo_path": None, "rules_need_second_approver": True}



# The approval roles the sample city's refunds name; migration 0014 defines them at install (held by nobody), and
# the demo grants them to the logins above.
APPROVAL_ROLE_IDS = frozenset({"department_head", "city_attorney", "council_clerk"})
