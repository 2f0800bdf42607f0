"""The delinquency sweep on a small committed city: cases, fees and notices, once and only once."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from engine.store.models import AuditEntry, Case, CaseEvent, LedgerEntry, Notice, SweepRun, UtilityAccount
from engine.sweeps.report import sweep_run_report, sweep_runs
from tests.factories import create_case
from tests.sweeps.conftest import NIGHT, build_city, charge, outcome_of, pay, sweep


def counts(factory) -> dict[str, int]:
    """Rows in every table a sweep writes to."""
    with factory() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Case, CaseEvent, LedgerEntry, Notice, SweepRun, AuditEntry)}


def test_the_first_night_opens_a_case_for_each_owing_account_with_its_late_fee_and_reminder(committing_db, catalog,
                                                                                         city):
    """Ten of thirty accounts owe the April bill on April 30: ten cases, ten late fees, ten reminders."""
    outcome = sweep(committing_db, catalog)
    owing = [account_id for n, account_id in enumerate(city) if n % 3 == 2]
    with committing_db() as session:
        cases = session.scalars(select(Case).order_by(Case.subject_id)).all()
        assert [c.subject_id for c in cases] == owing
        assert {(c.state, c.fields["period"], c.fields["shutoff_notice_on"]) for c in cases} == {
            ("reminded", "2026-04", "2026-06-18")}
        fees = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "fee")).all()
        assert sorted(f.account_id for f in fees) == owing
        assert {f.actor for f in fees} == {"sweep:delinquency"}
        notices = session.scalars(select(Notice)).all()
        assert sorted(n.subject_id for n in notices) == owing
        assert {n.sweep_run_id for n in notices} == {outcome.run_id}
        languages = sorted(n.language for n in notices)
    report = outcome.report
    assert outcome.status == "done"
    assert report["cases_opened"] == {"delinquency": 10}
    assert report["steps"] == {"delinquency.mail_reminder": 10, "delinquency.open": 10}
    assert report["notices"] == {"past-due-reminder/en": languages.count("en"),
                                 "past-due-reminder/es": languages.count("es")}
    assert languages.count("es") == 2
    assert report["fees_cents"]["late-fee"] == sum(f.amount_cents for f in fees)
    assert report["exceptions"] == []


def test_the_same_sweep_run_twice_gives_the_same_notices_and_no_new_ones(committing_db, catalog, city):
    """A second run for the same night finds its run done and changes nothing."""
    first = sweep(committing_db, catalog)
    before, rows = outcome_of(committing_db), counts(committing_db)
    second = sweep(committing_db, catalog)
    assert second.status == "already_done" and second.run_id == first.run_id
    assert outcome_of(committing_db) == before
    assert counts(committing_db) == rows


def test_the_next_nights_open_no_second_case_and_mail_nothing_until_a_step_is_due(committing_db, catalog, city):
    """One open case per account: the following nights find nothing to do until the shut-off notice day."""
    sweep(committing_db, catalog)
    before = outcome_of(committing_db)
    for day in (NIGHT + timedelta(days=1), NIGHT + timedelta(days=2), date(2026, 6, 17)):
        assert sweep(committing_db, catalog, on=day).report["totals"]["steps"] == 0
    assert outcome_of(committing_db)["notices"] == before["notices"]
    notices_night = sweep(committing_db, catalog, on=date(2026, 6, 18)).report
    assert notices_night["steps"] == {"delinquency.mail_shutoff_notice": 10}


def test_a_paid_account_is_resolved_and_a_new_past_due_bill_opens_a_new_case(committing_db, catalog, city):
    """Paid in full: the case resolves; the account's next unpaid bill opens a new case, never two at once."""
    sweep(committing_db, catalog)
    owing = city[2]
    with committing_db() as session, session.begin():
        balance = session.scalar(select(func.sum(LedgerEntry.amount_cents)).where(LedgerEntry.account_id == owing))
        pay(session, owing, str(balance / 100), on=date(2026, 5, 2))
    report = sweep(committing_db, catalog, on=date(2026, 5, 3)).report
    assert report["steps"] == {"delinquency.paid": 1}
    with committing_db() as session:
        assert session.scalar(select(Case.state).where(Case.subject_id == owing)) == "resolved"


