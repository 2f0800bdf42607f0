"""The rule library: a folder of documents by id, checked against each other, evaluated by kind."""
from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine.rules.errors import DocumentErrors, EvaluationError
from engine.rules.library import RuleLibrary

EXAMPLES = Path(__file__).parent / "examples"


@pytest.fixture
def folder(tmp_path):
    """A copy of the examples in nested folders, one of them as .yml."""
    (tmp_path / "licensing").mkdir()
    (tmp_path / "utilities").mkdir()
    for name in ("business-license-renewal", "license-late-penalty"):
        shutil.copy(EXAMPLES / f"{name}.yaml", tmp_path / "licensing" / f"{name}.yaml")
    shutil.copy(EXAMPLES / "water-rates-residential.yaml", tmp_path / "utilities" / "water-rates-residential.yml")
    shutil.copy(EXAMPLES / "city-calendar.yaml", tmp_path / "city-calendar.yaml")
    shutil.copy(EXAMPLES / "lien-eligibility.yaml", tmp_path / "lien-eligibility.yaml")
    (tmp_path / "notes.txt").write_text("not a rule document")
    return tmp_path


def messages(failure) -> list[str]:
    """The errors of a DocumentErrors, with the folder left out of the file names."""
    return [str(e) for e in failure.value.errors]


def test_a_folder_is_read_recursively_yaml_and_yml(folder):
    """Five documents in three folders, by id; other files are ignored."""
    library = RuleLibrary.from_folder(folder)
    assert [doc.id for doc in library] == ["business-license-renewal", "city-calendar", "license-late-penalty",
                                           "lien-eligibility", "water-rates-residential"]
    assert library.get("water-rates-residential").source.endswith("water-rates-residential.yml")
    assert "city-calendar" in library and len(library) == 5


def test_an_unknown_id_is_an_evaluation_error(folder):
    """The exact message of the library."""
    with pytest.raises(EvaluationError) as failure:
        RuleLibrary.from_folder(folder).get("sewer-rates")
    assert str(failure.value) == "no rule document named sewer-rates"


def test_two_files_with_one_id_are_refused(folder):
    """Ids are unique across all documents; the second file is named with the first."""
    shutil.copy(EXAMPLES / "city-calendar.yaml", folder / "utilities" / "city-calendar.yaml")
    with pytest.raises(DocumentErrors) as failure:
        RuleLibrary.from_folder(folder)
    assert messages(failure) == [
        f'{folder}/utilities/city-calendar.yaml:1: id: "city-calendar" is already the id of {folder}/city-calendar.yaml']


def test_a_file_not_named_after_its_id_is_refused_naming_both(folder):
    """One document per file, named after its id: a copy under another name is not taken for a second document."""
    shutil.copy(EXAMPLES / "city-calendar.yaml", folder / "utilities" / "shutoff-calendar.yaml")
    with pytest.raises(DocumentErrors) as failure:
        RuleLibrary.from_folder(folder)
    assert messages(failure) == [
        f'{folder}/utilities/shutoff-calendar.yaml:1: id: the file is named "shutoff-calendar.yaml" but the '
        f'document\'s id is "city-calendar": a rule file is named after its id (city-calendar.yaml)']


def test_every_error_of_every_file_is_collected(folder):
    """A broken file and a deadline whose calendar and penalty are gone: all reported together."""
    (folder / "city-calendar.yaml").unlink()
    (folder / "licensing" / "license-late-penalty.yaml").unlink()
    (folder / "utilities" / "broken.yaml").write_text("id: broken\nkind: schedule\ntitle: Broken\nversions: []\n")
    with pytest.raises(DocumentErrors) as failure:
        RuleLibrary.from_folder(folder)
    renewal = f"{folder}/licensing/business-license-renewal.yaml"
    assert messages(failure) == [
        f'{renewal}:10: versions[0].calendar: no calendar named "city-calendar" among the rule documents',
        f'{renewal}:16: versions[0].late_penalty.schedule: no schedule named "license-late-penalty" among the rule documents',
        f"{folder}/utilities/broken.yaml:4: versions: must not be empty",
    ]


def test_a_penalty_schedule_must_be_fed_by_the_deadline(folder):
    """The penalty reads license_fee; a renewal that does not declare it cannot feed it."""
    renewal = folder / "licensing" / "business-license-renewal.yaml"
    renewal.write_text(renewal.read_text().replace("  license_fee: {type: money}\n", ""))
    with pytest.raises(DocumentErrors) as failure:
        RuleLibrary.from_folder(folder)
    assert messages(failure) == [
        f"{renewal}:15: versions[0].late_penalty.schedule: license-late-penalty reads license_fee, "
        "which business-license-renewal does not declare"]


def test_a_missing_folder_is_an_error(tmp_path):
    """Not an empty library: a mistyped folder is reported."""
    with pytest.raises(DocumentErrors) as failure:
        RuleLibrary.from_folder(tmp_path / "rulez")
    assert messages(failure) == [f"{tmp_path}/rulez:1: no such file or folder"]


def test_evaluate_dispatches_a_schedule_to_its_evaluator(folder):
    """12 CCF on a 3/4 inch meter with sewer on 2026-02-01 is $89.01 (the format's worked example)."""
    library = RuleLibrary.from_folder(folder)
    result = library.evaluate("water-rates-residential", {"meter_size": '3/4"', "consumption_ccf": Decimal("12")},
                              date(2026, 2, 1))
    assert result.to_json()["total"] == "89.01"


def test_a_period_is_for_schedules_only(folder):
    """A calendar evaluated with a period is refused before anything runs."""
    library = RuleLibrary.from_folder(folder)
    with pytest.raises(EvaluationError) as failure:
        library.evaluate("city-calendar", {"cycle": "A", "period": "2026-03"}, date(2026, 3, 1),
                         period=(date(2026, 3, 1), date(2026, 3, 31)))
    assert str(failure.value) == "a period applies to schedules only; city-calendar is a calendar"


def test_from_documents_accepts_documents_already_read(folder):
    """A library of documents read elsewhere (the rule store) is checked the same way."""
    documents = list(RuleLibrary.from_folder(folder))
    assert len(RuleLibrary.from_documents(documents)) == 5
    with pytest.raises(DocumentErrors, match="no calendar named"):
        RuleLibrary.from_documents([d for d in documents if d.id != "city-calendar"])


def test_a_term_applies_to_schedules_only(folder):
    """The kind says so (RuleKind.takes_term), as it says whether a period applies."""
    from engine.rules.kinds import REGISTRY
    assert [name for name, kind in REGISTRY.items() if kind.takes_term] == ["schedule"]
    library = RuleLibrary.from_folder(folder)
    with pytest.raises(EvaluationError) as failure:
        library.evaluate_term("city-calendar", {}, date(2026, 7, 1), date(2027, 6, 30))
    assert str(failure.value) == "a term applies to schedules only; city-calendar is a calendar"
