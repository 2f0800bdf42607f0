"""The reads import: CSV as the billing run reads it, fixed-width handheld files by a layout that is city data,
every bad value named by line and column with nothing stored, a reread replacing the read sent back."""
from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from engine.reads import review
from engine.reads.files import ReadFileError, import_reads, layout_named, parse_csv, parse_fixed_width
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.db import make_engine, make_sessionmaker
from engine.store.models import AuditEntry, Bill, MeterRead
from tests.factories import NOW
from tests.ledger.billing_support import REPO, account_with_reads, library
from webapp.cli import main

AS_OF = date(2026, 3, 1)
WINTER = [("2025-12", date(2025, 12, 27), 980, 6), ("2026-01", date(2026, 1, 28), 988, 8)]


def run(env: dict, *args: str):
    """One `ordinance` command's result, stderr apart."""
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    return runner.invoke(main, list(args), env=env)


def handheld(number: str, read_on: str, reading: int, flag: str = " ") -> str:
    """A read line of the sample city's handheld layout: R, account (2-11), MMDDYYYY (12-19), reading (20-28), flag."""
    return f"R{number:<10}{read_on}{reading:>9}{flag}"


def test_a_handheld_file_by_the_city_layout_is_stored_reviewed_and_billed(committing_url, tmp_path):
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s, s.begin():
        plain, estimated, high = (account_with_reads(s, WINTER) for _ in range(3))
    path = tmp_path / "route-7.dat"
    path.write_text("\n".join([
        "H ROUTE 07 CYCLE A 02262026",
        handheld(plain.number, "02262026", 998),
        handheld(estimated.number, "02262026", 996, "E"),
        handheld(high.number, "02262026", 1030),
        "T 000003",
    ]) + "\n", encoding="utf-8")
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    done = run(env, "reads", "import", str(path), "--cycle", "A", "--period", "2026-03", "--layout", "handheld",
               "--as-of", "2026-03-01", "--rules-dir", str(REPO / "rules"))
    assert done.exit_code == 0, done.stderr
    assert ("Imported 3 reads for cycle A 2026-03: 1 accepted by the rules, 2 held for review, 0 replacing reads "
            "sent for a reread; 2 lines that are not reads skipped.") in done.stdout
    assert f"held: line 3: {estimated.number}: Estimated by the reader in the field, not read" in done.stdout
    assert f"held: line 4: {high.number}: High use: 42 CCF is 6.0 times" in done.stdout
    with sessions() as s:
        stored = {r.account_id: r for r in s.scalars(select(MeterRead).where(MeterRead.period == "2026-03"))}
        assert (stored[plain.id].consumption_ccf, stored[plain.id].review_status, stored[plain.id].reviewed_by) == (
            10, "accepted", "meter-reads rules")
        assert (stored[estimated.id].review_check, stored[high.id].review_check) == ("reader_estimate", "high")
        assert s.scalar(select(AuditEntry.detail).where(AuditEntry.action == "reads.imported"))["stored"] == 3
    billed = run(env, "billing", "run", "--cycle", "A", "--period", "2026-03", "--as-of", "2026-03-01",
                 "--rules-dir", str(REPO / "rules"))
    assert billed.exit_code == 0, billed.stderr
    assert ("Billed 1 accounts for $92.05; 0 already billed for 2026-03 (skipped); 0 rows refused; 0 reads held for "
            "review; not billed: 2 reads waiting for review or a reread, 0 accounts with no read.") in billed.stdout


