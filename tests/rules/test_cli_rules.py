"""`ordinance rules`: validate, eval, lint, show and schema, as a clerk or supervisor runs them."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from webapp.cli import main

EXAMPLES = Path(__file__).parent / "examples"
BROKEN = Path(__file__).parent / "broken"
REPO_RULES = Path(__file__).resolve().parents[2] / "rules"


@pytest.fixture
def run():
    """Run `ordinance rules ...` and return the result (stdout and stderr kept apart)."""
    runner = CliRunner()
    return lambda *args, stdin=None: runner.invoke(main, ["rules", *args], input=stdin)


@pytest.fixture
def rules_dir(tmp_path):
    """A rules folder holding the RULES-FORMAT.md examples."""
    shutil.copytree(EXAMPLES, tmp_path / "rules")
    return tmp_path / "rules"


def test_validate_counts_the_valid_documents(run, rules_dir):
    """Five examples: one line saying so, status 0."""
    result = run("validate", str(rules_dir))
    assert (result.exit_code, result.stdout) == (0, "5 documents are valid\n")


def test_validate_prints_every_error_with_file_line_and_path(run, rules_dir):
    """Two broken files beside good ones: both errors and a count, status 1."""
    shutil.copy(BROKEN / "tiers-overlapping.yaml", rules_dir)
    shutil.copy(BROKEN / "yes-for-boolean.yaml", rules_dir)
    result = run("validate", str(rules_dir))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{rules_dir}/tiers-overlapping.yaml:14: versions[0].lines[0].tiers.blocks[1].upto: "
        "upto 7 overlaps the block before (also upto 7); each upto must be above the last",
        f"{rules_dir}/yes-for-boolean.yaml:9: versions[0].no_shutoff.before_holiday: expected true or false, "
        'found the text "yes" (only true and false are booleans; yes, no, on, off are text)',
        "2 errors in 2 files",
    ]


def test_validate_one_file_resolves_references_in_the_rules_folder(run, rules_dir):
    """The renewal names city-calendar, found in --rules-dir though only the renewal is validated."""
    renewal = str(rules_dir / "business-license-renewal.yaml")
    assert run("validate", renewal, "--rules-dir", str(rules_dir)).stdout == "1 document is valid\n"
    result = run("validate", renewal, "--rules-dir", str(rules_dir / "nowhere"))
    assert result.exit_code == 1 and 'no calendar named "city-calendar"' in result.stdout


def test_eval_prints_the_bill_with_its_explanation(run, rules_dir):
    """12 CCF on a 3/4 inch meter with sewer on 2026-02-01 comes to $89.01, line by line."""
    facts = json.dumps({"meter_size": '3/4"', "consumption_ccf": 12})
    result = run("eval", "water-rates-residential", "--as-of", "2026-02-01", "--facts", "-",
                 "--rules-dir", str(rules_dir), stdin=facts)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "water-rates-residential (version of 2026-01-01, Resolution 2025-41) as of 2026-02-01"
    assert "  Water use: 27.61  (7 CCF x 2.08 + 5 CCF x 2.61)" in lines
    assert lines[-1] == "  total: 89.01"


def test_eval_json_with_a_period_from_a_facts_file(run, rules_dir, tmp_path):
    """--json prints the result object; --period adds its parts."""
    (tmp_path / "facts.json").write_text('{"meter_size": "1\\"", "consumption_ccf": 20.5, "sewer": false}')
    result = run("eval", "water-rates-residential", "--as-of", "2026-02-28", "--facts", str(tmp_path / "facts.json"),
                 "--period", "2026-02-01:2026-02-28", "--json", "--rules-dir", str(rules_dir))
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["rule"] == "water-rates-residential" and shown["as_of"] == "2026-02-28"
    assert shown["parts"] == [{"version": "2026-01-01", "days": 28, "total": shown["total"]}]


def test_eval_errors_go_to_stderr_with_status_1(run, rules_dir):
    """No version in force on 2025-03-01: the message, status 1, nothing on stdout."""
    result = run("eval", "license-late-penalty", "--as-of", "2025-03-01", "--facts", "-",
                 "--rules-dir", str(rules_dir), stdin='{"license_fee": "150.00", "months_late": 2}')
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "error: no version of license-late-penalty in force on 2025-03-01\n"


def test_eval_of_an_unknown_document(run, rules_dir):
    """A mistyped id is named."""
    result = run("eval", "water-rate", "--as-of", "2026-02-01", "--facts", "-", "--rules-dir", str(rules_dir),
                 stdin="{}")
    assert (result.exit_code, result.stderr) == (1, "error: no rule document named water-rate\n")


def test_eval_refuses_facts_that_are_not_a_json_object(run, rules_dir):
    """Facts are a JSON object."""
    result = run("eval", "water-rates-residential", "--as-of", "2026-02-01", "--facts", "-",
                 "--rules-dir", str(rules_dir), stdin="[1, 2]")
    assert (result.exit_code, result.stderr) == (1, "error: facts in - must be a JSON object\n")


def test_eval_names_a_facts_file_that_is_not_json(run, rules_dir, tmp_path):
    """A facts file with a typo: the error says where, status 1."""
    (tmp_path / "facts.json").write_text('{"meter_size": "1\\"",\n "consumption_ccf": 12,}')
    result = run("eval", "water-rates-residential", "--as-of", "2026-02-01", "--facts", str(tmp_path / "facts.json"),
                 "--rules-dir", str(rules_dir))
    assert result.exit_code == 1
    assert result.stderr == f"error: facts in {tmp_path}/facts.json are not JSON: Expecting property name enclosed in double quotes (line 2)\n"


def test_show_lists_versions_and_the_one_in_force(run, rules_dir):
    """The water rates: one version, in force on 2026-02-01, none on 2025-12-31."""
    result = run("show", "water-rates-residential", "--as-of", "2026-02-01", "--rules-dir", str(rules_dir))
    assert result.stdout.splitlines() == [
        "water-rates-residential (schedule): Residential water and sewer",
        f"  file: {rules_dir}/water-rates-residential.yaml",
        "  * 2026-01-01  Resolution 2025-41",
        "  in force on 2026-02-01: 2026-01-01",
    ]
    before = run("show", "water-rates-residential", "--as-of", "2025-12-31", "--rules-dir", str(rules_dir))
    assert before.stdout.splitlines()[-1] == "  in force on 2025-12-31: none"


def test_schema_prints_json_for_the_editor(run):
    """`rules schema deadline` is the deadline's JSON Schema; without a kind, the combined one."""
    deadline = json.loads(run("schema", "deadline").stdout)
    assert deadline["$id"] == "urn:ordinance:rules:deadline" and deadline["additionalProperties"] is False
    combined = json.loads(run("schema").stdout)
    assert sorted(combined["$defs"]) == ["bill-messages", "billing", "calendar", "criteria", "deadline", "measure",
                                         "meter-reads", "payment-order", "schedule", "services", "sweep"]


