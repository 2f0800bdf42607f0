"""The instance's keys (secret and audit) are written once, whole, even when processes start together."""
from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from webapp.config import ConfigError, audit_key, secret_key


def _read_audit_key(folder: str, results) -> None:
    """One process starting: read (or write) the audit key."""
    results.put(audit_key(Path(folder)).decode())


def test_processes_starting_together_all_read_one_whole_key(tmp_path, monkeypatch):
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=_read_audit_key, args=(str(tmp_path), results)) for _ in range(12)]
    for process in processes:
        process.start()
    keys = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert (tmp_path / "audit_key").read_text() == keys[0]
    assert oct((tmp_path / "audit_key").stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit_key"]  # no draft left behind


def test_a_key_is_kept_across_starts_and_an_empty_key_file_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert secret_key(tmp_path) == first
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(ConfigError, match="secret_key is empty"):
        secret_key(tmp_path)
    os.unlink(tmp_path / "secret_key")
    assert secret_key(tmp_path) != first
