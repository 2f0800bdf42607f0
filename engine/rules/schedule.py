"""kind: schedule — money from facts: rates, fees and penalties, line by line, with how each was reached.

Each version is compiled once into a `VersionPlan` (a list of `LinePlan`s); the plans of a
document live in its `CompiledSchedule`, kept on the document instance itself (see
`results.per_document`), so a billing run that evaluates one document a million times
parses its YAML body once. Order of work for each line: basis (exact) -> multiply_by ->
min/max -> round to cents in the version's rounding.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Callable

from engine.money.amounts import money_text, round_money
from engine.rules.conditions import Condition
from engine.rules.document import Documents, RuleDocument, Version
from engine.rules.errors import EvaluationError
from engine.rules import versions as in_force, wording
from engine.rules.facts import fact_checker
from engine.rules.proration import WHOLE, Proration, Share, prorated
from engine.rules.results import as_text, per_document
from engine.rules.types import Facts, JsonValue
from engine.rules.wording import Worded, worded

ZERO = Decimal(0)
HUNDRED = Decimal(100)
UNITS = {"ccf": "CCF", "hcf": "HCF", "kgal": "kgal", "gallons": "gallons", "kwh": "kWh", "units": "units"}


def unit_of(fact: str) -> str:
    """The unit a fact's name ends with (`consumption_ccf` -> ` CCF`), or nothing."""
    suffix = fact.rsplit("_", 1)[-1]
    return f" {UNITS[suffix]}" if suffix in UNITS else ""


def _number(facts: dict, fact: str, line: str) -> Decimal:
    """A numeric fact a line needs; absent is an error naming the line and the fact."""
    value = facts.get(fact)
    if type(value) is Decimal:
        return value
    if value is None:
        raise EvaluationError(f"{line}: {fact} is absent")
    if isinstance(value, bool) or not isinstance(value, int):
        raise EvaluationError(f"{line}: {fact} = {as_text(value)} is not a number")
    return Decimal(value)


def _key(facts: dict, fact: str) -> str | None:
    """A fact's value as text, for table and `by` lookups (None when absent)."""
    value = facts.get(fact)
    if type(value) is str or value is None:
        return value
    return as_text(value)


class _Work:
    """What the lines above have produced so far, for `percent`."""

    __slots__ = ("subtotal", "amounts")

    def __init__(self) -> None:
        """Nothing yet."""
        self.subtotal: Decimal = ZERO
        self.amounts: dict[str, Decimal] = {}


Basis = Callable[[dict, _Work], "tuple[Decimal, str]"]


def _amount_basis(name: str, amount: Decimal) -> Basis:
    """`amount: X`."""
    detail = wording.fixed_amount(as_text(amount))
    return lambda facts, work: (amount, detail)


def _table_basis(name: str, spec: dict, shown: Worded = as_text) -> Basis:
    """`table: {fact, values, default}`, keys matched as text (and written as the fact is: `$100.00` for money)."""
    fact, values, default = spec["fact"], {str(k): v for k, v in spec["values"].items()}, spec.get("default")
    details = {key: f"{wording.table_entry(fact, shown(key))}: {value}" for key, value in values.items()}

    def table(facts: dict, work: _Work) -> tuple[Decimal, str]:
        """Look the fact's value up."""
        key = _key(facts, fact)
        if key in values:
            return values[key], details[key]
        if default is not None:
            shown_key = "absent" if key is None else shown(key)
            return default, f"{wording.table_entry(fact, shown_key)}: not listed, default {as_text(default)}"
        raise EvaluationError(f"{name}: {fact} {'is absent' if key is None else repr(key) + ' is not in the table'}")

    return table


UNIT_COUNTS = {"started": "a part of a unit counts whole", "completed": "only whole units count"}


def _counted_units(units: Decimal, per: Decimal | None, count: str | None) -> Decimal:
    """`per: N` (the rate is for each N of the fact) and `count` (started: a part counts whole, "or fraction
    thereof"; completed: only whole ones): the units the rate multiplies."""
    if per is not None:
        units = units / per
    if count == "started":
        return units.to_integral_value(rounding=ROUND_CEILING)
    if count == "completed":
        return units.to_integral_value(rounding=ROUND_FLOOR)
    return units


