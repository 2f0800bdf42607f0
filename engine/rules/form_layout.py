"""What a form editor shows of a version, laid out from the document's own structure.

A schedule's lines become tables: a table line's entries (a base charge by meter size), a
tiered line's blocks as rows with "up to" and the rate, a per-unit line's rate and limits, a
percent line's rate, a fixed amount. A criteria version becomes a decision table (rows are its
rules, columns the facts they test, each cell the condition in words with its figures, yes/no
and texts as the form's cells; each outcome a cell), a calendar version its
months, a deadline its timeline. Every figure of the version that the layout does not place
is listed under "Other figures", so the form shows all of them. The cells are those of
`engine.rules.editing.cells`: what is typed into them is saved by `editing.apply_cells`.
"""
from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from engine.rules.calendar import Holidays
from engine.rules.conditions import COMBINATORS, condition_pieces, shown
from engine.rules.editing import Cell
from engine.rules.errors import EvaluationError
from engine.rules.kinds.criteria import HIT_WORDS
from engine.rules.months import first_of_month, months_in
from engine.rules.results import as_text
from engine.rules.types import YamlMapping, YamlValue
from engine.rules.wording import fact_words
from engine.rules.yamlsafe import join_key


@dataclass
class TierRow:
    """One tier of a tiered line: for which key (a meter size, or none), its number, and its cells."""

    key: str | None
    number: int
    upto: Cell | None
    rate: Cell | None
    amount: Cell | None


@dataclass
class LineLayout:
    """One line of a schedule version as the form lays it out."""

    name: str
    path: str
    basis: str  # amount | table | per_unit | tiers | percent
    entries: list[tuple[str, Cell]] = field(default_factory=list)  # (what, cell): a table's keys, a rate, a limit
    tiers: list[TierRow] = field(default_factory=list)
    tier_numbers: list[int] = field(default_factory=list)  # the tiers a percentage change may be asked for
    by: str | None = None  # the fact a tiered line's blocks are chosen by (meter size)


@dataclass
class VersionLayout:
    """A version's form: its index, date, citation cells, lines (schedules) and the figures placed nowhere else."""

    index: int
    effective: date
    editable: bool
    citation: list[Cell] = field(default_factory=list)
    lines: list[LineLayout] = field(default_factory=list)
    timeline: list[tuple[int, str, Cell | None]] = field(default_factory=list)  # a deadline's steps, in time order
    table: DecisionTable | None = None  # a criteria version's decision table, its cells the form's
    others: list[Cell] = field(default_factory=list)


BASES = ("amount", "table", "per_unit", "tiers", "percent")
LIMIT_WORDS = {"min": "at least", "max": "at most", "over": "over the first (units)", "max_units": "at most (units)",
               "per": "rate for each (units)", "rate": "rate", "amount": "amount"}


def _take(cells: dict[str, Cell], path: str) -> Cell | None:
    return cells.pop(path, None)


def _line(line: YamlMapping, path: str, cells: dict[str, Cell]) -> LineLayout:
    basis = next((b for b in BASES if b in line), "amount")
    layout = LineLayout(str(line.get("name", "")), path, basis)
    spec = line.get(basis)
    if basis == "amount":
        layout.entries.append(("amount", _take(cells, f"{path}.amount")))
    elif basis == "table":
        for key in spec.get("values", {}):
            layout.entries.append((key, _take(cells, f"{path}.table.values.{key}")))
        if "default" in spec:
            layout.entries.append(("any other", _take(cells, f"{path}.table.default")))
        layout.by = spec.get("fact")
    elif basis in ("per_unit", "percent"):
        for key in ("rate", "over", "max_units", "per"):
            if key in spec and not isinstance(spec[key], dict):  # units capped by a fact: no figure to change
                layout.entries.append((LIMIT_WORDS[key], _take(cells, f"{path}.{basis}.{key}")))
    elif basis == "tiers":
        blocks = spec.get("blocks")
        layout.by = spec.get("by")
        groups = blocks.items() if isinstance(blocks, dict) else [(None, blocks)]
        for key, tiers in groups:
            where = f"{path}.tiers.blocks" + (f".{key}" if key is not None else "")
            for i, _ in enumerate(tiers):
                layout.tiers.append(TierRow(key, i + 1, _take(cells, f"{where}[{i}].upto"),
                                            _take(cells, f"{where}[{i}].rate"), _take(cells, f"{where}[{i}].amount")))
        layout.tier_numbers = sorted({row.number for row in layout.tiers if row.rate is not None})
    for key in ("min", "max"):
        if key in line:
            layout.entries.append((LIMIT_WORDS[key], _take(cells, f"{path}.{key}")))
    layout.entries = [(what, cell) for what, cell in layout.entries if cell is not None]
    return layout


