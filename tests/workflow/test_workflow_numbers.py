"""A workflow's numbers keep the bounds a rule document's do: a threshold, a field's limit or a count that no city
means (-1e20, 99999999999999, a 13th decimal) is refused with its line and path, and nothing loads."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.rules.errors import DocumentErrors
from engine.workflow.definitions import load_workflow
from samplecity.city import APPROVAL_ROLE_IDS

DELINQUENCY = (Path(__file__).parents[2] / "workflows" / "delinquency.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("old,new,path", [
    ("when: {fact: past_due_balance, gte: 50}", "when: {fact: past_due_balance, gte: -1e20}", ".when.gte"),
    ("when: {fact: past_due_balance, gte: 50}", "when: {fact: past_due_balance, gte: 99999999999999}", ".when.gte"),
    ("type: integer, min: 0, required: true", "type: integer, min: 99999999999999, required: true", ".form[0].min"),
    ("when: {fact: past_due_balance, gt: 0}", "when: {fact: past_due_balance, gt: 0.0000000000001}", ".when.gt"),
])
def test_a_number_out_of_range_is_refused_naming_its_path(catalog, old, new, path):
    """Each out-of-range number is one error at its own path and line; the message says the bound."""
    assert old in DELINQUENCY
    with pytest.raises(DocumentErrors) as raised:
        load_workflow(DELINQUENCY.replace(old, new, 1), "delinquency.yaml", catalog.rules, APPROVAL_ROLE_IDS)
    found = [e for e in raised.value.errors if "is out of range" in e.message]
    assert len(found) == 1 and found[0].path.endswith(path), [str(e) for e in raised.value.errors]
    assert "at most 12 significant digits and 6 decimals" in found[0].message
    assert "1,000,000,000,000" in found[0].message
    assert len(found[0].message) < 200
    line = DELINQUENCY.replace(old, new, 1).splitlines()[found[0].line - 1]
    assert new.split(",")[1].strip()[:8] in line


def test_the_sample_workflows_numbers_are_in_range(catalog):
    """The thresholds the sample city writes (1 day, $50, 2 installments) load."""
    assert load_workflow(DELINQUENCY, "delinquency.yaml", catalog.rules, APPROVAL_ROLE_IDS).id == "delinquency"
