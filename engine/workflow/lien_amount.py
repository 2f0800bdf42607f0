"""The amount a lien is for, by rule, and how it is made up: each line with the charges it counts.

The schedule is the rule document tagged lien_amount (engine.rules.tagged; the sample city's
lien-amount): it adds up facts that measures give (in the sample city, water charges at most
120 days past due and the newest six months of sewer, as the city publishes them). For the notice of intent, each line of the schedule that reads a measure's
fact (`per_unit: {fact: F, rate: 1}`) is shown with the charges that measure counted on the
day: service, bill period, due date and what is unpaid of each, so the letter says how the
amount was reached. Read from the account's streams (engine.accounts.history) like every
measure, so the lines add up to the facts the case's rules read.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.orm import Session

from engine.accounts.history import ServiceOff, account_streams
from engine.money import money_text
from engine.rules.kinds.measure import in_force, streams_read
from engine.rules.library import RuleLibrary
from engine.rules.measure import evaluate_events
from engine.rules.tagged import LIEN_AMOUNT, the_document_tagged
from engine.rules.versions import version_in_force


def lien_amount(session: Session, rules: RuleLibrary, account_id: int, on: date,
                facts: Mapping[str, object], service_off: ServiceOff | None = None) -> dict:
    """`lien_amount` (text, two decimals) and `lien_lines`: each line's name, amount, measure and charges (a
    measure counting shut-offs needs `service_off`, the city's states tagged so)."""
    schedule = the_document_tagged(rules, LIEN_AMOUNT)
    result = rules.evaluate(schedule.id, facts, on)
    specs = {line["name"]: line for line in version_in_force(schedule, on).body["lines"]}
    measures = {doc.header["provides"]: doc for doc in in_force(rules, "account", on)}
    read = {name: measures.get((spec.get("per_unit") or {}).get("fact")) for name, spec in specs.items()}
    wanted = [doc for doc in read.values() if doc is not None]
    events = account_streams(session, [account_id], on, streams_read(wanted, on), service_off=service_off)[account_id] if wanted else {}
    lines = []
    for line in result.lines:
        measure = read.get(line["name"])
        counted = evaluate_events(measure, events, on).counted if measure is not None else ()
        lines.append({"name": line["name"], "amount": money_text(line["amount"]),
                      "measure": measure.id if measure is not None else None,
                      "charges": [_charge(event) for event in counted]})
    return {"lien_amount": money_text(result.total), "lien_lines": lines}


def _charge(event: Mapping[str, object]) -> dict:
    """One charge a line counted, as the letter prints it."""
    due = event.get("due")
    return {"service": str(event.get("service") or ""), "period": str(event.get("period") or ""),
            "due_date": due.isoformat() if isinstance(due, date) else None,
            "amount": money_text(event.get("unpaid", event.get("amount")))}
