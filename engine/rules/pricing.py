"""Schedules priced a column at a time: the fast path of bills and fees for many fact sets at once.

A schedule version is compiled once (kept on the document instance, beside its explaining
`VersionPlan`) into a `ColumnPlan`: for each line, a function from the columns of many
checked fact sets to that line's amounts, and the `when:` of every line as one
`ComparisonTable` (engine.rules.comparisons). Pricing works as the explaining evaluation
does, line by line and top to bottom: basis (exact) -> `multiply_by` -> `min`/`max` ->
`round_money` -> subtotal, then the version's minimum and maximum; only the `detail` texts
are left out. Where nothing depends on the facts (a fixed amount, a table's amounts) the
line is worked out, rounded by `round_money` too, when the version is compiled. Incremental
tiers add their full blocks' charges in the same order as the explaining evaluation, once,
when compiled, so every amount is the same Decimal.

Whatever this path cannot price as the explaining one would (an absent fact a line needs,
a value missing from a table, a comparison across kinds) raises `NotPriced`; the caller
then prices those fact sets the explaining way, which gives today's result or today's
error.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from itertools import compress, repeat
from operator import add
from typing import TypeAlias, overload

from engine.money.amounts import round_money
from engine.rules import schedule
from engine.rules.comparisons import ComparisonTable, NotCompiled
from engine.rules.conditions import Condition
from engine.rules.document import RuleDocument, Version
from engine.rules.errors import EvaluationError
from engine.rules.proration import Proration
from engine.rules.facts import fact_checker
from engine.rules.results import as_text, per_document
from engine.rules.schedule import ScheduleResult
from engine.rules.types import Facts
from engine.rules.versions import version_in_force, versions_over

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CHUNK = 2048  # fact sets priced together
NONE = type(None)
Period: TypeAlias = "tuple[date | str, date | str]"
NUMERIC = ("number", "money", "integer")
Column: TypeAlias = list
Amounts: TypeAlias = "list[Decimal | None]"  # a line's rounded amount per fact set, None where it did not apply
LineColumns = Callable[[Mapping[str, Column], "_Sheet"], Column]


class NotPriced(Exception):
    """Fact sets this path cannot price as the explaining evaluation would: price them that way instead."""


class _Sheet:
    """What the lines above have produced for every fact set: the subtotal and each line's amounts."""

    __slots__ = ("subtotal", "amounts")

    def __init__(self, size: int) -> None:
        """Nothing yet."""
        self.subtotal: list[Decimal] = [ZERO] * size
        self.amounts: dict[str, Amounts] = {}


def _numbers(column: Column) -> Column:
    """A column of numeric facts, all present (an absent one: NotPriced, the explaining path names it)."""
    if NONE in set(map(type, column)):
        raise NotPriced("a number a line needs is absent")
    return column


def _keys(column: Column) -> Column:
    """Table and `by` keys: a fact's value as text, as the explaining path matches them."""
    if set(map(type, column)) <= {str}:
        return column
    return [value if value is None or type(value) is str else as_text(value) for value in column]


def _looked_up(values: dict, default: Decimal | None, fact: str, columns: Mapping[str, Column]) -> Column:
    """Each fact set's amount from a table by the fact's value as text (NotPriced for a value not in it)."""
    found = list(map(values.get, _keys(columns[fact]), repeat(default)))
    if NONE in set(map(type, found)):
        raise NotPriced(f"a value of {fact} is not in the table")
    return found


def _clamped(raw: dict, rounding: str) -> Callable[[Decimal], Decimal]:
    """A line's `min`/`max` clamp and its rounding, for amounts known when compiling."""
    low, high = raw.get("min"), raw.get("max")

    def finish(amount: Decimal) -> Decimal:
        """Clamp, then round to cents."""
        if low is not None and amount < low:
            amount = low
        if high is not None and amount > high:
            amount = high
        return round_money(amount, rounding)

    return finish


