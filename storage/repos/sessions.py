"""Assistance sessions as members log them, and the raw rows of a period for /export's
sessions sheet (a day at a time, named from dicts read once: :class:`SessionNames`)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import aiosqlite

from bot.core.models import Channel, Session
from bot.core.natural_sort import natural_key
from bot.core.permissions import Scope
from storage.repos.scope_sql import sessions_in
from storage.repos.sql import fetch_all, fetch_one, parse_ts, scalar, ts

#: A raw row of :func:`day_sessions_query`: (member, team, commune code, category, citizens,
#: note, review status of its plausibility flag, its evidence photo's file name), a plain tuple
#: (a month of a large province is 664,213 of them).
DayRow = tuple[int, int | None, str | None, int, int, str | None, str | None, str | None]


def day_sessions_query(scope: Scope, day: date) -> tuple[str, list[Any]]:
    """The raw rows of a place on one day, through the index on the commune (or team, or
    member) and the date: an export reads its period one day at a time, so it never sorts
    more than a day and streams from the first day on."""
    where, params = sessions_in(scope)
    if scope.team is None and scope.commune is None:
        # A whole province's day: one range of the date index beats a seek per commune
        # (the unary + keeps SQLite from using the commune index for the IN list).
        where = "+" + where
    return (
        "SELECT s.member_id, s.team_id, s.commune_code, s.category_id, s.citizens, s.note,"
        # One seek each on a UNIQUE index, and only for the few flagged or photographed.
        " (SELECT f.status FROM session_flags f WHERE f.session_id = s.id),"
        " (SELECT e.path FROM evidence e WHERE e.session_id = s.id)"
        f" FROM sessions s WHERE {where} AND s.deleted_at IS NULL AND s.session_date = ?"
        " ORDER BY s.id",  # as logged: the index's own order, no sorting
        [*params, day.isoformat()],
    )


_K = TypeVar("_K", bound=Hashable)
#: (rank in name order from 1, name); rank 0 and no name for someone unknown.
Ranked = tuple[int, str]
_NOBODY: Ranked = (0, "")


@dataclass(frozen=True)
class SessionNames:
    """Names and name-order ranks of members, teams and communes: a day's raw rows are named
    and put in sheet order from these, with no join per row (see :meth:`person`)."""

    members: dict[int, Ranked]
    teams: dict[int, Ranked]
    communes: dict[str, Ranked]

    def person(self, member_id: int, team_id: int | None, code: str | None
               ) -> tuple[int, str, str, str]:
        """(order, commune name, team name, member name) of the one who logged a session,
        where they logged it; sessions are listed by order (commune, then team in natural
        order, then member by name), then as logged. Asked once per member and place."""
        c_rank, c_name = self.communes.get(code, _NOBODY) if code else _NOBODY
        t_rank, t_name = self.teams.get(team_id, _NOBODY) if team_id else _NOBODY
        m_rank, m_name = self.members.get(member_id, _NOBODY)
        order = (c_rank * (len(self.teams) + 1) + t_rank) * (len(self.members) + 1) + m_rank
        return order, c_name, t_name, m_name


def _ranked(rows: list[tuple[_K, str, Any]]) -> dict[_K, Ranked]:
    """(key, name, sort key) rows → key → (rank by sort key then key, name)."""
    ordered = sorted(rows, key=lambda r: (r[2], r[0]))
    return {r[0]: (rank, r[1]) for rank, r in enumerate(ordered, start=1)}


_COLUMNS = (
    "s.id, s.member_id, s.team_id, s.commune_code, s.category_id, s.citizens, s.session_date,"
    " s.note, s.photo_ref, s.channel, s.created_at, s.deleted_at"
)


def _session(row: aiosqlite.Row) -> Session:
    data = dict(row)
    data["session_date"] = date.fromisoformat(data["session_date"])
    data["created_at"] = parse_ts(data["created_at"])
    data["deleted_at"] = parse_ts(data["deleted_at"])
    return Session(**data)


class SessionRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add(
        self,
        *,
        member_id: int,
        team_id: int | None,
        commune_code: str | None,
        category_id: int,
        citizens: int,
        session_date: date,
        note: str | None,
        photo_ref: str | None,
        channel: Channel,
        idempotency_key: str,
        now: datetime,
    ) -> tuple[int, bool]:
        """Record a session once per idempotency key: (id, whether it is new)."""
        cursor = await self.conn.execute(
            "INSERT INTO sessions (member_id, team_id, commune_code, category_id, citizens,"
            " session_date, note, photo_ref, channel, idempotency_key, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING",
            (member_id, team_id, commune_code, category_id, citizens, session_date.isoformat(),
             note, photo_ref, channel, idempotency_key, ts(now)),
        )
        if cursor.rowcount:
            assert cursor.lastrowid is not None
            return cursor.lastrowid, True
        row = await fetch_one(self.conn, "SELECT id FROM sessions WHERE idempotency_key = ?",
                              (idempotency_key,))
        assert row is not None
        return int(row[0]), False

    async def has_key(self, idempotency_key: str) -> bool:
        row = await fetch_one(self.conn, "SELECT 1 FROM sessions WHERE idempotency_key = ?",
                              (idempotency_key,))
        return row is not None

    async def get(self, session_id: int) -> Session | None:
        row = await fetch_one(self.conn, f"SELECT {_COLUMNS} FROM sessions s WHERE s.id = ?",
                              (session_id,))
        return _session(row) if row else None

    async def latest_of(self, member_id: int, limit: int = 5) -> list[Session]:
        rows = await fetch_all(
            self.conn,
            f"SELECT {_COLUMNS} FROM sessions s WHERE s.member_id = ? AND s.deleted_at IS NULL"
            " ORDER BY s.id DESC LIMIT ?",
            (member_id, limit),
        )
        return [_session(r) for r in rows]

    async def delete(self, session_id: int, now: datetime) -> bool:
        cursor = await self.conn.execute(
            "UPDATE sessions SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
            (ts(now), session_id),
        )
        return cursor.rowcount > 0

    async def page_of(self, member_id: int, *, offset: int, limit: int) -> list[Session]:
        """All of a member's sessions, undone ones included, newest first (for /mydata)."""
        rows = await fetch_all(
            self.conn,
            f"SELECT {_COLUMNS} FROM sessions s WHERE s.member_id = ?"
            " ORDER BY s.session_date DESC, s.id DESC LIMIT ? OFFSET ?",
            (member_id, limit, offset),
        )
        return [_session(r) for r in rows]

    async def any_logged(self) -> bool:
        return bool(await scalar(self.conn, "SELECT EXISTS (SELECT 1 FROM sessions)"))

    async def add_demo(self, rows: list[tuple[Any, ...]]) -> None:
        """Bulk insert for the demo seed only: (member, team, commune, category, citizens,
        date, channel, idempotency key, created_at); existing keys are kept."""
        await self.conn.executemany(
            "INSERT INTO sessions (member_id, team_id, commune_code, category_id, citizens,"
            " session_date, channel, idempotency_key, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING",
            rows,
        )

    async def count_of(self, member_id: int) -> int:
        return int(await scalar(self.conn, "SELECT COUNT(*) FROM sessions WHERE member_id = ?",
                                (member_id,)))

    async def session_names(self) -> SessionNames:
        """Everyone a session can name (people who have moved or left included), read once
        per export: a few ten thousand rows even for the largest province."""
        members = await fetch_all(self.conn, "SELECT id, full_name, name_key FROM members")
        teams = await fetch_all(self.conn, "SELECT id, name FROM teams")
        communes = await fetch_all(self.conn, "SELECT code, name FROM communes")
        return SessionNames(
            members=_ranked([(r[0], r[1], r[2]) for r in members]),
            teams=_ranked([(r[0], r[1], natural_key(r[1])) for r in teams]),
            communes=_ranked([(r[0], r[1], natural_key(r[1])) for r in communes]),
        )

    async def day_sessions(self, scope: Scope, day: date) -> list[DayRow]:
        """The raw rows of one day (:func:`day_sessions_query`), to be named and ordered with
        :class:`SessionNames`. All at once, as plain tuples: for a connection of the export's
        own (``Database.reading``), where a province's day (~20,000 rows) holds nobody back."""
        async with self.conn.execute(*day_sessions_query(scope, day)) as cursor:
            cursor.row_factory = None
            return list(await cursor.fetchall())  # type: ignore[arg-type]
