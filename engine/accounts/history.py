"""The event streams accounts and licenses keep, read for a chunk of subjects at once (measures count them).

The streams and their fields are engine.rules.streams' (documented in docs/rules-format.md);
this module reads them from the database as of a day, one query per stream (the ledger's
streams share one) for a whole chunk of subjects, never a query per subject. Each event is
a plain mapping of its fields, money as Decimal, dates as dates; each subject's events of a
stream come in date order (one day's as recorded: by ledger entry, payment, case or notice
id). What is unpaid of each charge and fee is
engine.money.ledger.aging.unpaid_debits' answer, payments applied in the published order.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, bindparam, false, or_, select
from sqlalchemy.orm import Session

from engine.money import from_cents
from engine.money.ledger.aging import Posting, unpaid_debits
from engine.money.ledger.order import payment_orders
from engine.money.ledger.standing import ledger_rows
from engine.store.kept_reads import PAYMENT_STREAMS, kept_read
from engine.store.models import AuditEntry, Bill, Case, CaseEvent, LedgerEntry, Notice, Payment

Event = dict[str, Any]
Streams = dict[str, list[Event]]  # one subject's events by stream name
LEDGER_STREAMS = ("charges", "fees", "adjustments", "waivers")
PAYMENT_STREAM_NAMES = ("payments", "returned_payments")
# The states tagged service_off (engine.workflow.model.SERVICE_OFF), by workflow id and version: a case event
# entering one from a state without the tag is a shut-off, one leaving one for a state without it a reconnection.
ServiceOff = Mapping[tuple[str, int], Collection[str]]
ACCOUNT_NOTICE_SUBJECTS = ("utility_account", "lien", "refund", "adjustment")  # the case subjects that are accounts
PENALTY_FEES = "license.fee"  # the audit action that keeps a license fee (a penalty among them)


def _empty(ids: Iterable[int], streams: Collection[str]) -> dict[int, Streams]:
    """Every subject with an empty list for every stream asked."""
    return {subject: {name: [] for name in streams} for subject in ids}


def _ids(ids: Collection[int]) -> dict[str, list[int]]:
    """The bound parameters of an id list."""
    return {"ids": sorted(ids)}


# --- accounts ------------------------------------------------------------------------------

def _ledger_streams(session: Session, ids: Collection[int], as_of: date, found: dict[int, Streams]) -> None:
    """Charges, fees, adjustments and waivers of the accounts, from one read of their ledgers."""
    by_account = ledger_rows(session, ids, as_of)  # inside a sweep chunk, the rows a fee's keeping read
    orders = payment_orders(session)  # the city's published order decides what each payment paid
    for account_id, rows in by_account.items():
        if not rows:
            continue
        streams = found[account_id]
        unpaid = unpaid_debits([Posting(r.id, r.amount_cents, r.effective_on, r.due_on, r.reverses_id, r.service)
                                for r in rows], as_of, orders)
        by_id = {r.id: r for r in rows}
        reversed_ids = {r.reverses_id for r in rows if r.reverses_id is not None}
        for row in rows:
            if row.kind in ("charge", "fee") and row.kind + "s" in streams:
                streams[row.kind + "s"].append(_debit(row, unpaid.get(row.id, 0), row.id in reversed_ids, as_of))
            elif row.kind == "adjustment" and "adjustments" in streams:
                streams["adjustments"].append({"date": row.effective_on, "amount": from_cents(row.amount_cents),
                                               "reason": _after(row.description, "Adjustment: "), "by": row.actor})
            elif row.kind == "reversal" and "waivers" in streams and row.reverses_id in by_id \
                    and by_id[row.reverses_id].kind == "fee":
                fee = by_id[row.reverses_id]
                streams["waivers"].append(_without_none({
                    "date": row.effective_on, "rule": fee.rule_id, "amount": from_cents(fee.amount_cents),
                    "reason": _after(row.description, ": "), "by": row.actor}))


def _debit(row: Any, unpaid_cents: int, reversed_: bool, as_of: date) -> Event:
    """A charge or a fee as its stream gives it."""
    due = row.due_on or row.effective_on
    late = (as_of - due).days if unpaid_cents > 0 and due < as_of else 0
    event = {"date": row.effective_on, "id": row.id, "service": row.service, "rule": row.rule_id, "due": due,
             "amount": from_cents(row.amount_cents), "unpaid": from_cents(unpaid_cents), "days_past_due": late}
    if row.kind == "charge":
        event["period"], event["reversed"] = row.period, reversed_
    else:
        event["waived"] = reversed_
    return _without_none(event)


def _after(text: str, mark: str) -> str:
    """The text after the first `mark` (the reason written on an entry), or all of it."""
    return text.split(mark, 1)[1] if mark in text else text


def _without_none(event: Event) -> Event:
    """An event without its absent fields."""
    return {k: v for k, v in event.items() if v is not None}


_PAYMENTS = (select(Payment.account_id, Payment.id, Payment.received_on, Payment.tender, Payment.source,
                    Payment.amount_cents, Payment.status, Payment.returned_on, Payment.return_reason)
             .where(Payment.account_id.in_(bindparam("ids", expanding=True)),
                    or_(Payment.received_on <= bindparam("as_of"), Payment.returned_on <= bindparam("as_of")))
             .order_by(Payment.account_id, Payment.id))


def _payment_streams(session: Session, ids: Collection[int], as_of: date, found: dict[int, Streams]) -> None:
    """Payments, and payments returned, of the accounts, from one read."""
    for row in session.execute(_PAYMENTS, {**_ids(ids), "as_of": as_of}):
        streams = found[row.account_id]
        returned = row.status == "returned" and row.returned_on is not None and row.returned_on <= as_of
        if "payments" in streams and row.received_on <= as_of:
            streams["payments"].append({"date": row.received_on, "tender": row.tender, "source": row.source,
                                        "amount": from_cents(row.amount_cents), "returned": returned})
        if "returned_payments" in streams and returned:
            streams["returned_payments"].append({"date": row.returned_on, "tender": row.tender,
                                                 "amount": from_cents(row.amount_cents),
                                                 "reason": row.return_reason})


def _kept_payment_streams(session: Session, ids: Collection[int], as_of: date, found: dict[int, Streams]) -> None:
    """The payments streams of the accounts, read once a sweep chunk (engine.store.kept_reads: a flush of a payment
    forgets them), each account's events copied into `found`."""
    kept = kept_read(session, PAYMENT_STREAMS, dict)  # {(account, day): {stream: events}}
    wanted = [account_id for account_id in ids if (account_id, as_of) not in kept]
    if wanted:
        read = _empty(wanted, PAYMENT_STREAM_NAMES)
        _payment_streams(session, wanted, as_of, read)
        kept.update(((account_id, as_of), streams) for account_id, streams in read.items())
    for account_id in ids:
        streams = found[account_id]
        for name, events in kept[(account_id, as_of)].items():
            if name in streams:
                streams[name].extend(dict(event) for event in events)


