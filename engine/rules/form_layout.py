"""What a form editor shows of a version, laid out from the document's own structure.

A schedule's lines become tables: a table line's entries (a base charge by meter size), a
tiered line's blocks as rows with "up to" and the rate, a per-unit line's rate and limits, a
percent line's rate, a fixed amount. A criteria version becomes a decision table (rows are its
rules, columns the facts they test, each cell the condition in words), a calendar version its
months, a deadline its timeline. Every figure of the version that the layout does not place
is listed under "Other figures", so the form shows all of them. The cells are those of
`engine.rules.editing.cells`: what is typed into them is saved by `editing.apply_cells`.
"""
from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from engine.rules.conditions import condition_words
from engine.rules.editing import Cell
from engine.rules.kinds.criteria import HIT_WORDS
from engine.rules.types import YamlMapping, YamlValue
from engine.rules.wording import fact_words


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
    others: list[Cell] = field(default_factory=list)


BASES = ("amount", "table", "per_unit", "tiers", "percent")
LIMIT_WORDS = {"min": "at least", "max": "at most", "over": "over the first (units)", "max_units": "at most (units)",
               "rate": "rate", "amount": "amount"}


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
        for key in ("rate", "over", "max_units"):
            if key in spec:
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
    layout.others = list(mine.values())
    return layout


def _term_words(term: YamlValue) -> str:
    if not isinstance(term, dict):
        return "on the expiry date the license or permit holds"
    if "every" in term:
        return f"expires every {term['every']} on {term.get('date', '')}".strip()
    return f"expires {term.get('months', '')} months after {fact_words(str(term.get('after', 'issued_on')))}"


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


@dataclass
class DecisionTable:
    """Rows are rules, columns the facts they test; a cell is the condition on that fact in words."""

    hit: str
    facts: list[str]
    outcomes: list[str]
    rows: list[tuple[str, list[str], list[str]]]  # (rule name, a condition per fact, an outcome per key)


def _conditions(when: YamlValue) -> dict[str, list[str]]:
    """A rule's condition split by the fact each part tests (an `all` of parts), in words; the rest under "other"."""
    parts = when.get("all") if isinstance(when, dict) and set(when) == {"all"} else [when] if when else []
    found: dict[str, list[str]] = {}
    for part in parts:
        facts = [k for k in part if k not in ("fact",)] if isinstance(part, dict) else []
        name = part.get("fact") if isinstance(part, dict) and "fact" in part else \
            facts[0] if isinstance(part, dict) and len(facts) == 1 and facts[0] not in ("any", "all", "not") else "other"
        found.setdefault(str(name), []).append(condition_words(part))
    return found


def decision_table(version: YamlMapping) -> DecisionTable:
    """A criteria version's rules as a decision table."""
    rules = version.get("rules", [])
    split = [_conditions(rule.get("when")) for rule in rules]
    facts = list(dict.fromkeys(name for conditions in split for name in conditions))
    outcomes = list(dict.fromkeys(key for rule in rules for key in (rule.get("then") or {})))
    rows = [(str(rule.get("name", f"rule {i + 1}")), ["; ".join(conditions.get(f, [])) or "any" for f in facts],
             [str((rule.get("then") or {}).get(key, "")) for key in outcomes])
            for i, (rule, conditions) in enumerate(zip(rules, split))]
    hit = str(version.get("hit", "first"))
    return DecisionTable(HIT_WORDS.get(hit, hit), [fact_words(f) for f in facts], [fact_words(o) for o in outcomes],
                         rows)


# --- a calendar version as months -------------------------------------------------------------


@dataclass
class Day:
    """A day of a month grid: its date and what the version says of it."""

    day: date
    holiday: str | None
    closed: bool  # a closed weekday
    no_shutoff: str | None  # the no-shut-off period it is the only day of (its reason), when it is one day


@dataclass
class Month:
    """A month of a calendar version: weeks of days (None outside the month)."""

    first: date
    weeks: list[list[Day | None]]


def month_grids(version: YamlMapping, first: date, count: int) -> list[Month]:
    """`count` months from `first`'s month, each day with the version's holidays and one-day no-shut-off periods."""
    holidays = version.get("holidays") or {}
    named = {str(k): v for k, v in holidays.items()} if isinstance(holidays, dict) else \
        {str(d): "Holiday" for d in holidays}
    closed = set(version.get("closed_weekdays") or [])
    singles = {str(p["from"]): str(p.get("reason") or "") for p in (version.get("no_shutoff") or {}).get("periods", [])
               if p.get("from") == p.get("to")}
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    months, year, month = [], first.year, first.month
    for _ in range(count):
        weeks = []
        for week in month_calendar.Calendar().monthdatescalendar(year, month):
            weeks.append([Day(d, named.get(str(d)), names[d.weekday()] in closed, singles.get(str(d)))
                          if d.month == month else None for d in week])
        months.append(Month(date(year, month, 1), weeks))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def months_shown(effective: date, until: date | None) -> int:
    """How many months a calendar version's grid shows: to the next version (at most 12, at least 1)."""
    if until is None:
        return 12
    last = until - timedelta(days=1)
    return max(1, min(12, (last.year - effective.year) * 12 + last.month - effective.month + 1))
