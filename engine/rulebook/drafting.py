"""Drafting a rule revision: one check of a draft's text, used by the store and by the draft page.

`check_draft` reads the text once and checks, in one pass, that it is a valid document; that
it is the document being drafted; that its header fits the store; that its versions take
effect within 10 years of `today` (the versions already published stay as they are); that it joins the
published documents without breaking a reference (one library is built, the draft in its
document's place); that every input it declares without a default, optional or not, is a
fact something provides (a measure of that library, a record field, a workflow field:
engine.rulebook.provided); that the steps a sweep document names are ones it can take in the workflows the city
runs (engine.workflow.swept); that it names only what the city has (`city_errors`: words in the
city's languages, assistance programs the city runs); and what publishing it would refuse on
`today`: a version that is or has been in force changed or removed, a version dated in the
past, an input the versions in force read changed. The first are errors (nothing may be
stored); the last are publish problems (the draft may be saved, not published). The published documents come from a
session (read and parsed once), or from a library the caller already has (the web app's
catalog), which reads nothing.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from engine.accounts.assistance import city_programs
from engine.city import offered
from engine.rulebook.provided import provided_facts, unprovided_inputs
from engine.rulebook.revisions import published_documents
from engine.rules.bounds import effective_window_errors
from engine.rules.document import RuleDocument, Version
from engine.rules.errors import DocumentError, DocumentErrors
from engine.rules.library import RuleLibrary
from engine.rules.kinds.bill_messages import KIND as MESSAGES, languages_of
from engine.rules.loader import load_document
from engine.rules.messages import line_at
from engine.rules.services import SERVICES_KIND
from engine.rules.types import YamlValue
from engine.rules.yamlsafe import read_yaml
from engine.workflow.model import Workflow
from engine.workflow.swept import sweep_step_errors

NOT_IN_STORE = ("The rules are not in the rule store yet, so a new version cannot be drafted here. "
                "An administrator loads them first (ordinance rules import).")
LIMITS = {"title": 200, "department": 40}  # the rule store's columns


@dataclass
class DraftCheck:
    """A draft's text checked: the document and library it makes, its errors, what publishing would refuse."""

    text: str
    source: str
    document: RuleDocument | None = None
    library: RuleLibrary | None = None  # the published documents with this one in its document's place
    published: RuleDocument | None = None  # the document's newest published revision, if any
    errors: list[DocumentError] = field(default_factory=list)
    publish_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No errors: the draft may be stored."""
        return not self.errors


@dataclass(frozen=True)
class CityData:
    """What a rule document is checked against in the city: the languages it prints in, the assistance programs it
    runs (their ids)."""

    languages: tuple[str, ...]
    programs: tuple[str, ...]


def city_data(session: Session) -> CityData:
    """The city's languages and assistance programs as its settings hold them now."""
    return CityData(tuple(offered(session)), tuple(program.id for program in city_programs(session)))


def check_draft(published: Session | RuleLibrary, document_id: str | None, text: str, today: date, *,
                source: str | None = None, workflow_fields: Collection[str] = (),
                city: CityData | None = None, workflows: Iterable[Workflow] = ()) -> DraftCheck:
    """Every check of a draft of `document_id` (None: whichever document the text is), its text read once.

    `city`: the city's data to check the draft against (read from `published` when it is a session; a caller
    with a library in hand, the web app, gives it: without it the draft is not checked against the city).
    `workflows`: the workflows the city runs, which the steps a sweep document names are checked against
    (engine.workflow.swept)."""
    check = DraftCheck(text=text, source=source or f"{document_id} (draft)")
    try:
        doc = check.document = load_document(text, check.source)
    except DocumentErrors as bad:
        check.errors = list(bad.errors)
        return check
    if document_id is not None and doc.id != document_id:
        check.errors = [DocumentError(check.source, doc.line_of("id"), "id",
                                      f'this page drafts "{document_id}"; the text says "{doc.id}"')]
        return check
    others = list(published) if isinstance(published, RuleLibrary) else published_documents(published)
    check.published = next((other for other in others if other.id == doc.id), None)
    check.errors = column_errors(doc) + effective_window_errors(doc, today, settled_dates(check.published))
    try:
        check.library = RuleLibrary.from_documents([doc, *(other for other in others if other.id != doc.id)])
    except DocumentErrors as bad:
        check.errors += bad.errors
    if check.library is not None:
        check.errors += unprovided_inputs(doc, provided_facts(check.library, workflow_fields))
        check.errors += sweep_step_errors([doc], workflows)
    if city is None and isinstance(published, Session):
        city = city_data(published)
    if city is not None:
        check.errors += city_errors(doc, city)
    if check.ok and check.published is not None:
        check.publish_problems = in_force_problems(check.published, doc, today)
    return check


