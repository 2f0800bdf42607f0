"""Persistence: SQLAlchemy 2 typed models, the database engine and sessions.

The tables of engine.store.models, and those kept in modules of their own on the same Base
(engine.store.meters, engine.store.rule_reviews, engine.store.adjustments,
engine.store.assistance, engine.store.office_figures, engine.store.forecasts), are all declared once this package is
imported (here rather than at the bottom of engine.store.models, which would make a circle of
imports of the two modules).
"""
from engine.store import meters as _meters  # noqa: F401  (declares meters and meter_exchanges on models.Base)
from engine.store import rule_reviews as _rule_reviews  # noqa: F401  (declares rule_reviews on models.Base)
from engine.store import adjustments as _adjustments  # noqa: F401  (declares adjustments and rebills on models.Base)
from engine.store import assistance as _assistance  # noqa: F401  (declares assistance_enrolments on models.Base)
from engine.store import office_figures as _office_figures  # noqa: F401  (declares office_figures on models.Base)
from engine.store import forecasts as _forecasts  # noqa: F401  (declares day_forecasts on models.Base)
