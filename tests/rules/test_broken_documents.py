"""Every deliberately broken document in tests/rules/broken/ gives exactly its message.

Each file holds one mistake a supervisor could make; the table says what `ordinance rules
validate` must print for it (`file:line: path: message`, the file name left out of the
table). References to other documents resolve against the RULES-FORMAT.md examples.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary, read_documents

BROKEN = Path(__file__).parent / "broken"
EXAMPLES = Path(__file__).parent / "examples"

EXPECTED = {
    'alias.yaml':
        '12: versions[0].lines[0].amount: anchors (&name) are not allowed; write the value out',
    'amount-blocks-incremental.yaml': (
        '14: versions[0].lines[0].tiers.blocks[0].amount: a block may have amount only with mode: all_units',
        '14: versions[0].lines[0].tiers.blocks[1].amount: a block may have amount only with mode: all_units',
        '14: versions[0].lines[0].tiers.blocks[2].amount: a block may have amount only with mode: all_units',
    ),
    'amount-is-text.yaml':
        '12: versions[0].lines[0].amount: expected a number, found the text "sixteen dollars"',
    'bad-id.yaml':
        '1: id: expected lowercase letters, digits and -, found the text "Sewer_Charge"',
    'bad-input-type.yaml':
        '6: inputs.consumption_ccf.type: expected one of number, integer, money, boolean, text, date, list; found the text "decimal"',
    'bad-kind.yaml':
        '2: kind: expected one of schedule, criteria, calendar, deadline, measure, services, payment-order, '
        'sweep, bill-messages, meter-reads, billing; found the text "decision_table"',
    'bad-roll.yaml':
        '7: versions[0].timeline.due.roll: expected one of office_day, shutoff_day; found the text "next_business_day"',
    'bad-weekday.yaml':
        '8: versions[0].no_shutoff.weekdays[0]: expected a weekday: mon, tue, wed, thu, fri, sat or sun, found the text "fry"',
    'bill-day-too-late.yaml':
        '7: versions[0].cycles.A.bill_day: must be at most 31, not 32',
    'calendar-with-inputs.yaml':
        '4: inputs: unknown key "inputs" (allowed here: id, kind, title, department, description, tags, versions)',
    'condition-undeclared-fact.yaml':
        '16: versions[0].rules[0].when.all[1].fact: a condition names "past_due_amount", which is not a declared input (declared: past_due_balance, days_past_due, medical_certificate, account_class)',
    'criteria-bad-hit.yaml':
        '11: versions[0].hit: expected one of first, unique, all; found the text "any"',
    'deadline-calendar-is-schedule.yaml':
        '10: versions[0].calendar: "license-late-penalty" is a schedule, not a calendar',
    'deadline-missing-calendar.yaml':
        '10: versions[0].calendar: no calendar named "city-calender" among the rule documents',
    'deadline-missing-schedule.yaml':
        '10: versions[0].late_penalty.schedule: no schedule named "food-truck-late-penalty" among the rule documents',
    'deadline-term-date.yaml':
        '9: versions[0].term.date: expected a day of the year, MM-DD, found the text "12-32"',
    'deadline-without-expiry.yaml':
        '4: inputs: a deadline reads expires_on or issued_on; declare at least one as a date input',
    'default-below-min.yaml':
        '6: inputs.consumption_ccf.default: -1 is below the min of consumption_ccf (0)',
    'default-outside-values.yaml':
        '5: inputs.meter_size.default: "5/8"" is not among the values of meter_size (3/4", 1")',
    'duplicate-key.yaml':
        "13: versions[0].lines[0].amount: duplicate key 'amount' (first on line 12)",
    'duplicate-line-name.yaml':
        '13: versions[0].lines[1].name: line name "Sewer charge" is already used by lines[0]',
    'empty.yaml':
        '1: the file is empty',
    'eq-not-among-values.yaml':
        '13: versions[0].rules[0].when.account_class: "comercial" is not among the values of account_class (residential, commercial)',
    'gt-on-text.yaml':
        '13: versions[0].rules[0].when.gte: gte applies to numbers, money and dates; account_class is text',
    'gt-with-text-value.yaml':
        '13: versions[0].rules[0].when.gt: expected a number or a date, found the text "ninety"',
    'holiday-not-a-date.yaml':
        '7: versions[0].holidays.2026-13-01: the key "2026-13-01" is not valid here: expected a date, YYYY-MM-DD',
    'input-named-any.yaml':
        '5: inputs.any: "any" is a word of conditions and cannot name an input',
    'invalid-date.yaml':
        '6: versions[0].holidays[0]: 2026-02-30 is not a date of the calendar',
    'leaf-without-comparison.yaml':
        '13: versions[0].rules[0].when: the condition on days_past_due needs a comparison: eq, ne, gt, gte, lt, lte, in, not_in, exists',
    'line-min-above-max.yaml':
        '12: versions[0].lines[0].max: max 5 is below min 10',
    'line-ref-later.yaml':
        '12: versions[0].lines[0].percent.of.line: "Water base charge" comes later; percent of a line names an earlier line',
    'line-ref-unknown.yaml':
        '14: versions[0].lines[1].percent.of.line: no line is named "Water base"; percent of a line names an earlier line',
    'min-on-boolean.yaml':
        '7: inputs.sewer.min: min applies to numbers, money and dates; sewer is boolean',
    'measure-gt-on-text.yaml':
        '11: versions[0].count.where.service.gt: gt applies to dates, money and whole numbers; service of charges is text',
    'measure-money-compared-to-text.yaml':
        '11: versions[0].count.where.unpaid.gte: unpaid of charges is money: expected an amount of money, found the text "lots"',
    'measure-no-aggregation.yaml':
        '7: versions[0]: a measure version needs one aggregation: count, sum, earliest, latest or days_since',
    'measure-stream-of-other-subject.yaml':
        '9: versions[0].count.of: "returned_payments" is not a stream of a license (its streams: renewals, penalties, notices)',
    'measure-sum-of-text.yaml':
        '10: versions[0].sum.field: a sum adds up money; tender of payments is text',
    'measure-two-aggregations.yaml':
        '9: versions[0].latest: a measure version has exactly one aggregation; this one has count and latest',
    'measure-types-differ.yaml':
        '10: versions[1].latest: every version of a measure gives one type of fact: versions[0] gives integer (count), this one date (latest)',
    'measure-unknown-field.yaml':
        '11: versions[0].sum.where.servce: "servce" is not a field of charges (its fields: date, id, service, rule, period, due, amount, unpaid, days_past_due, reversed)',
    'measure-window-too-long.yaml':
        '10: versions[0].count.within.years: must be at most 10, not 11',
    'measure-window-two-units.yaml':
        '10: versions[0].count.within: a window is one of days, months or years; this one has months and days',
    'measure-without-provides.yaml':
        '1: missing required key "provides"',
    'missing-title.yaml':
        '1: missing required key "title"',
    'multiply-by-text.yaml':
        '12: versions[0].lines[0].multiply_by.fact: multiply_by needs a number; months_late is text',
    'no-basis.yaml':
        '11: versions[0].lines[0]: a line needs one basis: amount, table, per_unit, tiers or percent',
    'not-a-mapping.yaml':
        '1: a rule document is a mapping with id, kind, title and versions',
    'number-compared-to-text.yaml':
        '13: versions[0].rules[0].when.eq: days_past_due is integer: expected a whole number, found the text "ninety"',
    'on-in-condition.yaml':
        '12: versions[0].lines[0].when.sewer: sewer is boolean: expected true or false, found the text "on" (only true and false are booleans; yes, no, on, off are text)',
    'oversize.yaml':
        '1: the file is 270267 bytes; a rule document is at most 262144 (256 KiB)',
    'percent-of-two-things.yaml':
        '12: versions[0].lines[1].percent.of: expected subtotal, {line: NAME} or {fact: F}, found a mapping of line, fact',
    'period-backwards.yaml':
        '8: versions[0].no_shutoff.periods[0].to: the period ends (2026-12-15) before it starts (2027-01-05)',
    'python-tag.yaml':
        '12: versions[0].lines[0].amount: tags (!!python/object/apply:os.system) are not allowed',
    'quoted-effective-date.yaml':
        '9: versions[0].effective: expected a date (YYYY-MM-DD), found the text "2026-01-01" (write a date without quotes)',
    'retired-first.yaml':
        '6: versions[0].retired: the first version cannot be retired: nothing is in force before it',
    'retired-twice.yaml':
        '11: versions[2].retired: versions[1] already retired the document',
    'retired-with-lines.yaml':
        '14: versions[1].lines: a retired version has only effective, retired, reference and adopted; remove "lines"',
    'shorthand-two-facts.yaml':
        '12: versions[0].lines[0].when: a shorthand condition names one fact; for several, use all: [..] (found sewer, meter_size)',
    'shorthand-undeclared-fact.yaml':
        '12: versions[0].lines[0].when.has_sewer: a condition names "has_sewer", which is not a declared input (declared: meter_size, consumption_ccf, sewer)',
    'step-after-unknown.yaml':
        '8: versions[0].timeline.door_hanger.after: no earlier step named "shutoff_notice" (earlier steps: bill, due)',
    'step-days-and-office-days.yaml':
        '7: versions[0].timeline.due: a step has either days or office_days, not both',
    'syntax-error.yaml':
        "13: not valid YAML: expected ',' or ']', but got '<stream end>' (while parsing a flow sequence)",
    'tag.yaml':
        '12: versions[0].lines[0].amount: tags (!!float) are not allowed',
    'tag-not-a-word.yaml': (
        '4: tags: lists the same value twice',
        '4: tags[0]: expected a tag: lower-case letters, digits and _, starting with a letter, found the text "Returned Payment Fee"',
    ),
    'tag-unknown.yaml':
        '5: tags[0]: unknown tag "returned_payment_fees"; the tags the program reads: adjustment_approval, cash_only_status, lien_amount, returned_payment_fee, service_deposit',
    'tag-wrong-kind.yaml':
        '4: tags[0]: the tag returned_payment_fee is for a schedule document (the fee charged on a returned payment); this one is a criteria',
    'then-misspelled.yaml': (
        '12: versions[0].rules[0]: missing required key "then"',
        '14: versions[0].rules[0].than: unknown key "than" (allowed here: name, when, then, for)',
    ),
    'tiers-by-with-list.yaml':
        '15: versions[0].lines[0].tiers.blocks: with by: meter_size, blocks is a mapping from each value of meter_size to a block list',
    'tiers-mapping-without-by.yaml':
        '12: versions[0].lines[0].tiers.blocks: a mapping of block lists needs by: naming the fact the blocks depend on',
    'tiers-no-open-block.yaml':
        '14: versions[0].lines[0].tiers.blocks[1].upto: the last block must be open: remove its upto',
    'tiers-on-text.yaml':
        '13: versions[0].lines[0].tiers.fact: tiers needs a number; meter_size is text',
    'tiers-open-block-early.yaml':
        '14: versions[0].lines[0].tiers.blocks[1]: only the last block may be open (without upto)',
    'tiers-overlapping.yaml':
        '14: versions[0].lines[0].tiers.blocks[1].upto: upto 7 overlaps the block before (also upto 7); each upto must be above the last',
    'tiers-unordered.yaml':
        '14: versions[0].lines[0].tiers.blocks[1].upto: upto 7 is below the block before (upto 12); blocks must ascend',
    'timeline-lists-bill.yaml':
        '7: versions[0].timeline.bill: bill is the first step of every timeline and is not listed',
    'two-bases.yaml':
        '11: versions[0].lines[0]: a line has exactly one basis; this one has amount and per_unit',
    'two-documents.yaml':
        '2: one document per file: remove the second `---` document',
    'unknown-key-block.yaml':
        '14: versions[0].lines[0].tiers.blocks[0].rat: unknown key "rat" (allowed here: upto, rate, amount)',
    'unknown-key-grace.yaml':
        '10: versions[0].grace.roll: unknown key "roll" (allowed here: days)',
    'unknown-key-input.yaml':
        '5: inputs.meter_size.valus: unknown key "valus" (allowed here: type, values, min, max, default, required)',
    'unknown-key-leaf.yaml':
        '13: versions[0].rules[0].when.lessthan: unknown key "lessthan" (allowed here: fact, eq, ne, gt, gte, lt, lte, in, not_in, exists, contains)',
    'unknown-key-line.yaml':
        '12: versions[0].lines[0].whenn: unknown key "whenn" (allowed here: name, when, months, min, max, multiply_by, amount, table, per_unit, tiers, percent, credit, service)',
    'unknown-key-step.yaml':
        '7: versions[0].timeline.due.weeks: unknown key "weeks" (allowed here: after, days, office_days, months, day, roll)',
    'unknown-key-top.yaml': (
        '1: missing required key "title"',
        '3: titel: unknown key "titel" (allowed here: id, kind, title, department, description, tags, versions, inputs)',
    ),
    'unknown-key-version.yaml':
        '10: versions[0].referance: unknown key "referance" (allowed here: effective, reference, adopted, retired, lines, service, minimum, maximum, rounding, proration)',
    'versions-is-mapping.yaml':
        '4: versions: expected a list, found a mapping of effective, lines',
    'versions-same-date.yaml':
        '12: versions[1].effective: two versions take effect on 2026-01-01 (versions[0] and versions[1])',
    'versions-unordered.yaml':
        '12: versions[1].effective: versions must ascend by effective date: 2025-07-01 comes after 2026-01-01',
    'yes-as-default.yaml':
        '7: inputs.sewer.default: expected true or false for sewer, found the text "yes" (only true and false are booleans; yes, no, on, off are text)',
    'yes-for-boolean.yaml':
        '9: versions[0].no_shutoff.before_holiday: expected true or false, found the text "yes" (only true and false are booleans; yes, no, on, off are text)',
}


@pytest.fixture(scope="module")
def examples():
    """The example documents, which broken documents may refer to."""
    documents, errors = read_documents([EXAMPLES])
    assert errors == []
    return documents


def test_every_broken_file_has_its_message_and_every_message_its_file():
    """The table and the folder list the same cases, and there are at least 30 of them."""
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(EXPECTED)
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_document_gives_exact_message(name, examples):
    """Reading the file (and checking its references) fails with exactly the expected errors."""
    expected = EXPECTED[name]
    expected = expected if isinstance(expected, tuple) else (expected,)
    with pytest.raises(DocumentErrors) as failure:
        RuleLibrary.from_paths([BROKEN / name], known=examples, named_after_id=False)
    assert [str(e).replace(f"{BROKEN}/", "") for e in failure.value.errors] == [f"{name}:{m}" for m in expected]
