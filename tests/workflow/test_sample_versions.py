"""The sample workflows changed after a version of them was published are numbered anew, so a database that published
an earlier text gets the new one by importing the sample folder, and its open cases stay on the version they opened on.

`published_v1/` holds delinquency, licensing, liens and refunds as version 1 was written, before the shut-off state
tagged service_off, the shut-off notice's shutoff_pay_by, renewals paid at the counter, the license letters' fee: and
each notice's cites:. `published_v2/` holds delinquency, liens and refunds as the release of 7833d5c published version
2, before the steps that wait for their notice to go out (requires_sent:), liens' tag parcel_liens and refunds' tag
refund_requests; licensing and adjustments have not changed since. The sample folder has each changed workflow at its
next version, without a day of its own: into an empty store it is the first version (from the start), into a store
with an earlier one it opens cases from the import's day (or --effective).
"""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.rulebook import catalog_source, workflow_revisions, workflow_store
from engine.rulebook.store import RuleStoreError
from engine.store.models import Case
from engine.workflow import services
from engine.workflow.form import new_version
from engine.workflow.model import PARCEL_LIENS, REFUND_REQUESTS, SERVICE_OFF
from tests.factories import create_account, create_license, sample_version
from tests.workflow.conftest import REPO, add_staff, at
from webapp.cli import main

WORKFLOWS = REPO / "workflows"
SAMPLE_IDS = ("adjustments", "delinquency", "licensing", "liens", "refunds")
PUBLISHED = {1: REPO / "tests" / "workflow" / "published_v1", 2: REPO / "tests" / "workflow" / "published_v2"}
BEFORE, BETWEEN, LOAD_DAY, LATER = date(2026, 5, 1), date(2026, 5, 6), date(2026, 5, 12), date(2026, 5, 20)


def renumbered(published: int) -> tuple[str, ...]:
    """The workflows whose version `published` a store holds and the sample folder has changed since, sorted."""
    return tuple(sorted(path.stem for path in PUBLISHED[published].glob("*.yaml")))


def earlier_folder(tmp_path: Path, published: int) -> Path:
    """The sample folder as a database published it at version `published` of the changed workflows."""
    folder = tmp_path / f"earlier-v{published}"
    shutil.copytree(WORKFLOWS, folder)
    for workflow_id in renumbered(published):
        shutil.copy(PUBLISHED[published] / f"{workflow_id}.yaml", folder / f"{workflow_id}.yaml")
    return folder


def import_sample(db, catalog, on: date, **people):
    """The sample folder imported on a day."""
    return workflow_store.import_folder(db, WORKFLOWS, catalog.rules, actor="cli:admin", now=at(on), today=on,
                                        **people)


@pytest.fixture(params=sorted(PUBLISHED), ids=lambda published: f"published-v{published}")
def old_city(request, db, catalog, staff, tmp_path):
    """A store that published the earlier text of the changed workflows, with a delinquency and a licensing case
    open on it: (session, the version it published, the delinquency case, the licensing case)."""
    published = request.param
    report = workflow_store.import_folder(db, earlier_folder(tmp_path, published), catalog.rules, actor="cli:admin",
                                          now=at(BEFORE), today=BEFORE)
    assert sorted((r.workflow_id, r.version) for r in report.published) == [
        (workflow_id, published if workflow_id in renumbered(published) else sample_version(workflow_id))
        for workflow_id in SAMPLE_IDS]
    running = catalog_source.current_catalog(db, REPO / "rules", WORKFLOWS)
    overdue = services.open_case(db, running, "delinquency", create_account(db).id, actor="sweep:delinquency",
                                 on=BEFORE, now=at(BEFORE))
    renewing = services.open_case(db, running, "licensing", create_license(db).id, actor="carla", on=BEFORE,
                                  now=at(BEFORE), state="renewal_due")
    assert overdue.workflow_version == published
    assert renewing.workflow_version == min(published, sample_version("licensing"))
    return db, published, overdue, renewing


@pytest.mark.parametrize("published", sorted(PUBLISHED))
def test_the_workflows_changed_since_a_published_version_carry_a_later_one_without_a_day(catalog, published):
    """Each workflow the folder has past `published` is kept as published then, and only those: its text there is
    that version's, different from the folder's, whose version is later and has no effective: day."""
    later = {w.id for w in catalog.workflows if w.version > published}
    assert later == set(renumbered(published))
    for workflow_id in renumbered(published):
        workflow = catalog.workflows.get(workflow_id)
        assert workflow.effective is None
        earlier = (PUBLISHED[published] / f"{workflow_id}.yaml").read_text(encoding="utf-8")
        assert f"\nversion: {published}\n" in earlier and earlier != workflow.text


