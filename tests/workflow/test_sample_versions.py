"""The sample workflows changed after their version 1 was published are numbered anew, so a database that published
the earlier text gets the new one by importing the sample folder, and its open cases stay on version 1.

`published_v1/` holds delinquency, licensing, liens and refunds as version 1 was written before the
changes (the shut-off state tagged service_off, the shut-off notice's shutoff_pay_by, renewals paid
at the counter, the license letters' fee:, each notice's cites:); adjustments has not changed. The
sample folder has the four as version 2, without a day of their own: into an empty store they are the
first version (from the start), into a store with version 1 they open cases from the import's day
(or --effective).
"""
from __future__ import annotations

import shutil
from datetime import date

import pytest
from click.testing import CliRunner

from engine.rulebook import catalog_source, workflow_store
from engine.rulebook.store import RuleStoreError
from engine.store.models import Case
from engine.workflow import services
from engine.workflow.form import new_version
from engine.workflow.model import SERVICE_OFF
from tests.factories import create_account, create_license
from tests.workflow.conftest import REPO, add_staff, at
from webapp.cli import main

WORKFLOWS = REPO / "workflows"
EARLIER = REPO / "tests" / "workflow" / "published_v1"
RENUMBERED = ("delinquency", "licensing", "liens", "refunds")
BEFORE, LOAD_DAY, LATER = date(2026, 5, 1), date(2026, 5, 12), date(2026, 5, 20)


def _earlier_folder(tmp_path):
    """The sample folder as a database published it before the changes: all but adjustments at version 1."""
    folder = tmp_path / "earlier"
    shutil.copytree(WORKFLOWS, folder)
    for workflow_id in RENUMBERED:
        shutil.copy(EARLIER / f"{workflow_id}.yaml", folder / f"{workflow_id}.yaml")
    return folder


@pytest.fixture
def old_city(db, catalog, staff, tmp_path):
    """A store that published the earlier text as version 1, with a delinquency and a licensing case open on it."""
    report = workflow_store.import_folder(db, _earlier_folder(tmp_path), catalog.rules, actor="cli:admin",
                                          now=at(BEFORE), today=BEFORE)
    assert sorted((r.workflow_id, r.version) for r in report.published) == [
        ("adjustments", 1), ("delinquency", 1), ("licensing", 1), ("liens", 1), ("refunds", 1)]
    running = catalog_source.current_catalog(db, REPO / "rules", WORKFLOWS)
    overdue = services.open_case(db, running, "delinquency", create_account(db).id, actor="sweep:delinquency",
                                 on=BEFORE, now=at(BEFORE))
    renewing = services.open_case(db, running, "licensing", create_license(db).id, actor="carla", on=BEFORE,
                                  now=at(BEFORE), state="renewal_due")
    assert (overdue.workflow_version, renewing.workflow_version) == (1, 1)
    return db, overdue, renewing


def test_the_changed_sample_workflows_carry_a_new_version_without_a_day(catalog):
    """Version 2 of each, and no effective: (into an empty store, the first version, from the start)."""
    for workflow_id in RENUMBERED:
        workflow = catalog.workflows.get(workflow_id)
        assert (workflow.version, workflow.effective) == (2, None)
        earlier = (EARLIER / f"{workflow_id}.yaml").read_text(encoding="utf-8")
        assert "\nversion: 1\n" in earlier and earlier != workflow.text


