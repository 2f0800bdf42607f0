"""A case in the city's words: every fact, case field, outcome and guard as a label and a sentence.

The words are kept beside what they name: a record fact's label and meaning in
engine.workflow.facts, a measure's in its document (title, description), a case field's in
its workflow (`labels:`, or the label of the form field that asks for it), a state's and a
step's in the workflow, a criteria outcome's in its document (the `name` of the criteria rule
that gives it). `CaseWords` reads them for one case and words what the engine recorded:
a fact's value by its type (money as money, a bill period as its month), a guard's check
("Past due is $253.32, at least $50.00: yes"), a criteria outcome by the names of the rules
that give it, a step's form by its fields' labels. `FactWords`, the labels and values part,
words facts without a case too (a rule draft's impact examples). Dates stay ISO here: the page
writes them in the city's style. Nothing here reads the clock or the database.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from engine.money.amounts import format_money
from engine.rules.library import RuleLibrary
from engine.rules.months import period_words
from engine.workflow.facts import Fact
from engine.workflow.model import Workflow

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$", re.ASCII)
OPS = {">=": "at least", "<=": "at most", "==": "equal to", "!=": "not", ">": "more than", "<": "less than",
       "not in": "not one of", "in": "one of", "contains": "including"}
OP = "|".join(re.escape(op) for op in OPS)
# `past_due_balance = 253.32 >= 50 and < 100: yes` (engine.rules.conditions' trace of a leaf)
COMPARED = re.compile(rf"\b(?P<name>[a-z][a-z0-9_]*) = (?P<value>.+?) (?P<tests>(?:{OP}) .+?): (?P<verdict>yes|no)\b")
ABSENT = re.compile(r"\b(?P<name>[a-z][a-z0-9_]*) is absent\b")
# `shutoff-eligibility says no: it gives eligible = false, reason = x; this step needs eligible = true`
GIVES = re.compile(r"(?P<rule>[a-z0-9][a-z0-9-]*) (?:says no: it )?gives (?P<out>.+?); this step needs (?P<need>[^;]+)")
GIVES_NAMED = re.compile(r"(?P<rule>[a-z0-9][a-z0-9-]*) gives (?P<key>[a-z_]+) = (?P<value>\S+) for these facts")
PAIR = re.compile(r"\b(?P<name>[a-z][a-z0-9]*(?:_[a-z0-9]+)*) = (?P<value>[^;,]+)")
ROLES_LINE = re.compile(r"\broles (?P<roles>[a-z_, ]+); ")
STATE_IS = re.compile(r"\bthe case is (?P<state>[a-z][a-z0-9_]*)\b")
IDENT = re.compile(r"(?<![\w-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])")


@dataclass(frozen=True)
class Word:
    """What a fact or case field is called, what the page says of it, and its type (money, date, ...)."""

    label: str
    says: str
    type: str


def sentence(text: str) -> str:
    """A meaning as a sentence: capitalised, with its full stop."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!", ")")) else text + "."


def code_words(value: str) -> str:
    """A code a document or a form gives (general_business, renewal_due) as words."""
    return value.replace("_", " ")


class FactWords:
    """The words of documented facts: each one's label and sentence, and its values worded by its type.

    The one place a fact's value becomes words on a page (a case's facts, a rule draft's impact examples).
    """

    def __init__(self, documented: Mapping[str, Fact], item_names: Mapping[str, str] | None = None) -> None:
        """`item_names`: the city's words for the ids a list fact holds (its assistance programs' names)."""
        self.item_names = dict(item_names or {})
        self.words: dict[str, Word] = {}
        for name, fact in documented.items():
            self.words[name] = Word(fact.label or sentence(code_words(name)).rstrip("."),
                                    fact.says or sentence(fact.meaning), fact.type)

    def label(self, name: str) -> str:
        """What a fact or case field is called ("Past due"); an unknown name in words."""
        word = self.words.get(name)
        return word.label if word else sentence(code_words(name)).rstrip(".")

    def value(self, name: str, value: object) -> str:
        """A value as the page shows it, by the fact's type: $1,234.50, yes/no, Jan 2026, words for a code; a list
        joined with commas (none when empty). Dates stay ISO: the page writes them in the city's style."""
        kind = self.words[name].type if name in self.words else ""
        if value is None or value == "":
            return "—"
        if isinstance(value, (list, tuple)) or kind == "list":
            items = value if isinstance(value, (list, tuple)) else [value]
            return ", ".join(self.item_names.get(str(item)) or code_words(str(item)) for item in items) or "none"
        if isinstance(value, bool) or kind == "boolean":
            return "yes" if value in (True, "true", "True") else "no"
        if kind == "money":
            return _money(value)
        if isinstance(value, date):
            return value.isoformat()
        text = str(value)
        if PERIOD.match(text):
            return period_words(text)
        if kind == "number" and name.endswith("_percent"):
            return f"{text}%"
        return code_words(text) if kind == "text" and re.fullmatch(r"[a-z0-9_]+", text) else text

    def in_words(self, facts: Mapping[str, object]) -> list[tuple[str, str]]:
        """Facts by name as (label, value) pairs, in their order."""
        return [(self.label(name), self.value(name, value)) for name, value in facts.items()]


