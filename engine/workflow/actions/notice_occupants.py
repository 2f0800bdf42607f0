"""`notice_occupants: TYPE`: a copy of a notice to each occupant of the account's property, as "Occupant".

Where the account is in a landlord's name and the property has occupants on record on the
step's day (engine.accounts.customer_record.occupants_on), each gets the notice's letter
addressed to "Occupant" at the service address (their unit and its city line), in their
language, with a paragraph telling them why they get it. California's SB 998 asks this of a
shut-off notice on a landlord-paid account; which notices go to occupants is the workflow's
to say, not the code's. No occupants on record: nothing is written.
"""
from __future__ import annotations

from engine import city
from engine.accounts.customer_record import occupants_on
from engine.notices.catalog import NOTICE_TYPES
from engine.rules.types import YamlValue
from engine.store.models import Notice, UtilityAccount
from engine.workflow.actions.base import DefinitionChecker, Done, WorkflowAction
from engine.workflow.actions.notice import notice_type_checked
from engine.workflow.context import StepContext
from engine.workflow.letters import NOTICE_FIELDS, notice_data
from engine.workflow.model import Action, notice_fee, notice_of
from engine.workflow.redating import redate_stored, refuse_past_dates

OCCUPANT = "Occupant"
ACCOUNT_SUBJECTS = ("utility_account", "lien")


def check(reader: DefinitionChecker, value: YamlValue, path: str) -> None:
    """`notice_occupants: TEMPLATE_ID` (or `{type: TEMPLATE_ID, cites: RULE}`) among the registered notices, in an
    account workflow giving what it prints."""
    value = notice_type_checked(reader, value, path, NOTICE_TYPES)
    if value is None:
        return
    if reader.subject not in ACCOUNT_SUBJECTS:
        reader.error(path, f"notice_occupants is for a workflow of utility accounts, not of {reader.subject}s "
                           "(occupants live at an account's property)")
    for name in NOTICE_FIELDS.get(value, ()):
        if name not in reader.field_types:
            reader.error(path, f"{value} prints the case field {name!r}, which no step gives (a form field or a set: "
                               "action)")


def run(ctx: StepContext, action: Action) -> None:
    """One notice row per occupant on record, addressed to Occupant at the service address; period `12.4.o7`."""
    notice_type, cites = notice_of(action.value)
    account = ctx.session.get(UtilityAccount, ctx.case.subject_id)  # a lien's subject is its account too
    occupants = occupants_on(ctx.session, account.property_id, ctx.on) if account is not None else []
    if not occupants:
        ctx.done.append({"action": "notice_occupants", "notice": notice_type, "occupants": 0})
        return
    redate_stored(ctx, notice_type)
    _, data = notice_data(ctx.session, ctx.rules, notice_type, ctx.case.subject_type, ctx.case.subject_id,
                          ctx.on, ctx.facts(), ctx.fields, ctx.consulted, cites=cites,
                                 fee=notice_fee(action.value), service_off=ctx.service_off)
    refuse_past_dates(notice_type, data, ctx.on)
    ids, offered = [], city.offered(ctx.session)
    for occupant in occupants:
        copy = {**data, "to_occupant": True,
                "recipient": {"name": OCCUPANT, "street": account.property.service_address, "unit": occupant.unit,
                              "city": occupant.city, "state": occupant.state, "zip": occupant.zip}}
        notice = Notice(case_id=ctx.case.id, subject_type=ctx.case.subject_type, subject_id=ctx.case.subject_id,
                        notice_type=notice_type, period=f"{ctx.case.id}.{ctx.case.version}.o{occupant.id}",
                        language=city.printed_in(offered, occupant.language), created_on=ctx.on, data=copy,
                        sweep_run_id=ctx.sweep_run_id)
        ctx.session.add(notice)
        ctx.session.flush()
        ids.append(notice.id)
    ctx.done.append({"action": "notice_occupants", "notice": notice_type, "occupants": len(ids), "notice_ids": ids})


def words(done: Done) -> str:
    """'Shut-off notice to 2 occupants written' or 'No occupants on record for the shutoff notice'."""
    kind = str(done.get("notice", "")).replace("-", " ")
    count = int(done.get("occupants", 0) or 0)
    if not count:
        return f"No occupants on record: no {kind} to occupants"
    return f"Notice {kind} to {count} occupant{'s' if count != 1 else ''} written"


def notices(done: Done) -> tuple[int, ...]:
    """The occupants' copies (none when no occupant is on record)."""
    return tuple(int(i) for i in done.get("notice_ids") or ())


ACTION = WorkflowAction("notice_occupants", check, run, words, notices=notices)
