"""kind: schedule — money from facts: rates, fees and penalties, line by line (evaluated by engine.rules.schedule).

Its versions hold `lines`, each with exactly one basis (amount, table, per_unit, tiers,
percent), and optional total limits and rounding. Beyond the schema: unique line names,
declared numeric facts, `{line: NAME}` naming an earlier line, tier blocks that ascend with
one open last block. Lint: table and `by` keys that are not among the input's values.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal

from engine.money.amounts import money_text
from engine.rules import proration, schedule, wording
from engine.rules.checks import DocumentChecks
from engine.rules.conditions import condition_words, facts_named
from engine.rules.document import Documents, RuleDocument, Version
from engine.rules.errors import DocumentError
from engine.rules.kinds.base import Finding, Period, RuleKind, Shown
from engine.rules.kinds.billing import month_words
from engine.rules.services import SERVICE_NAME, services_named, unknown_services
from engine.rules.schema_blocks import (CREDIT_NOTE, NAME_LIMIT, JsonSchema, fact_name, listing, mapping, money,
                                        percent, rate, ref, text, units, whole)
from engine.rules.types import Facts, YamlMapping, YamlValue
from engine.rules.wording import Term


def version_keys() -> JsonSchema:
    """The version keys of a schedule: lines of money and the version's total limits."""
    block = mapping({"upto": units(above=True), "rate": rate(), "amount": money()})
    of_what = "subtotal, {line: NAME} or {fact: F}"
    block_list = listing(block, 50)
    line = mapping({
        "name": text(NAME_LIMIT), "when": ref("condition"), "months": {**listing(whole(1, 12), 12), "uniqueItems": True},
        "min": money(credit=True), "max": money(credit=True),
        "multiply_by": mapping({"fact": fact_name(), "max": units()}, ("fact",)),
        "amount": money(credit=True),
        "table": mapping({"fact": fact_name(), "values": {"type": "object", "minProperties": 1, "maxProperties": 500,
                                                         "additionalProperties": money(credit=True)},
                          "default": money(credit=True)}, ("fact", "values")),
        "per_unit": mapping({"fact": fact_name(), "rate": rate(), "over": units(),
                             "max_units": {"if": {"type": "object"}, "then": mapping({"fact": fact_name()}, ("fact",)),
                                           "else": units()},
                             "per": units(above=True),
                             "count": {"enum": list(schedule.UNIT_COUNTS),
                                       "description": "started (a part of a unit counts whole) or completed"}},
                            ("fact", "rate")),
        "tiers": mapping({
            "fact": fact_name(), "by": fact_name(), "scaled_by": fact_name(),
            "mode": {"enum": ["incremental", "all_units"]},
            "blocks": {"if": {"type": "array"}, "then": block_list,
                       "else": {"type": "object", "minProperties": 1, "maxProperties": 200,
                                "additionalProperties": block_list}},
        }, ("fact", "blocks")),
        "percent": mapping({
            "of": {"description": of_what,
                   "if": {"type": "string"}, "then": {"const": "subtotal", "description": of_what},
                   "else": mapping({"line": text(), "fact": fact_name()}, minProperties=1, maxProperties=1,
                                   description=of_what)},
            "rate": percent(),
        }, ("of", "rate")),
        "credit": {"type": "boolean"},
        "service": service_name(),
    }, ("name",), oneOf=[{"required": [basis]} for basis in schedule.BASES],
        description=f"a line has exactly one basis: {', '.join(schedule.BASES[:-1])} or {schedule.BASES[-1]}",
        **{"if": {"not": {"required": ["credit"], "properties": {"credit": {"const": True}}}},
           "then": _not_below_zero()})
    return {"lines": listing(line, 100), "service": service_name(),
            "minimum": money(), "maximum": money(),
            "rounding": {"enum": ["half_up", "half_even"]},
            "proration": proration_block()}


def proration_block() -> JsonSchema:
    """`proration:` — how a period shorter or longer than the unit pays (engine.rules.proration)."""
    return mapping({
        "by": {"enum": list(proration.BY), "description": "days, months or none"},
        "unit_days": whole(1, 366), "minimum_days": whole(1, 366), "first_bill_days": whole(1, 366),
        "whole_days": mapping({"from": whole(1, 3650), "to": whole(1, 3650)}, ("from", "to")),
        "unit_months": whole(1, 120), "minimum_months": whole(1, 120),
        "count": {"enum": list(proration.COUNTS), "description": "started or completed months"},
        "lines": listing(text(), 100),
    }, ("by",))