class CaseWords(FactWords):
    """The words of one workflow's cases: labels and sentences of facts and fields, outcomes, checks."""

    def __init__(self, workflow: Workflow, documented: Mapping[str, Fact], rules: RuleLibrary,
                 role_labels: Mapping[str, str] | None = None, item_names: Mapping[str, str] | None = None) -> None:
        """`item_names`: the city's words for the ids a list fact holds (its assistance programs' names)."""
        super().__init__(documented, item_names)
        self.workflow, self.rules = workflow, rules
        self.role_labels = dict(role_labels or {})
        asked = {f.name: (f.label, t.label) for t in reversed(workflow.transitions) for f in t.form}
        worked_out = {name: t.label for t in reversed(workflow.transitions) for a in t.actions
                      if a.kind == "set" and isinstance(a.value, dict) for name in a.value}
        for name, kind in workflow.field_types.items():
            if name in workflow.labels:
                label, says = workflow.labels[name]
                self.words[name] = Word(label, sentence(says), kind)
            elif name not in self.words:
                self.words[name] = self._unlabelled(name, kind, asked.get(name), worked_out.get(name))

    @staticmethod
    def _unlabelled(name: str, kind: str, asked: tuple[str, str] | None, worked_out: str | None) -> Word:
        """A case field the workflow gives no `labels:` entry: its form field's label, or its name in words."""
        if asked is not None:
            return Word(asked[0], f"Given when “{asked[1]}” is taken.", kind)
        label = sentence(code_words(name)).rstrip(".")
        return Word(label, f"Worked out when “{worked_out}” is taken." if worked_out else "Kept with the case.", kind)

    # -- names and values --------------------------------------------------------------------

    def state(self, name: str | None) -> str:
        """A state's label."""
        if name is None:
            return ""
        state = self.workflow.states.get(name)
        return state.label if state else code_words(name)

    def step(self, step_id: str) -> str:
        """A step's label (the opening: Opened)."""
        if step_id == "open":
            return "Opened"
        step = self.workflow.transition(step_id)
        return step.label if step is not None and step.label else sentence(code_words(step_id)).rstrip(".")

    def rule_title(self, rule_id: str) -> str:
        """A rule document's title, or its id when the library has no such document."""
        return self.rules.title_of(rule_id)

    def fact_rows(self, facts: Iterable[Mapping[str, object]]) -> list[dict[str, str]]:
        """The facts of a case as label, value and sentence rows."""
        return [{"name": str(f["name"]), "label": self.label(str(f["name"])),
                 "value": self.value(str(f["name"]), f["value"]),
                 "says": self.words[str(f["name"])].says if str(f["name"]) in self.words else ""} for f in facts]

    def form(self, form: Mapping[str, object]) -> list[str]:
        """A step's form as it was given: "Refund asked: $247.64"."""
        return [f"{self.label(name)}: {self.value(name, value)}" for name, value in form.items()]

    # -- outcomes and checks ------------------------------------------------------------------

    def outcome_names(self, rule_id: str, pairs: str) -> list[str]:
        """The names of a criteria document's rules whose outcome holds every `key = value` of `pairs`."""
        wanted = dict((k.strip(), v.strip()) for k, _, v in (p.partition(" = ") for p in pairs.split(", ")))
        if rule_id not in self.rules:
            return []
        names: list[str] = []
        for version in reversed(self.rules.get(rule_id).versions):
            for rule in version.body.get("rules") or []:
                then = rule.get("then") if isinstance(rule, dict) else None
                if isinstance(then, dict) and all(_plain_value(then.get(k)) == v for k, v in wanted.items()):
                    if rule.get("name") and rule["name"] not in names:
                        names.append(str(rule["name"]))
            if names:
                return names
        return names

    def _outcome(self, rule_id: str, pairs: str) -> str:
        names = self.outcome_names(rule_id, pairs)
        if names:
            return " or ".join(f"“{name}”" for name in names)
        return "; ".join(f"{self.label(k)}: {self.value(k, v)}" for k, _, v in
                         (p.partition(" = ") for p in pairs.split(", ")) if v) or "no outcome"

    def _compared(self, match: re.Match) -> str:
        name = match["name"]
        tests = re.split(r" and (?=(?:%s) )" % OP, match["tests"])
        worded = []
        for test in tests:
            op = next(o for o in sorted(OPS, key=len, reverse=True) if test.startswith(o + " "))
            worded.append(f"{OPS[op]} {self._literal(name, test[len(op) + 1:])}")
        value = self._literal(name, match["value"])
        return f"{self.label(name)} is {value}, {' and '.join(worded)}: {match['verdict']}"

    def _literal(self, name: str, text: str) -> str:
        text = text.strip()
        if text.startswith("[") and text.endswith("]"):
            return ", ".join(self._literal(name, part) for part in text[1:-1].split(","))
        return self.value(name, text.strip("'\""))

    def sentence(self, text: object) -> str:
        """What the engine wrote (a check, a refusal, a trace line) in the city's words; dates stay ISO."""
        text = str(text or "")
        text = GIVES.sub(lambda m: f"{self.rule_title(m['rule'])}: {self._outcome(m['rule'], m['out'])}; "
                                   f"this step needs {self._outcome(m['rule'], m['need'])}", text)
        text = GIVES_NAMED.sub(lambda m: f"{self.rule_title(m['rule'])} asks for "
                                         f"{self.role_labels.get(m['value'], code_words(m['value']))}", text)
        text = COMPARED.sub(self._compared, text)
        text = ABSENT.sub(lambda m: f"{self.label(m['name'])} is not known", text)
        text = ROLES_LINE.sub(lambda m: "taken by " + " or ".join(
            self.role_labels.get(r.strip(), r.strip()) for r in m["roles"].split(",")) + "; ", text)
        text = STATE_IS.sub(lambda m: f"the case is at “{self.state(m['state'])}”", text)
        text = PAIR.sub(lambda m: f"{self.label(m['name'])} is {self.value(m['name'], m['value'].strip())}"
                        if m["name"] in self.words else m.group(0), text)
        text = IDENT.sub(lambda m: self._ident(m.group(0)), text)
        return text.replace("the conditions are not met:", "not now:")

    def _ident(self, name: str) -> str:
        if name in self.words:
            return self.label(name)
        if name in self.workflow.states:
            return f"“{self.state(name)}”"
        if self.workflow.transition(name) is not None:
            return f"“{self.step(name)}”"
        if name in self.role_labels:
            return self.role_labels[name]
        return code_words(name)

    def check(self, check: Mapping[str, object]) -> str:
        """One check a step recorded, in words."""
        detail = check.get("detail") or str(check.get("guard", "")).replace("_", " ")
        return self.sentence(detail)

    def done(self, words: str) -> str:
        """An action a step ran ("Fee late-fee (version of ..): $12.00") with the rule's title for its id."""
        for rule_id in re.findall(r"(?<![\w-])[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?![\w-])", words):
            if rule_id in self.rules:
                words = words.replace(rule_id, self.rule_title(rule_id), 1)
        return self.sentence(words)


def _plain_value(value: object) -> str:
    """An outcome value as the engine's refusals write it (booleans lower-case)."""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _money(value: object) -> str:
    """Money as money: $1,234.50 (a value that is not an amount as it is)."""
    try:
        return format_money(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
