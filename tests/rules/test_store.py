"""The rule store: revisions kept as written, published by a second person, never changed after."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from engine.rulebook import revisions, store
from engine.rulebook.drafting import check_draft
from engine.rules.errors import DocumentErrors
from engine.store.models import AuditEntry, RuleVersion
from engine.users import add_user
from tests.factories import switch_off_second_approver
from samplecity.city import APPROVAL_ROLE_IDS

REPO_RULES = Path(__file__).resolve().parents[2] / "rules"
NOW = datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 24)

DOG_LICENSE = """\
id: dog-license-fee
kind: schedule
title: Dog license
department: licensing
inputs:
  altered: {type: boolean, default: false}
versions:
  - effective: 2026-01-01
    reference: Resolution 2025-90
    lines:
      - name: License
        amount: 20.00
      - name: Unaltered dog
        when: {altered: false}
        amount: 15.00
  - effective: 2027-01-01
    reference: Resolution 2026-12
    lines:
      - name: License
        amount: 22.00
      - name: Unaltered dog
        when: {altered: false}
        amount: 15.00
"""
NEXT_YEAR = """\
  - effective: 2028-01-01
    lines:
      - name: License
        amount: 24.00
"""


@pytest.fixture
def people(db):
    """A supervisor (sam), an administrator (ana) and a clerk (cal)."""
    for username, role in (("sam", "supervisor"), ("ana", "admin"), ("cal", "clerk")):
        add_user(db, username=username, full_name=username.title(), role=role, password="correct horse",
                 actor="test", now=NOW)
    return db


@pytest.fixture
def published_dog(people):
    """The dog license drafted by sam and published by ana (revision 1)."""
    draft(people, DOG_LICENSE, "dog-license-fee.yaml", "sam")
    store.publish(people, "dog-license-fee", 1, "ana", NOW, TODAY)
    return people


def draft(db, text: str, source: str, author: str):
    """Check a text against the published rules and store it as a draft by `author`."""
    return store.draft(db, check_draft(db, None, text, TODAY, source=source), author, NOW)


def _files(folder: Path) -> dict[str, bytes]:
    """Every rule file under a folder by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*.yaml")}


def _actions(db) -> list[str]:
    """The audit log's actions for rules, in order."""
    return list(db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("rule.%")).order_by(AuditEntry.id)))


def _revisions(db) -> int:
    """How many rule revisions are stored."""
    return db.scalar(select(func.count()).select_from(RuleVersion))


# --- import and export ---------------------------------------------------------------------


def test_the_sample_rules_import_into_an_empty_database_and_export_byte_for_byte(db, tmp_path):
    """First set-up: every document published by the system's import; the export is the folder again."""
    report = store.import_folder(db, REPO_RULES, actor="cli:admin", now=NOW, today=TODAY)
    assert len(report.published) == len(_files(REPO_RULES)) == 39
    assert {(r.revision, r.status, r.author, r.approver) for r in report.published} == \
        {(1, "published", "import", "import")}
    store.export(db, tmp_path / "out")
    assert _files(tmp_path / "out") == _files(REPO_RULES)


def test_a_stored_revision_keeps_the_text_byte_for_byte(db, tmp_path):
    """Windows line endings and a trailing comment survive the store and come back unchanged."""
    written = (DOG_LICENSE + "# kept as written\n").replace("\n", "\r\n").encode()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "dog-license-fee.yaml").write_bytes(written)
    [row] = store.import_folder(db, tmp_path / "in", actor="test", now=NOW, today=TODAY).published
    assert row.sha256 == revisions.sha256_of(written.decode())
    store.export(db, tmp_path / "out")
    assert (tmp_path / "out" / "licensing" / "dog-license-fee.yaml").read_bytes() == written


def test_importing_the_same_folder_again_changes_nothing(db):
    """Re-import: every document unchanged, no new revision, one audit row saying so."""
    store.import_folder(db, REPO_RULES, actor="test", now=NOW, today=TODAY)
    before = _revisions(db)
    report = store.import_folder(db, REPO_RULES, actor="test", now=NOW, today=TODAY)
    assert (len(report.published), len(report.drafted), len(report.unchanged)) == (0, 0, 39)
    assert _revisions(db) == before
    assert _actions(db)[-2:] == ["rule.import", "rule.import"]


