"""The domain's tables: typed SQLAlchemy 2 models.

Money columns are integer cents (`Cents`); moments are aware UTC (`UTCDateTime`) and shown
in the city's time zone; calendar dates (`date`) are the city's own dates. Accounts,
licenses and cases carry a `version` column that SQLAlchemy checks on every UPDATE
(optimistic locking).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from engine.money.amounts import LARGEST_AMOUNT_CENTS
from engine.office_figures import ALWAYS_LIVE, DEFAULT_EVERY_SECONDS, LONGEST_EVERY_SECONDS, SHORTEST_EVERY_SECONDS
from engine.store.types import Cents, UTCDateTime


class Base(DeclarativeBase):
    """Base of every Ordinance table."""

    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


ROLES = ("clerk", "supervisor", "admin")

# A new city's ceilings in cents (engine.money.bounds.MoneyLimits has the same defaults) and paid-on window.
DEFAULT_CEILINGS = {"counter_payment": 10_000_000, "import_payment": 10_000_000, "api_payment": 10_000_000,
                    "refund": 10_000_000, "adjustment": 10_000_000, "rule_amount": 100_000_000}
DEFAULT_PAID_ON_DAYS_BACK = 90
LONGEST_PAID_ON_WINDOW = 3650
FIGURES_SECONDS_CHECK = (f"dashboard_figures_seconds = {ALWAYS_LIVE} OR dashboard_figures_seconds BETWEEN "
                         f"{SHORTEST_EVERY_SECONDS} AND {LONGEST_EVERY_SECONDS}")


def within_largest(table: str, column: str) -> CheckConstraint:
    """The database's own bound on a money column: no amount beyond the largest any ceiling may be."""
    return CheckConstraint(f"{column} BETWEEN -{LARGEST_AMOUNT_CENTS} AND {LARGEST_AMOUNT_CENTS}",
                           name=f"ck_{table}_{column}_within_largest")


def ceiling_column(kind: str) -> Mapped[int]:
    """A city ceiling in cents, with the default a new city starts with."""
    cents = DEFAULT_CEILINGS[kind]
    return mapped_column(Cents, default=cents, server_default=str(cents))


# --- people and the city -----------------------------------------------------------------


