"""A read-only connection whose statements run on the event loop's own thread.

aiosqlite runs each statement on a thread of its connection: a hand-off there and a wake-up
of the event loop back, ~0.1 ms of CPU with the context switches, where the short keyed reads
of the update path (who is asking, the chat's flow, the categories, the month's lock) take a
few hundredths of that in SQLite itself. Over ten such trips an update, the hand-offs were
most of the bot's CPU (``docs/performance.md``, "Issue 23 at the end of the work").

This is the same ``aiosqlite.Connection`` to the repositories, with its one hand-off point,
``_execute``, running the call at once instead: every repository method works on it
unchanged. Only keyed reads belong here (``Services.quick``): a long read would hold up every
chat while it steps; those stay on the threaded reader. It never writes (``query_only``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite

#: A keyed read meets a lock only while a checkpoint resets the WAL: brief, and the loop waits
#: (the threaded connections wait up to 10 s; storage.db configures this one like them else).
INLINE_BUSY_TIMEOUT_MS = 1_000


class InlineReader(aiosqlite.Connection):
    def __init__(self, path: Path) -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        super().__init__(lambda: conn, iter_chunk_size=64)
        self._connection = conn

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def close(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None