def _dog_folder(tmp_path: Path, yaml_text: str) -> Path:
    """A rules folder holding only the dog license."""
    folder = tmp_path / "rules"
    (folder / "licensing").mkdir(parents=True, exist_ok=True)
    (folder / "licensing" / "dog-license-fee.yaml").write_text(yaml_text, encoding="utf-8")
    return folder


def test_a_changed_document_becomes_a_draft_unless_two_people_import_it(people, tmp_path):
    """After set-up, an import drafts; with an author and a different approver it publishes."""
    store.import_folder(people, _dog_folder(tmp_path, DOG_LICENSE), actor="test", now=NOW, today=TODAY)
    folder = _dog_folder(tmp_path, DOG_LICENSE + NEXT_YEAR)
    drafted = store.import_folder(people, folder, actor="test", now=NOW, today=TODAY).drafted
    assert [(r.revision, r.status, r.author) for r in drafted] == [(2, "draft", "import")]
    assert revisions.newest_published(people)[0].revision == 1
    published = store.import_folder(people, folder, actor="test", now=NOW, today=TODAY,
                                    author="sam", approver="ana").published
    assert [(r.revision, r.author, r.approver) for r in published] == [(2, "import", "ana")]
    assert [r.status for r in revisions.history(people, "dog-license-fee")] == ["published", "published"]


def test_an_invalid_file_imports_nothing_and_names_the_error(db, tmp_path):
    """One bad file among the good ones: no revision stored, the error with file, line and path."""
    folder = tmp_path / "rules"
    (folder / "licensing").mkdir(parents=True)
    for path in REPO_RULES.rglob("*.yaml"):
        (folder / path.name).write_bytes(path.read_bytes())
    bad = folder / "licensing" / "dog-license-fee.yaml"
    bad.write_text(DOG_LICENSE.replace("amount: 20.00", "amount: twenty"), encoding="utf-8")
    with pytest.raises(DocumentErrors) as refused:
        store.import_folder(db, folder, actor="test", now=NOW, today=TODAY)
    assert [str(e) for e in refused.value.errors] == [
        f"{bad}:12: versions[0].lines[0].amount: expected a number, found the text \"twenty\""]
    assert _revisions(db) == 0
    assert _actions(db) == []


def test_an_import_that_would_change_an_in_force_version_imports_nothing(people, tmp_path):
    """Two documents, one editing a version in force: neither is stored, the message says why."""
    store.import_folder(people, _dog_folder(tmp_path, DOG_LICENSE), actor="test", now=NOW, today=TODAY)
    folder = _dog_folder(tmp_path, DOG_LICENSE.replace("amount: 20.00", "amount: 21.00"))
    (folder / "lien-filing-fee.yaml").write_bytes((REPO_RULES / "finance" / "lien-filing-fee.yaml").read_bytes())
    (folder / "city-services.yaml").write_bytes((REPO_RULES / "utilities" / "city-services.yaml").read_bytes())
    with pytest.raises(store.RuleStoreError, match="dog-license-fee: the version of 2026-01-01 is in force"):
        store.import_folder(people, folder, actor="test", now=NOW, today=TODAY, author="sam", approver="ana")
    assert _revisions(people) == 1



def test_two_files_with_one_id_import_nothing(db, tmp_path):
    """A folder where two files claim one id is refused as a whole."""
    folder = _dog_folder(tmp_path, DOG_LICENSE)
    (folder / "dog-copy.yaml").write_text(DOG_LICENSE, encoding="utf-8")
    with pytest.raises(DocumentErrors, match='named "dog-copy.yaml" but the document.s id is "dog-license-fee"'):
        store.import_folder(db, folder, actor="test", now=NOW, today=TODAY)
    assert _revisions(db) == 0


def test_an_import_by_its_author_alone_is_refused_when_the_city_requires_a_second_approver(people, tmp_path):
    """Naming oneself twice does not make two people."""
    store.import_folder(people, _dog_folder(tmp_path, DOG_LICENSE), actor="test", now=NOW, today=TODAY)
    with pytest.raises(store.RuleStoreError, match="needs a second person to approve it: sam drafted it"):
        store.import_folder(people, _dog_folder(tmp_path, DOG_LICENSE + NEXT_YEAR), actor="test", now=NOW,
                            today=TODAY, author="sam", approver="sam")
    assert _revisions(people) == 1

# --- drafting and publishing -----------------------------------------------------------------


