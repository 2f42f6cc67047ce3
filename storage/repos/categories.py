"""Activity categories: data, editable by admins."""

from __future__ import annotations

import json

import aiosqlite

from storage.models import Category
from storage.repos._sql import fetch_all, fetch_one

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
