"""Draft pages (supervisors and administrators): write a new version, see its impact, publish it, approvals.

The impact is a background job (engine/jobs/rule_impact.py): the draft page asks for it and
answers at once, showing its progress, then the stored result on every later view.
"""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from engine.accounts import assistance
from engine.city import get_city
from engine.jobs import rule_impact
from engine.rulebook import reviews, revisions, store
from engine.rulebook.approval import publish_refusal
from engine.rulebook.drafting import NOT_IN_STORE, DraftCheck, check_draft, city_data
from engine.rules.diff import document_diff
from engine.rules.document import RuleDocument
from engine.rules.errors import DocumentErrors
from engine.rules.library import RuleLibrary
from engine.rules.places import placed
from engine.store.models import RuleVersion
from engine.workflow.facts import Fact, subject_facts
from engine.workflow.plain import FactWords
from webapp import clock
from webapp.auth import SUPERVISORS, role_required
from webapp.catalog import catalog, rules
from webapp.charts import Bars, bar_chart, listed
from webapp.extensions import database
from webapp.main import errors
from webapp.pages import not_found
from webapp.rules import bp, lookup
from webapp.rules.draft_forms import ApproveForm, DraftForm, RetryImpactForm, SendBackForm
from webapp.rules.impact_jobs import impact_job_for
from webapp.rules.publishing import publish_from_page


def _published(document_id: str):
    """The document's newest published revision, or a 404 (or a page that says the store is empty)."""
    if not revisions.has_published(database.session):
        abort(make_response(*errors.page(409, NOT_IN_STORE)))
    row = revisions.newest(database.session, document_id, "published")
    if row is None:
        not_found(f"There is no published rule document “{document_id}”.")
    return row


def _draft(document_id: str, revision: int):
    """A stored revision, or a 404 that says so."""
    row = revisions.revision(database.session, document_id, revision)
    if row is None:
        not_found(f"“{document_id}” has no revision {revision}.")
    return row


def _published_rules() -> RuleLibrary:
    """What a draft is checked against: the app's published rules (none while the store has none)."""
    return rules() if revisions.has_published(database.session) else RuleLibrary({})


def checked_text(document_id: str, text: str, published: RuleLibrary | None = None,
                 source: str | None = None) -> DraftCheck:
    """A draft's text checked as the store checks it: against the app's published rules (or `published`), the city's
    data (its languages, its assistance programs) and the workflows it runs (the steps a sweep names)."""
    return check_draft(rules() if published is None else published, document_id, text, clock.today(), source=source,
                       city=city_data(database.session), workflows=catalog().workflows)


def _checked(row: RuleVersion) -> DraftCheck | None:
    """A stored draft checked against the published rules (None for a revision that is not a draft)."""
    if row.status != "draft":
        return None
    return checked_text(row.document_id, row.yaml_text, _published_rules(),
                        source=f"{row.document_id} revision {row.revision}")


def _readable(row: RuleVersion) -> RuleDocument | None:
    """The document a stored revision holds, or None when it no longer passes the checks (its errors are shown)."""
    try:
        return revisions.revision_document(row)
    except DocumentErrors:
        return None


def _edit_page(current, form: DraftForm, check=None, problem: str | None = None, status: int = 200):
    """The drafting page: the text, and what a check found (errors placed in words, the draft's warnings)."""
    return render_template("rules/draft.html", current=current, form=form, check=check, problem=problem,
                           errors=placed(check.errors, check.text) if check else [],
                           warnings=_warnings(check), today=clock.today()), status


def _warnings(check: DraftCheck | None) -> list:
    """The lint warnings of a draft that reads (its linked documents from the library it joins)."""
    if check is None or not check.ok or check.document is None or check.library is None:
        return []
    return lookup.warnings(check.document, check.library)


@bp.route("/<document_id>/draft", methods=["GET"])
@role_required(*SUPERVISORS)
def new_draft(document_id: str):
    """The newest published text, to add a version to."""
    current = _published(document_id)
    form = DraftForm()
    form.text.data = current.yaml_text
    return _edit_page(current, form)


@bp.route("/<document_id>/draft", methods=["POST"])
@role_required(*SUPERVISORS)
def save_draft(document_id: str):
    """Check the text (nothing stored), or save it as a draft and show its impact."""
    current = _published(document_id)
    form = DraftForm()
    if not form.validate_on_submit():
        return _edit_page(current, form, status=400)
    text = form.text.data.replace("\r\n", "\n")
    check = checked_text(document_id, text)
    if form.check.data or not check.ok:
        return _edit_page(current, form, check=check, status=200 if check.ok else 400)
    try:
        row = store.draft(database.session, check, current_user.username, clock.now())
    except store.RuleStoreError as error:
        database.session.rollback()
        return _edit_page(current, form, check=check, problem=str(error), status=400)
    database.session.commit()
    flash(f"Draft revision {row.revision} of {document_id} saved. It is not in force until it is published.",
          "success")
    return redirect(url_for("rules.draft", document_id=document_id, revision=row.revision))


SHORT_BINS = {"down $10 or more": "−$10+", "down $5 to $10": "−$5–10", "down $1 to $5": "−$1–5",
              "down less than $1": "−<$1", "no change": "0", "up less than $1": "+<$1", "up $1 to $2": "+$1–2",
              "up $2 to $5": "+$2–5", "up $5 to $10": "+$5–10", "up $10 to $20": "+$10–20", "up $20 or more": "+$20+"}