class User(Base):
    """A member of staff who signs in: clerk, supervisor or admin."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class ApprovalRole(Base):
    """A role an administrator defines for approvals (city_attorney, department_head, ...): workflows name it.

    Page access stays clerk / supervisor / admin (`User.role`); an approval role only lets its
    holders take the workflow steps that name it.
    """

    __tablename__ = "approval_roles"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class RoleGrant(Base):
    """A user holds an approval role: granted (with a second person's approval), kept until revoked."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("role_id", "user_id", name="uq_role_grants_role_user"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[str] = mapped_column(ForeignKey("approval_roles.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime]


class StaffSession(Base):
    """One signed-in browser: the cookie carries its random id, the database only that id's SHA-256."""

    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256 of the cookie's id
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_why: Mapped[str | None] = mapped_column(String(32))  # signed out, new password, user disabled
    address: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    user: Mapped[User] = relationship()


class SignInThrottle(Base):
    """Failed sign-ins counted for one address, alone or with one typed username, and how long it waits.

    scope "username" rows count (username, address) failures for a doubling wait; scope
    "address" rows (username "") count an address's failures across every username in a
    window. The username is kept as its SHA-256, so a password typed into the wrong box
    is never stored.
    """

    __tablename__ = "sign_in_throttles"
    __table_args__ = (UniqueConstraint("scope", "address", "username_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(8))  # username | address
    address: Mapped[str] = mapped_column(String(64))
    username_hash: Mapped[str] = mapped_column(String(64), index=True)  # "" for an address row
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime]
    last_failure_at: Mapped[datetime] = mapped_column(index=True)  # stale rows are forgotten by it
    wait_until: Mapped[datetime | None]


TENDERS = ("cash", "check", "card", "money_order", "ach")  # every tender a payment may have
SAMPLE_CASH_ONLY_REFUSED = ("check", "ach")  # the sample city's: what a cash-only account may not pay with


class CitySettings(Base):
    """The one row of city-wide settings an administrator keeps."""

    __tablename__ = "city_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    languages: Mapped[list[Any]] = mapped_column(JSON, default=lambda: ["en", "es"])
    logo_path: Mapped[str | None] = mapped_column(String(255))
    payment_address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    website: Mapped[str] = mapped_column(String(120), default="")
    rules_need_second_approver: Mapped[bool] = mapped_column(Boolean, default=True)
    # Ceilings by kind of entry (engine.money.bounds); kept here, changed only by a two-person step (engine.two_person).
    counter_payment_ceiling_cents: Mapped[int] = ceiling_column("counter_payment")
    import_payment_ceiling_cents: Mapped[int] = ceiling_column("import_payment")
    api_payment_ceiling_cents: Mapped[int] = ceiling_column("api_payment")
    refund_ceiling_cents: Mapped[int] = ceiling_column("refund")
    adjustment_ceiling_cents: Mapped[int] = ceiling_column("adjustment")
    rule_amount_ceiling_cents: Mapped[int] = ceiling_column("rule_amount")
    paid_on_days_back: Mapped[int] = mapped_column(Integer, default=DEFAULT_PAID_ON_DAYS_BACK,
                                                   server_default=str(DEFAULT_PAID_ON_DAYS_BACK))
    second_approver: Mapped[str | None] = mapped_column(String(64))  # a supervisor, for a city with one admin
    # The counter's miscellaneous revenue categories, each with its GL fund and account (None: the sample
    # city's, engine.receipt_categories).
    receipt_categories: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    # The adjustment reason codes with their GL accounts (None: the sample city's, engine.adjustment_reasons).
    adjustment_reasons: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    # Which page roles may record a returned payment, close the day, export to the GL (None: the sample city's,
    # engine.duties); changed only by a two-person step.
    duty_roles: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The tenders a cash-only account may not pay with (None: the sample city's, engine.money.tenders).
    cash_only_refused_tenders: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    # The assistance programs customers may be enrolled in (None: the sample city's, engine.assistance_programs);
    # changed only by a two-person step.
    assistance_programs: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    # The phone notification export's columns, headings, date and phone formats for the city's calling vendor
    # (None: the sample city's, engine.phone_export_layout).
    phone_export_layout: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The GL fund and account each kind of money is booked to (None: the sample city's, engine.chart_of_accounts).
    chart_of_accounts: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # How often the scheduler works out the dashboard's whole-city figures (engine.office_figures); 0: always live.
    dashboard_figures_seconds: Mapped[int] = mapped_column(Integer, default=DEFAULT_EVERY_SECONDS,
                                                           server_default=str(DEFAULT_EVERY_SECONDS))
    __table_args__ = (
        *(CheckConstraint(f"{kind}_ceiling_cents BETWEEN 1 AND {LARGEST_AMOUNT_CENTS}",
                          name=f"ck_city_settings_{kind}_ceiling")
          for kind in DEFAULT_CEILINGS),
        CheckConstraint(f"paid_on_days_back BETWEEN 0 AND {LONGEST_PAID_ON_WINDOW}",
                        name="ck_city_settings_paid_on_days_back"),
        CheckConstraint(FIGURES_SECONDS_CHECK, name="ck_city_settings_dashboard_figures_seconds"),
    )


class SettingChange(Base):
    """A change to a guarded city setting or to a user's role, waiting for a second person to approve it.

    Asked by one administrator; approved (and only then applied) or refused by another
    person, or withdrawn by the one who asked. `username` names the user a role change is about.
    """

    __tablename__ = "setting_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    setting: Mapped[str] = mapped_column(String(64))  # a guarded city setting's name, "role", or "grant:ROLE_ID"
    username: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending|approved|refused|withdrawn
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]


# --- customers, properties, utility accounts ------------------------------------------------


class Customer(Base):
    """A person or organisation the city bills and writes to."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), index=True)
    mailing_street: Mapped[str] = mapped_column(String(160))
    mailing_unit: Mapped[str] = mapped_column(String(40), default="")
    mailing_city: Mapped[str] = mapped_column(String(80))
    mailing_state: Mapped[str] = mapped_column(String(2))
    mailing_zip: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(2), default="en")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(160), default="")
    created_at: Mapped[datetime]


class Property(Base):
    """A parcel with a service address and an owner."""

    __tablename__ = "properties"
    id: Mapped[int] = mapped_column(primary_key=True)
    parcel: Mapped[str] = mapped_column(String(20), unique=True)
    service_address: Mapped[str] = mapped_column(String(160), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    owner: Mapped[Customer] = relationship(foreign_keys=[owner_id])


class UtilityAccount(Base):
    """A water/sewer account: a customer receiving service at a property."""

    __tablename__ = "utility_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True, index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("properties.id"), index=True)
    cycle: Mapped[str] = mapped_column(String(4), index=True)
    meter_size: Mapped[str] = mapped_column(String(8))
    rate_class: Mapped[str] = mapped_column(String(16))  # residential | commercial
    services: Mapped[list[Any]] = mapped_column(JSON)  # e.g. ["water", "sewer"]
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)  # active | closed
    cash_only: Mapped[bool] = mapped_column(Boolean, default=False)
    cash_only_until: Mapped[date | None] = mapped_column(Date)  # the day a cash-only duration ends (None: no end)
    cash_only_reason: Mapped[str | None] = mapped_column(String(200))  # the rule that decided it, in its words
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    customer: Mapped[Customer] = relationship()
    property: Mapped[Property] = relationship()
    __mapper_args__ = {"version_id_col": version}


class MeterRead(Base):
    """One reading of an account's meter, in CCF, for a billing period."""

    __tablename__ = "meter_reads"
    # The unique (account_id, period) index answers every lookup by account: no index of account_id alone.
    __table_args__ = (UniqueConstraint("account_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("utility_accounts.id"))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    read_on: Mapped[date] = mapped_column(Date)
    reading: Mapped[int] = mapped_column(Integer)
    consumption_ccf: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(40), default="route")
    # The review before billing (engine.reads.review): to_review | accepted | reread | estimated, why, who, when.
    review_status: Mapped[str] = mapped_column(String(16), default="accepted", server_default="accepted", index=True)
    review_check: Mapped[str | None] = mapped_column(String(24))  # the first check that held it: high, zero, ...
    review_reason: Mapped[str | None] = mapped_column(Text)  # every check that held it, in words
    reviewed_by: Mapped[str | None] = mapped_column(String(80))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    meter_id: Mapped[int | None] = mapped_column(ForeignKey("meters.id"))  # engine.store.meters; None: read before meters


class Bill(Base):
    """A bill: the rate schedule's lines for one account and period, and the rule version used."""

    __tablename__ = "bills"
    # One bill in force per account and period; a bill cancelled by a rebill (engine.money.rebill) stays beside it.
    __table_args__ = (Index("uq_bills_account_period_in_force", "account_id", "period", unique=True,
                            sqlite_where=text("cancelled_on IS NULL"), postgresql_where=text("cancelled_on IS NULL")),
                      # an account's bills, newest first, in the index's order (the account page, statements)
                      Index("ix_bills_account_period", "account_id", "period", "id"),
                      within_largest("bills", "total_cents"))
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("utility_accounts.id"))
    cycle: Mapped[str] = mapped_column(String(4))
    period: Mapped[str] = mapped_column(String(7), index=True)
    service_from: Mapped[date] = mapped_column(Date)
    service_to: Mapped[date] = mapped_column(Date)
    billed_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    consumption_ccf: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(Cents)
    rule_id: Mapped[str] = mapped_column(String(80))
    rule_version: Mapped[str] = mapped_column(String(10))
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    cancelled_on: Mapped[date | None] = mapped_column(Date)  # the day a rebill cancelled it (its charges reversed)
    lines: Mapped[list[BillLine]] = relationship(order_by="BillLine.position")


class BillLine(Base):
    """One line of a bill, as the rate schedule computed it."""

    __tablename__ = "bill_lines"
    __table_args__ = (within_largest("bill_lines", "amount_cents"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    amount_cents: Mapped[int] = mapped_column(Cents)
    detail: Mapped[str] = mapped_column(Text, default="")
    service: Mapped[str | None] = mapped_column(String(32))  # the service the line bills (the schedule line's)


# --- money ---------------------------------------------------------------------------------

LEDGER_KINDS = ("charge", "payment", "fee", "adjustment", "refund", "reversal", "write_off", "deposit")


class LedgerEntry(Base):
    """An append-only posting to an account: positive amounts are owed, negative are paid/credited."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_account_posted", "account_id", "id"),
                      Index("ix_ledger_effective_on", "effective_on"),  # a day's export, receipts and close
                      # the accounts whose debts fall due or age on a day (engine.money.ledger.moving)
                      Index("ix_ledger_debits_due", "due_on", "account_id", sqlite_where=text("amount_cents > 0"),
                            postgresql_where=text("amount_cents > 0")),
                      # the payments booked on each day, summed from the index alone (the dashboard's chart)
                      Index("ix_ledger_payments_by_day", "effective_on", "amount_cents",
                            sqlite_where=text("kind = 'payment'"), postgresql_where=text("kind = 'payment'")),
                      within_largest("ledger_entries", "amount_cents"))
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("utility_accounts.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(Cents)
    effective_on: Mapped[date] = mapped_column(Date)  # the business day it is booked on
    dated_on: Mapped[date | None] = mapped_column(Date)  # its own date, when that day was closed (booked later)
    due_on: Mapped[date | None] = mapped_column(Date)
    posted_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))  # a username, or sweep:NAME, or import:FILE
    description: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(120), default="")
    rule_id: Mapped[str | None] = mapped_column(String(80))
    rule_version: Mapped[str | None] = mapped_column(String(10))
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    fund: Mapped[str] = mapped_column(String(16), default="")
    gl_account: Mapped[str] = mapped_column(String(24), default="")
    service: Mapped[str | None] = mapped_column(String(32))  # the service a debit bills (water, sewer, fees, ...)


class AccountBalance(Base):
    """An account's standing on the kept day, kept as it changes (engine.money.ledger.kept writes it; nothing else).

    Days past due is not kept: it is the day read for less `oldest_unpaid_due`. What is unpaid
    and past due of each service is kept beside it, in account_service_balances.
    """

    __tablename__ = "account_balances"
    __table_args__ = (Index("ix_account_balances_past_due", "account_id",
                            sqlite_where=text("past_due_cents > 0"), postgresql_where=text("past_due_cents > 0")),)
    account_id: Mapped[int] = mapped_column(ForeignKey("utility_accounts.id"), primary_key=True,
                                            autoincrement=False)
    balance_cents: Mapped[int] = mapped_column(Cents)
    past_due_cents: Mapped[int] = mapped_column(Cents)
    oldest_unpaid_due: Mapped[date | None] = mapped_column(Date)
    current_cents: Mapped[int] = mapped_column(Cents)
    days_1_30_cents: Mapped[int] = mapped_column(Cents)
    days_31_60_cents: Mapped[int] = mapped_column(Cents)
    days_61_90_cents: Mapped[int] = mapped_column(Cents)
    over_90_cents: Mapped[int] = mapped_column(Cents)


class AccountServiceBalance(Base):
    """What an account owes of one service on the kept day: unpaid, past due, aging (cents); kept with account_balances.

    One row per account and service with something unpaid (the catch-all `other` for debits
    without a service); engine.money.ledger.kept writes it with the account's row, and nothing else.
    """

    __tablename__ = "account_service_balances"
    account_id: Mapped[int] = mapped_column(ForeignKey("utility_accounts.id"), primary_key=True,
                                            autoincrement=False)
    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    unpaid_cents: Mapped[int] = mapped_column(Cents)
    past_due_cents: Mapped[int] = mapped_column(Cents)
    current_cents: Mapped[int] = mapped_column(Cents)
    days_1_30_cents: Mapped[int] = mapped_column(Cents)
    days_31_60_cents: Mapped[int] = mapped_column(Cents)
    days_61_90_cents: Mapped[int] = mapped_column(Cents)
    over_90_cents: Mapped[int] = mapped_column(Cents)


class BalancesDay(Base):
    """The one day every kept balance is worked out for; no row while the ledger predates keeping them.

    `as_of` is None only while the ledger is empty: the first posting sets it. The nightly
    roll-over moves it forward; a rebuild sets it.
    """

    __tablename__ = "balances_day"
    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    as_of: Mapped[date | None] = mapped_column(Date)
    changed_at: Mapped[datetime | None]


class CashDrawer(Base):
    """A clerk's cash drawer for one business day: opened with a float, counted at close."""

    __tablename__ = "cash_drawers"
    __table_args__ = (within_largest("cash_drawers", "opening_cents"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    business_date: Mapped[date] = mapped_column(Date, index=True)
    opening_cents: Mapped[int] = mapped_column(Cents)
    opened_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | counted | closed
    counted: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"cash": cents, "check": cents, ...}
    # the blind count as entered: {"denominations": {"20.00": 3, ...}, "checks": [{"number", "cents"}, ...]}
    count_detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    counted_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]


class PaymentImport(Base):
    """A payment file: posted whole, or held until a supervisor confirms its possible duplicates."""

    __tablename__ = "payment_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(16))  # lockbox | online
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(24))  # awaiting_confirmation | posted
    lines: Mapped[int] = mapped_column(Integer)  # payment lines in the file
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # the file as received, when it was held
    received_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]
    confirmed_by: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None]
    posted_at: Mapped[datetime | None]
    posted_count: Mapped[int] = mapped_column(Integer, default=0)
    posted_cents: Mapped[int] = mapped_column(Cents, default=0)
    posted_before: Mapped[int] = mapped_column(Integer, default=0)  # lines whose transaction id was posted before


class ClosedDay(Base):
    """A business day a supervisor closed, with its GL export and daily receipts as they were at the close.

    Nothing is booked on or before the latest closed day (the posting gate books it on the
    next open day), and these bytes are what the day's export and receipts serve from then
    on. Rows are never changed or deleted (the database refuses it).
    """

    __tablename__ = "closed_days"
    id: Mapped[int] = mapped_column(primary_key=True)
    business_date: Mapped[date] = mapped_column(Date, unique=True)
    closed_at: Mapped[datetime]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    gl_export_csv: Mapped[bytes | None] = mapped_column(LargeBinary)  # None: closed before exports were kept
    receipts_csv: Mapped[bytes | None] = mapped_column(LargeBinary)


class Payment(Base):
    """Money received for an account: at the counter, by lockbox file or online."""

    __tablename__ = "payments"
    __table_args__ = (within_largest("payments", "amount_cents"),
                      Index("ix_payments_received_on", "received_on"))  # the day's payments (the dashboard)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("utility_accounts.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Cents)
    tender: Mapped[str] = mapped_column(String(16))  # cash | check | card | ach
    source: Mapped[str] = mapped_column(String(16))  # counter | lockbox | online
    received_on: Mapped[date] = mapped_column(Date)
    check_number: Mapped[str] = mapped_column(String(32), default="")
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    transaction_id: Mapped[str | None] = mapped_column(Text)  # whole, as the bank or portal sent it
    import_id: Mapped[int | None] = mapped_column(ForeignKey("payment_imports.id"), index=True)
    drawer_id: Mapped[int | None] = mapped_column(ForeignKey("cash_drawers.id"), index=True)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="posted")  # posted | returned | voided
    returned_on: Mapped[date | None] = mapped_column(Date)
    return_reason: Mapped[str] = mapped_column(String(120), default="")
    actor: Mapped[str] = mapped_column(String(64))
    posted_at: Mapped[datetime]

    @property
    def receipt_number(self) -> str:
        """The number of the counter receipt it was taken on ('' for a payment from a file or the API)."""
        return receipt_number(self.receipt_id) if self.receipt_id else ""


class Receipt(Base):
    """One counter receipt: what it paid (accounts, license fees, miscellaneous items) and how (split tender).

    Its number (`R-000123`) is the reference of every ledger entry and GL line it posted.
    `lines` and `tenders` are the receipt as printed; the money itself is in its payments
    (utility accounts) and GL lines (licenses, miscellaneous items).
    """

    __tablename__ = "receipts"
    __table_args__ = (within_largest("receipts", "total_cents"), within_largest("receipts", "change_cents"))
    id: Mapped[int] = mapped_column(primary_key=True)
    drawer_id: Mapped[int] = mapped_column(ForeignKey("cash_drawers.id"), index=True)
    business_date: Mapped[date] = mapped_column(Date, index=True)
    received_on: Mapped[date] = mapped_column(Date)
    payer: Mapped[str] = mapped_column(String(160), default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    total_cents: Mapped[int] = mapped_column(Cents)
    change_cents: Mapped[int] = mapped_column(Cents, default=0)
    lines: Mapped[list[Any]] = mapped_column(JSON)  # [{"kind", "reference", "name", "cents", ...}]
    tenders: Mapped[list[Any]] = mapped_column(JSON)  # [{"tender", "cents", "check_number"}]
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="posted")  # posted | voided
    actor: Mapped[str] = mapped_column(String(64))
    posted_at: Mapped[datetime]
    voided_by: Mapped[str | None] = mapped_column(String(64))
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str] = mapped_column(String(200), default="")

    @property
    def number(self) -> str:
        """The receipt's one number, as the receipt, the ledger, the drawer and the GL export show it."""
        return receipt_number(self.id)


