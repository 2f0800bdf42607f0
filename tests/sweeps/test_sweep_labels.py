"""The name staff read a sweep by (engine.sweeps.registry.sweep_label): a built-in sweep's label, a sweep document's
`label` (else its title), and a removed sweep's id in words; a label changed by a new revision, without a version."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from engine.rulebook import store
from engine.rulebook.revisions import published_library
from engine.rules.diff import document_diff
from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.store.models import User
from engine.sweeps.registry import BUILT_IN, all_sweeps, sweep_label
from engine.sweeps.runner import SIGNED, signature

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"
TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 17, 0, tzinfo=timezone.utc)
LIENS = (RULES / "sweeps" / "liens.yaml").read_text(encoding="utf-8")
NO_LABEL = LIENS.replace("label: Liens\n", "")
SAMPLE_LABELS = {"delinquency": "Delinquency notices and shut-offs", "deposit-refunds": "Deposit refunds",
                 "liens": "Liens", "plan-defaults": "Payment-plan defaults", "renewals": "License renewals",
                 "balances-rollover": "Balances roll-over", "cash-only-review": "Cash-only review",
                 "audit-checkpoint": "Audit log checkpoint"}


@pytest.fixture(scope="module")
def rules() -> RuleLibrary:
    return RuleLibrary.from_folder(RULES)


def test_every_sweep_of_the_sample_city_has_a_name_in_words(rules):
    assert {name: sweep_label(name, rules) for name in all_sweeps(rules)} == SAMPLE_LABELS


def test_each_built_in_sweep_gives_its_label_beside_its_class():
    for name, cls in BUILT_IN.items():
        assert cls.label and cls.label == SAMPLE_LABELS[name] and cls.label != cls.title


def test_a_sweep_document_without_a_label_is_named_by_its_title(rules):
    unlabelled = load_document(NO_LABEL, "liens.yaml")
    assert "label" not in unlabelled.header
    library = RuleLibrary.from_documents([unlabelled, *(doc for doc in rules if doc.id != "liens")])
    assert sweep_label("liens", library) == \
        "Liens: notices of intent, withdrawals, the filing list, accounts eligible for a lien"


def test_a_sweep_the_city_no_longer_has_is_its_id_in_words(rules):
    assert sweep_label("closed-account-refunds", rules) == "Closed account refunds"
    assert sweep_label("late-fee", rules) == "Late fee"  # a rule document that is no sweep: not its title


def test_a_label_is_short_readable_text_and_only_a_sweep_has_one():
    with pytest.raises(DocumentErrors, match="liens.yaml:4: label: at most 60 characters, found 61"):
        load_document(LIENS.replace("label: Liens", "label: " + "L" * 61), "liens.yaml")
    late_fee = (RULES / "utilities" / "late-fee.yaml").read_text(encoding="utf-8")
    labelled = late_fee.replace("\nversions:", "\nlabel: Late fee\nversions:", 1)
    assert labelled != late_fee
    with pytest.raises(DocumentErrors, match='late-fee.yaml:11: label: unknown key "label"'):
        load_document(labelled, "late-fee.yaml")


def test_a_sweep_signs_what_it_does_and_the_signature_names_it():
    assert signature("liens") == "sweep:liens"
    assert [found["sweep"] for found in SIGNED.finditer("opened by sweep:liens; sweep:plan-defaults took it")] == \
        ["liens", "plan-defaults"]
    assert not SIGNED.search("carla") and not SIGNED.search("sweep: the night") and not SIGNED.search("cli:sweep:x")


def test_a_new_revision_changes_the_label_without_a_new_version_and_the_store_publishes_it(db):
    for username in ("sam", "sofia"):
        db.add(User(username=username, full_name=username.title(), role="supervisor", password_hash="-",
                    created_at=NOW))
    db.flush()
    store.import_folder(db, RULES, actor="test", now=NOW, today=TODAY)
    before = published_library(db).get("liens")
    renamed = load_document(LIENS.replace("label: Liens\n", "label: Liens and filings\n"), "liens.yaml")

    report = store.import_documents(db, [renamed], actor="test", now=NOW, today=TODAY, author="sam",
                                    approver="sofia")

    assert [(row.document_id, row.revision) for row in report.published] == [("liens", 2)]
    after = published_library(db)
    assert after.get("liens").versions == before.versions  # the version in force is as it was
    assert sweep_label("liens", after) == "Liens and filings"
    header, versions = document_diff(before, after.get("liens"))
    assert [str(change) for change in header] == ["Document, label: Liens → Liens and filings"]
    assert versions == []