def test_a_layout_is_city_data(committing_db, tmp_path):
    """Another city's layout (dates YYYYMMDD, consumption rather than a reading, no record type) reads its file."""
    docs = []
    for path in sorted((REPO / "rules").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if path.stem == "meter-reads":
            text = text[:text.index("    layouts:")] + (
                "    layouts:\n"
                "      badger:\n"
                "        title: Another handheld\n"
                "        dates: YYYYMMDD\n"
                "        columns:\n"
                "          read_on: {from: 1, to: 8}\n"
                "          consumption: {from: 10, to: 14}\n"
                "          account_number: {from: 16, to: 30}\n")
        docs.append(load_document(text, str(path)))
    rules = RuleLibrary.from_documents(docs)
    with committing_db() as s, s.begin():
        account = account_with_reads(s, WINTER)
    layout = layout_named(rules, AS_OF, "badger")
    rows, problems, skipped = parse_fixed_width([f"20260226 00011 {account.number}\n", "\n"], layout)
    assert not problems and skipped == 1
    with committing_db() as s, s.begin():
        report = import_reads(s, rules, cycle="A", period="2026-03", rows=rows, problems=problems, as_of=AS_OF,
                              actor="carla", now=NOW, layout=layout)
        assert not report.problems and report.accepted == 1
        read = s.scalar(select(MeterRead).where(MeterRead.period == "2026-03"))
        assert (read.read_on, read.reading, read.consumption_ccf) == (date(2026, 2, 26), 999, 11)


def test_a_bad_file_changes_nothing_and_names_each_line_and_column(committing_url, tmp_path):
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s, s.begin():
        good, closed, other = (account_with_reads(s, WINTER), account_with_reads(s, WINTER, status="closed"),
                               account_with_reads(s, WINTER, cycle="B"))
        before = (s.scalar(select(func.count()).select_from(MeterRead)),
                  s.scalar(select(func.count()).select_from(AuditEntry)))
    path = tmp_path / "route-7.dat"
    path.write_text("\n".join([
        handheld(good.number, "02262026", 998),       # line 1: good, but not stored: the file is refused
        handheld(closed.number, "02262026", 998),     # line 2
        handheld(other.number, "02302026", 99),       # line 3: no February 30, and cycle B
        handheld("NOPE-1", "02262026", 12),           # line 4
        handheld(good.number[:5], "0226", 0)[:14],    # line 5: cut short
        f"R{good.number:<10}02262026     12x5 ",      # line 6: the reading does not read
    ]) + "\n", encoding="utf-8")
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    refused = run(env, "reads", "import", str(path), "--cycle", "A", "--period", "2026-03", "--layout", "handheld",
                  "--as-of", "2026-03-01", "--rules-dir", str(REPO / "rules"))
    assert refused.exit_code == 1
    lines = refused.stderr.splitlines()
    assert lines[:5] == [
        f"{path}:2: account_number (characters 2-11): account {closed.number} is closed",
        f"{path}:3: read_on (characters 12-19): '02302026' is not a date written MMDDYYYY",
        f"{path}:4: account_number (characters 2-11): unknown account NOPE-1",
        f"{path}:5: line: the line is 14 characters long; the layout 'handheld' reads up to character 29",
        f"{path}:6: reading (characters 20-28): '12x5' is not a whole number of CCF (0 or more)",
    ]
    assert "refused (5 bad lines); nothing was imported" in refused.stderr
    with sessions() as s:
        assert (s.scalar(select(func.count()).select_from(MeterRead)),
                s.scalar(select(func.count()).select_from(AuditEntry))) == before


def test_a_csv_reread_replaces_the_read_sent_back_and_is_billed(committing_db):
    with committing_db() as s, s.begin():
        account = account_with_reads(s, WINTER)
    first, problems = parse_csv(["account_number,read_on,reading", f"{account.number},2026-02-26,1030"])
    with committing_db() as s, s.begin():
        report = import_reads(s, library(), cycle="A", period="2026-03", rows=first, problems=problems, as_of=AS_OF,
                              actor="carla", now=NOW)
        assert [h["account_number"] for h in report.held] == [account.number]
        read = s.scalar(select(MeterRead).where(MeterRead.period == "2026-03"))
        review.send_to_reread(s, read.id, actor="carla", now=NOW)
    again, problems = parse_csv(["account_number,read_on,reading,estimated",
                                 f"{account.number},2026-03-02,1000,no"])
    with committing_db() as s, s.begin():
        report = import_reads(s, library(), cycle="A", period="2026-03", rows=again, problems=problems, as_of=AS_OF,
                              actor="carla", now=NOW)
        assert (report.replaced, report.accepted, report.held) == (1, 1, [])
        read = s.scalar(select(MeterRead).where(MeterRead.period == "2026-03"))
        assert (read.read_on, read.consumption_ccf, read.review_status) == (date(2026, 3, 2), 12, "accepted")
    with committing_db() as s, s.begin():
        twice = import_reads(s, library(), cycle="A", period="2026-03", rows=again, problems=[], as_of=AS_OF,
                             actor="carla", now=NOW)
        assert [(p.line, p.column, p.message) for p in twice.problems] == [
            (2, "account_number", f"a read of 2026-03 is already on file for account {account.number} (accepted)")]
    from engine.money.billing import run_billing
    billed = run_billing(committing_db, library(), cycle="A", period="2026-03", rows=None, as_of=AS_OF, now=NOW)
    assert billed.billed == 1 and billed.billed_cents == 9745  # 12 CCF, winter average 7, as tests/ledger bills it
    with committing_db() as s:
        assert s.scalar(select(Bill.service_to)) == date(2026, 3, 2)


def test_estimate_missing_from_the_command_line(committing_url, tmp_path):
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s, s.begin():
        missing = account_with_reads(s, WINTER)
        new = account_with_reads(s, [])
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    done = run(env, "reads", "estimate-missing", "--cycle", "A", "--period", "2026-03",
               "--rules-dir", str(REPO / "rules"))
    assert done.exit_code == 0, done.stderr
    assert "Estimated 1 missing reads of cycle A 2026-03; 1 could not be." in done.stdout
    assert f"{new.number}: not estimated: no read is on file for this account to estimate from" in done.stderr
    with sessions() as s:
        read = s.scalar(select(MeterRead).where(MeterRead.account_id == missing.id, MeterRead.period == "2026-03"))
        assert (read.consumption_ccf, read.review_status, read.source) == (7, "estimated", "estimate")


def test_a_read_the_rules_accept_at_the_leak_factor_sends_its_letter(committing_db):
    """Use of exactly 3x the average is not held (held above 3x) but is the leak letter's jump: one letter."""
    from engine.accounts.read_letters import leak_letters
    from engine.accounts.customer_record import change_mailing_address
    with committing_db() as s, s.begin():
        account = account_with_reads(s, WINTER)                      # average 7.0: 21 CCF is 3x
        change_mailing_address(s, account.customer_id, street="9 Forwarding Way", unit="", city="Chico", state="CA",
                               zip_code="95926", in_force_from=AS_OF, reason="moved", actor="carla", today=AS_OF,
                               now=NOW)
    rows, problems = parse_csv(["account_number,read_on,reading", f"{account.number},2026-02-26,1009"])
    with committing_db() as s, s.begin():
        report = import_reads(s, library(), cycle="A", period="2026-03", rows=rows, problems=problems, as_of=AS_OF,
                              actor="carla", now=NOW)
        assert (report.accepted, report.held, len(report.leaks)) == (1, [], 1)
        [letter] = leak_letters(s, library(), report.leaks, AS_OF)
        assert leak_letters(s, library(), report.leaks, AS_OF) == []  # one letter per account and month
        assert (letter.notice_type, letter.subject_id, letter.created_on) == ("leak-letter", account.id, AS_OF)
        assert (letter.data["consumption_ccf"], letter.data["times_average"], letter.data["gallons"]) == (
            21, "3.0", "15,708")
        assert (letter.data["recipient"]["street"], letter.data["recipient"]["city"]) == ("9 Forwarding Way", "Chico")


def test_a_reads_csv_in_other_digits_or_naming_a_column_twice_is_refused_by_its_line():
    """A reading in Arabic-Indic digits was stored as 123 CCF; a second reading column was read in place of the first."""
    header = "account_number,read_on,reading,estimated\n"
    rows, problems = parse_csv([header, "A-1,2026-02-26,١٢٣,no\n", "A-2,2026-02-26,12²,no\n"])
    assert rows == []
    assert [(p.line, p.column, p.message) for p in problems] == [
        (2, "reading", "'١٢٣' is not a whole number of CCF (0 or more)"),
        (3, "reading", "'12²' is not a whole number of CCF (0 or more)")]
    with pytest.raises(ReadFileError) as refused:
        parse_csv(["account_number,read_on,reading, reading\n", "A-1,2026-02-26,998,12\n"])
    assert str(refused.value) == ("the read file's line 1 cannot be read: it names the column reading twice (columns 3 "
                                  "and 4), so which one holds the value is not known")


def test_a_reads_csv_line_with_a_value_after_the_last_column_is_refused_by_its_line():
    """A reading written 1,234 put 1 in reading and 234 in estimated's place: refused, as the billing run's reader does."""
    header = "account_number,read_on,reading,estimated\n"
    rows, problems = parse_csv([header, "A-1,2026-02-26,1,234,no\n", "A-2,2026-02-26,998,no,\n"])
    assert [row.account_number for row in rows] == ["A-2"]
    assert [(p.line, p.column, p.message) for p in problems] == [(2, "line", "has 5 fields; the header has 4")]


@pytest.mark.parametrize("content, said, billing_said", [
    (b"account_number,read_on,reading\nA-1\x00,2026-02-26,998\n",  # a psycopg DataError on PostgreSQL, no message
     ":2: account_number: holds a control character (U+0000), which no value of a reads file has",
     ":2: A-1\x00: account_number holds a control character (U+0000)"),
    ("account_number,read_on,reading\ncaf\xe9,2026-02-26,998\n".encode("latin-1"),
     ": the file is not UTF-8 text (byte 35 cannot be read)", None),  # was the codec's words, its byte of a chunk
    ("account_number,read_on,reading\nA-1,2026-02-26,998\n".encode("utf-16-le"),
     ": the file is not UTF-8 text (byte 2 cannot be read; it looks like UTF-16: save it as UTF-8)", None),
])
def test_a_reads_file_with_a_nul_or_not_in_utf8_is_refused_in_words_and_nothing_is_stored(committing_url, tmp_path,
                                                                                           content, said, billing_said):
    sessions = make_sessionmaker(make_engine(committing_url))
    with sessions() as s:
        before = (s.scalar(select(func.count()).select_from(MeterRead)),
                  s.scalar(select(func.count()).select_from(AuditEntry)))
    path = tmp_path / "reads.csv"
    path.write_bytes(content)
    env = {"DATABASE_URL": committing_url, "ORDINANCE_INSTANCE": str(tmp_path / "instance")}
    for command, words in ((("reads", "import"), said), (("billing", "run", "--reads"), billing_said or said)):
        refused = run(env, *command, str(path), "--cycle", "A", "--period", "2026-03", "--as-of", "2026-03-01",
                      "--rules-dir", str(REPO / "rules"))
        assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit), command
        assert f"{path}{words}" in refused.stderr, (command, refused.stderr)
    with sessions() as s:
        assert (s.scalar(select(func.count()).select_from(MeterRead)),
                s.scalar(select(func.count()).select_from(AuditEntry))) == before