def test_lint_warns_without_failing(run, rules_dir):
    """An input nothing reads is a warning; the command still succeeds."""
    penalty = rules_dir / "license-late-penalty.yaml"
    penalty.write_text(penalty.read_text().replace("  months_late:", "  business_name: {type: text}\n  months_late:"))
    result = run("lint", "--rules-dir", str(rules_dir))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{penalty}:6: inputs.business_name: business_name is declared but nothing reads it",
        "1 warning in 5 documents",
    ]


def test_eval_explains_a_lien_decision_leaf_by_leaf(run, rules_dir):
    """$120 past due is under the $250 threshold: not eligible, and the trace says which leaf failed."""
    facts = '{"past_due_balance": "120.00", "days_past_due": 91, "owner_is_customer": true}'
    result = run("eval", "lien-eligibility", "--as-of", "2026-03-01", "--facts", "-", "--rules-dir", str(rules_dir),
                 stdin=facts)
    lines = result.stdout.splitlines()
    assert lines[:4] == ["lien-eligibility (version of 2026-01-01) as of 2026-03-01",
                         '  outcome: {"lien": "not_eligible"}', "  matched: Otherwise",
                         "  Owner account, over threshold: not matched"]
    assert "    days_past_due = 91 >= 90: yes" in lines


def test_eval_says_why_juneteenth_is_no_shutoff_day(run, rules_dir):
    """A Friday holiday: not allowed, next allowed the Monday after, with each reason."""
    result = run("eval", "city-calendar", "--as-of", "2026-06-01", "--facts", "-", "--rules-dir", str(rules_dir),
                 stdin='{"date": "2026-06-19", "action": "shutoff"}')
    assert result.stdout.splitlines()[1:3] == ["  shutoff on 2026-06-19: not allowed; next allowed 2026-06-22",
                                               "    2026-06-19 is a holiday (Juneteenth)"]


