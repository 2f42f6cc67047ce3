"""Online backups and restores of the SQLite database (plain ``sqlite3``, run in a thread).

- :func:`take_backup` copies with SQLite's backup API in ONE step: the copy reads inside one
  read transaction, so it is a consistent snapshot of the moment it started, while the running
  bot keeps writing (WAL: readers never block the writer, the writer never blocks readers). A
  stepped copy would restart whenever another connection wrote, and could never finish on a
  busy bot. The copy is written beside its destination, switched to a self-contained rollback
  journal (no ``-wal`` to forget), checked with ``integrity_check``, and renamed into place —
  a half-written file never carries a backup's name.
- :func:`check_database` tells whether a file is a sound database of this product.
- :func:`restore_database` swaps a checked copy in atomically and keeps the replaced database
  (and any WAL of it) aside. The caller holds the run lock (``bot.app.run_lock``): never while the
  bot runs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.db import BUSY_TIMEOUT_MS, migrations

SQLITE_HEADER = b"SQLite format 3\x00"
#: Tables every database of this product has since its first release.
PRODUCT_TABLES = frozenset({"schema_migrations", "members", "teams", "sessions"})


class BackupError(Exception):
    """A backup or restore could not be done; the message says why (one line)."""


class OtherProvince(BackupError):
    """The backup is a database of another province than the one the bot serves."""

    def __init__(self, backup: Path, code: str, name: str) -> None:
        super().__init__(f"{backup}: a database of {name} (PROVINCE_CODE={code})")
        self.code = code
        self.name = name


def stored_provinces(path: Path) -> list[tuple[str, str]]:
    """(code, name) of the province(s) a database belongs to; empty for an unclaimed one."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return [(str(code), str(name)) for code, name in
                conn.execute("SELECT code, name FROM provinces ORDER BY code")]
    except sqlite3.OperationalError:  # a release before the provinces table: unclaimed
        return []
    finally:
        conn.close()


@dataclass(frozen=True)
class DatabaseCheck:
    """What :func:`check_database` found: ``problem`` is None for a sound product database."""

    schema_version: int
    problem: str | None = None
    code: str = "ok"  # ok | missing | not_sqlite | corrupt | not_ours | newer


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    schema_version: int


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def latest_version() -> int:
    return max(version for version, _, _ in migrations())


def take_backup(source: Path, dest: Path) -> Backup:
    """A consistent copy of the live database ``source`` at ``dest`` (replaced if present)."""
    if not source.is_file():
        raise BackupError(f"{source}: no such database")
    if dest.resolve() == source.resolve():
        raise BackupError(f"{dest}: that is the database itself; choose another file")
    partial = dest.with_name(f".{dest.name}.partial")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial.unlink(missing_ok=True)
        partial.touch(mode=0o600)
    except OSError as exc:
        # Said of the folder: SQLite would only say "unable to open database file", which
        # reads as if the database were at fault.
        raise BackupError(f"{dest.parent}: cannot write there "
                          f"({exc.strerror or type(exc).__name__})") from exc
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        copy = sqlite3.connect(partial)
        try:
            src.backup(copy)  # pages=-1: everything in one step, one read transaction
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
            version = _schema_version(copy)
        finally:
            copy.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{source}: {exc}") from exc
    finally:
        src.close()
    if problems != ["ok"]:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{source}: the copy fails integrity_check: {problems[0]}")
    # Backups hold names and phone numbers of members: readable by the bot's user only.
    os.chmod(partial, 0o600)
    _fsync_file(partial)
    os.replace(partial, dest)
    _fsync_dir(dest.parent)
    return Backup(dest, dest.stat().st_size, version)


def _schema_version(conn: sqlite3.Connection) -> int:
    try:
        row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0] or 0)


def check_database(path: Path) -> DatabaseCheck:
    """Whether ``path`` is a sound database of this product that this release can run."""
    if not path.is_file():
        return DatabaseCheck(0, "no such file", "missing")
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return DatabaseCheck(0, "not an SQLite database", "not_sqlite")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        return DatabaseCheck(0, str(exc), "corrupt")
    try:
        problems = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            return DatabaseCheck(0, f"integrity_check: {problems[0]}", "corrupt")
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = PRODUCT_TABLES - tables
        if missing:
            return DatabaseCheck(0, "not a database of this bot (no "
                                    f"{', '.join(sorted(missing))} table)", "not_ours")
        version = _schema_version(conn)
    except sqlite3.Error as exc:  # "file is not a database", "database disk image is malformed"
        return DatabaseCheck(0, str(exc), "corrupt")
    finally:
        conn.close()
    if version > latest_version():
        return DatabaseCheck(version, f"made by a newer release (schema {version}, this "
                                      f"release knows {latest_version()})", "newer")
    return DatabaseCheck(version)


def applied_versions(path: Path) -> set[int]:
    """The migration versions recorded in the database (read-only)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return {int(row[0]) for row in conn.execute("SELECT version FROM schema_migrations")}
    finally:
        conn.close()


def _checkpoint(path: Path) -> None:
    """Fold a stopped bot's WAL into the main file, so the file kept aside is complete."""
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()


def _keep_aside(database: Path, aside: Path) -> None:
    """``database`` stays readable as ``aside``; its WAL (if any is left) goes along."""
    _checkpoint(database)
    try:
        os.link(database, aside)  # the swap below then replaces the name, not the data
    except OSError:
        shutil.copy2(database, aside)
    wal = Path(f"{database}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        os.replace(wal, Path(f"{aside}-wal"))  # SQLite pairs "<file>-wal" with "<file>"
    for stale in (wal, Path(f"{database}-shm")):
        stale.unlink(missing_ok=True)


def restore_database(backup: Path, database: Path, stamp: str, province_code: str | None = None,
                     ) -> tuple[DatabaseCheck, Path | None]:
    """Put a checked copy of ``backup`` in place of ``database``: (its check, the aside path).

    With ``province_code``, a backup of another province is refused (:class:`OtherProvince`):
    the bot would refuse to start on it.

    The new file is staged next to the database and renamed over it, so at every moment
    ``database`` is either the old database or the restored one, never missing or half-copied.
    """
    checked = check_database(backup)
    if checked.problem is not None:
        raise BackupError(f"{backup}: {checked.problem}")
    if database.exists() and backup.resolve() == database.resolve():
        raise BackupError(f"{backup}: that is the database itself")
    if province_code is not None:
        for code, name in stored_provinces(backup):
            if code != province_code:
                raise OtherProvince(backup, code, name)
    database.parent.mkdir(parents=True, exist_ok=True)
    staged = database.with_name(f".{database.name}.restoring")
    staged.unlink(missing_ok=True)
    take_backup(backup, staged)  # a verified, self-contained copy next to its destination
    aside: Path | None = None
    owner: tuple[int, int] | None = None
    if database.exists():
        stat = database.stat()
        owner = (stat.st_uid, stat.st_gid)
        aside = database.with_name(f"{database.name}.replaced-{stamp}")
        _keep_aside(database, aside)
    else:
        stat = database.parent.stat()
        owner = (stat.st_uid, stat.st_gid)  # the folder's owner: the bot's user
        for stale in (Path(f"{database}-wal"), Path(f"{database}-shm")):
            stale.unlink(missing_ok=True)
    if owner is not None and os.geteuid() == 0:
        # Restored by root for a bot that runs as its own user: the bot must still write it.
        os.chown(staged, *owner)
    os.replace(staged, database)
    _fsync_dir(database.parent)
    return checked, aside
