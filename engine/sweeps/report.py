"""A sweep's report: counts per step, fees assessed, notices by type and language, exceptions."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from engine.money import from_cents

MAX_EXCEPTIONS = 1000  # kept in full; beyond that only counted


@dataclass
class SweepReport:
    """What a sweep did (or, in a dry run, would do); kept with the run as JSON."""

    subjects: int = 0
    cases_opened: Counter[str] = field(default_factory=Counter)
    steps: Counter[str] = field(default_factory=Counter)
    fees_cents: Counter[str] = field(default_factory=Counter)
    notices: Counter[str] = field(default_factory=Counter)  # "notice-type/language"
    exceptions: list[dict[str, str]] = field(default_factory=list)
    exceptions_not_kept: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def exception(self, subject: str, message: str) -> None:
        """Note a subject the sweep could not handle (missing facts, a rule error), and go on."""
        if len(self.exceptions) < MAX_EXCEPTIONS:
            self.exceptions.append({"subject": subject, "message": message})
        else:
            self.exceptions_not_kept += 1

    def to_json(self) -> dict[str, Any]:
        """The report as stored with the run: counts, fee totals as money strings, exceptions."""
        return {
            "subjects": self.subjects,
            "cases_opened": dict(sorted(self.cases_opened.items())),
            "steps": dict(sorted(self.steps.items())),
            "fees": {k: str(from_cents(v)) for k, v in sorted(self.fees_cents.items())},
            "fees_cents": dict(sorted(self.fees_cents.items())),
            "notices": dict(sorted(self.notices.items())),
            "exceptions": list(self.exceptions),
            "exceptions_not_kept": self.exceptions_not_kept,
            "totals": {"steps": sum(self.steps.values()), "notices": sum(self.notices.values()),
                       "fees": str(from_cents(sum(self.fees_cents.values()))),
                       "exceptions": len(self.exceptions) + self.exceptions_not_kept},
            **({"extra": self.extra} if self.extra else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SweepReport:
        """The report as a run left it, to add the next chunk to."""
        return cls(subjects=data.get("subjects", 0), cases_opened=Counter(data.get("cases_opened", {})),
                   steps=Counter(data.get("steps", {})), fees_cents=Counter(data.get("fees_cents", {})),
                   notices=Counter(data.get("notices", {})), exceptions=list(data.get("exceptions", [])),
                   exceptions_not_kept=data.get("exceptions_not_kept", 0), extra=dict(data.get("extra", {})))