def test_into_an_empty_store_the_folder_is_the_first_version_byte_for_byte(db, catalog, staff, tmp_path):
    """A new city's store: each workflow at the folder's version, from the start, its text the file's bytes."""
    report = import_sample(db, catalog, LOAD_DAY)
    assert sorted((r.workflow_id, r.version, r.effective) for r in report.published) == [
        (workflow_id, sample_version(workflow_id), None) for workflow_id in SAMPLE_IDS]
    workflow_store.export(db, tmp_path / "out")
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [f"{w}.yaml" for w in SAMPLE_IDS]
    for workflow_id in SAMPLE_IDS:
        written = (tmp_path / "out" / f"{workflow_id}.yaml").read_bytes()
        assert written == (WORKFLOWS / f"{workflow_id}.yaml").read_bytes(), workflow_id


def test_importing_the_sample_set_publishes_the_new_versions_and_the_open_cases_stay_on_theirs(old_city, catalog,
                                                                                               tmp_path):
    db, published, overdue, renewing = old_city
    changed = renumbered(published)
    running = catalog_source.current_catalog(db, REPO / "rules", WORKFLOWS)
    for tag in (REFUND_REQUESTS, PARCEL_LIENS):  # the pages find no workflow for these before the import
        with pytest.raises(LookupError, match=f"one workflow is tagged {tag}, not 0"):
            running.workflows.the_one_tagged(tag, on=LATER)
    report = import_sample(db, catalog, LOAD_DAY, author="sam", approver="sofia")
    assert sorted((r.workflow_id, r.version, r.effective) for r in report.published) == [
        (workflow_id, sample_version(workflow_id), LOAD_DAY) for workflow_id in changed]
    assert (report.drafted, sorted(r.workflow_id for r in report.unchanged)) == (
        [], [workflow_id for workflow_id in SAMPLE_IDS if workflow_id not in changed])
    running = catalog_source.current_catalog(db, REPO / "rules", WORKFLOWS)
    # the cases open before keep their version, its states and its steps
    kept = (db.get(Case, overdue.id).workflow_version, db.get(Case, renewing.id).workflow_version)
    assert kept == (overdue.workflow_version, renewing.workflow_version)
    old_steps = [s.id for s in services.steps_for(db, running, renewing.id, user="carla", on=LATER)]
    assert ("renew_license" in old_steps) == (renewing.workflow_version == 1)  # version 2 assesses the fee first
    assert running.workflows.get("delinquency", version=overdue.workflow_version).transition(
        "post_door_hanger").requires_sent == ()
    # new cases from the import's day open on the folder's versions, with their steps and their tags
    renewing_now = services.open_case(db, running, "licensing", create_license(db).id, actor="carla", on=LATER,
                                      now=at(LATER), state="renewal_due")
    overdue_now = services.open_case(db, running, "delinquency", create_account(db).id, actor="sweep:delinquency",
                                     on=LATER, now=at(LATER))
    assert (renewing_now.workflow_version, overdue_now.workflow_version) == (sample_version("licensing"),
                                                                            sample_version("delinquency"))
    new_steps = [s.id for s in services.steps_for(db, running, renewing_now.id, user="carla", on=LATER)]
    assert "assess_renewal_fee" in new_steps and "renew_license" not in new_steps
    assert running.workflows.get("delinquency", version=overdue_now.workflow_version).transition(
        "post_door_hanger").requires_sent == ("shutoff-notice",)
    assert running.workflows.states_tagged_by_version(SERVICE_OFF) == {
        ("delinquency", version): ("disconnected",)
        for version in (published, sample_version("delinquency")) if version > 1}  # the tag came with version 2
    for tag, workflow_id in ((REFUND_REQUESTS, "refunds"), (PARCEL_LIENS, "liens")):
        assert running.workflows.the_one_tagged(tag, on=LATER).key == (workflow_id, sample_version(workflow_id))
    # the store keeps both versions: the earlier as it was published, the new one as written with the day it was given
    out = tmp_path / "out"
    workflow_store.export(db, out)
    for workflow_id in changed:
        assert (out / f"{workflow_id}.v{published}.yaml").read_bytes() == (
            PUBLISHED[published] / f"{workflow_id}.yaml").read_bytes()
        text = (WORKFLOWS / f"{workflow_id}.yaml").read_text(encoding="utf-8")
        dated = (out / f"{workflow_id}.yaml").read_text(encoding="utf-8")
        assert dated == new_version(text, sample_version(workflow_id), LOAD_DAY)
        assert dated.replace(f"effective: {LOAD_DAY}\n", "") == text
    # importing the folder again changes nothing, on any later day
    again = import_sample(db, catalog, LATER, author="sam", approver="sofia")
    assert (len(again.published), len(again.drafted), len(again.unchanged)) == (0, 0, len(SAMPLE_IDS))


