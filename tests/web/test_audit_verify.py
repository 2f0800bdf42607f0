"""`ordinance audit verify` with the nightly checkpoint: rows cut from the log's end are caught, and the seal named."""
from __future__ import annotations

from datetime import timezone

from sqlalchemy import text

from engine.store.db import make_engine
from engine.store.models import AuditCheckpoint, AuditEntry
from tests.web.test_cli import rows


def sealed_log(cli, url: str) -> AuditCheckpoint:
    """Three users added, then the night's audit-checkpoint sweep; its checkpoint."""
    for name in ("ann", "bob", "cy"):
        added = cli("users", "add", name, "--role", "clerk", "--name", name.title(), "--password-stdin",
                    input="tall-cedar-ledger-2026\n")
        assert added.exit_code == 0, added.output
    result = cli("sweep", "run", "audit-checkpoint", "--as-of", "2026-04-30")
    assert result.exit_code == 0, result.output
    assert "Audit checkpoint: checkpoint 1 of" in result.output
    return rows(url, AuditCheckpoint)[0]


def named(checkpoint: AuditCheckpoint, rows_shown: int) -> str:
    """How the message names a checkpoint: its id, time and length."""
    moment = checkpoint.at.astimezone(timezone.utc)
    return f"checkpoint {checkpoint.id} of {moment:%Y-%m-%d %H:%M:%S} UTC ({rows_shown:,} rows, " \
           "sweep audit-checkpoint 2026-04-30)"


def intrude(url: str, *statements: tuple[str, dict]) -> None:
    """Someone with database access drops the append-only guards and runs the statements."""
    engine = make_engine(url)
    with engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        for table, operation in (("audit_log", "delete"), ("audit_checkpoints", "update")):
            connection.execute(text(f"DROP TRIGGER {table}_no_{operation}" + (f" ON {table}" if postgres else "")))
        for statement, values in statements:
            connection.execute(text(statement), values)
    engine.dispose()


def test_an_intact_sealed_log_verifies_and_says_what_seals_it(cli, committing_url, tmp_path):
    checkpoint = sealed_log(cli, committing_url)
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output
    assert f"Audit log OK: {checkpoint.rows} rows checked, every link intact. Sealed by " \
           f"{named(checkpoint, checkpoint.rows)}." in result.output
    key = tmp_path / "instance" / "audit_key"
    assert key.stat().st_mode & 0o777 == 0o600 and key.read_text().strip() != \
        (tmp_path / "instance" / "secret_key").read_text().strip()


def test_rows_cut_from_the_end_fail_verify_naming_the_checkpoint(cli, committing_url):
    checkpoint = sealed_log(cli, committing_url)
    kept = rows(committing_url, AuditEntry)[:2]
    intrude(committing_url, ("DELETE FROM audit_log WHERE id > :i", {"i": kept[-1].id}))
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert f"Audit log BROKEN: rows were cut from the end: {named(checkpoint, checkpoint.rows)} sealed " \
           f"{checkpoint.rows} rows, the log now has 2." in result.stderr


def test_rows_cut_and_the_stored_head_rewritten_fail_verify_naming_the_checkpoint(cli, committing_url):
    """The intruder also rewrites the checkpoint's length and head hash to fit what is left: its signature fails."""
    checkpoint = sealed_log(cli, committing_url)
    kept = rows(committing_url, AuditEntry)[:2]
    intrude(committing_url, ("DELETE FROM audit_log WHERE id > :i", {"i": kept[-1].id}),
            ("UPDATE audit_checkpoints SET rows = 2, head_hash = :h", {"h": kept[-1].hash}))
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert f"Audit log BROKEN: {named(checkpoint, 2)} is not signed with this instance's audit key" in result.stderr


def test_a_checkpoint_signed_with_another_key_is_named(cli, committing_url):
    checkpoint = sealed_log(cli, committing_url)
    result = cli("audit", "verify", env_overrides={"AUDIT_KEY": "not the instance's key"})
    assert result.exit_code == 1
    assert f"{named(checkpoint, checkpoint.rows)} is not signed with this instance's audit key: it was forged or " \
           "altered (or AUDIT_KEY is not the key that signed it)" in result.stderr
