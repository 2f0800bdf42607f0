"""The checks of a schema-valid document that a schema cannot express, those every kind shares.

Inputs whose limits and defaults fit their type; versions ascending with no two on one date
and retirement that means something; conditions that name only declared inputs and compare
them sensibly. Each kind adds its own (`RuleKind.check_document`, `check_version`), using
the helpers here; `engine.rules.loader` runs them all and reports every error at once.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import MappingProxyType

from engine.money.amounts import whole_cents
from engine.rules.errors import DocumentError
from engine.rules.messages import BOOLEAN_HINT, YAML_11_BOOLEANS, describe, line_at
from engine.rules.types import YamlMapping, YamlValue

NUMERIC = ("number", "integer", "money")
ORDERED = ("number", "integer", "money", "date")
RESERVED_FACTS = ("all", "any", "not", "fact")
TYPE_NAMES = MappingProxyType({"number": "a number", "integer": "a whole number", "money": "an amount of money",
                               "boolean": "true or false", "text": "text", "date": "a date",
                               "list": "a list of texts"})


def found(value: YamlValue) -> str:
    """`the text "yes"`, with a word on YAML 1.2 booleans where that is the likely mistake."""
    hint = BOOLEAN_HINT if isinstance(value, str) and value in YAML_11_BOOLEANS else ""
    return describe(value) + hint


def fits(input_type: str, value: YamlValue) -> bool:
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
    if input_type == "list":
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, date)


class DocumentChecks:
    """The checks of one schema-valid document that the schema cannot express; collects every error."""

    def __init__(self, data: YamlMapping, source: str, lines: dict[str, int]) -> None:
        """Hold the document and collect errors as the checks run."""
        self.data, self.source, self.lines = data, source, lines
        self.inputs: dict[str, YamlMapping] = data.get("inputs", {})
        self.errors: list[DocumentError] = []

    def error(self, path: str, message: str) -> None:
        """Record one error at a path."""
        self.errors.append(DocumentError(self.source, line_at(self.lines, path), path, message))

    def in_line_order(self) -> list[DocumentError]:
        """The errors found, in line order."""
        return sorted(self.errors, key=lambda e: (e.line, e.path))

    def check_common(self) -> None:
        """What every kind shares: its inputs, and its versions' order and retirement."""
        for name, spec in self.inputs.items():
            self.check_input(name, spec, f"inputs.{name}")
        self.check_versions()

    def check_input(self, name: str, spec: YamlMapping, path: str) -> None:
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

    def check_default(self, name: str, spec: YamlMapping, path: str) -> None:
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

    # -- conditions and facts ----------------------------------------------------------

    def check_condition(self, condition: YamlMapping, path: str) -> None:
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

    def check_comparison(self, fact: str, op: str, value: YamlValue, path: str) -> None:
        """One comparison of a leaf fits the type of the fact it compares."""
        spec = self.inputs[fact]
        kind = spec["type"]
        if op == "exists":
            return
        if (op == "contains") != (kind == "list"):
            self.error(path, f"{fact} is a list: compare it with contains (or exists)" if kind == "list"
                       else f"contains applies to a list; {fact} is {kind}")
            return
        if op == "contains":
            if not isinstance(value, str):
                self.error(path, f"{fact} is a list of texts: expected text, found {found(value)}")
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
