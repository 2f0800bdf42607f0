"""A city that sets its policies only by publishing documents: the harness of the policy tests.

Each test in this folder takes one real city's published policy, writes it as rule documents
or a workflow version, publishes them through the rule store (drafted by a supervisor,
approved by a second person), and runs the city's own day through billing, payments, the
nightly sweeps and the workflow steps. No Python in this folder decides anything the city
decides: it only sets up accounts, takes the steps staff would take, and reads the ledger and
the notices back.

The sample city's rules and workflows are the starting point (imported into the store as they
are); a policy test publishes new versions of the documents it changes, from the day its
scenario starts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.money import ledger
from engine.rulebook import store, workflow_store
from engine.rulebook.catalog_source import CatalogCache
from engine.rulebook.drafting import check_draft
from engine.rulebook.revisions import newest, published_library
from engine.rulebook.workflow_revisions import check_workflow_draft, published_rows
from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from engine.store.models import Case, LedgerEntry, Notice, User
from engine.workflow import services
from engine.workflow.services import Catalog
from tests.factories import create_account, create_customer, print_notices, save_city

REPO = Path(__file__).resolve().parents[2]
RULES, WORKFLOWS = REPO / "rules", REPO / "workflows"
STAFF = (("carla", "clerk"), ("cody", "clerk"), ("sam", "supervisor"), ("sue", "supervisor"), ("ana", "admin"))


def at(day: date) -> datetime:
    """Five in the afternoon (UTC) of a day: the moment of anything done that day."""
    return datetime.combine(day, time(17, 0), tzinfo=timezone.utc)


def cents(amount: str | Decimal) -> int:
    """Whole cents of an amount written as the source writes it."""
    return int(Decimal(amount) * 100)


@dataclass
class Town:
    """The sample city's database with its rules and workflows in the store, and the day the city publishes on."""

    db: Session
    today: date
    catalogs: CatalogCache = field(default_factory=lambda: CatalogCache(RULES, WORKFLOWS))

    # --- publishing -------------------------------------------------------------------------

    def publish(self, text: str) -> None:
        """A rule document (new, or the whole text of a new revision) drafted by sam and published by ana."""
        checked = check_draft(self.db, None, text, self.today, source="policy.yaml")
        if not checked.ok:
            raise DocumentErrors(checked.errors)
        row = store.draft(self.db, checked, "sam", at(self.today))
        store.publish(self.db, row.document_id, row.revision, "ana", at(self.today), self.today)

    def published_text(self, document_id: str) -> str:
        """The text of a document's newest published revision."""
        row = newest(self.db, document_id, "published")
        assert row is not None, f"{document_id} is not published"
        return row.yaml_text

    def add_version(self, document_id: str, version: str, *, inputs: dict[str, str] | None = None) -> None:
        """A new dated version appended to a published document (its YAML list item, indented two spaces),
        with input declarations added after `inputs:` when the new version reads more facts."""
        text = self.published_text(document_id)
        for name, declaration in (inputs or {}).items():
            text = text.replace("inputs:\n", f"inputs:\n  {name}: {declaration}\n", 1)
        self.publish(text.rstrip("\n") + "\n" + version.strip("\n") + "\n")

    def publish_workflow(self, text: str) -> None:
        """A workflow (new, or a new version of one) drafted by sam and published by ana."""
        checked = check_workflow_draft(self.db, published_library(self.db), None, text, self.today)
        if not checked.ok:
            raise DocumentErrors(checked.errors)
        assert not checked.publish_problems, checked.publish_problems
        draft = workflow_store.draft(self.db, checked, "sam", at(self.today))
        workflow_store.publish(self.db, published_library(self.db), draft.workflow_id, draft.revision, "ana",
                               at(self.today), self.today)

    def revise_workflow(self, workflow_id: str, *edits: tuple[str, str]) -> None:
        """A new version of a workflow from today: the published text with each (old, new) edit made once."""
        row = published_rows(self.db, workflow_id)[-1]
        text = row.yaml_text
        for old, new in edits:
            assert text.count(old) == 1, f"{old!r} is not in {workflow_id} once"
            text = text.replace(old, new)
        number = f"version: {row.version}\n"
        self.publish_workflow(text.replace(number, f"version: {row.version + 1}\n"
                                                   f"effective: {self.today.isoformat()}\n", 1))

    @property
    def catalog(self) -> Catalog:
        """The published rules and workflows, as the running system reads them: through the app's catalog cache,
        read from the store again when a publication (or the approval roles) changes, not on every step."""
        return self.catalogs.get(self.db)

    # --- the city's day ---------------------------------------------------------------------

    def account(self, **overrides) -> int:
        """An active residential water and sewer account (customer details as given)."""
        customer = overrides.pop("customer", None) or create_customer(
            self.db, **{k: overrides.pop(k) for k in ("low_income", "language") if k in overrides})
        return create_account(self.db, customer=customer, **overrides).id

    def bill(self, account_id: int, amount: str, *, on: date, due_on: date, service: str = "water") -> None:
        """A bill's charge of one service, mailed on a day and due on another."""
        ledger.post_charge(self.db, account_id, Decimal(amount), on=on, due_on=due_on, now=at(on), actor="billing",
                           description=f"{service.capitalize()} service", service=service)

    def pay(self, account_id: int, amount: str, *, on: date) -> None:
        """A payment received on a day."""
        ledger.post(self.db, account_id=account_id, kind="payment", amount=-Decimal(amount), on=on, now=at(on),
                    actor="carla", description="Payment (cash, counter)", reference=f"policy-{account_id}-{on}")

    def open_case(self, workflow_id: str, subject_id: int, on: date, **fields) -> Case:
        """A case opened as the sweep or a clerk opens it."""
        return services.open_case(self.db, self.catalog, workflow_id, subject_id, actor="carla", on=on, now=at(on),
                                  fields=fields)

    def take(self, case: Case, step: str, user: str, on: date, **form):
        """A step taken on the version the person sees; its notices printed."""
        event = services.take_step(self.db, self.catalog, case.id, step, user=user, on=on, now=at(on),
                                   version=case.version, form=form)
        print_notices(self.db, case.id, on)  # the step's notices go out that day
        return event

    # --- what the city's books say ----------------------------------------------------------

    def fees(self, account_id: int) -> list[tuple[date, int, str]]:
        """The fees posted to an account: the day, the cents, the rule's title."""
        rows = self.db.scalars(select(LedgerEntry).where(LedgerEntry.account_id == account_id,
                                                         LedgerEntry.kind == "fee").order_by(LedgerEntry.id))
        return [(e.effective_on, e.amount_cents, e.description) for e in rows]

    def notices(self, account_id: int) -> list[Notice]:
        """The notices of an account's cases, oldest first."""
        cases = select(Case.id).where(Case.subject_id == account_id)
        return list(self.db.scalars(select(Notice).where(Notice.case_id.in_(cases)).order_by(Notice.id)))


def town(db: Session, today: date) -> Town:
    """The sample city's settings and staff, its rules and workflows published in the store, publishing from
    `today`."""
    save_city(db)
    for username, role in STAFF:
        db.add(User(username=username, full_name=username.title(), role=role, password_hash="-",
                    created_at=at(today)))
    db.flush()
    store.import_documents(db, RuleLibrary.from_folder(RULES), actor="ana", now=at(today), today=today,
                           author="sam", approver="ana")
    library = published_library(db)
    workflow_store.import_folder(db, WORKFLOWS, library, actor="ana", now=at(today), today=today,
                                 author="sam", approver="ana")
    return Town(db, today)
