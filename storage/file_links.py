"""File links: a file the bot produced, served at ``<WEB_BASE_URL>/f/<token>`` until it expires.

Zalo sends photos by public URL only and no documents at all, so a digest chart or an export
workbook reaches a Zalo reader as a link to the bot's own web server (``bot.app.web``). A link is
a bearer token: random (256 bits), single-purpose (one file), short-lived
(``FILE_LINK_TTL_HOURS``). Only its SHA-256 is stored, so a copy of the database holds no
working link; an unknown, forged or expired token is simply not found. The bytes live in the
``files`` folder next to the database, under a random name of their own, and are deleted by
the periodic clean-up once the link has expired.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.core.chat import OutFile
from storage.db import Database
from storage.repos import Repos

log = logging.getLogger(__name__)

#: 32 random bytes = 256 bits; ``token_urlsafe`` makes 43 URL-safe characters of them.
TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")
#: A file in the folder with no link row (a crash between writing it and recording it) is
#: deleted once it is this old.
ORPHAN_AGE_S = 3600.0


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/f/{token}"


@dataclass(frozen=True)
class PublishedFile:
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class StoredFile:
    path: Path
    content_type: str
    filename: str
    purpose: str


class FileLinks:
    """Publishes files behind links and finds them again; ``base_url`` None: cannot publish.

    In the sandbox the address is known only once the server listens, so ``base_url`` may be
    set after construction.
    """

    def __init__(self, db: Database, folder: Path, *, ttl: timedelta,
                 clock: Callable[[], datetime], base_url: str | None = None) -> None:
        self.db = db
        self.folder = folder
        self.ttl = ttl
        self.clock = clock
        self.base_url = base_url

    async def publish(self, file: OutFile, purpose: str) -> PublishedFile | None:
        """Store the file and give its link, or None when there is no public address."""
        if self.base_url is None:
            return None
        token = new_token()
        suffix = Path(file.filename).suffix.lower()
        name = secrets.token_hex(16) + (suffix if _SUFFIX.match(suffix) else "")
        path = self.folder / name
        await asyncio.to_thread(_write_private, path, file.content)
        now = self.clock()
        expires = now + self.ttl
        try:
            async with self.db.write() as conn:
                await Repos(conn).file_links.add(
                    token_hash=token_hash(token), purpose=purpose, path=name,
                    content_type=file.mime_type, filename=file.filename, now=now,
                    expires_at=expires)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return PublishedFile(link_url(self.base_url, token), expires)

    async def find(self, token: str) -> StoredFile | None:
        """The live file behind a token; None for anything else (no hint which)."""
        if not _TOKEN_SHAPE.match(token):
            return None
        row = await Repos(self.db.reader).file_links.live(token_hash(token), self.clock())
        if row is None:
            return None
        path = self.folder / row.path
        if not path.is_file():
            log.warning("file link %d has lost its file", row.id)
            return None
        return StoredFile(path, row.content_type, row.filename, row.purpose)

    async def clean_up(self) -> int:
        """Delete expired links and their files (and stray files); how many links expired."""
        async with self.db.write() as conn:
            expired = await Repos(conn).file_links.remove_expired(self.clock())
        known = await Repos(self.db.reader).file_links.paths()
        await asyncio.to_thread(_delete, self.folder, expired, known)
        if expired:
            log.info("%d expired file link(s) deleted", len(expired))
        return len(expired)


def _write_private(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Readable by the bot's own user only: these are reports about people.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)


def _delete(folder: Path, expired: list[str], known: set[str]) -> None:
    for name in expired:
        (folder / name).unlink(missing_ok=True)
    if not folder.is_dir():
        return
    cutoff = time.time() - ORPHAN_AGE_S
    for entry in folder.iterdir():
        if entry.is_file() and entry.name not in known and entry.stat().st_mtime < cutoff:
            entry.unlink(missing_ok=True)
