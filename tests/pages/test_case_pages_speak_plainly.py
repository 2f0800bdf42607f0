"""Case pages in the city's words: every fact, outcome and guard with a label and a sentence, money as money.

Renders a case page of the sample city for every state of every workflow (a case of the
workflow put in each state in turn: its steps from there, refused or not, are worded too)
and reads the visible text. It fails on a fact id or a case field id as written in the
documents (past_due_balance), a `name = value` pair the engine writes, an amount without
its dollar sign (10612.58), and the words the pages used to show for what they had no name
for ("a field of this case", "Record version"). The account's balance and past due stand at
the top of every account case.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.store.models import Case, UtilityAccount
from engine.workflow import services
from engine.workflow.facts import subject_facts
from samplecity.city import DEMO_LOGINS
from tests.demo.conftest import AS_OF, NOW, city, city_rules, empty_database  # noqa: F401 (fixtures)
from tests.pages.test_every_page_speaks_the_city import VisibleText
from webapp.app import create_app
from webapp.config import TestConfig

PAIR = re.compile(r"\b[a-z][a-z0-9_]* = \S")
AMOUNT = re.compile(r"(?<![$\d,.])\d[\d,]*\.\d{2}(?![\d%])")
BANNED = ("a field of this case", "Record version")
ACCOUNT_SUBJECTS = ("utility_account", "lien", "refund", "adjustment")


def visible(html: str) -> str:
    """The text a person sees on the page, its spaces made single."""
    page = VisibleText()
    page.feed(html)
    return " ".join(" ".join(page.parts).split())


def problems_of(text: str, ids: set[str]) -> list[str]:
    """Each raw id, name = value pair, bare amount or banned phrase in the text, with what stands around it."""
    found = []

    def around(match: re.Match) -> str:
        return text[max(0, match.start() - 50):match.end() + 30]

    for name in ids:
        for match in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            found.append(f"fact id {name!r}: ...{around(match)}...")
    found += [f"name = value: ...{around(m)}..." for m in PAIR.finditer(text)]
    found += [f"amount without $: ...{around(m)}..." for m in AMOUNT.finditer(text)]
    found += [f"{phrase!r}" for phrase in BANNED if phrase in text]
    return found


@pytest.fixture(scope="module")
def signed_in(city, tmp_path_factory):  # noqa: F811
    """A supervisor of the sample city signed in, and a session on the city's database."""
    app = create_app(TestConfig(database_url=str(city.url), instance=tmp_path_factory.mktemp("instance")),
                     sessions=sessionmaker(bind=city, expire_on_commit=False))
    app.config["CLOCK"] = lambda: NOW
    client = app.test_client()
    login = next(login for login in DEMO_LOGINS if login.role == "supervisor")
    assert client.post("/login", data={"username": login.username, "password": login.password}).status_code == 302
    return client, Session(bind=city)


def _case_of(session: Session, rules, workflow_id: str) -> Case:
    """A case of the workflow from the sample city, or one opened on its first account that may have one."""
    case = session.scalar(select(Case).where(Case.workflow_id == workflow_id).order_by(Case.id).limit(1))
    if case is not None:
        return case
    workflow = rules.workflows.get(workflow_id)
    assert workflow.subject in ACCOUNT_SUBJECTS, f"the sample city has no {workflow_id} case to show"
    for account_id in session.scalars(select(UtilityAccount.id).order_by(UtilityAccount.id)):
        try:
            case = services.open_case(session, rules, workflow_id, account_id, actor="sweep:liens", on=AS_OF,
                                      now=NOW - timedelta(hours=1))
        except services.CaseError:
            session.rollback()
            continue
        session.commit()
        return case
    raise AssertionError(f"no account of the sample city may have a {workflow_id} case")


def test_every_case_page_in_every_state_speaks_the_citys_words(signed_in, city_rules):  # noqa: F811
    client, session = signed_in
    problems, pages = [], 0
    for workflow_id in city_rules.workflows.ids():
        workflow = city_rules.workflows.get(workflow_id)
        case = _case_of(session, city_rules, workflow_id)
        ids = {name for name in [*subject_facts(workflow.subject, city_rules.rules), *workflow.field_types]
               if "_" in name}
        for state in workflow.states:
            session.execute(Case.__table__.update().where(Case.id == case.id).values(state=state))
            session.commit()
            response = client.get(f"/cases/{case.id}")
            assert response.status_code == 200, (workflow_id, state)
            text = visible(response.get_data(as_text=True))
            pages += 1
            problems += [f"{workflow_id} / {state}: {p}" for p in problems_of(text, ids)]
            if workflow.subject in ACCOUNT_SUBJECTS:
                top = text[text.index("Standing on"):text.index("About")]
                assert re.search(r"Balance -?\$[\d,]+\.\d{2}", top), (workflow_id, state, top)
                if workflow.subject != "refund":
                    assert re.search(r"Past due \$[\d,]+\.\d{2}", top), (workflow_id, state, top)
    assert pages >= 30
    assert not problems, f"{len(problems)} on {pages} pages:\n" + "\n".join(sorted(set(problems))[:40])


def test_the_checker_catches_what_the_pages_used_to_say():
    """The words the issue found on case pages are each caught (so the test above can fail)."""
    said = ("it gives eligible = false, reason = under_60_days", "past_due_balance = 10612.58 <= 0: no",
            "shutoff on 2026-04-13 a field of this case", "Record version 4")
    for text in said:
        assert problems_of(text, {"past_due_balance"}), text
    assert not problems_of("Past due is $10,612.58, at most $0.00: no", {"past_due_balance"})
