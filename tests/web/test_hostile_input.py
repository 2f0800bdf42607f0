"""An outside tester's attack on the staff pages: every form the pages show, one field at a time.

tests/web/test_pages_bad_input.py sends each bad value in every field at once, so the first field
a form checks refuses it and the others are never reached. This walk does what a tester does
with a browser: it opens every page of the app (walked from `app.url_map`, its address filled
with records that exist), reads each POST form on it as the page fills it (hidden fields,
selected options, the CSRF token), and sends it back with ONE field changed to a hostile value,
the others as the page gave them. For each answer:

- never a 500 or an exception;
- a refusal (any answer but a redirect) writes nothing: the audit log, which every change of
  money, state, rules or users writes, has no new row.

Besides the walk: hostile payment files (a 5 MB line, control characters, other encodings) are
refused whole with the line named, and a form editor's working text of another shape is "start
again", not a 500.
"""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.store.models import AuditEntry, Payment, PaymentImport
from tests.factories import create_account
from tests.web.test_access_matrix import API_PREFIX, ROLES, routes
from tests.web.pages import fixed_clock  # noqa: F401  (fixture)
from tests.web.test_pages_bad_input import address, records  # noqa: F401  (fixture)
from tests.web.test_workflow_drafts import workflow_store_of_city  # noqa: F401  (fixture)

WALKED = ("", "x" * 10_000, "a\x01b\x1b[31m", "-1", "1e9", "9999-12-31", "99999999999999999999")
CELLS_WALKED = 2  # of a form editor's cells (cell:PATH, each read by the one cell reader), the first few
LEAVE_ALONE = ("csrf_token",)  # a wrong token is a 400 of its own (tests/web/test_sign_in_security.py)


class _Forms(HTMLParser):
    """The POST forms of a page: each one's action and the values the page fills its fields with."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        """Open a form, or add a field of the open one."""
        a = {name: value or "" for name, value in attrs}
        if tag == "option" and self._form is not None and self._select:
            if self._select not in self._form["fields"] or "selected" in a:
                self._form["fields"][self._select] = a.get("value", "")
            return
        if tag == "form":
            self._form = {"action": a.get("action", ""), "post": a.get("method", "get").lower() == "post",
                          "fields": {}}
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        fields = self._form["fields"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                if kind == "radio":
                    fields.setdefault(a["name"], a.get("value", "on"))
                return
            fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "textarea":
            self._textarea = a["name"]
            fields[a["name"]] = ""

    def handle_data(self, data: str) -> None:
        """A textarea's text."""
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        """Close what the tag closes."""
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(page_address: str, html: str) -> list[tuple[str, dict[str, str]]]:
    """(action, fields as the page fills them) of each POST form of a page, sign-out left out."""
    reader = _Forms()
    reader.feed(html)
    found = []
    for form in reader.forms:
        action = urlsplit(urljoin(page_address, form["action"] or page_address))
        if form["post"] and not action.netloc and action.path != "/logout":
            found.append((action.path + (f"?{action.query}" if action.query else ""), form["fields"]))
    return found


def audit_rows(db: Session) -> int:
    """How many rows the audit log has."""
    return db.scalar(select(func.count()).select_from(AuditEntry))


def _pages(app: Flask, records: dict[str, str], role: str) -> list[str]:
    """The address of every staff page (GET, not the API, not a download) the role is declared for."""
    pages = []
    for rule, method, roles, public in routes(app):
        if method != "GET" or public or rule.rule.startswith(API_PREFIX) or rule.endpoint == "static":
            continue
        if roles is not None and role not in roles:
            continue
        if re.search(r"\.(pdf|csv|svg)$", rule.rule) or rule.endpoint.startswith("operations."):
            continue
        pages.append(address(rule, records))
    return pages


def _attacked(fields: dict[str, str]) -> list[str]:
    """The fields a form is attacked in: all but the CSRF token, a form editor's cells only the first few."""
    names = [name for name in fields if name not in LEAVE_ALONE]
    cells = [name for name in names if ":" in name]
    return [name for name in names if ":" not in name] + cells[:CELLS_WALKED]


def _shape(action: str, fields: dict[str, str]) -> tuple:
    """A form's kind: its action with numbers left out, and its field names (one of each kind is attacked)."""
    return re.sub(r"\d+", "N", action), tuple(sorted(re.sub(r"\d+", "N", name) for name in fields))


@pytest.mark.parametrize("role", [pytest.param(role, marks=[] if role == "admin" else [pytest.mark.slow])
                                  for role in ROLES])  # an administrator opens every page; the others are slow runs
