"""No id of a sample rule document is a string literal in the Python under engine/ or webapp/.

The program finds the rule documents it needs by their tags (engine.rules.tagged,
docs/rules-format.md#documents-the-program-looks-up), a kind a city has only one of by its
kind, and every other document by what a workflow or a sweep document names; so a city that
names its documents otherwise, or splits one, needs no change of code. The ids are read from
rules/**/*.yaml; every string constant of every module (docstrings are words, not read) is
compared with them, as tests/workflow/test_no_workflow_names_in_engine.py does for workflow
ids and state names. A few ids are also a word of another vocabulary of the program: each is
allowed only in the modules listed below for that other meaning, so a new use elsewhere fails.
"""
from __future__ import annotations

import yaml

from tests.workflow.test_no_workflow_names_in_engine import ENGINE, REPO, WEBAPP, named_in, string_constants

# id: (what it means there, the modules where it has that other meaning)
OTHER_MEANINGS: dict[str, tuple[str, set[str]]] = {
    "bill-messages": ("the name of the kind (kind: bill-messages), which the sample city's document shares",
                      {"rules/kinds/bill_messages.py"}),
    "meter-reads": ("the name of the kind (kind: meter-reads): the city's one document of it is found by its kind",
                    {"rules/kinds/meter_reads.py"}),
    "payment-order": ("the name of the kind (kind: payment-order): the city's one document of it is found by its "
                      "kind", {"rules/kinds/payment_order.py", "rules/services.py"}),
    "renewals": ("the renewals stream of a license's history, which measures count",
                 {"rules/streams.py", "accounts/history.py"}),
    "late-fee": ("the sample city's adjustment reasons: the default of the city setting adjustment_reasons, data a "
                 "city changes on its settings page, where a waiver names the fee schedule it reverses",
                 {"adjustment_reasons.py"}),
    "late-fee-waiver-eligibility": ("the same default list: a reason names the criteria deciding whether it may be "
                                    "granted", {"adjustment_reasons.py"}),
}


def rule_ids() -> dict[str, str]:
    """Every rule document id of rules/, with where it is defined."""
    ids = {}
    for path in sorted((REPO / "rules").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        ids[data["id"]] = f"the id of {path.relative_to(REPO).as_posix()}"
    return ids


def test_the_sample_city_has_the_ids_this_test_reads():
    """The sample city's documents are read (the check below is not empty)."""
    assert {"returned-payment-fee", "cash-only-status", "deposit-amount", "deposit-refund-eligibility",
            "adjustment-approval", "lien-amount", "meter-reads"} <= set(rule_ids())


def test_no_rule_id_is_a_literal_in_the_engine():
    """engine/ names no rule document: it asks for the one tagged for a purpose, or the one of a kind."""
    found = named_in(ENGINE, rule_ids(), OTHER_MEANINGS, "engine")
    assert not found, "rule document ids in engine/ (use a tag, the kind, or a document's name):\n" + "\n".join(found)


def test_no_rule_id_is_a_literal_in_the_web_app():
    """webapp/ names none either: the start-service page reads the meter sizes of the document tagged
    service_deposit."""
    found = named_in(WEBAPP, rule_ids(), OTHER_MEANINGS, "webapp")
    assert not found, "rule document ids in webapp/ (use a tag, the kind, or a document's name):\n" + "\n".join(found)


def test_every_word_of_another_meaning_is_still_used_there():
    """Each allowed word is still a literal in each module allowed it (an allowance left over is taken off)."""
    for word, (_, modules) in OTHER_MEANINGS.items():
        for module in modules:
            literals = {text for _, text in string_constants(ENGINE / module)}
            assert word in literals, f"{word!r} is no longer in engine/{module}: take it off OTHER_MEANINGS"


def test_the_check_finds_a_rule_id_named_in_python(tmp_path):
    """A module that evaluates a document by its id is found, with its line; a word of another meaning is allowed
    only where it has that meaning."""
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "returns.py").write_text('"""Returns."""\nFEE = "returned-payment-fee"\n'
                                                      'KIND = "meter-reads"\n')
    assert named_in(tmp_path, rule_ids(), OTHER_MEANINGS, "engine") == [
        "engine/accounts/returns.py:2: 'returned-payment-fee' (the id of rules/finance/returned-payment-fee.yaml)",
        "engine/accounts/returns.py:3: 'meter-reads' (the id of rules/utilities/meter-reads.yaml)"]