def service_name() -> JsonSchema:
    """The service a line bills (on the version: its lines' unless a line says another), on the city's list."""
    return {"type": "string", "pattern": SERVICE_NAME,
            "description": "a service on the city's list (kind: services): water, sewer, garbage, ..."}


def _not_below_zero() -> JsonSchema:
    """What a line without `credit: true` adds: its amounts, table values, limits and percent are not negative."""
    zero = {"minimum": 0, "$comment": CREDIT_NOTE}
    return {"properties": {"amount": zero, "min": zero, "max": zero,
                           "table": {"properties": {"values": {"additionalProperties": zero}, "default": zero}},
                           "percent": {"properties": {"rate": zero}}}}


# --- the checks a schema cannot express -------------------------------------------------


def check_version(checks: DocumentChecks, version: YamlMapping, path: str) -> None:
    """Lines with unique names, declared facts, earlier line references and sound tiers."""
    seen: dict[str, int] = {}
    for i, line in enumerate(version["lines"]):
        line_path = f"{path}.lines[{i}]"
        name = line["name"]
        if name in seen:
            checks.error(f"{line_path}.name", f'line name "{name}" is already used by lines[{seen[name]}]')
        _check_line(checks, line, line_path, seen, [x["name"] for x in version["lines"]])
        seen.setdefault(name, i)
    _check_bounds(checks, version, path, "minimum", "maximum")
    _check_proration(checks, version.get("proration"), f"{path}.proration", list(seen))


def _check_proration(checks: DocumentChecks, block: YamlMapping | None, path: str, names: list[str]) -> None:
    """The lines a proration block names are the version's; its whole days run from low to high."""
    if not block:
        return
    for i, name in enumerate(block.get("lines", [])):
        if name not in names:
            checks.error(f"{path}.lines[{i}]", f'no line is named "{name}"; proration names lines of this version')
    span = block.get("whole_days")
    if span and span["from"] > span["to"]:
        checks.error(f"{path}.whole_days.to", f"to {span['to']} is below from {span['from']}")


def _check_line(checks: DocumentChecks, line: YamlMapping, path: str, earlier: dict[str, int],
                names: list[str]) -> None:
    """One schedule line: its condition, its facts, its basis."""
    if "when" in line:
        checks.check_condition(line["when"], f"{path}.when")
    if "multiply_by" in line:
        checks.check_numeric_fact(line["multiply_by"]["fact"], f"{path}.multiply_by.fact", "multiply_by")
    _check_bounds(checks, line, path, "min", "max")
    if "table" in line:
        checks.check_fact(line["table"]["fact"], f"{path}.table.fact", "table")
    elif "per_unit" in line:
        checks.check_numeric_fact(line["per_unit"]["fact"], f"{path}.per_unit.fact", "per_unit")
        if isinstance(line["per_unit"].get("max_units"), dict):
            checks.check_numeric_fact(line["per_unit"]["max_units"]["fact"], f"{path}.per_unit.max_units.fact",
                                      "max_units")
    elif "tiers" in line:
        _check_tiers(checks, line["tiers"], f"{path}.tiers")
    elif "percent" in line:
        _check_percent_of(checks, line["percent"]["of"], f"{path}.percent.of", earlier, names, line["name"])


def _check_bounds(checks: DocumentChecks, values: YamlMapping, path: str, low: str, high: str) -> None:
    """A lower bound is not above the upper one."""
    if low in values and high in values and values[low] > values[high]:
        checks.error(f"{path}.{high}", f"{high} {values[high]} is below {low} {values[low]}")


def _check_percent_of(checks: DocumentChecks, of: YamlValue, path: str, earlier: dict[str, int],
                      names: list[str], own: str) -> None:
    """`of` names subtotal, a declared numeric fact, or an earlier line (not the line `own` itself)."""
    if isinstance(of, dict) and "fact" in of:
        checks.check_numeric_fact(of["fact"], f"{path}.fact", "percent of a fact")
    elif isinstance(of, dict) and of["line"] not in earlier:
        what = (f'"{of["line"]}" is this line itself' if of["line"] == own else
                f'"{of["line"]}" comes later' if of["line"] in names else f'no line is named "{of["line"]}"')
        checks.error(f"{path}.line", f"{what}; percent of a line names an earlier line")


