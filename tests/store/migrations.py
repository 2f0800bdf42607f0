"""What the migration tests share: taking a test's own database down to an earlier revision."""
from __future__ import annotations

from alembic import command

from engine.store.db import make_engine
from engine.store.schema import alembic_config


def downgrade_to(committing_url: str, revision: str) -> None:
    """Undo every migration after `revision` on the test's own (committing) database."""
    engine = make_engine(committing_url)
    config = alembic_config(committing_url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()
