"""The dashboard's whole-city figures as last worked out for each city date (engine.office_figures).

One row per city date, overwritten by each newer working out: the scheduler writes it every
`dashboard_figures_seconds`; a page writes it only when it finds none for the day or finds it
too old. Several writers at once (the scheduler and a page, two web machines) never fail: the
write is an upsert on the city date, and an older working out never replaces a newer one.

No audit row is written: the row is a cache of counts and sums that anyone may work out again
from the accounts and the ledger; nothing moves, no money, no decision.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.office_figures import CityFigures
from engine.store.models import Base


class OfficeFigures(Base):
    """The whole city's dashboard figures for one city date, as of `worked_out_at`."""

    __tablename__ = "office_figures"
    city_date: Mapped[date] = mapped_column(Date, primary_key=True)
    worked_out_at: Mapped[datetime]
    took_ms: Mapped[int] = mapped_column(Integer)  # how long working them out took, for the deployment's eyes
    active_accounts: Mapped[int] = mapped_column(Integer)
    past_due_accounts: Mapped[int] = mapped_column(Integer)
    businesses: Mapped[int] = mapped_column(Integer)
    active_licenses: Mapped[int] = mapped_column(Integer)
    aging: Mapped[dict[str, Any]]  # bucket -> cents
    collected: Mapped[list[Any]]  # [["2026-03-02", cents], ...], the 30 days up to city_date


def kept_figures(session: Session, day: date) -> CityFigures | None:
    """The figures kept for the city date `day`, or None."""
    row = session.get(OfficeFigures, day, populate_existing=True)  # as written last, even by this session
    if row is None:
        return None
    return CityFigures(city_date=row.city_date, worked_out_at=row.worked_out_at,
                       active_accounts=row.active_accounts, past_due_accounts=row.past_due_accounts,
                       businesses=row.businesses, active_licenses=row.active_licenses,
                       aging={name: int(cents) for name, cents in row.aging.items()},
                       collected=[(date.fromisoformat(day), int(cents)) for day, cents in row.collected])


def last_worked_out(session: Session, day: date) -> datetime | None:
    """When the figures for `day` were last worked out (the scheduler's cheap look before it works), or None."""
    return session.scalar(select(OfficeFigures.worked_out_at).where(OfficeFigures.city_date == day))


def keep_figures(session: Session, figures: CityFigures, took_ms: int) -> None:
    """Keep the figures for their city date: inserted, or replacing older ones (never newer ones), in one statement."""
    values = {"city_date": figures.city_date, "worked_out_at": figures.worked_out_at, "took_ms": took_ms,
              "active_accounts": figures.active_accounts, "past_due_accounts": figures.past_due_accounts,
              "businesses": figures.businesses, "active_licenses": figures.active_licenses,
              "aging": dict(figures.aging),
              "collected": [[day.isoformat(), cents] for day, cents in figures.collected]}
    insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(OfficeFigures)
    statement = insert.values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=[OfficeFigures.city_date],
        set_={name: statement.excluded[name] for name in values if name != "city_date"},
        where=OfficeFigures.worked_out_at < statement.excluded.worked_out_at))
