"""kind: meter-reads — how meter reads are reviewed before billing, estimated, and read from handheld files.

A city has at most one such document (the program finds it by the id `meter-reads`). Each
version holds the review's thresholds (engine.reads.review applies them):

- `history`: the reads averaged — those of the `months` before the read, at least `at_least`
  of them, else the read has no average and is not judged high or low;
- `high`, `low`: a read's use above `times_average` x the average (high), or above zero and
  below it (low), is held for review;
- `zero`, `reader_estimate`: `hold` or `accept` a read of zero use, or one the reader marked
  as estimated;
- `dials`: a meter's dials when the account's meter gives none; a reading below the previous
  one is a rollover when wrapping at 10^dials gives a use that is not itself high;
- `estimate`: a missing read is estimated as the average use of the reads of the last `months`
  (at least `at_least` of them), whole CCF rounded half up;
- `leak_letter`: a letter in the customer's language when an accepted read's use is at least
  `times_average` x the average;
- `layouts`: fixed-width handheld files, each a name with its columns (`from`/`to`, first
  character 1, both included), the form of its dates, and which lines are reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from engine.rules import versions as in_force
from engine.rules.checks import DocumentChecks
from engine.rules.document import Documents, RuleDocument, Version
from engine.rules.kinds.base import Period, RuleKind, Shown
from engine.rules.schema_blocks import JsonSchema, bounded, listing, mapping, text, whole
from engine.rules.types import Facts, JsonValue, YamlMapping
from engine.rules.wording import Term

DATE_FORMS = {"YYYYMMDD": "%Y%m%d", "MMDDYYYY": "%m%d%Y", "MMDDYY": "%m%d%y", "YYYY-MM-DD": "%Y-%m-%d",
              "MM/DD/YYYY": "%m/%d/%Y"}
HOLD_OR_ACCEPT = ("hold", "accept")
COLUMNS = ("account_number", "read_on", "reading", "consumption", "estimated")
LAYOUT_NAME = "^[a-z][a-z0-9_-]{0,39}$"


def _times() -> JsonSchema:
    """{times_average: N}: a factor above zero, two decimals."""
    return mapping({"times_average": bounded(Decimal(0), Decimal(1000), 2, above=True)}, ("times_average",))


def _window() -> JsonSchema:
    """{months: N, at_least: M}: the reads of the last N months, at least M of them."""
    return mapping({"months": whole(1, 60), "at_least": whole(1, 60)}, ("months", "at_least"))


def _column() -> JsonSchema:
    """A column of a fixed-width line: first and last character, counted from 1, both included."""
    return mapping({"from": whole(1, 1000), "to": whole(1, 1000),
                    "codes": listing(text(), 20)}, ("from", "to"))


def version_keys() -> JsonSchema:
    """The review's thresholds, the estimate, the leak letter and the handheld layouts."""
    layout = mapping({
        "title": text(),
        "dates": {"enum": list(DATE_FORMS)},
        "columns": mapping({name: _column() for name in COLUMNS}, ("account_number", "read_on")),
        "record_type": mapping({"from": whole(1, 1000), "to": whole(1, 1000), "value": text()},
                               ("from", "to", "value")),
    }, ("title", "dates", "columns"))
    return {"history": _window(), "high": _times(), "low": _times(),
            "zero": {"enum": list(HOLD_OR_ACCEPT)}, "reader_estimate": {"enum": list(HOLD_OR_ACCEPT)},
            "dials": whole(3, 12), "estimate": _window(), "leak_letter": _times(),
            "layouts": {"type": "object", "maxProperties": 20,
                        "propertyNames": {"pattern": LAYOUT_NAME,
                                          "description": "a layout name: lowercase letters, digits, - and _"},
                        "additionalProperties": layout}}


def check_version(checks: DocumentChecks, version: YamlMapping, path: str) -> None:
    """Low below high; each column's from not after its to, columns apart; a reading or a consumption column."""
    if "high" in version and "low" in version and \
            Decimal(str(version["low"]["times_average"])) >= Decimal(str(version["high"]["times_average"])):
        checks.error(f"{path}.low.times_average", "low use must be fewer times the average than high use")
    for name, layout in (version.get("layouts") or {}).items():
        where = f"{path}.layouts.{name}"
        columns = layout.get("columns") or {}
        spans = []
        for column, span in columns.items():
            if span["from"] > span["to"]:
                checks.error(f"{where}.columns.{column}", f"from {span['from']} is after to {span['to']}")
            spans.append((span["from"], span["to"], column))
            if "codes" in span and column != "estimated":
                checks.error(f"{where}.columns.{column}.codes", "only the estimated column has codes")
        spans.sort()
        for (_, end, first), (start, _, second) in zip(spans, spans[1:]):
            if start <= end:
                checks.error(f"{where}.columns.{second}", f"overlaps the column {first} (they share character {start})")
        if "reading" not in columns and "consumption" not in columns:
            checks.error(f"{where}.columns", "a layout needs a reading column, a consumption column, or both")


@dataclass(frozen=True)
class Column:
    """A column of a fixed-width layout (characters from..to, counted from 1, both included)."""

    start: int
    end: int
    codes: tuple[str, ...] = ()

    def cut(self, line: str) -> str:
        """The column's text of a line, spaces trimmed."""
        return line[self.start - 1:self.end].strip()


