"""The allowance rule's history: the rule of a month is the latest set from that month or
before (see :mod:`bot.core.allowance` for what a rule means)."""

from __future__ import annotations

from datetime import date, datetime

import aiosqlite
from pydantic import BaseModel, ConfigDict

from bot.core.allowance import AllowanceRule
from storage.repos.sql import fetch_one, parse_ts, ts


class StoredRule(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    from_month: date
    per_team: int
    per_member: int
    per_day: int
    cap: int | None
    set_by_name: str | None
    set_at: datetime

    @property
    def rule(self) -> AllowanceRule:
        return AllowanceRule(per_team=self.per_team, per_member=self.per_member,
                             per_day=self.per_day, cap=self.cap)


class AllowanceRuleRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add(self, *, from_month: date, rule: AllowanceRule, by: int | None,
                  now: datetime) -> None:
        """A new rule from ``from_month`` on (an empty rule: no allowance from then)."""
        await self.conn.execute(
            "INSERT INTO allowance_rules (from_month, per_team, per_member, per_day, cap,"
            " set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (from_month.replace(day=1).isoformat(), rule.per_team, rule.per_member,
             rule.per_day, rule.cap, by, ts(now)))

    async def for_month(self, month: date) -> StoredRule | None:
        """The rule a month is paid on (None: never set, or switched off)."""
        row = await fetch_one(
            self.conn,
            "SELECT r.id, r.from_month, r.per_team, r.per_member, r.per_day, r.cap,"
            " m.full_name AS set_by_name, r.set_at FROM allowance_rules r"
            " LEFT JOIN members m ON m.id = r.set_by WHERE r.from_month <= ?"
            " ORDER BY r.from_month DESC, r.id DESC LIMIT 1",
            (month.replace(day=1).isoformat(),))
        if row is None:
            return None
        data = dict(row)
        data["set_at"] = parse_ts(data["set_at"])
        stored = StoredRule(**data)
        return None if stored.rule.empty else stored
