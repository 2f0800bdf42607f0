"""Lists of customers the command line hands over (a report's CSV naming customers, the phone notification list).

Each is a download, as the pages' are (webapp.downloads.audited_download): its audit row `download`
(engine.audit.record_download) is committed before the bytes are written to the file or to standard output. The
command line names no member of staff for these commands, so the row's actor is the command line's own
(`cli:` and the system user, webapp.cli.context.actor), as in its other audit rows.
"""
from __future__ import annotations

from pathlib import Path

import click

from engine.audit import record_download
from webapp.cli.context import CityContext, actor


def audited_output(city: CityContext, data: str, output: str | None, *, what: str, filename: str,
                   filters: dict[str, object], rows: int) -> None:
    """Write `data` to the file `output` (or standard output) after its audit row `download` is committed; the row
    names the file written (`filename` when it goes to standard output)."""
    taken = data.encode("utf-8")
    with city.transaction() as session:
        record_download(session, actor=actor(), what=what, filename=(Path(output).name if output else filename)[:80],
                        filters=filters, rows=rows, data=taken, at=city.now())
    if output:
        Path(output).write_bytes(taken)
    else:
        click.echo(taken, nl=False)  # bytes: written as they are, the bytes the row's SHA-256 is of