@dataclass(frozen=True)
class Layout:
    """A fixed-width handheld file's layout."""

    name: str
    title: str
    date_form: str
    columns: dict[str, Column]
    record_type: tuple[Column, str] | None = None


@dataclass(frozen=True)
class MeterReadsResult:
    """The read policy in force on a day."""

    history_months: int
    history_at_least: int
    high: Decimal
    low: Decimal
    zero: str
    reader_estimate: str
    dials: int
    estimate_months: int
    estimate_at_least: int
    leak_letter: Decimal
    rule: str
    version: date
    reference: str | None
    as_of: date
    layouts: dict[str, Layout] = field(default_factory=dict)

    def to_json(self) -> dict[str, JsonValue]:
        """The result as `--json` prints it."""
        return {"history": {"months": self.history_months, "at_least": self.history_at_least},
                "high": str(self.high), "low": str(self.low), "zero": self.zero,
                "reader_estimate": self.reader_estimate, "dials": self.dials,
                "estimate": {"months": self.estimate_months, "at_least": self.estimate_at_least},
                "leak_letter": str(self.leak_letter), "layouts": sorted(self.layouts),
                "rule": self.rule, "version": self.version.isoformat(), "reference": self.reference,
                "as_of": self.as_of.isoformat()}


def _layout(name: str, body: YamlMapping) -> Layout:
    """A layout of the document, as the parser reads it."""
    columns = {column: Column(int(span["from"]), int(span["to"]), tuple(str(c) for c in span.get("codes", ())))
               for column, span in body["columns"].items()}
    record = body.get("record_type")
    return Layout(name, body["title"], DATE_FORMS[body["dates"]], columns,
                  (Column(int(record["from"]), int(record["to"])), str(record["value"])) if record else None)


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
             period: Period | None) -> MeterReadsResult:
    """The policy in force on the day."""
    version = in_force.version_in_force(doc, as_of)
    body = version.body
    return MeterReadsResult(
        int(body["history"]["months"]), int(body["history"]["at_least"]), Decimal(str(body["high"]["times_average"])),
        Decimal(str(body["low"]["times_average"])), body["zero"], body["reader_estimate"], int(body["dials"]),
        int(body["estimate"]["months"]), int(body["estimate"]["at_least"]),
        Decimal(str(body["leak_letter"]["times_average"])),
        doc.id, version.effective, version.reference, as_of,
        {name: _layout(name, layout) for name, layout in (body.get("layouts") or {}).items()})


def policy_lines(shown: Shown) -> list[str]:
    """The policy in words."""
    history, estimate = shown["history"], shown["estimate"]
    return [f"  averages the reads of the last {history['months']} months (at least {history['at_least']})",
            f"  holds use above {shown['high']} x the average, and above zero below {shown['low']} x",
            f"  zero use: {shown['zero']}; a reader's estimate: {shown['reader_estimate']}",
            f"  a meter without dials on file has {shown['dials']} dials",
            f"  estimates a missing read as the average of the last {estimate['months']} months "
            f"(at least {estimate['at_least']} reads)",
            f"  sends a leak letter at {shown['leak_letter']} x the average",
            f"  handheld layouts: {', '.join(shown['layouts']) or 'none'}"]


def terms(doc: RuleDocument, version: Version) -> list[Term]:
    """The thresholds, the estimate, the leak letter and each layout's columns, in words."""
    body, group = version.body, "Review"
    found = []
    if "history" in body:
        found.append(Term(group, "average of", f"the reads of the last {body['history']['months']} months, "
                                               f"at least {body['history']['at_least']}"))
    for key, words in (("high", "held when use is above"), ("low", "held when use is above zero and below"),
                       ("leak_letter", "leak letter when use is at least")):
        if key in body:
            found.append(Term(group, words, f"{body[key]['times_average']} times the average"))
    for key, words in (("zero", "zero use"), ("reader_estimate", "a reader's estimate")):
        if key in body:
            found.append(Term(group, words, body[key]))
    if "dials" in body:
        found.append(Term(group, "dials of a meter without its own", str(body["dials"])))
    if "estimate" in body:
        found.append(Term("Estimates", "a missing read", f"the average of the last {body['estimate']['months']} "
                                                         f"months' reads, at least {body['estimate']['at_least']}"))
    for name, layout in (body.get("layouts") or {}).items():
        where = f"Layout {name}"
        found.append(Term(where, "title", layout["title"]))
        found.append(Term(where, "dates", layout["dates"]))
        if "record_type" in layout:
            record = layout["record_type"]
            found.append(Term(where, "reads are the lines with", f"{record['value']} at characters "
                                                                 f"{record['from']}-{record['to']}"))
        for column, span in layout["columns"].items():
            codes = f" (codes {', '.join(str(c) for c in span['codes'])})" if "codes" in span else ""
            found.append(Term(where, column, f"characters {span['from']}-{span['to']}{codes}"))
    return found


REQUIRED = ("history", "high", "low", "zero", "reader_estimate", "dials", "estimate", "leak_letter")
KIND = RuleKind("meter-reads", version_keys, REQUIRED, check_version, evaluate, policy_lines, terms=terms,
                takes_inputs=False, one_per_city=True)
