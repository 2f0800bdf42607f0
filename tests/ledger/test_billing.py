"""Billing runs from meter reads: bills to the cent from the city's rates, bad rows, reruns, exceptions."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.audit import verify_chain
from engine.money.billing import BillingError, billing_dates, parse_reads, run_billing
from engine.money.ledger import standing
from engine.store.models import AuditEntry, Bill, LedgerEntry, MeterRead
from tests.factories import NOW
from tests.ledger.billing_support import account_with_reads, library, reads_file

AS_OF = date(2026, 3, 1)
WINTER = [("2025-12", date(2025, 12, 27), 980, 6), ("2026-01", date(2026, 1, 28), 988, 8)]
SHOP = [("2025-12", date(2025, 12, 27), 962, 24), ("2026-01", date(2026, 1, 28), 988, 26)]  # a shop uses more


def _run(sessions, path, **kw):
    """Parse the file and bill cycle A for 2026-03; the parse problems and the report."""
    with open(path, newline="") as handle:
        rows, problems = parse_reads(handle)
    report = run_billing(sessions, library(), cycle=kw.get("cycle", "A"), period="2026-03", rows=rows,
                         as_of=AS_OF, now=NOW, chunk=kw.get("chunk", 3))
    return problems + report.problems, report


def test_bills_to_the_cent_and_bad_rows_by_line(committing_db, tmp_path):
    """Two good reads billed exactly; every bad row named by its line with nothing posted for it; a reading
    below the previous one is no bad row but a read held for review (negative use), stored and not billed."""
    with committing_db() as s, s.begin():
        home = account_with_reads(s, WINTER).number                      # 12 CCF, winter average 7
        shop = account_with_reads(s, SHOP, meter_size='1"', rate_class="commercial").number
        other_cycle = account_with_reads(s, WINTER, cycle="B").number
        closed = account_with_reads(s, WINTER, status="closed").number
        rolled_back = account_with_reads(s, WINTER).number
        twice = account_with_reads(s, WINTER).number
        stored = account_with_reads(s, WINTER + [("2026-03", date(2026, 2, 25), 990, 2)]).number
        no_history = account_with_reads(s, []).number
    path = reads_file(tmp_path, [
        f"{home},2026-02-26,1000",           # line 2
        f"{shop},2026-02-26,1018",           # line 3: 30 CCF commercial
        "NO-SUCH-1,2026-02-26,5",            # line 4
        f"{other_cycle},2026-02-26,999",     # line 5
        f"{closed},2026-02-26,999",          # line 6
        f"{rolled_back},2026-02-26,900",     # line 7
        f"{twice},2026-02-26,999",           # line 8
        f"{twice},2026-02-27,1001",          # line 9
        f"{stored},2026-02-26,999",          # line 10
        f"{home[:-1]}X,02/26/2026,5",        # line 11
        f"{no_history},2026-02-26,12x",      # line 12
        f"{no_history},2026-02-26,40",       # line 13: no earlier read and no consumption
    ])
    problems, report = _run(committing_db, path)
    by_line = {p.line: p.message for p in problems}
    assert sorted(by_line) == [4, 5, 6, 8, 9, 10, 11, 12, 13]
    assert "unknown account NO-SUCH-1" in by_line[4]
    assert "cycle B, not A" in by_line[5]
    assert "closed" in by_line[6]
    assert [(e["line"], e["account_number"]) for e in report.exceptions] == [(7, rolled_back)]
    assert "Negative use: reading 900 is below the previous reading 988" in report.exceptions[0]["exception"]
    assert "also on line 9" in by_line[8] and "also on line 8" in by_line[9]
    assert "already stored" in by_line[10]
    assert "not a date" in by_line[11]
    assert "'12x' is not a whole number" in by_line[12]
    assert "give its consumption" in by_line[13]
    assert report.billed == 2 and report.billed_cents == 9745 + 24866
    with committing_db() as s:
        bills = {b.consumption_ccf: b for b in s.scalars(select(Bill))}
        home_bill, shop_bill = bills[12], bills[30]
        assert home_bill.total_cents == 9745 and shop_bill.total_cents == 24866
        assert [(line.name, line.amount_cents) for line in home_bill.lines] == [
            ("Water base charge", 2702), ("Water use", 2720), ("Sewer base charge", 1633),
            ("Sewer use (winter average)", 2226), ("Franchise fee", 464)]
        assert home_bill.rule_id == "water-rates-residential" and home_bill.rule_version == "2025-07-01"
        assert home_bill.explanation["facts"]["winter_average_ccf"] == "7"
        assert (home_bill.service_from, home_bill.service_to) == (date(2026, 1, 29), date(2026, 2, 26))
        charges = s.scalars(select(LedgerEntry).where(LedgerEntry.kind == "charge")).all()
        assert [line.service for line in home_bill.lines] == ["water", "water", "sewer", "sewer", "fees"]
        assert {c.service: c.amount_cents for c in charges if c.bill_id == home_bill.id} == {
            "water": 2702 + 2720, "sewer": 1633 + 2226, "fees": 464}  # one charge per service, summing to 97.45
        assert sum(c.amount_cents for c in charges if c.bill_id == shop_bill.id) == 24866
        assert {c.due_on for c in charges} == {date(2026, 3, 23)}
        assert {c.actor for c in charges} == {"billing:A-2026-03"}
        assert charges[0].due_on == date(2026, 3, 23)  # bill day Mar 1 + 21 = Sunday Mar 22, rolled to Monday
        assert billing_dates(library(), "A", "2026-03", AS_OF)[2] == "city-calendar"
        assert standing(s, home_bill.account_id, AS_OF).balance == Decimal("97.45")
        reads = s.scalars(select(MeterRead).where(MeterRead.period == "2026-03")).all()
        assert sorted((r.consumption_ccf, r.review_status) for r in reads) == [
            (-88, "to_review"), (2, "accepted"), (12, "accepted"), (30, "accepted")]
        assert verify_chain(s).intact


def test_a_second_run_posts_nothing(committing_db, tmp_path):
    """The same cycle and period again: every account already billed, no new entries."""
    with committing_db() as s, s.begin():
        numbers = [account_with_reads(s, WINTER).number for _ in range(4)]
    path = reads_file(tmp_path, [f"{n},2026-02-26,{1000 + i}" for i, n in enumerate(numbers)])
    _, first = _run(committing_db, path)
    with committing_db() as s:
        entries = s.scalar(select(func.count()).select_from(LedgerEntry))
    problems, second = _run(committing_db, path)
    assert first.billed == 4 and second.billed == 0 and second.already_billed == 4 and not problems
    with committing_db() as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == entries


def test_one_audit_row_per_bill_names_each_of_its_charges(committing_db, tmp_path):
    """A bill's charges (one per service) are told by one chained audit row on the account: each entry's id,
    amount and service as the ledger has them, the bill's reference and rates, and the total; a second run adds none."""
    with committing_db() as s, s.begin():
        numbers = [account_with_reads(s, WINTER).number for _ in range(3)]
    path = reads_file(tmp_path, [f"{n},2026-02-26,{1000 + i}" for i, n in enumerate(numbers)])
    _run(committing_db, path, chunk=2)
    _run(committing_db, path, chunk=2)
    with committing_db() as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        bills = s.scalars(select(Bill).order_by(Bill.id)).all()
        assert [(r.action, r.subject_id) for r in rows] == [("ledger.bill_charges", str(b.account_id)) for b in bills]
        for row, bill in zip(rows, bills):
            entries = s.scalars(select(LedgerEntry).where(LedgerEntry.bill_id == bill.id).order_by(LedgerEntry.id)).all()
            assert len(entries) == 3
            assert row.actor == "billing:A-2026-03" and row.detail == {
                "bill_id": bill.id, "reference": f"bill {bill.id}", "rule_id": bill.rule_id,
                "rule_version": bill.rule_version, "on": bill.billed_on.isoformat(),
                "amount": f"{Decimal(bill.total_cents) / 100:.2f}",
                "charges": [{"entry_id": e.id, "amount": f"{Decimal(e.amount_cents) / 100:.2f}", "service": e.service}
                            for e in entries]}
        assert verify_chain(s).intact and verify_chain(s).rows == 3


