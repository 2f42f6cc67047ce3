"""The sessions of an export, streamed from the database while the workbook is written.

A month of a large province is half a million rows: they are read in chunks by a plain
read-only sqlite3 connection opened in the thread that writes the file (WAL lets it read
alongside the bot's writer), so neither the event loop nor memory carries them all at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from bot.permissions import Scope
from storage.db import BUSY_TIMEOUT_MS
from storage.repos.exports import SessionLine, session_line, session_lines_query

CHUNK = 5_000


def stream_session_lines(path: Path, scope: Scope, start: date, end: date) -> Iterator[SessionLine]:
    """The period's sessions in sheet order; the connection lives in the consuming thread."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        sql, params = session_lines_query(scope, start, end)
        cursor = conn.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            for row in rows:
                yield session_line(row)
    finally:
        conn.close()