def _check_tiers(checks: DocumentChecks, tiers: YamlMapping, path: str) -> None:
    """Tiers on a declared numeric fact; blocks shaped as `by` says; every block list sound."""
    checks.check_numeric_fact(tiers["fact"], f"{path}.fact", "tiers")
    if "scaled_by" in tiers:
        checks.check_numeric_fact(tiers["scaled_by"], f"{path}.scaled_by", "scaled_by")
    blocks, by = tiers["blocks"], tiers.get("by")
    all_units = tiers.get("mode") == "all_units"
    if by is not None:
        checks.check_fact(by, f"{path}.by", "tiers by")
        if isinstance(blocks, list):
            checks.error(f"{path}.blocks",
                         f"with by: {by}, blocks is a mapping from each value of {by} to a block list")
            return
        for key, block_list in blocks.items():
            _check_blocks(checks, block_list, f"{path}.blocks.{key}", all_units)
    elif isinstance(blocks, dict):
        checks.error(f"{path}.blocks", "a mapping of block lists needs by: naming the fact the blocks depend on")
    else:
        _check_blocks(checks, blocks, f"{path}.blocks", all_units)


def _check_blocks(checks: DocumentChecks, blocks: list[YamlMapping], path: str, all_units: bool) -> None:
    """Blocks ascend by `upto`, only the last is open, each has a rate (or amount with all_units)."""
    for i, block in enumerate(blocks):
        block_path = f"{path}[{i}]"
        last = i == len(blocks) - 1
        if "rate" in block and "amount" in block:
            checks.error(block_path, "a block has rate or amount, not both")
        elif "amount" in block and not all_units:
            checks.error(f"{block_path}.amount", "a block may have amount only with mode: all_units")
        elif "rate" not in block and "amount" not in block:
            checks.error(block_path, "a block needs a rate (or, with mode: all_units, an amount)")
        if last and "upto" in block:
            checks.error(f"{block_path}.upto", "the last block must be open: remove its upto")
        elif not last and "upto" not in block:
            checks.error(block_path, "only the last block may be open (without upto)")
        elif i and "upto" in block and "upto" in blocks[i - 1]:
            _check_block_order(checks, block["upto"], blocks[i - 1]["upto"], f"{block_path}.upto")


def _check_block_order(checks: DocumentChecks, upto: Decimal, before: Decimal, path: str) -> None:
    """A block's upto is above the one before it."""
    if upto == before:
        checks.error(path, f"upto {upto} overlaps the block before (also upto {before}); "
                           "each upto must be above the last")
    elif upto < before:
        checks.error(path, f"upto {upto} is below the block before (upto {before}); blocks must ascend")


# --- evaluating, explaining, lint -------------------------------------------------------------


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
             period: Period | None) -> schedule.ScheduleResult:
    """The schedule's money on the day, or prorated over the period."""
    return schedule.evaluate(doc, facts, as_of, period=period, library=library)


def bill_lines(shown: Shown, indent: str = "  ") -> list[str]:
    """Each line of a schedule with how it was reached, the parts of a period, the total."""
    body = [f"{indent}{line['name']}: {line['amount']}" + (f"  ({line['detail']})" if line.get("detail") else "")
            for line in shown.get("lines", [])]
    parts = [f"{indent}part from version {p['version']}: {p['days']} days, {p['total']}"
             for p in shown.get("parts", [])]
    return body + parts + [f"{indent}total: {shown['total']}"]


def facts_read(doc: RuleDocument, version: Version, others: Mapping[str, RuleDocument]) -> Iterable[str]:
    """The facts a version's lines read: conditions, bases, multipliers, percents of a fact."""
    read: set[str] = set()
    for line in version.body.get("lines", []):
        read.update(facts_named(line.get("when")))
        for spec in (line.get(key) for key in ("table", "per_unit", "tiers", "multiply_by")):
            read.update(spec[k] for k in ("fact", "by") if isinstance(spec, dict) and k in spec)
        if isinstance(cap := line.get("per_unit", {}).get("max_units"), dict):
            read.add(cap["fact"])
        if "scaled_by" in line.get("tiers", {}):
            read.add(line["tiers"]["scaled_by"])
        of = line.get("percent", {}).get("of")
        if isinstance(of, dict) and "fact" in of:
            read.add(of["fact"])
    return read


MONEY_KEY = re.compile(r"-?\d+\.\d\d")  # a money fact's value as a table matches it: 5000.00
NUMBER_KEY = re.compile(r"-?\d+(\.\d?)?")  # an amount written short of its cents: 5000, 5000.5


