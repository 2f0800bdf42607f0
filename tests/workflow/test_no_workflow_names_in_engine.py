"""No workflow id and no state name of the sample city is a string literal in the Python under engine/ or webapp/.

The program finds workflows and states by their tags (docs/workflow-format.md#tags) and the
sweeps are documents (kind: sweep), so a city renames a state or a workflow without code.
The ids and names are read from workflows/*.yaml; every string constant of every module under
engine/ is compared with them (docstrings and comments are words, not constants the program
acts on, and are not read). A few states share a word with another vocabulary of the program
(an account's status `closed`, a deposit `applied`, a rule's outcome `eligible`, ...): each
such word is allowed only in the modules listed below for that other meaning, so a new use
elsewhere fails.
"""
from __future__ import annotations

import ast
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
ENGINE = REPO / "engine"
WEBAPP = REPO / "webapp"

# word: (what it means there, the modules where it has that other meaning)
OTHER_MEANINGS: dict[str, tuple[str, set[str]]] = {
    "closed": ("an account's, a license's or a cash drawer's status",
               {"accounts/facts.py", "accounts/history.py", "accounts/service_stop.py", "money/cash.py",
                "money/deposits.py"}),
    "applied": ("a deposit's status (applied to the final bill); a license's status while applied for (licenses "
                "table)", {"money/deposits.py", "licenses/intake.py"}),
    "voided": ("a payment's or a receipt's status", {"accounts/returns.py", "money/receipts.py", "money/reports.py"}),
    "approved": ("a setting change's or a grant's status (two-person approval); a rule review's verdict",
                 {"city.py", "roles.py", "two_person.py", "users.py", "rulebook/reviews.py"}),
    "withdrawn": ("a setting change's status (two-person approval)", {"two_person.py"}),
    "eligible": ("a criteria's outcome key (deposit-refund-eligibility: eligible: true; an adjustment reason's "
                 "eligibility: late-fee-waiver-eligibility)", {"accounts/deposit_refunds.py", "accounts/adjustments.py"}),
    "adjustments": ("the adjustments stream of an account's history (measures count it) and the adjustments table",
                    {"accounts/history.py", "rules/streams.py", "store/adjustments.py",
                     "store/migrations/versions/0023_adjustments.py",
                     "store/migrations/versions/0032_adjustment_request_keys.py"}),
    "past_due": ("a column of the aging report; a line of a bill statement's data",
                 {"money/reports.py", "statements/data.py"}),
    "renewal_due": ("a deadline document's status on a day", {"rules/deadline.py"}),
    "late": ("a deadline document's status on a day", {"rules/deadline.py"}),
    "lapsed": ("a deadline document's status on a day", {"rules/deadline.py"}),
    "paid": ("whether a fee a case charged is paid (requires_paid)", {"workflow/fees.py", "workflow/guards.py"}),
}


# The same for webapp/: words of the pages and the API that a state shares.
WEB_MEANINGS: dict[str, tuple[str, set[str]]] = {
    "adjustments": ("the account page's section (an anchor)", {"accounts/adjusting.py"}),
    "past_due": ("an amount of the API's account standing; a money column of the reports",
                 {"api/services.py", "reports/routes.py"}),
    "eligible": ("the API's lien-eligibility answer (true or false)", {"api/services.py"}),
}


def workflow_names() -> dict[str, str]:
    """Every workflow id and state name of workflows/*.yaml, with where it is defined."""
    names: dict[str, str] = {}
    for path in sorted((REPO / "workflows").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        names[data["id"]] = f"the id of {path.name}"
        for state in data["states"]:
            names.setdefault(state, f"a state of {path.name}")
    return names


def string_constants(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each string constant of a module that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def named_in(root: Path, names: dict[str, str], meanings: dict[str, tuple[str, set[str]]] = OTHER_MEANINGS,
             shown_as: str = "engine") -> list[str]:
    """Each literal under `root` that is a workflow id or a state name, unless it is a word of another meaning there."""
    found = []
    for path in sorted(root.rglob("*.py")):
        module = path.relative_to(root).as_posix()
        for line, text in string_constants(path):
            if text in names and module not in meanings.get(text, ("", set()))[1]:
                found.append(f"{shown_as}/{module}:{line}: {text!r} ({names[text]})")
    return found


def test_the_sample_city_has_the_names_this_test_reads():
    """The sample city's four workflows and their states are read (the check below is not empty)."""
    names = workflow_names()
    assert {"delinquency", "licensing", "liens", "refunds"} <= set(names)
    assert {"past_due", "shutoff_notice", "payment_plan", "renewed", "intent_mailed", "requested"} <= set(names)


def test_no_workflow_id_or_state_name_is_a_literal_in_the_engine():
    """engine/ names no workflow and no state: it reads tags, rule documents and sweep documents."""
    found = named_in(ENGINE, workflow_names())
    assert not found, "workflow ids or state names in engine/ (use a tag or a document):\n" + "\n".join(found)


def test_no_workflow_id_or_state_name_is_a_literal_in_the_web_app():
    """webapp/ names none either: a page opens the workflow tagged for its purpose (refund_requests,
    license_applications, parcel_liens)."""
    found = named_in(WEBAPP, workflow_names(), WEB_MEANINGS, "webapp")
    assert not found, "workflow ids or state names in webapp/ (use a tag or a document):\n" + "\n".join(found)


def test_the_check_finds_a_state_named_in_python(tmp_path):
    """A module that compares a case's state with a state's name is found, with its line; a word of another
    meaning is allowed only where it has that meaning."""
    (tmp_path / "sweeps").mkdir()
    (tmp_path / "sweeps" / "plans.py").write_text('"""Plans."""\nPLAN = "payment_plan"\nSTATUS = "closed"\n')
    (tmp_path / "money").mkdir()
    (tmp_path / "money" / "cash.py").write_text('DRAWER = "closed"\n')
    assert named_in(tmp_path, workflow_names()) == [
        "engine/sweeps/plans.py:2: 'payment_plan' (a state of delinquency.yaml)",
        "engine/sweeps/plans.py:3: 'closed' (a state of licensing.yaml)"]
