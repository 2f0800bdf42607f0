"""No door hanger, release or shut-off while the case's shut-off notice was never mailed (`requires_sent:`).

The shut-off notices' night mails nine of ten; one, its pay-by day already past when the mailing prints, is left out
(engine.sweeps.mailing). That case's door hanger is refused on the case page, in words; the others' may be posted.
A case already at the door hanger is not released to the crew by the sweep, and the night's report says why, each
night in the same words. The phone list (and the API's day list) leaves the held case out: its customer is not called
about a shut-off that will not happen. When the notice lapses the notices start again, the new one is mailed, and the
case goes on, back on the phone list with its new day.
"""
from __future__ import annotations

from csv import DictReader
from datetime import date, datetime, timedelta, timezone
from io import StringIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models import Case, Notice, UtilityAccount
from engine.sweeps.phone_export import write_phone_export
from engine.users import add_user
from engine.sweeps.mailing import Mailer
from engine.sweeps.registry import get_sweep
from engine.sweeps.runner import SweepContext, run_sweep
from engine.workflow import services
from tests.factories import sample_version
from tests.sweeps.conftest import REPO, AfterEachChunk, at, sweep
from tests.sweeps.test_mailed_is_mailed import clerk_client
from webapp.api.services import shutoffs_on

TEMPLATES = REPO / "templates" / "notices"
SHUTOFF_NOTICE_NIGHT = date(2026, 6, 18)  # the reminders' pay-by day: the shut-off notices' night
PAST = "2026-06-17"  # a pay-by day already past on the shut-off notices' night


def first_shutoff_notice_dated_yesterday(session: Session, ctx: SweepContext) -> None:
    """The night's first shut-off notice dated to be paid the day before."""
    first = session.scalar(select(Notice).where(Notice.sweep_run_id == ctx.run_id,
                                                Notice.notice_type == "shutoff-notice")
                           .order_by(Notice.id).limit(1))
    if first is not None and not any(n.data["due_date"] == PAST for n in session.scalars(
            select(Notice).where(Notice.sweep_run_id == ctx.run_id))):
        first.data = {**first.data, "due_date": PAST}


def _day(value: str) -> date:
    return date.fromisoformat(value)


def session_day(factory, case_id: int) -> date:
    """The case's door hanger day."""
    with factory() as session:
        return _day(session.get(Case, case_id).fields["door_hanger_on"])


def shutoff_notices_with_one_left_out(factory, catalog, tmp_path) -> tuple[Notice, list[Notice]]:
    """The reminders' night, then the shut-off notices' night mailed with one left out: (left out, mailed)."""
    sweep(factory, catalog)  # the reminders (not mailed here: the guard reads only the shut-off notice)
    outcome = run_sweep(factory, AfterEachChunk(get_sweep("delinquency"), first_shutoff_notice_dated_yesterday),
                        as_of=SHUTOFF_NOTICE_NIGHT, today=SHUTOFF_NOTICE_NIGHT, clock=lambda: at(SHUTOFF_NOTICE_NIGHT),
                        runner="test", services=catalog, mailer=Mailer(TEMPLATES, tmp_path / "notices"))
    assert outcome.status == "done"
    with factory() as session:
        notices = session.scalars(select(Notice).where(Notice.notice_type == "shutoff-notice")
                                  .order_by(Notice.id)).all()
    [left_out] = [n for n in notices if n.batch_id is None]
    return left_out, [n for n in notices if n.batch_id is not None]


def refusal(notice: Notice) -> str:
    return (f"the Notice of Service Shut-Off of Jun 18, 2026 (notice {notice.id}) was never mailed or printed: a new "
            "one must go out first")


def _door_hanger(session: Session, catalog, case_id: int, on: date) -> services.StepOption:
    [option] = [o for o in services.steps_for(session, catalog, case_id, user="carla", on=on)
                if o.id == "post_door_hanger"]
    return option


