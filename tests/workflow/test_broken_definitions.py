"""Every deliberately broken workflow in tests/workflow/broken/ gives exactly its message.

Each file holds one mistake a supervisor could make in a workflow definition; the table
says the `line: path: message` it must give (the file name is checked separately). Rule
references resolve against the sample city's rules/ folder.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from engine.workflow.definitions import WorkflowSet
from samplecity.city import APPROVAL_ROLE_IDS

BROKEN = Path(__file__).parent / "broken"
RULES = Path(__file__).resolve().parents[2] / "rules"

ROLES_KNOWN = "page roles: clerk, supervisor, admin; approval roles: city_attorney, council_clerk, department_head"
EXPECTED = {
    "alias.yaml": "12: transitions[0].from: anchors (&name) are not allowed; write the value out",
    "due-never-set.yaml":
        "15: transitions[0].due: 'shutoff_on' is never set by any step (a set: action); the step would never be due",
    "due-calendar-not-a-calendar.yaml": '21: transitions[1].due.calendar: "late-fee" is a schedule, not a calendar',
    "due-unknown-calendar.yaml":
        "21: transitions[1].due.calendar: no rule document named 'city-calender' among the rules",
    "due-unknown-kind-of-day.yaml":
        '21: transitions[1].due.allowed: a calendar allows office_day, shutoff_day, not the text "shutof_day"',
    "duplicate-key.yaml": "15: transitions[0].by: duplicate key 'by' (first on line 14)",
    "duplicate-step.yaml": ('11: transitions[0].id: two transitions are called "mail_reminder"',
                            '15: transitions[1].id: two transitions are called "mail_reminder"'),
    "effective-not-a-day.yaml":
        '5: effective: the day this version opens new cases, YYYY-MM-DD, not the text "next spring"',
    "fee-not-a-schedule.yaml":
        '16: transitions[0].actions[0].fee: "shutoff-eligibility" is a criteria, not a schedule',
    "field-limit-wrong-type.yaml":
        '16: transitions[0].form[0].max: expected an integer for installments, found the text "twelve"',
    "form-limit-from-unknown-outcome.yaml":
        "18: transitions[0].form[0].max.outcome: payment-plan-terms never gives 'most_installments'; "
        "its outcomes give down_payment_percent, max_installments",
    "guard-not-a-criteria.yaml": '15: transitions[0].when.rule: "late-fee" is a schedule, not a criteria',
    "not-by-unknown-field.yaml":
        "15: transitions[0].not_by: not_by names a case field holding a username; 'requester' is not one",
    "notice-field-never-given.yaml":
        "15: transitions[0].actions[0].notice: shutoff-notice prints the case field 'shutoff_on', which no step "
        "gives (a form field or a set: action)",
    "reminder-pay-by-never-given.yaml":  # the pay-by date is the workflow's, never ten days made up in Python
        "15: transitions[0].actions[0].notice: past-due-reminder prints the case field 'shutoff_notice_on', which no "
        "step gives (a form field or a set: action)",
    "open-unknown-workflow.yaml":
        "15: transitions[0].actions[0].open: no workflow named 'lein'; workflows: delinquency",
    "out-of-final-state.yaml": '12: transitions[0].from: "resolved" is a final state; no step leaves it',
    "requires-paid-never-charged.yaml":
        "19: transitions[1].requires_paid: no step charges reconnection-fee (a fee: action); the step could never "
        "be taken",
    "requires-sent-never-made.yaml": (
        "23: transitions[1].requires_sent[0]: requires_sent names a notice type some step of this workflow makes (a "
        "notice: or notice_occupants: action; made here: shutoff-notice), not the text \"shutoff-notise\"",
        "24: transitions[1].requires_sent[1]: requires_sent names a notice type some step of this workflow makes (a "
        "notice: or notice_occupants: action; made here: shutoff-notice), not the text \"door-hanger\""),
    "hold-without-a-way-out.yaml":
        '24: transitions[1].requires_sent: liens: the step "record_lien" holds a case in the state "intent_mailed" '
        "(Notice of intent mailed) until the latest lien-intent has gone out, and no way leads from there to a new "
        "one: a lien-intent left out of its mailing is never mailed again, so the case would wait forever; add a "
        'sweep step from "intent_mailed" that requires_left_out: lien-intent and mails a new one, or a sweep step due '
        "on a date the step mailing the lien-intent sets, to a state a sweep step leaves mailing a new one",
    "state-never-reached.yaml":
        '9: states.on_hold: refunds: no step leads to the state "on_hold" (On hold) from the initial state '
        '"requested": no case could ever be in it; add a step to it, or remove it',
    "state-never-left.yaml":
        '9: states.denied: refunds: no step leaves the state "denied" (Denied), and it is not final: a case there '
        "could never close; add a step from it, or mark it final: true",
    "requires-left-out-never-made.yaml":
        "15: transitions[0].requires_left_out: requires_left_out names a notice type some step of this workflow makes "
        "(a notice: or notice_occupants: action; made here: lien-intent), not the text \"lien-intnet\"",
    "requires-sent-not-a-notice.yaml":
        "17: transitions[0].requires_sent: requires_sent names a notice type some step of this workflow makes (a "
        "notice: or notice_occupants: action; made here: none), not true",
    "set-calendar-not-a-calendar.yaml":
        '17: transitions[0].actions[0].set.shutoff_on.calendar: "late-fee" is a schedule, not a calendar',
    "set-deadline-not-a-deadline.yaml":
        '17: transitions[0].actions[0].set.renew_by.deadline: "city-calendar" is a calendar, not a deadline',
    "shutoff-tag-without-gate.yaml":
        "8: states.door_hanger.tags: a state fed to the shut-off list takes its shut-off date from a step's due: "
        "{field, calendar, allowed: shutoff_day}; no step has one",
    "staff-step-without-roles.yaml":
        "11: transitions[0]: a staff step names the roles that may take it (roles: [..])",
    "sweep-with-form.yaml": "15: transitions[0].form: a sweep fills in no form; only staff steps have forms",
    "unknown-action.yaml": '16: transitions[0].actions[0].email: unknown action "email"; '
                           "actions: fee, notice, notice_occupants, set, open, refund, write_off, reverse, waive, adjust, "
                           "cash_only, agree_plan",
    "unknown-fact.yaml": "15: transitions[0].when: days_late is not a fact of a utility_account case",
    "unknown-field-type.yaml": '16: transitions[0].form[0].type: unknown field type "number"; '
                               "types: text, integer, money, date, boolean, choice, time",
    "unknown-initial.yaml": '5: initial: unknown state "delinquent"; states: past_due, reminded, resolved',
    "unknown-key.yaml": '15: transitions[0].guard: unknown key "guard" in a transition; '
                        "allowed: id, label, from, to, by, roles, when, says, due, requires_paid, requires_sent, "
                        "requires_left_out, not_by, distinct_from, form, actions, field_list",
    "reminder-pay-by-never-set.yaml":
        "16: transitions[0].actions[0].notice: past-due-reminder prints the case field 'shutoff_notice_on', which no "
        "step gives (a form field or a set: action)",
    "notice-cites-unknown-rule.yaml":
        "16: transitions[0].actions[0].notice.cites: no rule document named 'late-fees' among the rules",
    "notice-fee-unknown-rule.yaml":
        "16: transitions[0].actions[0].notice.fee: no rule document named 'reconection-fee' among the rules",
    "unknown-notice.yaml": '16: transitions[0].actions[0].notice: unknown notice "shutoff-warning"; notices: '
                           "past-due-reminder, shutoff-notice, door-hanger, payment-plan-agreement, reconnection, "
                           "lien-intent, lien-release, license-renewal-reminder, license-renewal-final, "
                           "license-lapsed, license-certificate, refund-letter",
    "unknown-outcome.yaml":
        "15: transitions[0].when.outcome: shutoff-eligibility never gives 'eligable'; "
        "its outcomes give eligible, reason",
    "unknown-role.yaml": '14: transitions[0].roles[0]: unknown role "cashier"; ' + ROLES_KNOWN,
    "unknown-approval-role.yaml": '14: transitions[0].roles[1]: unknown role "city_atorney"; ' + ROLES_KNOWN,
    "roles-from-an-outcome-not-a-role.yaml":
        "14: transitions[0].roles.outcome: shutoff-eligibility gives reason = appeal_pending or "
        "assistance_program_extension or balance_below_minimum or delinquent or medical_certificate or "
        "payment_plan or under_60_days, not a role; " + ROLES_KNOWN,
    "distinct-from-unknown-step.yaml": (
        '19: transitions[1].distinct_from[0]: no step "first_reveiw" in this workflow; steps: first_review, '
        'second_review',
        '19: transitions[1].distinct_from[1]: "second_review" is this step itself'),
    "distinct-from-a-sweep-step.yaml":
        '20: transitions[1].distinct_from[0]: "mail_reminder" is taken by the sweep, not by a person',
    "unknown-rule.yaml": "15: transitions[0].when.rule: no rule document named 'shutoff-eligibilty' among the rules",
    "unknown-state.yaml": '13: transitions[0].to: unknown state "remindd"; states: past_due, reminded, resolved',
    "label-of-no-field.yaml": (
        "7: labels.shutof_on: \"shutof_on\" is not a case field of this workflow (a form field, a set: field or a "
        "case fact of its subject)",
        "8: labels.shutoff_on: expected {label: WORDS, says: SENTENCE}"),
    "unknown-tag.yaml": '7: states.past_due.tags[0]: unknown tag "shutoff"; tags: license_renewed, service_off, '
                        'awaiting_filing, '
                        'lien_candidate, renewal, renewal_start, shutoff_pending, under_plan',
    "waive-without-reason-field.yaml":
        "21: transitions[1].actions[0].waive.reason: 'waiver_reason' is not a text field of this workflow",
}


@pytest.fixture(scope="module")
def rules() -> RuleLibrary:
    """The sample city's rules."""
    return RuleLibrary.from_folder(RULES)


