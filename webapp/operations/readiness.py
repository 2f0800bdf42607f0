"""Whether this machine may take requests: its database answers, its schema is the code's, its rules are there."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.rulebook.revisions import has_published
from engine.store.schema import database_revision, newest_revision


@dataclass
class Readiness:
    """Each check by name with what it found; ready when every one passed."""

    checks: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def to_json(self) -> dict:
        """The answer `/ready` gives."""
        return {"status": "ready" if self.ready else "not ready", "checks": self.checks, "problems": self.problems}


def readiness(session: Session) -> Readiness:
    """The database answers; it is at the newest migration this code has; the rule store has published rules."""
    report = Readiness()
    try:
        session.execute(text("SELECT 1"))
        report.checks["database"] = "answers"
        at, newest = database_revision(session.connection()), newest_revision()
        report.checks["schema"] = f"migration {at}" if at else "no tables"
        if at != newest:
            report.problems.append(f"the database is at migration {at or 'none'}; this code needs {newest}: run "
                                   "`ordinance db upgrade` (one machine) before sending traffic here")
        published = has_published(session)
        report.checks["rules"] = "published in the store" if published else "none published (the rules folder is read)"
    except SQLAlchemyError as error:
        session.rollback()
        report.problems.append(f"the database does not answer: {type(error).__name__}")
    return report
