"""The sweep pages a supervisor reviews: runs, a run's report with linked exceptions, mailing PDFs."""
from __future__ import annotations

from collections import Counter

import pytest

from engine.store.models import NoticeBatch, SweepRun
from engine.sweeps.report import SweepReport
from tests.factories import NOW, create_account, create_case
from tests.web.pages import TODAY, assert_download_audited, audited_downloads, fixed_clock  # noqa: F401  (fixture)


@pytest.fixture()
def night(db, app, tmp_path):
    """A finished delinquency run with steps, fees, notices, two exceptions and a mailing on disk."""
    account = create_account(db, number="780-000001")
    case = create_case(db, subject_id=account.id, account_id=account.id)
    report = SweepReport(subjects=120, cases_opened=Counter({"delinquency": 4}),
                         steps=Counter({"delinquency.mail_reminder": 9}), fees_cents=Counter({"late-fee": 20331}),
                         notices=Counter({"past-due-reminder/en": 7, "past-due-reminder/es": 2}))
    report.exception(f"account {account.id} (case {case.id})", "EvaluationError: no version of late-fee in force")
    report.exception("account 999999999", "LookupError: gone")
    run = SweepRun(sweep="delinquency", as_of=TODAY, status="done", started_at=NOW, finished_at=NOW,
                   report=report.to_json())
    db.add(run)
    db.flush()
    pdf = tmp_path / "notices" / TODAY.isoformat() / "delinquency-past-due-reminder.pdf"
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.4 mailing")
    inside = NoticeBatch(sweep_run_id=run.id, notice_type="past-due-reminder", created_at=NOW, count=9,
                         pdf_path=str(pdf))
    outside = NoticeBatch(sweep_run_id=run.id, notice_type="shutoff-notice", created_at=NOW, count=1,
                          pdf_path="/etc/passwd.pdf")
    db.add_all([inside, outside])
    db.flush()
    return run, account, case, inside, outside


def test_sweeps_are_for_supervisors(night, clerk, supervisor):
    run = night[0]
    assert clerk.get("/sweeps/").status_code == 403
    assert clerk.get(f"/sweeps/runs/{run.id}").status_code == 403
    assert supervisor.get("/sweeps/").status_code == 200


def test_the_runs_list_and_a_runs_report(fixed_clock, night, supervisor):
    run, account, case, inside, _ = night
    listed = supervisor.get("/sweeps/").get_data(as_text=True)
    assert f'href="/sweeps/runs/{run.id}"' in listed and "$203.31" in listed
    page = supervisor.get(f"/sweeps/runs/{run.id}").get_data(as_text=True)
    assert "delinquency.mail reminder" in page and ">9<" in page
    assert "late-fee" in page and "$203.31" in page
    assert "Spanish" in page and ">2<" in page
    assert f'href="/accounts/{account.number}"' in page and f'href="/cases/{case.id}"' in page
    assert "no version of late-fee in force" in page and "account 999999999" in page  # not found: shown as written
    assert f"/sweeps/runs/{run.id}/mailings/{inside.id}.pdf" in page


def test_a_mailing_downloads_only_from_the_instance_folder(night, supervisor, db):
    run, _, _, inside, outside = night
    response = supervisor.get(f"/sweeps/runs/{run.id}/mailings/{inside.id}.pdf")
    assert response.status_code == 200 and response.data == b"%PDF-1.4 mailing"
    assert supervisor.get(f"/sweeps/runs/{run.id}/mailings/{outside.id}.pdf").status_code == 404
    assert supervisor.get(f"/sweeps/runs/{run.id + 1000}/mailings/{inside.id}.pdf").status_code == 404
    [taken] = audited_downloads(db)  # the one served; the refused ones wrote none
    assert_download_audited(taken, response.data, response.headers["Content-Disposition"],
                            supervisor.user.username, 9)
    assert taken.detail["what"] == f"Mailing of sweep run {run.id}: past due reminder"


def test_unknown_runs_are_404s(supervisor):
    assert "There is no sweep run 424242." in supervisor.get("/sweeps/runs/424242").get_data(as_text=True)
    assert supervisor.get("/sweeps/runs/tuesday").status_code == 404


def test_a_night_caught_up_shows_each_step_held_with_its_kind_and_reason(db, fixed_clock, supervisor):
    """The run page lists the held step by account, its kind and why; a run without exceptions says None."""
    account = create_account(db, number="780-000002")
    case = create_case(db, subject_id=account.id, account_id=account.id)
    held = SweepReport(caught_up_on=TODAY)
    held.exception(f"account {account.number} (case {case.id})", "Mail the past-due reminder not taken: it "
                   "mails the Past-Due Reminder and posts a fee (Late payment penalty on utility bills), and the night "
                   "is caught up", "caught_up")
    runs = [SweepRun(sweep=name, as_of=TODAY, status="done", started_at=NOW, finished_at=NOW, report=report.to_json())
            for name, report in (("delinquency", held), ("liens", SweepReport()))]
    db.add_all(runs)
    db.flush()
    page = supervisor.get(f"/sweeps/runs/{runs[0].id}").get_data(as_text=True)
    assert f'href="/accounts/{account.number}"' in page and "caught up" in page
    assert "Mail the past-due reminder not taken: it mails the Past-Due Reminder and posts a fee" in page
    assert "<p>None.</p>" in supervisor.get(f"/sweeps/runs/{runs[1].id}").get_data(as_text=True)