def words_by_language(doc: RuleDocument) -> Iterable[tuple[str, str]]:
    """(path, language code) of each text a document gives in a language: services' names and what debits without a
    service are called, bill messages' words."""
    for number, version in enumerate(doc.versions):
        body, at = version.body, f"versions[{number}]"
        if doc.kind == SERVICES_KIND:
            named = [(f"{at}.services.{name}", names) for name, names in (body.get("services") or {}).items()]
            named += [(f"{at}.other_charges", body["other_charges"])] if body.get("other_charges") else []
            for path, names in named:
                yield from ((f"{path}.{code}", code) for code in names)
        elif doc.kind == MESSAGES.name:
            for index, message in enumerate(body.get("messages") or []):
                yield from ((f"{at}.messages[{index}].{code}", code) for code in languages_of(message))


def language_errors(doc: RuleDocument, languages: Collection[str]) -> list[DocumentError]:
    """Words in a language the city does not print in (its `languages` setting), each named with where it is, in
    line order."""
    refused = [DocumentError(doc.source, doc.line_of(path), path,
                             f"{code!r} is not one of the city's languages ({', '.join(languages)}): add it in the "
                             "city settings first, or write the words in one of them")
               for path, code in words_by_language(doc) if code not in languages]
    return sorted(refused, key=lambda error: (error.line, error.path))


PROGRAMS_FACT = "assistance_programs"  # the account fact listing a customer's programs (engine.accounts.facts)
Named = RuleDocument | Workflow  # a document that names facts in conditions: a rule document or a workflow


@dataclass(frozen=True)
class ConditionPlace:
    """Where a document keeps conditions: the path of the YAML under it, what it is in words (a rule, a step, ..)
    and the YAML as written. `named_rules`: a mapping with a `name` inside is a rule, and names what lies under it
    (a rule document's version body)."""

    path: str
    where: str
    value: YamlValue
    named_rules: bool = False


def workflow_conditions(text: str, source: str) -> list[ConditionPlace]:
    """The `when:` of the `opening:` and of each step of a workflow's YAML text (read, not checked), in that order."""
    data = read_yaml(text, source).data
    data = data if isinstance(data, dict) else {}
    opening, steps = data.get("opening"), data.get("transitions")
    places = [ConditionPlace("opening.when", "the opening", opening["when"])] \
        if isinstance(opening, dict) and "when" in opening else []
    return places + [ConditionPlace(f"transitions[{index}].when", f"step {step.get('id')!r}", step["when"])
                     for index, step in enumerate(steps if isinstance(steps, list) else [])
                     if isinstance(step, dict) and "when" in step]


def condition_places(doc: Named, versions: Collection[int] | None = None) -> list[ConditionPlace]:
    """Where a document of either kind keeps its conditions: a rule document's version bodies (those of `versions`,
    by position; None: all), wherever its kind keeps them (criteria rules, schedule lines, a sweep's `opens.when`,
    which names its workflow's subject's facts without declaring them); a workflow's opening's and steps' `when:`."""
    if isinstance(doc, Workflow):
        return workflow_conditions(doc.text, doc.source)
    return [ConditionPlace(f"versions[{number}]", "a condition", version.body, named_rules=True)
            for number, version in enumerate(doc.versions) if versions is None or number in versions]


def mentions_in(places: Iterable[ConditionPlace]) -> Iterable[tuple[str, str, str]]:
    """(path, what names it in words, program id) of each `assistance_programs contains ID` under the places."""
    def walk(value: YamlValue, path: str, where: str, named_rules: bool) -> Iterable[tuple[str, str, str]]:
        if isinstance(value, dict):
            if named_rules and isinstance(value.get("name"), str):
                where = f"rule {value['name']!r}"
            if value.get("fact") == PROGRAMS_FACT and isinstance(value.get("contains"), str):
                yield f"{path}.contains", where, value["contains"]
            for key, inner in value.items():
                yield from walk(inner, f"{path}.{key}", where, named_rules)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                yield from walk(inner, f"{path}[{index}]", where, named_rules)

    for place in places:
        yield from walk(place.value, place.path, place.where, place.named_rules)