def version_layout(data: YamlMapping, index: int, cells: dict[str, Cell], editable: bool) -> VersionLayout:
    """The form of version `index` of a document read as data (`cells`: that version's, as editing gives them)."""
    version = data["versions"][index]
    prefix = f"versions[{index}]"
    mine = {path: cell for path, cell in cells.items() if path.startswith(prefix + ".")}
    layout = VersionLayout(index, version["effective"], editable)
    layout.citation = [c for c in (_take(mine, f"{prefix}.reference"), _take(mine, f"{prefix}.adopted")) if c]
    if data.get("kind") == "schedule":
        layout.lines = [_line(line, f"{prefix}.lines[{i}]", mine) for i, line in enumerate(version.get("lines", []))]
    if data.get("kind") == "deadline":
        layout.timeline = deadline_timeline(version, prefix, mine)
    if data.get("kind") == "criteria":
        layout.table = decision_table(version, prefix, mine)
    layout.others = list(mine.values())
    return layout


def _term_words(term: YamlValue) -> str:
    if not isinstance(term, dict):
        return "on the expiry date the license or permit holds"
    if "every" in term:
        return f"expires every {term['every']} on {term.get('date', '')}".strip()
    end = ", at the end of that month" if term.get("ends") == "month_end" else ""
    return f"expires {term.get('months', '')} months after {fact_words(str(term.get('after', 'issued_on')))}{end}"


def deadline_timeline(version: YamlMapping, prefix: str, cells: dict[str, Cell]) -> list[tuple[int, str, Cell | None]]:
    """A deadline version's steps in time order around the expiry: (days from it, what happens, its days' cell)."""
    steps: list[tuple[int, str, Cell | None]] = [(0, _term_words(version.get("term")), None)]
    for i, reminder in enumerate(version.get("reminders") or []):
        steps.append((-int(reminder["days_before"]), f"reminder ({reminder.get('notice', '')}), days before expiry",
                      _take(cells, f"{prefix}.reminders[{i}].days_before")))
    if isinstance(version.get("grace"), dict):
        penalty = (version.get("late_penalty") or {}).get("schedule")
        steps.append((int(version["grace"]["days"]), "grace ends, days after expiry" +
                      (f"; then the late penalty ({penalty})" if penalty else ""), _take(cells, f"{prefix}.grace.days")))
    if isinstance(version.get("lapse"), dict):
        notice = version["lapse"].get("notice")
        steps.append((int(version["lapse"]["days_after"]), "lapses, days after expiry" +
                      (f" ({notice})" if notice else ""), _take(cells, f"{prefix}.lapse.days_after")))
    return sorted(steps, key=lambda step: step[0])


# --- a criteria version as a decision table ---------------------------------------------------


Piece = str | Cell  # a cell of a decision table is words with the figures in it (a form's cells where editable)


@dataclass
class DecisionRow:
    """One rule of a decision table: its name, a condition per fact column, an outcome per outcome column."""

    name: list[Piece]
    conditions: list[list[Piece]]
    outcomes: list[list[Piece]]


@dataclass
class DecisionTable:
    """Rows are rules, columns the facts they test; a cell is the condition on that fact in words.

    Each cell is a list of pieces: words, and the form's cells (`Cell`) where a figure, a yes/no,
    a text compared with or an outcome stands, so an editable version's table is the form itself.
    Joined as written, a condition cell reads as `condition_words` of its part (the trace's words).
    """

    hit: str
    facts: list[str]
    outcomes: list[str]
    rows: list[DecisionRow]


def _literal(value: YamlValue, path: str, cells: dict[str, Cell]) -> list[Piece]:
    """What a comparison compares with: its cell (taken from `cells`) or its words; a list item by item."""
    if isinstance(value, list):
        pieces: list[Piece] = ["["]
        for i, item in enumerate(value):
            pieces += ([", "] if i else []) + _literal(item, f"{path}[{i}]", cells)
        return pieces + ["]"]
    cell = cells.pop(path, None)
    return [cell] if cell is not None else [shown(value)]


def _condition_pieces(raw: YamlValue, path: str, cells: dict[str, Cell]) -> list[Piece]:
    """A condition as `condition_words` writes it, with the form's cells where its literals stand."""
    return condition_pieces(raw, lambda value, where: _literal(value, where, cells), path)


def _tested_fact(part: YamlValue) -> str:
    """The fact column a part of a condition goes under ("other" for a part that is not about one fact)."""
    if not isinstance(part, dict):
        return "other"
    if "fact" in part:
        return str(part["fact"])
    keys = list(part)
    return keys[0] if len(keys) == 1 and keys[0] not in COMBINATORS else "other"


def _conditions(when: YamlValue, path: str, cells: dict[str, Cell]) -> dict[str, list[list[Piece]]]:
    """A rule's condition split by the fact each part tests (an `all` of parts), as pieces; the rest under "other"."""
    if isinstance(when, dict) and set(when) == {"all"}:
        parts = [(part, f"{path}.all[{i}]") for i, part in enumerate(when["all"])]
    else:
        parts = [(when, path)] if when else []
    found: dict[str, list[list[Piece]]] = {}
    for part, where in parts:
        found.setdefault(_tested_fact(part), []).append(_condition_pieces(part, where, cells))
    return found


