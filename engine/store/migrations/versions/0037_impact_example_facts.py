"""impact example facts: a saved impact keeps each example's facts as JSON has them

An impact job's report (jobs.result, kind rule-impact) shows a few subjects as examples, each
with its facts. Reports saved before 2026-12-07 kept every fact as text: a list as "[]" or
"['cap']", yes and no as "true" and "false", an absent fact as "None", a whole number as "7".
The draft page words a fact by its JSON type (engine.workflow.plain.FactWords), so those showed
"[]" until the impact was worked out again. This rewrites them as engine.rulebook.impact keeps
facts now (a list as a list, true/false, null, 7), so the page reads one form only.

An example is rewritten only when every one of its facts is text, as the old reports wrote
them (every example written since keeps some fact as true, false or a number): running it
again changes nothing. The downgrade leaves the facts as they are.

Revision ID: 0037_impact_example_facts
Revises: 0036_meter_reads_account_index
Create Date: 2026-12-07
"""
import ast
import json
import re

from alembic import op
import sqlalchemy as sa

revision = "0037_impact_example_facts"
down_revision = "0036_meter_reads_account_index"
branch_labels = None
depends_on = None

WHOLE = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.0+)?")  # 7, 250000.00: kept now as the number
LISTED = re.compile(r"^[\[(].*[\])]$", re.S)  # ['cap'], [], ('cap',): a list as Python wrote it


def _typed(text: str):
    """A fact an old report kept as text, as JSON keeps it now; text that was text stays."""
    if text in ("true", "false"):
        return text == "true"
    if text == "None":
        return None
    if WHOLE.fullmatch(text):
        return int(text.split(".")[0])
    if LISTED.match(text):
        try:
            items = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return text
        if isinstance(items, (list, tuple)) and all(isinstance(item, str) for item in items):
            return list(items)
    return text


def _rewritten(result: dict) -> bool:
    """Rewrite the old examples of one report in place; True when one was."""
    money = result.get("money") if isinstance(result, dict) else None
    changed = False
    for example in (money or {}).get("examples") or []:
        facts = example.get("facts") or []
        if facts and all(isinstance(value, str) for _, value in facts):
            example["facts"] = [[key, _typed(value)] for key, value in facts]
            changed = True
    return changed


def upgrade() -> None:
    """Rewrite the facts of the examples saved the old way."""
    bind = op.get_bind()
    jobs = sa.table("jobs", sa.column("id", sa.Integer), sa.column("result", sa.JSON))
    rows = bind.execute(sa.text("SELECT id, result FROM jobs WHERE kind = 'rule-impact' AND result IS NOT NULL "
                                "ORDER BY id")).all()
    for job_id, result in rows:
        result = json.loads(result) if isinstance(result, str) else result
        if _rewritten(result):
            bind.execute(jobs.update().where(jobs.c.id == job_id).values(result=result))


def downgrade() -> None:
    """Nothing to undo: the code before read facts of any JSON type as text."""
