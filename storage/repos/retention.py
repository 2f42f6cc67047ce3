"""Deleting rows past their keeping time (the daily retention job).

Table and column names come from the retention policy in code, never from input; they are still
checked against the schema, so a table another release has not created yet is simply skipped.
"""

from __future__ import annotations

import re
from datetime import datetime

import aiosqlite

from storage.repos.sql import fetch_all, ts

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class RetentionRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def has_column(self, table: str, column: str) -> bool:
        if not (_NAME.match(table) and _NAME.match(column)):
            return False
        rows = await fetch_all(self.conn, f"PRAGMA table_info({table})")
        return any(row[1] == column for row in rows)

    async def purge(self, table: str, column: str, cutoff: datetime, where: str = "") -> int:
        """Delete the rows of ``table`` whose ``column`` is before ``cutoff``; how many."""
        if not await self.has_column(table, column):
            return 0
        extra = f" AND ({where})" if where else ""
        cursor = await self.conn.execute(
            f"DELETE FROM {table} WHERE {column} < ?{extra}", (ts(cutoff),))
        return cursor.rowcount
