"""Small helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from bot.core.text import fold


def ts(moment: datetime) -> str:
    """Store instants as ISO-8601 UTC text so they sort and compare as strings."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(value: str | None) -> datetime | None:
    if value is None:
        return None
    # fromisoformat reads the "Z" (Python 3.11+) and is many times cheaper than strptime.
    return datetime.fromisoformat(value)


async def fetch_all(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> list[
    aiosqlite.Row
]:
    return list(await conn.execute_fetchall(sql, tuple(params)))


async def fetch_one(
    conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
) -> aiosqlite.Row | None:
    rows = await fetch_all(conn, sql, params)
    return rows[0] if rows else None


async def scalar(conn: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()) -> Any:
    row = await fetch_one(conn, sql, params)
    return None if row is None else row[0]


def like_pattern(text: str) -> str:
    """``%text%`` for ``LIKE … ESCAPE '\\'`` on a folded ``name_key`` (any diacritics)."""
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
