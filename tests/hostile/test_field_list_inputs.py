"""Hostile rows on a field list's results form: a ticked case number or a version longer than any record id.

The form ticks case numbers ("done") with each row's version; one of 20 digits reached the
database (SQLite cannot bind it: a 500). It is refused whole (400) and nothing is taken; a version
that long is read as none seen (the case's own check refuses the row).
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.store.models import AuditEntry, Case
from tests.web.test_pages_bad_input import records  # noqa: F401  (fixture: a case, a field list's key)

TOO_LONG = "99999999999999999999"  # 20 digits: past the largest BIGINT


@pytest.mark.parametrize("ticked", [TOO_LONG, "9223372036854775808"])
def test_a_ticked_case_number_past_any_record_id_is_refused_whole(app, login_as, records, db, ticked):
    clerk, key = login_as("clerk"), records["key"]
    before = db.scalar(select(func.count()).select_from(AuditEntry))
    answer = clerk.post(f"/field/{key}", data={"done": [records["case_id"], ticked], f"c{ticked}-version": "1"})
    assert answer.status_code == 400
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == before
    assert db.get(Case, int(records["case_id"])).state == "past_due"

