"""The languages on staff pages: chosen on the city settings page among those the notice templates folder holds a
whole set for, named by their words files; a customer whose language the city stopped offering is told English."""
from __future__ import annotations

import re

from sqlalchemy import select

from engine import city
from engine.notices.languages import discover
from engine.store.models import CitySettings
from tests.factories import NOW, create_account, create_customer
from tests.notices.vietnamese import with_vietnamese
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)

BASE = {"name": "City of Alder Creek", "timezone": "America/Los_Angeles", "rules_need_second_approver": "y",
        "languages_shown": "yes"}


def visible(page: str) -> str:
    """The page's text without tags, its spaces made single."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def boxes(page: str) -> dict[str, bool]:
    """Each language box on the city page: ticked or not."""
    return {re.search(r'value="(\w+)"', tag)[1]: "checked" in tag for tag in re.findall(r"<input [^>]*>", page)
            if 'name="languages"' in tag}


def test_the_city_page_offers_each_whole_set_by_name_and_lists_an_incomplete_one(app, admin, db, tmp_path):
    folder = with_vietnamese(tmp_path / "notices")
    app.config["NOTICE_TEMPLATES"] = folder
    page = admin.get("/admin/city").get_data(as_text=True)
    assert boxes(page) == {"en": True, "es": True, "vi": False}
    assert "Vietnamese" in visible(page)
    assert admin.post("/admin/city", data={**BASE, "languages": ["en", "vi"]}).status_code == 302
    assert db.scalar(select(CitySettings)).languages == ["en", "vi"]
    assert boxes(admin.get("/admin/city").get_data(as_text=True)) == {"en": True, "es": False, "vi": True}

    (folder / "door-hanger.vi.html").unlink()
    page = admin.get("/admin/city").get_data(as_text=True)
    assert "vi" not in boxes(page)
    assert "vi: lacks door-hanger.vi.html" in visible(page)
    refused = admin.post("/admin/city", data={**BASE, "languages": ["en", "vi"]})
    assert refused.status_code == 400
    assert "incomplete, lacking door-hanger.vi.html" in visible(refused.get_data(as_text=True))
    refused = admin.post("/admin/city", data={**BASE, "languages": ["es"]})
    assert refused.status_code == 400 and "must include English" in visible(refused.get_data(as_text=True))


def test_forms_offer_the_city_s_languages_and_the_customer_page_says_when_one_is_no_longer_offered(
        fixed_clock, app, clerk, db, tmp_path):
    folder = with_vietnamese(tmp_path / "notices")
    app.config["NOTICE_TEMPLATES"] = folder
    city.update_city(db, actor="admin1", now=NOW, languages=["en", "es", "vi"], printable=discover(folder))
    account = create_account(db, customer=create_customer(db, name="Lan Nguyen"))
    record = clerk.get(f"/accounts/{account.number}/customer").get_data(as_text=True)
    assert re.search(r'<option[^>]*value="vi"[^>]*>Vietnamese</option>', record)
    assert clerk.post(f"/accounts/{account.number}/customer/contact",
                      data={"email": "", "language": "vi"}).status_code == 302
    page = visible(clerk.get(f"/accounts/{account.number}").get_data(as_text=True))
    assert "Language Vietnamese" in page and "no longer prints in it" not in page

    city.update_city(db, actor="admin1", now=NOW, languages=["en", "es"], printable=discover(folder))
    page = visible(clerk.get(f"/accounts/{account.number}").get_data(as_text=True))
    assert ("Language Vietnamese (the city no longer prints in it: letters, bills and receipts go out in English)"
            in page)
    record = clerk.get(f"/accounts/{account.number}/customer").get_data(as_text=True)
    assert 'value="vi"' not in record