def table_keys(doc: RuleDocument, version: Version, path: str) -> Iterator[Finding]:
    """Table and `by` keys that are not among the input's values, and values without a key."""
    for i, line in enumerate(version.body["lines"]):
        keyed = []
        if "table" in line:
            keyed.append((line["table"]["fact"], line["table"]["values"], f"{path}.lines[{i}].table.values",
                          "default" in line["table"]))
        if "tiers" in line and "by" in line["tiers"]:
            keyed.append((line["tiers"]["by"], line["tiers"]["blocks"], f"{path}.lines[{i}].tiers.blocks", False))
        for fact, table, where, has_default in keyed:
            yield from _money_keys(doc, fact, table, where)
            values = doc.inputs[fact].values if fact in doc.inputs else None
            if values is None:
                continue
            for key in table:
                if key not in values:
                    yield f"{where}.{key}", f'key "{key}" is not among the values of {fact} ({", ".join(values)})'
            for value in values:
                if value not in table and not has_default:
                    yield where, f'no entry for "{value}", a value of {fact}, and no default'


def _money_keys(doc: RuleDocument, fact: str, table: YamlMapping, where: str) -> Iterator[Finding]:
    """Keys of a money fact not written as its values are (with their cents, 5000.00): a table matches keys as
    text, so `5000` never matches $5,000.00, though a version's words show both as money."""
    if fact not in doc.inputs or doc.inputs[fact].type != "money":
        return
    for key in table:
        if not MONEY_KEY.fullmatch(str(key)):
            cents = f" (write {money_text(Decimal(str(key)))})" if NUMBER_KEY.fullmatch(str(key)) else ""
            yield f"{where}.{key}", f'key "{key}" never matches: {fact} is money, matched with its cents{cents}'


# --- a version in words ------------------------------------------------------------------


def terms(doc: RuleDocument, version: Version) -> list[Term]:
    """Each line's basis and limits in the explanations' words, then the version's total limits and rounding."""
    found: list[Term] = []
    for line in version.body.get("lines", []):
        found += _line_terms(doc, line)
    body = version.body
    total = "Total"
    if "minimum" in body:
        found.append(Term(total, "at least", wording.dollars(body["minimum"])))
    if "maximum" in body:
        found.append(Term(total, "at most", wording.dollars(body["maximum"])))
    if "rounding" in body:
        found.append(Term(total, "rounding", ROUNDINGS[body["rounding"]]))
    if body.get("proration"):
        found.append(Term("Partial periods", "prorated", proration_words(body["proration"])))
    return found


def proration_words(block: YamlMapping) -> str:
    """A proration block in a sentence."""
    which = ", ".join(block["lines"]) if block.get("lines") else "every line"
    if block["by"] == "days":
        whole_days = block.get("whole_days")
        span = (f"; {whole_days['from']} to {whole_days['to']} days bill whole" if whole_days else "")
        return f"{which} by days, of {block.get('unit_days', 30)} days a period{span}"
    if block["by"] == "months":
        count = "each month begun" if block.get("count", "started") == "started" else "whole months only"
        return f"{which} by months, of {block.get('unit_months', 12)} ({count})"
    return "not prorated"


ROUNDINGS = {"half_up": "each line to cents, half a cent up", "half_even": "each line to cents, half a cent to even"}


def _line_terms(doc: RuleDocument, line: YamlMapping) -> list[Term]:
    """One line: when it applies, its basis, what multiplies it, its limits (a money fact's figures as money)."""
    name = line["name"]
    found = [Term(name, "only when", condition_words(line["when"]))] if "when" in line else []
    if "months" in line:
        found.append(Term(name, "only in", month_words(line["months"])))
    for basis in schedule.BASES:
        if basis in line:
            found += BASIS_TERMS[basis](doc, name, line[basis])
    if "multiply_by" in line:
        times = line["multiply_by"]
        most = f", at most {wording.worded(doc, times['fact'])(times['max'])}" if "max" in times else ""
        found.append(Term(name, "multiplied by", f"{times['fact']}{most}"))
    if "min" in line:
        found.append(Term(name, "at least", wording.dollars(line["min"])))
    if "max" in line:
        found.append(Term(name, "at most", wording.dollars(line["max"])))
    if line.get("credit"):
        found.append(Term(name, "credit", "yes: the line may be below zero"))
    return found