def test_every_form_of_every_page_takes_one_hostile_field_at_a_time(app: Flask, db: Session, login_as, fixed_clock,
                                                                    workflow_store_of_city, records, role: str):
    client: FlaskClient = login_as(role)
    failures, attacked, seen = [], 0, set()
    for page in _pages(app, records, role):
        shown = client.get(page)
        if shown.status_code != 200 or shown.mimetype != "text/html":
            continue
        for action, fields in post_forms(page, shown.get_data(as_text=True)):
            if _shape(action, fields) in seen:
                continue
            seen.add(_shape(action, fields))
            attacked += 1
            for name in _attacked(fields):
                for value in WALKED:
                    before = audit_rows(db)
                    try:
                        answer = client.post(action, data={**fields, name: value})
                    except Exception as error:  # noqa: BLE001 - the failure is the finding
                        failures.append(f"{action} {name}={value[:20]!r}: {type(error).__name__}: {error}")
                        continue
                    if answer.status_code >= 500:
                        failures.append(f"{action} {name}={value[:20]!r}: {answer.status_code}")
                    elif answer.status_code != 302 and audit_rows(db) != before:
                        failures.append(f"{action} {name}={value[:20]!r}: refused ({answer.status_code}) "
                                        f"but wrote {audit_rows(db) - before} audit rows")
    assert attacked >= 10, f"only {attacked} forms were found on the pages"
    assert not failures, "\n".join(failures)


# --- payment files ----------------------------------------------------------------------------

HEADER = "account_number,amount,paid_on,tender,check_number,transaction_id\n"


def _file_state(db: Session) -> tuple[int, int, int]:
    """Payments, imports registered, audit rows: what a refused file leaves alone."""
    return (db.scalar(select(func.count()).select_from(Payment)),
            db.scalar(select(func.count()).select_from(PaymentImport)), audit_rows(db))


def _hostile_files(number: str) -> list[tuple[str, bytes, str]]:
    """(what, the file's bytes, what the page says) for files a payment import must refuse whole."""
    line = f"{number},10.00,2026-03-01,check,1001,"
    return [
        ("a 5 MB line", (HEADER + line + "x" * 5_000_000 + "\n").encode(),
         "line 2 cannot be read: a value is longer than 131,072 characters"),
        ("a 5 MB header", ("y" * 5_000_000 + "\n").encode(),
         "line 1 cannot be read: a value is longer than 131,072 characters"),
        ("a NUL in a transaction id", (HEADER + line + "tx\x00b\n").encode(),
         "holds a control character (U+0000)"),
        ("an escape in a check number", (HEADER + f"{number},10.00,2026-03-01,check,10\x1b01,tx-1\n").encode(),
         "holds a control character (U+001B)"),
        ("a newline inside quotes", (HEADER + line + '"tx\nmore"\n').encode(),
         "holds a control character (U+000A)"),
        ("latin-1", (HEADER + line + "caf\xe9\n").encode("latin-1"), "is not UTF-8 text"),
        ("UTF-16 with its BOM", (HEADER + line + "tx-2\n").encode("utf-16"), "is not UTF-8 text (byte 1"),
        ("UTF-16 without a BOM", (HEADER + line + "tx-2\n").encode("utf-16-le"),  # was "the header lacks" every column
         "is not UTF-8 text (byte 2 cannot be read; it looks like UTF-16: save it as UTF-8)"),
        ("a PDF", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "is not UTF-8 text"),
        ("an empty file", b"", "header lacks account_number, amount, paid_on"),
        ("a header and no payments", HEADER.encode(), "the file has no payments after its header"),
        ("a header and blank lines", (HEADER + "\n\n").encode(), "the file has no payments after its header"),
        ("the same line twice", (HEADER + line + "tx-3\n" + line + "tx-3\n").encode(), "is also on line 2"),
        ("a column named twice", ("account_number,amount, amount,paid_on,tender,check_number,transaction_id\n"
                                  f"{number},10.00,99.00,2026-03-01,check,1001,tx-4\n").encode(),
         "line 1 cannot be read: it names the column amount twice (columns 2 and 3)"),  # $99.00 was posted
        ("a line separator in a transaction id", (HEADER + line + "tx\u2028more\n").encode(),
         "holds a control character (U+2028)"),  # it split the line in two: line 3 was named, of a 2-line file
    ]


@pytest.mark.parametrize("which", range(15))
def test_a_hostile_payment_file_is_refused_whole_with_its_line_named(app, db: Session, supervisor, which: int):
    number = create_account(db).number
    what, content, words = _hostile_files(number)[which]
    before = _file_state(db)
    answer = supervisor.post("/payments/files", data={"source": "lockbox", "payment_file": (io.BytesIO(content),
                                                                                            "lockbox.csv")})
    assert answer.status_code == 400, what
    assert words in answer.get_data(as_text=True).replace("&#39;", "'"), what
    assert _file_state(db) == before, what


