"""The pages read the kept balances: the dashboard's past-due count, search results, the account page."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import update

from engine.money.ledger.kept import roll_over
from engine.store.models import AccountBalance
from tests.factories import NOW, create_account, create_customer, create_property
from tests.web.pages import TODAY, charge, credit, fixed_clock, live_figures  # noqa: F401  (fixtures)


def past_due_accounts_shown(page: str) -> int:
    """The number in the dashboard's past-due card."""
    return int(re.search(r'id="past-due-accounts">([\d,]+)<', page)[1].replace(",", ""))


def test_the_dashboard_counts_past_due_accounts_in_the_kept_balances(fixed_clock, live_figures, clerk, db):
    """Two accounts late, one current: two more past due; a kept row changed by hand shows the page reads the table."""
    late, also_late, current = create_account(db), create_account(db), create_account(db)
    charge(db, late, "52.03", on=date(2026, 2, 1), due_on=date(2026, 2, 20))
    charge(db, also_late, "20.00", on=date(2026, 2, 1), due_on=date(2026, 2, 20))
    credit(db, also_late, "5.00", on=date(2026, 2, 25))
    charge(db, current, "52.03", on=TODAY, due_on=date(2026, 3, 20))
    shown = past_due_accounts_shown(clerk.get("/").get_data(as_text=True))  # kept on February 1, read for today
    assert shown >= 2
    roll_over(db, TODAY, now=NOW, actor="sweep:balances-rollover")  # last night's roll-over
    assert past_due_accounts_shown(clerk.get("/").get_data(as_text=True)) == shown
    db.execute(update(AccountBalance).where(AccountBalance.account_id == late.id).values(past_due_cents=0))
    assert past_due_accounts_shown(clerk.get("/").get_data(as_text=True)) == shown - 1


def test_search_results_show_each_account_s_balance_and_past_due(fixed_clock, clerk, db):
    """Found by name: $52.03 owed, all of it past due; $10.00 owed, none past due."""
    customer = create_customer(db, name="Quentin Kept")
    late = create_account(db, customer=customer, property=create_property(db, owner=customer))
    current = create_account(db, customer=customer, property=create_property(db, owner=customer))
    charge(db, late, "52.03", on=date(2026, 2, 1), due_on=date(2026, 2, 20))
    charge(db, current, "10.00", on=TODAY, due_on=date(2026, 3, 20))
    page = clerk.get("/search/", query_string={"q": "Quentin Kept"}).get_data(as_text=True)
    rows = {m[1]: m[0] for m in re.finditer(r'<tr>\s*<th scope="row"><a href="/accounts/([^"]+)">.*?</tr>', page,
                                            re.S)}
    assert re.search(r'<td class="num">\$52\.03</td>\s*<td class="num bad-text">\$52\.03</td>', rows[late.number])
    assert re.search(r'<td class="num">\$10\.00</td>\s*<td class="num">\$0\.00</td>', rows[current.number])


def test_the_account_page_shows_the_kept_balance_and_past_due(fixed_clock, clerk, db):
    """The standing panel reads the kept row (changed here by hand to show it)."""
    account = create_account(db)
    charge(db, account, "52.03", on=date(2026, 2, 1), due_on=date(2026, 2, 20))
    roll_over(db, TODAY, now=NOW, actor="sweep:balances-rollover")
    page = clerk.get(f"/accounts/{account.number}").get_data(as_text=True)
    assert '<dd id="balance">$52.03</dd>' in page and "$52.03</dd>" in page.split('id="past-due"')[1][:80]
    db.execute(update(AccountBalance).where(AccountBalance.account_id == account.id).values(balance_cents=5000))
    assert '<dd id="balance">$50.00</dd>' in clerk.get(f"/accounts/{account.number}").get_data(as_text=True)
