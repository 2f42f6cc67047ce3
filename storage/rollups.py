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

from storage.db import Database
from storage.history_sql import EXTEND_FROM_SESSIONS

#: ``(table, SELECT computing its rows from the raw sessions)``, finest first: the coarser
#: tables are rebuilt from member_day, which is much smaller than sessions.
_FROM_SESSIONS = (
    "SELECT member_id, session_date, category_id, COALESCE(team_id, 0),"
    " COALESCE(commune_code, ''), COUNT(*), SUM(citizens)"
    " FROM sessions NOT INDEXED WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5"
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
    # migrations/0018_team_day.sql: a team's days, for completeness over any run of days
    "team_day": "SELECT team_id, day, commune_code, SUM(sessions), SUM(citizens)"
                " FROM member_day GROUP BY 1, 2, 3",
    # migrations/0020_province_day.sql: a province's days, for its totals and trend
    "province_day": "SELECT c.province_code, d.day, d.category_id, SUM(d.sessions),"
                    " SUM(d.citizens) FROM member_day d JOIN communes c"
                    " ON c.code = d.commune_code GROUP BY 1, 2, 3",
}
TABLES = ("member_day", *_FROM_MEMBER_DAY)

#: For the check: the raw rows aggregated once into a temporary table (a plain scan of
#: ``sessions`` in storage order), from which every roll-up's expected rows follow.
_EXPECTED_DAY = (
    "CREATE TEMP TABLE expected_day AS SELECT member_id, session_date AS day, category_id,"
    " COALESCE(team_id, 0) AS team_id, COALESCE(commune_code, '') AS commune_code,"
    " COUNT(*) AS sessions, SUM(citizens) AS citizens"
    " FROM sessions NOT INDEXED WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5"
)
_EXPECTED = {
    "member_day": "SELECT * FROM temp.expected_day",
    **{table: select.replace("FROM member_day", "FROM temp.expected_day")
       for table, select in _FROM_MEMBER_DAY.items()},
}


def rebuild_statements() -> list[str]:
    """Empty every roll-up and fill it again from the raw rows, in order."""
    statements = [f"DELETE FROM {table}" for table in TABLES]
    statements.append(f"INSERT INTO member_day {_FROM_SESSIONS}")
    statements += [f"INSERT INTO {table} {select}" for table, select in _FROM_MEMBER_DAY.items()]
    # the history trigger set aside with the roll-up ones does its work here, once
    statements += list(EXTEND_FROM_SESSIONS)
    return statements


def check_statements() -> dict[str, str]:
    """Per table, a query counting the rows where roll-up and raw sessions disagree (after
    :data:`_EXPECTED_DAY` made ``temp.expected_day``): both sides hold each key once, so a
    row found on one side only is a difference — one pass over each, no set difference."""
    return {
        table: f"WITH u({columns}) AS ({expected} UNION ALL SELECT * FROM main.{table})"
               f" SELECT COUNT(*) FROM (SELECT 1 FROM u GROUP BY {columns} HAVING COUNT(*) = 1)"
        for table, expected in _EXPECTED.items()
        for columns in [", ".join(f"c{i}" for i in range(_WIDTH[table]))]
    }


_WIDTH = {"member_day": 7, "member_week": 6, "member_month": 6, "commune_day": 5,
          "team_day": 5, "province_day": 5}


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


async def check(db: Database) -> CheckReport:
    """Compare every roll-up with the raw rows (a full pass over ``sessions``).

    On a connection of its own: the comparison needs a scratch (temp) table, which the
    query-only reader may not create, and it must not hold the writer for a whole pass.
    """
    async with aiosqlite.connect(db.path) as conn:
        await conn.execute(_EXPECTED_DAY)
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