def test_a_period_across_a_rate_change_is_prorated(committing_db, tmp_path):
    """Read 2026-06-15 to 2026-07-15: 15 days at FY2025-26 rates and 15 at FY2026-27; lines sum to the total."""
    with committing_db() as s, s.begin():
        number = account_with_reads(s, [("2026-06", date(2026, 6, 15), 500, 9)]).number
    path = reads_file(tmp_path, [f"{number},2026-07-15,512"])
    with open(path, newline="") as handle:
        rows, _ = parse_reads(handle)
    report = run_billing(committing_db, library(), cycle="A", period="2026-08", rows=rows, as_of=date(2026, 8, 1),
                         now=NOW)
    assert report.billed == 1 and report.billed_cents == 4539 + 4766
    with committing_db() as s:
        bill = s.scalars(select(Bill)).one()
        assert sum(line.amount_cents for line in bill.lines) == bill.total_cents == 9305
        assert bill.lines[-1].name == "Proration across a rate change"
        assert [p["days"] for p in bill.explanation["parts"]] == [15, 15]


def test_zero_and_high_use_are_held_and_listed(committing_db, tmp_path):
    """Zero use, and use over three times the account's own average (the meter-reads rule), are held for
    review: stored, listed in the exceptions and among the reads not billed, and not billed."""
    with committing_db() as s, s.begin():
        quiet = account_with_reads(s, WINTER).number
        leak = account_with_reads(s, WINTER).number
        normal = account_with_reads(s, WINTER).number
    path = reads_file(tmp_path, [f"{quiet},2026-02-26,988", f"{leak},2026-02-26,1010", f"{normal},2026-02-26,996"])
    problems, report = _run(committing_db, path)
    assert not problems and report.billed == 1 and report.billed_cents == 8666
    kinds = {e["account_number"]: e["exception"] for e in report.exceptions}
    assert kinds[quiet] == "Zero use: the meter has not moved since the previous read (the 12-month average is 7.0 CCF)"
    assert kinds[leak] == "High use: 22 CCF is 3.1 times the 12-month average of 7.0 CCF (held above 3 times)"
    assert normal not in kinds and [e["line"] for e in report.exceptions] == [2, 3]
    assert sorted((e.account_number, e.status) for e in report.not_billed) == [
        (quiet, "to_review"), (leak, "to_review")]


