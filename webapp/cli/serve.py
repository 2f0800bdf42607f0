"""`ordinance serve`: migrate the database if needed, then serve the web UI."""
from __future__ import annotations

import click
from sqlalchemy.exc import OperationalError

from webapp.cli.context import fail, open_database
from webapp.config import Config, ConfigError


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--no-scheduler", is_flag=True,
              help="Do not run the in-process scheduler (the nightly sweeps of schedule.yaml) inside this server.")
def command(host: str, port: int, no_scheduler: bool) -> None:
    """Serve the web UI with the embedded threaded server (one machine; use gunicorn beyond that)."""
    try:
        config = Config(host=host)
    except ConfigError as error:
        fail(str(error), 2)
    db = open_database(config)
    try:
        if db.upgrade():
            click.echo("Created a new, empty database; load the sample city with `ordinance demo`.")
    except OperationalError as error:
        fail(f"cannot open the database: {error.orig}")
    db.engine.dispose()
    click.echo(f"Sign-in {config.cookie_rule.reason}.")
    from webapp.app import create_app

    app = create_app(config)
    if not no_scheduler:
        from webapp.cli.scheduler import start_in_process

        start_in_process(config)
    click.echo(f"Ordinance on http://{host}:{port}/  (Ctrl-C to stop)")
    app.run(host=host, port=port, threaded=True, debug=False, use_reloader=False)
