"""A customer's assistance programs: enrol, end an enrolment, and which programs hold on a day.

The programs are the city's (engine.assistance_programs, a city setting); the enrolments are
dated rows (engine.store.assistance). An enrolment holds on a day from its start through its
end (the last day enrolled, when re-certification is due), or without end. `programs_on` is
the one reader of "which programs is this customer in on this day" (the account facts
`assistance_programs` and `low_income` are made from it, engine.accounts.facts). Every
change writes an audit row on the customer; bad input raises AssistanceError naming the field
and changes nothing.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from engine import audit
from engine.accounts.record_days import END_YEARS_AHEAD, day_problem
from engine.assistance_programs import Program, programs_of
from engine.city import get_city, today_in_city
from engine.store.assistance import AssistanceEnrolment
from engine.store.kept_reads import PROGRAMS, kept_read
from engine.store.models import Customer

CHUNK = 1000  # customer ids per query


class AssistanceError(ValueError):
    """An enrolment that cannot be recorded or ended; the message names the field and why."""


def city_programs(session: Session) -> list[Program]:
    """The city's assistance programs in its order (the sample city's until it keeps its own); read once a sweep
    chunk (engine.store.kept_reads: a flush of the city's settings forgets it)."""
    return kept_read(session, "assistance_programs", lambda: programs_of(get_city(session).assistance_programs))


# Built once: the programs of the customers of `ids` in force on `day`, in the order they were enrolled.
IN_FORCE = (select(AssistanceEnrolment.customer_id, AssistanceEnrolment.program)
            .where(AssistanceEnrolment.customer_id.in_(bindparam("ids", expanding=True)),
                   AssistanceEnrolment.starts_on <= bindparam("day"),
                   or_(AssistanceEnrolment.ends_on.is_(None), AssistanceEnrolment.ends_on >= bindparam("day")))
            .order_by(AssistanceEnrolment.customer_id, AssistanceEnrolment.starts_on, AssistanceEnrolment.id))


def programs_on(session: Session, customer_ids: Iterable[int], day: date) -> dict[int, list[str]]:
    """The program ids each customer is enrolled in on the day (each once, first enrolled first); [] for none."""
    kept = kept_read(session, PROGRAMS, dict)  # by (customer, day), for a sweep chunk
    ids = sorted(set(customer_ids))
    wanted = [customer_id for customer_id in ids if (customer_id, day) not in kept]
    found: dict[int, list[str]] = {customer_id: [] for customer_id in wanted}
    for start in range(0, len(wanted), CHUNK):
        for customer_id, program in session.execute(IN_FORCE, {"ids": wanted[start:start + CHUNK], "day": day}):
            if program not in found[customer_id]:
                found[customer_id].append(program)
    kept.update(((customer_id, day), tuple(programs)) for customer_id, programs in found.items())
    return {customer_id: list(kept[(customer_id, day)]) for customer_id in ids}


def low_income_programs(programs: Iterable[Program]) -> frozenset[str]:
    """The ids of the programs that count as low income."""
    return frozenset(program.id for program in programs if program.counts_as_low_income)


def enrolments_of(session: Session, customer_id: int) -> list[AssistanceEnrolment]:
    """Every enrolment of the customer, the latest start first."""
    return list(session.scalars(select(AssistanceEnrolment).where(AssistanceEnrolment.customer_id == customer_id)
                                .order_by(AssistanceEnrolment.starts_on.desc(), AssistanceEnrolment.id.desc())))


def _program(session: Session, program_id: str) -> Program:
    programs = city_programs(session)
    found = next((program for program in programs if program.id == program_id), None)
    if found is None:
        raise AssistanceError(f"Program: {program_id!r} is not one of the city's assistance programs "
                              f"({', '.join(program.name_in() for program in programs)}).")
    return found


def _overlapping(session: Session, customer_id: int, program: str, starts_on: date, ends_on: date | None,
                 but: int | None = None) -> AssistanceEnrolment | None:
    """Another enrolment of the customer in the program whose days meet these days."""
    query = select(AssistanceEnrolment).where(
        AssistanceEnrolment.customer_id == customer_id, AssistanceEnrolment.program == program,
        or_(AssistanceEnrolment.ends_on.is_(None), AssistanceEnrolment.ends_on >= starts_on))
    if ends_on is not None:
        query = query.where(AssistanceEnrolment.starts_on <= ends_on)
    if but is not None:
        query = query.where(AssistanceEnrolment.id != but)
    return session.scalar(query.order_by(AssistanceEnrolment.starts_on).limit(1))


def _span(row: AssistanceEnrolment) -> str:
    return f"from {row.starts_on.isoformat()}" + (f" through {row.ends_on.isoformat()}" if row.ends_on else "")


def _end_problem(ends_on: date, today: date) -> str | None:
    """Why an enrolment's last day cannot be written: before 1900, or more than END_YEARS_AHEAD years after the
    city's `today`."""
    return day_problem(ends_on, "Enrolled through", today=today, years_ahead=END_YEARS_AHEAD)


def enrol(session: Session, customer_id: int, program_id: str, *, starts_on: date, ends_on: date | None, actor: str,
          now: datetime) -> AssistanceEnrolment:
    """Enrol the customer in a program from a day, through a day (re-certification due) or without end; audited."""
    if session.get(Customer, customer_id) is None:
        raise AssistanceError(f"There is no customer number {customer_id}.")
    program = _program(session, (program_id or "").strip())
    today = today_in_city(session, now)
    problem = day_problem(starts_on, "Enrolled from", today=today) or (
        ends_on is not None and _end_problem(ends_on, today))
    if problem:
        raise AssistanceError(problem)
    if ends_on is not None and ends_on < starts_on:
        raise AssistanceError(f"Enrolled through: not before the first day enrolled ({starts_on.isoformat()}), "
                              f"not {ends_on.isoformat()}.")
    clash = _overlapping(session, customer_id, program.id, starts_on, ends_on)
    if clash is not None:
        raise AssistanceError(f"Program: the customer is enrolled in {program.name_in()} {_span(clash)} already; "
                              "end that enrolment first, or choose days after it.")
    row = AssistanceEnrolment(customer_id=customer_id, program=program.id, starts_on=starts_on, ends_on=ends_on,
                              recorded_by=actor, recorded_at=now)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="customer.assistance_enrol", subject_type="customer",
                 subject_id=customer_id, at=now,
                 detail={"enrolment": row.id, "program": program.id, "name": program.name_in(),
                         "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat() if ends_on else None})
    return row


def end_enrolment(session: Session, customer_id: int, enrolment_id: int, *, ends_on: date, actor: str,
                  now: datetime) -> AssistanceEnrolment:
    """Set the last day of an enrolment (it ended, or re-certification is due then); audited with the day before."""
    row = session.get(AssistanceEnrolment, enrolment_id)
    if row is None or row.customer_id != customer_id:
        raise AssistanceError(f"The customer has no enrolment number {enrolment_id}.")
    problem = _end_problem(ends_on, today_in_city(session, now))
    if problem:
        raise AssistanceError(problem)
    if ends_on < row.starts_on:
        raise AssistanceError(f"Enrolled through: not before the first day enrolled ({row.starts_on.isoformat()}), "
                              f"not {ends_on.isoformat()}.")
    if row.ends_on == ends_on:
        return row
    clash = _overlapping(session, customer_id, row.program, row.starts_on, ends_on, but=row.id)
    if clash is not None:
        raise AssistanceError(f"Enrolled through: the customer has another enrolment in the program {_span(clash)}; "
                              "choose a day before it.")
    before = row.ends_on
    row.ends_on = ends_on
    session.flush()
    names = {program.id: program.name_in() for program in city_programs(session)}
    audit.record(session, actor=actor, action="customer.assistance_end", subject_type="customer",
                 subject_id=customer_id, at=now,
                 detail={"enrolment": row.id, "program": row.program, "name": names.get(row.program, row.program),
                         "before": before.isoformat() if before else None, "ends_on": ends_on.isoformat()})
    return row


def names_on(session: Session, customer_id: int, day: date, language: str = "en") -> list[str]:
    """The names of the programs the customer is enrolled in on the day, in the city's words."""
    names = {program.id: program.name_in(language) for program in city_programs(session)}
    return [names.get(program, program) for program in programs_on(session, [customer_id], day)[customer_id]]
