"""Targets: one per place, category and month or quarter (see :mod:`bot.core.targets`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.targets import TargetKind, TargetPeriod, periods_containing
from storage.repos.sql import fetch_all, ts

TargetScope = Literal["province", "commune", "team"]

_COLUMNS = "id, scope_kind, scope_id, category_id, period_kind, period_start, citizens"


class Target(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    scope_kind: TargetScope
    scope_id: str
    category_id: int | None
    period_kind: TargetKind
    period_start: date
    citizens: int

    @property
    def period(self) -> TargetPeriod:
        return TargetPeriod(self.period_start, self.period_kind)


class TargetRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def set(self, *, scope_kind: TargetScope, scope_id: str, category_id: int | None,
                  period: TargetPeriod, citizens: int | None, by: int | None,
                  now: datetime) -> int | None:
        """Set (or with ``citizens`` None remove) a target; the previous value, if any."""
        where = ("scope_kind = ? AND scope_id = ? AND IFNULL(category_id, 0) = ?"
                 " AND period_kind = ? AND period_start = ?")
        key = (scope_kind, scope_id, category_id or 0, period.kind, period.start.isoformat())
        rows = await fetch_all(self.conn, f"SELECT citizens FROM targets WHERE {where}", key)
        previous = int(rows[0][0]) if rows else None
        await self.conn.execute(f"DELETE FROM targets WHERE {where}", key)
        if citizens is not None:
            await self.conn.execute(
                "INSERT INTO targets (scope_kind, scope_id, category_id, period_kind,"
                " period_start, citizens, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (scope_kind, scope_id, category_id, period.kind, period.start.isoformat(),
                 citizens, by, ts(now)))
        return previous

    async def covering(self, day: date) -> list[Target]:
        """Every target whose month or quarter holds ``day``."""
        month, quarter = periods_containing(day)
        return await self._where(
            "(period_kind = 'month' AND period_start = ?)"
            " OR (period_kind = 'quarter' AND period_start = ?)",
            (month.start.isoformat(), quarter.start.isoformat()))

    async def in_period(self, period: TargetPeriod) -> list[Target]:
        return await self._where("period_kind = ? AND period_start = ?",
                                 (period.kind, period.start.isoformat()))

    async def _where(self, where: str, params: tuple[str, ...]) -> list[Target]:
        rows = await fetch_all(
            self.conn,
            f"SELECT {_COLUMNS} FROM targets WHERE {where}"
            " ORDER BY period_kind DESC, scope_kind, scope_id, IFNULL(category_id, 0)", params)
        return [Target(**dict(r)) for r in rows]
