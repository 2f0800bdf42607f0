"""`ordinance workflows validate|import|export|publish|history|list`: the workflow store from the command line."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.rulebook.revisions import sha256_of
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import WorkflowVersion
from engine.users import add_user
from tests.factories import sample_version, stored_revisions
from tests.workflow.test_store import NEXT, SAMPLE, WORKFLOWS, refunds_next_version, refunds_text
from webapp.cli import main

NOW = datetime(2026, 5, 1, 16, 0, tzinfo=timezone.utc)  # 09:00 in Alder Creek


@pytest.fixture
def run(committing_url, monkeypatch):
    """Run `ordinance workflows ...` against a database of the test's own, at a fixed moment, with staff."""
    monkeypatch.setattr("webapp.cli.context.now", lambda: NOW)
    engine = make_engine(committing_url)
    with make_sessionmaker(engine)() as session, session.begin():
        for username, role in (("sam", "supervisor"), ("ana", "admin")):
            add_user(session, username=username, full_name=username.title(), role=role, password="correct horse",
                     actor="test", now=NOW)
    engine.dispose()
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["workflows", *args], env={"DATABASE_URL": committing_url})


def _files(folder: Path) -> dict[str, bytes]:
    """Every definition under a folder by name, with its bytes."""
    return {p.name: p.read_bytes() for p in folder.glob("*.yaml")}


def test_import_then_export_gives_back_the_workflows_folder(run, tmp_path):
    """An empty store: the list says so; the import publishes four; the export is the folder byte for byte."""
    empty = run("list")
    assert empty.exit_code == 1 and "the rule store has no published workflows" in empty.output
    first = run("import", str(WORKFLOWS))
    assert first.exit_code == 0, first.output
    assert f"published delinquency version {sample_version('delinquency')} (revision 1)" in first.stdout
    assert first.stdout.endswith("5 published, 0 drafted, 0 unchanged\n")
    exported = run("export", str(tmp_path / "out"))
    assert (exported.exit_code, exported.stdout) == (0, f"5 definitions written to {tmp_path / 'out'}\n")
    assert _files(tmp_path / "out") == _files(WORKFLOWS)
    again = run("import", str(WORKFLOWS))
    assert (again.exit_code, again.stdout) == (0, "0 published, 0 drafted, 5 unchanged\n")


def test_a_new_version_is_drafted_then_published_by_a_second_person(run, tmp_path):
    """Import drafts the next version; sam publishes it only as a second person; history and list show both."""
    assert run("import", str(WORKFLOWS)).exit_code == 0
    folder = tmp_path / "wf"
    folder.mkdir()
    (folder / "refunds.yaml").write_text(refunds_next_version(), encoding="utf-8")
    drafted = run("import", str(folder), "--author", "sam")
    assert drafted.exit_code == 0, drafted.output
    assert f"drafted refunds version {NEXT} (revision 2); publish it with `ordinance workflows publish refunds " \
           "--revision 2 --approver USER`" in drafted.stdout
    own = run("publish", "refunds", "--revision", "2", "--approver", "sam")
    assert own.exit_code == 1 and "needs a second person to approve it: sam drafted it" in own.output
    published = run("publish", "refunds", "--revision", "2", "--approver", "ana")
    assert published.exit_code == 0, published.output
    assert published.stdout == (f"published refunds version {NEXT} (revision 2, drafted by sam, approved by ana); "
                                "new cases open on it from 2026-06-01\n")
    history = run("history", "refunds")
    assert history.exit_code == 0
    assert [line.split()[:3] for line in history.stdout.splitlines()[2:]] == [["1", str(SAMPLE), "published"],
                                                                            ["2", str(NEXT), "published"]]
    listed = run("list", "--on", "2026-05-15")
    assert f"refunds: *version {SAMPLE} from the start, version {NEXT} from 2026-06-01  (opens new cases on " \
           f"2026-05-15: version {SAMPLE})" in listed.stdout
    assert f"version {NEXT})" in run("list", "--on", "2026-06-01").stdout.split("refunds:")[1]


