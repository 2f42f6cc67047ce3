"""The sessions of an export, streamed from the database while the workbook is written.

A month of a large province is over half a million rows. They are read by a plain read-only
sqlite3 connection opened in the thread that writes the file (WAL lets it read alongside the
bot's writer), one day at a time through the date indexes: no sort of the whole period before
the first row, and no join per row — names come from the registry, read once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from bot.permissions import Scope
from storage.db import BUSY_TIMEOUT_MS
from storage.repos.exports import SessionLine, day_sessions_query

_NOBODY = (0, "")


def stream_session_lines(path: Path, scope: Scope, start: date,
                         end: date) -> Iterator[SessionLine]:
    """The period's sessions in sheet order (day, commune, team, member, then as logged);
    the connection lives in the consuming thread."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        members = _ranked(conn, "SELECT id, full_name, name_key FROM members")
        teams = _ranked(conn, "SELECT id, name, name_key FROM teams")
        communes = _ranked(conn, "SELECT code, name, name_key FROM communes")
        # One integer per row orders it by commune, team, member names, then as logged.
        team_span, member_span = len(teams) + 1, len(members) + 1
        day = start
        while day <= end:
            rows = []
            for sid, member_id, team_id, code, category_id, citizens, note in conn.execute(
                    *day_sessions_query(scope, day)):
                c_rank, c_name = communes.get(code, _NOBODY)
                t_rank, t_name = teams.get(team_id, _NOBODY)
                m_rank, m_name = members.get(member_id, _NOBODY)
                rows.append((((c_rank * team_span + t_rank) * member_span + m_rank) << 40 | sid,
                             SessionLine(day, c_name, t_name, m_name, category_id, citizens,
                                         note)))
            rows.sort(key=_first)
            for _, line in rows:
                yield line
            day += timedelta(days=1)
    finally:
        conn.close()


def _first(pair: tuple[int, SessionLine]) -> int:
    return pair[0]


def _ranked(conn: sqlite3.Connection, select: str) -> dict[object, tuple[int, str]]:
    """key → (its place in name order from 1, its name); 0 is kept for "none"."""
    rows = sorted(conn.execute(select), key=lambda r: (r[2], r[0]))
    return {r[0]: (rank, r[1]) for rank, r in enumerate(rows, start=1)}