def _tier_tables(spec: dict) -> dict[str | None, tuple]:
    """Each block list as (limits, the units below each block, rates or amounts, charges below each block, priced)."""
    tables = {}
    raw_tables = {None: spec["blocks"]} if spec.get("by") is None else {str(k): v for k, v in spec["blocks"].items()}
    for key, blocks in raw_tables.items():
        limits = [block["upto"] for block in blocks if block.get("upto") is not None]
        if len(limits) != len(blocks) - 1 or blocks[-1].get("upto") is not None:
            raise NotCompiled("the last tier block must be the only one without `upto`")
        priced = ["rate" if "rate" in block else "amount" for block in blocks]
        values = [block[kind] for block, kind in zip(blocks, priced)]
        belows, charges, below, total = [], [], ZERO, ZERO
        for i, block in enumerate(blocks):  # the explaining path's running total over full blocks, in its order
            belows.append(below)
            charges.append(total)
            if i < len(limits):
                units = limits[i] - below
                if units > 0:
                    total += units * values[i]
                below = limits[i]
        tables[key] = (limits, belows, values, charges, priced)
    return tables


def _tiers(spec: dict) -> LineColumns:
    """`tiers:` incremental (each block at its rate) or all_units (every unit at the block reached)."""
    fact, by, mode = spec["fact"], spec.get("by"), spec.get("mode", "incremental")
    tables = _tier_tables(spec)
    if mode not in ("incremental", "all_units"):
        raise NotCompiled(f"unknown tier mode {mode!r}")

    def incremental(used: Decimal, table: tuple) -> Decimal:
        """The full blocks' charge below, plus the units in the block reached at its rate."""
        limits, belows, rates, charges, _ = table
        at = bisect_left(limits, used)
        units = used - belows[at]
        return charges[at] + units * rates[at] if units > 0 else charges[at]

    def all_units(used: Decimal, table: tuple) -> Decimal:
        """Every unit at the rate of the block reached, or that block's flat amount."""
        limits, _, values, _, priced = table
        at = bisect_left(limits, used)
        return values[at] if priced[at] == "amount" else used * values[at]

    price = incremental if mode == "incremental" else all_units

    def tiers(columns: Mapping[str, Column], sheet: _Sheet) -> Column:
        """Each fact set's charge, by its block list."""
        used = _numbers(columns[fact])
        if by is None:
            return list(map(price, used, repeat(tables[None])))
        try:
            return list(map(price, used, map(tables.__getitem__, _keys(columns[by]))))
        except KeyError:
            raise NotPriced(f"no tier blocks for some value of {by}") from None

    return tiers


def _per_unit(spec: dict) -> LineColumns:
    """`per_unit: {fact, rate, over, max_units}`: (min(F, M) - N, not below 0) x R."""
    fact, rate, over, most = spec["fact"], spec["rate"], spec.get("over"), spec.get("max_units")

    def per_unit(columns: Mapping[str, Column], sheet: _Sheet) -> Column:
        """Count the units, then price them."""
        units = _numbers(columns[fact])
        if most is not None:
            units = [most if value > most else value for value in units]
        if over is not None:
            units = [max(value - over, ZERO) for value in units]
        return [value * rate for value in units]

    return per_unit


def _percent(spec: dict, earlier: list[str]) -> LineColumns:
    """`percent: {of: subtotal | {line: NAME} | {fact: F}, rate: P}`."""
    of, share = spec["of"], spec["rate"] / HUNDRED
    if of == "subtotal":
        return lambda columns, sheet: [value * share for value in sheet.subtotal]
    if isinstance(of, dict) and of.get("line") in earlier:
        other = of["line"]
        return lambda columns, sheet: [(ZERO if value is None else value) * share for value in sheet.amounts[other]]
    if isinstance(of, dict) and "fact" in of:
        fact = of["fact"]
        return lambda columns, sheet: [value * share for value in _numbers(columns[fact])]
    raise NotCompiled(f"percent of {of!r}")