def test_two_runs_of_one_cycle_at_once_bill_each_account_once(committing_url, tmp_path):
    """Two billing runs of the same file at the same time (two threads, two engines): one bill per account."""
    import threading

    from engine.store.db import make_engine, make_sessionmaker
    factories = [make_sessionmaker(make_engine(committing_url)) for _ in range(2)]
    with factories[0]() as s, s.begin():
        numbers = [account_with_reads(s, WINTER).number for _ in range(12)]
    path = reads_file(tmp_path, [f"{n},2026-02-26,{995 + i}" for i, n in enumerate(numbers)])
    reports, errors, barrier = [], [], threading.Barrier(2)

    def bill(sessions):
        """One whole run in this thread."""
        try:
            barrier.wait(timeout=30)
            reports.append(_run(sessions, path, chunk=4)[1])
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=bill, args=(f,)) for f in factories]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert sum(r.billed for r in reports) == 12 and sum(r.already_billed for r in reports) == 12
    with factories[0]() as s:
        assert s.scalar(select(func.count()).select_from(Bill)) == 12
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 12 * 3  # water, sewer and fees, once each
        assert s.scalar(select(func.count(func.distinct(LedgerEntry.bill_id)))) == 12
        assert verify_chain(s).intact


def test_a_file_may_give_consumption_instead_of_readings(committing_db, tmp_path):
    """With a consumption column, a first read needs no history; a mismatch with the readings is refused."""
    with committing_db() as s, s.begin():
        new = account_with_reads(s, [], opened_on=date(2026, 2, 1)).number
        old = account_with_reads(s, WINTER).number
    path = reads_file(tmp_path, [f"{new},2026-02-26,,12", f"{old},2026-02-26,1000,11"],
                      header="account_number,read_on,reading,consumption")
    problems, report = _run(committing_db, path)
    assert [(p.line, p.message) for p in problems] == [
        (3, "consumption 11 does not match reading less previous reading (12)")]
    assert report.billed == 1
    with committing_db() as s:
        bill = s.scalars(select(Bill)).one()
        assert (bill.service_from, bill.consumption_ccf) == (date(2026, 2, 1), 12)
        assert bill.total_cents == 9077  # 27.02 + 27.20 + 16.33 + 5 x 3.18 (default winter average) = 86.45, + 5% 4.32


