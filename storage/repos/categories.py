"""Activity categories: data, editable by admins."""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from bot.core.models import Category
from storage.repos.sql import fetch_all, fetch_one, scalar, ts

_COLUMNS = "id, code, label_vi, label_en, emoji, aliases, position, active"


def _category(row: aiosqlite.Row) -> Category:
    data = dict(row)
    data["aliases"] = tuple(json.loads(data["aliases"]))
    return Category(**data)


class CategoryRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def active(self) -> list[Category]:
        rows = await fetch_all(
            self.conn, f"SELECT {_COLUMNS} FROM categories WHERE active ORDER BY position, id")
        return [_category(r) for r in rows]

    async def all(self) -> list[Category]:
        rows = await fetch_all(self.conn,
                               f"SELECT {_COLUMNS} FROM categories ORDER BY position, id")
        return [_category(r) for r in rows]

    async def get(self, category_id: int) -> Category | None:
        row = await fetch_one(self.conn, f"SELECT {_COLUMNS} FROM categories WHERE id = ?",
                              (category_id,))
        return _category(row) if row else None

    async def by_code(self, code: str) -> Category | None:
        row = await fetch_one(self.conn, f"SELECT {_COLUMNS} FROM categories WHERE code = ?",
                              (code,))
        return _category(row) if row else None

    async def add(self, *, code: str, label_vi: str, label_en: str, emoji: str,
                  aliases: tuple[str, ...], now: datetime) -> Category:
        """A new active category, placed after every other one."""
        position = await scalar(self.conn, "SELECT COALESCE(MAX(position), 0) + 1 FROM categories")
        cursor = await self.conn.execute(
            "INSERT INTO categories (code, label_vi, label_en, emoji, aliases, position, active,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
            (code, label_vi, label_en, emoji, json.dumps(list(aliases), ensure_ascii=False),
             position, ts(now), ts(now)),
        )
        assert cursor.lastrowid is not None
        category = await self.get(cursor.lastrowid)
        assert category is not None
        return category

    async def update(self, category_id: int, *, label_vi: str, label_en: str, emoji: str,
                     aliases: tuple[str, ...], active: bool, now: datetime) -> None:
        """Change the editable fields; the code and the id stay, so old sessions keep it."""
        await self.conn.execute(
            "UPDATE categories SET label_vi = ?, label_en = ?, emoji = ?, aliases = ?,"
            " active = ?, updated_at = ? WHERE id = ?",
            (label_vi, label_en, emoji, json.dumps(list(aliases), ensure_ascii=False),
             int(active), ts(now), category_id),
        )

    async def set_positions(self, positions: list[tuple[int, int]], now: datetime) -> None:
        """Reorder: (id, position) pairs."""
        await self.conn.executemany(
            "UPDATE categories SET position = ?, updated_at = ? WHERE id = ?",
            [(position, ts(now), category_id) for category_id, position in positions],
        )
