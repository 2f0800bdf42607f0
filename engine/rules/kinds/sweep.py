"""kind: sweep — a nightly sweep as a document: its subjects, the cases it opens and works, the lists it keeps.

A version says which subjects the sweep visits (`subjects:`), which workflow it opens cases
of (`workflow:`, a tag the one workflow carries) and how (`opens:` the state by tag, a
condition on the subject's facts, the fields given, the tags of workflows whose open case
blocks a new one), which open cases it takes sweep steps of (`works:` by workflow and state
tags, optionally only some steps) and which lists it puts cases on for the report
(`lists:` by tags, a date field passed and a rule's outcome). `credits_deposits:` names the
criteria that credits a held deposit back. The sweep itself is engine.sweeps.documented;
workflows and states are named only by their tags, so a city renames a state or a workflow
without touching its sweeps. Evaluated, a sweep document gives its version in force.

The header may give the sweep's `label`: its short name on staff pages ("Liens"), outside
the versions (a revision may change it without a new version); without one, staff read
its title (engine.sweeps.registry.sweep_label).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from engine.rules import versions as in_force
from engine.rules.checks import DocumentChecks
from engine.rules.conditions import condition_words
from engine.rules.document import Documents, RuleDocument, Version
from engine.rules.errors import DocumentError
from engine.rules.kinds.base import Period, RuleKind, Shown
from engine.rules.schema_blocks import JsonSchema, fact_name, listing, mapping, ref, text, whole
from engine.rules.types import Facts, JsonValue, YamlMapping, YamlValue
from engine.rules.wording import Term

# The subjects a sweep may visit: the program knows how to find each kind quickly.
SUBJECT_WORDS = {
    "past_due_accounts": "accounts past due on the night (by their kept balances)",
    "accounts_holding_deposits": "accounts holding a deposit",
    "cases": "accounts with an open case that works or lists select",
}
SUBJECT_KEYS = {
    "accounts_in_status": "accounts whose status is one of these (active, closed, ...)",
    "licenses_expiring_within": "active licenses whose term ends within so many days (or has ended)",
}
# What a field given at opening may be read from besides a fact or a literal: the subject's own record.
SUBJECT_VALUES = ("oldest_unpaid_period", "issued_on", "expires_on")
SELECTOR_KEYS = ("workflows", "states", "except_states")
# The lists outside the sweep's report that a sweep document feeds, and what reads each.
SHUTOFF_LIST = "shutoff_list"
FEEDS = {
    SHUTOFF_LIST: "the cases scheduled for shut-off, each with its shut-off day: the phone-notification export, "
                    "the day's shut-off list of the API and the case page (engine.workflow.shutoffs)",
}
TAG = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": "a tag: lower-case letters, digits and _"}
STEP = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "description": "a step id of the workflow"}


LABEL_LIMIT = 60  # a label is a sweep's short name on staff pages; its title says the rest


def header_keys() -> JsonSchema:
    """The header keys of a sweep: its `label`, the short name staff read it by."""
    return {"label": {**text(LABEL_LIMIT), "description": "the sweep's short name on staff pages (Liens)"}}


def label_of(doc: RuleDocument) -> str:
    """A sweep document's short name on staff pages: its `label`, else its title."""
    return str(doc.header.get("label") or doc.title)


def document_label(name: str, rules: Documents) -> str:
    """The name staff read a sweep document by among the city's rules (`label_of`); a name that is none (a past run
    of a sweep since removed) its id in words."""
    if name in rules and rules.get(name).kind == "sweep":
        return label_of(rules.get(name))
    return name.replace("-", " ").replace("_", " ").capitalize()


def _tags() -> JsonSchema:
    """A list of tags."""
    return {**listing(TAG, 20), "uniqueItems": True}


def _selector(more: JsonSchema) -> JsonSchema:
    """Open cases by the tags of their workflow and state."""
    return {"workflows": _tags(), "states": _tags(), "except_states": _tags(), **more}