def _amount_terms(doc: RuleDocument, name: str, amount: Decimal) -> list[Term]:
    """`amount: X`: a fixed amount."""
    return [Term(name, "charge", wording.fixed_amount(wording.dollars(amount)))]


def _table_terms(doc: RuleDocument, name: str, table: YamlMapping) -> list[Term]:
    """`table:`: one term per entry (a money fact's keys as money), and the default."""
    shown = wording.worded(doc, table["fact"])
    found = [Term(name, wording.table_entry(table["fact"], shown(str(key))), wording.dollars(value))
             for key, value in table["values"].items()]
    if "default" in table:
        found.append(Term(name, f"{table['fact']} not listed", wording.dollars(table["default"])))
    return found


def _per_unit_terms(doc: RuleDocument, name: str, spec: YamlMapping) -> list[Term]:
    """`per_unit:`: the rate, the units not charged and the most charged. `over`, `per` and a fixed `max_units` are
    amounts of the fact (the fact is capped, less `over`, then counted in `per`s), so a money fact's read as money."""
    unit, shown = schedule.unit_of(spec["fact"]), wording.worded(doc, spec["fact"])
    found = [Term(name, "rate", f"{wording.rate_words(spec['rate'], unit)} of {spec['fact']}")]
    if "over" in spec:
        found.append(Term(name, "not charged", f"the first {shown(spec['over'])}{unit}"))
    if "per" in spec:
        found.append(Term(name, "rate per", f"{shown(spec['per'])}{unit}"))
    if "count" in spec:
        found.append(Term(name, "units counted", schedule.UNIT_COUNTS[spec["count"]]))
    if isinstance(spec.get("max_units"), dict):
        found.append(Term(name, "charged up to", spec["max_units"]["fact"]))
    elif "max_units" in spec:
        found.append(Term(name, "charged up to", f"{shown(spec['max_units'])}{unit}"))
    return found


def _tier_terms(doc: RuleDocument, name: str, tiers: YamlMapping) -> list[Term]:
    """`tiers:`: how they count, then each block's limit (a money fact's as money) and rate (or amount), by the `by`
    fact's value."""
    unit, by, shown = schedule.unit_of(tiers["fact"]), tiers.get("by"), wording.worded(doc, tiers["fact"])
    mode = tiers.get("mode", "incremental")
    how = "each block's units at its own rate" if mode == "incremental" else "every unit at the block reached"
    found = [Term(name, "tiers", f"on {tiers['fact']}{f', by {by}' if by else ''}: {how}")]
    if "scaled_by" in tiers:
        found.append(Term(name, "tier limits", f"times {tiers['scaled_by']}"))
    lists = tiers["blocks"].items() if by else [(None, tiers["blocks"])]
    for key, blocks in lists:
        which = f", {wording.table_entry(by, wording.worded(doc, by)(str(key)))}" if by else ""
        for n, block in enumerate(blocks, start=1):
            if "upto" in block:
                found.append(Term(name, f"tier {n} up to{which}", f"{shown(block['upto'])}{unit}"))
            if "rate" in block:
                found.append(Term(name, f"tier {n} rate{which}", wording.rate_words(block["rate"], unit)))
            else:
                found.append(Term(name, f"tier {n} amount{which}", wording.dollars(block["amount"])))
    return found


def _percent_terms(doc: RuleDocument, name: str, spec: YamlMapping) -> list[Term]:
    """`percent:` of the subtotal, an earlier line or a fact."""
    of = spec["of"]
    what = "subtotal" if of == "subtotal" else (of.get("line") or of.get("fact"))
    return [Term(name, "charge", wording.percent_of(wording.figure(spec["rate"]), what))]


BASIS_TERMS = {"amount": _amount_terms, "table": _table_terms, "per_unit": _per_unit_terms,
               "tiers": _tier_terms, "percent": _percent_terms}


def references(doc: RuleDocument, known: Mapping[str, RuleDocument]) -> Iterator[DocumentError]:
    """A service named by a line (or a version) that is not on the city's list in force on the version's day."""
    named = [(path, service, version.effective) for version in doc.versions
             for path, service in services_named(version)]
    for path, message in unknown_services(doc, named, known.values()):
        yield DocumentError(doc.source, doc.line_of(path), path, message)


KIND = RuleKind("schedule", version_keys, ("lines",), check_version, evaluate, bill_lines, lint=table_keys,
                references=references, facts_read=facts_read, terms=terms, takes_period=True,
                takes_term=True)
