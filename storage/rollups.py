"""The roll-up tables behind every figure: rebuild them from raw sessions, check they agree.

The tables and the triggers that keep them are in ``migrations/0009_rollups.sql``: every
insert, undo, edit or delete of a session updates them in the same transaction. This module is
for everything else:

* :func:`rebuild` — recompute them from the raw rows (``python -m bot reindex``), for data
  restored or loaded by other tools, or after a bulk load with the triggers set aside;
* :func:`check` — compare them with the raw rows (``python -m bot reindex --check``);
* :func:`triggers_suspended` — a bulk loader writes millions of rows without the per-row
  trigger cost, then rebuilds once (one ``INSERT … SELECT`` per table).

The SQL is plain text so the same statements serve the async bot (aiosqlite) and the
synchronous generator (sqlite3).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import aiosqlite

#: ``(table, SELECT computing its rows from the raw sessions)``, finest first: the coarser
#: tables are rebuilt from member_day, which is much smaller than sessions.
_FROM_SESSIONS = (
    "SELECT member_id, session_date, category_id, COALESCE(team_id, 0),"
    " COALESCE(commune_code, ''), COUNT(*), SUM(citizens)"
    " FROM sessions WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5"
)
_WEEK = "date(day, '-6 days', 'weekday 1')"
_MONTH = "substr(day, 1, 8) || '01'"
_FROM_MEMBER_DAY = {
    "member_week": f"SELECT member_id, {_WEEK}, team_id, commune_code, SUM(sessions),"
                   " SUM(citizens) FROM member_day GROUP BY 1, 2, 3, 4",
    "member_month": f"SELECT member_id, {_MONTH}, team_id, commune_code, SUM(sessions),"
                    " SUM(citizens) FROM member_day GROUP BY 1, 2, 3, 4",
    "commune_day": "SELECT commune_code, day, category_id, SUM(sessions), SUM(citizens)"
                   " FROM member_day GROUP BY 1, 2, 3",
}
TABLES = ("member_day", *_FROM_MEMBER_DAY)

#: For the check, every table straight from the raw rows (nothing derived from a roll-up).
_RAW = (
    "(SELECT member_id, session_date AS day, category_id, COALESCE(team_id, 0) AS team_id,"
    " COALESCE(commune_code, '') AS commune_code, citizens"
    " FROM sessions WHERE deleted_at IS NULL)"
)
_EXPECTED = {
    "member_day": f"SELECT member_id, day, category_id, team_id, commune_code, COUNT(*),"
                  f" SUM(citizens) FROM {_RAW} GROUP BY 1, 2, 3, 4, 5",
    "member_week": f"SELECT member_id, {_WEEK}, team_id, commune_code, COUNT(*), SUM(citizens)"
                   f" FROM {_RAW} GROUP BY 1, 2, 3, 4",
    "member_month": f"SELECT member_id, {_MONTH}, team_id, commune_code, COUNT(*),"
                    f" SUM(citizens) FROM {_RAW} GROUP BY 1, 2, 3, 4",
    "commune_day": f"SELECT commune_code, day, category_id, COUNT(*), SUM(citizens)"
                   f" FROM {_RAW} GROUP BY 1, 2, 3",
}


def rebuild_statements() -> list[str]:
    """Empty every roll-up and fill it again from the raw rows, in order."""
    statements = [f"DELETE FROM {table}" for table in TABLES]
    statements.append(f"INSERT INTO member_day {_FROM_SESSIONS}")
    statements += [f"INSERT INTO {table} {select}" for table, select in _FROM_MEMBER_DAY.items()]
    return statements


def check_statements() -> dict[str, str]:
    """Per table, a query counting the rows where roll-up and raw sessions disagree."""
    return {
        table: f"SELECT (SELECT COUNT(*) FROM ({expected} EXCEPT SELECT * FROM {table}))"
               f" + (SELECT COUNT(*) FROM (SELECT * FROM {table} EXCEPT {expected}))"
        for table, expected in _EXPECTED.items()
    }


@dataclass(frozen=True)
class CheckReport:
    """Rows that disagree, per roll-up table (all zero: the figures are right)."""

    mismatches: dict[str, int]

    @property
    def ok(self) -> bool:
        return not any(self.mismatches.values())


async def rebuild(conn: aiosqlite.Connection) -> None:
    """Recompute every roll-up; run inside a write transaction (all or nothing)."""
    for statement in rebuild_statements():
        await conn.execute(statement)


async def check(conn: aiosqlite.Connection) -> CheckReport:
    counts: dict[str, int] = {}
    for table, query in check_statements().items():
        rows = list(await conn.execute_fetchall(query))
        counts[table] = int(rows[0][0])
    return CheckReport(counts)


def rebuild_sync(conn: sqlite3.Connection) -> None:
    """:func:`rebuild` for a synchronous connection (bulk loaders), in the caller's transaction."""
    for statement in rebuild_statements():
        conn.execute(statement)


@contextmanager
def triggers_suspended(conn: sqlite3.Connection) -> Iterator[None]:
    """Set the roll-up triggers aside for a bulk load, then rebuild and put them back.

    The triggers' own SQL is read from the schema, so the migration stays the one definition.
    The caller commits; a load that fails leaves the triggers restored all the same.
    """
    saved = [sql for (sql,) in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rollup_%'"
        " ORDER BY name")]
    names = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rollup_%'")]
    for name in names:
        conn.execute(f"DROP TRIGGER {name}")
    try:
        yield
        rebuild_sync(conn)
    finally:
        for sql in saved:
            conn.execute(sql)
