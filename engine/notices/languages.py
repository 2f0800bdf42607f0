"""The languages the city can print in: found in the notice templates folder, named and spelled by their words files.

A language (a two-letter code such as `vi`) is printable when the notice templates folder
holds a complete set for it: a `<type>.<code>.html` for every notice type, the bill
(`bill-statement.<code>.html` and `_statement_words.<code>.html`), the counter receipt
(`receipt.<code>.html`) and the words every notice shares (`_words.<code>.html`). The words
file also says, as plain `{% set %}` values read without rendering it:

    language_name   the language's name as staff read it ("Vietnamese")
    months          the twelve months' names, January first
    long_date       how a date is written: "{month} {day}, {year}" ({month_number} also works)
    month_year      how a billing month is written: "{month} {year}"
    titles          each notice type's printed title

A code with some files but not all is not printable; `missing` names what it lacks. Which of
the printable languages a city uses is its `languages` setting (engine.city), English always
among them: it is what a notice falls back to.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, TemplateSyntaxError, nodes

from engine.city import ENGLISH
from engine.notices.catalog import NOTICE_TYPES, NoticeDataError

CODE = re.compile(r"^[a-z]{2}$")
TEMPLATE = re.compile(r"^(?P<stem>[A-Za-z0-9_-]+)\.(?P<code>[a-z]{2})\.html$")
WORDS = ("language_name", "months", "long_date", "month_year", "titles")


class LanguageError(NoticeDataError):
    """A language that cannot be printed: the message names the language and what its set lacks."""


def required_files(code: str) -> list[str]:
    """The files a complete set in this language holds, in the notice templates folder."""
    return ([f"{type_id}.{code}.html" for type_id in NOTICE_TYPES]
            + [f"bill-statement.{code}.html", f"_statement_words.{code}.html", f"receipt.{code}.html",
               f"_words.{code}.html"])


@dataclass(frozen=True)
class Language:
    """One printable language: its code, its name for staff, and how its notices write dates and titles."""

    code: str
    name: str
    months: tuple[str, ...]
    long_date: str
    month_year: str
    titles: Mapping[str, str]

    def day(self, value: str | date) -> str:
        """A date as this language writes it ('March 5, 2026', '5 de marzo de 2026')."""
        day = value if isinstance(value, date) else date.fromisoformat(value)
        return self.long_date.format(day=day.day, month=self.months[day.month - 1], month_number=day.month,
                                     year=day.year)

    def month(self, period: str) -> str:
        """A billing period (YYYY-MM) as this language writes it ('October 2026', 'octubre de 2026')."""
        year, month = int(period[:4]), int(period[5:7])
        return self.month_year.format(month=self.months[month - 1], month_number=month, year=year)

    def title(self, type_id: str) -> str:
        """A notice type's printed title in this language."""
        return self.titles[type_id]


@dataclass(frozen=True)
class Languages:
    """The languages a notice templates folder can print, and what each incomplete set lacks."""

    folder: str
    printable: Mapping[str, Language]
    missing: Mapping[str, tuple[str, ...]]  # code -> the files (or words) its set lacks

    @property
    def codes(self) -> tuple[str, ...]:
        """The printable codes, English first, then in code order."""
        return tuple(sorted(self.printable, key=lambda code: (code != ENGLISH, code)))

    def name(self, code: str) -> str:
        """The language's name as staff read it (its code when no printable set names it)."""
        found = self.printable.get(code)
        return found.name if found else code

    def names(self, codes: Iterable[str] | None = None) -> dict[str, str]:
        """Code -> name, for the given codes (default: every printable one), in the order given."""
        return {code: self.name(code) for code in (self.codes if codes is None else codes)}

    def why_not(self, code: str) -> str:
        """Why a language cannot be printed, naming the files its set lacks."""
        if code in self.missing:
            return (f"{code!r} cannot be printed: its set in {self.folder} is incomplete, lacking "
                    f"{', '.join(self.missing[code])}")
        known = ", ".join(f"{c} ({self.name(c)})" for c in self.codes) or "none"
        return f"{code!r} is not a language the notice templates are written in; they are: {known}"

    def language(self, code: str) -> Language:
        """The printable language with this code, or a LanguageError saying what is missing."""
        found = self.printable.get(code)
        if found is None:
            raise LanguageError(self.why_not(code))
        return found

    def check(self, codes: Iterable[str]) -> list[str]:
        """A city's languages, each once in the order given, or a LanguageError: English is required and each must
        be printable."""
        chosen = list(dict.fromkeys(codes))
        if ENGLISH not in chosen:
            raise LanguageError("Languages must include English (en): notices fall back to it.")
        for code in chosen:
            self.language(code)
        return chosen


def discover(folder: str | Path) -> Languages:
    """The languages the notice templates folder holds a complete set for, and what each other set lacks."""
    folder = Path(folder)
    present = {path.name for path in folder.iterdir() if path.is_file()} if folder.is_dir() else set()
    codes = {match["code"] for name in present if (match := TEMPLATE.match(name))}
    printable: dict[str, Language] = {}
    missing: dict[str, tuple[str, ...]] = {}
    for code in sorted(codes):
        lacking = [name for name in required_files(code) if name not in present]
        if not lacking:
            words, problems = _words(folder / f"_words.{code}.html", code)
            if words is None:
                lacking = problems
            else:
                printable[code] = words
        if lacking:
            missing[code] = tuple(lacking)
    return Languages(str(folder), printable, missing)


def _words(path: Path, code: str) -> tuple[Language | None, list[str]]:
    """The language its words file describes, or the problems with what it sets."""
    try:
        values = _constants(path.read_text(encoding="utf-8"))
    except TemplateSyntaxError as error:
        return None, [f"{path.name} (line {error.lineno}: {error.message})"]
    problems = [f"{path.name}: language_name, months, long_date, month_year and titles must be set; {word} is not"
                for word in WORDS if word not in values][:1]
    if problems:
        return None, problems
    months, titles = values["months"], values["titles"]
    if not (isinstance(months, (list, tuple)) and len(months) == 12 and all(isinstance(m, str) for m in months)):
        problems.append(f"{path.name}: months must be a list of the twelve months' names")
    if not isinstance(titles, dict):
        problems.append(f"{path.name}: titles must map each notice type to its title")
    else:
        untitled = [type_id for type_id in NOTICE_TYPES if not isinstance(titles.get(type_id), str)]
        if untitled:
            problems.append(f"{path.name}: titles has no title for {', '.join(untitled)}")
    for word in ("language_name", "long_date", "month_year"):
        if not isinstance(values[word], str) or not values[word].strip():
            problems.append(f"{path.name}: {word} must be text")
    if not problems:
        for word in ("long_date", "month_year"):
            try:
                values[word].format(day=1, month="", month_number=1, year=2000)
            except (KeyError, IndexError, ValueError):
                problems.append(f"{path.name}: {word} may name only {{day}}, {{month}}, {{month_number}} and {{year}}")
    if problems:
        return None, problems
    return Language(code, values["language_name"].strip(), tuple(months), values["long_date"], values["month_year"],
                    dict(titles)), []


def _constants(source: str) -> dict[str, object]:
    """The values a template sets at its top level to plain literals (`{% set name = "..." %}`), not rendered."""
    found: dict[str, object] = {}
    for node in Environment().parse(source).body:
        if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
            try:
                found[node.target.name] = node.node.as_const()
            except nodes.Impossible:
                continue
    return found
