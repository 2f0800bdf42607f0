"""Downloads the pages offer: rows as CSV, the same rows a page shows."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response


def csv_response(rows: Iterable[dict], filename: str, columns: list[str] | None = None) -> Response:
    """Rows as a CSV attachment; the header is `columns` or the first row's keys."""
    out = io.StringIO()
    writer = csv.DictWriter(out, columns) if columns else None
    if writer is not None:
        writer.writeheader()
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(out, list(row))
            writer.writeheader()
        writer.writerow(row)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
