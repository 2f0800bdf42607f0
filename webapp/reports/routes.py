"""Report pages: each calls one engine.money.reports function; the page and its CSV show the same rows."""
from __future__ import annotations

from flask import render_template, request

from engine.money import reports
from engine.money.ledger.aging import BUCKETS
from engine.money.ledger.order import payment_orders
from engine.money.reports import AGING_BY_SERVICE_COLUMNS, AGING_COLUMNS
from webapp.auth import STAFF, SUPERVISORS, role_required
from webapp.downloads import csv_response
from webapp.extensions import database
from webapp.formatting import day as spelled
from webapp.pages import day_asked
from webapp.reports import bp
from webapp.reports.forms import AsOfForm, DayForm, RateSummaryForm, RegisterForm

SHOWN = 500  # rows a page shows; the CSV has them all
MONEY_COLUMNS = {"balance", "current", "days_1_30", "days_31_60", "days_61_90", "over_90", "past_due_balance",
                 "total", "billed", "amount", "debit", "credit", "unpaid", "past_due"}
REPORTS = [
    ("reports.aging", "Aging", "Every account with a balance by age, in the payment order's aging buckets."),
    ("reports.aging_by_service", "Aging by service",
     "What is owed of each service (water, sewer, ...) by age, and how much of it is past due."),
    ("reports.billing_register", "Billing register", "Every bill of a cycle's period, with the rate version used."),
    ("reports.rate_summary", "Summary by rate code", "Bills, use and amounts of a period by rate schedule and meter size."),
    ("reports.daily_receipts", "Daily receipts", "Payments received on a day by source and tender."),
    ("reports.corrections", "Voids, returns and adjustments",
     "Each clerk's voided receipts, returned payments, adjustments and drawer over/short on a day."),
    ("reports.trial_balance", "Trial balance", "Balances by fund and account code; debits equal credits."),
]


def _csv() -> bool:
    """Whether the report is asked for as CSV (?format=csv) rather than as its page."""
    return request.args.get("format") == "csv"


def _show(title: str, form, rows, filename: str, columns: list[str] | None = None, *, shown: int | None = None,
          headings: dict[str, str] | None = None, audited: dict[str, object] | None = None):
    """The report page, or its CSV when ?format=csv; `headings` words columns the page says otherwise.

    `audited`: the filters of a report that names customers or their balances; its CSV is then an audited
    download, named by the page's title."""
    if _csv():
        if audited is not None:
            return csv_response(rows, filename, columns, audited=title, filters=audited)
        return csv_response(rows, filename, columns)
    rows = list(rows)
    total = rows[-1] if rows and "TOTAL" in rows[-1].values() else None
    body = rows[:-1] if total is not None else rows
    return render_template("reports/report.html", title=title, form=form, rows=body[:shown or SHOWN], total=total,
                           count=len(body), columns=columns or (list(rows[0]) if rows else []),
                           money_columns=MONEY_COLUMNS, shown=shown or SHOWN, headings=headings or {},
                           csv_url=request.full_path.rstrip("?") + ("&" if request.args else "?") + "format=csv")


@bp.route("/")
@role_required(*STAFF)
def index():
    """The list of reports."""
    return render_template("reports/index.html", reports=REPORTS)


@bp.route("/aging")
@role_required(*STAFF)
def aging():
    """The aging report as of a day (default today)."""
    form = AsOfForm(request.args)
    day = form.as_of.data = day_asked(form, form.as_of, download=_csv())
    rows = reports.aging(database.session, day)
    if not _csv():
        rows = _first_and_total(rows)
    return _show(f"Aging as of {spelled(day)}", form, rows, f"aging-{day.isoformat()}.csv", AGING_COLUMNS,
                 headings=_aging_headings(day), audited={"as_of": day.isoformat()})


def _aging_headings(day):
    """The aging columns in the words of the payment order in force on the day ("61–120 days"); the CSV's
    column names stay (they name the first to the last bucket)."""
    return dict(zip(BUCKETS, payment_orders(database.session).on(day).bucket_words()))


@bp.route("/aging-by-service")
@role_required(*STAFF)
def aging_by_service():
    """What is owed of each service by age, as of a day (default today)."""
    form = AsOfForm(request.args)
    day = form.as_of.data = day_asked(form, form.as_of, download=_csv())
    return _show(f"Aging by service as of {spelled(day)}", form, reports.aging_by_service(database.session, day),
                 f"aging-by-service-{day.isoformat()}.csv", AGING_BY_SERVICE_COLUMNS, headings=_aging_headings(day))


def _first_and_total(rows):
    """The first SHOWN rows and the totals row of a streamed report (the rest is only counted)."""
    kept, last = [], None
    for row in rows:
        if len(kept) < SHOWN:
            kept.append(row)
        last = row
    if last is not None and last is not kept[-1]:
        kept.append(last)
    return kept


@bp.route("/billing-register")
@role_required(*STAFF)
def billing_register():
    """Every bill of a cycle's period."""
    form = RegisterForm(request.args)
    if not (request.args and form.validate()):
        return render_template("reports/report.html", title="Billing register", form=form, rows=None)
    return _show(f"Billing register, cycle {form.cycle.data} {form.period.data}", form,
                 reports.billing_register(database.session, form.cycle.data.strip(), form.period.data),
                 f"billing-register-{form.cycle.data.strip()}-{form.period.data}.csv",
                 audited={"cycle": form.cycle.data.strip(), "period": form.period.data})


@bp.route("/rate-summary")
@role_required(*STAFF)
def rate_summary():
    """Bills, use and amounts of a period by rate code and meter size."""
    form = RateSummaryForm(request.args)
    if not (request.args and form.validate()):
        return render_template("reports/report.html", title="Summary by rate code", form=form, rows=None)
    cycle = (form.cycle.data or "").strip() or None
    return _show(f"Summary by rate code, {form.period.data}" + (f", cycle {cycle}" if cycle else ""), form,
                 reports.summary_by_rate(database.session, form.period.data, cycle),
                 f"rate-summary-{form.period.data}.csv")


@bp.route("/daily-receipts")
@role_required(*STAFF)
def daily_receipts():
    """Payments received on a day (default today) by source and tender."""
    form = DayForm(request.args)
    day = form.date.data = day_asked(form, form.date, download=_csv())
    return _show(f"Daily receipts, {spelled(day)}", form, reports.daily_receipts(database.session, day),
                 f"daily-receipts-{day.isoformat()}.csv")


@bp.route("/corrections")
@role_required(*SUPERVISORS)
def corrections():
    """Voids, returns, adjustments and over/short on a day (default today), by clerk."""
    form = DayForm(request.args)
    day = form.date.data = day_asked(form, form.date, download=_csv())
    return _show(f"Voids, returns and adjustments, {spelled(day)}", form, reports.corrections(database.session, day),
                 f"corrections-{day.isoformat()}.csv", reports.CORRECTION_COLUMNS, audited={"date": day.isoformat()})


@bp.route("/trial-balance")
@role_required(*SUPERVISORS)
def trial_balance():
    """Balances by fund and account code through a day (default today)."""
    form = AsOfForm(request.args)
    day = form.as_of.data = day_asked(form, form.as_of, download=_csv())
    return _show(f"Trial balance as of {spelled(day)}", form, reports.trial_balance(database.session, day),
                 f"trial-balance-{day.isoformat()}.csv")
