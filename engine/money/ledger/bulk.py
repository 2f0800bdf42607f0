"""Posting many entries in one statement: the billing run's charges, a payment file's credits; same entries and audits.

Each entry is what `engine.money.ledger.posting.post` would write (same fund and account). A
payment's credit has the audit row `post` writes; a bill's charges have one audit row for the
bill (`ledger.bill_charges`) naming each entry with what `post`'s row would say of it. The
rows are chained exactly as `engine.audit.record` chains them, in the order of the entries,
under the same lock. The accounts' kept balances (engine.money.ledger.kept) are kept in bulk:
after charges moved on by them where that is exact (engine.money.ledger.charged), after
credits worked out again; one ledger read and one upsert per batch of accounts.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.audit import encode_text
from engine.money.business_days import books
from engine.money.gate import Admitted, AdmittedMany, Posting, admit_all, admit_many
from engine.money.ledger.charged import Charged, keep_after_charges
from engine.money.ledger.kept import keep_balances
from engine.money import money_text
from engine.store.models import AuditEntry, LedgerEntry
from engine.store.kept_reads import forget_reads
from engine.store.rows import ids_in_order, insert_columns, insert_rows


def _dated(booked: Admitted) -> dict:
    """The audit detail of an entry's own date, when it was booked on a later day (as posting.post writes it)."""
    return {} if booked.dated_on is None else {"dated_on": booked.dated_on.isoformat()}


class NewCharge(NamedTuple):
    """One charge to post: a bill's amount of one service (its total when the lines name none), due on its due date."""

    account_id: int
    amount_cents: int
    on: date
    due_on: date
    description: str
    reference: str
    rule_id: str
    rule_version: str
    bill_id: int
    service: str | None = None


def post_charges(session: Session, charges: list[NewCharge], *, now: datetime, actor: str) -> list[int]:
    """Insert the charges (at most one per bill and service; a bill's share its reference, rule and day) and one
    chained audit row per bill naming them; the entry ids in order."""
    if not charges:
        return []
    count = len(charges)
    account_ids = [c.account_id for c in charges]
    admitted = admit_many("charge", account_ids, [c.amount_cents for c in charges], [c.on for c in charges],
                          books(session))
    forget_reads(session)  # a chunk's kept standings (engine.store.kept_reads) do not know these rows
    last = session.scalar(select(func.coalesce(func.max(LedgerEntry.id), 0)))
    insert_columns(session, LedgerEntry.__table__, {
        "account_id": account_ids, "kind": ["charge"] * count, "amount_cents": admitted.cents,
        "effective_on": admitted.on, "dated_on": admitted.dated_on, "due_on": [c.due_on for c in charges],
        "posted_at": [now] * count, "actor": [actor] * count, "description": [c.description[:200] for c in charges],
        "reference": [c.reference[:120] for c in charges], "rule_id": [c.rule_id for c in charges],
        "rule_version": [c.rule_version for c in charges], "bill_id": [c.bill_id for c in charges],
        "payment_id": [None] * count, "reverses_id": [None] * count, "fund": [admitted.fund] * count,
        "gl_account": [admitted.gl_account] * count, "service": [c.service for c in charges]})
    ids = ids_in_order(session, LedgerEntry.__table__, last, count)
    if ids is None:
        # Read the new ids back by bill and service rather than RETURNING, which SQLite runs row by row: the charges
        # after the last id read above (ids only grow; no index has bill_id, so not by it: a whole ledger's scan).
        wanted = {c.bill_id for c in charges}
        by_bill = {(bill_id, service): entry_id for bill_id, service, entry_id in session.connection().execute(
            select(LedgerEntry.bill_id, LedgerEntry.service, LedgerEntry.id).where(
                LedgerEntry.id > last, LedgerEntry.kind == "charge")) if bill_id in wanted}
        ids = [by_bill[c.bill_id, c.service] for c in charges]
    _audit_rows(session, charges, admitted, ids, now=now, actor=actor)
    keep_after_charges(session, [Charged(c.account_id, cents, on, c.due_on, c.service) for c, cents, on
                                 in zip(charges, admitted.cents, admitted.on)], on=max(admitted.on))
    return ids


BILL_CHARGES = "ledger.bill_charges"  # the audit action of a bill's charges posted together


def _audit_rows(session: Session, charges: list[NewCharge], admitted: AdmittedMany, ids: list[int], *,
                now: datetime, actor: str) -> None:
    """One `ledger.bill_charges` audit row per bill, naming each of its entries, chained after the log's last row.

    The row holds what `posting.post` audits of each entry (its id, amount and service; the
    bill's reference, rule version and booking day, which its charges share) and the bill's
    total: a bill's charges are posted together or not at all, so one row tells them. Its
    detail is written straight as JSON text, as stored and as hashed (`_bill_detail`).
    """
    amounts: dict[int, str] = {}  # the JSON of money_text of each amount: bills priced alike charge alike
    bills: dict[int, tuple[NewCharge, date, date | None, list[tuple[str, int, str | None]], list[int]]] = {}
    subjects = []
    for charge, cents, on, dated_on, entry_id in zip(charges, admitted.cents, admitted.on, admitted.dated_on, ids):
        amount = amounts.get(cents) or amounts.setdefault(cents, encode_text(money_text(cents)))
        service = None if charge.service is None else _scalar(charge.service)
        found = bills.get(charge.bill_id)
        if found is None:
            found = bills[charge.bill_id] = (charge, on, dated_on, [], [])
            subjects.append(str(charge.account_id))
        found[3].append((amount, entry_id, service))
        found[4].append(cents)
    days: dict[date, str] = {}
    details, canonical = [], []
    for charge, on, dated_on, items, cents in bills.values():
        total = sum(cents)
        stored, hashed = _bill_detail(charge, days.get(on) or days.setdefault(on, encode_text(on.isoformat())),
                                      None if dated_on is None else encode_text(dated_on.isoformat()), items,
                                      amounts.get(total) or amounts.setdefault(total, encode_text(money_text(total))))
        details.append(stored)
        canonical.append(hashed)
    insert_columns(session, AuditEntry.__table__, audit.chained_json_columns(
        session, actor=actor, action=BILL_CHARGES, subject_type="utility_account", subject_ids=subjects,
        details=details, canonical=canonical, at=now), json_text=("detail",))


