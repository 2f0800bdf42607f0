"""Downloads the pages offer: rows as CSV (the same rows a page shows), and a notice's kept PDF."""
from __future__ import annotations

import io
from collections.abc import Iterable

from flask import Response
from flask_login import current_user

from engine.exports import write_csv
from engine.notices.kept import print_notice
from webapp import clock
from webapp.catalog import notice_templates
from webapp.extensions import database


def csv_response(rows: Iterable[dict], filename: str, columns: list[str] | None = None) -> Response:
    """Rows as a spreadsheet-safe CSV attachment; the header is `columns` or the first row's keys."""
    out = io.StringIO()
    write_csv(out, rows, columns)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def printed_notice(notice_id: int) -> bytes:
    """A notice's PDF as kept when mailed or first printed; printed now (and kept) by the signed-in clerk if not yet."""
    return print_notice(database.factory(), notice_id, notice_templates(), printed_by=current_user.username,
                        now=clock.now())
