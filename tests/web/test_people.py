"""Who did something, in words on the pages (webapp.people): staff by name, sweeps, billing runs, files, systems."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.money import ledger
from tests.factories import NOW, create_account
from tests.web.conftest import create_user
from tests.web.pages import TODAY, fixed_clock  # noqa: F401  (fixture)
from webapp.people import in_words

NAMES = {"carla": "Carla Ruiz", "sam": "Sam Okafor"}


def sweep_words(sweep: str) -> str:
    """What a sweep's signature says, as webapp.catalog.sweep_in_words says it for these two."""
    label = {"liens": "Liens"}.get(sweep, sweep.replace("-", " ").capitalize())
    return f"the {label} sweep"


@pytest.mark.parametrize("actor, said", [
    ("carla", "Carla Ruiz"),
    ("sweep:liens", "the Liens sweep"),
    ("sweep:cash-only-review", "the Cash only review sweep"),
    ("sweep:preview", "the impact preview"),
    ("billing:A-2026-03", "the billing run of cycle A, Mar 2026"),
    ("billing:North-2-2026-11", "the billing run of cycle North-2, Nov 2026"),
    ("billing:odd", "the billing run odd"),
    ("import:lockbox-2026-03-02.csv", "the import of lockbox-2026-03-02.csv"),
    ("import:api:portal", "another system, with the API token portal"),
    ("api:portal", "another system, with the API token portal"),
    ("cli:sam", "Sam Okafor at the command line"),
    ("cli:ops", "the command line, as the system user ops"),
    ("demo", "the sample city's history"),
    ("demo:1000123:2026-03", "the sample city's history"),
    ("ghost", "ghost"),  # a username no longer on file: as signed
    ("", ""),
    (None, ""),
])
def test_an_actor_in_words(actor, said):
    assert in_words(actor, NAMES, sweep_words) == said


def test_the_account_page_names_who_posted_each_entry(fixed_clock, clerk, db):  # noqa: F811 (fixture)
    """The ledger's "By": the billing run of a cycle and month, a member of staff by name, a file, not signatures."""
    account = create_account(db)
    ledger.post_charge(db, account.id, Decimal("52.03"), on=date(2026, 2, 15), due_on=date(2026, 3, 5), now=NOW,
                       actor="billing:A-2026-02", description="Water and sewer")
    ledger.post(db, account_id=account.id, kind="payment", amount=Decimal("-20.00"), on=TODAY, now=NOW,
                actor="import:lockbox-2026-03-02.csv", description="Payment (lockbox)", reference="lockbox-1")
    staff = create_user(db, "clerk", username="dkim", full_name="Dana Kim")
    ledger.post(db, account_id=account.id, kind="payment", amount=Decimal("-5.00"), on=TODAY, now=NOW,
                actor=staff.username, description="Payment (cash)", reference="counter-1")
    db.flush()
    page = clerk.get(f"/accounts/{account.number}").get_data(as_text=True)
    assert "the billing run of cycle A, Feb 2026" in page and "billing:A-2026-02" not in page
    assert "the import of lockbox-2026-03-02.csv" in page and "import:lockbox" not in page
    assert "<td>Dana Kim</td>" in page and "<td>dkim</td>" not in page