def test_the_door_hanger_waits_for_a_shutoff_notice_never_mailed_and_the_others_go_on(
        committing_db, committing_url, catalog, city, tmp_path):
    left_out, mailed = shutoff_notices_with_one_left_out(committing_db, catalog, tmp_path)
    assert len(mailed) == 9
    with committing_db() as session:
        held_case = session.get(Case, left_out.case_id)
        hanger_day = _day(held_case.fields["door_hanger_on"])
    clerk = clerk_client(committing_url, committing_db, tmp_path, TEMPLATES,
                         now=datetime.combine(hanger_day, datetime.min.time(), tzinfo=timezone.utc)
                         + timedelta(hours=18))
    with committing_db() as session:
        held = _door_hanger(session, catalog, left_out.case_id, hanger_day)
        assert not held.allowed and held.reasons == [refusal(left_out)]
        others = [_door_hanger(session, catalog, n.case_id, _day(session.get(Case, n.case_id).fields["door_hanger_on"]))
                  for n in mailed]
        assert all(o.allowed for o in others)
    page = clerk.get(f"/cases/{left_out.case_id}").get_data(as_text=True)
    steps = page[page.index('id="steps-h"'):]
    assert f"(notice {left_out.id}) was never mailed or printed: a new one must go out first" in steps
    assert f'<span id="shutoff-unsent">Held: {refusal(left_out)}.</span>' in page  # the shut-off day says so
    assert 'id="shutoff-unsent"' not in clerk.get(f"/cases/{mailed[0].case_id}").get_data(as_text=True)
    hangers = clerk.get("/field/delinquency.post_door_hanger").get_data(as_text=True)
    held_part = hangers[hangers.index("<h2>Held today</h2>"):]
    assert f'href="/cases/{left_out.case_id}"' in held_part and refusal(left_out) in held_part
    due_part = hangers[:hangers.index("<h2>Held today</h2>")]
    assert f'href="/cases/{left_out.case_id}"' not in due_part
    due_today = [n.case_id for n in mailed if session_day(committing_db, n.case_id) == hanger_day]
    assert due_today and all(f'href="/cases/{case_id}"' in due_part for case_id in due_today)
    with committing_db() as session, session.begin():  # the clerk posts it anyway: refused, nothing changes
        try:
            services.take_step(session, catalog, left_out.case_id, "post_door_hanger", user="carla", on=hanger_day,
                               now=at(hanger_day), version=held_case.version, form={})
        except services.runtime.StepRefused as refused:
            assert refused.reasons == [refusal(left_out)]
        else:
            raise AssertionError("the door hanger was posted for a shut-off notice never mailed")
    with committing_db() as session:
        assert session.get(Case, left_out.case_id).state == "shutoff_notice"


def test_the_sweep_does_not_release_to_the_crew_a_case_whose_shutoff_notice_was_never_mailed(committing_db, catalog,
                                                                                            city, tmp_path):
    """Two cases already at the door hanger (posted before the city required the notice sent): on the shut-off day
    the one whose notice was mailed is released to the crew; the other waits, and the night's report says why."""
    left_out, mailed = shutoff_notices_with_one_left_out(committing_db, catalog, tmp_path)
    with committing_db() as session, session.begin():
        held_case = session.get(Case, left_out.case_id)
        shutoff_day = held_case.fields["shutoff_on"]
        other = next(session.get(Case, n.case_id) for n in mailed
                     if session.get(Case, n.case_id).fields["shutoff_on"] == shutoff_day)
        for case in (held_case, other):
            case.state = "door_hanger"
        other_id = other.id
    night = sweep(committing_db, catalog, on=_day(shutoff_day))
    with committing_db() as session:
        assert session.get(Case, left_out.case_id).state == "door_hanger"
        assert session.get(Case, other_id).state == "shutoff_ready"
    [line] = [line for line in night.report["exceptions"] if line["kind"] == "not_sent"]
    assert line["subject"].endswith(f"(case {left_out.case_id})")
    with committing_db() as session:
        lapses = _day(session.get(Case, left_out.case_id).fields["notice_lapses_on"])
    assert line["message"] == (f"Release to the field crew for shut-off waits for a notice that never went out (since "
                               f"Jun 18, 2026): {refusal(left_out)}; next: Start the notices again (the shut-off "
                               f"notice lapsed) on {lapses:%b} {lapses.day}, 2026")
    later = sweep(committing_db, catalog, on=_day(shutoff_day) + timedelta(days=7))  # still held: the same words
    assert [(line["subject"], line["message"]) for line in later.report["exceptions"] if line["kind"] == "not_sent"] \
        == [(line["subject"], line["message"])]


def test_the_notices_started_again_release_the_case_once_the_new_shutoff_notice_is_mailed(committing_db, catalog,
                                                                                         city, tmp_path):
    """The notice lapses; that night the notices start again and the new shut-off notice is made and, at the end of
    the same night, mailed; the door hanger may then be posted on its day."""
    left_out, _ = shutoff_notices_with_one_left_out(committing_db, catalog, tmp_path)
    with committing_db() as session:
        lapses = _day(session.get(Case, left_out.case_id).fields["notice_lapses_on"])
    again = sweep(committing_db, catalog, on=lapses, mailer=Mailer(TEMPLATES, tmp_path / "again"))
    assert again.status == "done"
    with committing_db() as session:
        case = session.get(Case, left_out.case_id)
        assert case.state == "shutoff_notice"
        latest = session.scalars(select(Notice).where(Notice.case_id == case.id, Notice.notice_type == "shutoff-notice")
                                 .order_by(Notice.id)).all()[-1]
        assert latest.id != left_out.id and latest.batch_id is not None and latest.created_on == lapses
        hanger_day = _day(case.fields["door_hanger_on"])
    with committing_db() as session, session.begin():
        add_user(session, username="carla", full_name="Carla Reyes", role="clerk", password="counter-pass-1",
                 actor="test", now=at(hanger_day))
    with committing_db() as session:
        hanger = _door_hanger(session, catalog, left_out.case_id, hanger_day)
        assert hanger.allowed, hanger.reasons
        sent = [e for e in hanger.explanation if e["guard"] == "sent"]
        assert sent == [{"guard": "sent", "ok": True, "notice_type": "shutoff-notice", "notice": latest.id,
                         "detail": f"the Notice of Service Shut-Off of {lapses:%b} {lapses.day}, 2026 (notice "
                                   f"{latest.id}) was mailed"}]


