"""Adjustments: a credit or debit to an account with a reason code and a note, or the waiver of a fee.

What a request asks for is checked here (`plan`): the reason is one of the city's
(engine.adjustment_reasons), the note is written, the amount is whole cents within the city's
adjustment ceiling, a waiver names an unreversed fee of the schedule its reason waives and the
account is eligible by the reason's criteria document (e.g. one late-fee waiver in 12 months:
a measure counts the account's waivers). The approval rule (the criteria tagged
adjustment_approval, engine.rules.tagged) gives the role that may post the amount; engine.workflow.adjustments posts at once when the person asking
holds it, else opens an approval case whose step calls `decide`.

Posting goes through the posting gate: an adjustment entry booked to its reason's GL account,
or the reversal of the waived fee (booked where the fee was). Every request, posting and
decision writes an audit row; nothing here commits or reads the clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.accounts.facts import facts_for_account
from engine.accounts.history import ServiceOff
from engine.adjustment_reasons import Reason, reasons_of
from engine.city import get_city
from engine.money import format_money, from_cents, ledger, to_cents
from engine.money.bounds import LARGEST, BoundError, typed_amount
from engine.money.gate import LedgerError
from engine.money.ledger.posting import lock_account
from engine.money.limits import city_limits
from engine.rules.document import RuleDocument
from engine.rules.errors import EvaluationError
from engine.rules.library import RuleLibrary
from engine.rules.tagged import ADJUSTMENT_APPROVAL, the_document_tagged
from engine.store.adjustments import Adjustment, Rebill
from engine.store.models import LedgerEntry, UtilityAccount

APPROVER = "approver_role"  # the outcome the approval rule (tagged adjustment_approval) gives
DIRECTIONS = {"credit": -1, "debit": 1}
LONGEST_NOTE = 1000


class AdjustmentError(ValueError):
    """An adjustment that cannot be asked for, posted or decided; the message says what and why."""


class NotEligible(AdjustmentError):
    """A waiver the reason's eligibility rule refuses; the message gives the rule's reason in words."""


def reasons(session: Session) -> list[Reason]:
    """The city's adjustment reasons, in its order."""
    return reasons_of(get_city(session).adjustment_reasons)


def reason_for(session: Session, code: str) -> Reason:
    """The reason with this code, or an AdjustmentError naming the codes there are."""
    found = next((reason for reason in reasons(session) if reason.code == code), None)
    if found is None:
        raise AdjustmentError(f"reason: {code!r} is not one of the city's adjustment reasons "
                              f"({', '.join(r.code for r in reasons(session))})")
    return found


def waivable_fees(session: Session, account_id: int, schedule: str) -> list[LedgerEntry]:
    """The account's fees of a schedule that are not reversed yet (what a waiver of it may reverse), newest first."""
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.account_id == account_id,
                                                         LedgerEntry.reverses_id.is_not(None))
    return list(session.scalars(select(LedgerEntry).where(
        LedgerEntry.account_id == account_id, LedgerEntry.kind == "fee", LedgerEntry.rule_id == schedule,
        LedgerEntry.id.not_in(reversed_ids)).order_by(LedgerEntry.id.desc())))


def eligibility_refusal(session: Session, library: RuleLibrary, account_id: int, reason: Reason,
                        on: date, service_off: ServiceOff | None = None) -> str | None:
    """Why the account may not have this reason's adjustment on the day (its eligibility rule's words), or None."""
    if not reason.eligibility:
        return None
    facts = facts_for_account(session, account_id, on, library, service_off)
    try:
        result = library.evaluate(reason.eligibility, facts, on).to_json()
    except EvaluationError as error:
        return f"{reason.label} cannot be decided: {error}"
    if (result.get("outcome") or {}).get("eligible") is True:
        return None
    why = (result.get("matched") or ["the rule gives no eligible outcome"])[0]
    return f"{reason.label} is not allowed: {why} ({reason.eligibility})"


@dataclass(frozen=True)
class Plan:
    """An adjustment as asked, checked: what it posts, what the balance becomes, who may post it."""

    account: UtilityAccount
    reason: Reason
    cents: int                    # signed: negative is a credit
    note: str
    fee: LedgerEntry | None       # the fee a waiver reverses
    balance_cents: int            # the balance before
    approver_role: str            # the role the approval rule gives for it
    rule_version: str
    rule_id: str                  # the approval rule's document (tagged adjustment_approval)
    rule_title: str               # its title, as the pages say it

    @property
    def after_cents(self) -> int:
        """The balance once it is posted."""
        return self.balance_cents + self.cents

    @property
    def direction(self) -> str:
        """credit or debit."""
        return "credit" if self.cents < 0 else "debit"