def test_a_file_without_the_needed_columns_is_refused_whole():
    """No account_number column: nothing is read, and the message names what was found."""
    import pytest

    from engine.money.billing import BillingError
    with pytest.raises(BillingError, match="account_number, read_on and reading"):
        parse_reads(["acct,date,value", "1,2026-02-26,5"])


def test_one_read_in_a_billed_december_is_billed_for_the_next_free_month_in_january(db):
    """A final read whose month is billed takes the first later month without a bill or read: 2026-12 is taken,
    2027-01 too, so 2027-02 (the period steps by engine.rules.months.period_months_later)."""
    from engine.money.billing import bill_one_read
    account = account_with_reads(db, [("2026-11", date(2026, 11, 20), 1000, 10),
                                       ("2026-12", date(2026, 12, 18), 1012, 12),
                                       ("2027-01", date(2027, 1, 3), 1014, 2)])
    one = bill_one_read(db, library(), account, read_on=date(2026, 12, 28), reading=1020, billed_on=date(2026, 12, 28),
                        due_on=date(2027, 1, 20), now=NOW, actor="test", source="final read", store=False)
    assert one.bill["period"] == "2027-02" and one.read["period"] == "2027-02"


# --- the billing document: what the run decides besides the rates and the read review ----------


def _city_with_billing(replace: dict[str, str], *, calendar: bool = True):
    """The city's rules with its billing document's lines replaced (and without city-calendar unless `calendar`)."""
    from engine.rules.library import RuleLibrary
    from engine.rules.loader import load_document
    docs = list(library())
    policy = next(doc for doc in docs if doc.kind == "billing")
    text = policy.text
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    kept = [doc for doc in docs if doc.id != policy.id and (calendar or doc.id != "city-calendar")]
    return RuleLibrary.from_documents([*kept, load_document(text, "billing-policy.yaml")], known=docs)


def test_the_billing_document_decides_the_rate_schedule_the_winter_average_and_the_due_date(committing_db, tmp_path):
    """A city billing commercial accounts on the residential rates, with a winter of November to March averaged
    to a tenth, and bills due 30 days after the run when it has no calendar: billed to the cent and the day."""
    city = _city_with_billing({
        "commercial: water-rates-commercial": "commercial: water-rates-residential",
        "months: [12, 1, 2], within: {days: 366}, places: 0": "months: [11, 12, 1, 2, 3], within: {days: 366}, "
                                                              "places: 1",
        "due_without_calendar: {days: 21}": "due_without_calendar: {days: 30}"}, calendar=False)
    autumn = [("2025-11", date(2025, 11, 26), 974, 8)]
    with committing_db() as s, s.begin():
        shop = account_with_reads(s, autumn + WINTER, rate_class="commercial").number
    path = reads_file(tmp_path, [f"{shop},2026-02-26,1000"])  # 12 CCF
    with open(path, newline="") as handle:
        rows, _ = parse_reads(handle)
    report = run_billing(committing_db, city, cycle="A", period="2026-03", rows=rows, as_of=AS_OF, now=NOW)
    assert report.billed == 1 and not report.problems and not report.exceptions
    with committing_db() as s:
        bill = s.scalars(select(Bill)).one()
        assert bill.rule_id == "water-rates-residential"
        assert bill.explanation["facts"]["winter_average_ccf"] == "7.3"  # (8 + 6 + 8) / 3, to a tenth
        assert (bill.billed_on, bill.due_on) == (AS_OF, date(2026, 3, 31))  # 2026-03-01 + 30 days
        assert [(line.name, line.amount_cents) for line in bill.lines] == [
            ("Water base charge", 2702), ("Water use", 2720), ("Sewer base charge", 1633),
            ("Sewer use (winter average)", 2321), ("Franchise fee", 469)]
        assert bill.total_cents == 9845
    assert billing_dates(city, "A", "2026-03", AS_OF) == (AS_OF, date(2026, 3, 31),
                                                          "bill date + 30 days (no rule document named city-calendar)")


