"""Staff read each sweep by its name in words: the dashboard's last sweeps, the Sweeps page, a run's page, a sweep
document's rule page, and the case and account histories of what a sweep did; a label published in a new revision is
what the next page says."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from engine.money import ledger
from engine.rulebook import store
from engine.store.models import CaseEvent, SweepRun
from tests.factories import NOW, create_account, create_case
from tests.web.pages import TODAY, fixed_clock  # noqa: F401  (fixture)

RULES = Path(__file__).resolve().parents[2] / "rules"
LIENS = (RULES / "sweeps" / "liens.yaml").read_text(encoding="utf-8")
DELINQUENCY = "Delinquency notices and shut-offs"


@pytest.fixture()
def runs(db) -> dict[str, SweepRun]:
    """A finished run of a sweep document (liens), of a built-in sweep (cash-only-review) and of a sweep the city has
    since removed (closed-account-refunds), by sweep."""
    made = {name: SweepRun(sweep=name, as_of=TODAY, status="done", started_at=NOW, finished_at=NOW, report={})
            for name in ("liens", "cash-only-review", "closed-account-refunds")}
    db.add_all(made.values())
    db.flush()
    return made


def test_the_sweeps_page_names_each_sweep_in_words(fixed_clock, runs, supervisor):
    page = supervisor.get("/sweeps/").get_data(as_text=True)
    for name in ("Liens", "Cash-only review", "Closed account refunds"):
        assert f"<td>{name}</td>" in page
    for sweep in ("liens", "cash-only-review", "cash only review", "closed-account-refunds"):
        assert f"<td>{sweep}</td>" not in page


def test_the_dashboard_s_last_sweeps_name_each_sweep_in_words(fixed_clock, runs, clerk):
    page = clerk.get("/").get_data(as_text=True)
    for name, run in runs.items():
        words = {"liens": "Liens", "cash-only-review": "Cash-only review",
                 "closed-account-refunds": "Closed account refunds"}[name]
        assert f'<a href="/sweeps/runs/{run.id}">{words}</a>' in page


def test_a_run_s_page_is_headed_by_the_sweep_s_name(fixed_clock, runs, supervisor):
    liens = supervisor.get(f"/sweeps/runs/{runs['liens'].id}").get_data(as_text=True)
    assert "<h1>Liens sweep of Mar 2, 2026 " in liens
    built_in = supervisor.get(f"/sweeps/runs/{runs['cash-only-review'].id}").get_data(as_text=True)
    assert "<h1>Cash-only review sweep of Mar 2, 2026 " in built_in
    removed = supervisor.get(f"/sweeps/runs/{runs['closed-account-refunds'].id}").get_data(as_text=True)
    assert "<h1>Closed account refunds sweep of Mar 2, 2026 " in removed  # an old run of a removed sweep


def test_case_and_account_histories_say_which_sweep_did_it(fixed_clock, db, clerk):
    account = create_account(db)
    case = create_case(db, subject_id=account.id, account_id=account.id)
    db.add_all([CaseEvent(case_id=case.id, at=NOW, on_date=TODAY, actor="sweep:delinquency", step="open",
                          from_state=None, to_state="past_due", explanation=[
                              {"guard": "open", "ok": True, "detail": "opened by sweep:delinquency"}]),
                CaseEvent(case_id=case.id, at=NOW, on_date=TODAY, actor="sweep:delinquency", step="mail_reminder",
                          from_state="past_due", to_state="reminded")])
    ledger.post_charge(db, account.id, Decimal("10.00"), on=TODAY, due_on=TODAY + timedelta(days=21), now=NOW,
                       actor="sweep:delinquency", description="Late payment penalty")
    ledger.post_charge(db, account.id, Decimal("52.03"), on=TODAY - timedelta(days=30), due_on=TODAY, now=NOW,
                       actor="billing", description="Water service")
    db.flush()
    case_page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"by the {DELINQUENCY} sweep</dd>" in case_page  # opened by
    assert case_page.count(f"· by the {DELINQUENCY} sweep</span>") == 2  # the opening and the reminder's step
    assert f"pened by the {DELINQUENCY} sweep</li>" in case_page  # the opening's check, as the engine wrote it
    assert "sweep:delinquency" not in case_page
    account_page = clerk.get(f"/accounts/{account.number}").get_data(as_text=True)
    assert f"<td>the {DELINQUENCY} sweep</td>" in account_page and "<td>billing</td>" in account_page
    assert "sweep:delinquency" not in account_page


@pytest.fixture()
def rule_store(db):
    """The repository's rules imported into the store and published (the city's first set-up)."""
    store.import_folder(db, RULES, actor="test", now=NOW, today=TODAY)
    return db


def test_a_label_published_in_a_new_revision_is_what_the_next_page_says(fixed_clock, rule_store, runs, login_as,
                                                                        run_jobs):
    author, second = login_as("supervisor"), login_as("supervisor")
    assert "<td>Liens</td>" in second.get("/sweeps/").get_data(as_text=True)
    assert "Staff pages name this sweep <strong>Liens</strong>." in second.get("/rules/liens").get_data(as_text=True)

    renamed = LIENS.replace("label: Liens\n", "label: Liens and lien filings\n")
    saved = author.post("/rules/liens/draft", data={"text": renamed, "save": "Save draft"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/rules/liens/drafts/2")
    run_jobs()
    draft = second.get("/rules/liens/drafts/2").get_data(as_text=True)
    assert "Liens and lien filings" in draft and "Publish this version" in draft
    assert second.post("/rules/liens/drafts/2/publish").status_code == 302  # no new version: the label is a header's

    assert "<td>Liens and lien filings</td>" in second.get("/sweeps/").get_data(as_text=True)
    run_page = second.get(f"/sweeps/runs/{runs['liens'].id}").get_data(as_text=True)
    assert "<h1>Liens and lien filings sweep of Mar 2, 2026 " in run_page
    rule_page = second.get("/rules/liens").get_data(as_text=True)
    assert "Staff pages name this sweep <strong>Liens and lien filings</strong>." in rule_page


def test_a_sweep_document_without_a_label_is_named_by_its_title(fixed_clock, rule_store, runs, login_as, run_jobs):
    author, second = login_as("supervisor"), login_as("supervisor")
    author.post("/rules/liens/draft", data={"text": LIENS.replace("label: Liens\n", ""), "save": "Save draft"})
    run_jobs()
    assert second.post("/rules/liens/drafts/2/publish").status_code == 302
    title = "Liens: notices of intent, withdrawals, the filing list, accounts eligible for a lien"
    assert f"<td>{title}</td>" in second.get("/sweeps/").get_data(as_text=True)
    rule_page = second.get("/rules/liens").get_data(as_text=True)
    assert f"<strong>{title}</strong> (its title: the document gives no <code>label</code>)." in rule_page