def _amount(raw: object) -> Decimal:
    """A positive amount in whole cents as a person types it (the one reader, parse_money), or an AdjustmentError
    naming the field: "1e999999999" or 5,000 digits are refused by their digits, never computed with."""
    try:
        amount = typed_amount("" if raw is None else raw, field="amount", ceiling=LARGEST)
    except BoundError as error:
        raise AdjustmentError(str(error)) from None
    if amount <= 0:
        raise AdjustmentError(f"amount: more than $0.00, not {raw!r}")
    return amount


def plan(session: Session, library: RuleLibrary, account_id: int, *, code: str, note: str, on: date,
         amount: object = None, direction: str = "credit", fee_entry_id: int | None = None,
         service_off: ServiceOff | None = None) -> Plan:
    """The adjustment as asked, checked (nothing is written), or an AdjustmentError saying what is wrong."""
    account = session.get(UtilityAccount, account_id)
    if account is None:
        raise AdjustmentError(f"no utility account with id {account_id}")
    reason = reason_for(session, code)
    note = (note or "").strip()
    if not note:
        raise AdjustmentError("note: say why the account is adjusted")
    if len(note) > LONGEST_NOTE:
        raise AdjustmentError(f"note: at most {LONGEST_NOTE} characters, not {len(note)}")
    fee = None
    if reason.is_waiver:
        fee = _fee_to_waive(session, account_id, reason, fee_entry_id)
        cents = -fee.amount_cents
        refusal = eligibility_refusal(session, library, account_id, reason, on, service_off)
        if refusal:
            raise NotEligible(refusal)
    else:
        if direction not in DIRECTIONS:
            raise AdjustmentError(f"direction: credit or debit, not {direction!r}")
        cents = DIRECTIONS[direction] * to_cents(_amount(amount))
        ceiling = city_limits(session).ceiling("adjustment")
        if abs(cents) > ceiling.cents:
            raise AdjustmentError(f"amount: {ceiling.refusal()}; this adjustment is {format_money(abs(cents))}")
    needed, version, rule = approver(library, cents, reason.code, on)
    return Plan(account, reason, cents, note, fee, ledger.balance_cents(session, account_id), needed, version,
                rule.id, rule.title)


def _fee_to_waive(session: Session, account_id: int, reason: Reason, fee_entry_id: int | None) -> LedgerEntry:
    """The fee a waiver names: one of the account's fees of the reason's schedule, not reversed yet."""
    if fee_entry_id is None:
        raise AdjustmentError(f"fee: a {reason.label.lower()} names the fee it reverses")
    fee = next((f for f in waivable_fees(session, account_id, reason.waives) if f.id == fee_entry_id), None)
    if fee is None:
        raise AdjustmentError(f"fee: ledger entry {fee_entry_id} is not a {reason.waives} fee of this account "
                              "that is still to be waived")
    return fee


def approver(library: RuleLibrary, cents: int, code: str, on: date) -> tuple[str, str, RuleDocument]:
    """The role that may post an adjustment of this size and reason (the approval rule's outcome), the rule's version
    and the rule."""
    try:
        rule = the_document_tagged(library, ADJUSTMENT_APPROVAL)
        result = library.evaluate(rule.id, {"amount": from_cents(abs(cents)), "reason_code": code}, on).to_json()
    except EvaluationError as error:
        raise AdjustmentError(f"who may approve it cannot be decided: {error}") from None
    needed = (result.get("outcome") or {}).get(APPROVER)
    if not needed:
        raise AdjustmentError(f"{rule.title} ({rule.id}) gives no {APPROVER} for {format_money(abs(cents))} "
                              f"({code})")
    return str(needed), str(result.get("version")), rule


def record(session: Session, planned: Plan, *, actor: str, on: date, now: datetime, within: bool,
           request_key: str | None = None) -> Adjustment:
    """The adjustment row of a checked plan, waiting, with its audit row."""
    reason = planned.reason
    row = Adjustment(account_id=planned.account.id, code=reason.code, label=reason.label, request_key=request_key,
                     amount_cents=planned.cents, note=planned.note, fee_entry_id=planned.fee.id if planned.fee else None,
                     fund=reason.fund, gl_account=reason.account, status="waiting",
                     approver_role=planned.approver_role, rule_version=planned.rule_version, requested_by=actor,
                     requested_on=on, requested_at=now, comment="")
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="adjustment.request", subject_type="utility_account",
                 subject_id=planned.account.id, at=now,
                 detail={"adjustment_id": row.id, "code": reason.code, "amount": str(from_cents(planned.cents)),
                         "fee_entry_id": row.fee_entry_id, "approver_role": planned.approver_role,
                         "rule_id": planned.rule_id, "rule_version": planned.rule_version, "within_limit": within,
                         "note": planned.note})
    return row


