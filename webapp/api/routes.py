"""The API's endpoints: read the call, call one service, answer JSON."""
from __future__ import annotations

from flask import g, jsonify, request

from engine.money.limits import city_limits
from webapp import clock
from webapp.api import bp, reading, services
from webapp.api.gate import api_actor, scope_required
from webapp.catalog import catalog
from webapp.downloads import audited_download
from webapp.extensions import database

PAYMENT_FIELDS = ("account_number", "amount", "paid_on", "transaction_id")


@bp.get("/accounts/<number>")
@scope_required("accounts:read")
def account(number: str):
    """An account's balance, past due, days past due, last bill's due date, status and cash-only flag."""
    return jsonify(services.account_summary(database.session, number, clock.today()))


@bp.get("/accounts/<number>/bill.pdf")
@scope_required("accounts:read")
def e_bill(number: str):
    """The account's bill as a PDF e-bill: its latest, or the one of ?period=YYYY-MM; the mailed statement's sheet.
    Audited as a download by the token (webapp.downloads.audited_download) before the bytes leave."""
    period = reading.query_period("period") if request.args.get("period") else None
    pdf, name, bill_period = services.e_bill(database.session, catalog().rules, number, period)
    return audited_download(pdf, name, what="A bill's statement (API e-bill)", rows=1, mimetype="application/pdf",
                            filters={"account": number, "period": bill_period}, inline=True,
                            actor=api_actor(g.api_caller))


@bp.post("/payments")
@scope_required("payments:write")
def payment():
    """Post a payment the portal received: 201 the first time, 200 with "duplicate": true on a retry."""
    body = reading.json_object(PAYMENT_FIELDS)
    limits, now = city_limits(database.session), clock.now()
    paid = services.OnlinePayment(account_number=reading.text(body, "account_number", 20),
                                  amount=reading.money(body, "amount", limits.ceiling("api_payment")),
                                  paid_on=reading.paid_on(body.get("paid_on"), "paid_on", business_day=clock.today(),
                                                          days_back=limits.paid_on_days_back),
                                  transaction_id=reading.text(body, "transaction_id", 120))
    database.session.commit()  # end the request's own transaction: the payment import runs its own
    posted = services.post_online_payment(database.factory(), paid, caller=g.api_caller, now=now)
    return jsonify(posted), 200 if posted["duplicate"] else 201


@bp.get("/liens")
@scope_required("liens:read")
def liens():
    """For a title company: the parcel's accounts, what they owe, open liens and lien eligibility."""
    parcel = reading.query_text("parcel", 20)
    return jsonify(services.lien_search(database.session, catalog(), parcel, clock.today()))


@bp.get("/shutoffs")
@scope_required("shutoffs:read")
def shutoffs():
    """For the phone notification vendor: accounts scheduled for shut-off on ?date=YYYY-MM-DD."""
    day = reading.iso_date(request.args.get("date"), "date")
    return jsonify(services.shutoffs_on(database.session, catalog(), day))
