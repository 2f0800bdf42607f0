"""Workflows: the definitions in the rule store (draft a version, preview it on open cases, publish it) and each
definition drawn as a state diagram, with its states and steps in words, for all staff."""
from flask import Blueprint

from webapp import formatting

bp = Blueprint("workflows", __name__, url_prefix="/workflows")
formatting.attach(bp)

from webapp.workflows import diagrams, editor, routes  # noqa: E402,F401  (registers the views on bp)
