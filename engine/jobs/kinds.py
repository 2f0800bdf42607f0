"""Which function does each kind of job: the one registry, one module per kind.

A job kind's function is `handler(context, input, report_progress) -> result`: `context` is a
`JobContext` (the database, the job), `input` the job's JSON input, `report_progress(done,
total, message)` stores how far it has got; the result is JSON (dates and exact decimals as
strings). A later issue adds a kind by writing its module and one line here.
"""
from __future__ import annotations

from engine.jobs import bill_printing, billing_run, rule_impact, workflow_preview
from engine.jobs.context import Handler

KINDS: dict[str, Handler] = {
    rule_impact.KIND: rule_impact.work_out,
    workflow_preview.KIND: workflow_preview.work_out,
    billing_run.KIND: billing_run.work_out,
    bill_printing.KIND: bill_printing.work_out,
}