class _Line:
    """One line compiled for columns: a constant amount, a table of amounts, or a function of the columns."""

    def __init__(self, raw: dict, doc: RuleDocument, earlier: list[str], rounding: str) -> None:
        """Compile one `lines[i]` mapping (facts the line reads must be numbers where it counts with them)."""
        self.name, self.rounding = raw["name"], rounding
        per_unit = raw.get("per_unit", {})
        if ("months" in raw or isinstance(per_unit.get("max_units"), dict) or {"per", "count"} & set(per_unit)
                or "scaled_by" in raw.get("tiers", {})):
            raise NotCompiled(f"{self.name}: a seasonal line, units capped by a fact or counted per N, and tiers "
                              "scaled by a fact are priced the explaining way")
        self.when = Condition.compile(raw["when"], doc.inputs) if "when" in raw else None
        multiply = raw.get("multiply_by")
        self.multiply_by = (multiply["fact"], multiply.get("max")) if multiply else None
        self.low, self.high = raw.get("min"), raw.get("max")
        self.constant: Decimal | None = None
        self.table: tuple[str, dict, Decimal | None] | None = None
        self.compute: LineColumns | None = None
        finish = _clamped(raw, rounding)
        for fact in self._facts_read(raw):
            if fact not in doc.inputs:
                raise NotCompiled(f"{self.name}: {fact} is not a declared input")
        for fact in self._numeric_facts(raw):
            if doc.inputs[fact].type not in NUMERIC:
                raise NotCompiled(f"{self.name}: {fact} is not a number")
        if "amount" in raw and not multiply:
            self.constant = finish(raw["amount"])
        elif "amount" in raw:
            amount = raw["amount"]
            self.compute = lambda columns, sheet: [amount] * len(sheet.subtotal)
        elif "table" in raw:
            spec = raw["table"]
            values = {str(k): v for k, v in spec["values"].items()}
            default = spec.get("default")
            if multiply:
                self.compute = self._table_compute(spec["fact"], values, default)
            else:
                self.table = (spec["fact"], {k: finish(v) for k, v in values.items()},
                              None if default is None else finish(default))
        elif "tiers" in raw:
            self.compute = _tiers(raw["tiers"])
        elif "per_unit" in raw:
            self.compute = _per_unit(raw["per_unit"])
        elif "percent" in raw:
            self.compute = _percent(raw["percent"], earlier)
        else:
            raise NotCompiled(f"{self.name}: no basis")

    @classmethod
    def _facts_read(cls, raw: dict) -> list[str]:
        """Every fact the line's basis and multiply_by read (its `when` is checked by the comparison table)."""
        found = cls._numeric_facts(raw)
        if "table" in raw:
            found.append(raw["table"]["fact"])
        if "tiers" in raw and raw["tiers"].get("by") is not None:
            found.append(raw["tiers"]["by"])
        return found

    @staticmethod
    def _numeric_facts(raw: dict) -> list[str]:
        """The facts a line counts with (units, tier use, a percent's fact, multiply_by)."""
        found = [raw[kind]["fact"] for kind in ("per_unit", "tiers") if kind in raw]
        if isinstance(raw.get("percent", {}).get("of"), dict) and "fact" in raw["percent"]["of"]:
            found.append(raw["percent"]["of"]["fact"])
        if raw.get("multiply_by"):
            found.append(raw["multiply_by"]["fact"])
        return found

    @staticmethod
    def _table_compute(fact: str, values: dict, default: Decimal | None) -> LineColumns:
        """A table looked up for every fact set (its amounts multiplied afterwards)."""
        return lambda columns, sheet: _looked_up(values, default, fact, columns)

    def amounts(self, columns: Mapping[str, Column], sheet: _Sheet, size: int) -> Column:
        """The line's rounded amount for each of `size` fact sets (all of which it applies to)."""
        if self.constant is not None:
            return [self.constant] * size
        if self.table is not None:
            fact, values, default = self.table
            return _looked_up(values, default, fact, columns)
        found = self.compute(columns, sheet)
        if self.multiply_by is not None:
            fact, most = self.multiply_by
            times = _numbers(columns[fact])
            if most is not None:
                times = [most if value > most else value for value in times]
            found = list(map(Decimal.__mul__, found, map(Decimal, times)))
        if self.low is not None:
            found = [self.low if value < self.low else value for value in found]
        if self.high is not None:
            found = [self.high if value > self.high else value for value in found]
        return list(map(round_money, found, repeat(self.rounding)))