def _per_unit_basis(name: str, spec: dict, shown: Worded = as_text) -> Basis:
    """`per_unit: {fact, rate, over, max_units}`: (min(F, M) - N, not below 0) x R; M a number, or `{fact: G}`: the
    units of another fact (sewer use at most the winter average). Counted `per: P` (or by `count`), the detail says
    the units counted, the rate per P and the part of F they were counted from, over the first N: P and N are
    amounts of F, so a money fact's read as money (`per $1,000.00`, `over the first $50,000.00`). A use over the
    most charged says so: `12 CCF x 3.06 (winter average ccf 15 CCF, at most 12 CCF)`."""
    fact, rate = spec["fact"], spec["rate"]
    over, most, per, count = spec.get("over"), spec.get("max_units"), spec.get("per"), spec.get("count")
    unit, rate_text = unit_of(fact), str(rate)

    def per_unit(facts: dict, work: _Work) -> tuple[Decimal, str]:
        """Count the units, then price them."""
        units = _number(facts, fact, name)
        cap = _number(facts, most["fact"], name) if isinstance(most, dict) else most  # at most another fact's units
        capped = ""
        if cap is not None and units > cap:
            whose = f"{wording.fact_words(most['fact'])} " if isinstance(most, dict) else ""
            capped = f"{wording.fact_words(fact)} {shown(units)}{unit}, at most {whose}{shown(cap)}{unit}"
            units = cap
        if over is not None:
            units = max(units - over, ZERO)
        if per is None and count is None:
            said = "; ".join(part for part in (capped, f"over the first {shown(over)}{unit}" if over is not None
                                               else "") if part)
            return units * rate, wording.units_at(f"{shown(units)}{unit}", rate_text) + (f" ({said})" if said else "")
        counted = _counted_units(units, per, count)
        each = f" per {shown(per)}{unit}" if per is not None else ""
        after = f" over the first {shown(over)}{unit}" if over is not None else ""
        how = f", {UNIT_COUNTS[count]}" if count is not None else ""
        cap_said = f"; {capped}" if capped else ""
        return counted * rate, f"{as_text(counted)} x {rate_text}{each} ({shown(units)}{unit}{after}{how}{cap_said})"

    return per_unit


def _blocks(spec: list, line: str) -> list[tuple[Decimal | None, str, Decimal, str]]:
    """Tier blocks as (upto or None, 'rate'|'amount', value, value as text)."""
    blocks = []
    for block in spec:
        priced = "rate" if "rate" in block else "amount"
        blocks.append((block.get("upto"), priced, block[priced], str(block[priced])))
    if not blocks or blocks[-1][0] is not None:
        raise EvaluationError(f"{line}: the last tier block must have no `upto`")
    return blocks


def _tiers_basis(name: str, spec: dict, shown: Worded = as_text) -> Basis:
    """`tiers: {fact, blocks, by, mode, scaled_by}`: incremental (each block at its rate) or all_units; with
    `scaled_by: F` every block's limit is multiplied by the fact F (tiers per dwelling unit)."""
    fact, by, mode, scaled_by = spec["fact"], spec.get("by"), spec.get("mode", "incremental"), spec.get("scaled_by")
    unit = unit_of(fact)
    if by is None:
        tables = {None: _blocks(spec["blocks"], name)}
    else:
        tables = {str(k): _blocks(v, name) for k, v in spec["blocks"].items()}

    def blocks_for(facts: dict) -> list:
        """The block list that applies (by the `by` fact's value as text)."""
        key = None if by is None else _key(facts, by)
        if key not in tables:
            raise EvaluationError(f"{name}: no tier blocks for {by} {'absent' if key is None else repr(key)}")
        if scaled_by is None:
            return tables[key]
        times = _number(facts, scaled_by, name)  # tiers per dwelling unit: each limit times the units
        return [(None if upto is None else upto * times, priced, value, text)
                for upto, priced, value, text in tables[key]]

    def scaled(detail: str, facts: dict) -> str:
        """The detail, saying by what the block limits were multiplied."""
        if scaled_by is None:
            return detail
        return f"{detail}; block limits x {as_text(_number(facts, scaled_by, name))} ({wording.fact_words(scaled_by)})"

    def incremental(facts: dict, work: _Work) -> tuple[Decimal, str]:
        """Each block's units at its own rate."""
        used = _number(facts, fact, name)
        total, below, parts = ZERO, ZERO, []
        for upto, _, rate, rate_text in blocks_for(facts):
            top = used if upto is None or used < upto else upto
            units = top - below
            if units > 0:
                total += units * rate
                parts.append(wording.units_at(f"{shown(units)}{unit}", rate_text))
            if upto is None or used <= upto:
                break
            below = upto
        return total, scaled(" + ".join(parts) or f"0{unit}", facts)

    def all_units(facts: dict, work: _Work) -> tuple[Decimal, str]:
        """Every unit at the rate (or the flat amount) of the block reached."""
        used = _number(facts, fact, name)
        for upto, priced, value, _ in blocks_for(facts):
            if upto is None or used <= upto:
                band = "over the last limit" if upto is None else f"up to {shown(upto)}"
                if priced == "amount":
                    return value, scaled(f"{wording.fact_words(fact)} {shown(used)} ({band}): {as_text(value)}",
                                         facts)
                return used * value, scaled(f"{wording.units_at(f'{shown(used)}{unit}', as_text(value))} ({band})",
                                            facts)
        raise EvaluationError(f"{name}: no tier block for {as_text(used)}")  # unreachable: last block is open

    if mode not in ("incremental", "all_units"):
        raise EvaluationError(f"{name}: unknown tier mode {mode!r}")
    return incremental if mode == "incremental" else all_units


