"""Rule pages (read-only, for all staff): versions in words, a diff of any two versions, a trial evaluation."""
from __future__ import annotations

from flask import render_template, request

from engine.rulebook import reviews
from engine.rules.errors import EvaluationError
from engine.rules.tagged import program_uses
from webapp import clock
from webapp.auth import STAFF, role_required
from webapp.catalog import rules
from webapp.extensions import database
from webapp.pages import not_found
from webapp.rules import bp, lookup
from webapp.rules.forms import evaluate_form, facts_of


def _document(document_id: str):
    """The document with this id, or a 404 that says so."""
    if document_id not in rules():
        not_found(f"There is no rule document “{document_id}”.")
    return rules().get(document_id)


@bp.route("/")
@role_required(*STAFF)
def index():
    """Every rule document with its version in force today."""
    return render_template("rules/index.html", documents=lookup.documents(rules(), clock.today()), today=clock.today())


def _page(doc, form, result=None, error=None, status: int = 200):
    """The document page, with the evaluate form and its result or error."""
    return render_template("rules/show.html", doc=doc, versions=lookup.versions(doc, clock.today()), form=form,
                           result=result, error=error, today=clock.today(),
                           warnings=lookup.warnings(doc, rules()), uses=program_uses(doc),
                           history=reviews.history(database.session, doc.id)), status


@bp.route("/<document_id>")
@role_required(*STAFF)
def show(document_id: str):
    """A document: each version (in force, future, past) and its content; a schedule's evaluate form."""
    doc = _document(document_id)
    form = evaluate_form(doc)
    form.as_of.data = clock.today()
    return _page(doc, form)


@bp.route("/<document_id>/evaluate", methods=["POST"])
@role_required(*STAFF)
def evaluate(document_id: str):
    """Evaluate a schedule with the facts typed in: each line, how it was reached, the total."""
    doc = _document(document_id)
    form = evaluate_form(doc, request.form)
    if doc.kind != "schedule":
        return _page(doc, form, error="Only schedules are evaluated here.", status=400)
    if not form.validate_on_submit():
        return _page(doc, form, status=400)
    try:
        result = rules().evaluate(doc.id, facts_of(form, doc), form.as_of.data).to_json()
    except EvaluationError as error:
        return _page(doc, form, error=str(error), status=400)
    return _page(doc, form, result=result)


@bp.route("/<document_id>/diff")
@role_required(*STAFF)
def diff(document_id: str):
    """What changed between two versions of a document, in words and as a table (by default the newest two)."""
    doc = _document(document_id)
    pair = lookup.version_pair(doc, request.args.get("older"), request.args.get("newer"))
    return render_template("rules/diff.html", doc=doc, pair=pair, rows=lookup.diff_of(doc, pair) if pair else [])