def _outcome(then: YamlMapping, key: str, path: str, cells: dict[str, Cell]) -> list[Piece]:
    """A rule's outcome for one key: its cell, or its value as written ("" when the rule does not give it)."""
    if key not in then:
        return [""]
    cell = cells.pop(path, None)
    value = then[key]
    return [cell] if cell is not None else [value if isinstance(value, str) else as_text(value)]


def _joined(groups: list[list[Piece]]) -> list[Piece]:
    pieces: list[Piece] = []
    for i, group in enumerate(groups):
        pieces += (["; "] if i else []) + group
    return pieces or ["any"]


def decision_table(version: YamlMapping, prefix: str = "", cells: dict[str, Cell] | None = None) -> DecisionTable:
    """A criteria version's rules as a decision table; with the version's `cells` (its path `prefix`), the cells
    it places are taken from them and stand in its rows (an editable table), else every cell is words."""
    cells = cells if cells is not None else {}
    rules = version.get("rules", [])
    split = [_conditions(rule.get("when"), f"{prefix}.rules[{i}].when", cells) for i, rule in enumerate(rules)]
    facts = list(dict.fromkeys(name for conditions in split for name in conditions))
    outcomes = list(dict.fromkeys(key for rule in rules for key in (rule.get("then") or {})))
    lasting = any(isinstance(rule.get("for"), dict) for rule in rules)  # an outcome that lasts: its own column
    rows = []
    for i, (rule, conditions) in enumerate(zip(rules, split)):
        where = f"{prefix}.rules[{i}]"
        name = cells.pop(f"{where}.name", None) or str(rule.get("name", f"rule {i + 1}"))
        then = rule.get("then") or {}
        row_outcomes = [_outcome(then, key, join_key(f"{where}.then", key), cells) for key in outcomes]
        if lasting:
            row_outcomes.append(_lasts(rule.get("for"), f"{where}.for", cells))
        rows.append(DecisionRow([name], [_joined(conditions.get(f, [])) for f in facts], row_outcomes))
    hit = str(version.get("hit", "first"))
    return DecisionTable(HIT_WORDS.get(hit, hit), [fact_words(f) for f in facts],
                         [fact_words(o) for o in outcomes] + (["lasts"] if lasting else []), rows)


def _lasts(lasting: YamlValue, path: str, cells: dict[str, Cell]) -> list[Piece]:
    """How long a rule's outcome lasts (its `for:`, a count of days or months), or "" for one that does not."""
    if not isinstance(lasting, dict):
        return [""]
    pieces: list[Piece] = []
    for n, (unit, count) in enumerate(lasting.items()):
        pieces += ([", "] if n else []) + _literal(count, join_key(path, unit), cells) + [f" {unit}"]
    return pieces


# --- a calendar version as months -------------------------------------------------------------


@dataclass
class Day:
    """A day of a month grid: its date and what the version says of it."""

    day: date
    holiday: str | None
    closed: bool  # a closed weekday
    no_shutoff: str | None  # the no-shut-off period it is the only day of (its reason), when it is one day
    yearly: bool = False  # its holiday comes from the version's yearly holidays (changed in the YAML, not by a click)


@dataclass
class Month:
    """A month of a calendar version: weeks of days (None outside the month)."""

    first: date
    weeks: list[list[Day | None]]


def version_holidays(version: YamlMapping, years: range) -> tuple[dict[date, str], set[date]]:
    """A version's holidays in `years` (listed and yearly, as the calendar reads them) and which are yearly.

    The text being edited may break a yearly rule (a month typed as 13): its yearly holidays are
    then left out of the months until the check names what is wrong.
    """
    named: dict[date, str] = {}
    for body in (version, {"holidays": version.get("holidays")}, {}):  # all, the listed dates only, none
        try:
            holidays = Holidays.of_version(body)
            named = {day: name for year in years for day, name in holidays.in_year(year).items()}
            break
        except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, EvaluationError):
            continue
    return named, {day for day in named if day not in holidays.listed}


def month_grids(version: YamlMapping, first: date, count: int) -> list[Month]:
    """`count` months from `first`'s month, each day with the version's holidays and one-day no-shut-off periods."""
    named, yearly = version_holidays(version, range(first.year, first_of_month(first, count).year + 1))
    closed = set(version.get("closed_weekdays") or [])
    singles = {str(p["from"]): str(p.get("reason") or "") for p in (version.get("no_shutoff") or {}).get("periods", [])
               if p.get("from") == p.get("to")}
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    months = []
    for later in range(count):
        start = first_of_month(first, later)
        weeks = []
        for week in month_calendar.Calendar().monthdatescalendar(start.year, start.month):
            weeks.append([Day(d, named.get(d), names[d.weekday()] in closed, singles.get(str(d)), d in yearly)
                          if d.month == start.month else None for d in week])
        months.append(Month(start, weeks))
    return months


def months_shown(effective: date, until: date | None) -> int:
    """How many months a calendar version's grid shows: to the next version (at most 12, at least 1)."""
    if until is None:
        return 12
    return max(1, min(12, months_in(effective, until - timedelta(days=1))))
