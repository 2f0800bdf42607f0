"""Read a rule document: safe YAML, then the schema, then the checks a schema cannot express.

`load_document(text, source)` gives a `RuleDocument` or raises `DocumentErrors` listing every
error found, each with the file, the line and the path. The checks here: versions ascending
with no two on one date and retirement that means something; inputs whose limits and
defaults fit their type; conditions that name only declared inputs and compare them
sensibly; schedule lines with unique names, `{line: NAME}` naming an earlier line, tier
blocks ascending with one open last block; calendar timelines built on earlier steps.
References to other documents are checked by `engine.rules.library`.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from engine.money.amounts import whole_cents
from engine.rules.document import KINDS, InputSpec, RuleDocument, Version
from engine.rules.errors import DocumentError, DocumentErrors
from engine.rules.schema import BOOLEAN_HINT, COMMON_VERSION_KEYS, YAML_11_BOOLEANS, describe, line_at, schema_errors
from engine.rules.yamlsafe import read_yaml

NUMERIC = ("number", "integer", "money")
ORDERED = ("number", "integer", "money", "date")
RESERVED_FACTS = ("all", "any", "not", "fact")
TYPE_NAMES = MappingProxyType({"number": "a number", "integer": "a whole number", "money": "an amount of money",
                               "boolean": "true or false", "text": "text", "date": "a date"})


def load_document(text: str, source: str) -> RuleDocument:
    """A validated RuleDocument from YAML text, or DocumentErrors naming every problem."""
    try:
        read = read_yaml(text, source)
    except DocumentError as error:
        raise DocumentErrors([error]) from None
    data, lines = read.data, read.lines
    if not isinstance(data, dict):
        message = "a rule document is a mapping with id, kind, title and versions"
        raise DocumentErrors([DocumentError(source, 1, "", message)])
    kind = data.get("kind")
    if kind not in KINDS:
        message = 'missing required key "kind"' if "kind" not in data else \
            f"expected one of {', '.join(KINDS)}; found {describe(kind)}"
        raise DocumentErrors([DocumentError(source, line_at(lines, "kind"), "kind", message)])
    errors = schema_errors(data, kind, source, lines)
    if not errors:
        errors = DocumentChecks(data, source, lines).run()
    if errors:
        raise DocumentErrors(errors)
    return _build(data, source, text, lines)


def _build(data: dict, source: str, text: str, lines: dict[str, int]) -> RuleDocument:
    """The RuleDocument of validated data."""
    versions = tuple(
        Version(effective=v["effective"], body={k: x for k, x in v.items() if k not in COMMON_VERSION_KEYS},
                reference=v.get("reference"), adopted=v.get("adopted"), retired=v.get("retired", False),
                line=lines.get(f"versions[{i}]", 1), index=i)
        for i, v in enumerate(data["versions"]))
    inputs = {name: InputSpec(name=name, type=spec["type"],
                              values=tuple(spec["values"]) if "values" in spec else None,
                              min=spec.get("min"), max=spec.get("max"), default=spec.get("default"),
                              has_default="default" in spec, required=spec.get("required", True))
              for name, spec in data.get("inputs", {}).items()}
    return RuleDocument(id=data["id"], kind=data["kind"], title=data["title"], versions=versions,
                        inputs=inputs, department=data.get("department"), description=data.get("description"),
                        source=source, text=text, lines=dict(lines))


def found(value: Any) -> str:
    """`the text "yes"`, with a word on YAML 1.2 booleans where that is the likely mistake."""
    hint = BOOLEAN_HINT if isinstance(value, str) and value in YAML_11_BOOLEANS else ""
    return describe(value) + hint


def fits(input_type: str, value: Any) -> bool:
    """Whether a value written in YAML is of an input's type."""
    if input_type in NUMERIC:
        if not isinstance(value, Decimal):
            return False
        if input_type == "integer":
            return value == value.to_integral_value()
        return input_type != "money" or whole_cents(value)
    if input_type == "boolean":
        return isinstance(value, bool)
    if input_type == "text":
        return isinstance(value, str)
    return isinstance(value, date)


