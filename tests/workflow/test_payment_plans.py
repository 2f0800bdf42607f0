"""Payment plans from published terms: the one function that works a plan out (engine.rules.plans.agree), the
terms document that gives them (criteria, `gives: plan_terms`), and the delinquency step that agrees one."""
from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from engine.rules import plans
from engine.rules.plans import PlanTerms, agree
from engine.rules.errors import DocumentErrors, EvaluationError
from engine.rules.library import RuleLibrary
from engine.store.models import Bill, Notice
from engine.workflow import services
from engine.workflow.facts import plan_payments
from engine.workflow.runtime import StepRefused
from engine.workflow.services import Catalog
from samplecity.city import APPROVAL_ROLE_IDS
from tests.factories import create_account
from tests.workflow.conftest import REPO, at, charge, pay

BEGUN = date(2026, 3, 2)


def terms(**given_terms) -> PlanTerms:
    """Terms as a document's outcome gives them (at most 6 installments unless said)."""
    return PlanTerms.read({"max_installments": 6, **given_terms}, "the test's terms")


# --- the one function ----------------------------------------------------------------------------------------

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


@settings(max_examples=300, deadline=None)
@given(balance=money, count=st.integers(1, 120), most=st.integers(1, 120),
       percent=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=3)),
       fixed=st.one_of(st.none(), money), least=st.one_of(st.none(), money),
       due=st.sampled_from(plans.DUE), begun=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
       bill_day=st.integers(1, 31), apart=st.integers(1, 12))
def test_a_plan_sums_to_its_balance_to_the_cent_and_keeps_its_terms(balance, count, most, percent, fixed, least, due,
                                                                   begun, bill_day, apart):
    outcome = {"max_installments": most, "installments_due": due, "installment_months": apart}
    if fixed is not None:
        outcome["down_payment_amount"] = fixed
    elif percent is not None:
        outcome["down_payment_percent"] = percent
    if least is not None:
        outcome["min_installment"] = least
    plan_terms = PlanTerms.read(outcome, "generated")
    bill_due_on = date(2019, 12, min(bill_day, 31))
    allowed, _ = plans.most_installments(plan_terms, balance)
    if count > allowed:
        with pytest.raises(EvaluationError, match="the terms allow at most"):
            agree(plan_terms, balance, count, begun, first_due=begun + timedelta(days=10), bill_due_on=bill_due_on)
        return
    plan = agree(plan_terms, balance, count, begun, first_due=begun + timedelta(days=10), bill_due_on=bill_due_on)
    amounts = [amount for _, amount in plan.payments]
    assert sum(amounts, Decimal(0)) == balance  # exactly: the last installment takes the odd cents
    assert all(amount == amount.quantize(Decimal("0.01")) and amount >= 0 for amount in amounts)
    installments = [amount for _, amount in plan.installments]
    assert len(installments) == count and len(set(installments[:-1])) <= 1
    assert Decimal(0) <= installments[-1] - installments[0] < Decimal("0.01") * count
    if least is not None and balance - plan.down_payment >= least:
        assert min(installments) >= least
    days = [day for day, _ in plan.installments]
    assert all(earlier < later for earlier, later in zip(days, days[1:]))  # one every `apart` months
    assert all((later.year - earlier.year) * 12 + later.month - earlier.month == apart
               for earlier, later in zip(days, days[1:]))
    assert plan.installment_months == apart and plan_payments(
        {"plan_balance": str(balance), "installments": count, "first_due": days[0].isoformat(),
         "installment_day": plan.installment_day, "down_payment": str(plan.down_payment),
         **({"installment_months": apart} if apart != 1 else {})}) == (plan.down_payment, list(plan.installments))
    assert days[0] > begun or due == plans.AS_AGREED
    assert len(plan.explanation) == 6 and plan.explanation[0] == "Terms: generated."


def test_the_explanation_says_which_term_set_each_number():
    plan = agree(terms(down_payment_amount=50, min_installment=25, installments_due="bill_due_date"),
                 Decimal("180.00"), 3, BEGUN, bill_due_on=date(2026, 2, 22))
    assert plan.explanation == (
        "Terms: the test's terms.",
        "Plan balance $180.00.",
        "Down payment $50.00: the fixed down payment (down_payment_amount), due 2026-03-02, the day the plan began.",
        "3 installments, at most 5: $130.00 after the down payment, at least $25.00 an installment "
        "(min_installment).",
        "Each installment $43.33: $130.00 after the down payment in 3 equal parts, rounded down to the cent; "
        "the last $43.34 takes the odd cents.",
        "Due monthly on the bill due day (day 22 of the month, or its last), from 2026-03-22 "
        "(installments_due: bill_due_date).")


