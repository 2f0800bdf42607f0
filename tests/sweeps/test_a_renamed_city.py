"""The sample city with every workflow id and every state renamed mails the same notices and posts the same fees.

The test rewrites workflows/*.yaml into a folder of its own: each workflow's id, its initial
state, its states, every step's from and to, and every `open:` of another workflow, consistently.
The sweep documents (rules/sweeps/) name workflows and states only by their tags, so they are
used as they are. The same small city is built in two databases; on the same nights the same
sweeps run (and a clerk posts the door hangers and arranges a plan by the same step ids),
one database with the sample city's workflows, the other with the renamed ones. The notices,
the fees the sweeps posted, and the cases and their steps (their states named back) are
the same, and so are the accounts on the phone list of the shut-offs to come.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.store.db import make_engine, make_sessionmaker
from engine.money import deposits
from engine.store.models import Case, User
from engine.store.schema import upgrade
from engine.sweeps.phone_export import scheduled_for_shutoff
from engine.workflow import services
from engine.workflow.services import Catalog
from samplecity.city import APPROVAL_ROLE_IDS
from tests.conftest import _fresh_postgres_database, _postgres_url
from tests.factories import create_business, create_customer, create_license, print_notices
from tests.sweeps.conftest import REPO, at, build_city, outcome_of, sweep

# Thursday Apr 30 (the April bills newly past due) to mid-July: reminders, shut-off notices, door hangers
# posted by a clerk, releases for shut-off, a plan arranged, license reminders, liens listed.
NIGHTS = [date(2026, 4, 30), date(2026, 5, 1), date(2026, 5, 11), date(2026, 5, 18), date(2026, 5, 26),
          date(2026, 6, 1), date(2026, 6, 8), date(2026, 6, 15), date(2026, 6, 22), date(2026, 6, 29),
          date(2026, 7, 6), date(2026, 7, 13)]
SWEEPS = ("delinquency", "plan-defaults", "renewals", "liens", "deposit-refunds")


def renamed(name: str) -> str:
    """A state's new name."""
    return f"st_{name}"


def renamed_id(workflow_id: str) -> str:
    """A workflow's new id."""
    return f"wf-{workflow_id}"