def test_a_draft_is_stored_as_written_with_its_hash_and_audited(people):
    """sam drafts: revision 1, a draft, the text and its SHA-256, an audit row."""
    row = draft(people, DOG_LICENSE, "dog-license-fee.yaml", "sam")
    assert (row.document_id, row.revision, row.status, row.author, row.approver) == \
        ("dog-license-fee", 1, "draft", "sam", None)
    assert (row.yaml_text, row.sha256, row.latest_effective) == \
        (DOG_LICENSE, revisions.sha256_of(DOG_LICENSE), date(2027, 1, 1))
    assert _actions(people) == ["rule.draft"]


def test_an_invalid_draft_stores_nothing(people):
    """A document with an error is refused with file:line: path: message, nothing stored."""
    with pytest.raises(DocumentErrors, match=r"dog\.yaml:6: inputs\.altered\.default: expected true or false"):
        draft(people, DOG_LICENSE.replace("default: false", "default: no"), "dog.yaml", "sam")
    assert _revisions(people) == 0


def test_a_draft_naming_a_missing_document_is_refused(people):
    """References are checked against the published documents."""
    renewal = (REPO_RULES / "licensing" / "business-license-renewal.yaml").read_text(encoding="utf-8")
    with pytest.raises(DocumentErrors, match='no calendar named "city-calendar" among the rule documents'):
        draft(people, renewal, "business-license-renewal.yaml", "sam")
    assert _revisions(people) == 0



def test_a_draft_that_would_break_a_published_document_is_refused(db):
    """The renewal deadline feeds the late penalty; a penalty needing a fact it lacks is refused."""
    store.import_folder(db, REPO_RULES, actor="test", now=NOW, today=TODAY)
    penalty = (REPO_RULES / "licensing" / "license-late-penalty.yaml").read_text(encoding="utf-8")
    needing = penalty.replace("inputs:\n", "inputs:\n  hardship_waiver: {type: boolean}\n")
    with pytest.raises(DocumentErrors, match="license-late-penalty reads hardship_waiver, which "
                                             "business-license-renewal does not declare"):
        draft(db, needing, "license-late-penalty.yaml", "import")

def test_a_draft_the_same_as_the_published_text_is_refused(published_dog):
    """Nothing to draft when nothing changed."""
    with pytest.raises(store.RuleStoreError, match="the text is the same as revision 1 .published."):
        draft(published_dog, DOG_LICENSE, "dog.yaml", "sam")


def test_a_clerk_neither_drafts_nor_approves(people):
    """Rule versions are a supervisor's or an administrator's work."""
    with pytest.raises(store.RuleStoreError, match="the author cal is a clerk"):
        draft(people, DOG_LICENSE, "dog.yaml", "cal")
    draft(people, DOG_LICENSE, "dog.yaml", "sam")
    with pytest.raises(store.RuleStoreError, match="the approver cal is a clerk"):
        store.publish(people, "dog-license-fee", 1, "cal", NOW, TODAY)
    with pytest.raises(store.RuleStoreError, match="the approver 'import' is not an active user"):
        store.publish(people, "dog-license-fee", 1, "import", NOW, TODAY)


def test_publish_is_refused_for_the_author_alone_when_the_city_requires_a_second_approver(people):
    """sam cannot approve his own draft; ana can, and it is audited."""
    draft(people, DOG_LICENSE, "dog.yaml", "sam")
    with pytest.raises(store.RuleStoreError) as refused:
        store.publish(people, "dog-license-fee", 1, "sam", NOW, TODAY)
    assert str(refused.value) == "a rule version needs a second person to approve it: sam drafted it"
    row = store.publish(people, "dog-license-fee", 1, "ana", NOW, TODAY)
    assert (row.status, row.approver, row.published_at) == ("published", "ana", NOW)
    assert _actions(people) == ["rule.draft", "rule.publish"]


def test_the_author_may_publish_when_the_city_does_not_require_a_second_approver(people):
    """A city that switched the second approver off lets a supervisor publish his own draft."""
    switch_off_second_approver(people, admin="ana", supervisor="sam", now=NOW)
    draft(people, DOG_LICENSE, "dog.yaml", "sam")
    assert store.publish(people, "dog-license-fee", 1, "sam", NOW, TODAY).approver == "sam"


def _revise(db, yaml_text: str):
    """sam drafts revision 2 of the dog license and ana publishes it on TODAY."""
    row = draft(db, yaml_text, "dog.yaml", "sam")
    return store.publish(db, "dog-license-fee", row.revision, "ana", NOW, TODAY)