def _percent_basis(name: str, spec: dict, earlier: list[str], shown: Worded = as_text) -> Basis:
    """`percent: {of: subtotal | {line: NAME} | {fact: F}, rate: P}`."""
    of, rate = spec["of"], spec["rate"]
    share, rate_text = rate / HUNDRED, as_text(rate)
    if of == "subtotal":
        return lambda facts, work: (work.subtotal * share,
                                    f"{wording.percent_of(rate_text, 'subtotal')} {money_text(work.subtotal)}")
    if isinstance(of, dict) and "line" in of:
        other = of["line"]
        if other not in earlier:
            raise EvaluationError(f"{name}: percent of {other!r}, which is not an earlier line")

        def of_line(facts: dict, work: _Work) -> tuple[Decimal, str]:
            """P percent of an earlier line (0 if it did not apply)."""
            base = work.amounts.get(other, ZERO)
            return base * share, f"{wording.percent_of(rate_text, other)} {money_text(base)}"

        return of_line
    if isinstance(of, dict) and "fact" in of:
        fact = of["fact"]

        def of_fact(facts: dict, work: _Work) -> tuple[Decimal, str]:
            """P percent of a fact's value."""
            base = _number(facts, fact, name)
            return base * share, f"{wording.percent_of(rate_text, fact)} {shown(base)}"

        return of_fact
    raise EvaluationError(f"{name}: percent of {of!r} is not subtotal, a line or a fact")


BASES = ("amount", "table", "per_unit", "tiers", "percent")


def _fact_of(of: object) -> str:
    """The fact a `percent: {of: ..}` is of (`{fact: F}`), or nothing."""
    return str(of.get("fact", "")) if isinstance(of, dict) else ""


@dataclass(frozen=True)
class LinePlan:
    """One line of a version, compiled; `times_shown` writes the multiplier's fact (money as $12,400.00)."""

    name: str
    basis: Basis
    when: Condition | None = None
    multiply_by: tuple[str, Decimal | None] | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    service: str | None = None  # the service the line bills (its own, else its version's); None: the catch-all
    months: frozenset[int] | None = None  # a seasonal line: charged only on a day of these months
    times_shown: Worded = as_text  # how the detail writes the `multiply_by` fact's value and its max

    def price(self, facts: dict, work: _Work, rounding: str, share: Share = WHOLE,
              day: date | None = None) -> tuple[Decimal, str] | None:
        """The line's rounded amount and how it was reached, or None when its `when` fails or, for a seasonal
        line, `day` (the day priced: the as-of day, or a period's last day) is not in its months.

        A share other than whole (a partial period, engine.rules.proration) multiplies the
        line's amount after its limits, before it is rounded.
        """
        if self.months is not None and (day is None or day.month not in self.months):
            return None
        if self.when is not None and not self.when.holds(facts):
            return None
        amount, detail = self.basis(facts, work)
        if self.multiply_by is not None:
            fact, most = self.multiply_by
            times, shown = _number(facts, fact, self.name), self.times_shown
            if most is not None and times > most:
                detail = (f"{detail} x {shown(most)} ({wording.fact_words(fact)} {shown(times)}, "
                          f"at most {shown(most)})")
                times = most
            else:
                detail = f"{detail} x {shown(times)} ({wording.fact_words(fact)})"
            amount = amount * times
        if self.min is not None and amount < self.min:
            amount, detail = self.min, f"{detail}; {wording.raised_to_minimum(money_text(self.min))}"
        if self.max is not None and amount > self.max:
            amount, detail = self.max, f"{detail}; {wording.lowered_to_maximum(money_text(self.max))}"
        if not share.whole:
            amount, detail = prorated(amount, share), f"{detail}; prorated for {share.words}"
        return round_money(amount, rounding), detail


