"""Persistence: SQLAlchemy 2 typed models, the database engine and sessions.

The tables of engine.store.models, and those kept in modules of their own on the same Base
(engine.store.meters), are all declared once this package is imported.
"""
from engine.store import meters as _meters  # noqa: F401  (declares meters and meter_exchanges on models.Base)
