"""Reading businesses for the pages: a business with its licenses (finding them is webapp.search)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.rules.errors import EvaluationError
from engine.store.models import Business, Case, License
from engine.workflow.facts import FactContext, license_facts


@dataclass(frozen=True)
class LicenseLine:
    """A license as the business page shows it: the row, its renewal standing today, its cases."""

    license: License
    renewal: dict[str, Any]
    cases: list[Case]
    applications: tuple[str, ...]  # the workflow whose cases are license applications (tagged license_applications)

    @property
    def open_case(self) -> Case | None:
        """The license's open application case, if any."""
        return next((c for c in self.cases if c.closed_at is None and c.workflow_id in self.applications), None)


def business_page(session: Session, rules: Any, business: Business, today: date,
                  applications: tuple[str, ...]) -> list[LicenseLine]:
    """The business's licenses, newest first, with renewal status by the deadline rule and their cases;
    `applications`: the workflow ids of license applications (engine.workflow.model.LICENSE_APPLICATIONS)."""
    licenses = session.scalars(select(License).where(License.business_id == business.id).order_by(License.id.desc()))
    lines = []
    for lic in licenses:
        try:
            facts = license_facts(FactContext(session=session, rules=rules, on=today), lic.id, {})
        except (EvaluationError, LookupError) as error:
            facts = {"renewal_error": str(error)}
        cases = list(session.scalars(select(Case).where(Case.license_id == lic.id).order_by(Case.id.desc())))
        lines.append(LicenseLine(lic, facts, cases, applications))
    return lines


def license_by_number(session: Session, number: str) -> License | None:
    """The license with this number, or None."""
    return session.scalar(select(License).where(License.number == number))