def test_installments_due_monthly_from_the_start_or_on_a_late_bill_day_keep_their_day():
    from_start = agree(terms(installments_due="monthly_from_start"), Decimal("90.00"), 3, date(2026, 1, 31))
    assert [d for d, _ in from_start.installments] == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    with_bills = agree(terms(installments_due="bill_due_date"), Decimal("90.00"), 3, date(2026, 2, 3),
                       bill_due_on=date(2026, 1, 31))
    assert [d for d, _ in with_bills.installments] == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    with pytest.raises(EvaluationError, match="has no bill to take the day from"):
        agree(terms(installments_due="bill_due_date"), Decimal("90.00"), 3, BEGUN)
    with pytest.raises(EvaluationError, match="give the first installment's day"):
        agree(terms(), Decimal("90.00"), 3, BEGUN)


def test_a_city_that_bills_every_two_months_has_installments_due_with_each_bill():
    """Bills due on the 22nd of every other month (the latest, February's): the installments fall on the next
    bills' due days, April, June and August, and the explanation names the term that spaced them."""
    plan = agree(terms(installments_due="bill_due_date", installment_months=2), Decimal("180.00"), 3, BEGUN,
                 bill_due_on=date(2026, 2, 22))
    assert plan.installments == ((date(2026, 4, 22), Decimal("60.00")), (date(2026, 6, 22), Decimal("60.00")),
                                 (date(2026, 8, 22), Decimal("60.00")))
    assert plan.explanation[-1] == ("Due every 2 months on the bill due day (day 22 of the month, or its last), from "
                                    "2026-04-22 (installments_due: bill_due_date; installment_months: 2).")
    before_due = agree(terms(installments_due="bill_due_date", installment_months=2), Decimal("180.00"), 2,
                       date(2026, 2, 10), bill_due_on=date(2026, 2, 22))
    assert [d for d, _ in before_due.installments] == [date(2026, 2, 22), date(2026, 4, 22)]  # the bill not yet due


def test_quarterly_installments_from_the_start_or_from_the_day_agreed_keep_their_day():
    from_start = agree(terms(installments_due="monthly_from_start", installment_months=3), Decimal("90.00"), 3,
                       date(2026, 1, 31))
    assert [d for d, _ in from_start.installments] == [date(2026, 4, 30), date(2026, 7, 31), date(2026, 10, 31)]
    assert from_start.explanation[-1] == ("Due every 3 months from 2026-04-30, 3 months after the plan began "
                                          "(installments_due: monthly_from_start; installment_months: 3).")
    agreed = agree(terms(installment_months=3), Decimal("90.00"), 3, BEGUN, first_due=date(2026, 3, 31))
    assert [d for d, _ in agreed.installments] == [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)]
    assert agreed.explanation[-1] == ("Due every 3 months from 2026-03-31, the day agreed "
                                      "(installments_due: as_agreed; installment_months: 3).")


def test_monthly_terms_give_the_plan_they_always_gave():
    """installment_months: 1 written out is the default: the same dates and the same words as terms without it."""
    written = agree(terms(installments_due="bill_due_date", installment_months=1), Decimal("180.00"), 3, BEGUN,
                    bill_due_on=date(2026, 2, 22))
    assert written == agree(terms(installments_due="bill_due_date"), Decimal("180.00"), 3, BEGUN,
                            bill_due_on=date(2026, 2, 22))
    assert written.installment_months == 1 and "installment_months" not in written.explanation[-1]


@pytest.mark.parametrize("value", [0, 13, 2.5, "two", True, None])
def test_installment_months_is_a_whole_number_of_months_from_1_to_12(value):
    assert plans.term_problems({"max_installments": 6, "installment_months": value}) == [
        ("installment_months", "a whole number of months between installments from 1 to 12")]
    with pytest.raises(EvaluationError, match="the test's terms: a whole number of months between installments"):
        terms(installment_months=value)