def _service_steps(service_off: ServiceOff) -> Select:
    """The steps of the accounts' cases that enter or leave a state tagged service_off of their workflow version."""
    crossing = or_(false(), *(and_(Case.workflow_id == workflow_id, Case.workflow_version == version,
                                   or_(CaseEvent.to_state.in_(sorted(states)),
                                       CaseEvent.from_state.in_(sorted(states))))
                              for (workflow_id, version), states in sorted(service_off.items()) if states))
    return (select(Case.account_id, Case.workflow_id, Case.workflow_version, CaseEvent.from_state,
                   CaseEvent.to_state, CaseEvent.on_date)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(Case.account_id.in_(bindparam("ids", expanding=True)), CaseEvent.on_date <= bindparam("as_of"),
                   crossing)
            .order_by(Case.account_id, CaseEvent.id))


def _service_streams(session: Session, ids: Collection[int], as_of: date, found: dict[int, Streams],
                     service_off: ServiceOff) -> None:
    """Shut-offs and reconnections: the steps of the accounts' cases entering or leaving a state of service off."""
    for row in session.execute(_service_steps(service_off), {**_ids(ids), "as_of": as_of}):
        off = service_off.get((row.workflow_id, row.workflow_version), ())
        was_off, is_off = row.from_state in off, row.to_state in off
        stream = "shutoffs" if is_off and not was_off else "reconnections" if was_off and not is_off else None
        if stream is not None and stream in found[row.account_id]:
            found[row.account_id][stream].append({"date": row.on_date, "workflow": row.workflow_id})


def _notices(session: Session, ids: Collection[int], as_of: date, found: dict[int, Streams],
             subject_types: tuple[str, ...]) -> None:
    """The notices made for the subjects (or their cases)."""
    query = (select(Notice.subject_id, Notice.notice_type, Notice.created_on)
             .where(Notice.subject_type.in_(subject_types), Notice.subject_id.in_(bindparam("ids", expanding=True)),
                    Notice.created_on <= bindparam("as_of"))
             .order_by(Notice.subject_id, Notice.id))
    for row in session.execute(query, {**_ids(ids), "as_of": as_of}):
        found[row.subject_id]["notices"].append({"date": row.created_on, "type": row.notice_type})


_CASES = (select(Case.account_id, Case.id, Case.workflow_id, Case.closed_at, CaseEvent.on_date, CaseEvent.to_state)
          .join(CaseEvent, CaseEvent.case_id == Case.id)
          .where(Case.account_id.in_(bindparam("ids", expanding=True)))
          .order_by(Case.account_id, Case.id, CaseEvent.id))