def program_mentions(doc: Named) -> Iterable[tuple[str, str, str]]:
    """(path, the rule or step that names it, program id) of each `assistance_programs contains ID` a document's
    conditions test: a rule document's (criteria rules, schedule lines) or a workflow's (steps, opening)."""
    return mentions_in(condition_places(doc))


def _line(doc: Named, path: str) -> int:
    """The line of a path in a document of either kind."""
    return line_at(doc.lines, path) if isinstance(doc, Workflow) else doc.line_of(path)


def program_errors(doc: Named, programs: Collection[str]) -> list[DocumentError]:
    """Each assistance program a document's conditions name that the city does not run (its `assistance_programs`
    setting), named with the document, the rule or step and where it is: such a condition would never match. One
    check for rule documents and workflows alike."""
    runs = ", ".join(programs) or "none"
    return [DocumentError(doc.source, _line(doc, path), path,
                          f"{doc.id}: {where} names the assistance program {program!r}, which the city does not run "
                          f"(it runs: {runs}): add the program on Administration > Assistance programs first, or "
                          "name one the city runs")
            for path, where, program in program_mentions(doc) if program not in programs]


def city_errors(doc: Named, city: CityData) -> list[DocumentError]:
    """What a document names that the city does not have: words in a language it does not print in (rule documents),
    assistance programs it does not run (rule documents and workflows); in line order. The one check of a document
    against the city's data, for drafts saved on the web, publication, imports and `ordinance rules validate`."""
    found = (language_errors(doc, city.languages) if isinstance(doc, RuleDocument) else []) + \
        program_errors(doc, city.programs)
    return sorted(found, key=lambda error: (error.line, error.path))


def settled_dates(published: RuleDocument | None) -> set[date]:
    """The effective dates of a document's published versions: already the city's, not judged again."""
    return {version.effective for version in published.versions} if published is not None else set()


def column_errors(doc: RuleDocument) -> list[DocumentError]:
    """Header values too long for the rule store."""
    return [DocumentError(doc.source, doc.line_of(key), key, f"longer than the {limit} characters the store keeps")
            for key, limit in LIMITS.items() if len(getattr(doc, key) or "") > limit]


# --- what a new revision may not do ------------------------------------------------------


def _terms(version: Version) -> tuple[object, ...]:
    """What a version says, without where it stands in the file."""
    return version.effective, version.body, version.reference, version.adopted, version.retired


def in_force_problems(published: RuleDocument, proposed: RuleDocument, today: date) -> list[str]:
    """Why `proposed` may not replace `published` on `today`: in-force versions changed, past ones added."""
    if proposed.kind != published.kind:
        return [f"{published.id} is a {published.kind}; a new revision cannot make it a {proposed.kind}"]
    settled = [v for v in published.versions if v.effective <= today]
    if not settled:
        return []
    later = f"add a new version dated {today} or later"
    proposed_on = {v.effective: v for v in proposed.versions}
    problems = []
    for version in settled:
        tense = "is" if version is settled[-1] else "has been"
        where = f"the version of {version.effective} {tense} in force"
        if version.effective not in proposed_on:
            problems.append(f"{where} and cannot be removed; {later}")
        elif _terms(proposed_on[version.effective]) != _terms(version):
            problems.append(f"{where} and cannot change; {later}")
    known = {v.effective for v in published.versions}
    problems += [f"the new version of {v.effective} is dated in the past; {later}"
                 for v in proposed.versions if v.effective < today and v.effective not in known]
    return problems + _input_problems(published, proposed)


def _input_problems(published: RuleDocument, proposed: RuleDocument) -> list[str]:
    """Inputs that versions in force read may not change or go; a new one may not be required."""
    problems = []
    for name, spec in published.inputs.items():
        if name not in proposed.inputs:
            problems.append(f'the input "{name}" is read by the versions in force and cannot be removed')
        elif proposed.inputs[name] != spec:
            problems.append(f'the input "{name}" is read by the versions in force and cannot change')
    problems += [f'the input "{name}" is new and the versions in force would need it too; '
                 "give it a default or required: false"
                 for name, spec in proposed.inputs.items()
                 if name not in published.inputs and spec.required and not spec.has_default]
    return problems


def prefixed(doc_id: str, problems: Iterable[str]) -> str:
    """Problems as one message, each line naming the document."""
    return "\n".join(f"{doc_id}: {problem}" for problem in problems)