class ColumnPlan:
    """One schedule version compiled for columns: its lines, their `when:` as one comparison table, its limits."""

    def __init__(self, doc: RuleDocument, version: Version) -> None:
        """Compile every line; NotCompiled when a line is of a shape this path leaves to the explaining one."""
        body = version.body
        self.rounding = body.get("rounding", "half_up")
        self.minimum, self.maximum = body.get("minimum"), body.get("maximum")
        self.lines: list[_Line] = []
        names: list[str] = []
        for raw in body.get("lines", []):
            self.lines.append(_Line(raw, doc, list(names), self.rounding))
            names.append(raw["name"])
        conditional = [line.when for line in self.lines if line.when is not None]
        self.table = ComparisonTable(conditional, doc.inputs)
        self.reads = sorted(doc.inputs)

    def totals(self, columns: Mapping[str, Column], size: int) -> list[Decimal]:
        """Each fact set's total, from its checked columns; NotPriced when the explaining path must say."""
        try:
            return self._totals(columns, size)
        except (ArithmeticError, TypeError) as error:  # an overflow, a comparison across kinds: the explaining path
            raise NotPriced(str(error)) from None

    def _totals(self, columns: Mapping[str, Column], size: int) -> list[Decimal]:
        """The lines top to bottom, then the minimum and maximum of the total."""
        sheet = _Sheet(size)
        applies_of = self._applies(columns, size)
        for line in self.lines:
            if line.when is None:
                found: Amounts = line.amounts(columns, sheet, size)
                sheet.subtotal = [total + amount for total, amount in zip(sheet.subtotal, found)]
            else:
                found = self._where(line, columns, sheet, next(applies_of))
                sheet.subtotal = [total if amount is None else total + amount
                                  for total, amount in zip(sheet.subtotal, found)]
            sheet.amounts[line.name] = found
        return self._limited(sheet.subtotal)

    def _applies(self, columns: Mapping[str, Column], size: int) -> Iterator[list[bool]]:
        """For each line with a condition, in order: whether it holds, for each fact set."""
        if not self.table.tests:
            return
        keys = self.table.keys(columns, size)
        holding = {key: self.table.holding(key) for key in set(keys)}
        for number in range(len(self.table.tests)):
            yield list(map({key: number in held for key, held in holding.items()}.__getitem__, keys))

    def _where(self, line: _Line, columns: Mapping[str, Column], sheet: _Sheet, applies: list[bool]) -> Amounts:
        """A conditional line's amounts: worked out for the fact sets it applies to, None for the others."""
        if all(applies):
            return line.amounts(columns, sheet, len(applies))
        if not any(applies):
            return [None] * len(applies)
        chosen = {fact: list(compress(column, applies)) for fact, column in columns.items()}
        part = _Sheet(0)
        part.subtotal = list(compress(sheet.subtotal, applies))
        part.amounts = {name: list(compress(amounts, applies)) for name, amounts in sheet.amounts.items()}
        found = iter(line.amounts(chosen, part, len(part.subtotal)))
        return [next(found) if applied else None for applied in applies]

    def _limited(self, totals: list[Decimal]) -> list[Decimal]:
        """The version's minimum and maximum applied to each total."""
        if self.minimum is not None:
            floor = round_money(self.minimum, self.rounding)
            totals = [floor if total < self.minimum else total for total in totals]
        if self.maximum is not None:
            ceiling = round_money(self.maximum, self.rounding)
            totals = [ceiling if total > self.maximum else total for total in totals]
        return totals


