"""`ordinance workflows import|export|publish|history|list`: the workflow store from the command line, end to end."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.store.db import make_engine, make_sessionmaker
from engine.users import add_user
from tests.factories import sample_version
from tests.workflow.test_store import NEXT, SAMPLE, WORKFLOWS, refunds_next_version
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
