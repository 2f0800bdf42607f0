"""Hostile rule documents: each is refused, fast, with a message naming the document, the line and the key.

Every case goes through the reader the system uses: the draft check of the Rules pages
(`engine.rulebook.drafting.check_draft`, which also checks the document against the others) and,
for files, `ordinance rules validate`'s reading of a folder (`engine.rules.library.read_documents`).
None may raise anything but the document's errors, none may take more than a second or two, and
none may be accepted with a nonsense value in it.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.rulebook.drafting import check_draft
from engine.rules.library import RuleLibrary, read_documents
from webapp.cli import main

EXAMPLES = Path(__file__).parent / "examples"
TODAY = date(2026, 12, 7)

HEAD = """id: water-rates
kind: schedule
title: Water rates
inputs:
  consumption_ccf: {type: number, min: 0}
versions:
  - effective: 2026-07-01
    lines:
"""


def schedule(lines: str) -> str:
    """A water rate schedule with these lines (YAML indented as a version's list items)."""
    return HEAD + lines


def one_line(body: str) -> str:
    """A schedule with one line named A whose basis (and keys) are `body`."""
    return schedule("      - name: A\n" + body)


@pytest.fixture(scope="module")
def library():
    """The example documents, as the published ones a draft is checked against."""
    documents, errors = read_documents([EXAMPLES])
    assert errors == []
    return RuleLibrary.from_documents(documents)


def refused(library, text: str) -> list[str]:
    """The messages a draft is refused with (no timed assertion: a hang would stop the suite, a slow machine not)."""
    check = check_draft(library, None, text, TODAY, source="draft.yaml")
    assert not check.ok, "accepted"
    return [str(error) for error in check.errors]


BILLION_LAUGHS = "\n".join(
    [f"l0: &l0 [{', '.join(['lol'] * 9)}]"]
    + [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 9)]) + "\n"