def test_a_broken_definition_is_refused_with_its_line_and_nothing_is_imported(run, tmp_path):
    """Every error on stderr with file:line and path; the store stays empty."""
    folder = tmp_path / "wf"
    folder.mkdir()
    (folder / "refunds.yaml").write_text(refunds_next_version().replace("    to: denied", "    to: refused"),
                                         encoding="utf-8")
    refused = run("import", str(folder))
    assert refused.exit_code == 1
    assert f'{folder / "refunds.yaml"}:127: transitions[7].to: unknown state "refused"' in refused.stderr
    assert "nothing imported: 1 error" in refused.stderr
    assert run("list").exit_code == 1


def _stored(committing_url: str) -> tuple[list[tuple[str, int, str]], list[str]]:
    """The store's workflow revisions (id, revision, status) and the workflow audit rows' actions."""
    return stored_revisions(committing_url, WorkflowVersion, "workflow_id", "workflow.")


def _sample_folder(folder: Path, **changed: str) -> Path:
    """The sample city's workflows folder copied, with the texts given by id in place of theirs."""
    folder.mkdir()
    for path in WORKFLOWS.glob("*.yaml"):
        (folder / path.name).write_text(changed.get(path.stem, path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def _liens_without_mailing_the_intent_again() -> str:
    """The sample liens workflow without `mail_intent_again`: a notice of intent left out holds its case forever."""
    text = (WORKFLOWS / "liens.yaml").read_text(encoding="utf-8")
    return text[:text.index("  - id: mail_intent_again")] + text[text.index("  - id: record_lien"):]


def test_the_first_import_is_refused_whole_when_a_hold_has_no_way_out(run, committing_url, tmp_path):
    """The city's first set with one workflow holding a case forever: the error names the file, line, workflow, step
    and state; no workflow is published, no row or audit row written."""
    folder = _sample_folder(tmp_path / "wf", liens=_liens_without_mailing_the_intent_again())
    refused = run("import", str(folder))
    assert refused.exit_code == 1
    [error] = [line for line in refused.stderr.splitlines() if "liens.yaml" in line]
    assert error.startswith(f"{folder / 'liens.yaml'}:")
    assert (': transitions[1].requires_sent: liens: the step "record_lien" holds a case in the state "intent_mailed" '
            "(Notice of intent mailed) until the latest lien-intent has gone out, and no way leads from there to a "
            "new one") in error
    assert "nothing imported: 1 error" in refused.stderr
    assert _stored(committing_url) == ([], [])


def test_an_import_with_a_state_no_case_reaches_is_refused_and_changes_nothing(run, committing_url, tmp_path):
    """Into a store holding the sample set: the next refunds with a tester's orphan state is refused, naming the
    workflow and the state; the store keeps its five revisions and its audit rows."""
    assert run("import", str(WORKFLOWS)).exit_code == 0
    before = _stored(committing_url)
    folder = tmp_path / "wf"
    folder.mkdir()
    (folder / "refunds.yaml").write_text(refunds_next_version().replace("states:\n", "states:\n  on_hold: {label: "
                                                                        "On hold}\n", 1), encoding="utf-8")
    refused = run("import", str(folder), "--author", "sam")
    assert refused.exit_code == 1
    assert (': states.on_hold: refunds: no step leads to the state "on_hold" (On hold) from the initial state '
            '"requested": no case could ever be in it') in refused.stderr
    assert "nothing imported: 1 error" in refused.stderr
    assert _stored(committing_url) == before and len(before[0]) == 5


def test_publishing_a_draft_whose_hold_has_no_way_out_is_refused_and_it_stays_a_draft(run, committing_url):
    """A draft stored before holds were checked (written here straight to the store): publishing it checks it again,
    names the workflow, step and state, and publishes nothing."""
    assert run("import", str(WORKFLOWS)).exit_code == 0
    text = _liens_without_mailing_the_intent_again().replace(f"version: {sample_version('liens')}\n",
                                                             f"version: {sample_version('liens') + 1}\n"
                                                             "effective: 2026-06-01\n", 1)
    engine = make_engine(committing_url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            session.add(WorkflowVersion(workflow_id="liens", revision=2, version=sample_version("liens") + 1,
                                        title="Liens", subject="lien", effective=date(2026, 6, 1), yaml_text=text,
                                        sha256=sha256_of(text), status="draft", author="sam", approver=None,
                                        created_at=NOW, published_at=None, note=""))
    finally:
        engine.dispose()
    before = _stored(committing_url)
    refused = run("publish", "liens", "--revision", "2", "--approver", "ana")
    assert refused.exit_code == 1
    [error] = [line for line in refused.stderr.splitlines() if line.startswith("liens revision 2:")]
    assert ': transitions[1].requires_sent: liens: the step "record_lien" holds a case in the state "intent_mailed"' \
        in error
    assert "revision 2 of liens is no longer valid: 1 error" in refused.stderr
    assert _stored(committing_url) == before and ("liens", 2, "draft") in before[0]


def test_validate_checks_as_the_import_does_and_writes_nothing(run, committing_url, tmp_path):
    """The sample folder is valid; the same with liens holding a case forever, and a refunds with a state no case
    reaches, is not: each error names the file, line, workflow and state, and nothing is stored either way."""
    valid = run("validate", str(WORKFLOWS))
    assert (valid.exit_code, valid.stdout) == (0, "5 definitions are valid\n"), valid.output
    orphan = refunds_text().replace("states:\n", "states:\n  on_hold: {label: On hold}\n", 1)
    folder = _sample_folder(tmp_path / "wf", liens=_liens_without_mailing_the_intent_again(), refunds=orphan)
    refused = run("validate", str(folder))
    assert refused.exit_code == 1
    errors = refused.stderr.splitlines()
    assert [line.split(": ")[1:3] for line in errors[:-1]] == [
        ["transitions[1].requires_sent", "liens"], ["states.on_hold", "refunds"]]
    assert errors[0].startswith(f"{folder / 'liens.yaml'}:") and 'the state "intent_mailed"' in errors[0]
    assert errors[1].startswith(f"{folder / 'refunds.yaml'}:") and 'no step leads to the state "on_hold"' in errors[1]
    assert errors[-1] == "error: not valid: 2 errors"
    one = run("validate", str(folder / "refunds.yaml"))
    assert one.exit_code == 1 and "not valid: 1 error" in one.stderr
    assert _stored(committing_url) == ([], [])


TITLE = "title: Refunds of credit balances, deposits and license overpayments\n"
TOO_LONG = "longer than the 200 characters the store keeps"  # the draft page's words (check_workflow_draft) too


def _titled(text: str, title: str) -> str:
    """A refunds definition with another title."""
    assert TITLE in text
    return text.replace(TITLE, f"title: {title}\n", 1)


def test_a_title_too_long_for_the_store_is_refused_by_validate_import_and_the_draft_check_alike(
        run, committing_url, tmp_path):
    """A next refunds titled with 201 characters: validate and import refuse it with the file, line 2 and `title`,
    the draft page's check with the same words; nothing is stored. 200 characters are kept."""
    from engine.rulebook.catalog_source import current_rules
    from engine.rulebook.workflow_revisions import check_workflow_draft

    assert run("import", str(WORKFLOWS)).exit_code == 0
    before = _stored(committing_url)
    folder = tmp_path / "wf"
    folder.mkdir()
    (folder / "refunds.yaml").write_text(_titled(refunds_next_version(), "R" * 201), encoding="utf-8")
    expected = f"{folder / 'refunds.yaml'}:2: title: {TOO_LONG}"
    for command, total in (("validate", "error: not valid: 1 error"), ("import", "error: nothing imported: 1 error")):
        refused = run(command, str(folder), "--author", "sam") if command == "import" else run(command, str(folder))
        assert (refused.exit_code, refused.stderr.splitlines()) == (1, [expected, total]), refused.output
    assert _stored(committing_url) == before and len(before[0]) == 5
    engine = make_engine(committing_url)
    try:
        with make_sessionmaker(engine)() as session:
            checked = check_workflow_draft(session, current_rules(session, REPO / "rules"), "refunds",
                                           _titled(refunds_next_version(), "R" * 201), date(2026, 5, 1))
    finally:
        engine.dispose()
    assert [str(error) for error in checked.errors] == [f"refunds (draft):2: title: {TOO_LONG}"]
    (folder / "refunds.yaml").write_text(_titled(refunds_next_version(), "R" * 200), encoding="utf-8")
    assert run("validate", str(folder)).stdout == "1 definition is valid\n"
    drafted = run("import", str(folder), "--author", "sam")
    assert drafted.exit_code == 0 and drafted.stdout.endswith("0 published, 1 drafted, 0 unchanged\n")


REPO = WORKFLOWS.parent
NO_DATABASE = "no database: checking the files alone (not the city's approval roles or assistance programs)"


@pytest.fixture
def laptop(tmp_path, monkeypatch):
    """Run `ordinance workflows ...` on a machine with the repository and no database: no DATABASE_URL, an instance
    folder that does not exist (so none is made), in a folder of its own."""
    monkeypatch.chdir(tmp_path)
    instance = tmp_path / "instance"
    runner = CliRunner()
    env = {"DATABASE_URL": None, "ORDINANCE_INSTANCE": str(instance)}

    def run(*args: str) -> tuple[int, str, list[str]]:
        """Exit status, stdout, and the lines of stderr after the one saying there is no database."""
        result = runner.invoke(main, ["workflows", *args], env=env)
        assert not instance.exists(), "checking files made no database"
        [said, *errors] = result.stderr.splitlines()
        assert said == NO_DATABASE
        return result.exit_code, result.stdout, errors
    return run


def test_validate_needs_no_database(laptop, tmp_path):
    """The sample folder is valid from its files alone, said so; one file opening another workflow is checked with
    the workflows folder standing for what is published, and refused without it."""
    folders = ("--rules-dir", str(REPO / "rules"), "--workflows-dir", str(WORKFLOWS))
    assert laptop("validate", *folders) == (0, "5 definitions are valid\n", [])
    assert laptop("validate", str(WORKFLOWS / "delinquency.yaml"), *folders) == (0, "1 definition is valid\n", [])
    status, _, [error, total] = laptop("validate", str(WORKFLOWS / "delinquency.yaml"), "--rules-dir",
                                       str(REPO / "rules"), "--workflows-dir", str(tmp_path / "nowhere"))
    line = (WORKFLOWS / "delinquency.yaml").read_text(encoding="utf-8").splitlines().index("      - open: liens") + 1
    assert status == 1
    assert error.startswith(f"{WORKFLOWS / 'delinquency.yaml'}:{line}: transitions[")
    assert error.endswith("].actions[0].open: no workflow named 'liens'; workflows: delinquency")
    assert total == "error: not valid: 1 error"


def test_validate_without_a_database_refuses_what_the_import_would(laptop, tmp_path):
    """A hold with no way out and a state no case reaches, in a folder and in one file: every error with file, line,
    path, workflow and state, exit 1; an approval role the city may have is not judged without its database."""
    orphan = refunds_text().replace("states:\n", "states:\n  on_hold: {label: On hold}\n", 1)
    folder = _sample_folder(tmp_path / "wf", liens=_liens_without_mailing_the_intent_again(), refunds=orphan)
    rules = ("--rules-dir", str(REPO / "rules"))
    status, _, errors = laptop("validate", str(folder), *rules, "--workflows-dir", str(folder))
    assert status == 1
    assert [line.split(": ")[1:3] for line in errors[:-1]] == [
        ["transitions[1].requires_sent", "liens"], ["states.on_hold", "refunds"]]
    assert errors[0].startswith(f"{folder / 'liens.yaml'}:") and 'the state "intent_mailed"' in errors[0]
    assert errors[-1] == "error: not valid: 2 errors"
    status, _, [error, total] = laptop("validate", str(folder / "refunds.yaml"), *rules, "--workflows-dir",
                                       str(folder))
    assert (status, total) == (1, "error: not valid: 1 error")
    assert error.startswith(f"{folder / 'refunds.yaml'}:") and 'no step leads to the state "on_hold"' in error
    treasurer = tmp_path / "treasurer.yaml"
    treasurer.write_text(refunds_text().replace("roles: [clerk, supervisor, admin]", "roles: [treasurer]", 1),
                         encoding="utf-8")
    assert "roles: [treasurer]" in treasurer.read_text(encoding="utf-8")
    assert laptop("validate", str(treasurer), *rules, "--workflows-dir", str(WORKFLOWS)) == (
        0, "1 definition is valid\n", [])


def test_validate_without_a_database_refuses_a_sweep_step_the_sweep_cannot_take(laptop, tmp_path):
    """The rules folder's liens sweep naming a step no workflow has and leaving out a hold's way out: both errors name
    the sweep document's file, line and key, and the step; exit 1."""
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    sweep = rules / "sweeps" / "liens.yaml"
    text = sweep.read_text(encoding="utf-8")
    sweep.write_text(text.replace("      workflows: [lien_filings]\n",
                                  "      workflows: [lien_filings]\n      steps: [mail_intent, send_intent]\n", 1),
                     encoding="utf-8")
    status, _, errors = laptop("validate", "--rules-dir", str(rules), "--workflows-dir", str(WORKFLOWS))
    line = text.splitlines().index("      workflows: [lien_filings]") + 2
    assert status == 1
    assert errors[0].startswith(f'{sweep}:{line}: versions[0].works.steps: liens: the step "record_lien" holds')
    assert "add 'mail_intent_again' to steps" in errors[0]
    assert errors[1].startswith(f'{sweep}:{line}: versions[0].works.steps[1]: no workflow this sweep works (workflows '
                                f'tagged lien_filings) has the step "send_intent"')
    assert errors[2:] == ["error: not valid: 2 errors"]


def test_validate_without_a_database_refuses_an_id_or_title_too_long_for_the_store(laptop, tmp_path):
    """From the files alone too: a title of 201 characters and an id of 81, each with its file, line and key."""
    folder = tmp_path / "wf"
    folder.mkdir()
    long_id = "r" * 81
    text = _titled(refunds_text(), "R" * 201).replace("id: refunds\n", f"id: {long_id}\n", 1)
    (folder / "refunds.yaml").write_text(text, encoding="utf-8")
    status, _, errors = laptop("validate", str(folder), "--rules-dir", str(REPO / "rules"), "--workflows-dir",
                               str(folder))
    assert (status, errors) == (1, [f"{folder / 'refunds.yaml'}:1: id: longer than the 80 characters the store keeps",
                                    f"{folder / 'refunds.yaml'}:2: title: {TOO_LONG}", "error: not valid: 2 errors"])


def test_the_installed_command_validates_a_folder_with_no_database(tmp_path):
    """`python -m webapp.cli workflows validate` run as a city's IT person would, in the repository with no
    DATABASE_URL and no instance folder: the sample folder is valid, nothing is created."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(ORDINANCE_INSTANCE=str(tmp_path / "instance"), PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-m", "webapp.cli", "workflows", "validate"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "5 definitions are valid\n", NO_DATABASE + "\n")
    assert not (tmp_path / "instance").exists()
