"""Open plausibility flags of a commune's month, for /approve's summary.

The flags themselves (table ``session_flags``, rules, /review) belong to the plausibility
feature and its own migration. This count reads only ``session_flags(session_id, status)``;
until that table exists (the two features may land in either order) there are no flags.
"""

from __future__ import annotations

from datetime import date

import aiosqlite

from bot.core.calendar import month
from storage.repos.sql import scalar


async def count_open_flags(conn: aiosqlite.Connection, commune: str, first: date) -> int:
    """Sessions of ``commune`` dated in the month of ``first`` with a flag still open."""
    exists = await scalar(conn, "SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                " AND name = 'session_flags'")
    if not exists:
        return 0
    last = month(first.year, first.month).end
    return int(await scalar(
        conn,
        "SELECT COUNT(DISTINCT f.session_id) FROM session_flags f"
        " JOIN sessions s ON s.id = f.session_id WHERE f.status = 'open'"
        " AND s.commune_code = ? AND s.session_date BETWEEN ? AND ? AND s.deleted_at IS NULL",
        (commune, first.isoformat(), last.isoformat())) or 0)