def test_a_revision_that_edits_the_version_in_force_is_refused(published_dog):
    """The 2026 fee is in force: changing it is refused and the draft stays a draft."""
    with pytest.raises(store.RuleStoreError) as refused:
        _revise(published_dog, DOG_LICENSE.replace("amount: 20.00", "amount: 21.00"))
    assert str(refused.value) == ("dog-license-fee: the version of 2026-01-01 is in force and cannot "
                                  "change; add a new version dated 2026-11-24 or later")
    assert [r.status for r in revisions.history(published_dog, "dog-license-fee")] == ["published", "draft"]


def test_a_revision_that_removes_a_version_in_force_or_changes_its_citation_is_refused(published_dog):
    """Removing the version in force, or editing its reference, are changes too."""
    without = DOG_LICENSE.replace("  - effective: 2026-01-01\n", "  - effective: 2026-12-01\n")
    with pytest.raises(store.RuleStoreError, match=r"the version of 2026-01-01 is in force and "
                                                   "cannot be removed"):
        _revise(published_dog, without)
    with pytest.raises(store.RuleStoreError, match="cannot change"):
        _revise(published_dog, DOG_LICENSE.replace("Resolution 2025-90", "Resolution 2025-91"))


def test_future_versions_may_be_added_changed_or_removed(published_dog):
    """The 2027 fee is not in force yet: it may change, and a 2028 version may be added."""
    row = _revise(published_dog, DOG_LICENSE.replace("amount: 22.00", "amount: 23.00") + NEXT_YEAR)
    assert (row.revision, row.status, row.latest_effective) == (2, "published", date(2028, 1, 1))
    result = revisions.published_library(published_dog).evaluate("dog-license-fee", {}, date(2027, 3, 1))
    assert result.to_json()["total"] == "38.00"


def test_a_version_dated_today_may_be_added_but_not_one_dated_in_the_past(published_dog):
    """From today on is a new version; one dated yesterday would rewrite what was in force."""
    today = DOG_LICENSE.replace("  - effective: 2027-01-01", "  - effective: 2026-11-24")
    past = DOG_LICENSE.replace("  - effective: 2027-01-01", "  - effective: 2026-11-23")
    with pytest.raises(store.RuleStoreError, match=r"the new version of 2026-11-23 is dated in the past; "
                                                   "add a new version dated 2026-11-24 or later"):
        _revise(published_dog, past)
    assert _revise(published_dog, today).revision == 3


def test_an_input_the_versions_in_force_read_cannot_change(published_dog):
    """A changed default would change today's fees; a new required input would break them."""
    with pytest.raises(store.RuleStoreError, match='the input "altered" is read by the versions in force and cannot change'):
        _revise(published_dog, DOG_LICENSE.replace("default: false", "default: true"))
    added = DOG_LICENSE.replace("inputs:\n", "inputs:\n  low_income: {type: boolean}\n")
    with pytest.raises(store.RuleStoreError, match='the input "low_income" is new and the versions in force'):
        _revise(published_dog, added)


def test_a_draft_written_before_a_newer_publication_is_refused(published_dog):
    """Revision 2 drafted, revision 3 published meanwhile: publishing 2 would undo 3."""
    draft(published_dog, DOG_LICENSE + NEXT_YEAR, "dog.yaml", "sam")
    _revise(published_dog, DOG_LICENSE.replace("amount: 22.00", "amount: 23.00"))
    with pytest.raises(store.RuleStoreError, match="revision 3 of dog-license-fee was published after this draft"):
        store.publish(published_dog, "dog-license-fee", 2, "ana", NOW, TODAY)


def test_a_published_revision_cannot_be_published_again(published_dog):
    """Only drafts are published."""
    with pytest.raises(store.RuleStoreError, match="revision 1 of dog-license-fee is published, not a draft"):
        store.publish(published_dog, "dog-license-fee", 1, "ana", NOW, TODAY)
    with pytest.raises(store.RuleStoreError, match="dog-license-fee has no revision 9"):
        store.publish(published_dog, "dog-license-fee", 9, "ana", NOW, TODAY)