def _line_plan(raw: dict, doc: RuleDocument, earlier: list[str], path: str, service: str | None) -> LinePlan:
    """Compile one `lines[i]` mapping."""
    name = raw["name"]
    bases = [b for b in BASES if b in raw]
    if len(bases) != 1:
        raise EvaluationError(f"{path}: {name} needs exactly one of {', '.join(BASES)}")
    spec = raw[bases[0]]
    basis = {
        "amount": lambda: _amount_basis(name, spec),
        "table": lambda: _table_basis(name, spec, worded(doc, spec["fact"])),
        "per_unit": lambda: _per_unit_basis(name, spec, worded(doc, spec["fact"])),
        "tiers": lambda: _tiers_basis(name, spec, worded(doc, spec["fact"])),
        "percent": lambda: _percent_basis(name, spec, earlier, worded(doc, _fact_of(spec.get("of")))),
    }[bases[0]]()
    when = Condition.compile(raw["when"], doc.inputs, f"{path}.when") if "when" in raw else None
    multiply = raw.get("multiply_by")
    multiply_by = (multiply["fact"], multiply.get("max")) if multiply else None
    months = frozenset(int(month) for month in raw["months"]) if "months" in raw else None
    return LinePlan(name, basis, when, multiply_by, raw.get("min"), raw.get("max"), raw.get("service", service), months,
                    worded(doc, multiply["fact"]) if multiply else as_text)


@dataclass(frozen=True)
class VersionPlan:
    """One version of a schedule, compiled: its lines, rounding and total limits."""

    version: Version
    lines: tuple[LinePlan, ...]
    rounding: str
    minimum: Decimal | None
    maximum: Decimal | None
    proration: Proration = Proration()

    @classmethod
    def compile(cls, doc: RuleDocument, version: Version) -> "VersionPlan":
        """Compile a version's body once."""
        body, names, lines = version.body, [], []
        for i, raw in enumerate(body.get("lines", [])):
            lines.append(_line_plan(raw, doc, list(names), f"versions[{version.index}].lines[{i}]",
                                    body.get("service")))
            names.append(raw["name"])
        rounding = body.get("rounding", "half_up")
        return cls(version, tuple(lines), rounding, body.get("minimum"), body.get("maximum"), Proration.of(body))

    def price(self, facts: dict, share: Share = WHOLE, day: date | None = None
              ) -> tuple[Decimal, list[dict], str | None]:
        """The total, the lines that applied and any minimum/maximum note, on checked facts.

        `share` is a partial period's part of a whole one: the lines the version's proration
        block names are multiplied by it. `day` decides the seasonal lines (their `months`).
        """
        work, priced = _Work(), []
        for line in self.lines:
            done = line.price(facts, work, self.rounding,
                              share if not share.whole and self.proration.prorates(line.name) else WHOLE, day)
            if done is None:
                continue
            amount, detail = done
            work.subtotal += amount
            work.amounts[line.name] = amount
            priced.append({"name": line.name, "amount": amount, "detail": detail} if line.service is None else
                          {"name": line.name, "amount": amount, "detail": detail, "service": line.service})
        total, note = work.subtotal, None
        if self.minimum is not None and total < self.minimum:
            total, note = round_money(self.minimum, self.rounding), wording.raised_to_minimum(money_text(self.minimum))
        if self.maximum is not None and total > self.maximum:
            total, note = round_money(self.maximum, self.rounding), wording.lowered_to_maximum(money_text(self.maximum))
        return total, priced, note


class CompiledSchedule:
    """A schedule document with each version compiled on first use (one per document instance)."""

    def __init__(self, doc: RuleDocument) -> None:
        """Keep the document; plans are compiled as versions are first needed."""
        self.doc = doc
        self.plans: dict[date, VersionPlan] = {}

    def plan(self, version: Version) -> VersionPlan:
        """The compiled plan of one version of this document."""
        found = self.plans.get(version.effective)
        if found is None:
            found = self.plans.setdefault(version.effective, VersionPlan.compile(self.doc, version))
        return found


