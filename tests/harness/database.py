"""A real SQLite database in a temp file, a pytest plugin (see tests/conftest.py): tests never
mock the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.models import Commune, Province
from storage.db import Database
from storage.repos import Repos

#: The two communes of Cần Thơ the hand-built provinces of the tests use.
VI_THUY, VI_THANH = "31441", "31321"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "test.sqlite3") as database:
        yield database


async def add_two_communes(repos: Repos) -> None:
    """Cần Thơ with Xã Vị Thủy and Phường Vị Thanh, for a hand-built province."""
    await repos.geo.upsert_province(Province(code="92", name="Thành phố Cần Thơ"))
    for code, name in ((VI_THUY, "Xã Vị Thủy"), (VI_THANH, "Phường Vị Thanh")):
        await repos.geo.upsert_commune(Commune(code=code, province_code="92", name=name,
                                               division_type="xã"))
