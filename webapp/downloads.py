"""Downloads the pages offer: rows as CSV (the same rows a page shows), and a notice's kept PDF.

A download that carries customers' names, phones, addresses or balances is `audited_download`: its audit row
(engine.audit.record_download) is committed before the bytes leave, in a transaction of its own.
"""
from __future__ import annotations

import io
from collections.abc import Iterable

from flask import Response
from flask_login import current_user

from engine.audit import record_download
from engine.exports import write_csv
from engine.notices.kept import print_notice
from webapp import clock
from webapp.catalog import notice_templates
from webapp.extensions import database


def attachment(data: bytes | str, filename: str, mimetype: str = "text/csv", *, inline: bool = False) -> Response:
    """Bytes as a download named `filename` (shown in the browser when `inline`)."""
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{filename}"'})


def csv_response(rows: Iterable[dict], filename: str, columns: list[str] | None = None, *,
                 audited: str | None = None, filters: dict[str, object] | None = None) -> Response:
    """Rows as a spreadsheet-safe CSV attachment; the header is `columns` or the first row's keys.

    `audited`: the list's name in the city's words when the rows name customers (the download is audited then)."""
    out = io.StringIO()
    count = write_csv(out, rows, columns)
    if audited is not None:
        return audited_download(out.getvalue(), filename, what=audited, filters=filters or {}, rows=count)
    return attachment(out.getvalue(), filename)


def audited_download(data: bytes | str, filename: str, *, what: str, filters: dict[str, object], rows: int,
                     mimetype: str = "text/csv", inline: bool = False, actor: str | None = None) -> Response:
    """A download of customers' data by `actor` (default: the signed-in person; an API call names its token,
    webapp.api.gate.api_actor): its audit row `download` (what, filters, rows, the SHA-256 of the bytes) written and
    committed first, then the bytes.

    The page's reads end first: on SQLite a read begun before a notice's first print was kept (by a session of its
    own) could no longer write."""
    data = data.encode() if isinstance(data, str) else data
    database.session.commit()
    record_download(database.session, actor=actor or current_user.username, what=what, filename=filename,
                    filters=filters, rows=rows, data=data, at=clock.now())
    database.session.commit()
    return attachment(data, filename, mimetype, inline=inline)


def printed_notice(notice_id: int) -> bytes:
    """A notice's PDF as kept when mailed or first printed; printed now (and kept) by the signed-in clerk if not yet."""
    return print_notice(database.factory(), notice_id, notice_templates(), printed_by=current_user.username,
                        now=clock.now())
