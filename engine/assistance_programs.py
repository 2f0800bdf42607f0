"""The assistance programs a city runs: low-income rate assistance, medical baseline, senior discounts, ...

City data, kept in the city settings (`assistance_programs`, changed on the city settings
page; a change waits for a second person, engine.two_person, since it decides who counts as
low income). A program has an id (what criteria documents compare with, `assistance_programs
contains medical_baseline`), its name in the city's languages (`{en: ..., es: ...}`, English
required), and whether enrolment in it `counts_as_low_income` (the `low_income` fact). A
customer's enrolments, each dated, are kept in `assistance_enrolments` (engine.accounts.assistance).
Until a city saves its own list, the sample city's list below applies.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")  # as the notice templates' languages are named (engine.notices.languages)

DEFAULT_PROGRAM = "cap"  # the program every customer flagged low income before programs were data is enrolled in
SAMPLE_PROGRAMS = (
    {"id": DEFAULT_PROGRAM, "name": {"en": "Customer Assistance Program", "es": "Programa de Asistencia al Cliente"},
     "counts_as_low_income": True},
)
KEYS = ("id", "name", "counts_as_low_income")
PROGRAM_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class ProgramError(ValueError):
    """A program list that cannot be kept; the message names the entry and the key."""


@dataclass(frozen=True)
class Program:
    """One assistance program: its id, its name by language, and whether it counts as low income."""

    id: str
    name: dict[str, str]
    counts_as_low_income: bool

    def name_in(self, language: str = "en") -> str:
        """The program's name in a language, in English when it has none in that one."""
        return self.name.get(language) or self.name["en"]


def _checked(number: int, entry: Any, seen: set[str]) -> dict:
    """One program, cleaned, or a ProgramError naming it (1-based) and its key."""
    if not isinstance(entry, dict) or set(entry) != set(KEYS):
        raise ProgramError(f"assistance program {number}: needs exactly {', '.join(KEYS)}")
    program_id = str(entry["id"]).strip()
    if not PROGRAM_ID.match(program_id):
        raise ProgramError(f"assistance program {number}: id {program_id!r} must start with a letter and hold "
                           "lower-case letters, digits and _ (at most 40)")
    if program_id in seen:
        raise ProgramError(f"assistance program {number}: id {program_id!r} is used twice")
    names = entry["name"]
    if isinstance(names, str):
        names = {"en": names}
    if (not isinstance(names, dict) or "en" not in names
            or not all(isinstance(code, str) and LANGUAGE_CODE.match(code) for code in names)):
        raise ProgramError(f"assistance program {number}: name is the program's name by language code "
                           "(two letters; English required), e.g. {en: Medical Baseline, es: Línea base médica}")
    cleaned_names = {}
    for language in ["en", *sorted(code for code in names if code != "en")]:
        text = str(names[language] or "").strip()
        if not text or len(text) > 80:
            raise ProgramError(f"assistance program {number}: name.{language}: 1 to 80 characters")
        cleaned_names[language] = text
    if not isinstance(entry["counts_as_low_income"], bool):
        raise ProgramError(f"assistance program {number}: counts_as_low_income is true or false, "
                           f"not {entry['counts_as_low_income']!r}")
    seen.add(program_id)
    return {"id": program_id, "name": cleaned_names, "counts_as_low_income": entry["counts_as_low_income"]}


def checked_programs(value: Any) -> list[dict]:
    """The program list cleaned, or a ProgramError naming the entry (1-based) and its key."""
    if not isinstance(value, list) or not value:
        raise ProgramError("assistance programs: a list of programs, each with id, name and counts_as_low_income")
    seen: set[str] = set()
    return [_checked(number, entry, seen) for number, entry in enumerate(value, 1)]


def programs_of(kept: list[dict] | None) -> list[Program]:
    """The programs a city keeps (its settings' list), in its order; the sample city's when it keeps none."""
    return [Program(entry["id"], dict(entry["name"]), entry["counts_as_low_income"])
            for entry in (kept or SAMPLE_PROGRAMS)]