@pytest.mark.parametrize("text, messages", [
    pytest.param(BILLION_LAUGHS, ["draft.yaml:1: l0: anchors (&name) are not allowed; write the value out"],
                 id="billion-laughs"),
    pytest.param("id: x\nkind: schedule\ntitle: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
                 ["draft.yaml:3: title" + ".a" * 31 + ": nested more than 32 levels deep"], id="deep-mappings"),
    pytest.param("id: x\nkind: schedule\ntitle: " + "[" * 50000 + "]" * 50000 + "\n",
                 ["draft.yaml:3: title" + "[0]" * 31 + ": nested more than 32 levels deep"], id="deep-lists"),
    pytest.param(one_line("        amount: 1.00\n        amount: 2.00\n"),
                 ["draft.yaml:11: versions[0].lines[0].amount: duplicate key 'amount' (first on line 10)"],
                 id="duplicate-key"),
    pytest.param(one_line("        amount: !!python/object/apply:os.system ['touch /tmp/owned']\n"),
                 ["draft.yaml:10: versions[0].lines[0].amount: tags (!!python/object/apply:os.system) are not allowed"],
                 id="python-tag"),
    pytest.param(one_line("        amount: 1e400\n"),
                 ["draft.yaml:10: versions[0].lines[0].amount: must be at most 10000000, not 1E+400"], id="1e400"),
    pytest.param(one_line("        amount: 1e99999999\n"),
                 ["draft.yaml:10: versions[0].lines[0].amount: must be at most 10000000, not 1E+99999999"],
                 id="1e99999999"),
    pytest.param(one_line("        amount: " + "9" * 5000 + "\n"),
                 ["draft.yaml:10: versions[0].lines[0].amount: a number of at most 40 characters (this one has 5000)"],
                 id="5000-digits"),
    pytest.param(one_line("        per_unit: {fact: consumption_ccf, rate: 1e-99999999}\n"),
                 ["draft.yaml:10: versions[0].lines[0].per_unit.rate: at most 6 decimals, not 1E-99999999"],
                 id="tiny-exponent"),
    pytest.param(one_line("        amount: .nan\n"),
                 ['draft.yaml:10: versions[0].lines[0].amount: expected a number, found the text ".nan"'], id="nan"),
    pytest.param(one_line("        amount: -.inf\n"),
                 ['draft.yaml:10: versions[0].lines[0].amount: expected a number, found the text "-.inf"'],
                 id="infinity"),
    pytest.param(one_line("        per_unit: {fact: consumption_ccf, rate: -2.05}\n"),
                 ["draft.yaml:10: versions[0].lines[0].per_unit.rate: must be at least 0, not -2.05"],
                 id="negative-rate"),
    pytest.param(one_line("        amount: -5.00\n"),
                 ["draft.yaml:10: versions[0].lines[0].amount: must be at least 0, not -5.00 "
                  "(only a line with credit: true may be below zero)"], id="negative-amount"),
    pytest.param(one_line("        per_unit: {fact: consumption_ccf, rate: 2.05000000000000000001}\n"),
                 ["draft.yaml:10: versions[0].lines[0].per_unit.rate: at most 6 decimals, not 2.05000000000000000001",
                  "draft.yaml:10: versions[0].lines[0].per_unit.rate: at most 12 significant digits, "
                  "not 2.05000000000000000001"], id="rate-with-20-decimals"),
    pytest.param(one_line("        amount: 1.00\n").replace("2026-07-01", "0001-01-01"),
                 ["draft.yaml:7: versions[0].effective: must be on or after 1900-01-01, not 0001-01-01"],
                 id="year-1"),
    pytest.param(one_line("        amount: 1.00\n").replace("2026-07-01", "9999-12-31"),
                 ["draft.yaml:7: versions[0].effective: must be on or before 2199-12-31, not 9999-12-31"],
                 id="year-9999"),
    pytest.param(one_line("        amount: 1.00\n").replace("2026-07-01", "2026-02-30"),
                 ["draft.yaml:7: versions[0].effective: 2026-02-30 is not a date of the calendar"], id="february-30"),
    pytest.param(one_line("        amount: 1.00\n") + "  - effective: 2026-01-01\n    lines:\n      - name: A\n"
                 "        amount: 2.00\n",
                 ["draft.yaml:11: versions[1].effective: versions must ascend by effective date: "
                  "2026-01-01 comes after 2026-07-01"], id="versions-out-of-order"),
    pytest.param(one_line("        amount: 1.00\n") + "  - effective: 2026-07-01\n    lines:\n      - name: A\n"
                 "        amount: 2.00\n",
                 ["draft.yaml:11: versions[1].effective: two versions take effect on 2026-07-01 "
                  "(versions[0] and versions[1])"], id="versions-on-one-date"),
    pytest.param(one_line("        tiers: {fact: consumption_ccf, blocks: [{upto: 10, rate: 1}, {upto: 10.0, rate: 2}, "
                          "{rate: 3}]}\n"),
                 ["draft.yaml:10: versions[0].lines[0].tiers.blocks[1].upto: upto 10.0 overlaps the block before "
                  "(also upto 10); each upto must be above the last"], id="overlapping-tiers"),
    pytest.param(one_line("        tiers: {fact: consumption_ccf, blocks: [{upto: 10, rate: 1}, {upto: 5, rate: 2}, "
                          "{rate: 3}]}\n"),
                 ["draft.yaml:10: versions[0].lines[0].tiers.blocks[1].upto: upto 5 is below the block before "
                  "(upto 10); blocks must ascend"], id="tier-upto-below-the-one-before"),
    pytest.param(one_line("        tiers: {fact: consumption_ccf, blocks: [{upto: 10, rate: 1}, {upto: 20, rate: 2}]}\n"),
                 ["draft.yaml:10: versions[0].lines[0].tiers.blocks[1].upto: the last block must be open: remove its "
                  "upto"], id="tiers-with-a-gap-at-the-top"),
    pytest.param(one_line("        tiers: {fact: consumption_ccf, blocks: [{upto: 0, rate: 1}, {rate: 2}]}\n"),
                 ["draft.yaml:10: versions[0].lines[0].tiers.blocks[0].upto: must be above 0, not 0"],
                 id="tier-of-nothing"),
    pytest.param(HEAD.replace("versions:\n  - effective: 2026-07-01\n    lines:\n", "versions: []\n"),
                 ["draft.yaml:6: versions: must not be empty"], id="no-versions"),
    pytest.param(HEAD.replace("    lines:\n", "    lines: []\n"),
                 ["draft.yaml:8: versions[0].lines: must not be empty"], id="empty-version"),
    pytest.param(one_line("        amount: 1.00\n").replace("id: water-rates", "id: wаter-rates"),
                 ['draft.yaml:1: id: expected lowercase letters, digits and -, found the text "wаter-rates"'],
                 id="unicode-id"),
    pytest.param(one_line("        amount: 1.00\n").replace("id: water-rates", "id: ../../etc/passwd"),
                 ['draft.yaml:1: id: expected lowercase letters, digits and -, found the text "../../etc/passwd"'],
                 id="id-with-path-separators"),
    pytest.param(one_line("        amount: 1.00\n") + "# " + "x" * 10_000_000 + "\n",
                 ["draft.yaml:1: the file is 10000187 bytes; a rule document is at most 262144 (256 KiB)"],
                 id="10-megabytes"),
    pytest.param("id: x\nkind: schedule\ntitle: T\nversions: [" + ", ".join(["1"] * 25000) + "]\n",
                 ["draft.yaml:4: versions[19991]: more than 20000 values in one file; split it"], id="many-values"),
    pytest.param(one_line("        when: {fact: consumption, gt: 1}\n        amount: 1.00\n"),
                 ['draft.yaml:10: versions[0].lines[0].when.fact: a condition names "consumption", which is not a '
                  'declared input (declared: consumption_ccf)'], id="condition-on-an-undefined-input"),
    pytest.param(one_line("        per_unit: {fact: gallons, rate: 0.01}\n"),
                 ['draft.yaml:10: versions[0].lines[0].per_unit.fact: per_unit names "gallons", which is not a '
                  'declared input (declared: consumption_ccf)'], id="rate-of-an-undefined-input"),
    pytest.param(schedule("      - name: A\n        percent: {of: {line: B}, rate: 5}\n"
                          "      - name: B\n        percent: {of: {line: A}, rate: 5}\n"),
                 ['draft.yaml:10: versions[0].lines[0].percent.of.line: "B" comes later; percent of a line names an '
                  'earlier line'], id="lines-that-refer-to-each-other"),
    pytest.param(one_line("        percent: {of: {line: A}, rate: 5}\n"),
                 ['draft.yaml:10: versions[0].lines[0].percent.of.line: "A" is this line itself; percent of a line '
                  'names an earlier line'], id="line-that-refers-to-itself"),
    pytest.param(one_line("        amount: 1.00\n").replace("name: A", "name: " + "A" * 5000),
                 ["draft.yaml:9: versions[0].lines[0].name: at most 200 characters, found 5000"], id="name-of-5000"),
    pytest.param(one_line("        amount: 1.00\n").replace("name: A", 'name: "Water\\u202eesu"'),
                 ["draft.yaml:9: versions[0].lines[0].name: the character #x202e (character 6) is not allowed in a "
                  "text"], id="name-that-reads-backwards"),
    pytest.param(one_line("        amount: 1.00\n").replace("name: A", 'name: "  "'),
                 ["draft.yaml:9: versions[0].lines[0].name: must hold a visible character, not only spaces"],
                 id="blank-name"),
    pytest.param(one_line("        amount: 1.00\n").replace("title: Water rates", 'title: "Water\\0rates"'),
                 ["draft.yaml:3: title: the character #x0000 (character 6) is not allowed in a text"],
                 id="nul-in-title"),
    pytest.param(one_line("        amount: 1.00\n").replace("kind: schedule", "kind: sched\udcffule"),
                 ["draft.yaml:2: the character #xdcff is not Unicode text (is the file UTF-8?)"],
                 id="text-that-is-not-unicode"),
])
def test_a_hostile_draft_is_refused_quickly_naming_line_and_key(library, text, messages):
    """Bombs, tags, out-of-range numbers and dates, bad tiers and versions, odd ids and texts: refused, in words."""
    assert refused(library, text) == messages