def _scalar(value: object) -> str:
    """A str (or None, or a number) as JSON text: the same in stored and canonical JSON."""
    if value.__class__ is str:
        return encode_text(value)
    return int.__repr__(value) if value.__class__ is int else json.dumps(value)


def _bill_detail(charge: NewCharge, on: str, dated_on: str | None, items: list[tuple[str, int, str | None]],
                 amount: str) -> tuple[str, str]:
    """A bill's audit detail as JSON text (values given as JSON already), twice: as `json.dumps` writes it and
    as the audit chain hashes it (engine.audit: sorted keys, no spaces).

    The detail is {"bill_id", "reference", "rule_id", "rule_version", "on", "charges": [{"entry_id",
    "amount", "service" (when it has one)}], "dated_on" (when booked later), "amount"}, in that order.
    """
    bill_id, reference = _scalar(charge.bill_id), _scalar(charge.reference)
    rule_id, rule_version = _scalar(charge.rule_id), _scalar(charge.rule_version)
    stored_items = ", ".join(f'{{"entry_id": {entry_id}, "amount": {cents}}}' if service is None else
                             f'{{"entry_id": {entry_id}, "amount": {cents}, "service": {service}}}'
                             for cents, entry_id, service in items)
    hashed_items = ",".join(f'{{"amount":{cents},"entry_id":{entry_id}}}' if service is None else
                            f'{{"amount":{cents},"entry_id":{entry_id},"service":{service}}}'
                            for cents, entry_id, service in items)
    stored_dated = "" if dated_on is None else f', "dated_on": {dated_on}'
    hashed_dated = "" if dated_on is None else f',"dated_on":{dated_on}'
    return (f'{{"bill_id": {bill_id}, "reference": {reference}, "rule_id": {rule_id}, "rule_version": {rule_version}, '
            f'"on": {on}, "charges": [{stored_items}]{stored_dated}, "amount": {amount}}}',
            f'{{"amount":{amount},"bill_id":{bill_id},"charges":[{hashed_items}]{hashed_dated},"on":{on},'
            f'"reference":{reference},"rule_id":{rule_id},"rule_version":{rule_version}}}')


@dataclass(frozen=True)
class NewPaymentCredit:
    """The ledger credit of one payment row already inserted: what `posting.post_payment` would post."""

    payment_id: int
    account_id: int
    amount_cents: int  # the payment, more than zero
    on: date
    tender: str
    source: str
    reference: str  # the check number, else the payment's idempotency key
    actor: str


def post_payment_credits(session: Session, credits: list[NewPaymentCredit], *, now: datetime) -> list[int]:
    """Insert each payment's credit and one chained audit row each; return the entry ids in order."""
    if not credits:
        return []
    admitted = admit_all([Posting(c.account_id, "payment", -c.amount_cents, c.on) for c in credits], books(session))
    last = session.scalar(select(func.coalesce(func.max(LedgerEntry.id), 0)))
    rows = [dict(account_id=c.account_id, kind="payment", amount_cents=a.cents, effective_on=a.on,
                 dated_on=a.dated_on, due_on=None, posted_at=now, actor=c.actor,
                 description=f"Payment ({c.tender}, {c.source})",
                 reference=c.reference[:120], rule_id=None, rule_version=None, bill_id=None,
                 payment_id=c.payment_id, reverses_id=None, fund=a.fund, gl_account=a.gl_account)
            for c, a in zip(credits, admitted)]
    forget_reads(session)  # a chunk's kept standings (engine.store.kept_reads) do not know these rows
    insert_rows(session, LedgerEntry.__table__, rows)
    # The new entries are the payment entries after the last id read above (ids only grow).
    wanted = {c.payment_id for c in credits}
    by_payment = {payment_id: entry_id for entry_id, payment_id in session.execute(
        select(LedgerEntry.id, LedgerEntry.payment_id).where(LedgerEntry.id > last, LedgerEntry.kind == "payment"))
        if payment_id in wanted}
    ids = [by_payment[c.payment_id] for c in credits]
    changes = [audit.Change(c.actor, "ledger.payment", "utility_account", str(c.account_id),
                            {"entry_id": entry_id, "amount": money_text(-c.amount_cents),
                             "on": booked.on.isoformat(), **_dated(booked), "reference": c.reference,
                             "rule_id": None, "rule_version": None, "reverses_id": None, "payment_id": c.payment_id,
                             "bill_id": None})
               for c, booked, entry_id in zip(credits, admitted, ids)]
    insert_rows(session, AuditEntry.__table__, audit.chained_rows(session, changes, at=now))
    keep_balances(session, [c.account_id for c in credits], on=max(a.on for a in admitted))
    return ids
