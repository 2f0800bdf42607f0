"""Case pages: thin views over engine.workflow.services (show, steps, take)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine import roles
from engine.accounts import assistance
from engine.notices import NoticeDataError, PdfRenderError
from engine.notices.kept import KeptCopyError, twin_pdf
from engine.numerals import is_digits
from engine.store.kept_reads import forget_reads, keeping_reads
from engine.store.models import Notice
from engine.workflow import services
from engine.notices.catalog import NOTICE_TYPES
from engine.workflow.actions import action_words
from engine.workflow.facts import subject_facts
from engine.workflow.plain import CaseWords
from engine.workflow.runtime import CaseError, Conflict, StepRefused
from webapp import clock
from webapp.auth import STAFF, role_required
from webapp.cases import bp, queue
from webapp.cases.forms import QueueFilterForm, hint_for, step_form, step_values, wants_preview
from webapp.catalog import catalog, notice_templates, state_label
from webapp.downloads import audited_download, printed_notice
from webapp.extensions import database
from webapp.fields import option
from webapp.pages import not_found, record_id


@bp.route("/")
@role_required(*STAFF)
def index():
    """The work queue: open cases counted by workflow and state, and a page of the filtered list."""
    form = QueueFilterForm(request.args)
    workflows = {w: catalog().workflows.get(w) for w in catalog().workflows.ids()}
    form.workflow.choices = [option("", "Any workflow")] + [option(w, wf.title) for w, wf in workflows.items()]
    chosen = workflows.get(form.workflow.data or "")
    states = chosen.states if chosen else {}
    form.state.choices = [option("", "Any state")] + [option(s, st.label) for s, st in states.items()]
    after, problem = request.args.get("after") or "0", None
    if not is_digits(after) or len(after) > 18:  # a case number, as record_id reads one from an address
        problem = f"“{after[:40]}” is not a case number to list from: the list starts at the first case."
        after = "0"
    rows = queue.page_of(database.session, workflow=form.workflow.data or None,
                         state=(form.state.data or None) if chosen else None, closed=bool(form.closed.data),
                         after=int(after))
    return render_template("cases/index.html", form=form, counts=queue.counts(database.session), rows=rows,
                           workflows=workflows, page_size=queue.PAGE, after=after, problem=problem)


def _case_page(case_id: int, forms: dict | None = None, refusal: tuple[str, list[str]] | None = None,
               status: int = 200, previews: dict | None = None):
    """The case page, with any step form given (carrying its errors), a refusal, and a step's letters previewed."""
    session, today = database.session, clock.today()
    try:
        view = services.show_case(session, catalog(), case_id, on=today)
        steps = services.steps_for(session, catalog(), case_id, user=current_user.username, on=today)
    except CaseError:
        not_found(f"There is no case {case_id}.")
    forms = dict(forms or {})
    for step in steps:
        if step.id not in forms:
            forms[step.id] = step_form(step)
            forms[step.id].version.data = str(view["version"])
    workflow = catalog().workflows.get(view["workflow"], view["workflow_version"])
    role_labels = roles.role_labels(session)
    programs = {program.id: program.name_in() for program in assistance.city_programs(session)}
    words = CaseWords(workflow, subject_facts(workflow.subject, catalog().rules), catalog().rules, role_labels,
                      item_names=programs)
    return render_template("cases/show.html", case=view, steps=steps, forms=forms, refusal=refusal,
                           subject=queue.subject_of(session, view), states=workflow.states, today=today,
                           hint_for=hint_for, action_words=action_words, previews=previews or {},
                           role_labels=role_labels, words=words, facts=words.fact_rows(view["facts"]),
                           standing=_standing(view["facts"], words), notice_titles=NOTICE_TITLES), status


# The facts the top of a case page shows first: what the subject owes (an account's) or its fee (a license's).
STANDING_FACTS = ("balance", "past_due_balance", "days_past_due", "refundable", "license_fee")
NOTICE_TITLES = {type_id: kind.title_en for type_id, kind in NOTICE_TYPES.items()}


def _standing(facts: list[dict], words: CaseWords) -> list[tuple[str, str, str]]:
    """(id, label, value) of the standing facts the case has, in that order: the top of the case page."""
    found = {f["name"]: f["value"] for f in facts}
    return [(name, words.label(name), words.value(name, found[name])) for name in STANDING_FACTS if name in found]


@bp.route("/<case_id>")
@role_required(*STAFF)
def show(case_id: str):
    """The case: subject, state, facts, the steps this person may take now (and why not), history, notices."""
    with keeping_reads(database.session):
        return _case_page(record_id(case_id, "case"))


@bp.route("/<case_id>/steps/<step_id>", methods=["POST"])
@role_required(*STAFF)
def take(case_id: str, step_id: str):
    """Take a step on the version of the case the person saw; refusals and conflicts change nothing.

    The case's facts are read for each step offered, and again, several times, for the step taken:
    the request keeps its reads as a sweep's chunk does (engine.store.kept_reads), each forgotten
    when the step writes what it came from, and all of them on a rollback (a refusal, a preview).
    The step itself starts afresh once it has locked the case, so it re-checks on what is there then.
    """
    with keeping_reads(database.session):
        return _take(record_id(case_id, "case"), step_id)