def compiled_schedule(doc: RuleDocument) -> CompiledSchedule:
    """The CompiledSchedule kept on this document instance."""
    return per_document(doc, "schedule", lambda: CompiledSchedule(doc))


@dataclass(frozen=True)
class ScheduleResult:
    """Money from a schedule, with every line's amount and how it was reached."""

    total: Decimal
    lines: list[dict]
    rule: str
    version: date
    reference: str | None
    as_of: date
    parts: list[dict] | None = None
    adjusted: str | None = None

    def to_json(self) -> dict:
        """The result as `--json` prints it: money as two-decimal strings, dates ISO."""
        out: dict[str, JsonValue] = {
            "total": money_text(self.total),
            "lines": [_line_json(line) for line in self.lines],
            "rule": self.rule,
            "version": self.version.isoformat(),
            "reference": self.reference,
            "as_of": self.as_of.isoformat(),
        }
        if self.adjusted:
            out["adjusted"] = self.adjusted
        if self.parts is not None:
            out["parts"] = [
                {"version": p["version"].isoformat(), "days": p["days"], "total": money_text(p["total"])}
                for p in self.parts
            ]
        return out


def _line_json(line: dict) -> dict[str, JsonValue]:
    """A priced line as `--json` prints it: name, amount, detail, and its service when it names one."""
    shown: dict[str, JsonValue] = {"name": line["name"], "amount": money_text(line["amount"]), "detail": line["detail"]}
    if line.get("service"):
        shown["service"] = line["service"]
    return shown


def by_service(lines: list[dict]) -> dict[str | None, Decimal]:
    """The lines' amounts summed by service (None: lines without one), in the order services first appear."""
    sums: dict[str | None, Decimal] = {}
    for line in lines:
        sums[line.get("service")] = sums.get(line.get("service"), ZERO) + line["amount"]
    return sums


def service_of(lines: list[dict]) -> str | None:
    """The one service a result's lines bill (a fee posted as one entry); None when they name none or several."""
    named = {line.get("service") for line in lines}
    return named.pop() if len(named) == 1 else None


def period_dates(period: tuple[date | str, date | str]) -> tuple[date, date]:
    """A period as (first, last) dates, both included."""
    first, last = period
    first = date.fromisoformat(first) if isinstance(first, str) else first
    last = date.fromisoformat(last) if isinstance(last, str) else last
    if last < first:
        raise EvaluationError(f"the period {first}:{last} ends before it starts")
    return first, last


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, period: tuple[date | str, date | str] | None = None,
             library: Documents | None = None, term_ends: date | None = None) -> ScheduleResult:
    """Evaluate a schedule on `as_of`, or over `period` = (first, last) when given.

    Over a period, each version in force is weighed by its days, and a period shorter or
    longer than the version's unit pays its prorated lines by the version's `proration:`
    block (engine.rules.proration): a first bill, a final bill, a first-year fee.

    With `term_ends` (a fee charged for a term that starts on `as_of`: a license's first
    year), the version in force on `as_of` alone prices it, and its `proration:` block
    prorates the lines it names by the share of `as_of`..`term_ends` (no block: in full).
    """
    checked = fact_checker(doc).check(facts)
    compiled = compiled_schedule(doc)
    if period is None:
        plan = compiled.plan(in_force.version_in_force(doc, as_of))
        if term_ends is not None and term_ends < as_of:
            raise EvaluationError(f"{doc.id}: a term ending {term_ends.isoformat()} ends before it starts "
                                  f"({as_of.isoformat()})")
        share = plan.proration.share(as_of, term_ends) if term_ends is not None else WHOLE
        total, lines, note = plan.price(checked, share, as_of)
        version = plan.version
        return ScheduleResult(total, lines, doc.id, version.effective, version.reference, as_of, None, note)
    first, last = period_dates(period)
    spans = in_force.versions_over(doc, first, last)
    period_days = (last - first).days + 1
    parts, total = [], Decimal(0)
    for version, days, _, _ in spans:
        plan = compiled.plan(version)
        whole, lines, note = plan.price(checked, plan.proration.share(first, last), last)  # season: the read's month
        part = round_money(whole * days / period_days, plan.rounding)
        parts.append({"version": version.effective, "days": days, "total": part,
                      "services": {service: round_money(amount * days / period_days, plan.rounding)
                                   for service, amount in by_service(lines).items()}})
        total += part
    version = spans[-1][0]
    return ScheduleResult(total, lines, doc.id, version.effective, version.reference, as_of, parts, note)