def version_keys() -> JsonSchema:
    """subjects, workflow, opens, works, lists, credits_deposits."""
    field_value = mapping({"fact": fact_name(), "value": ref("scalar"), "subject": {"enum": list(SUBJECT_VALUES)}},
                         minProperties=1, maxProperties=1,
                         description="{fact: F}, {value: V} or {subject: oldest_unpaid_period|issued_on|expires_on}")
    subjects = {"description": f"one of {', '.join(SUBJECT_WORDS)}, {{accounts_in_status: [..]}} or "
                               "{licenses_expiring_within: {days: N}}",
                "if": {"type": "string"}, "then": {"enum": list(SUBJECT_WORDS)},
                "else": mapping({"accounts_in_status": {**listing(fact_name(), 10), "uniqueItems": True},
                                 "licenses_expiring_within": mapping({"days": whole(1, 3660)}, ("days",))},
                                minProperties=1, maxProperties=1)}
    opens = mapping({"state": TAG, "when": ref("condition"), "unless_open": _tags(),
                     "only_when_a_step_is_due": {"type": "boolean"},
                     "fields": {"type": "object", "maxProperties": 20, "propertyNames": fact_name(),
                                "additionalProperties": field_value}})
    works = mapping(_selector({"steps": {**listing(STEP, 50), "uniqueItems": True}}), minProperties=1)
    outcome = {"type": "object", "minProperties": 1, "maxProperties": 10, "propertyNames": fact_name(),
               "additionalProperties": ref("scalar")}
    one_list = mapping(_selector({"due": fact_name(), "rule": text(), "outcome": outcome,
                                  "shows": {"type": "object", "minProperties": 1, "maxProperties": 20,
                                            "propertyNames": fact_name(), "additionalProperties": fact_name()}}),
                       ("shows",))
    lists = {"type": "object", "minProperties": 1, "maxProperties": 10, "propertyNames": fact_name(),
             "additionalProperties": one_list}
    feeds = mapping({name: mapping(_selector({}), minProperties=1) for name in FEEDS}, minProperties=1)
    return {"subjects": subjects, "workflow": TAG, "opens": opens, "works": works, "lists": lists,
            "credits_deposits": mapping({"rule": text()}, ("rule",)), "feeds": feeds}


def check_version(checks: DocumentChecks, version: YamlMapping, path: str) -> None:
    """A sweep does something; it opens cases only with a workflow, of subjects it can open them for."""
    doing = [key for key in ("opens", "works", "lists", "credits_deposits", "feeds") if key in version]
    if not doing:
        checks.error(path, "a sweep does something: give opens, works, lists, credits_deposits or feeds")
    if "opens" in version and "workflow" not in version:
        checks.error(f"{path}.opens", "opens needs workflow: the tag of the workflow whose cases it opens")
    if "workflow" in version and "opens" not in version:
        checks.error(f"{path}.workflow", "workflow names the workflow a sweep opens cases of; give opens too")
    subjects = version.get("subjects")
    if subjects == "cases" and "opens" in version:
        checks.error(f"{path}.opens", "a sweep of cases opens none; its subjects are the cases it works and lists")
    if subjects == "cases" and not ({"works", "lists"} & set(version)):
        checks.error(f"{path}.subjects", "a sweep of cases needs works or lists to say which cases")
    if "credits_deposits" in version and subjects != "accounts_holding_deposits":
        checks.error(f"{path}.credits_deposits", "deposits are credited back on a sweep of accounts_holding_deposits")
    for name, spec in (version.get("lists") or {}).items():
        if ("rule" in spec) != ("outcome" in spec):
            checks.error(f"{path}.lists.{name}", "a list's rule and outcome go together")


def rules_named(version: YamlMapping) -> Iterator[tuple[str, str]]:
    """(path under the version, rule id) for each rule document a version names."""
    for name, spec in (version.get("lists") or {}).items():
        if "rule" in spec:
            yield f"lists.{name}.rule", spec["rule"]
    if "credits_deposits" in version:
        yield "credits_deposits.rule", version["credits_deposits"]["rule"]


def references(doc: RuleDocument, known: Mapping[str, RuleDocument]) -> Iterator[DocumentError]:
    """Each rule a version names is a criteria document of the library."""
    for version in doc.versions:
        for where, rule in rules_named(version.body):
            path = f"versions[{version.index}].{where}"
            target = known.get(rule)
            if target is None:
                yield DocumentError(doc.source, doc.line_of(path), path, f"no rule document named {rule!r}")
            elif target.kind != "criteria":
                yield DocumentError(doc.source, doc.line_of(path), path,
                                    f"{rule} is a {target.kind}; a sweep asks a criteria document")


def tags_read(doc: RuleDocument) -> tuple[set[str], set[str]]:
    """The tags any version of a sweep document reads: on workflows, and on states."""
    on_workflows: set[str] = set()
    on_states: set[str] = set()
    for version in doc.versions:
        body = version.body
        if body.get("workflow"):
            on_workflows.add(str(body["workflow"]))
        opens = body.get("opens") or {}
        on_workflows.update(opens.get("unless_open") or ())
        if opens.get("state"):
            on_states.add(str(opens["state"]))
        for spec in [body.get("works") or {}, *(body.get("lists") or {}).values(),
                     *(body.get("feeds") or {}).values()]:
            on_workflows.update(spec.get("workflows") or ())
            on_states.update(spec.get("states") or ())
            on_states.update(spec.get("except_states") or ())
    return on_workflows, on_states


def sweep_tags(documents: Iterable[RuleDocument], on: str) -> set[str]:
    """The tags the library's sweep documents read on workflows (`on="workflow"`) or on states (`on="state"`)."""
    index = 0 if on == "workflow" else 1
    return {tag for doc in documents if doc.kind == "sweep" for tag in tags_read(doc)[index]}