def test_a_rate_class_the_billing_document_does_not_list_is_refused_by_line(committing_db, tmp_path):
    """Commercial taken out of the document: the commercial account's row is refused, naming the document."""
    city = _city_with_billing({"      commercial: water-rates-commercial\n": ""})
    with committing_db() as s, s.begin():
        shop = account_with_reads(s, WINTER, rate_class="commercial").number
    path = reads_file(tmp_path, [f"{shop},2026-02-26,1000"])
    with open(path, newline="") as handle:
        rows, _ = parse_reads(handle)
    report = run_billing(committing_db, city, cycle="A", period="2026-03", rows=rows, as_of=AS_OF, now=NOW)
    assert [(p.line, p.message) for p in report.problems] == [
        (2, "rate class 'commercial' has no rate schedule in billing-policy")]
    assert report.billed == 0


def test_without_a_billing_document_the_run_does_not_start(committing_db):
    import pytest

    from engine.money.billing import BillingError
    from engine.rules.library import RuleLibrary
    without = RuleLibrary.from_documents([doc for doc in library() if doc.kind != "billing"])
    with pytest.raises(BillingError, match="the city has no billing document"):
        run_billing(committing_db, without, cycle="A", period="2026-03", rows=[], as_of=AS_OF, now=NOW)


def test_a_billing_document_naming_a_document_that_is_no_schedule_is_refused_with_its_line():
    import pytest

    from engine.rules.errors import DocumentErrors
    with pytest.raises(DocumentErrors) as refused:
        _city_with_billing({"commercial: water-rates-commercial": "commercial: late-fee-waiver-eligibility"})
    assert [(e.line, e.path, e.message) for e in refused.value.errors] == [
        (15, "versions[0].rate_schedules.commercial", '"late-fee-waiver-eligibility" is a criteria, not a schedule')]


def test_a_statement_chart_of_more_than_36_bills_is_refused_with_its_line():
    import pytest

    from engine.rules.errors import DocumentErrors
    from engine.money.billing import billing_policy
    winter = "winter_average: {months: [12, 1, 2], within: {days: 366}, places: 0}"
    with pytest.raises(DocumentErrors) as refused:
        _city_with_billing({winter: winter + "\n    usage_history: {bills: 37}"})
    [error] = refused.value.errors
    assert (error.line, error.path) == (19, "versions[0].usage_history.bills") and "36" in error.message
    thirteen = _city_with_billing({winter: winter + "\n    usage_history: {bills: 13}"})
    assert billing_policy(thirteen, date(2026, 3, 1)).usage_bills == 13
    assert billing_policy(library(), date(2026, 3, 1)).usage_bills == 12


def test_the_bill_and_due_dates_come_from_the_calendar_the_billing_document_names():
    """The calendar is the billing document's to name: without one the days after the bill apply; one that is no
    calendar is refused with its line."""
    import pytest

    from engine.rules.errors import DocumentErrors
    from engine.money.billing import billing_dates
    assert billing_dates(library(), "A", "2026-03", AS_OF)[2] == "city-calendar"
    none = _city_with_billing({"    calendar: city-calendar\n": ""})
    assert billing_dates(none, "A", "2026-03", AS_OF) == (
        AS_OF, AS_OF + timedelta(days=21), "bill date + 21 days (the billing document names no calendar)")
    with pytest.raises(DocumentErrors) as refused:
        _city_with_billing({"calendar: city-calendar": "calendar: late-fee"})
    assert [(e.line, e.path, e.message) for e in refused.value.errors] == [
        (17, "versions[0].calendar", '"late-fee" is a schedule, not a calendar')]


