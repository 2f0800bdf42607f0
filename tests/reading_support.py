"""A fixture that counts what is read while a test runs: rule texts parsed (by source), libraries built."""
from __future__ import annotations

from collections import Counter

import pytest

from engine.rules import loader
from engine.rules.library import RuleLibrary


@pytest.fixture
def reading(monkeypatch: pytest.MonkeyPatch) -> tuple[Counter[str], Counter[str]]:
    """Counts of YAML rule texts parsed (by source) and of rule libraries built, from now on."""
    parsed: Counter[str] = Counter()
    built: Counter[str] = Counter()
    read_yaml, from_documents = loader.read_yaml, RuleLibrary.from_documents.__func__

    def counted_read(text, source):
        """Parse, counting the source."""
        parsed[source] += 1
        return read_yaml(text, source)

    def counted_build(cls, *args, **kwargs):
        """Build a library, counting it."""
        built["libraries"] += 1
        return from_documents(cls, *args, **kwargs)

    monkeypatch.setattr(loader, "read_yaml", counted_read)
    monkeypatch.setattr(RuleLibrary, "from_documents", classmethod(counted_build))
    return parsed, built
