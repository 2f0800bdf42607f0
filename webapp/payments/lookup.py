"""Reading the counter's day (my drawer, the day's drawers and their payments) and the register of payment files."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models import CashDrawer, GlEntry, LedgerEntry, Payment, PaymentImport, Receipt, User, UtilityAccount


def my_drawer(session: Session, user_id: int, business_date: date) -> CashDrawer | None:
    """The clerk's drawer for the day, whatever its status (the newest, if several)."""
    return session.scalar(select(CashDrawer).where(CashDrawer.clerk_id == user_id,
                                                   CashDrawer.business_date == business_date)
                          .order_by(CashDrawer.id.desc()).limit(1))


def staff_name(session: Session, username: str | None) -> str:
    """A staff member's full name, as receipts print it and their page shows it (the username if none is kept)."""
    if not username:
        return ""
    return session.scalar(select(User.full_name).where(User.username == username)) or username


def drawers_of_day(session: Session, business_date: date) -> list[tuple[CashDrawer, str]]:
    """Every drawer of the day with its clerk's name."""
    return [(drawer, name) for drawer, name in session.execute(
        select(CashDrawer, User.full_name).join(User, User.id == CashDrawer.clerk_id)
        .where(CashDrawer.business_date == business_date).order_by(CashDrawer.id))]


def payments_in(session: Session, drawer_id: int, limit: int = 200) -> list[tuple[Payment, str]]:
    """The payments taken into a drawer, newest first, with their account numbers."""
    return [(payment, number) for payment, number in session.execute(
        select(Payment, UtilityAccount.number).join(UtilityAccount, UtilityAccount.id == Payment.account_id)
        .where(Payment.drawer_id == drawer_id).order_by(Payment.id.desc()).limit(limit))]


def receipts_in(session: Session, drawer_id: int, limit: int = 200) -> list[Receipt]:
    """The receipts taken into a drawer, newest first."""
    return list(session.scalars(select(Receipt).where(Receipt.drawer_id == drawer_id).order_by(Receipt.id.desc())
                                .limit(limit)))


def account_lines(session: Session, receipt: Receipt) -> list[tuple[dict, int]]:
    """The receipt's account lines with their account ids."""
    numbers = [line["reference"] for line in receipt.lines if line["kind"] == "account"]
    ids = dict(session.execute(select(UtilityAccount.number, UtilityAccount.id)
                               .where(UtilityAccount.number.in_(numbers))).all())
    return [(line, ids[line["reference"]]) for line in receipt.lines if line["kind"] == "account"]


def entries_of_receipt(session: Session, receipt: Receipt) -> list[dict]:
    """Every entry the receipt posted (and its void reversed): account ledger entries and GL lines, in order."""
    rows = [{"where": f"account {number}", "kind": entry.kind, "cents": entry.amount_cents, "on": entry.effective_on,
             "reference": entry.reference, "account_number": number, "description": entry.description}
            for entry, number in session.execute(
                select(LedgerEntry, UtilityAccount.number).join(UtilityAccount)
                .join(Payment, Payment.id == LedgerEntry.payment_id)
                .where(Payment.receipt_id == receipt.id).order_by(LedgerEntry.id))]
    rows += [{"where": f"GL {entry.fund}-{entry.gl_account}", "kind": entry.kind, "cents": entry.amount_cents,
              "on": entry.effective_on, "reference": entry.reference, "account_number": None,
              "description": entry.description}
             for entry in session.scalars(select(GlEntry).where(GlEntry.receipt_id == receipt.id).order_by(GlEntry.id))]
    return rows


def payment_files(session: Session, status: str, limit: int = 20) -> list[PaymentImport]:
    """The register's payment files of a status (awaiting_confirmation, posted), newest first."""
    return list(session.scalars(select(PaymentImport).where(PaymentImport.status == status)
                                .order_by(PaymentImport.id.desc()).limit(limit)))


def payments_of_file(session: Session, import_id: int, limit: int = 200) -> list[tuple[Payment, str]]:
    """The payments a file posted, in the file's order, with their account numbers."""
    return [(payment, number) for payment, number in session.execute(
        select(Payment, UtilityAccount.number).join(UtilityAccount, UtilityAccount.id == Payment.account_id)
        .where(Payment.import_id == import_id).order_by(Payment.id).limit(limit))]
