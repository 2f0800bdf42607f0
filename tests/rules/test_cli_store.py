"""`ordinance rules import|export|publish|history`: the rule store from the command line, end to end."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import RuleVersion
from engine.users import add_user
from tests.factories import stored_revisions
from tests.rules.test_store import DOG_LICENSE, NEXT_YEAR, REPO_RULES
from webapp.cli import main

NOW = datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc)  # 09:00 in Alder Creek


@pytest.fixture
def run(committing_url, monkeypatch):
    """Run `ordinance rules ...` against a database of the test's own, at a fixed moment, with staff."""
    monkeypatch.setattr("webapp.cli.context.now", lambda: NOW)
    engine = make_engine(committing_url)
    with make_sessionmaker(engine)() as session, session.begin():
        for username, role in (("sam", "supervisor"), ("ana", "admin")):
            add_user(session, username=username, full_name=username.title(), role=role, password="correct horse",
                     actor="test", now=NOW)
    engine.dispose()
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["rules", *args], env={"DATABASE_URL": committing_url})


def _files(folder: Path) -> dict[str, bytes]:
    """Every rule file under a folder by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*.yaml")}


def _dog_folder(tmp_path: Path, yaml_text: str) -> Path:
    """A rules folder holding only the dog license."""
    folder = tmp_path / "dogs"
    (folder / "licensing").mkdir(parents=True, exist_ok=True)
    (folder / "licensing" / "dog-license-fee.yaml").write_text(yaml_text, encoding="utf-8")
    return folder


def test_import_then_export_gives_back_the_rules_folder(run, tmp_path):
    """First set-up publishes all twenty-six documents; the export is byte for byte the folder; again is a no-op."""
    first = run("import", str(REPO_RULES))
    assert first.exit_code == 0, first.output
    assert "published water-rates-residential revision 1" in first.stdout
    assert first.stdout.endswith("39 published, 0 drafted, 0 unchanged\n")
    exported = run("export", str(tmp_path / "out"))
    assert (exported.exit_code, exported.stdout) == (0, f"39 documents written to {tmp_path / 'out'}\n")
    assert _files(tmp_path / "out") == _files(REPO_RULES)
    again = run("import", str(REPO_RULES))
    assert (again.exit_code, again.stdout) == (0, "0 published, 0 drafted, 39 unchanged\n")


def test_a_change_is_drafted_then_published_by_a_second_person(run, tmp_path):
    """Import drafts revision 2; its author cannot publish it; the administrator can; history shows both."""
    assert run("import", str(_dog_folder(tmp_path, DOG_LICENSE))).exit_code == 0
    drafted = run("import", str(_dog_folder(tmp_path, DOG_LICENSE + NEXT_YEAR)), "--author", "sam")
    assert drafted.exit_code == 0, drafted.output
    assert drafted.stdout.startswith("drafted dog-license-fee revision 2; publish it with `ordinance rules publish "
                                     "dog-license-fee --revision 2 --approver USER`\n")
    alone = run("publish", "dog-license-fee", "--revision", "2", "--approver", "sam")
    assert (alone.exit_code, alone.stderr) == (
        1, "error: a rule version needs a second person to approve it: sam drafted it\n")
    approved = run("publish", "dog-license-fee", "--revision", "2", "--approver", "ana")
    assert (approved.exit_code, approved.stdout) == (
        0, "published dog-license-fee revision 2 (drafted by sam, approved by ana)\n")
    shown = run("history", "dog-license-fee")
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[0] == "dog-license-fee (schedule): Dog license"
    assert lines[2].split() == ["1", "published", lines[2].split()[2], "import", "import", "2026-11-24", "09:00",
                                "2026-11-24", "09:00", "2027-01-01"]
    assert lines[3].split()[:5] == ["2", "published", lines[3].split()[2], "sam", "ana"]
    assert lines[3].split()[-1] == "2028-01-01"
    assert len(lines) == 4


def test_an_edit_of_the_fee_in_force_is_refused_and_nothing_imported(run, tmp_path):
    """Even with two people, a version in force stays as published."""
    assert run("import", str(_dog_folder(tmp_path, DOG_LICENSE))).exit_code == 0
    edited = _dog_folder(tmp_path, DOG_LICENSE.replace("amount: 20.00", "amount: 21.00"))
    refused = run("import", str(edited), "--author", "sam", "--approver", "ana")
    assert refused.exit_code == 1
    assert refused.stderr == ("error: nothing imported:\ndog-license-fee: the version of 2026-01-01 is in "
                              "force and cannot change; add a new version dated 2026-11-24 or later\n")
    assert len(run("history", "dog-license-fee").stdout.splitlines()) == 3


def test_an_invalid_folder_imports_nothing(run, tmp_path):
    """Every error with file:line: path on standard error, status 1, and the store stays empty."""
    folder = _dog_folder(tmp_path, DOG_LICENSE.replace("amount: 20.00", "amount: twenty"))
    refused = run("import", str(folder))
    assert refused.exit_code == 1
    assert refused.stderr == (f"{folder / 'licensing' / 'dog-license-fee.yaml'}:12: versions[0].lines[0].amount: "
                              "expected a number, found the text \"twenty\"\nerror: nothing imported: 1 error\n")
    empty = run("export", str(tmp_path / "out"))
    assert (empty.exit_code, empty.stderr) == (
        1, "error: the rule store has no published rules yet; load them with `ordinance rules import`\n")
    unknown = run("history", "dog-license-fee")
    assert (unknown.exit_code, unknown.stderr) == (1, "error: the rule store has no revision of dog-license-fee\n")


def test_validate_and_import_check_the_files_against_the_city_s_programs_and_languages(run, tmp_path):
    """With a database, `rules validate` refuses what an import refuses: a program the city does not run, words in a
    language it does not print in, each with file:line and path; without one it checks the files alone."""
    from tests.rules.test_drafting import MEDICAL_HOLD_2027, MEDICAL_LINE, WORDS_IN_VIETNAMESE, refusal

    assert run("import", str(REPO_RULES)).exit_code == 0
    folder = tmp_path / "incoming"
    shutil.copytree(REPO_RULES, folder)
    (folder / "utilities" / "shutoff-eligibility.yaml").write_text(MEDICAL_HOLD_2027, encoding="utf-8")
    (folder / "utilities" / "bill-messages.yaml").write_text(WORDS_IN_VIETNAMESE, encoding="utf-8")
    words_line = WORDS_IN_VIETNAMESE.splitlines().index("        vi: Đăng ký hóa đơn điện tử.") + 1
    expected = [
        f"{folder}/utilities/bill-messages.yaml:{words_line}: versions[0].messages[2].vi: 'vi' is not one of the "
        "city's languages (en, es): add it in the city settings first, or write the words in one of them",
        f"{folder}/utilities/shutoff-eligibility.yaml:{MEDICAL_LINE}: versions[1].rules[0].when.contains: "
        + refusal("medical_baseline", "Hold, medical baseline", "cap")]
    checked = run("validate", str(folder))
    assert checked.exit_code == 1
    assert checked.stdout.splitlines()[:2] == expected
    assert checked.stdout.splitlines()[-1] == "3 errors in 2 files"  # and the senior hold's program
    imported = run("import", str(folder), "--author", "sam")
    assert imported.exit_code == 1
    assert imported.stderr.splitlines()[:2] == expected
    assert imported.stderr.splitlines()[-1] == "error: nothing imported: 3 errors"
    assert len(run("history", "shutoff-eligibility").stdout.splitlines()) == 3  # still revision 1 alone
    alone = CliRunner().invoke(main, ["rules", "validate", str(folder)],
                               env={"DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"})
    assert (alone.exit_code, alone.stdout) == (0, "39 documents are valid\n")


def _stored(committing_url: str) -> tuple[list[tuple[str, int, str]], list[str]]:
    """The store's rule revisions (id, revision, status) and the rule audit rows' actions."""
    return stored_revisions(committing_url, RuleVersion, "document_id", "rule.")


STEPS_AFTER = "      workflows: [lien_filings]\n"  # the liens sweep's works:, which steps: follows


def _liens_sweep_taking(folder: Path, steps: str) -> tuple[Path, int]:
    """A folder of the liens sweep alone, its works: naming these steps; the file and the line of steps:."""
    (folder / "sweeps").mkdir(parents=True)
    text = (REPO_RULES / "sweeps" / "liens.yaml").read_text(encoding="utf-8")
    bad = text.replace(STEPS_AFTER, f"{STEPS_AFTER}      steps: [{steps}]\n", 1)
    assert bad != text
    (folder / "sweeps" / "liens.yaml").write_text(bad, encoding="utf-8")
    return folder / "sweeps" / "liens.yaml", text.splitlines().index(STEPS_AFTER.rstrip("\n")) + 2


def test_a_sweep_naming_a_step_it_cannot_take_is_refused_by_validate_and_not_imported(run, committing_url, tmp_path):
    """The rules published, a new liens sweep naming a step no workflow has: `rules validate` refuses it as the import
    does (the workflows the city runs: the program's folder, while none is published), naming the file, line, key and
    step; the import refuses it whole; nothing is stored, no audit row written."""
    assert run("import", str(REPO_RULES)).exit_code == 0
    before = _stored(committing_url)
    sweep, line = _liens_sweep_taking(tmp_path / "changed", "mail_intent, mail_intent_again, send_intent")
    expected = (f"{sweep}:{line}: versions[0].works.steps[2]: no workflow this sweep works (workflows tagged "
                'lien_filings) has the step "send_intent": no workflow has a step so named; its sweep steps: '
                "mail_intent, mail_intent_again, withdraw")
    checked = run("validate", str(sweep.parent.parent))
    assert (checked.exit_code, checked.stdout.splitlines()) == (1, [expected, "1 error in 1 file"]), checked.output
    refused = run("import", str(sweep.parent.parent), "--author", "sam", "--approver", "ana")
    assert (refused.exit_code, refused.stderr.splitlines()) == (1, [expected, "error: nothing imported: 1 error"])
    assert _stored(committing_url) == before
    history = run("history", "liens")
    assert history.exit_code == 0 and len(history.stdout.splitlines()) == 3, history.stdout  # heading, revision 1


def test_validate_checks_sweep_steps_against_the_published_workflows_once_there_are_some(run, committing_url,
                                                                                        tmp_path):
    """With the workflows published, a sweep's steps are checked against them, not a --workflows-dir folder: a step
    the published liens workflow has is valid, one it has not is refused; validating stores nothing."""
    from engine.rulebook import workflow_store
    from engine.rulebook.catalog_source import current_rules

    assert run("import", str(REPO_RULES)).exit_code == 0
    engine = make_engine(committing_url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            workflow_store.import_folder(session, REPO_RULES.parent / "workflows",
                                         current_rules(session, REPO_RULES), actor="test", now=NOW,
                                         today=NOW.date())
    finally:
        engine.dispose()
    before = _stored(committing_url)
    nowhere = ("--workflows-dir", str(tmp_path / "nowhere"))
    good, _ = _liens_sweep_taking(tmp_path / "good", "mail_intent, mail_intent_again")
    assert run("validate", str(good), *nowhere).stdout == "1 document is valid\n"
    bad, line = _liens_sweep_taking(tmp_path / "bad", "mail_intent, mail_intent_again, record_lien")
    refused = run("validate", str(bad), *nowhere)
    assert refused.exit_code == 1
    assert refused.stdout.splitlines() == [
        f'{bad}:{line}: versions[0].works.steps[2]: the step "record_lien" of liens is taken by staff; a sweep '
        "takes only sweep steps (by: sweep)", "1 error in 1 file"]
    assert _stored(committing_url) == before