def post(session: Session, row: Adjustment, *, actor: str, on: date, now: datetime) -> LedgerEntry:
    """Post a waiting adjustment through the posting gate: its entry, or the reversal of the fee it waives."""
    lock_account(session, row.account_id)
    words = f"{row.label}: {row.note}"
    try:
        if row.fee_entry_id is not None:
            entry = ledger.reverse(session, row.fee_entry_id, on=on, now=now, actor=actor, reason=words)
        else:
            entry = ledger.post_adjustment(session, row.account_id, from_cents(row.amount_cents), on=on, now=now,
                                           actor=actor, reason=words, reference=f"adjustment {row.id}",
                                           offset=(row.fund, row.gl_account))
    except LedgerError as refused:
        raise AdjustmentError(str(refused)) from None
    row.status, row.entry_id = "posted", entry.id
    session.flush()
    audit.record(session, actor=actor, action="adjustment.post", subject_type="utility_account",
                 subject_id=row.account_id, at=now,
                 detail={"adjustment_id": row.id, "entry_id": entry.id, "amount": str(from_cents(entry.amount_cents)),
                         "requested_by": row.requested_by, "case_id": row.case_id})
    return entry


def decide(session: Session, adjustment_id: int, *, approve: bool, actor: str, on: date, now: datetime,
           comment: str, case_id: int | None = None) -> Adjustment:
    """Approve (and post) or deny a waiting adjustment; never by the person who asked for it."""
    row = session.scalar(select(Adjustment).where(Adjustment.id == adjustment_id).with_for_update())
    if row is None:
        raise AdjustmentError(f"no adjustment {adjustment_id}")
    if case_id is not None and row.case_id != case_id:
        raise AdjustmentError(f"adjustment {adjustment_id} is not the one case {case_id} waits on")
    if row.status != "waiting":
        raise AdjustmentError(f"adjustment {adjustment_id} is {row.status}, not waiting for a decision")
    if actor.lower() == row.requested_by.lower():
        raise AdjustmentError("you asked for this adjustment; another person must approve or deny it")
    row.decided_by, row.decided_at, row.comment = actor, now, comment.strip()
    if approve:
        post(session, row, actor=actor, on=on, now=now)
    else:
        row.status = "refused"
        session.flush()
    audit.record(session, actor=actor, action="adjustment.approve" if approve else "adjustment.deny",
                 subject_type="utility_account", subject_id=row.account_id, at=now,
                 detail={"adjustment_id": row.id, "requested_by": row.requested_by, "comment": row.comment,
                         "case_id": row.case_id, "entry_id": row.entry_id})
    return row


def of_account(session: Session, account_id: int, limit: int = 50) -> list[Adjustment]:
    """The account's adjustments, newest first."""
    return list(session.scalars(select(Adjustment).where(Adjustment.account_id == account_id)
                                .order_by(Adjustment.id.desc()).limit(limit)))


@dataclass(frozen=True)
class BillNote:
    """An adjustment, waiver or rebill as the next bill shows it: its day, its words and what it moved."""

    on: date
    words: str
    cents: int


def on_next_bills(session: Session, account_id: int, bills: list) -> dict[int | None, list[BillNote]]:
    """The account's posted adjustments, waivers and rebills, by the bill in force that first follows them
    (billed after the day they were posted); None holds those the next bill, not made yet, will show."""
    notes: list[BillNote] = []
    for row, entry in session.execute(select(Adjustment, LedgerEntry)
                                      .join(LedgerEntry, LedgerEntry.id == Adjustment.entry_id)
                                      .where(Adjustment.account_id == account_id).order_by(Adjustment.id)):
        notes.append(BillNote(entry.effective_on, f"{row.label}: {row.note}", entry.amount_cents))
    for rebill in session.scalars(select(Rebill).where(Rebill.account_id == account_id).order_by(Rebill.id)):
        notes.append(BillNote(rebill.rebilled_on, f"Bill {rebill.cancelled_bill_id} cancelled and rebilled as bill "
                              f"{rebill.new_bill_id} ({rebill.consumption_ccf} CCF, not {rebill.old_consumption_ccf}): "
                              f"{rebill.reason}", rebill.billed_cents + rebill.reversed_cents))
    in_force = sorted((b for b in bills if b.cancelled_on is None), key=lambda b: (b.billed_on, b.id))
    found: dict[int | None, list[BillNote]] = {}
    for note in sorted(notes, key=lambda n: n.on):
        following = next((b.id for b in in_force if b.billed_on > note.on), None)
        found.setdefault(following, []).append(note)
    return found