def _cases(session: Session, ids: Collection[int], as_of: date, found: dict[int, Streams]) -> None:
    """The accounts' cases opened on or before the day, each with its state at the end of the day."""
    events: dict[int, list] = defaultdict(list)
    for row in session.execute(_CASES, _ids(ids)):
        events[row.id].append(row)
    for rows in events.values():
        first, upto = rows[0], [row for row in rows if row.on_date <= as_of]
        if first.on_date > as_of or not upto:
            continue
        closed = first.closed_at is not None and rows[-1].on_date <= as_of  # its last step, the closing one, done
        case = {"date": first.on_date, "workflow": first.workflow_id, "state": upto[-1].to_state,
                "opened": first.on_date, "open": not closed}
        if closed:
            case["closed"] = rows[-1].on_date
        found[first.account_id]["cases"].append(case)


ACCOUNT_READERS: dict[str, Callable[[Session, Collection[int], date, dict[int, Streams]], None]] = {
    **dict.fromkeys(LEDGER_STREAMS, _ledger_streams),
    **dict.fromkeys(PAYMENT_STREAM_NAMES, _kept_payment_streams),
    "notices": lambda session, ids, as_of, found: _notices(session, ids, as_of, found, ACCOUNT_NOTICE_SUBJECTS),
    "cases": _cases,
}
SERVICE_STREAMS = ("shutoffs", "reconnections")  # read from the workflows' service_off states


def account_streams(session: Session, account_ids: Collection[int], as_of: date, streams: Collection[str],
                    service_off: ServiceOff | None = None) -> dict[int, Streams]:
    """The asked streams of each account as of the day, by account id: one query per stream (the ledger's shared).

    `service_off` gives, by workflow id and version, the states tagged service_off: the shutoffs and reconnections
    streams are read from them. Asking for either stream without it is a ValueError (no state would count).
    """
    found = _empty(account_ids, streams)
    if not found:
        return found
    for reader in dict.fromkeys(ACCOUNT_READERS[name] for name in streams if name not in SERVICE_STREAMS):
        reader(session, account_ids, as_of, found)
    if any(name in SERVICE_STREAMS for name in streams):
        if service_off is None:
            raise ValueError("the shutoffs and reconnections streams are read from the workflows' states tagged "
                             "service_off; none were given")
        _service_streams(session, account_ids, as_of, found, service_off)
    return _in_date_order(found)


def _in_date_order(found: dict[int, Streams]) -> dict[int, Streams]:
    """Each stream in date order, one day's events as recorded (a returned payment is dated when it came back)."""
    for streams in found.values():
        for events in streams.values():
            events.sort(key=lambda e: e["date"])
    return found


# --- licenses ------------------------------------------------------------------------------

def _renewals(renewed: Mapping[str, Collection[str]]) -> Select:
    """The steps of the licenses' cases that reach a state tagged license_renewed ({workflow id: such states})."""
    reached = or_(false(), *(and_(Case.workflow_id == workflow_id, CaseEvent.to_state.in_(sorted(states)))
                             for workflow_id, states in sorted(renewed.items()) if states))
    return (select(Case.license_id, Case.workflow_id, CaseEvent.step, CaseEvent.on_date)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(Case.license_id.in_(bindparam("ids", expanding=True)), CaseEvent.on_date <= bindparam("as_of"),
                   reached)
            .order_by(Case.license_id, CaseEvent.on_date, CaseEvent.id))


def _penalties(session: Session, ids: Collection[int], as_of: date, found: dict[int, Streams],
               penalty_rules: Collection[str]) -> None:
    """The late penalties assessed on the licenses: their fees of a deadline's late-penalty schedule."""
    query = (select(AuditEntry.subject_id, AuditEntry.detail).where(
        AuditEntry.action == PENALTY_FEES, AuditEntry.subject_type == "license",
        AuditEntry.subject_id.in_(bindparam("ids", expanding=True))).order_by(AuditEntry.id))
    for row in session.execute(query, {"ids": [str(i) for i in sorted(ids)]}):
        detail = row.detail or {}
        on = date.fromisoformat(str(detail.get("on", "")))
        if detail.get("schedule") in penalty_rules and on <= as_of:
            found[int(row.subject_id)]["penalties"].append({"date": on, "rule": detail["schedule"],
                                                            "amount": Decimal(str(detail["amount"]))})


def license_streams(session: Session, license_ids: Collection[int], as_of: date, streams: Collection[str],
                    penalty_rules: Collection[str] = (),
                    renewed: Mapping[str, Collection[str]] | None = None) -> dict[int, Streams]:
    """The asked streams of each license as of the day, by license id: one query per stream.

    `renewed` gives, by workflow id, the states tagged license_renewed: a step reaching one is a renewal.
    """
    found = _empty(license_ids, streams)
    if not found:
        return found
    if "renewals" in streams:
        for row in session.execute(_renewals(renewed or {}), {**_ids(license_ids), "as_of": as_of}):
            found[row.license_id]["renewals"].append({"date": row.on_date, "step": row.step,
                                                      "workflow": row.workflow_id})
    if "penalties" in streams:
        _penalties(session, license_ids, as_of, found, penalty_rules)
    if "notices" in streams:
        _notices(session, license_ids, as_of, found, ("license",))
    return _in_date_order(found)