def test_importing_the_sample_set_publishes_version_2_and_the_open_cases_stay_on_version_1(old_city, catalog,
                                                                                           tmp_path):
    db, overdue, renewing = old_city
    report = workflow_store.import_folder(db, WORKFLOWS, catalog.rules, actor="cli:admin", now=at(LOAD_DAY),
                                          today=LOAD_DAY, author="sam", approver="sofia")
    assert sorted((r.workflow_id, r.version, r.effective) for r in report.published) == [
        (workflow_id, 2, LOAD_DAY) for workflow_id in RENUMBERED]
    assert (len(report.drafted), [r.workflow_id for r in report.unchanged]) == (0, ["adjustments"])
    running = catalog_source.current_catalog(db, REPO / "rules", WORKFLOWS)
    # the cases open before keep version 1, its states and its steps
    assert (db.get(Case, overdue.id).workflow_version, db.get(Case, renewing.id).workflow_version) == (1, 1)
    old_steps = [s.id for s in services.steps_for(db, running, renewing.id, user="carla", on=LATER)]
    assert "renew_license" in old_steps and "assess_renewal_fee" not in old_steps
    # new cases from the import's day open on version 2, with its steps and its tags
    renewing_now = services.open_case(db, running, "licensing", create_license(db).id, actor="carla", on=LATER,
                                      now=at(LATER), state="renewal_due")
    overdue_now = services.open_case(db, running, "delinquency", create_account(db).id, actor="sweep:delinquency",
                                     on=LATER, now=at(LATER))
    assert (renewing_now.workflow_version, overdue_now.workflow_version) == (2, 2)
    new_steps = [s.id for s in services.steps_for(db, running, renewing_now.id, user="carla", on=LATER)]
    assert "assess_renewal_fee" in new_steps and "renew_license" not in new_steps
    assert running.workflows.states_tagged_by_version(SERVICE_OFF) == {("delinquency", 2): ("disconnected",)}
    # the store keeps both versions: version 1 as it was, version 2 as written with the day it was given
    out = tmp_path / "out"
    workflow_store.export(db, out)
    for workflow_id in RENUMBERED:
        assert (out / f"{workflow_id}.v1.yaml").read_bytes() == (EARLIER / f"{workflow_id}.yaml").read_bytes()
        text = (WORKFLOWS / f"{workflow_id}.yaml").read_text(encoding="utf-8")
        dated = (out / f"{workflow_id}.yaml").read_text(encoding="utf-8")
        assert dated == new_version(text, 2, LOAD_DAY) and dated.replace(f"effective: {LOAD_DAY}\n", "") == text
    # importing the folder again changes nothing, on any later day
    again = workflow_store.import_folder(db, WORKFLOWS, catalog.rules, actor="cli:admin", now=at(LATER),
                                         today=LATER, author="sam", approver="sofia")
    assert (len(again.published), len(again.drafted), len(again.unchanged)) == (0, 0, 5)


def test_without_approvers_the_new_versions_wait_as_drafts_dated_the_import_day(old_city, catalog):
    db, *_ = old_city
    report = workflow_store.import_folder(db, WORKFLOWS, catalog.rules, actor="cli:admin", now=at(LOAD_DAY),
                                          today=LOAD_DAY)
    assert sorted((r.workflow_id, r.version, r.status, r.effective) for r in report.drafted) == [
        (workflow_id, 2, "draft", LOAD_DAY) for workflow_id in RENUMBERED]
    assert report.published == []


def test_a_day_in_the_past_is_refused_and_nothing_is_published(old_city, catalog):
    db, *_ = old_city
    with pytest.raises(RuleStoreError, match=r"delinquency: effective 2026-05-11 is in the past: cases opened since "
                                             r"then are on version 1; date it 2026-05-12 or later"):
        workflow_store.import_folder(db, WORKFLOWS, catalog.rules, actor="cli:admin", now=at(LOAD_DAY),
                                     today=LOAD_DAY, author="sam", approver="sofia", effective=date(2026, 5, 11))


def test_the_import_command_dates_the_new_versions_with_effective(committing_db, committing_url, tmp_path,
                                                                   monkeypatch):
    """`ordinance workflows import --author --approver --effective` into a store with the earlier version 1."""
    from datetime import datetime, timezone

    monkeypatch.setattr("webapp.cli.context.now", lambda: datetime(2026, 5, 12, 17, 0, tzinfo=timezone.utc))
    with committing_db() as session, session.begin():
        add_staff(session)
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    runner = CliRunner()
    first = runner.invoke(main, ["workflows", "import", str(_earlier_folder(tmp_path))], env=env)
    assert first.exit_code == 0, first.output
    loaded = runner.invoke(main, ["workflows", "import", str(WORKFLOWS), "--author", "sam", "--approver", "sofia",
                                  "--effective", "2026-06-01"], env=env)
    assert loaded.exit_code == 0, loaded.output
    assert "published delinquency version 2 (revision 2), opening new cases from 2026-06-01" in loaded.output
    assert "published licensing version 2 (revision 2), opening new cases from 2026-06-01" in loaded.output
    assert loaded.output.endswith("4 published, 0 drafted, 1 unchanged\n")
    listed = runner.invoke(main, ["workflows", "list", "--on", "2026-05-31"], env=env)
    assert "delinquency: *version 1 from the start, version 2 from 2026-06-01" in listed.output
