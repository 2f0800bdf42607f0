"""Migration 0035 (notices left out): the day a mailing left a notice out, in, out, and in again; a notice left out
before the migration gets the day its `notice.not_mailed` audit row names, and the others none."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from engine import audit
from engine.store.db import make_engine
from engine.store.models import Notice
from engine.store.schema import upgrade
from tests.store.migrations import downgrade_to

NIGHT = date(2026, 6, 18)


def _notice(session: Session, period: str) -> int:
    notice = Notice(subject_type="utility_account", subject_id=1, notice_type="shutoff-notice", period=period,
                    language="en", created_on=NIGHT, data={"due_date": "2026-06-17"})
    session.add(notice)
    session.flush()
    return notice.id


def test_the_notices_left_out_migration_goes_down_and_up_again_and_reads_the_audit_log(committing_url):
    engine = make_engine(committing_url)
    try:
        with Session(engine) as session, session.begin():
            left_out, mailed = _notice(session, "1.1"), _notice(session, "2.1")
            audit.record(session, actor="sweep:delinquency", action="notice.not_mailed", subject_type="notice",
                         subject_id=left_out, detail={"notice_type": "shutoff-notice", "date": "due_date",
                                                      "was": "2026-06-17", "printed_on": "2026-06-19"},
                         at=datetime(2026, 6, 19, 10, tzinfo=timezone.utc))
        downgrade_to(committing_url, "0034_chart_of_accounts")
        assert "left_out_on" not in {c["name"] for c in inspect(engine).get_columns("notices")}
        upgrade(engine)
        with engine.connect() as connection:
            days = dict(connection.execute(text("SELECT id, left_out_on FROM notices")).all())
        assert {key: str(day) if day else None for key, day in days.items()} == {left_out: "2026-06-19",
                                                                                 mailed: None}
    finally:
        engine.dispose()
