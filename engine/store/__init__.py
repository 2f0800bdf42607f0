"""Persistence: SQLAlchemy 2 typed models, the database engine and sessions."""

# Tables of their own modules on the models' Base, registered whenever the store is imported (here rather
# than at the bottom of engine.store.models, which would make a circle of imports of the two modules).
from engine.store import rule_reviews  # noqa: E402,F401
