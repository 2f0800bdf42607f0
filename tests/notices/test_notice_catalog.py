"""The catalog of notices: every type is registered, written in both languages, and checks its data."""
from __future__ import annotations

import copy

import pytest

from engine.notices import NOTICE_TYPES, NoticeDataError, notice_type
from engine.notices.catalog import validate_notice
from engine.notices.formats import money
from samplecity.notices import sample_city, sample_notice_data
from notice_support import TEMPLATES, long_date, sample_languages

EXPECTED_TYPES = {
    "past-due-reminder", "shutoff-notice", "door-hanger", "payment-plan-agreement",
    "reconnection", "lien-intent", "lien-release", "license-renewal-reminder",
    "license-renewal-final", "license-lapsed", "license-certificate", "refund-letter", "leak-letter",
}


def test_the_thirteen_notice_types_are_registered():
    assert set(NOTICE_TYPES) == EXPECTED_TYPES


@pytest.mark.parametrize("type_id", sorted(EXPECTED_TYPES))
def test_each_type_has_a_template_and_a_title_in_english_and_spanish(type_id):
    kind, languages = notice_type(type_id), sample_languages()
    assert languages.codes == ("en", "es") and not languages.missing
    for language in languages.codes:
        assert (TEMPLATES / kind.template_name(language)).is_file()
    assert languages.language("en").title(type_id) == kind.title_en != languages.language("es").title(type_id)


def test_an_unknown_notice_type_is_refused_with_the_known_ones_listed():
    with pytest.raises(NoticeDataError, match=r"unknown notice type 'late-letter'.*past-due-reminder"):
        notice_type("late-letter")


def test_a_language_other_than_english_or_spanish_is_refused():
    data = sample_notice_data("refund-letter")
    with pytest.raises(NoticeDataError, match=r"refund-letter notice: 'fr' is not a language the notice templates are "
                                              r"written in; they are: en \(English\), es \(Spanish\)"):
        validate_notice("refund-letter", "fr", data, sample_city(), sample_languages())


@pytest.mark.parametrize("type_id, key", [
    ("shutoff-notice", "shutoff_date"),
    ("refund-letter", "check_number"),
    ("license-renewal-final", "penalty"),
    ("lien-release", "recording_number"),
    ("past-due-reminder", "reference"),
    ("door-hanger", "notice_date"),
])
def test_a_missing_key_names_the_notice_type_and_the_key(type_id, key):
    data = sample_notice_data(type_id)
    del data[key]
    with pytest.raises(NoticeDataError, match=rf"^{type_id} notice: data is missing '{key}'$"):
        validate_notice(type_id, "en", data, sample_city())


def test_an_empty_value_counts_as_missing():
    data = sample_notice_data("past-due-reminder")
    data["amount_due"] = ""
    with pytest.raises(NoticeDataError, match=r"past-due-reminder notice: data is missing 'amount_due'"):
        validate_notice("past-due-reminder", "en", data, sample_city())


def test_a_missing_recipient_zip_is_named():
    data = sample_notice_data("lien-intent")
    del data["recipient"]["zip"]
    with pytest.raises(NoticeDataError, match=r"lien-intent notice: data is missing recipient\.'zip'"):
        validate_notice("lien-intent", "es", data, sample_city())


def test_a_city_without_a_phone_number_is_named():
    city = sample_city()
    del city["phone"]
    with pytest.raises(NoticeDataError, match=r"past-due-reminder notice: data is missing city\.'phone'"):
        validate_notice("past-due-reminder", "en", sample_notice_data("past-due-reminder"), city)


@pytest.mark.parametrize("key, value, message", [
    ("amount_due", "52.031", "'amount_due': '52.031' has more than two decimals"),
    ("amount_due", 52.03, "'amount_due' must be money as a string like \"52.03\""),
    ("due_date", "03/16/2026", "'due_date' must be an ISO date like \"2026-03-05\", not '03/16/2026'"),
])
def test_bad_money_and_dates_name_their_key(key, value, message):
    data = sample_notice_data("shutoff-notice")
    data[key] = value
    with pytest.raises(NoticeDataError) as raised:
        validate_notice("shutoff-notice", "en", data, sample_city())
    assert str(raised.value) == f"shutoff-notice notice: {message}"


def test_a_bad_installment_names_its_number():
    data = copy.deepcopy(sample_notice_data("payment-plan-agreement"))
    data["installments"][2]["amount"] = "forty"
    with pytest.raises(NoticeDataError, match=r"'installments\[3\]\.amount'"):
        validate_notice("payment-plan-agreement", "en", data, sample_city())


@pytest.mark.parametrize("type_id", sorted(EXPECTED_TYPES))
def test_the_sample_data_is_complete_for_every_type(type_id):
    assert validate_notice(type_id, "es", sample_notice_data(type_id, 3), sample_city()).id == type_id


def test_money_is_written_with_a_dollar_sign_commas_and_cents():
    assert money("1234.5") == "$1,234.50"
    assert money("52.03") == "$52.03"
    assert money("-10") == "-$10.00"


def test_dates_are_written_out_in_each_language():
    assert long_date("2026-03-05", "en") == "March 5, 2026"
    assert long_date("2026-03-05", "es") == "5 de marzo de 2026"
    assert long_date("2026-09-01", "es") == "1 de septiembre de 2026"


def test_city_details_saved_with_a_notice_must_be_a_dict(renderer):
    data = sample_notice_data("refund-letter")
    data["city"] = "Alder Creek"
    with pytest.raises(NoticeDataError, match=r"refund-letter notice: 'city' must be a dict"):
        renderer.render_html("refund-letter", "en", data)


def test_required_keys_list_the_common_keys_and_the_types_own():
    from engine.notices.catalog import required_keys
    assert required_keys("refund-letter") == (
        "notice_date", "reference", "recipient", "account_number", "refund_amount", "check_number", "check_date")