def _take(number: int, step_id: str):
    """The step taken (see take)."""
    session, today = database.session, clock.today()
    try:
        steps = {s.id: s for s in services.steps_for(session, catalog(), number, user=current_user.username, on=today)}
    except CaseError:
        not_found(f"There is no case {number}.")
    option = steps.get(step_id)  # None: no such step from this state (now); the engine says why, or Conflict
    form = step_form(option, request.form) if option else None
    if option and option.allowed and not form.validate():
        return _case_page(number, forms={step_id: form}, status=400)
    label, forms = (option.label if option else step_id.replace("_", " ")), ({step_id: form} if form else None)
    if wants_preview(form):
        return _preview(number, step_id, label, form)
    forget_reads(session)  # the step re-checks on what it reads with the case locked, not on what the offer read
    try:
        event = services.take_step(session, catalog(), number, step_id, user=current_user.username, on=today,
                                   now=clock.now(), form=step_values(form) if form else {},
                                   version=_version(request.form.get(f"{step_id}-version")))
    except Conflict:
        session.rollback()
        return render_template("cases/conflict.html", case_id=number), 409
    except StepRefused as refused:
        session.rollback()
        return _case_page(number, forms=forms, refusal=(label, refused.reasons), status=400)
    except CaseError as error:
        session.rollback()
        return _case_page(number, forms=forms, refusal=(label, [str(error)]), status=400)
    session.commit()
    state = state_label(event.case.workflow_id, event.case.workflow_version, event.to_state)
    flash(f"{label}: case {number} is now {state[:1].lower() + state[1:]}.", "success")
    return redirect(url_for("cases.show", case_id=number))


def _preview(number: int, step_id: str, label: str, form):
    """The case page with the letters the step would write from this form; nothing is taken or kept."""
    session, today = database.session, clock.today()
    try:
        letters = services.preview_step(session, catalog(), number, step_id, user=current_user.username, on=today,
                                        now=clock.now(), form=step_values(form),
                                        version=_version(request.form.get(f"{step_id}-version")))
    except Conflict:
        return render_template("cases/conflict.html", case_id=number), 409
    except CaseError as error:
        reasons = error.reasons if isinstance(error, StepRefused) else [str(error)]
        return _case_page(number, forms={step_id: form}, refusal=(label, reasons), status=400)
    return _case_page(number, forms={step_id: form}, previews={step_id: letters})


@bp.route("/<case_id>/notices/<int:notice_id>.pdf")
@role_required(*STAFF)
def notice_pdf(case_id: str, notice_id: int):
    """One notice of the case as a PDF: the copy kept when it was mailed or first printed."""
    number = record_id(case_id, "case")
    notice = database.session.get(Notice, notice_id)
    if notice is None or notice.case_id != number:
        not_found(f"Case {number} has no notice {notice_id}.")
    try:
        pdf = printed_notice(notice.id)
    except (NoticeDataError, PdfRenderError, KeptCopyError) as error:
        flash(f"The notice could not be printed: {error}", "error")
        return redirect(url_for("cases.show", case_id=number))
    return audited_download(pdf, f"case-{number}-{notice.notice_type}-{notice.id}.pdf", what="A notice of a case",
                            filters={"case": number, "notice": notice.id}, rows=1, mimetype="application/pdf")


@bp.route("/<case_id>/notices/<int:notice_id>/english.pdf")
@role_required(*STAFF)
def notice_twin_pdf(case_id: str, notice_id: int):
    """A notice sent in Spanish, in English for staff: rendered now from the data kept when it was made (once mailed,
    a copy marked with the day it was mailed, its dates as mailed: engine.notices.kept.twin_pdf)."""
    number = record_id(case_id, "case")
    notice = database.session.get(Notice, notice_id)
    if notice is None or notice.case_id != number:
        not_found(f"Case {number} has no notice {notice_id}.")
    try:
        pdf = twin_pdf(database.session, notice.id, notice_templates(), "en", now=clock.now())
    except (NoticeDataError, PdfRenderError) as error:
        flash(f"The notice could not be printed in English: {error}", "error")
        return redirect(url_for("cases.show", case_id=number))
    return audited_download(pdf, f"case-{number}-{notice.notice_type}-{notice.id}-en.pdf",
                            what="A notice of a case, in English", filters={"case": number, "notice": notice.id},
                            rows=1, mimetype="application/pdf")


def _version(text: str | None) -> int:
    """The case version the person saw, from the form's hidden field (0, a Conflict, if it is missing or not a number)."""
    text = text or ""
    return int(text) if is_digits(text) else 0  # no case has version 0: a Conflict, nothing applied