def test_a_payment_file_with_a_bom_and_lines_ended_by_cr_alone_posts(app, db: Session, supervisor, fixed_clock):
    """A spreadsheet's export (a byte-order mark, old-Mac CR line ends) is read line by line as it was written."""
    number = create_account(db).number
    content = "\ufeff" + (HEADER + f"{number},10.00,2026-03-01,check,1001,tx-5\n").replace("\n", "\r")
    answer = supervisor.post("/payments/files", data={"source": "lockbox", "payment_file": (
        io.BytesIO(content.encode()), "lockbox.csv")})
    assert answer.status_code == 302
    assert db.scalars(select(Payment.amount_cents)).all() == [1000]


def test_a_payment_file_named_with_a_control_character_is_refused(app, db: Session, supervisor):
    number = create_account(db).number
    before = _file_state(db)
    content = (HEADER + f"{number},10.00,2026-03-01,check,1001,tx-9\n").encode()
    answer = supervisor.post("/payments/files", data={"source": "lockbox",
                                                      "payment_file": (io.BytesIO(content), "lock\x1bbox.csv")})
    assert answer.status_code == 400
    assert "the file's name holds a control character (U+001B)" in answer.get_data(as_text=True).replace("&#39;", "'")
    assert _file_state(db) == before


# --- the form editors' working text -----------------------------------------------------------

@pytest.mark.parametrize("path", ["/rules/late-fee/edit", "/workflows/delinquency/edit"])
@pytest.mark.parametrize("text", ["-1", "- 1", "states: [1, 2]", "transitions: [5]", "states: {a: 5}",
                                  "transitions: [{id: a, from: [x], to: [1]}]"])
def test_a_form_editor_posted_a_text_it_did_not_write_starts_again(fixed_clock, workflow_store_of_city, db: Session,
                                                                   supervisor, path, text):
    """The working text rides in a hidden field; one of another shape (a tester's, not the editor's) was a 500
    in the layout. It is refused unless the app's seal on it matches, and nothing is drafted."""
    page = supervisor.get(path)
    assert page.status_code == 200
    fields = dict(post_forms(path, page.get_data(as_text=True))[0][1])
    before = audit_rows(db)
    for button in ({"check": "Show what changes"}, {"save": "Save draft"}):
        answer = supervisor.post(path, data={**fields, "text": text, **button})
        assert answer.status_code == 400
        assert "is not the one this editor showed; start again" in answer.get_data(as_text=True)
    assert audit_rows(db) == before  # a draft saved is audited


@pytest.mark.parametrize("path", ["/rules/late-fee/edit", "/workflows/delinquency/edit"])
def test_a_form_editor_takes_back_the_text_it_showed(fixed_clock, workflow_store_of_city, supervisor, path):
    """The seal is no obstacle to the editor's own round trip: the page sent back as shown checks."""
    page = supervisor.get(path)
    fields = dict(post_forms(path, page.get_data(as_text=True))[0][1])
    answer = supervisor.post(path, data={**fields, "check": "Show what changes"})
    assert answer.status_code == 200
    assert "start again" not in answer.get_data(as_text=True)


# --- days typed on the customer record ----------------------------------------------------------

def _record_forms(number: str) -> list[tuple[str, dict[str, str], str, str]]:
    """(address, the form with a day, its date field, the field's name in the message) of the record's dated forms."""
    return [
        (f"/accounts/{number}/customer/address",
         {"street": "9 Forward Lane", "city": "Sacramento", "state": "CA", "zip_code": "95814", "reason": "moving"},
         "in_force_from", "In force from"),
        (f"/accounts/{number}/property/occupants",
         {"occupant-name": "Occupant", "occupant-city": "Alder Creek", "occupant-state": "CA",
          "occupant-zip_code": "95601", "occupant-language": "en"}, "occupant-moved_in_on", "Moved in on"),
        (f"/accounts/{number}/customer/assistance", {"enrol-program": "cap", "enrol-ends_on": ""},
         "enrol-starts_on", "Enrolled from"),
    ]


@pytest.mark.parametrize("form", range(3))
@pytest.mark.parametrize("day, words", [("9999-12-31", "at most a year ahead (by 2027-03-03), not 9999-12-31"),
                                        ("2027-03-04", "at most a year ahead (by 2027-03-03), not 2027-03-04"),
                                        ("0001-01-01", "not before 1900-01-01, not 0001-01-01")])