def test_a_condition_that_multiplies_out_past_the_engine_is_refused_quickly(library):
    """40 `any`s of 3 under one `all` would be 3^40 alternatives: refused without writing them out."""
    facts = "".join(f"  f{n}: {{type: integer}}\n" for n in range(41))
    anys = "".join(f"            - any: [{{fact: f{n}, eq: 1}}, {{fact: f{n + 1}, eq: 2}}, {{fact: f{n}, eq: 3}}]\n"
                   for n in range(40))
    text = ("id: hold\nkind: criteria\ntitle: Hold\ninputs:\n" + facts + "versions:\n  - effective: 2026-07-01\n"
            "    rules:\n      - name: R\n        when:\n          all:\n" + anys + "        then: {hold: true}\n")
    assert refused(library, text) == [
        "draft.yaml:50: versions[0].rules[0].when: the condition is too complex for durable_rules (at most 256 "
        "alternatives of 31 tests); split the rule"]


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    """A file of the folder with this text."""
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_a_file_named_otherwise_than_its_id_is_refused(tmp_path):
    """`ordinance rules validate` reads one document per file, named after its id."""
    _write(tmp_path, "sewer-rates.yaml", one_line("        amount: 1.00\n"))
    documents, errors = read_documents([tmp_path])
    assert documents == []
    assert [str(e) for e in errors] == [
        f'{tmp_path}/sewer-rates.yaml:1: id: the file is named "sewer-rates.yaml" but the document\'s id is '
        f'"water-rates": a rule file is named after its id (water-rates.yaml)']