def test_every_broken_file_has_an_expected_message():
    """No broken file goes untested, and no expectation names a missing file."""
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_definition_gives_its_message(name, rules):
    """Loading the file fails with exactly the expected errors, each naming the file."""
    with pytest.raises(DocumentErrors) as failure:
        WorkflowSet.from_paths([BROKEN / name], rules, APPROVAL_ROLE_IDS)
    expected = EXPECTED[name] if isinstance(EXPECTED[name], tuple) else (EXPECTED[name],)
    assert [f"{e.line}: {e.path}: {e.message}" if e.path else f"{e.line}: {e.message}"
            for e in failure.value.errors] == list(expected)
    assert all(e.source == str(BROKEN / name) for e in failure.value.errors)
    assert str(failure.value).startswith(f"{BROKEN / name}:{expected[0].split(':')[0]}: ")


def test_the_city_workflows_load(rules):
    """The five workflows in workflows/ are valid: adjustments at version 1, licensing at version 2 (changed after
    version 1 could be published), delinquency, liens and refunds at version 3 (changed after version 2 could be)."""
    workflows = WorkflowSet.from_folder(RULES.parent / "workflows", rules, APPROVAL_ROLE_IDS)
    assert workflows.ids() == ["adjustments", "delinquency", "licensing", "liens", "refunds"]
    assert {w.id: w.version for w in workflows} == {"adjustments": 1, "delinquency": 3, "licensing": 2, "liens": 3,
                                                  "refunds": 3}