def _impact_chart(report):
    """The histogram of a schedule draft's changes in dollars, as a picture (its numbers are in a table too)."""
    money = report.money if report else None
    if money is None or not money.histogram or not money.affected:
        return None
    labels, counts = list(money.histogram), list(money.histogram.values())
    words = f"How many {money.subjects} change by how much: " + listed(labels, [f"{n:,}" for n in counts]) + "."
    return bar_chart(Bars(f"Change of each of {money.affected:,} {money.subjects}", [SHORT_BINS.get(l, l) for l in labels],
                          counts, money.subjects, words, alert_from=labels.index("up $20 or more")),
                     width=7.5, height=2.6)


def subject_link(subjects: str, number: str) -> str | None:
    """The page of an account or a license named in an impact, or None for other subjects."""
    if subjects == "accounts":
        return url_for("accounts.show", number=number)
    if subjects == "licenses":
        return url_for("businesses.license", number=number)
    return None


IMPACT_SUBJECTS = {"accounts": "utility_account", "licenses": "license"}  # an impact's subjects: their case facts


def example_words(report, doc: RuleDocument | None) -> FactWords | None:
    """The words of the facts an impact's examples show: the subjects' documented facts, then the document's inputs
    (their labels, and each value worded by its type); None when the report has no examples."""
    money = report.money if report else None
    if money is None or not money.examples:
        return None
    subject = IMPACT_SUBJECTS.get(money.subjects)
    documented = subject_facts(subject, rules()) if subject else {}
    inputs = {name: Fact(name, spec.type, "") for name, spec in (doc.inputs if doc else {}).items()}
    programs = {program.id: program.name_in() for program in assistance.city_programs(database.session)}
    return FactWords({**inputs, **documented}, programs)


@bp.route("/<document_id>/drafts/<int:revision>")
@role_required(*SUPERVISORS)
def draft(document_id: str, revision: int):
    """A draft: its impact on real accounts (worked out in the background), its text, and publish."""
    row = _draft(document_id, revision)
    session, today = database.session, clock.today()
    check = _checked(row)
    refusal = publish_refusal(row, current_user.username, get_city(session))
    job = impact_job_for(row) if check and check.ok else None
    doc = check.document if check and check.document else _readable(row)
    changes = document_diff(check.published, doc) if check and check.published and doc else None
    report = rule_impact.report_of(job) if job else None
    return render_template("rules/draft_show.html", row=row, doc=doc, job=job, chart=_impact_chart(report),
                           fact_words=example_words(report, doc), link=subject_link, report=report, check=check, refusal=refusal,
                           errors=placed(check.errors, row.yaml_text) if check else [], warnings=_warnings(check),
                           changes=changes, form=ApproveForm(), send_back=SendBackForm(), retry=RetryImpactForm(),
                           reviews=reviews.reviews(session, document_id, revision), today=today)


@bp.route("/<document_id>/drafts/<int:revision>/impact", methods=["POST"])
@role_required(*SUPERVISORS)
def retry_impact(document_id: str, revision: int):
    """Ask again for a draft's impact after working it out failed."""
    row = _draft(document_id, revision)
    if not RetryImpactForm().validate_on_submit():
        abort(400)
    if row.status != "draft":
        flash(f"Revision {revision} is {row.status}, not a draft: its impact is not worked out.", "error")
        return redirect(url_for("rules.draft", document_id=document_id, revision=revision))
    rule_impact.request_impact(database.session, row, clock.today(), current_user.username, clock.now())
    database.session.commit()
    flash("The impact is being worked out again; this page shows how far it has got.", "success")
    return redirect(url_for("rules.draft", document_id=document_id, revision=revision))


@bp.route("/<document_id>/drafts/<int:revision>/publish", methods=["POST"])
@role_required(*SUPERVISORS)
def publish(document_id: str, revision: int):
    """Publish a draft: refused to its own author when the city asks for a second approver."""
    comment = ApproveForm().comment.data
    back = publish_from_page(_draft(document_id, revision), lambda: reviews.approve(
        database.session, document_id, revision, current_user.username, comment, clock.now(), clock.today()),
        url_for("rules.draft", document_id=document_id, revision=revision))
    if back is not None:
        return back
    flash(f"Revision {revision} of {document_id} published; it applies from its versions' effective dates.",
          "success")
    return redirect(url_for("rules.show", document_id=document_id))


@bp.route("/<document_id>/drafts/<int:revision>/send-back", methods=["POST"])
@role_required(*SUPERVISORS)
def send_back(document_id: str, revision: int):
    """Send a draft back to its author with a comment; it stays a draft."""
    _draft(document_id, revision)
    form = SendBackForm()
    here = url_for("rules.draft", document_id=document_id, revision=revision)
    if not form.validate_on_submit():
        flash("Not sent back: " + " ".join(form.comment.errors or ["the form was not sent whole."]), "error")
        return redirect(here)
    try:
        reviews.send_back(database.session, document_id, revision, current_user.username, form.comment.data,
                          clock.now())
    except store.RuleStoreError as error:
        database.session.rollback()
        flash(f"Not sent back: {error}", "error")
        return redirect(here)
    database.session.commit()
    flash(f"Revision {revision} of {document_id} sent back to its author with your comment.", "success")
    return redirect(here)


@bp.route("/approvals")
@role_required(*SUPERVISORS)
def approvals():
    """Drafts waiting for approval, with their author, date, standing and own effective dates."""
    return render_template("rules/approvals.html", drafts=reviews.approvals(database.session),
                           username=current_user.username)
