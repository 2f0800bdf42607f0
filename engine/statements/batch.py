"""A billing run's statements: one mailing PDF of every bill, its postal summary, and one bill's PDF on demand.

`mail_statements` reads the run's bills (cycle and period) in mailing order, ZIP code then
account number, a chunk at a time, builds each statement's data (engine.statements.data) and
renders them all into one PDF (engine.statements.render) while later chunks are still read:

    <folder>/<period>/statements-<cycle>-<period>.pdf          the print shop's file
    <folder>/<period>/postal-summary-<cycle>-<period>.csv      pieces and pages by ZIP and language

Both are written under a temporary name and renamed, so a run stopped halfway leaves no
partial file under the real name. One audit row (`statements.mailed`) holds the PDF's
SHA-256 and the counts. Running it again renders the same bills again (the same statements,
as they are all as of the bill's date) and replaces the files.
"""
from __future__ import annotations

import hashlib
import io
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine import audit
from engine.exports import write_csv
from engine.money.billing import check_period
from engine.notices.kept import city_details
from engine.notices.render import pages_of
from engine.rules.library import RuleLibrary
from engine.statements.data import Statement, StatementData, bills_of_run
from engine.statements.render import STATEMENT, StatementRenderer
from engine.store.models import Bill

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "notices"
SUMMARY_COLUMNS = ["zip", "language", "pieces", "pages"]
MIN_PART = 50  # statements in one wkhtmltopdf run, at least


class StatementsError(ValueError):
    """Statements that cannot be made: no such run, or a bill that cannot be found."""


@dataclass
class PostalSummary:
    """A mailing's pieces and pages, by ZIP code and language."""

    pieces: Counter = field(default_factory=Counter)
    pages: Counter = field(default_factory=Counter)

    def add(self, zip_code: str, language: str, pages: int) -> None:
        """Count one piece of mail of so many pages."""
        self.pieces[(zip_code, language)] += 1
        self.pages[(zip_code, language)] += pages

    def rows(self) -> list[dict[str, Any]]:
        """One row per ZIP code and language, in order, then a row per language and the total."""
        rows = [{"zip": zip_code, "language": language, "pieces": self.pieces[(zip_code, language)],
                 "pages": self.pages[(zip_code, language)]} for zip_code, language in sorted(self.pieces)]
        for language in sorted({language for _, language in self.pieces}):
            rows.append({"zip": "all", "language": language,
                         "pieces": sum(n for (_, lang), n in self.pieces.items() if lang == language),
                         "pages": sum(n for (_, lang), n in self.pages.items() if lang == language)})
        rows.append({"zip": "all", "language": "all", "pieces": self.total_pieces, "pages": self.total_pages})
        return rows

    @property
    def total_pieces(self) -> int:
        """Pieces of mail in all."""
        return sum(self.pieces.values())

    @property
    def total_pages(self) -> int:
        """Pages in all."""
        return sum(self.pages.values())

    def csv(self) -> str:
        """The summary as CSV."""
        out = io.StringIO()
        write_csv(out, self.rows(), SUMMARY_COLUMNS, lineterminator="\n")
        return out.getvalue()


@dataclass
class StatementRun:
    """What a run's statements made: the files, the PDF's SHA-256 and the postal summary."""

    cycle: str
    period: str
    pdf_path: Path
    summary_path: Path
    sha256: str
    summary: PostalSummary
    pages: int = 0  # sheets in the PDF


def statements_path(folder: Path, cycle: str, period: str) -> Path:
    """Where a run's mailing PDF goes."""
    return folder / period / f"statements-{cycle}-{period}.pdf"


def _statements(session: Session, data: StatementData, cycle: str, period: str,
                shown: list[Statement]) -> Iterator[tuple[str, str, dict]]:
    """(type, language, data) of each statement of the run, in mailing order; each appended to `shown` as it goes."""
    for bills in bills_of_run(session, cycle, period):
        for statement in data.of_bills(session, bills):
            shown.append(statement)
            yield STATEMENT, statement.language, statement.data


def _write(path: Path, content: bytes) -> None:
    """Write a file under a temporary name, then rename it into place."""
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(content)
    os.replace(partial, path)