class DocumentChecks:
    """The checks of one schema-valid document that the schema cannot express."""

    def __init__(self, data: dict, source: str, lines: dict[str, int]) -> None:
        """Hold the document and collect errors as the checks run."""
        self.data, self.source, self.lines = data, source, lines
        self.inputs: dict[str, dict] = data.get("inputs", {})
        self.errors: list[DocumentError] = []

    def error(self, path: str, message: str) -> None:
        """Record one error at a path."""
        self.errors.append(DocumentError(self.source, line_at(self.lines, path), path, message))

    def run(self) -> list[DocumentError]:
        """Run every check; the errors in line order."""
        for name, spec in self.inputs.items():
            self.check_input(name, spec, f"inputs.{name}")
        self.check_versions()
        if self.data["kind"] == "deadline":
            self.check_deadline_inputs()
        kind_check = getattr(self, f"check_{self.data['kind']}")
        for i, version in enumerate(self.data["versions"]):
            if not version.get("retired", False):
                kind_check(version, f"versions[{i}]")
        return sorted(self.errors, key=lambda e: (e.line, e.path))

    def check_input(self, name: str, spec: dict, path: str) -> None:
        """An input's values, limits and default fit its type."""
        kind = spec["type"]
        if name in RESERVED_FACTS:
            self.error(path, f'"{name}" is a word of conditions and cannot name an input')
        if "values" in spec and kind != "text":
            self.error(f"{path}.values", f"only a text input has values; {name} is {kind}")
        for limit in ("min", "max"):
            if limit in spec and kind not in ORDERED:
                self.error(f"{path}.{limit}", f"{limit} applies to numbers, money and dates; {name} is {kind}")
            elif limit in spec and not fits(kind, spec[limit]):
                self.error(f"{path}.{limit}", f"expected {TYPE_NAMES[kind]}, found {describe(spec[limit])}")
        low, high = spec.get("min"), spec.get("max")
        if fits(kind, low) and fits(kind, high) and kind in ORDERED and low > high:
            self.error(f"{path}.max", f"max {high} is below min {low}")
        if "default" in spec:
            self.check_default(name, spec, f"{path}.default")

    def check_default(self, name: str, spec: dict, path: str) -> None:
        """An input's default is of its type, among its values and within its limits."""
        kind, default = spec["type"], spec["default"]
        if not fits(kind, default):
            self.error(path, f"expected {TYPE_NAMES[kind]} for {name}, found {found(default)}")
        elif "values" in spec and default not in spec["values"]:
            self.error(path, f'"{default}" is not among the values of {name} ({", ".join(spec["values"])})')
        elif kind in ORDERED and "min" in spec and fits(kind, spec["min"]) and default < spec["min"]:
            self.error(path, f"{default} is below the min of {name} ({spec['min']})")
        elif kind in ORDERED and "max" in spec and fits(kind, spec["max"]) and default > spec["max"]:
            self.error(path, f"{default} is above the max of {name} ({spec['max']})")

    def check_versions(self) -> None:
        """Versions ascend by effective date, no two on one date; retirement means something."""
        versions = self.data["versions"]
        for i, version in enumerate(versions):
            path = f"versions[{i}]"
            if i and version["effective"] == versions[i - 1]["effective"]:
                self.error(f"{path}.effective", f"two versions take effect on {version['effective']} "
                                                f"(versions[{i - 1}] and versions[{i}])")
            elif i and version["effective"] < versions[i - 1]["effective"]:
                self.error(f"{path}.effective", f"versions must ascend by effective date: {version['effective']} "
                                                f"comes after {versions[i - 1]['effective']}")
            if version.get("retired") and i == 0:
                self.error(f"{path}.retired", "the first version cannot be retired: nothing is in force before it")
            elif version.get("retired") and versions[i - 1].get("retired"):
                self.error(f"{path}.retired", f"versions[{i - 1}] already retired the document")

    # -- conditions --------------------------------------------------------------------

    def check_condition(self, condition: dict, path: str) -> None:
        """A condition names only declared inputs and compares each sensibly."""
        if "all" in condition or "any" in condition:
            key = "all" if "all" in condition else "any"
            for i, part in enumerate(condition[key]):
                self.check_condition(part, f"{path}.{key}[{i}]")
        elif "not" in condition:
            self.check_condition(condition["not"], f"{path}.not")
        elif "fact" in condition:
            fact = condition["fact"]
            if self.check_fact(fact, f"{path}.fact", "a condition"):
                for op, value in condition.items():
                    if op != "fact":
                        self.check_comparison(fact, op, value, f"{path}.{op}")
        else:
            [(fact, value)] = condition.items()
            if self.check_fact(fact, f"{path}.{fact}", "a condition"):
                self.check_comparison(fact, "eq", value, f"{path}.{fact}")

    def check_fact(self, fact: str, path: str, reader: str) -> bool:
        """Whether `fact` is a declared input; records the error if not."""
        if fact in self.inputs:
            return True
        declared = ", ".join(self.inputs) or "none"
        self.error(path, f'{reader} names "{fact}", which is not a declared input (declared: {declared})')
        return False

    def check_comparison(self, fact: str, op: str, value: Any, path: str) -> None:
        """One comparison of a leaf fits the type of the fact it compares."""
        spec = self.inputs[fact]
        kind = spec["type"]
        if op == "exists":
            return
        if op in ("gt", "gte", "lt", "lte") and kind not in ORDERED:
            self.error(path, f"{op} applies to numbers, money and dates; {fact} is {kind}")
            return
        for item in value if op in ("in", "not_in") else [value]:
            if not fits("number" if kind == "money" else kind, item):
                self.error(path, f"{fact} is {kind}: expected {TYPE_NAMES[kind]}, found {found(item)}")
            elif "values" in spec and item not in spec["values"]:
                self.error(path, f'"{item}" is not among the values of {fact} ({", ".join(spec["values"])})')

    def check_numeric_fact(self, fact: str, path: str, reader: str) -> None:
        """A fact a line multiplies by is declared and is a number, integer or money."""
        if self.check_fact(fact, path, reader) and self.inputs[fact]["type"] not in NUMERIC:
            self.error(path, f"{reader} needs a number; {fact} is {self.inputs[fact]['type']}")

    # -- the kinds ---------------------------------------------------------------------

    def check_schedule(self, version: dict, path: str) -> None:
        """Lines with unique names, declared facts, earlier line references and sound tiers."""
        seen: dict[str, int] = {}
        for i, line in enumerate(version["lines"]):
            line_path = f"{path}.lines[{i}]"
            name = line["name"]
            if name in seen:
                self.error(f"{line_path}.name", f'line name "{name}" is already used by lines[{seen[name]}]')
            self.check_line(line, line_path, seen, [x["name"] for x in version["lines"]])
            seen.setdefault(name, i)
        self.check_bounds(version, path, "minimum", "maximum")

    def check_line(self, line: dict, path: str, earlier: dict[str, int], names: list[str]) -> None:
        """One schedule line: its condition, its facts, its basis."""
        if "when" in line:
            self.check_condition(line["when"], f"{path}.when")
        if "multiply_by" in line:
            self.check_numeric_fact(line["multiply_by"]["fact"], f"{path}.multiply_by.fact", "multiply_by")
        self.check_bounds(line, path, "min", "max")
        if "table" in line:
            self.check_fact(line["table"]["fact"], f"{path}.table.fact", "table")
        elif "per_unit" in line:
            self.check_numeric_fact(line["per_unit"]["fact"], f"{path}.per_unit.fact", "per_unit")
        elif "tiers" in line:
            self.check_tiers(line["tiers"], f"{path}.tiers")
        elif "percent" in line:
            self.check_percent_of(line["percent"]["of"], f"{path}.percent.of", earlier, names)

    def check_bounds(self, mapping: dict, path: str, low: str, high: str) -> None:
        """A lower bound is not above the upper one."""
        if low in mapping and high in mapping and mapping[low] > mapping[high]:
            self.error(f"{path}.{high}", f"{high} {mapping[high]} is below {low} {mapping[low]}")

    def check_percent_of(self, of: Any, path: str, earlier: dict[str, int], names: list[str]) -> None:
        """`of` names subtotal, a declared numeric fact, or an earlier line."""
        if isinstance(of, dict) and "fact" in of:
            self.check_numeric_fact(of["fact"], f"{path}.fact", "percent of a fact")
        elif isinstance(of, dict) and of["line"] not in earlier:
            what = f'"{of["line"]}" comes later' if of["line"] in names else f'no line is named "{of["line"]}"'
            self.error(f"{path}.line", f"{what}; percent of a line names an earlier line")

    def check_tiers(self, tiers: dict, path: str) -> None:
        """Tiers on a declared numeric fact; blocks shaped as `by` says; every block list sound."""
        self.check_numeric_fact(tiers["fact"], f"{path}.fact", "tiers")
        blocks, by = tiers["blocks"], tiers.get("by")
        all_units = tiers.get("mode") == "all_units"
        if by is not None:
            self.check_fact(by, f"{path}.by", "tiers by")
            if isinstance(blocks, list):
                self.error(f"{path}.blocks",
                           f"with by: {by}, blocks is a mapping from each value of {by} to a block list")
                return
            for key, block_list in blocks.items():
                self.check_blocks(block_list, f"{path}.blocks.{key}", all_units)
        elif isinstance(blocks, dict):
            self.error(f"{path}.blocks", "a mapping of block lists needs by: naming the fact the blocks depend on")
        else:
            self.check_blocks(blocks, f"{path}.blocks", all_units)

    def check_blocks(self, blocks: list[dict], path: str, all_units: bool) -> None:
        """Blocks ascend by `upto`, only the last is open, each has a rate (or amount with all_units)."""
        for i, block in enumerate(blocks):
            block_path = f"{path}[{i}]"
            last = i == len(blocks) - 1
            if "rate" in block and "amount" in block:
                self.error(block_path, "a block has rate or amount, not both")
            elif "amount" in block and not all_units:
                self.error(f"{block_path}.amount", "a block may have amount only with mode: all_units")
            elif "rate" not in block and "amount" not in block:
                self.error(block_path, "a block needs a rate (or, with mode: all_units, an amount)")
            if last and "upto" in block:
                self.error(f"{block_path}.upto", "the last block must be open: remove its upto")
            elif not last and "upto" not in block:
                self.error(block_path, "only the last block may be open (without upto)")
            elif i and "upto" in block and "upto" in blocks[i - 1]:
                self.check_block_order(block["upto"], blocks[i - 1]["upto"], f"{block_path}.upto")

    def check_block_order(self, upto: Decimal, before: Decimal, path: str) -> None:
        """A block's upto is above the one before it."""
        if upto == before:
            self.error(path, f"upto {upto} overlaps the block before (also upto {before}); "
                             "each upto must be above the last")
        elif upto < before:
            self.error(path, f"upto {upto} is below the block before (upto {before}); blocks must ascend")

    def check_criteria(self, version: dict, path: str) -> None:
        """Rules with unique names whose conditions name declared inputs."""
        seen: dict[str, int] = {}
        for i, rule in enumerate(version["rules"]):
            rule_path = f"{path}.rules[{i}]"
            if rule["name"] in seen:
                self.error(f"{rule_path}.name",
                           f'rule name "{rule["name"]}" is already used by rules[{seen[rule["name"]]}]')
            seen.setdefault(rule["name"], i)
            if "when" in rule:
                self.check_condition(rule["when"], f"{rule_path}.when")

    def check_calendar(self, version: dict, path: str) -> None:
        """Shut-off periods that run forward; timeline steps built on earlier steps."""
        for i, period in enumerate(version.get("no_shutoff", {}).get("periods", [])):
            if period["to"] < period["from"]:
                self.error(f"{path}.no_shutoff.periods[{i}].to",
                           f"the period ends ({period['to']}) before it starts ({period['from']})")
        steps = ["bill"]
        for name, step in version.get("timeline", {}).items():
            step_path = f"{path}.timeline.{name}"
            if name == "bill":
                self.error(step_path, "bill is the first step of every timeline and is not listed")
            elif step["after"] not in steps:
                self.error(f"{step_path}.after",
                           f'no earlier step named "{step["after"]}" (earlier steps: {", ".join(steps)})')
            if ("days" in step) == ("office_days" in step):
                both = ", not both" if "days" in step else ""
                self.error(step_path, f"a step has either days or office_days{both}")
            steps.append(name)

    def check_deadline_inputs(self) -> None:
        """A deadline declares expires_on or issued_on, as dates."""
        for name in ("issued_on", "expires_on"):
            if name in self.inputs and self.inputs[name]["type"] != "date":
                self.error(f"inputs.{name}.type", f"{name} is a date input of every deadline")
        if "expires_on" not in self.inputs and "issued_on" not in self.inputs:
            self.error("inputs", "a deadline reads expires_on or issued_on; declare at least one as a date input")

    def check_deadline(self, version: dict, path: str) -> None:
        """A deadline version can compute the expiry: an expires_on input, or a term."""
        if "issued_on" in self.inputs and "expires_on" not in self.inputs and "term" not in version:
            self.error(path, "without an expires_on input, a term is needed to compute the expiry from issued_on")
