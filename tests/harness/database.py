"""A real SQLite database in a temp file, a pytest plugin (see tests/conftest.py): tests never
mock the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "test.sqlite3") as database:
        yield database