def test_the_preview_of_a_draft_without_the_guard_names_the_case_it_would_release(committing_db, catalog, city,
                                                                                  tmp_path):
    """A draft that drops `requires_sent:` would release to the crew the case whose notice was never mailed, and no
    other: the preview judges the guard under each definition."""
    from engine.workflow.definitions import load_workflow
    from engine.workflow.preview import preview_draft
    from samplecity.city import APPROVAL_ROLE_IDS

    left_out, mailed = shutoff_notices_with_one_left_out(committing_db, catalog, tmp_path)
    with committing_db() as session, session.begin():
        held_case = session.get(Case, left_out.case_id)
        shutoff_day = _day(held_case.fields["shutoff_on"])
        other = next(session.get(Case, n.case_id) for n in mailed
                     if session.get(Case, n.case_id).fields["shutoff_on"] == held_case.fields["shutoff_on"])
        for case in (held_case, other):
            case.state = "door_hanger"
    text = (REPO / "workflows" / "delinquency.yaml").read_text()
    version = sample_version("delinquency")  # the cases' version
    draft_text = text.replace(f"version: {version}\n", f"version: {version + 1}\n", 1).replace(
        "    requires_sent: shutoff-notice\n", "")
    assert draft_text.count("requires_sent") == 0 and f"\nversion: {version + 1}\n" in draft_text
    draft = load_workflow(draft_text, "delinquency (draft)", catalog.rules, APPROVAL_ROLE_IDS)
    with committing_db() as session:
        report = preview_draft(session, catalog.rules, catalog.workflows, draft, shutoff_day)
    assert report.changes_state == [{"case": left_out.case_id, "version": version, "state": "door_hanger", "now": None,
                                     "draft": "shutoff_ready", "why": ""}]


def phoned(factory, catalog, on: date) -> tuple[dict[str, str], object]:
    """The phone list of the day: shut-off day by account number, and what it left out."""
    out = StringIO()
    with factory() as session:
        left_out = write_phone_export(session, catalog, on, out)
    return {row["account_number"]: row["shutoff_on"] for row in DictReader(StringIO(out.getvalue()))}, left_out


def number_of(factory, case_id: int) -> str:
    with factory() as session:
        return session.get(UtilityAccount, session.get(Case, case_id).account_id).number


def test_the_phone_list_leaves_out_a_shutoff_held_for_a_notice_never_sent_until_a_new_one_goes_out(
        committing_db, catalog, city, tmp_path):
    left_out, mailed = shutoff_notices_with_one_left_out(committing_db, catalog, tmp_path)
    held_number, day = number_of(committing_db, left_out.case_id), SHUTOFF_NOTICE_NIGHT + timedelta(days=1)
    listed, tally = phoned(committing_db, catalog, day)
    assert held_number not in listed and len(listed) == len(mailed) == 9
    assert {number_of(committing_db, n.case_id) for n in mailed} == set(listed)
    assert (tally.listed, tally.held, tally.unsent) == (9, 0, [left_out.case_id])
    assert tally.filters() == {"held_for_a_notice_never_sent": 1}
    with committing_db() as session:
        held_day = _day(session.get(Case, left_out.case_id).fields["shutoff_on"])
        assert held_number not in [a["account_number"] for a in shutoffs_on(session, catalog, held_day)["accounts"]]
        view = services.shutoff_view(session, catalog, left_out.case_id, held_day)
    assert view["unsent"] == [refusal(left_out)] and view["today"] is False  # the case page says held, the same way
    listed, _ = phoned(committing_db, catalog, held_day)  # on its own shut-off day too
    assert held_number not in listed

    with committing_db() as session:
        lapses = _day(session.get(Case, left_out.case_id).fields["notice_lapses_on"])
    sweep(committing_db, catalog, on=lapses, mailer=Mailer(TEMPLATES, tmp_path / "again"))  # a new notice goes out
    listed, tally = phoned(committing_db, catalog, lapses)
    with committing_db() as session:
        new_day = session.get(Case, left_out.case_id).fields["shutoff_on"]
    assert listed[held_number] == new_day and _day(new_day) > lapses and tally.unsent == []
