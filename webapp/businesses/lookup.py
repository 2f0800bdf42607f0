"""Reading businesses for the pages: search by name or license number, and a business with its licenses.

Searches are prefix ranges on indexed columns (business name, license number), limited; on
PostgreSQL the name is matched through its lower(name) text_pattern_ops index (see accounts.lookup).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.rules.errors import EvaluationError
from engine.store.models import Business, Case, License
from engine.workflow.facts import FactContext, license_facts
from webapp.accounts.lookup import LIMIT, name_matches, starts_with


def search(session: Session, text: str) -> list[Business]:
    """Businesses whose name, or one of whose license numbers, starts with `text`; at most LIMIT."""
    text = " ".join(text.split())
    if not text:
        return []
    found: dict[int, Business] = {}
    by_license = select(Business).join(License, License.business_id == Business.id).where(
        starts_with(License.number, text.upper())).order_by(License.number).limit(LIMIT)
    for business in session.scalars(by_license.options(selectinload(Business.owner))):
        found.setdefault(business.id, business)
    for where in name_matches(session, Business.name, text):
        if len(found) >= LIMIT:
            break
        query = select(Business).where(where).order_by(Business.name).limit(LIMIT)
        for business in session.scalars(query.options(selectinload(Business.owner))):
            found.setdefault(business.id, business)
    return list(found.values())[:LIMIT]


@dataclass(frozen=True)
class LicenseLine:
    """A license as the business page shows it: the row, its renewal standing today, its cases."""

    license: License
    renewal: dict[str, Any]
    cases: list[Case]

    @property
    def open_case(self) -> Case | None:
        """The license's open licensing case, if any."""
        return next((c for c in self.cases if c.closed_at is None and c.workflow_id == "licensing"), None)


def business_page(session: Session, rules: Any, business: Business, today: date) -> list[LicenseLine]:
    """The business's licenses, newest first, with renewal status by the deadline rule and their cases."""
    licenses = session.scalars(select(License).where(License.business_id == business.id).order_by(License.id.desc()))
    lines = []
    for lic in licenses:
        try:
            facts = license_facts(FactContext(session=session, rules=rules, on=today), lic.id, {})
        except (EvaluationError, LookupError) as error:
            facts = {"renewal_error": str(error)}
        cases = list(session.scalars(select(Case).where(Case.license_id == lic.id).order_by(Case.id.desc())))
        lines.append(LicenseLine(lic, facts, cases))
    return lines


def license_by_number(session: Session, number: str) -> License | None:
    """The license with this number, or None."""
    return session.scalar(select(License).where(License.number == number))
