"""A notice never asks the customer to act by a day already gone: given the day it is printed, a notice whose pay-by,
shut-off, down payment or installment date is before that day is refused with the date named; on the day itself it
prints (pdftotext on the real PDF)."""
from __future__ import annotations

import subprocess
from datetime import date

import pytest

from engine.notices.catalog import ACT_BY_WORDS, NOTICE_TYPES, NoticeDataError, validate_notice
from samplecity.notices import sample_city, sample_notice_data


def words(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it, whitespace made single spaces."""
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


# (type, key as the message names it, the date the sample data gives it)
ACT_BY = [("past-due-reminder", "due_date", date(2026, 3, 16)),
          ("shutoff-notice", "due_date", date(2026, 3, 16)),
          ("door-hanger", "shutoff_date", date(2026, 3, 23)),
          ("lien-intent", "due_date", date(2026, 3, 16)),
          ("license-renewal-reminder", "due_date", date(2026, 3, 16)),
          ("payment-plan-agreement", "down_payment_due", date(2026, 3, 2))]


@pytest.mark.parametrize("type_id,key,day", ACT_BY)
def test_a_notice_printed_after_its_date_to_act_by_is_refused_naming_the_date(type_id, key, day):
    data = sample_notice_data(type_id)
    validate_notice(type_id, "en", data, sample_city(), printed_on=day)  # on the day itself: still to come
    with pytest.raises(NoticeDataError, match=rf"{type_id} notice: its {ACT_BY_WORDS[key]} {day.isoformat()} is already past on "
                                              rf"{date.fromordinal(day.toordinal() + 1).isoformat()}"):
        validate_notice(type_id, "en", data, sample_city(), printed_on=date.fromordinal(day.toordinal() + 1))


def test_a_plan_agreement_with_an_installment_already_due_is_refused_naming_the_installment():
    data = sample_notice_data("payment-plan-agreement") | {"down_payment_due": "2026-05-01"}
    with pytest.raises(NoticeDataError, match=r"installment 1's due date 2026-04-15 is already past on 2026-04-16"):
        validate_notice("payment-plan-agreement", "en", data, sample_city(), printed_on=date(2026, 4, 16))


def test_notices_without_a_date_to_act_by_print_whenever(renderer):
    """A refund, a certificate, a release: dates of record, not dates to act by."""
    for type_id in ("refund-letter", "license-certificate", "lien-release", "reconnection", "leak-letter"):
        validate_notice(type_id, "en", sample_notice_data(type_id), sample_city(), printed_on=date(2030, 1, 1))
    assert {"due_date", "shutoff_date"} & set(NOTICE_TYPES["reconnection"].requires) == set()


def test_the_renderer_prints_on_the_last_day_and_refuses_the_day_after(renderer):
    data = sample_notice_data("shutoff-notice")
    text = words(renderer.render_one("shutoff-notice", "en", data, printed_on=date(2026, 3, 16)))
    assert "March 16, 2026" in text and "March 23, 2026" in text
    with pytest.raises(NoticeDataError, match=r"pay-by date 2026-03-16 is already past on 2026-03-17"):
        renderer.render_one("shutoff-notice", "en", data, printed_on=date(2026, 3, 17))
    with pytest.raises(NoticeDataError, match=r"pay-by date 2026-03-16 is"):  # one stale notice fails the mailing
        renderer.render_batch([("past-due-reminder", "en", sample_notice_data("past-due-reminder", 1) | {
            "due_date": "2026-04-01"}), ("shutoff-notice", "es", data)], printed_on=date(2026, 3, 17))
