"""Sweep documents (kind: sweep): checked with line and path, named by id, limited to the steps they list."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.models import Case, Notice
from engine.sweeps.registry import BUILT_IN, all_sweeps, get_sweep
from engine.sweeps.runner import SweepError
from engine.workflow.definitions import WorkflowSet
from engine.workflow.services import Catalog
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
    """The delinquency sweep limited to the shut-off notice opens the ten cases and mails no reminder."""
    text = (REPO / "rules" / "sweeps" / "delinquency.yaml").read_text(encoding="utf-8")
    limited = text.replace("      except_states: [under_plan]\n",
                           "      except_states: [under_plan]\n      steps: [mail_shutoff_notice]\n")
    assert limited != text
    outcome = sweep(committing_db, with_documents(catalog, limited))
    assert (outcome.report["cases_opened"], outcome.report["steps"], outcome.report["notices"]) == (
        {"delinquency": 10}, {"delinquency.open": 10}, {})
    with committing_db() as session:
        assert {c.state for c in session.scalars(select(Case))} == {"past_due"}
        assert session.scalars(select(Notice)).all() == []