def receipt_number(receipt_id: int) -> str:
    """'R-000123': a receipt's number from its id."""
    return f"R-{receipt_id:06d}"


class GlEntry(Base):
    """A general-ledger line that is no customer's: a license fee, a miscellaneous receipt, a drawer's over/short.

    Append-only like the account ledger. `amount_cents` is signed for `fund`/`gl_account`
    (+ debit, - credit); the offset (`offset_fund`/`offset_account`, cash) takes the opposite.
    """

    __tablename__ = "gl_entries"
    __table_args__ = (within_largest("gl_entries", "amount_cents"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # license_fee | misc | over_short | reversal
    effective_on: Mapped[date] = mapped_column(Date, index=True)
    dated_on: Mapped[date | None] = mapped_column(Date)
    fund: Mapped[str] = mapped_column(String(16))
    gl_account: Mapped[str] = mapped_column(String(24))
    offset_fund: Mapped[str] = mapped_column(String(16))
    offset_account: Mapped[str] = mapped_column(String(24))
    amount_cents: Mapped[int] = mapped_column(Cents)
    description: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(120), default="")
    actor: Mapped[str] = mapped_column(String(64))
    posted_at: Mapped[datetime]
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipts.id"), index=True)
    drawer_id: Mapped[int | None] = mapped_column(ForeignKey("cash_drawers.id"), index=True)
    license_id: Mapped[int | None] = mapped_column(ForeignKey("licenses.id"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("gl_entries.id"))


class Deposit(Base):
    """A security deposit held for an account until applied to a final bill or refunded."""

    __tablename__ = "deposits"
    __table_args__ = (within_largest("deposits", "amount_cents"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("utility_accounts.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Cents)
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="held")  # held | applied | refunded
    settled_on: Mapped[date | None] = mapped_column(Date)
    rule_id: Mapped[str | None] = mapped_column(String(80))
    rule_version: Mapped[str | None] = mapped_column(String(10))


# --- businesses and licenses ----------------------------------------------------------------


class Business(Base):
    """A business operating in the city."""

    __tablename__ = "businesses"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    address: Mapped[str] = mapped_column(String(160))
    category: Mapped[str] = mapped_column(String(40))
    employees: Mapped[int] = mapped_column(Integer, default=1)
    gross_receipts_cents: Mapped[int] = mapped_column(Cents, default=0)
    opened_on: Mapped[date] = mapped_column(Date)
    owner: Mapped[Customer] = relationship()


class License(Base):
    """A license issued (or applied for) by a business: general business, home occupation, ..."""

    __tablename__ = "licenses"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True, index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id"), index=True)
    license_type: Mapped[str] = mapped_column(String(32))  # general_business | home_occupation
    status: Mapped[str] = mapped_column(String(16), index=True)  # applied | active | expired | lapsed | closed
    fee_cents: Mapped[int] = mapped_column(Cents, default=0)
    fee_paid_cents: Mapped[int] = mapped_column(Cents, default=0, server_default="0")  # paid since assessed
    # The late penalty assessed with the current term's renewal, paid at the counter with the fee (0: none).
    penalty_cents: Mapped[int] = mapped_column(Cents, default=0, server_default="0")

    @property
    def due_cents(self) -> int:
        """What the license owes at the counter: the fee and the late penalty assessed, less what receipts paid."""
        return (self.fee_cents or 0) + (self.penalty_cents or 0) - (self.fee_paid_cents or 0)
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Printed on the certificate; anyone may check it on the verification page (engine.workflow.license_codes).
    verification_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    business: Mapped[Business] = relationship()
    __mapper_args__ = {"version_id_col": version}


# --- cases, events, notices -------------------------------------------------------------------


class Case(Base):
    """One workflow instance: a delinquent account, a license, a refund request or a lien."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_workflow_state", "workflow_id", "state"),
                      Index("ix_cases_subject", "subject_type", "subject_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(40))
    workflow_version: Mapped[int] = mapped_column(Integer)
    subject_type: Mapped[str] = mapped_column(String(20))  # utility_account | license | refund | lien
    subject_id: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("utility_accounts.id"), index=True)
    license_id: Mapped[int | None] = mapped_column(ForeignKey("licenses.id"), index=True)
    state: Mapped[str] = mapped_column(String(40))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    events: Mapped[list[CaseEvent]] = relationship(order_by="CaseEvent.id", back_populates="case")
    __mapper_args__ = {"version_id_col": version}


class CaseEvent(Base):
    """The history of a case: one row per step taken, by whom, with the guards' explanations."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime]
    on_date: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(64))  # a username, or sweep:NAME
    step: Mapped[str] = mapped_column(String(60))
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(40))
    form: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rules: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"rule", "version"}]
    explanation: Mapped[list[Any]] = mapped_column(JSON, default=list)
    case: Mapped[Case] = relationship(back_populates="events")


