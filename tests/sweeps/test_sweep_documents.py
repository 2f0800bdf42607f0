"""Sweep documents (kind: sweep): checked with line and path, named by id, limited to the steps they list, each of
them a sweep step it can take, the way out of every hold it works among them."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.rulebook.drafting import check_draft
from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.models import Case, Notice
from engine.sweeps.registry import BUILT_IN, all_sweeps, get_sweep
from engine.sweeps.runner import SweepError
from engine.workflow.definitions import WorkflowSet
from engine.workflow.services import Catalog
from engine.workflow.swept import sweep_step_errors
from samplecity.city import APPROVAL_ROLE_IDS
from tests.sweeps.conftest import REPO, sweep

BROKEN = """\
id: broken-sweep
kind: sweep
title: A sweep with three mistakes
versions:
  - effective: 2026-01-01
    subjects: cases
    opens:
      when: {fact: refundable, gte: 25}
    lists:
      owed:
        states: [lien_candidate]
        rule: late-fee
        outcome: {lien: eligible}
        shows: {account: account_number}
"""


def with_documents(catalog: Catalog, *texts: str) -> Catalog:
    """The sample city's catalog with these documents added or put in place of those of the same id."""
    added = [load_document(text, f"{n}.yaml") for n, text in enumerate(texts)]
    ids = {doc.id for doc in added}
    rules = RuleLibrary.from_documents([*added, *(doc for doc in catalog.rules if doc.id not in ids)])
    return Catalog(rules=rules, workflows=WorkflowSet.from_folder(REPO / "workflows", rules, APPROVAL_ROLE_IDS))


def test_a_broken_sweep_document_is_refused_with_each_line_and_path(catalog):
    """opens without a workflow, opens on a sweep of cases; once those are gone, a list asking a schedule: each
    named where it is."""
    with pytest.raises(DocumentErrors) as refused:
        with_documents(catalog, BROKEN)
    assert [str(e) for e in refused.value.errors] == [
        "0.yaml:7: versions[0].opens: opens needs workflow: the tag of the workflow whose cases it opens",
        "0.yaml:7: versions[0].opens: a sweep of cases opens none; its subjects are the cases it works and lists"]
    fixed = BROKEN.replace("    opens:\n      when: {fact: refundable, gte: 25}\n", "")
    with pytest.raises(DocumentErrors) as refused:
        with_documents(catalog, fixed)
    assert [str(e) for e in refused.value.errors] == [
        "0.yaml:10: versions[0].lists.owed.rule: late-fee is a schedule; a sweep asks a criteria document"]


def test_a_sweep_is_built_in_or_a_document_of_the_city(catalog):
    """The names are the built-in sweeps and the sweep documents; another name is refused, listing them."""
    assert all_sweeps(catalog.rules) == [*BUILT_IN, "delinquency", "deposit-refunds", "liens", "plan-defaults",
                                         "renewals"]
    with pytest.raises(SweepError, match="no sweep named 'parking'; the sweeps are: balances-rollover, "
                                         "cash-only-review, audit-checkpoint, delinquency, deposit-refunds"):
        get_sweep("parking", catalog.rules)


def test_a_sweep_takes_only_the_steps_its_document_lists(committing_db, catalog, city):
    """The delinquency sweep limited to the shut-off notice (and its way out, starting the notices again when it
    lapses) opens the ten cases and mails no reminder."""
    text = (REPO / "rules" / "sweeps" / "delinquency.yaml").read_text(encoding="utf-8")
    limited = text.replace("      except_states: [under_plan]\n",
                           "      except_states: [under_plan]\n      steps: [mail_shutoff_notice, restart_notice]\n")
    assert limited != text
    outcome = sweep(committing_db, with_documents(catalog, limited))
    assert (outcome.report["cases_opened"], outcome.report["steps"], outcome.report["notices"]) == (
        {"delinquency": 10}, {"delinquency.open": 10}, {})
    with committing_db() as session:
        assert {c.state for c in session.scalars(select(Case))} == {"past_due"}
        assert session.scalars(select(Notice)).all() == []


LIENS_SWEEP = (REPO / "rules" / "sweeps" / "liens.yaml").read_text(encoding="utf-8")
WORKS_LIENS = "    works:\n      workflows: [lien_filings]\n"
STEPS_LINE = LIENS_SWEEP[:LIENS_SWEEP.index(WORKS_LIENS)].count("\n") + 3  # where steps: goes, after works:


