"""A license's facts include its measures: renewals, late penalties and notices counted as of the day."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from engine import audit
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.models import CaseEvent, Notice
from engine.workflow.facts import FactContext, license_facts, subject_facts
from tests.factories import create_case, create_license

RULES = Path(__file__).resolve().parents[2] / "rules"
NOW = datetime(2027, 3, 15, 17, 0, tzinfo=timezone.utc)

MEASURES = ["""\
id: renewals-3y
kind: measure
title: Renewals in the last 3 years
subject: license
provides: renewals_3y
versions:
  - effective: 2024-01-01
    count: {of: renewals, within: {years: 3}}
""", """\
id: penalties-total
kind: measure
title: Late penalties assessed
subject: license
provides: penalties_total
versions:
  - effective: 2024-01-01
    sum: {of: penalties, field: amount}
""", """\
id: last-lapse-notice
kind: measure
title: The last lapse notice
subject: license
provides: last_lapse_notice_on
versions:
  - effective: 2024-01-01
    latest: {of: notices, where: {type: license-lapsed}}
"""]


def test_a_license_case_reads_its_renewals_penalties_and_notices(db):
    library = RuleLibrary.from_documents([*RuleLibrary.from_folder(RULES),
                                          *(load_document(text, "m.yaml") for text in MEASURES)])
    lic = create_license(db)
    case = create_case(db, workflow_id="licensing", subject_type="license", subject_id=lic.id, account_id=None,
                       license_id=lic.id, state="renewed")
    for day, step, to in ((date(2023, 12, 20), "renew_license", "renewed"),
                          (date(2025, 1, 10), "renew_late", "renewed"), (date(2026, 1, 5), "renew_license", "renewed"),
                          (date(2027, 4, 1), "renew_license", "renewed"), (date(2026, 6, 1), "mark_late", "late")):
        db.add(CaseEvent(case_id=case.id, at=NOW, on_date=day, actor="carla", step=step, from_state="late",
                         to_state=to, form={}, rules=[], explanation=[]))
    for day, schedule, amount in ((date(2025, 1, 10), "license-late-penalty", "29.00"),
                                  (date(2025, 1, 10), "business-license-fee", "145.00"),
                                  (date(2026, 2, 1), "license-late-penalty", "14.50"),
                                  (date(2027, 4, 1), "license-late-penalty", "99.00")):
        audit.record(db, actor="carla", action="license.fee", subject_type="license", subject_id=lic.id, at=NOW,
                     detail={"amount": amount, "schedule": schedule, "rule_version": "2025-01-01",
                             "on": day.isoformat(), "case_id": case.id, "title": schedule})
    for day, kind in ((date(2025, 5, 1), "license-lapsed"), (date(2026, 6, 2), "license-lapsed"),
                      (date(2026, 11, 16), "license-renewal-reminder")):
        db.add(Notice(case_id=case.id, subject_type="license", subject_id=lic.id, notice_type=kind,
                      period=day.isoformat(), language="en", created_on=day, data={}))
    db.flush()
    renewed = {"licensing": ("renewed",)}  # the states tagged license_renewed (a case's workflow gives them)
    facts = license_facts(FactContext(session=db, rules=library, on=date(2027, 3, 15), renewed=renewed), lic.id, {})
    # renewals after 2024-03-15 and on or before the day: 2025-01-10 and 2026-01-05 (2027-04-01 is later)
    assert (facts["renewals_3y"], str(facts["penalties_total"]), facts["last_lapse_notice_on"]) == (
        2, "43.50", date(2026, 6, 2))
    documented = subject_facts("license", library)
    assert (documented["penalties_total"].type, documented["renewals_3y"].meaning) == (
        "money", "Renewals in the last 3 years (renewals-3y)")