def test_a_city_may_ask_the_first_installment_within_fewer_days_than_a_year():
    """first_installment_within_days: 30 takes a first day 30 days after the plan's first day and refuses 31, naming
    the term and the document; without it, a year (366 days) is the limit, and a day before the plan's is refused."""
    within_30 = terms(first_installment_within_days=30)
    agreed = agree(within_30, Decimal("90.00"), 3, BEGUN, first_due=BEGUN + timedelta(days=30))
    assert agreed.installments[0][0] == BEGUN + timedelta(days=30)
    late = BEGUN + timedelta(days=31)
    with pytest.raises(EvaluationError) as refused:
        agree(within_30, Decimal("90.00"), 3, BEGUN, first_due=late)
    assert str(refused.value) == (
        f"the first installment's day {late.isoformat()} is not from the plan's first day ({BEGUN.isoformat()}) to 30 "
        f"days after it ({(BEGUN + timedelta(days=30)).isoformat()}; first_installment_within_days in the test's "
        "terms)")
    a_year = BEGUN + timedelta(days=366)
    assert agree(terms(), Decimal("90.00"), 3, BEGUN, first_due=a_year).installments[0][0] == a_year
    for outside in (a_year + timedelta(days=1), BEGUN - timedelta(days=1)):
        with pytest.raises(EvaluationError, match="to a year after it"):
            agree(terms(), Decimal("90.00"), 3, BEGUN, first_due=outside)


@pytest.mark.parametrize("value", [0, 367, 2.5, "thirty", True, None])
def test_first_installment_within_days_is_a_whole_number_of_days_from_1_to_366(value):
    assert plans.term_problems({"max_installments": 6, "first_installment_within_days": value}) == [
        ("first_installment_within_days", "a whole number of days from 1 to 366")]


def test_a_plan_kept_with_its_months_apart_keeps_its_schedule():
    """A plan agreed every 2 months keeps `installment_months` in its case; read back, the same dates."""
    down, rows = plan_payments({"plan_balance": "180.00", "installments": 3, "first_due": "2026-04-22",
                                "installment_day": 22, "down_payment": "0.00", "installment_months": 2})
    assert (down, rows) == (Decimal("0.00"), [(date(2026, 4, 22), Decimal("60.00")),
                                              (date(2026, 6, 22), Decimal("60.00")),
                                              (date(2026, 8, 22), Decimal("60.00"))])


def test_a_fixed_down_payment_is_never_more_than_the_balance_and_a_plan_needs_a_balance():
    plan = agree(terms(down_payment_amount="50.00"), Decimal("30.00"), 1, BEGUN, first_due=date(2026, 4, 1))
    assert (plan.down_payment, plan.installments) == (Decimal("30.00"), ((date(2026, 4, 1), Decimal("0.00")),))
    assert "(no more than the plan balance)" in plan.explanation[2]
    with pytest.raises(EvaluationError, match="the plan balance is \\$0.00"):
        agree(terms(), Decimal("0.00"), 1, BEGUN, first_due=date(2026, 4, 1))


def test_a_plan_made_before_the_terms_kept_their_numbers_keeps_its_schedule():
    """A case of an older release holds down_payment_percent and no down_payment: 10% of $277.80 is $27.78,
    then six installments of $41.67 on the 15th, as its agreement letter printed."""
    down, rows = plan_payments({"plan_balance": "277.80", "installments": 6, "first_due": "2026-04-15",
                                "down_payment_percent": 10, "plan_started_on": "2026-03-02"})
    assert down == Decimal("27.78")
    assert rows == [(date(2026, month, 15), Decimal("41.67")) for month in range(4, 10)]


# --- the terms document -----------------------------------------------------------------------------------------

def test_a_terms_document_with_a_term_that_is_not_one_is_refused_with_its_line(tmp_path):
    text = (REPO / "rules" / "utilities" / "payment-plan-terms.yaml").read_text()
    (tmp_path / "payment-plan-terms.yaml").write_text(text.replace("down_payment_percent: 10}",
                                                                   "down_payment_percent: 110}", 1))
    with pytest.raises(DocumentErrors) as refused:
        RuleLibrary.from_folder(tmp_path)
    assert [f"{e.line}: {e.path}: {e.message}" for e in refused.value.errors] == [
        "26: versions[0].rules[1].then.down_payment_percent: a percent from 0 to 100"]


# --- the step that agrees a plan --------------------------------------------------------------------------------

NEW_TERMS = """\
    rules:
      - name: Customer Assistance Program household
        when: {low_income: true}
        then: {max_installments: 12, down_payment_percent: 0, min_installment: 25.00, installments_due: bill_due_date}
      - name: Everyone else
        then: {max_installments: 6, down_payment_amount: 50.00, min_installment: 25.00, installments_due: bill_due_date}
"""


def city_with_new_terms(tmp_path: Path, new_terms: str = NEW_TERMS) -> Catalog:
    """The sample city after it publishes, from 2026-03-01, $50.00 down, at least $25.00 an installment, with the
    bills -- a new version of its terms document, nothing else (or the `new_terms` given)."""
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    doc = rules / "utilities" / "payment-plan-terms.yaml"
    doc.write_text(doc.read_text() + "  - effective: 2026-03-01\n    reference: Resolution 2026-12\n    hit: first\n"
                   + new_terms)
    return Catalog.load(rules, REPO / "workflows", APPROVAL_ROLE_IDS)


