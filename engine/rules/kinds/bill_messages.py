"""kind: bill-messages — what the city prints on its bills for a while: office closures, rate hearings, reminders.

A city has one such document. Each version lists messages, each with the days it is printed
(`from` and `to`, both included: a bill dated within them carries it), the billing cycles it
is for (none named: every cycle), and its words in each of the city's languages (English
required; any two-letter code the city prints in, engine.notices.languages; a Spanish bill
without Spanish words prints the English). Evaluated on a bill's
date, it gives the messages printed that day, with the cycles each is for
(engine.statements picks a bill's own by its cycle).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from engine.rules import versions as in_force
from engine.rules import wording
from engine.rules.checks import DocumentChecks
from engine.rules.document import Documents, RuleDocument, Version
from engine.rules.kinds.base import Period, RuleKind, Shown
from engine.rules.services import LANGUAGE_CODE
from engine.rules.schema_blocks import JsonSchema, listing, mapping, ref, text
from engine.rules.types import Facts, JsonValue, YamlMapping
from engine.rules.wording import Term

MOST_MESSAGES = 50
NOT_WORDS = ("from", "to", "cycles", "note")  # a message's keys that are not its words in a language
LONGEST_MESSAGE = 400  # characters: a message is a sentence or two on a one-page bill


def version_keys() -> JsonSchema:
    """`messages:` a list of {from, to, cycles?, en, and the words in any other language the city prints in}."""
    words = {"type": "string", "minLength": 1, "maxLength": LONGEST_MESSAGE}
    message = mapping({"from": ref("date"), "to": ref("date"),
                       "cycles": listing({"type": "string", "pattern": "^[A-Za-z0-9]{1,4}$",
                                          "description": "a billing cycle, as accounts name it: A, B, ..."}, 50),
                       "en": words, "note": text()},
                      ("from", "to", "en"), patternProperties={"^(?!to$)[a-z]{2}$": words},  # `to`: the last day
                      description="a message: the days it is printed, the cycles it is for, its words by language")
    return {"messages": listing(message, MOST_MESSAGES, least=0)}


def check_version(checks: DocumentChecks, version: YamlMapping, path: str) -> None:
    """A message's last day is not before its first."""
    for number, message in enumerate(version.get("messages") or []):
        if str(message.get("to")) < str(message.get("from")):
            checks.error(f"{path}.messages[{number}].to",
                         f"the last day {message.get('to')} is before the first day {message.get('from')}")


@dataclass(frozen=True)
class BillMessagesResult:
    """The messages printed on bills dated on a day."""

    messages: list[dict[str, JsonValue]]
    rule: str
    version: date
    reference: str | None
    as_of: date

    def to_json(self) -> dict[str, JsonValue]:
        """The result as `--json` prints it."""
        return {"messages": [dict(message) for message in self.messages], "rule": self.rule,
                "version": self.version.isoformat(), "reference": self.reference, "as_of": self.as_of.isoformat()}


def evaluate(doc: RuleDocument, facts: Facts, as_of: date, *, library: Documents,
             period: Period | None) -> BillMessagesResult:
    """The version in force's messages whose days include as_of, in the order written."""
    version = in_force.version_in_force(doc, as_of)
    day = as_of.isoformat()
    shown = [{"from": str(m["from"]), "to": str(m["to"]), "cycles": [str(c) for c in m.get("cycles") or []],
              **{language: m[language] for language in languages_of(m)}}
             for m in version.body.get("messages") or [] if str(m["from"]) <= day <= str(m["to"])]
    return BillMessagesResult(shown, doc.id, version.effective, version.reference, as_of)


def message_lines(shown: Shown) -> list[str]:
    """Each message printed that day, with its cycles."""
    lines = []
    for message in shown["messages"] or []:
        cycles = ", ".join(message.get("cycles") or []) or "every cycle"
        lines.append(f"  {message['from']} to {message['to']} ({cycles}): {message['en']}")
    return lines or ["  no message on bills of that day"]


def terms(doc: RuleDocument, version: Version) -> list[Term]:
    """Each message: its days and cycles, then its words in each language (what a version reads as, and diffs by)."""
    found = []
    for message in version.body.get("messages") or []:
        days = f"{wording.figure(message['from'])} to {wording.figure(message['to'])}"
        cycles = f"cycles {wording.figure(message['cycles'])}" if message.get("cycles") else "every cycle"
        found += [Term("Messages", f"{days}, {cycles}, {language}", str(message[language]), key=f"{days} {language}")
                  for language in languages_of(message)]
    return found


def languages_of(message: YamlMapping) -> list[str]:
    """The languages a message has words in, English first (`to`, two letters too, is its last day)."""
    return sorted((key for key in message if key not in NOT_WORDS and re.match(LANGUAGE_CODE, str(key))
                   and message.get(key)),
                  key=lambda code: (code != "en", code))


def messages_for(shown: Shown, cycle: str, language: str) -> list[str]:
    """The words of each message for a bill of this cycle, in its language (English when there are none)."""
    return [str(message.get(language) or message["en"]) for message in shown.get("messages") or []
            if not message.get("cycles") or cycle in message["cycles"]]


KIND = RuleKind("bill-messages", version_keys, ("messages",), check_version, evaluate, message_lines,
                terms=terms, takes_inputs=False, one_per_city=True)