def _liens_sweep_taking(steps: str) -> str:
    """The sample city's liens sweep limited to `steps` (as written in the list)."""
    limited = LIENS_SWEEP.replace(WORKS_LIENS, f"{WORKS_LIENS}      steps: [{steps}]\n", 1)
    assert limited != LIENS_SWEEP
    return limited


def test_the_city_s_sweeps_name_only_steps_they_take(catalog):
    """The sample city's rules/ and workflows/ load together, and a sweep taking the liens' sweep steps with the way
    out of the hold on the notice of intent loads too."""
    assert sweep_step_errors(catalog.rules, catalog.workflows) == []
    assert with_documents(catalog, _liens_sweep_taking("mail_intent, mail_intent_again, withdraw"))


def test_a_sweep_naming_a_step_it_cannot_take_is_refused_with_the_key_and_the_step(catalog):
    """A step no workflow has, a step of a workflow the sweep does not work, a staff step, a step from a state it does
    not work: each refused with the sweep document's line, key and the step, and the steps it could name."""
    with pytest.raises(DocumentErrors) as refused:
        with_documents(catalog, _liens_sweep_taking("mail_intent, mail_intent_again, send_intent, "
                                                    "mail_shutoff_notice, record_lien"))
    assert [str(e) for e in refused.value.errors] == [
        f'0.yaml:{STEPS_LINE}: versions[0].works.steps[2]: no workflow this sweep works (workflows tagged '
        'lien_filings) has the step "send_intent": no workflow has a step so named; its sweep steps: mail_intent, '
        'mail_intent_again, withdraw',
        f'0.yaml:{STEPS_LINE}: versions[0].works.steps[3]: no workflow this sweep works (workflows tagged '
        'lien_filings) has the step "mail_shutoff_notice": it is a step of delinquency, which this sweep does not '
        'work; its sweep steps: mail_intent, mail_intent_again, withdraw',
        f'0.yaml:{STEPS_LINE}: versions[0].works.steps[4]: the step "record_lien" of liens is taken by staff; a sweep '
        'takes only sweep steps (by: sweep)']
    elsewhere = _liens_sweep_taking("mail_intent, mail_intent_again").replace(
        WORKS_LIENS, f"{WORKS_LIENS}      except_states: [awaiting_filing]\n")
    with pytest.raises(DocumentErrors) as refused:
        with_documents(catalog, elsewhere)
    assert [str(e) for e in refused.value.errors] == [
        f'0.yaml:{STEPS_LINE + 1}: versions[0].works.steps[1]: the step "mail_intent_again" of liens leaves none of '
        "the states this sweep works (workflows tagged lien_filings; not states tagged awaiting_filing)"]


def test_a_sweep_leaving_out_the_way_out_of_a_hold_is_refused(catalog):
    """The liens sweep taking the notice of intent but not `mail_intent_again`: a case whose notice was left out of
    its mailing would wait forever, so the document is refused naming the hold and the step it leaves out."""
    with pytest.raises(DocumentErrors) as refused:
        with_documents(catalog, _liens_sweep_taking("mail_intent, withdraw"))
    assert [str(e) for e in refused.value.errors] == [
        f'0.yaml:{STEPS_LINE}: versions[0].works.steps: liens: the step "record_lien" holds a case in the state '
        '"intent_mailed" (Notice of intent mailed) until the latest lien-intent has gone out, and this sweep works '
        "that state without its way out: add 'mail_intent_again' to steps, or the case waits there forever"]
    not_held = _liens_sweep_taking("mail_intent, withdraw").replace(
        WORKS_LIENS, f"{WORKS_LIENS}      except_states: [awaiting_filing]\n")
    assert with_documents(catalog, not_held), "a sweep not working the state held owes it no way out"


def test_a_sweep_draft_is_checked_against_the_workflows_the_city_runs(catalog):
    """The draft page's and the store's check of a sweep document's draft: the step it cannot take is an error, so the
    draft is neither saved nor published."""
    checked = check_draft(catalog.rules, "liens", _liens_sweep_taking("mail_intent, mail_intent_again, send_intent"),
                          date(2026, 5, 1), source="liens (draft)", workflows=catalog.workflows)
    assert not checked.ok
    assert [(e.source, e.path) for e in checked.errors] == [("liens (draft)", "versions[0].works.steps[2]")]
    assert 'has the step "send_intent"' in checked.errors[0].message