def test_a_huge_file_is_refused_without_being_read_whole(tmp_path):
    """A sparse 10 GB file is refused by its size (read whole, it would fill the memory); a device named on the command line is not read at all."""
    huge = tmp_path / "water-rates.yaml"
    with huge.open("wb") as handle:
        handle.truncate(10 * 1024 ** 3)
    documents, errors = read_documents([huge, Path(os.devnull)])
    assert [str(e) for e in errors] == [
        f"{huge}:1: the file is 10737418240 bytes; a rule document is at most 262144 (256 KiB)",
        f"{os.devnull}:1: not a file or folder"]


def test_a_file_not_in_utf8_is_refused(tmp_path):
    """Bytes that are not UTF-8 are named as such, never a traceback."""
    _write(tmp_path, "water-rates.yaml", one_line("        amount: 1.00\n").encode("utf-8").replace(b"A\n", b"\xff\n"))
    _, errors = read_documents([tmp_path])
    assert [str(e) for e in errors] == [f"{tmp_path}/water-rates.yaml:1: not UTF-8 text"]


def test_ordinance_rules_validate_lists_each_hostile_file_in_words(tmp_path):
    """The command line reads a folder of hostile files: status 1, one line per mistake, no traceback."""
    _write(tmp_path, "water-rates.yaml", BILLION_LAUGHS)
    _write(tmp_path, "sewer-rates.yaml", one_line("        amount: 1e400\n").replace("id: water-rates", "id: sewer-rates"))
    _write(tmp_path, "late-fee.yaml", one_line("        amount: 1.00\n").replace("id: water-rates", "id: late-fees"))
    _write(tmp_path, "refuse.yaml", b"id: refuse\nkind: sched\xffule\n")
    result = CliRunner().invoke(main, ["rules", "validate", str(tmp_path), "--rules-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout.splitlines() == [
        f'{tmp_path}/late-fee.yaml:1: id: the file is named "late-fee.yaml" but the document\'s id is "late-fees": '
        f'a rule file is named after its id (late-fees.yaml)',
        f"{tmp_path}/refuse.yaml:1: not UTF-8 text",
        f"{tmp_path}/sewer-rates.yaml:10: versions[0].lines[0].amount: must be at most 10000000, not 1E+400",
        f"{tmp_path}/water-rates.yaml:1: l0: anchors (&name) are not allowed; write the value out",
        "4 errors in 4 files",
    ]


@pytest.mark.parametrize("day, message", [
    ("02-30", "02-30 is not a day of the year (February has at most 29 days; April, June, September and November 30)"),
    ("04-31", "04-31 is not a day of the year (February has at most 29 days; April, June, September and November 30)"),
])
def test_a_renewal_term_on_a_day_no_year_has_is_refused(library, day, message):
    """`term: {every: year, date: 02-30}` was read as the end of February: a day no year has is a mistake."""
    text = (EXAMPLES / "business-license-renewal.yaml").read_text().replace("date: 12-31", f"date: {day}")
    assert refused(library, text) == [f"draft.yaml:11: versions[0].term.date: {message}"]


def test_february_29_stays_a_renewal_day(library):
    """02-29 is a day of leap years (Feb 28 in the others), as the format says."""
    text = (EXAMPLES / "business-license-renewal.yaml").read_text().replace("date: 12-31", "date: 02-29")
    assert check_draft(library, None, text, TODAY, source="draft.yaml").ok


def test_a_yearly_date_on_a_day_its_month_never_has_is_refused(library):
    """`{every: year, month: 2, day: 30}` names no day; `day: 29` (leap years) and `every: month, day: 31` do."""
    text = """id: council-calendar
kind: calendar
title: Council
versions:
  - effective: 2026-01-01
    closed_weekdays: [sat, sun]
    recurring:
      tax_roll_closes: {every: year, month: 2, day: 30}
      leap_day: {every: year, month: 2, day: 29}
      month_end: {every: month, day: 31}
"""
    assert refused(library, text) == [
        "draft.yaml:8: versions[0].recurring.tax_roll_closes.day: month 2 has no day 30 in any year"]