class NoticeBatch(Base):
    """A mailing: the notices of one type from one sweep run, rendered into one PDF."""

    __tablename__ = "notice_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    sweep_run_id: Mapped[int | None] = mapped_column(ForeignKey("sweep_runs.id"), index=True)
    notice_type: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime]
    count: Mapped[int] = mapped_column(Integer, default=0)
    pdf_path: Mapped[str | None] = mapped_column(String(255))


class Notice(Base):
    """A letter to a customer or business, unique per subject, notice type and period."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", "notice_type", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    notice_type: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(20))  # what makes it unique in time: a bill period, a due date
    language: Mapped[str] = mapped_column(String(2))
    created_on: Mapped[date] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # what the template prints, fixed at creation
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("notice_batches.id"), index=True)
    sweep_run_id: Mapped[int | None] = mapped_column(ForeignKey("sweep_runs.id"), index=True)
    left_out_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # the day its mailing left it out


class NoticePdf(Base):
    """A notice's PDF as it left the building (mailed in a batch, or first printed): served as kept from then on."""

    __tablename__ = "notice_pdfs"
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), unique=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("notice_batches.id"), index=True)  # None: printed
    kept_at: Mapped[datetime]
    kept_by: Mapped[str] = mapped_column(String(64))  # sweep:NAME for a mailing, or the clerk who printed it
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


