"""The past-due reminder, shut-off notice and door hanger print what is past due of each service, in each language."""
from __future__ import annotations

import pytest

from engine.notices.catalog import NoticeDataError, validate_notice
from samplecity.notices import sample_city, sample_notice_data

BY_SERVICE = [{"service": "water", "name_en": "Water", "name_es": "Agua", "amount": "54.22"},
              {"service": "sewer", "name_en": "Sewer", "name_es": "Alcantarillado", "amount": "38.59"},
              {"service": "other", "name_en": "Other charges", "name_es": "Otros cargos", "amount": "12.00"}]


@pytest.mark.parametrize("type_id", ["past-due-reminder", "shutoff-notice", "door-hanger"])
@pytest.mark.parametrize("language,caption,names", [
    ("en", "Past due by service", ("Water", "Sewer", "Other charges")),
    ("es", "Saldo vencido por servicio", ("Agua", "Alcantarillado", "Otros cargos"))])
def test_past_due_is_printed_by_service_in_the_notice_s_language(renderer, type_id, language, caption, names):
    data = sample_notice_data(type_id) | {"past_due_by_service": BY_SERVICE}
    validate_notice(type_id, language, data, sample_city())
    html = renderer.render_html(type_id, language, data)
    assert caption in html
    for name, amount in zip(names, ("$54.22", "$38.59", "$12.00")):
        assert f'<td>{name}</td><td class="value">{amount}</td>' in html


def test_without_services_nothing_is_added(renderer):
    html = renderer.render_html("shutoff-notice", "en", sample_notice_data("shutoff-notice"))
    assert "by-service" not in html


def test_a_bad_amount_by_service_names_its_line():
    data = sample_notice_data("shutoff-notice") | {"past_due_by_service": [dict(BY_SERVICE[0], amount="1e3")]}
    with pytest.raises(NoticeDataError, match=r"past_due_by_service\[1\].amount"):
        validate_notice("shutoff-notice", "en", data, sample_city())
    with pytest.raises(NoticeDataError, match=r"past_due_by_service\[1\].'name_en'"):
        validate_notice("shutoff-notice", "en", data | {"past_due_by_service": [{"service": "water", "name_es": "A",
                                                                                  "amount": "1.00"}]}, sample_city())


def test_a_line_without_the_notice_s_language_prints_its_english_name(renderer):
    """A line names the service in each language the city offered when the notice was made; a Spanish notice of a
    line without a Spanish name (Spanish offered later, or a twin) prints the English one."""
    data = sample_notice_data("shutoff-notice") | {"past_due_by_service": [{"service": "water", "name_en": "Water",
                                                                             "amount": "54.22"}]}
    assert '<td>Water</td><td class="value">$54.22</td>' in renderer.render_html("shutoff-notice", "es", data)



@pytest.mark.parametrize("language,banner", [
    ("en", "FINAL NOTICE: service will be shut off on or after December 14, 2026"),
    ("es", "ÚLTIMO AVISO: el servicio se cortará a partir del 14 de diciembre de 2026")])
def test_the_door_hanger_names_the_shutoff_day_the_case_was_given_not_a_number_of_hours(renderer, language, banner):
    """How long a door hanger gives is the city's workflow's (its shut-off gate and calendar), so the hanger's
    banner prints the day the case was given, whatever it is, and no number of hours of the sample city's."""
    data = sample_notice_data("door-hanger") | {"shutoff_date": "2026-12-14"}
    html = renderer.render_html("door-hanger", language, data)
    assert f'<div class="banner">{banner}</div>' in html
    assert "48 hours" not in html and "48 horas" not in html