def test_a_run_after_the_timelines_bill_date_bills_on_its_day_and_counts_the_due_date_from_it(committing_db,
                                                                                              tmp_path):
    """A run for March made on April 10 dated its bills March 1 and due March 23: past the day they were mailed,
    and past due the night they were posted. The bill date is the run's day, the due date counted again from it by
    the timeline's rule (21 days, rolled to an office day)."""
    late = date(2026, 4, 10)
    assert billing_dates(library(), "A", "2026-03", late) == (
        late, date(2026, 5, 1), "city-calendar, counted from the run's day 2026-04-10 (the timeline's bill date "
                                "2026-03-01 had passed)")
    assert billing_dates(library(), "A", "2026-03", date(2026, 2, 27))[:2] == (date(2026, 3, 1), date(2026, 3, 23))
    with committing_db() as s, s.begin():
        number = account_with_reads(s, WINTER).number
    with open(reads_file(tmp_path, [f"{number},2026-02-26,1003"]), newline="") as handle:
        rows, _ = parse_reads(handle)
    report = run_billing(committing_db, library(), cycle="A", period="2026-03", rows=rows, as_of=late, now=NOW)
    assert report.billed == 1
    with committing_db() as s:
        bill = s.scalars(select(Bill)).one()
        assert (bill.billed_on, bill.due_on) == (late, date(2026, 5, 1))
        assert {c.due_on for c in s.scalars(select(LedgerEntry).where(LedgerEntry.kind == "charge"))} == {
            date(2026, 5, 1)}


def test_each_chunk_lets_the_clerks_waiting_to_write_go_first(committing_db, tmp_path, monkeypatch):
    """On SQLite a billing run's chunk gives way (engine.store.write_turns) before it takes the write lock."""
    from engine.store.write_turns import WriteTurns

    with committing_db() as s, s.begin():
        numbers = [account_with_reads(s, WINTER).number for _ in range(7)]
        sqlite = s.get_bind().dialect.name == "sqlite"
    gave_way = []
    real = WriteTurns.give_way
    monkeypatch.setattr(WriteTurns, "give_way", lambda turns, **kw: gave_way.append(turns.path) or real(turns, **kw))
    path = reads_file(tmp_path, [f"{n},2026-02-26,{1000 + i}" for i, n in enumerate(numbers)])
    _, report = _run(committing_db, path)  # chunks of 3: 3, 3 and 1
    assert report.billed == 7
    assert len(gave_way) == (3 if sqlite else 0)


def test_a_billing_run_reads_file_in_other_digits_or_naming_a_column_twice_is_refused_by_its_line():
    """The billing run's reader took a reading in Arabic-Indic digits as 123 CCF and a second reading column's value."""
    rows, problems = parse_reads(["account_number,read_on,reading\n", "A-1,2026-02-26,١٢٣\n"])
    assert rows == [] and [(p.line, p.message) for p in problems] == [
        (2, "reading '١٢٣' is not a whole number of CCF (0 or more)")]
    with pytest.raises(BillingError) as refused:
        parse_reads(["account_number,read_on,reading,reading\n", "A-1,2026-02-26,998,12\n"])
    assert str(refused.value) == ("the read file's line 1 cannot be read: it names the column reading twice (columns 3 "
                                  "and 4), so which one holds the value is not known")


def test_a_billing_run_reads_file_line_with_a_value_after_the_last_column_is_refused_by_its_line():
    """A comma too many (a reading written 1,234) put 1 in reading and the rest in a field nobody read: 1 CCF billed."""
    rows, problems = parse_reads(["account_number,read_on,reading\n", "A-1,2026-02-26,1,234\n",
                                  "A-2,2026-02-26,998,\n", "A-3,2026-02-26,999, , \n"])
    assert [row.account_number for row in rows] == ["A-2", "A-3"]  # empty trailing fields are let be
    assert [(p.line, p.account_number, p.message) for p in problems] == [
        (2, "A-1", "the line has 4 fields; the header has 3")]


def test_a_billing_run_reads_file_with_a_nul_in_an_account_number_names_its_line():
    """The NUL went to the account lookup: a psycopg DataError on PostgreSQL (text cannot hold one), no message."""
    rows, problems = parse_reads(["account_number,read_on,reading\n", "A-1\x00,2026-02-26,998\n"])
    assert rows == [] and [(p.line, p.message) for p in problems] == [
        (2, "account_number holds a control character (U+0000)")]


@pytest.mark.parametrize("period", ["٢٠٢٦-03", "2026-０3", "2026-3"])
def test_a_billing_period_is_written_in_the_digits_0_to_9(period):
    """\\d took other scripts' digits: "٢٠٢٦-03" was the period 2026-03, kept as written on the bills."""
    from engine.money.billing import check_period

    with pytest.raises(BillingError) as refused:
        check_period(period)
    assert str(refused.value) == f"period {period!r} is not a month written YYYY-MM"
