"""A form that cannot read a value says what to type in the city's words, not WTForms' ("Field cannot be longer than
80 characters.", "Not a valid date value.", "Not a valid choice."); every form of the pages is a PageForm (a row of
its lists a PageRow)."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date

from sqlalchemy import func, select

import webapp
from engine.store.models import Payment
from tests.factories import create_account
from tests.web.pages import charge, fixed_clock  # noqa: F401  (fixture)
from tests.web.test_counter_pages import receipt_form
from webapp.auth import STAFF, role_required
from webapp.form_words import PageForm, PageRow
from wtforms import Form


def test_every_form_of_the_pages_is_a_city_form():
    found = []
    for module in pkgutil.walk_packages(webapp.__path__, "webapp."):
        if module.name.endswith("__main__"):
            continue
        loaded = importlib.import_module(module.name)
        found += [(module.name, cls) for _, cls in inspect.getmembers(loaded, inspect.isclass)
                  if issubclass(cls, Form) and cls.__module__ == module.name]
    assert len(found) > 40
    assert [f"{name}.{cls.__name__}" for name, cls in found if not issubclass(cls, (PageForm, PageRow))] == []


def test_a_note_too_long_a_day_not_on_the_calendar_and_a_choice_not_offered_say_what_to_type(fixed_clock, clerk,
                                                                                              db):
    account = create_account(db)
    charge(db, account, "40.00", on=date(2026, 2, 1), due_on=date(2026, 2, 20))
    clerk.post("/payments/drawer/open", data={"opening": "0"})
    long_note = receipt_form([("account", account.number, "5.00")], [("cash", "5.00", "")], "k",
                             **{"lines-0-memo": "x" * 81})
    page = clerk.post("/payments/", data=long_note).get_data(as_text=True)
    assert ">Type at most 80 characters.<" in page and "Field cannot be longer" not in page
    bad_kind = receipt_form([("account", account.number, "5.00")], [("bitcoin", "5.00", "")], "k")
    page = clerk.post("/payments/", data=bad_kind).get_data(as_text=True)
    assert "Choose one of the choices offered." in page and "Not a valid choice" not in page
    assert db.scalar(select(func.count()).select_from(Payment)) == 0

    stop = clerk.post(f"/service/stop/{account.number}/review",
                      data={"move_out_on": "2026-02-30", "final_reading": "1e3", "settle_by": "refund"})
    text = stop.get_data(as_text=True)
    assert stop.status_code == 400
    assert "Enter a day that is on the calendar, e.g. 2026-03-02." in text and "Not a valid date value" not in text
    assert "Enter a whole number, e.g. 12." in text and "Not a valid integer value" not in text


def test_a_flash_leaves_an_example_of_what_to_type_as_typed_and_spells_its_real_days(app, login_as):
    """Flashes write ISO days in the city's style; a day given as an example of the form's input stays as it is typed
    (it was "enter a day like Mar 2, 2026", which cannot be typed)."""
    from flask import flash, redirect

    @app.route("/test-flash-example")
    @role_required(*STAFF)
    def flash_example():
        """A refusal with an example of what to type and a real day, then the page that shows it."""
        flash("Not saved: enter a day like 2026-03-02 (the bill was due 2026-04-08).", "error")
        flash("Moved in on: enter a day that is on the calendar, e.g. 2026-03-02.", "error")
        return redirect("/")

    page = login_as("clerk").get("/test-flash-example", follow_redirects=True).get_data(as_text=True)
    assert "Not saved: enter a day like 2026-03-02 (the bill was due Apr 8, 2026)." in page
    assert "Moved in on: enter a day that is on the calendar, e.g. 2026-03-02." in page