@pytest.fixture()
def account(db, staff):
    """An account owing $180.00 of a bill due 2026-02-22, its delinquency case at the reminder."""
    account = create_account(db, cycle="B")
    charge(db, account.id, "180.00", on=date(2026, 2, 1), due_on=date(2026, 2, 22))
    db.add(Bill(account_id=account.id, cycle="B", period="2026-02", service_from=date(2026, 1, 1),
                service_to=date(2026, 1, 31), billed_on=date(2026, 2, 1), due_on=date(2026, 2, 22),
                consumption_ccf=12, total_cents=18000, rule_id="water-rates-residential", rule_version="2025-07-01",
                explanation={}))
    db.flush()
    return account


def reminded_case(db, catalog, account):
    return services.open_case(db, catalog, "delinquency", account.id, actor="sweep:delinquency", on=BEGUN,
                              now=at(BEGUN), fields={"period": "2026-02"}, state="reminded")


def arrange(db, catalog, case, **form):
    return services.take_step(db, catalog, case.id, "arrange_plan", user="carla", on=BEGUN, now=at(BEGUN),
                              version=case.version, form=form)


def test_a_city_that_publishes_new_terms_agrees_plans_on_them(db, account, tmp_path):
    """$180.00: $50.00 down, at most 5 installments of at least $25.00, on the bill due day (the 22nd)."""
    city = city_with_new_terms(tmp_path)
    case = reminded_case(db, city, account)
    with pytest.raises(StepRefused) as refused:
        arrange(db, city, case, installments="6", first_due="2026-04-01")
    assert refused.value.reasons == [
        "6 installments: the terms allow at most 5: $130.00 after the down payment, at least $25.00 an installment "
        "(min_installment) (payment-plan-terms (version of 2026-03-01), “Everyone else”)"]
    event = arrange(db, city, case, installments="3", first_due="2026-04-01")
    assert {k: case.fields[k] for k in ("plan_started_on", "plan_balance", "down_payment", "installments",
                                        "first_due", "installment_day")} == {
        "plan_started_on": "2026-03-02", "plan_balance": "180.00", "down_payment": "50.00", "installments": 3,
        "first_due": "2026-03-22", "installment_day": 22}
    done = next(d for x in event.explanation for d in x.get("done", []) if d.get("action") == "agree_plan")
    assert done["explanation"][2] == ("Down payment $50.00: the fixed down payment (down_payment_amount), due "
                                      "2026-03-02, the day the plan began.")
    letter = db.scalars(select(Notice).where(Notice.notice_type == "payment-plan-agreement")).one()
    assert (letter.data["down_payment"], letter.data["plan_total"]) == ("50.00", "180.00")
    assert letter.data["installments"] == [{"due_date": "2026-03-22", "amount": "43.33"},
                                           {"due_date": "2026-04-22", "amount": "43.33"},
                                           {"due_date": "2026-05-22", "amount": "43.34"}]


def test_a_plan_already_made_keeps_the_terms_it_was_made_with(db, catalog, account, tmp_path):
    """Agreed on 2026-03-02 under the sample terms (10% down, the day agreed); the city's new terms, published for
    the same day, change nothing of it: the plan is read from the case's own fields."""
    case = reminded_case(db, catalog, account)
    arrange(db, catalog, case, installments="4", first_due="2026-04-15")
    before = plan_payments(case.fields)
    assert before == (Decimal("18.00"), [(date(2026, month, 15), Decimal("40.50")) for month in range(4, 8)])
    city = city_with_new_terms(tmp_path)
    assert plan_payments(case.fields) == before
    facts = {f["name"]: f["value"] for f in services.show_case(db, city, case.id, on=date(2026, 4, 20))["facts"]}
    assert (facts["plan_installments_missed"], facts["plan_days_behind"]) == (2, 49)  # $18.00 down and April's


def test_a_workflow_cannot_agree_a_plan_on_a_document_that_gives_no_plan_terms(tmp_path):
    workflows = tmp_path / "workflows"
    shutil.copytree(REPO / "workflows", workflows)
    path = workflows / "delinquency.yaml"
    path.write_text(path.read_text().replace("agree_plan: {terms: payment-plan-terms",
                                             "agree_plan: {terms: shutoff-eligibility", 1))
    with pytest.raises(DocumentErrors) as refused:
        Catalog.load(REPO / "rules", workflows, APPROVAL_ROLE_IDS)
    assert [e.message for e in refused.value.errors] == [
        "shutoff-eligibility does not give payment plan terms (its header has no gives: plan_terms)"]