def column_plan(doc: RuleDocument, version: Version) -> ColumnPlan | None:
    """The ColumnPlan of a version (kept on the document), or None when its lines are left to the explaining path."""
    plans = per_document(doc, "schedule-columns", dict)
    if version.effective not in plans:
        try:
            plans[version.effective] = ColumnPlan(doc, version)
        except NotCompiled:
            plans[version.effective] = None
    return plans[version.effective]


class ScheduleBatch(Sequence[ScheduleResult]):
    """The totals of many fact sets on one day (or over one period); each full result, with its lines, when asked."""

    def __init__(self, doc: RuleDocument, facts_list: Sequence[Facts], as_of: date, period: Period | None,
                 totals: list[Decimal], by_columns: bool) -> None:
        """Keep the totals, and what a full result needs."""
        self.doc, self.facts_list, self.as_of, self.period = doc, facts_list, as_of, period
        self.totals = totals
        self.by_columns = by_columns  # every fact set priced by the column plans (none the explaining way)

    def __len__(self) -> int:
        """How many fact sets were priced."""
        return len(self.totals)

    @overload
    def __getitem__(self, index: int) -> ScheduleResult: ...

    @overload
    def __getitem__(self, index: slice) -> list[ScheduleResult]: ...

    def __getitem__(self, index: int | slice) -> ScheduleResult | list[ScheduleResult]:
        """The full result of one fact set (the explaining evaluation: lines, details, parts)."""
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return schedule.evaluate(self.doc, self.facts_list[index], self.as_of, period=self.period)


def evaluate_batch(doc: RuleDocument, facts_list: Sequence[Facts], as_of: date, *,
                   period: Period | None = None) -> ScheduleBatch:
    """Price many fact sets on `as_of` (or prorated over one `period`): totals at once, each result when asked.

    Gives the totals the explaining evaluation gives, fact set by fact set, and refuses as it
    does (the first fact set that it refuses, with its error).
    """
    totals: list[Decimal] = []
    by_columns = True
    for start in range(0, len(facts_list), CHUNK):
        chunk = facts_list[start:start + CHUNK]
        try:
            totals.extend(_chunk_totals(doc, chunk, as_of, period))
        except (EvaluationError, NotPriced, ArithmeticError):  # the explaining path prices them, or names the refusal
            totals.extend(schedule.evaluate(doc, facts, as_of, period=period).total for facts in chunk)
            by_columns = False
    return ScheduleBatch(doc, facts_list, as_of, period, totals, by_columns)


def _chunk_totals(doc: RuleDocument, chunk: Sequence[Facts], as_of: date, period: Period | None) -> list[Decimal]:
    """One chunk's totals by the column plans; NotPriced (or an EvaluationError) sends it the explaining way."""
    columns = fact_checker(doc).columns(chunk)
    if period is None:
        spans = [(version_in_force(doc, as_of), 1)]
        period_days = None
    else:
        first, last = schedule.period_dates(period)
        spans = [(version, days) for version, days, _, _ in versions_over(doc, first, last)]
        period_days = (last - first).days + 1
        if any(not Proration.of(version.body).share(first, last).whole for version, _ in spans):
            raise NotPriced("a partial period is prorated line by line, the explaining way")
    totals: list[Decimal] | None = None
    for version, days in spans:
        plan = column_plan(doc, version)
        if plan is None:
            raise NotPriced("this version is priced the explaining way")
        whole = plan.totals(columns, len(chunk))
        if period_days is None:
            return whole
        parts = [round_money(total * days / period_days, plan.rounding) for total in whole]
        totals = [ZERO + part for part in parts] if totals is None else list(map(add, totals, parts))
    return totals or []
