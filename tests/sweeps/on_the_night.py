"""`python -m tests.sweeps.on_the_night YYYY-MM-DD ARGS...`: `ordinance ARGS...` with its clock at 02:00 that night.

A sweep run by hand knows the city's date it runs on: a night before it is caught up and
mails nothing. Tests that run `ordinance sweep run` in a process of its own use this to run
it on the night itself, as the scheduler would.
"""
from __future__ import annotations

import sys
from datetime import date, datetime, time, timezone

import webapp.cli.context as context
from webapp.cli import main


def run(day: str, args: list[str]) -> None:
    """The command line with its clock at 10:00 UTC (02:00 in the city) on the day."""
    moment = datetime.combine(date.fromisoformat(day), time(10, 0), tzinfo=timezone.utc)
    context.now = lambda: moment
    main(args)


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2:])