def test_with_installments_due_on_the_bills_the_step_needs_no_first_day(db, account, tmp_path):
    """The city drops the first-installment field from its step (a workflow edit, no code): the plan takes its days
    from the account's bill, due on the 22nd."""
    city_with_new_terms(tmp_path)  # its rules folder, with the new terms
    workflows = tmp_path / "workflows"
    shutil.copytree(REPO / "workflows", workflows)
    path = workflows / "delinquency.yaml"
    field = "      - {name: first_due, label: First installment due, type: date, required: true}\n"
    assert field in path.read_text()
    path.write_text(path.read_text().replace(field, ""))
    city = Catalog.load(tmp_path / "rules", workflows, APPROVAL_ROLE_IDS)
    case = reminded_case(db, city, account)
    arrange(db, city, case, installments="5")
    assert plan_payments(case.fields) == (Decimal("50.00"), [(date(2026, 3, 22), Decimal("26.00")),
                                                             (date(2026, 4, 22), Decimal("26.00")),
                                                             (date(2026, 5, 22), Decimal("26.00")),
                                                             (date(2026, 6, 22), Decimal("26.00")),
                                                             (date(2026, 7, 22), Decimal("26.00"))])


def test_a_city_that_bills_every_two_months_agrees_plans_due_with_its_bills(db, account, tmp_path):
    """The same city's terms with `installment_months: 2`: $180.00, $50.00 down, 3 installments on the 22nd of
    April, June and August (with the bills after February's); kept in the case, printed on the letter, and
    the plan's standing read on that schedule (nothing is behind in May, between two installments)."""
    city = city_with_new_terms(tmp_path, NEW_TERMS.replace("installments_due: bill_due_date}",
                                                           "installments_due: bill_due_date, installment_months: 2}"))
    case = reminded_case(db, city, account)
    event = arrange(db, city, case, installments="3", first_due="2026-04-01")
    assert {k: case.fields[k] for k in ("first_due", "installment_day", "installment_months")} == {
        "first_due": "2026-04-22", "installment_day": 22, "installment_months": 2}
    done = next(d for x in event.explanation for d in x.get("done", []) if d.get("action") == "agree_plan")
    assert done["explanation"][-1] == ("Due every 2 months on the bill due day (day 22 of the month, or its last), "
                                       "from 2026-04-22 (installments_due: bill_due_date; installment_months: 2).")
    letter = db.scalars(select(Notice).where(Notice.notice_type == "payment-plan-agreement")).one()
    assert letter.data["installment_months"] == 2
    assert letter.data["installments"] == [{"due_date": "2026-04-22", "amount": "43.33"},
                                           {"due_date": "2026-06-22", "amount": "43.33"},
                                           {"due_date": "2026-08-22", "amount": "43.34"}]
    pay(db, account.id, "93.33", on=date(2026, 4, 20))  # the down payment and April's installment
    facts = {f["name"]: f["value"] for f in services.show_case(db, city, case.id, on=date(2026, 5, 25))["facts"]}
    assert (facts["plan_installments_missed"], facts["plan_days_behind"]) == (0, 0)


def test_a_monthly_plan_keeps_no_months_apart_and_its_letter_is_as_it_was(db, catalog, account):
    """The sample city's terms are monthly: no `installment_months` in the case or on its letter."""
    case = reminded_case(db, catalog, account)
    arrange(db, catalog, case, installments="4", first_due="2026-04-15")
    letter = db.scalars(select(Notice).where(Notice.notice_type == "payment-plan-agreement")).one()
    assert "installment_months" not in case.fields and "installment_months" not in letter.data


def test_a_terms_document_with_months_apart_out_of_bounds_is_refused_with_its_line(tmp_path):
    text = (REPO / "rules" / "utilities" / "payment-plan-terms.yaml").read_text()
    (tmp_path / "payment-plan-terms.yaml").write_text(text.replace("down_payment_percent: 10}",
                                                                   "down_payment_percent: 10, installment_months: 24}",
                                                                   1))
    with pytest.raises(DocumentErrors) as refused:
        RuleLibrary.from_folder(tmp_path)
    assert [f"{e.line}: {e.path}: {e.message}" for e in refused.value.errors] == [
        "26: versions[0].rules[1].then.installment_months: a whole number of months between installments from 1 to 12"]