def test_a_subject_that_fails_is_an_exception_line_and_the_sweep_goes_on(committing_db, catalog, city):
    """A case without its bill period cannot get its timeline dates: reported with its account, nothing half-done."""
    with committing_db() as session, session.begin():
        broken = create_case(session, state="reminded", fields={"shutoff_notice_on": "2026-04-01"})
        broken_account = broken.subject_id
        broken_number = session.get(UtilityAccount, broken_account).number
        charge(session, broken_account, "120.00")
    outcome = sweep(committing_db, catalog)
    assert outcome.report["cases_opened"] == {"delinquency": 10}
    [line] = outcome.report["exceptions"]
    assert line["subject"] == f"account {broken_number} (case {broken.id})"
    assert "period" in line["message"]
    with committing_db() as session:
        assert session.get(Case, broken.id).state == "reminded"
        assert session.scalar(select(func.count()).select_from(Notice).where(Notice.case_id == broken.id)) == 0


def test_a_dry_run_writes_nothing_but_reports_what_would_happen(committing_db, catalog, city):
    """--dry-run: every table unchanged, and the report of a real run."""
    before = counts(committing_db)
    dry = sweep(committing_db, catalog, dry_run=True)
    assert counts(committing_db) == before
    assert dry.status == "dry_run" and dry.run_id is None
    real = sweep(committing_db, catalog)
    for key in ("subjects", "cases_opened", "steps", "fees", "notices", "exceptions"):
        assert dry.report[key] == real.report[key]


def test_small_chunks_give_exactly_what_one_chunk_gives(committing_db, committing_url, catalog, tmp_path):
    """Chunks of three accounts and one chunk of all: the same notices, fees, cases and events."""
    from engine.store.db import make_engine, make_sessionmaker
    from engine.store.schema import upgrade

    other_url = f"sqlite:///{tmp_path / 'other.db'}" if committing_url.startswith("sqlite") else None
    if other_url is None:
        return  # one database of its own per test on PostgreSQL: the kill test compares two there
    other_engine = make_engine(other_url)
    upgrade(other_engine)
    other = make_sessionmaker(other_engine)
    for factory in (committing_db, other):
        with factory() as session, session.begin():
            build_city(session, 30)
    small = sweep(committing_db, catalog, chunk_size=3)
    whole = sweep(other, catalog, chunk_size=500)
    assert small.chunks > 3 and whole.chunks == 1
    assert outcome_of(committing_db) == outcome_of(other)
    other_engine.dispose()


def test_runs_are_listed_with_their_reports(committing_db, catalog, city):
    """The services the web page reads: the latest runs, and one run's report with its exceptions."""
    outcome = sweep(committing_db, catalog)
    with committing_db() as session:
        [run] = sweep_runs(session, limit=10)
        assert (run["sweep"], run["as_of"], run["status"]) == ("delinquency", "2026-04-30", "done")
        assert run["totals"]["notices"] == 10
        detail = sweep_run_report(session, outcome.run_id)
    assert detail["report"]["steps"]["delinquency.mail_reminder"] == 10
    assert detail["mailings"] == []


def test_progress_is_told_each_chunk_and_the_cursor_it_reached(committing_db, catalog, city):
    """Chunks of four candidates: progress hears each chunk's size and cursor, in order, up to the last candidate."""
    heard: list[tuple[int, int]] = []
    outcome = sweep(committing_db, catalog, chunk_size=4, progress=lambda done, cursor: heard.append((done, cursor)))
    owing = [account_id for n, account_id in enumerate(city) if n % 3 == 2]
    assert [done for done, _ in heard] == [4, 4, 2] and outcome.chunks == 3
    assert [cursor for _, cursor in heard] == [owing[3], owing[7], owing[9]]


def test_an_open_case_of_a_workflow_not_tagged_collection_does_not_keep_a_past_due_account_from_its_case(
        committing_db, catalog, city):
    """An owing account with a refund request open still gets its delinquency case, for its April bill."""
    owing = city[2]
    with committing_db() as session, session.begin():
        create_case(session, workflow_id="refunds", subject_type="refund", subject_id=owing, account_id=owing,
                    state="requested", fields={"amount": "5.00"}, opened_by="carla")
    outcome = sweep(committing_db, catalog)
    assert (outcome.report["cases_opened"], outcome.report["exceptions"]) == ({"delinquency": 10}, [])
    with committing_db() as session:
        case = session.scalars(select(Case).where(Case.account_id == owing, Case.workflow_id == "delinquency")).one()
        assert (case.state, case.fields["period"]) == ("reminded", "2026-04")