def mail_statements(session: Session, library: RuleLibrary, *, cycle: str, period: str, folder: str | Path,
                    now: datetime, actor: str, renderer: StatementRenderer | None = None) -> StatementRun:
    """Render every bill of a billing run into one mailing PDF with its postal summary; audited."""
    made = render_statements(session, library, cycle=cycle, period=period, folder=folder, renderer=renderer)
    record_mailing(session, made, actor=actor, now=now)
    return made


def render_statements(session: Session, library: RuleLibrary, *, cycle: str, period: str, folder: str | Path,
                      renderer: StatementRenderer | None = None,
                      progress: Callable[[int, int], None] | None = None) -> StatementRun:
    """Render every bill of a billing run into one mailing PDF with its postal summary, written to `folder` (only
    reading the database: `record_mailing` audits it); `progress(done, bills)` as each statement's sheets are
    counted."""
    check_period(period)
    count = session.scalar(select(func.count(Bill.id)).where(Bill.cycle == cycle, Bill.period == period))
    if not count:
        raise StatementsError(f"no bills for cycle {cycle} in {period}: run `ordinance billing run` first")
    renderer = renderer or StatementRenderer(TEMPLATES, city_details(session))
    # Parts small enough that every wkhtmltopdf process has one, large enough to pay for starting it.
    renderer.pages_per_process = max(MIN_PART, min(renderer.pages_per_process, -(-count // renderer.processes)))
    shown: list[Statement] = []
    summary = PostalSummary()

    def counted(position: int, pages: int) -> None:
        statement = shown[position]
        summary.add(statement.zip, statement.language, pages)
        if progress:
            progress(position + 1, count)

    pdf = renderer.render_batch(_statements(session, StatementData(library), cycle, period, shown),
                                each_pages=counted)
    if summary.total_pieces != len(shown):  # a sheet the splitter could not tell apart: count the whole
        summary = PostalSummary()
        for statement in shown:
            summary.add(statement.zip, statement.language, 1)
    pdf_path = statements_path(Path(folder), cycle, period)
    summary_path = pdf_path.with_name(f"postal-summary-{cycle}-{period}.csv")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    _write(pdf_path, pdf)
    _write(summary_path, summary.csv().encode("utf-8"))
    return StatementRun(cycle, period, pdf_path, summary_path, hashlib.sha256(pdf).hexdigest(), summary,
                        pages_of(pdf))


def record_mailing(session: Session, made: StatementRun, *, actor: str, now: datetime) -> None:
    """The audit row of a run's statements: the PDF's SHA-256, its pieces and pages, and where it is."""
    audit.record(session, actor=actor, action="statements.mailed", subject_type="billing_run",
                 subject_id=f"{made.cycle}-{made.period}", at=now,
                 detail={"cycle": made.cycle, "period": made.period, "pieces": made.summary.total_pieces,
                         "pages": made.pages, "sha256": made.sha256, "file": str(made.pdf_path)})


def statement_of_bill(session: Session, library: RuleLibrary, bill_id: int) -> Statement:
    """One bill's statement data (for a reprint or an e-bill)."""
    bill = session.scalar(select(Bill).where(Bill.id == bill_id).options(selectinload(Bill.lines)))
    if bill is None:
        raise StatementsError(f"no bill with id {bill_id}")
    return StatementData(library).of_bills(session, [bill])[0]


def statement_pdf(session: Session, library: RuleLibrary, bill_id: int, templates_dir: str | Path = TEMPLATES,
                  language: str | None = None) -> bytes:
    """One bill's statement as a PDF, rendered now from the stored bill (as of its date: what was mailed); in
    `language` when given (a Spanish bill's English twin), else in the customer's."""
    statement = statement_of_bill(session, library, bill_id)
    renderer = StatementRenderer(templates_dir, city_details(session))
    return renderer.render_one(STATEMENT, language or statement.language, statement.data)


def bill_of_account(session: Session, account_id: int, *, bill_id: int | None = None,
                    period: str | None = None) -> Bill | None:
    """The account's bill with this id, or of this period, or (neither given) its latest; None when it has none."""
    query = select(Bill).where(Bill.account_id == account_id)
    if bill_id is not None:
        query = query.where(Bill.id == bill_id)
    if period is not None:
        query = query.where(Bill.period == period)
    return session.scalar(query.order_by(Bill.period.desc(), Bill.id.desc()).limit(1))
