"""Tags on rule documents: what the program finds a document by, one document a tag, each on its kind.

The tags a document carries are read from its header (engine.rules.tagged); two documents
carrying one tag are refused with the file and line of one and the ids of both, whether they
come from a folder, an import or a draft; a stored revision keeps its tags, as written.
"""
from __future__ import annotations

import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from engine.rulebook import revisions, store
from engine.rulebook.drafting import check_draft
from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from engine.rules.loader import load_document
from engine.rules.tagged import PROGRAM_TAGS, RETURNED_PAYMENT_FEE, the_document_tagged
from engine.users import add_user

REPO_RULES = Path(__file__).resolve().parents[2] / "rules"
NOW = datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 24)
NSF_CHARGE = """\
id: nsf-charge
kind: schedule
title: Returned check charge
department: finance
tags: [returned_payment_fee]
versions:
  - effective: 2025-01-01
    lines:
      - name: Returned check charge
        amount: 30.00
"""


def test_the_sample_city_carries_every_tag_the_program_reads_once():
    """Each program tag is on exactly one sample document, of the tag's kind."""
    library = RuleLibrary.from_folder(REPO_RULES)
    for tag in PROGRAM_TAGS.values():
        [doc] = [doc for doc in library if tag.name in doc.tags]
        assert doc.kind == tag.kind and the_document_tagged(library, tag) is doc


def test_two_documents_with_one_tag_are_refused_naming_both(tmp_path):
    """A folder with a second returned-payment fee: the error is on the line of one's tag and names the other."""
    folder = tmp_path / "rules"
    shutil.copytree(REPO_RULES, folder)
    (folder / "finance" / "nsf-charge.yaml").write_text(NSF_CHARGE, encoding="utf-8")
    with pytest.raises(DocumentErrors) as refused:
        RuleLibrary.from_folder(folder)
    assert [str(error) for error in refused.value.errors] == [
        f"{folder}/finance/nsf-charge.yaml:5: tags[0]: returned-payment-fee "
        f"({folder}/finance/returned-payment-fee.yaml) already carries the tag returned_payment_fee: one document "
        "is the fee charged on a returned payment; take the tag off nsf-charge or off returned-payment-fee"]


def test_a_draft_carrying_a_tag_another_document_carries_is_refused_on_the_draft(db):
    """A new document drafted with the tag the published returned-payment-fee carries: refused, on the draft."""
    store.import_folder(db, REPO_RULES, actor="test", now=NOW, today=TODAY)
    checked = check_draft(db, "nsf-charge", NSF_CHARGE, TODAY)
    assert [str(error) for error in checked.errors] == [
        "nsf-charge (draft):5: tags[0]: returned-payment-fee (returned-payment-fee revision 1) already "
        "carries the tag returned_payment_fee: one document is the fee charged on a returned payment; take the tag "
        "off nsf-charge or off returned-payment-fee"]


def test_the_tag_moves_with_a_new_revision_and_the_program_finds_the_new_holder(db):
    """The published documents keep their tags; once returned-payment-fee's revision without the tag is published,
    nsf-charge may carry it, and the program's fee is nsf-charge's."""
    store.import_folder(db, REPO_RULES, actor="test", now=NOW, today=TODAY)
    library = revisions.published_library(db)
    assert the_document_tagged(library, RETURNED_PAYMENT_FEE).id == "returned-payment-fee"
    untagged = library.get("returned-payment-fee").text.replace("tags: [returned_payment_fee]\n", "")
    for username, role in (("sam", "supervisor"), ("ana", "admin")):
        add_user(db, username=username, full_name=username.title(), role=role, password="correct horse",
                 actor="test", now=NOW)
    store.import_documents(db, [load_document(untagged, "returned-payment-fee.yaml"),
                                load_document(NSF_CHARGE, "nsf-charge.yaml")],
                           actor="test", now=NOW, today=TODAY, author="sam", approver="ana")
    moved = revisions.published_library(db)
    assert the_document_tagged(moved, RETURNED_PAYMENT_FEE).id == "nsf-charge"
    assert moved.get("returned-payment-fee").tags == ()


def test_every_tag_the_program_reads_is_in_the_table_of_the_rules_format_page():
    """docs/rules-format.md has a row for each program tag, with its kind, and no row for a tag it does not read."""
    page = (REPO_RULES.parent / "docs" / "rules-format.md").read_text(encoding="utf-8")
    table = page[page.index("The tags the program reads:"):page.index("A document may carry only these tags")]
    rows = {line.split("|")[1].strip(" `"): line.split("|")[2].strip() for line in table.splitlines()
            if line.startswith("| `")}
    assert rows == {tag.name: tag.kind for tag in PROGRAM_TAGS.values()}