def rename_workflows(folder: Path) -> dict[str, str]:
    """workflows/*.yaml rewritten into `folder` with every id and state renamed; {new name: old name}."""
    folder.mkdir()
    back: dict[str, str] = {}
    for path in sorted((REPO / "workflows").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        back[renamed_id(data["id"])] = data["id"]
        back.update({renamed(name): name for name in data["states"]})
        data["id"] = renamed_id(data["id"])
        data["initial"] = renamed(data["initial"])
        data["states"] = {renamed(name): spec for name, spec in data["states"].items()}
        for step in data["transitions"]:
            sources = step["from"] if isinstance(step["from"], list) else [step["from"]]
            step["from"] = [s if s == "*" else renamed(s) for s in sources]
            step["to"] = renamed(step["to"])
            for action in step.get("actions") or []:
                if "open" in action:
                    action["open"] = renamed_id(action["open"])
        (folder / path.name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return back


def build(session: Session, rules) -> None:
    """Thirty cycle B accounts (ten owing the April bill), a deposit held, and three licenses ending June 30."""
    ids = build_city(session, 30)
    deposits.take_deposit(session, ids[1], on=date(2025, 3, 2), now=at(date(2025, 3, 2)), actor="carla",
                          library=rules, amount=Decimal("150.00"))
    for n in range(3):
        owner = create_customer(session, name=f"Owner {n}", mailing_street=f"{n + 1} Main Street")
        business = create_business(session, owner=owner, name=f"Shop {n}", address=f"{n + 1} Main Street")
        create_license(session, business, number=f"BL-{n:04d}", issued_on=date(2025, 7, 1),
                       expires_on=date(2026, 6, 30))
    for username, role in (("carla", "clerk"), ("sam", "supervisor")):
        session.add(User(username=username, full_name=username.title(), role=role, password_hash="-",
                         created_at=at(date(2026, 4, 1))))


def database(tmp_path: Path, name: str, rules) -> sessionmaker[Session]:
    """A migrated database of its own with the city built."""
    pg = _postgres_url()
    url, drop = _fresh_postgres_database(pg) if pg else (f"sqlite:///{tmp_path / name}", None)
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    with factory() as session, session.begin():
        build(session, rules)
    factory.drop = drop  # type: ignore[attr-defined]
    return factory


def staff_steps(factory: sessionmaker[Session], catalog: Catalog, night: date) -> None:
    """The clerk's work of the day, by step id: the night's notices printed, every door hanger due posted; from June
    22, a plan arranged for the first case that may have one."""
    with factory() as session, session.begin():
        cases = session.scalars(select(Case).where(Case.closed_at.is_(None), Case.account_id.is_not(None))
                                .order_by(Case.id)).all()
        planned = False
        for case in cases:
            print_notices(session, case.id, night)  # the night's notices go out
            allowed = {o.id for o in services.steps_for(session, catalog, case.id, user="carla", on=night) if o.allowed}
            if "post_door_hanger" in allowed:
                services.take_step(session, catalog, case.id, "post_door_hanger", user="carla", on=night,
                                   now=at(night), version=case.version)
            elif "arrange_plan" in allowed and not planned and night >= date(2026, 6, 22):
                services.take_step(session, catalog, case.id, "arrange_plan", user="carla", on=night, now=at(night),
                                   version=case.version, form={"installments": 3, "first_due": "2026-07-20"})
                planned = True


def walk(factory: sessionmaker[Session], catalog: Catalog) -> list[dict]:
    """The nights, each sweep in turn then the clerk's steps; each run's totals without its ids."""
    totals = []
    for night in NIGHTS:
        for name in SWEEPS:
            report = sweep(factory, catalog, on=night, name=name).report
            totals.append({"night": night.isoformat(), "sweep": name, "notices": report["notices"],
                           "fees": report.get("fees"), "subjects": report["subjects"],
                           "exceptions": [line["message"] for line in report["exceptions"]]})
        staff_steps(factory, catalog, night)
    return totals


def named_back(outcome: dict, back: dict[str, str]) -> dict:
    """The outcome with the renamed workflow ids and states named as the sample city names them."""
    def undo(text: str) -> str:
        for new in sorted(back, key=len, reverse=True):
            text = text.replace(f"'{new}'", f"'{back[new]}'")
        return text
    return {**outcome, "cases": [undo(c) for c in outcome["cases"]], "events": [undo(e) for e in outcome["events"]]}


@pytest.fixture()
def two_cities(tmp_path, catalog):
    """The same city in two databases."""
    made = [database(tmp_path, "original.db", catalog.rules), database(tmp_path, "renamed.db", catalog.rules)]
    yield made
    for factory in made:
        factory.kw["bind"].dispose()
        if factory.drop:
            factory.drop()


def test_renamed_workflows_and_states_mail_the_same_notices_and_post_the_same_fees(two_cities, catalog, tmp_path):
    """Every night the same notices, fees and steps; the cases end in the same states, named differently."""
    back = rename_workflows(tmp_path / "renamed")
    renamed_catalog = Catalog.load(REPO / "rules", tmp_path / "renamed", APPROVAL_ROLE_IDS)
    assert set(renamed_catalog.workflows.ids()) == {renamed_id(i) for i in catalog.workflows.ids()}
    original, other = two_cities
    before = walk(original, catalog)
    after = walk(other, renamed_catalog)
    assert after == before
    notices = outcome_of(original)["notices"]
    kinds = {n[2] for n in notices}
    assert {"past-due-reminder", "shutoff-notice", "door-hanger", "license-renewal-reminder",
            "license-renewal-final", "payment-plan-agreement"} <= kinds, kinds
    assert outcome_of(original)["fees"], "the sweeps posted late fees"
    with other() as session:
        assert {c.workflow_id for c in session.scalars(select(Case))} <= set(back)
    assert named_back(outcome_of(other), back) == outcome_of(original)
    with original() as first, other() as second:
        calls = list(scheduled_for_shutoff(first, catalog, date(2026, 6, 22)))
        assert calls and list(scheduled_for_shutoff(second, renamed_catalog, date(2026, 6, 22))) == calls
