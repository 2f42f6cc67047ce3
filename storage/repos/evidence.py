"""Evidence photos of sessions: which file belongs to which session and member (the bytes live in
the evidence folder, see :mod:`storage.evidence`)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.repos.sql import fetch_all, scalar, ts

PHOTO_OPTIONAL, PHOTO_REQUIRED = "optional", "required"


def link_name(name: str) -> str:
    """The name an evidence photo is downloaded under (and found by, to revoke its links)."""
    return f"minh-chung-{name}"


class EvidenceRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add_pending(self, *, member_id: int, path: str, size: int, kept_metadata: bool,
                          now: datetime) -> int:
        """A photo received in a log flow not saved yet."""
        cursor = await self.conn.execute(
            "INSERT INTO evidence (member_id, path, size, kept_metadata, created_at)"
            " VALUES (?, ?, ?, ?, ?)", (member_id, path, size, int(kept_metadata), ts(now)))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def attach(self, evidence_id: int, *, member_id: int, session_id: int,
                     replaces: int | None = None) -> bool:
        """Give a pending photo of this member to the session just saved (or move it from the
        session an /undo fix replaces)."""
        cursor = await self.conn.execute(
            "UPDATE evidence SET session_id = ? WHERE id = ? AND member_id = ?"
            " AND (session_id IS NULL OR session_id = ?)",
            (session_id, evidence_id, member_id, replaces))
        return cursor.rowcount > 0

    async def path_of_session(self, session_id: int) -> str | None:
        value = await scalar(self.conn, "SELECT path FROM evidence WHERE session_id = ?",
                             (session_id,))
        return None if value is None else str(value)

    async def count_of(self, member_id: int) -> int:
        return int(await scalar(self.conn, "SELECT COUNT(*) FROM evidence WHERE member_id = ?"
                                " AND session_id IS NOT NULL", (member_id,)))

    async def remove_member(self, member_id: int) -> list[str]:
        """Delete a member's evidence rows; the files to delete (after the commit)."""
        rows = await fetch_all(self.conn, "DELETE FROM evidence WHERE member_id = ?"
                               " RETURNING path", (member_id,))
        return [str(r[0]) for r in rows]

    async def revoke_links(self, names: list[str]) -> list[str]:
        """End the export links made of these photos at once; their copies' file names."""
        paths: list[str] = []
        for name in names:
            rows = await fetch_all(self.conn, "DELETE FROM file_links WHERE purpose = 'evidence'"
                                   " AND filename = ? RETURNING path", (link_name(name),))
            paths += [str(r[0]) for r in rows]
        return paths

    async def remove_expired(self, *, kept_before: datetime, pending_before: datetime
                             ) -> list[str]:
        """Delete evidence past its retention, and photos of flows never saved."""
        rows = await fetch_all(
            self.conn, "DELETE FROM evidence WHERE created_at < ?"
            " OR (session_id IS NULL AND created_at < ?) RETURNING path",
            (ts(kept_before), ts(pending_before)))
        return [str(r[0]) for r in rows]

    async def category_photo(self, category_id: int) -> str:
        value = await scalar(self.conn, "SELECT photo FROM categories WHERE id = ?",
                             (category_id,))
        return str(value or PHOTO_OPTIONAL)

    async def set_category_photo(self, category_id: int, photo: str, now: datetime) -> None:
        await self.conn.execute("UPDATE categories SET photo = ?, updated_at = ? WHERE id = ?",
                                (photo, ts(now), category_id))
