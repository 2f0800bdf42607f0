"""Fixtures for notice tests: one renderer for the sample city, shared by a module."""
from __future__ import annotations

import pytest

from engine.notices import NoticeRenderer
from samplecity.notices import sample_city
from notice_support import TEMPLATES


@pytest.fixture(scope="module")
def renderer() -> NoticeRenderer:
    """A renderer for Alder Creek's notices, with real wkhtmltopdf."""
    return NoticeRenderer(TEMPLATES, sample_city())