def test_eval_lists_a_billing_cycle_timeline(run, rules_dir):
    """Cycle A in March 2026: the bill on the 1st, then each step on its own line."""
    result = run("eval", "city-calendar", "--as-of", "2026-03-01", "--facts", "-", "--rules-dir", str(rules_dir),
                 stdin='{"cycle": "A", "period": "2026-03"}')
    steps = [line.split(":")[0].strip() for line in result.stdout.splitlines()[1:]]
    assert steps == ["bill", "due", "late_fee", "shutoff_notice", "door_hanger", "shutoff"]
    assert result.stdout.splitlines()[1].startswith("  bill: 2026-03-01")


def test_eval_shows_a_license_not_yet_due_with_its_next_reminder(run, rules_dir):
    """In October a license expiring Dec 31 is active; the 45-day reminder goes out Nov 16."""
    result = run("eval", "business-license-renewal", "--as-of", "2026-10-15", "--facts", "-",
                 "--rules-dir", str(rules_dir), stdin='{"expires_on": "2026-12-31", "license_fee": "250.00"}')
    lines = result.stdout.splitlines()
    assert lines[1:5] == ["  expires on: 2026-12-31", "  status: active", "  late: 0 days, 0 started months",
                          "  next reminder: 2026-11-16 (license-renewal-reminder)"]
    assert lines[-1] == "  penalty: none"


def test_the_city_rules_folder_is_valid_and_lints_clean(run):
    """Every document the sample city ships under rules/ validates, and lint has nothing to say."""
    city_rules = Path(__file__).resolve().parents[2] / "rules"
    validated = run("validate", str(city_rules))
    assert validated.exit_code == 0, validated.stdout
    assert validated.stdout.endswith("documents are valid\n")
    linted = run("lint", "--rules-dir", str(city_rules))
    assert linted.stdout.startswith("0 warnings in "), linted.stdout


def test_eval_json_prints_a_fractional_outcome_number_exactly(run, tmp_path):
    """A `then` of 2.5 prints as the JSON number 2.5 (not an error, not a string)."""
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "plan-rate.yaml").write_text(
        "id: plan-rate\nkind: criteria\ntitle: Plan interest\ninputs:\n  balance: {type: money}\n"
        "versions:\n  - effective: 2026-01-01\n    rules:\n      - name: Any balance\n"
        "        then: {interest_percent: 2.5, plan: true}\n")
    result = run("eval", "plan-rate", "--as-of", "2026-03-01", "--facts", "-", "--json", "--rules-dir", str(folder),
                 stdin='{"balance": "120.00"}')
    assert result.exit_code == 0, result.stderr
    assert '"interest_percent": 2.5' in result.stdout
    assert json.loads(result.stdout)["outcome"] == {"interest_percent": 2.5, "plan": True}


def test_show_says_what_the_program_uses_a_tagged_document_as(run):
    """The sample city's returned-payment fee: its tag's purpose under its title."""
    result = run("show", "returned-payment-fee", "--as-of", "2026-02-01", "--rules-dir", str(REPO_RULES))
    assert result.stdout.splitlines()[2] == ("  used by the program as the fee charged on a returned payment "
                                             "(tag returned_payment_fee)")