def test_a_day_out_of_the_years_a_record_holds_is_refused_with_its_field(fixed_clock, db: Session, clerk, form, day,
                                                                         words):
    """0001-01-01 and 9999-12-31 were kept as a forwarding address's first day, a move-in, an enrolment's start."""
    from tests.accounts.test_assistance_programs import PROGRAMS, set_programs
    set_programs(db, PROGRAMS)
    account = create_account(db)
    path, fields, name, label = _record_forms(account.number)[form]
    before = audit_rows(db)
    answer = clerk.post(path, data={**fields, name: day})
    assert answer.status_code == 400
    past = form == 0 and day < "2026"  # a mailing address from a day gone by is refused as that
    assert (f"{label}: today or a later day, not {day}" if past else f"{label}: {words}.") in answer.get_data(as_text=True)
    assert audit_rows(db) == before
    kept = clerk.post(path, data={**fields, name: "2027-03-03" if form == 0 else "2026-03-02"})
    assert kept.status_code == 302 and audit_rows(db) == before + 1


def test_a_move_out_a_year_ahead_is_refused(fixed_clock, db: Session, clerk):
    account = create_account(db)
    path, fields, name, _ = _record_forms(account.number)[1]
    assert clerk.post(path, data={**fields, name: "2026-02-01"}).status_code == 302
    from engine.store.customers import Occupant
    occupant = db.scalar(select(Occupant).where(Occupant.property_id == account.property_id))
    before = audit_rows(db)
    answer = clerk.post(f"{path}/{occupant.id}/out", data={"moved_out_on": "9999-12-31"})
    assert answer.status_code == 400
    assert "Moved out on: at most a year ahead (by Mar 3, 2027), not Dec 31, 9999." in answer.get_data(as_text=True)
    assert audit_rows(db) == before


# --- record numbers in the address -------------------------------------------------------------

def test_a_record_number_too_big_for_any_record_is_a_404_on_every_route(app: Flask, admin, records):
    """Every <int:...> of every route (a receipt, a payment file, a draft, a waiting change, ...) with 2**63 and with
    twenty 9s: the address names nothing, a 404, where SQLite could not bind the number (a 500 on eleven routes)."""
    walked, failures = 0, []
    for rule, method, _roles, public in routes(app):
        numbers = [name for name in rule.arguments if "Integer" in type(rule._converters[name]).__name__]  # noqa: SLF001
        if public or not numbers or rule.rule.startswith(API_PREFIX):
            continue
        walked += 1
        for big in (str(2**63), "9" * 20):
            path = address(rule, {**records, **{name: big for name in numbers}})
            answer = admin.open(path, method=method)
            if answer.status_code != 404:
                failures.append(f"{method} {path}: {answer.status_code}")
    assert walked >= 20
    assert not failures, "\n".join(failures)


OTHER_DIGITS = ("²", "①", "1²", "١", "１")  # str.isdigit() is true of each; int() refuses the first three, reads the others


def test_a_record_number_in_digits_other_than_0_to_9_is_a_404_on_every_route(app: Flask, admin, records):
    """Every record number of every address (<int:...> and the ones a view reads itself: a case, a business, a read,
    a sweep run) with ² or ① was a 500 on eight routes (int() refused what isdigit() took); with ١ or １ the address
    was another one of record 1. Each is an address that names nothing."""
    ids = ("case_id", "business_id", "read_id", "account_id", "run_id")
    walked, failures = 0, []
    for rule, method, _roles, public in routes(app):
        numbers = [name for name in rule.arguments
                   if name in ids or "Integer" in type(rule._converters[name]).__name__]  # noqa: SLF001
        if public or not numbers or rule.rule.startswith(API_PREFIX):
            continue
        walked += 1
        for name in numbers:
            for digits in OTHER_DIGITS:
                path = address(rule, {**records, "case_id": "1", name: digits})
                answer = admin.open(path, method=method)
                if answer.status_code != 404:
                    failures.append(f"{method} {path}: {answer.status_code}")
    assert walked >= 25
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", ["/rules/late-fee/edit", "/workflows/delinquency/edit"])
@pytest.mark.parametrize("seal", ["²", "é" * 64])
def test_a_form_editor_posted_a_seal_outside_ascii_starts_again(fixed_clock, workflow_store_of_city, db: Session,
                                                                 supervisor, path, seal):
    """hmac.compare_digest refuses a str with a character outside ASCII: a seal of "²" was a TypeError, a 500."""
    page = supervisor.get(path)
    fields = dict(post_forms(path, page.get_data(as_text=True))[0][1])
    before = audit_rows(db)
    answer = supervisor.post(path, data={**fields, "seal": seal, "save": "Save draft"})
    assert answer.status_code == 400
    assert "is not the one this editor showed; start again" in answer.get_data(as_text=True)
    assert audit_rows(db) == before
