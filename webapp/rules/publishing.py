"""Publishing a draft from its page, the same for a rule document and a workflow: a second person, or why not."""
from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, make_response, redirect
from flask_login import current_user
from werkzeug.wrappers import Response

from engine.city import get_city
from engine.rulebook.approval import WAITING_FOR_SECOND_APPROVER, publish_refusal
from engine.rulebook.store import RuleStoreError
from engine.rules.errors import DocumentErrors
from engine.store.models import RuleVersion, WorkflowVersion
from webapp.extensions import database
from webapp.main import errors
from webapp.rules.draft_forms import PublishForm


def publish_from_page(row: RuleVersion | WorkflowVersion, publish: Callable[[], object],
                      draft_page: str) -> Response | None:
    """Publish as the signed-in person and commit (None); refused to the author alone (403); else back to the draft."""
    refusal = publish_refusal(row, current_user.username, get_city(database.session))
    if refusal == WAITING_FOR_SECOND_APPROVER:
        abort(make_response(*errors.page(403, refusal)))
    if not PublishForm().validate_on_submit():
        abort(400)
    try:
        publish()
    except RuleStoreError as error:
        database.session.rollback()
        flash(f"Not published: {error}", "error")
        return redirect(draft_page)
    except DocumentErrors as refused:
        database.session.rollback()
        count = len(refused.errors)
        flash(f"Not published: the text has {count} error{'s' * (count != 1)}, listed under Publish.", "error")
        return redirect(draft_page)
    database.session.commit()
    return None