def test_validate_without_a_database_checks_sweep_steps_against_the_workflows_folder(tmp_path):
    """From the files alone: the rules folder with its liens sweep naming a step no workflow has is refused, naming the
    sweep's file, line, key and step, checked against --workflows-dir; one file of it too, its references and the
    workflows read with the rules folder. With no workflows folder there it says the steps are not checked."""
    from tests.rules.test_cli_store import STEPS_AFTER

    rules = tmp_path / "rules"
    shutil.copytree(REPO_RULES, rules)
    sweep = rules / "sweeps" / "liens.yaml"
    text = sweep.read_text(encoding="utf-8")
    sweep.write_text(text.replace(STEPS_AFTER, f"{STEPS_AFTER}      steps: [mail_intent, mail_intent_again, "
                                               "send_intent]\n", 1), encoding="utf-8")
    line = text.splitlines().index(STEPS_AFTER.rstrip("\n")) + 2
    expected = (f"{sweep}:{line}: versions[0].works.steps[2]: no workflow this sweep works (workflows tagged "
                'lien_filings) has the step "send_intent"')
    runner = CliRunner()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    workflows = ("--workflows-dir", str(REPO_RULES.parent / "workflows"))
    for paths in ([str(rules)], [str(sweep), "--rules-dir", str(rules)]):
        refused = runner.invoke(main, ["rules", "validate", *paths, *workflows], env=env)
        assert refused.exit_code == 1 and refused.stderr == "", refused.output
        [error, total] = refused.stdout.splitlines()
        assert error.startswith(expected) and total == "1 error in 1 file"
    unchecked = runner.invoke(main, ["rules", "validate", str(rules), "--workflows-dir", str(tmp_path / "nowhere")],
                              env=env)
    assert (unchecked.exit_code, unchecked.stdout, unchecked.stderr) == (
        0, "39 documents are valid\n", f"no workflows folder {tmp_path / 'nowhere'}: the steps sweep documents name "
                                       "are not checked (give --workflows-dir)\n")
    assert not (tmp_path / "none.db").exists()


def test_validate_reads_the_program_s_workflows_as_the_import_does_wherever_it_runs(tmp_path, monkeypatch):
    """Run from another folder without --workflows-dir, on a database with no published workflows: the sweep steps
    are checked against the program's own workflows, which `rules import` and the running system read, not a
    `workflows` folder where the command runs."""
    from tests.rules.test_cli_store import STEPS_AFTER

    rules = tmp_path / "rules"
    shutil.copytree(REPO_RULES, rules)
    sweep = rules / "sweeps" / "liens.yaml"
    sweep.write_text(sweep.read_text(encoding="utf-8").replace(
        STEPS_AFTER, f"{STEPS_AFTER}      steps: [mail_intent, mail_intent_again, send_intent]\n", 1), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    refused = CliRunner().invoke(main, ["rules", "validate", str(rules)], env=env)
    assert refused.exit_code == 1 and refused.stderr == "", refused.output
    assert 'has the step "send_intent"' in refused.stdout.splitlines()[0]
    assert refused.stdout.splitlines()[-1] == "1 error in 1 file"


def test_validate_refuses_a_title_longer_than_the_store_keeps(run, rules_dir):
    """A title of 201 characters: its file, line and key, as a draft and an import refuse it."""
    renewal = rules_dir / "business-license-renewal.yaml"
    renewal.write_text(renewal.read_text(encoding="utf-8").replace("title: Annual business license renewal",
                                                                   "title: " + "A" * 201, 1), encoding="utf-8")
    result = run("validate", str(rules_dir))
    assert (result.exit_code, result.stdout.splitlines()) == (1, [
        f"{renewal}:3: title: longer than the 200 characters the store keeps", "1 error in 1 file"])