def test_without_approvers_the_new_versions_wait_as_drafts_dated_the_import_day(old_city, catalog):
    db, published, *_ = old_city
    report = import_sample(db, catalog, LOAD_DAY)
    assert sorted((r.workflow_id, r.version, r.status, r.effective) for r in report.drafted) == [
        (workflow_id, sample_version(workflow_id), "draft", LOAD_DAY) for workflow_id in renumbered(published)]
    assert report.published == []


def test_a_day_in_the_past_is_refused_and_nothing_is_published(old_city, catalog):
    db, published, *_ = old_city
    with pytest.raises(RuleStoreError, match=f"delinquency: effective 2026-05-11 is in the past: cases opened since "
                                             f"then are on version {published}; date it 2026-05-12 or later"):
        import_sample(db, catalog, LOAD_DAY, author="sam", approver="sofia", effective=date(2026, 5, 11))
    assert [r.version for r in workflow_revisions.published_rows(db, "delinquency")] == [published]


def test_a_store_that_took_version_2_after_version_1_takes_the_next_the_same_way(db, catalog, staff, tmp_path):
    """A city on version 1 that imported the release with version 2 (dated that day) imports the folder now: the
    changed workflows open cases on their new version from the import's day; version 2 keeps its day."""
    workflow_store.import_folder(db, earlier_folder(tmp_path, 1), catalog.rules, actor="cli:admin", now=at(BEFORE),
                                 today=BEFORE)
    taken = workflow_store.import_folder(db, earlier_folder(tmp_path, 2), catalog.rules, actor="cli:admin",
                                         now=at(BETWEEN), today=BETWEEN, author="sam", approver="sofia")
    assert sorted((r.workflow_id, r.version, r.effective) for r in taken.published) == [
        (workflow_id, 2, BETWEEN) for workflow_id in renumbered(1)]
    report = import_sample(db, catalog, LOAD_DAY, author="sam", approver="sofia")
    assert sorted((r.workflow_id, r.version, r.effective) for r in report.published) == [
        (workflow_id, sample_version(workflow_id), LOAD_DAY) for workflow_id in renumbered(2)]
    assert [(r.version, r.effective) for r in workflow_revisions.published_rows(db, "delinquency")] == [
        (1, None), (2, BETWEEN), (sample_version("delinquency"), LOAD_DAY)]
    again = import_sample(db, catalog, LATER, author="sam", approver="sofia")
    assert (len(again.published), len(again.drafted), len(again.unchanged)) == (0, 0, len(SAMPLE_IDS))


@pytest.mark.parametrize("published", sorted(PUBLISHED))
def test_the_import_command_dates_the_new_versions_with_effective(committing_db, committing_url, tmp_path,
                                                                   monkeypatch, published):
    """`ordinance workflows import --author --approver --effective` into a store with an earlier version."""
    from datetime import datetime, timezone

    monkeypatch.setattr("webapp.cli.context.now", lambda: datetime(2026, 5, 12, 17, 0, tzinfo=timezone.utc))
    with committing_db() as session, session.begin():
        add_staff(session)
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    runner = CliRunner()
    first = runner.invoke(main, ["workflows", "import", str(earlier_folder(tmp_path, published))], env=env)
    assert first.exit_code == 0, first.output
    loaded = runner.invoke(main, ["workflows", "import", str(WORKFLOWS), "--author", "sam", "--approver", "sofia",
                                  "--effective", "2026-06-01"], env=env)
    assert loaded.exit_code == 0, loaded.output
    changed = renumbered(published)
    for workflow_id in changed:
        assert (f"published {workflow_id} version {sample_version(workflow_id)} (revision 2), opening new cases from "
                "2026-06-01") in loaded.output
    assert loaded.output.endswith(f"{len(changed)} published, 0 drafted, {len(SAMPLE_IDS) - len(changed)} unchanged\n")
    listed = runner.invoke(main, ["workflows", "list", "--on", "2026-05-31"], env=env)
    assert (f"delinquency: *version {published} from the start, version {sample_version('delinquency')} from "
            "2026-06-01") in listed.output
