"""`notice: TYPE`: a Notice row with everything its letter prints, fixed on the step's day.

`notice: {type: TYPE, cites: RULE}` names the rule document whose version in force gives the
ordinance the letter cites (its `reference`); without `cites`, a rule the step consulted.
`fee: SCHEDULE` names the fee schedule whose fee, posted by this case, the letter prints (the late
fee on a reminder, the reconnection fee, a license's late penalty); without it, the fee posted
under the cited rule, if any.

No date it prints to act by is earlier than that day (engine.workflow.redating): a stored
date already past is re-dated first, and a notice that would still print one is refused.
"""
from __future__ import annotations

from engine.notices.catalog import WORKFLOW_NOTICES
from engine.rules.messages import quoted
from engine.rules.types import YamlValue
from engine.store.models import Notice
from engine.workflow.actions.base import DefinitionChecker, Done, WorkflowAction
from engine.workflow.context import StepContext
from engine.workflow.letters import NOTICE_FIELDS, notice_data
from engine.workflow.model import Action, notice_fee, notice_of
from engine.workflow.redating import redate_stored, refuse_past_dates


def notice_type_checked(reader: DefinitionChecker, value: YamlValue, path: str, known) -> str | None:
    """The notice type of `TYPE` or `{type: TYPE, cites: RULE}` if it is among `known` (its cited rule a rule
    document); None, with an error, if not."""
    if isinstance(value, dict):
        reader.keys(value, ("type", "cites", "fee"), path, "a notice")
        for key in ("cites", "fee"):
            if key in value:
                reader.rule(f"{path}.{key}", value[key], None)
        value, path = value.get("type"), f"{path}.type"
    if not isinstance(value, str) or value not in known:
        reader.error(path, f"unknown notice {quoted(value)}; notices: {', '.join(known)}")
        return None
    return value


def check(reader: DefinitionChecker, value: YamlValue, path: str) -> None:
    """`notice: TEMPLATE_ID` (or `{type: TEMPLATE_ID, cites: RULE}`) among the registered notices, in a workflow that
    gives every case field it prints."""
    value = notice_type_checked(reader, value, path, WORKFLOW_NOTICES)
    if value is None:
        return
    for name in NOTICE_FIELDS.get(value, ()):
        if name not in reader.field_types:
            reader.error(path, f"{value} prints the case field {name!r}, which no step gives (a form field or a set: "
                               "action)")


def run(ctx: StepContext, action: Action) -> None:
    """A notice row with everything its letter prints; its period names the case and step (`12.4`)."""
    notice_type, cites = notice_of(action.value)
    redate_stored(ctx, notice_type)
    language, data = notice_data(ctx.session, ctx.rules, notice_type, ctx.case.subject_type, ctx.case.subject_id,
                                 ctx.on, ctx.facts(), ctx.fields, ctx.consulted, cites=cites,
                                 fee=notice_fee(action.value), service_off=ctx.service_off)
    refuse_past_dates(notice_type, data, ctx.on)
    notice = Notice(case_id=ctx.case.id, subject_type=ctx.case.subject_type, subject_id=ctx.case.subject_id,
                    notice_type=notice_type, period=f"{ctx.case.id}.{ctx.case.version}", language=language,
                    created_on=ctx.on, data=data, sweep_run_id=ctx.sweep_run_id)
    ctx.session.add(notice)
    ctx.session.flush()
    ctx.done.append({"action": "notice", "notice": notice_type, "notice_id": notice.id})


def words(done: Done) -> str:
    """'Notice door hanger written'."""
    return f"Notice {str(done.get('notice', '')).replace('-', ' ')} written"


def notices(done: Done) -> tuple[int, ...]:
    """The one notice written."""
    return (int(done["notice_id"]),)


ACTION = WorkflowAction("notice", check, run, words, notices=notices)
