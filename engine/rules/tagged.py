"""The rule documents the program asks for by what they are for: their `tags:`, never their ids.

A city names its documents as it likes; the program finds the one it needs by a tag the
document carries in its header (`tags: [returned_payment_fee]`), as it finds workflows and
states (docs/workflow-format.md#tags). Each tag below is one the program asks of rule
documents, with the kind it must be and what the program does with it (docs/rules-format.md,
"Documents the program looks up"). A document may carry only these tags, each on a document
of its kind (checked when the document is read), and no two documents one tag (checked with
the city's other documents, engine.rules.library). A kind a city has only one of (its
meter-reads, billing, services, payment-order document) is found by its kind and needs no tag.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from engine.rules.document import RuleDocument
from engine.rules.errors import DocumentError, EvaluationError

TAG = r"^[a-z][a-z0-9_]{0,39}$"  # a tag: lower-case letters, digits and _
SCHEDULE, CRITERIA = "schedule", "criteria"  # the kinds of engine.rules.kinds the tags below are for


@dataclass(frozen=True)
class ProgramTag:
    """A tag the program asks of a rule document: its name, the kind the document must be, what it is for in staff
    words (for messages), and what the program does with it and what the document must give (for the docs)."""

    name: str
    kind: str
    purpose: str
    use: str


RETURNED_PAYMENT_FEE = ProgramTag(
    "returned_payment_fee", SCHEDULE, "the fee charged on a returned payment",
    "when the bank returns a payment its total is posted to the account as a fee, its first line's name the "
    "entry's description; it is given the account's facts on the day, the returned payment counted")
CASH_ONLY_STATUS = ProgramTag(
    "cash_only_status", CRITERIA, "whether an account pays only in cash after returned payments",
    "asked when a payment is returned and by the cash-only review sweep, with the account's facts: its outcome "
    "`cash_only: true` makes the account cash-only (until the day its `for:` gives, when it has one)")
SERVICE_DEPOSIT = ProgramTag(
    "service_deposit", SCHEDULE, "the deposit asked when service starts",
    "its total is the deposit held when service starts, given `meter_size`; the start-service page offers the "
    "values of its `meter_size` input as the sizes of a new meter")
ADJUSTMENT_APPROVAL = ProgramTag(
    "adjustment_approval", CRITERIA, "who may post an adjustment",
    "asked for every adjustment with `amount` and `reason_code`: its outcome `approver_role` is the role that may "
    "post it (a page role or above, an approval role exactly)")
LIEN_AMOUNT = ProgramTag(
    "lien_amount", SCHEDULE, "the amount a lien is recorded for",
    "the notice of intent to lien prints its total and each line, a line `per_unit: {fact: F, rate: 1}` of a "
    "measure's fact with the charges that measure counted; it is given the lien case's facts")

PROGRAM_TAGS: Mapping[str, ProgramTag] = MappingProxyType({tag.name: tag for tag in (
    RETURNED_PAYMENT_FEE, CASH_ONLY_STATUS, SERVICE_DEPOSIT, ADJUSTMENT_APPROVAL, LIEN_AMOUNT)})


class NoDocumentTagged(EvaluationError):
    """The city has no rule document carrying a tag the program needs; the message says what it is for."""

    def __init__(self, tag: ProgramTag) -> None:
        self.tag = tag
        super().__init__(f"no rule document is tagged {tag.name}: {tag.purpose} (a {tag.kind} document carrying "
                         f"tags: [{tag.name}])")


def the_document_tagged(documents: Iterable[RuleDocument], tag: ProgramTag) -> RuleDocument:
    """The city's document carrying the tag (at most one does), or NoDocumentTagged naming what it is for."""
    found = next((doc for doc in documents if tag.name in doc.tags), None)
    if found is None:
        raise NoDocumentTagged(tag)
    return found


def program_uses(doc: RuleDocument) -> list[ProgramTag]:
    """What the program uses a document for: the program tags it carries (for its page)."""
    return [PROGRAM_TAGS[tag] for tag in doc.tags if tag in PROGRAM_TAGS]


def tag_errors(tags: Iterable[str], kind: str) -> Iterator[tuple[int, str]]:
    """(position, message) of each tag a document of this kind may not carry: one the program does not ask for
    (a misspelling caught), or one it asks of another kind."""
    for position, tag in enumerate(tags):
        known = PROGRAM_TAGS.get(tag)
        if known is None:
            yield position, f'unknown tag "{tag}"; the tags the program reads: {", ".join(sorted(PROGRAM_TAGS))}'
        elif known.kind != kind:
            yield position, f"the tag {tag} is for a {known.kind} document ({known.purpose}); this one is a {kind}"


def second_of_a_tag(documents: Iterable[RuleDocument]) -> Iterator[DocumentError]:
    """An error for each document carrying a tag a later one of these also carries: one document is each. The
    documents checked come first (a draft, the files imported), the city's others after them, so the error is told
    on the one checked."""
    holder: dict[str, RuleDocument] = {}
    for doc in reversed(list(documents)):
        for position, tag in enumerate(doc.tags):
            if tag not in holder:
                holder[tag] = doc
                continue
            other, what = holder[tag], PROGRAM_TAGS[tag].purpose if tag in PROGRAM_TAGS else tag  # unknown: refused
            yield DocumentError(doc.source, doc.line_of(f"tags[{position}]"), f"tags[{position}]",
                                f"{other.id} ({other.source}) already carries the tag {tag}: one document is {what}; "
                                f"take the tag off {doc.id} or off {other.id}")