def fed(documents: Iterable[RuleDocument], feed: str) -> list[YamlMapping]:
    """The selectors (as written) with which any version of any sweep document feeds a list (`feeds: {FEED: ..}`)."""
    return [version.body["feeds"][feed] for doc in documents if doc.kind == "sweep" for version in doc.versions
            if feed in (version.body.get("feeds") or {})]


@dataclass(frozen=True)
class SweepResult:
    """The sweep's version in force on a day."""

    sweep: dict[str, YamlValue]
    rule: str
    version: date
    reference: str | None
    as_of: date

    def to_json(self) -> dict[str, JsonValue]:
        """The result as `--json` prints it."""
        return {"sweep": _json(self.sweep), "rule": self.rule, "version": self.version.isoformat(),
                "reference": self.reference, "as_of": self.as_of.isoformat()}


def _json(value: YamlValue) -> JsonValue:
    """A version body as JSON (numbers as text, dates ISO)."""
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bool, str)) or value is None:
        return value
    return str(value)


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
             period: Period | None) -> SweepResult:
    """The version in force on the day."""
    version = in_force.version_in_force(doc, as_of)
    return SweepResult(dict(version.body), doc.id, version.effective, version.reference, as_of)


def tags_words(spec: YamlMapping) -> str:
    """A selector in words: `workflows tagged a; states tagged b, c; not states tagged d`."""
    parts = [f"{what} tagged {', '.join(spec[key])}" for key, what in
             (("workflows", "workflows"), ("states", "states"), ("except_states", "not states")) if spec.get(key)]
    return "; ".join(parts) or "every open case"


def _subjects_words(subjects: YamlValue) -> str:
    """What the sweep visits, in words."""
    if isinstance(subjects, str):
        return SUBJECT_WORDS[subjects]
    if "accounts_in_status" in subjects:
        return f"accounts whose status is {' or '.join(subjects['accounts_in_status'])}"
    return f"active licenses whose term ends within {subjects['licenses_expiring_within']['days']} days"


def _field_words(spec: YamlMapping) -> str:
    """A field given at opening, in words."""
    if "fact" in spec:
        return f"the fact {spec['fact']}"
    if "value" in spec:
        return str(spec["value"])
    return f"the subject's {spec['subject']}"


def terms(doc: RuleDocument, version: Version) -> list[Term]:
    """A version in words: its subjects, the cases it opens and how, the cases it works, its lists and feeds."""
    body = version.body
    found = [Term("Subjects", "visits", _subjects_words(body["subjects"]))]
    opens = body.get("opens")
    if opens is not None:
        group = "Opens"
        found.append(Term(group, "a case of the workflow tagged", str(body.get("workflow"))))
        found.append(Term(group, "in the state tagged", opens["state"]) if opens.get("state")
                     else Term(group, "in", "the workflow's initial state"))
        if "when" in opens:
            found.append(Term(group, "when", condition_words(opens["when"])))
        if opens.get("unless_open"):
            found.append(Term(group, "unless the subject has an open case of a workflow tagged",
                              ", ".join(opens["unless_open"])))
        if opens.get("only_when_a_step_is_due"):
            found.append(Term(group, "only when", "a sweep step would be taken that night"))
        found += [Term(group, f"field {name}", _field_words(spec))
                  for name, spec in (opens.get("fields") or {}).items()]
    works = body.get("works")
    if works is not None:
        found.append(Term("Works", "the sweep steps of", tags_words(works)))
        if works.get("steps"):
            found.append(Term("Works", "only the steps", ", ".join(works["steps"])))
    for name, spec in (body.get("lists") or {}).items():
        group = f"List {name}"
        found.append(Term(group, "the cases of", tags_words(spec)))
        if spec.get("due"):
            found.append(Term(group, "once this date has come", spec["due"]))
        if spec.get("rule"):
            wanted = ", ".join(f"{key} = {value}" for key, value in spec["outcome"].items())
            found.append(Term(group, f"when {spec['rule']} gives", wanted))
        shows = ", ".join(f"{label} ({fact})" for label, fact in spec["shows"].items())
        found.append(Term(group, "each line shows", shows))
    if "credits_deposits" in body:
        found.append(Term("Deposits", "credits back each held deposit that this criteria says is earned",
                          body["credits_deposits"]["rule"]))
    for name, spec in (body.get("feeds") or {}).items():
        found.append(Term("Feeds", name.replace("_", " "), tags_words(spec)))
    return found


def sweep_lines(shown: Shown) -> list[str]:
    """What the sweep does, one line a key."""
    body = shown["sweep"]
    return [f"  {key}: {value}" for key, value in body.items()]  # type: ignore[union-attr]


KIND = RuleKind("sweep", version_keys, ("subjects",), check_version, evaluate, sweep_lines,
                references=references, terms=terms, takes_inputs=False, folder="sweeps", header_keys=header_keys)
