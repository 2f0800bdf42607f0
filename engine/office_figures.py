"""The whole city's dashboard figures, worked out as of a moment, and when they are due again (pure: no database,
no clock).

Counting every account (active, past due), summing every account's aging and the 30 days'
collections takes a few hundred milliseconds at a million accounts, too long for each view of
the dashboard. The scheduler works them out every `dashboard_figures_seconds` (a city setting)
and keeps them (engine.store.office_figures); the page reads the kept row and says when it was
worked out. A page that finds none for the city's date, or one older than twice the interval (a
new day, a stopped scheduler), works them out itself and keeps them. 0 seconds: always live.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

DEFAULT_EVERY_SECONDS = 60  # a new city's figures are at most about a minute old
SHORTEST_EVERY_SECONDS = 10
LONGEST_EVERY_SECONDS = 3600
ALWAYS_LIVE = 0
# A page shows kept figures up to this many intervals old: one interval missed by a busy scheduler is no reason to
# count a million accounts in a clerk's page view.
PAGE_PATIENCE = 2


@dataclass(frozen=True)
class CityFigures:
    """The figures that count or sum every account, for one city date, worked out at `worked_out_at`."""

    city_date: date
    worked_out_at: datetime
    active_accounts: int
    past_due_accounts: int
    businesses: int
    active_licenses: int
    aging: dict[str, int]  # every account's aging on city_date, by bucket (cents)
    collected: list[tuple[date, int]]  # payments booked on each of the 30 days up to city_date (cents)


class FiguresSettingError(ValueError):
    """A `dashboard_figures_seconds` that cannot be used; the message says what can."""


def checked_every(value: object) -> int:
    """The interval in seconds: 0 (always live) or a whole number from 10 to 3,600, else a FiguresSettingError."""
    if (isinstance(value, bool) or not isinstance(value, int)
            or not (value == ALWAYS_LIVE or SHORTEST_EVERY_SECONDS <= value <= LONGEST_EVERY_SECONDS)):
        raise FiguresSettingError(
            f"dashboard figures every: 0 seconds (always live) or a whole number of seconds from "
            f"{SHORTEST_EVERY_SECONDS} to {LONGEST_EVERY_SECONDS:,}, not {value!r}")
    return value


def due(kept_at: datetime | None, now: datetime, every: int) -> bool:
    """Whether the scheduler works the figures out again: none kept for today (`kept_at` None), or kept at least
    `every` seconds ago; never while the city counts live."""
    if every == ALWAYS_LIVE:
        return False
    return kept_at is None or now - kept_at >= timedelta(seconds=every)


def shown_as_kept(kept_at: datetime | None, now: datetime, every: int) -> bool:
    """Whether a page may show the figures kept for today at `kept_at`: at most twice the interval old (a machine's
    clock a little behind another's is no reason to count again)."""
    if every == ALWAYS_LIVE or kept_at is None:
        return False
    return -timedelta(seconds=every) <= now - kept_at <= timedelta(seconds=PAGE_PATIENCE * every)