class MailingPdf(Base):
    """A night's mailing PDF of one notice type, its bytes as rendered; the file in instance/notices is a copy."""

    __tablename__ = "mailing_pdfs"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("notice_batches.id"), unique=True)
    kept_at: Mapped[datetime]
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)


# --- rules, sweeps, audit -----------------------------------------------------------------------


class RuleVersion(Base):
    """A revision of a rule document as written: drafted, then published; published never changes."""

    __tablename__ = "rule_versions"
    __table_args__ = (UniqueConstraint("document_id", "revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(String(80), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(40))
    yaml_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # draft | published | withdrawn
    latest_effective: Mapped[date] = mapped_column(Date)  # the newest version's effective date
    author: Mapped[str] = mapped_column(String(64))
    approver: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")


class WorkflowVersion(Base):
    """A revision of a workflow definition as written: drafted, then published; published never changes.

    Beside rule_versions rather than in it: a workflow keeps every published version (each
    case runs on the one it opened under), keyed by the definition's own `version:`, and
    takes effect on one day; a rule document holds its dated versions in one text.
    """

    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("workflow_id", "revision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(80), index=True)
    revision: Mapped[int] = mapped_column(Integer)  # 1, 2, ... for each workflow id, every draft counted
    version: Mapped[int] = mapped_column(Integer)  # the definition's `version:`, what a case records
    title: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(32))
    effective: Mapped[date | None] = mapped_column(Date)  # opens new cases from this day (None: from the start)
    yaml_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # draft | published
    author: Mapped[str] = mapped_column(String(64))
    approver: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")


class SweepRun(Base):
    """One run of a sweep for one date: unique per sweep and date, resumable from its cursor."""

    __tablename__ = "sweep_runs"
    __table_args__ = (UniqueConstraint("sweep", "as_of", "dry_run"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sweep: Mapped[str] = mapped_column(String(40))
    as_of: Mapped[date] = mapped_column(Date)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))  # running | done | failed
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    runner: Mapped[str | None] = mapped_column(String(80))  # who holds the lock (host:pid)
    heartbeat_at: Mapped[datetime | None]
    cursor: Mapped[int] = mapped_column(Integer, default=0)  # last subject id finished
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditEntry(Base):
    """Append-only audit log; each row holds the hash of the row before it."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))  # e.g. ledger.payment, case.step, rule.publish, user.add
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[str] = mapped_column(String(80))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditCheckpoint(Base):
    """A seal on the audit log's end: its length and last hash at a moment, signed with a key kept outside the database."""

    __tablename__ = "audit_checkpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(80))  # e.g. sweep delinquency 2026-04-30, day close 2026-04-30
    rows: Mapped[int] = mapped_column(Integer)  # how many audit rows the log had
    head_hash: Mapped[str] = mapped_column(String(64))  # the hash of the last of them
    signature: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 of the above, hex


# --- the JSON API ------------------------------------------------------------------------------


class ApiToken(Base):
    """A bearer token another system calls the JSON API with; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256 of the token
    scopes: Mapped[list[Any]] = mapped_column(JSON)  # e.g. ["payments:write", "accounts:read"]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


# --- background jobs -----------------------------------------------------------------------------

JOB_STATUSES = ("queued", "running", "done", "failed")


class Job(Base):
    """Work a page asked for, done by the scheduler's worker: its kind, input, progress, result or error.

    A job with a dedupe key is one job while it is queued, running or done (a unique index over
    the jobs that have not failed), so the same draft's impact is worked out once; a failed job
    leaves room for a fresh one.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status", "status", "id"),
                      Index("uq_jobs_dedupe_key_not_failed", "dedupe_key", unique=True,
                            sqlite_where=text("status != 'failed'"), postgresql_where=text("status != 'failed'")))
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    input: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    progress_message: Mapped[str] = mapped_column(String(200), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(120))  # the worker: host:pid:thread
    heartbeat_at: Mapped[datetime | None]

