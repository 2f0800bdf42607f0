"""kind: services — the services a schedule line may bill (water, sewer, garbage, ...), with their names.

A city has one such document. Each version lists the services from its day on, each with its
name in the city's languages (`water: {en: Water, es: Agua}`: English, and any other language
the city prints in), and may say what debits without a service are called (`other_charges:
{en: Other charges, vi: Phí khác}`); a schedule line's `service:` and a payment order's
priority must name a service on the list in force on their version's day
(engine.rules.services). A services document declares no inputs; evaluated, it gives
the list in force.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.rules import versions as in_force
from engine.rules.checks import DocumentChecks
from engine.rules.document import Documents, RuleDocument
from engine.rules.kinds.base import Period, RuleKind, Shown
from engine.rules.schema_blocks import JsonSchema, text
from engine.rules.services import CATCH_ALL, LANGUAGE_CODE, SERVICE_NAME
from engine.rules.types import Facts, JsonValue, YamlMapping


def version_keys() -> JsonSchema:
    """`services:` a mapping from each service's name to its names by language (English required); `other_charges:`
    what debits without a service are called, by language (else "Other charges", "Otros cargos")."""
    return {"other_charges": names("what debits without a service are called in each language, English required: "
                                   "{en: Other charges, vi: Phí khác}"),
            "services": {"type": "object", "minProperties": 1, "maxProperties": 50,
                         "propertyNames": {"pattern": SERVICE_NAME,
                                           "description": "a service name: lowercase letters, digits and _, "
                                                          "at most 32 characters"},
                         "additionalProperties": names("the service's name in each language, English required: "
                                                       "{en: Water, es: Agua}")}}


def names(description: str) -> JsonSchema:
    """Words by language: a two-letter language code (any the city prints in: engine.notices.languages) to its text,
    English required."""
    return {"type": "object", "required": ["en"], "minProperties": 1, "maxProperties": 30,
            "propertyNames": {"pattern": LANGUAGE_CODE,
                              "description": "a two-letter language code the city prints in: en, es, vi, ..."},
            "additionalProperties": text(), "description": description}


def check_version(checks: DocumentChecks, version: YamlMapping, path: str) -> None:
    """`other` is the catch-all of debits without a service, never a service of the list."""
    if CATCH_ALL in version.get("services", {}):
        checks.error(f"{path}.services.{CATCH_ALL}",
                     f'"{CATCH_ALL}" is where debits without a service are counted; give the service another name')


@dataclass(frozen=True)
class ServicesResult:
    """The services on the list in force on a day."""

    services: dict[str, dict[str, str]]
    rule: str
    version: date
    reference: str | None
    as_of: date

    def to_json(self) -> dict[str, JsonValue]:
        """The result as `--json` prints it."""
        return {"services": {name: dict(names) for name, names in self.services.items()}, "rule": self.rule,
                "version": self.version.isoformat(), "reference": self.reference, "as_of": self.as_of.isoformat()}


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
             period: Period | None) -> ServicesResult:
    """The list in force on the day."""
    version = in_force.version_in_force(doc, as_of)
    return ServicesResult(dict(version.body["services"]), doc.id, version.effective, version.reference, as_of)


def service_lines(shown: Shown) -> list[str]:
    """Each service with its names."""
    return [f"  {name}: " + ", ".join(f"{language} {label}" for language, label in names.items())
            for name, names in shown["services"].items()]


KIND = RuleKind("services", version_keys, ("services",), check_version, evaluate, service_lines,
                takes_inputs=False, one_per_city=True)