def test_the_published_library_runs_on_the_newest_published_revision(published_dog):
    """A draft does not count until it is published."""
    draft(published_dog, DOG_LICENSE.replace("amount: 22.00", "amount: 30.00"), "dog.yaml", "sam")
    library = revisions.published_library(published_dog)
    assert library.evaluate("dog-license-fee", {}, date(2027, 3, 1)).to_json()["total"] == "37.00"
    assert library.get("dog-license-fee").source == "dog-license-fee revision 1"


# --- the database itself refuses ----------------------------------------------------------


@pytest.mark.parametrize("statement", [
    "UPDATE rule_versions SET yaml_text = 'id: x' WHERE document_id = 'dog-license-fee'",
    "UPDATE rule_versions SET sha256 = '0' WHERE document_id = 'dog-license-fee'",
    "UPDATE rule_versions SET approver = 'sam' WHERE document_id = 'dog-license-fee'",
    "UPDATE rule_versions SET status = 'draft' WHERE document_id = 'dog-license-fee'",
    "DELETE FROM rule_versions WHERE document_id = 'dog-license-fee'",
])
def test_the_database_refuses_to_change_or_delete_a_published_revision(published_dog, statement):
    """Raw SQL, past the services: the trigger refuses (SQLite and PostgreSQL alike)."""
    with pytest.raises(DBAPIError, match="a published rule version never changes"):
        with published_dog.begin_nested():
            published_dog.execute(text(statement))
    published_dog.expire_all()
    [row] = revisions.history(published_dog, "dog-license-fee")
    assert (row.status, row.yaml_text, row.approver) == ("published", DOG_LICENSE, "ana")


def test_the_database_lets_a_draft_change_and_a_published_revision_be_withdrawn(published_dog):
    """Drafts are still work in progress; withdrawing is the one move of a published revision."""
    draft(published_dog, DOG_LICENSE + NEXT_YEAR, "dog.yaml", "sam")
    published_dog.execute(text("UPDATE rule_versions SET note = 'typo' WHERE revision = 2"))
    published_dog.execute(text("DELETE FROM rule_versions WHERE revision = 2"))
    published_dog.execute(text("UPDATE rule_versions SET status = 'withdrawn' WHERE revision = 1"))
    assert published_dog.scalar(text("SELECT status FROM rule_versions")) == "withdrawn"


def test_import_publish_and_draft_are_audited(people, tmp_path):
    """Set-up import, a drafting import and a publication each leave audit rows."""
    store.import_folder(people, _dog_folder(tmp_path, DOG_LICENSE), actor="cli:admin", now=NOW, today=TODAY)
    store.import_folder(people, _dog_folder(tmp_path, DOG_LICENSE + NEXT_YEAR), actor="cli:admin", now=NOW,
                        today=TODAY, author="sam")
    store.publish(people, "dog-license-fee", 2, "ana", NOW, TODAY)
    rows = people.scalars(select(AuditEntry).where(AuditEntry.action.like("rule.%")).order_by(AuditEntry.id)).all()
    assert [(r.action, r.actor, r.subject_id) for r in rows] == [
        ("rule.draft", "import", "dog-license-fee"), ("rule.publish", "import", "dog-license-fee"),
        ("rule.import", "cli:admin", "import"),
        ("rule.draft", "sam", "dog-license-fee"), ("rule.import", "cli:admin", "import"),
        ("rule.publish", "ana", "dog-license-fee")]
    assert rows[-1].detail == {"revision": 2, "sha256": revisions.sha256_of(DOG_LICENSE + NEXT_YEAR), "author": "sam"}


def test_the_sample_city_load_publishes_its_rules_in_the_store(committing_url, tmp_path):
    """`ordinance demo` is a first set-up: the rules folder is published, and exports as it was."""
    from samplecity.loader import load_demo
    from engine.store.db import make_engine, make_sessionmaker
    from engine.workflow.services import Catalog

    engine = make_engine(committing_url)
    catalog = Catalog.load(REPO_RULES, REPO_RULES.parent / "workflows", APPROVAL_ROLE_IDS)
    load_demo(engine, catalog, accounts=20, licenses=3, seed=7, as_of=TODAY, now=NOW)
    with make_sessionmaker(engine)() as session:
        assert {(r.revision, r.author, r.approver) for r in revisions.newest_published(session)} == {(1, "import", "import")}
        assert len(revisions.published_library(session)) == 39
        store.export(session, tmp_path / "out")
    engine.dispose()
    assert _files(tmp_path / "out") == _files(REPO_RULES)
