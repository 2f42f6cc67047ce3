"""One bot per database: an exclusive lock the running bot holds on ``<database>.lock``.

Two bots on one database would answer every message twice and send every digest twice; a
restore under a running bot would be overwritten by it. ``flock`` locks belong to the open
file, so the kernel releases them when the process dies however it dies (no stale lock to
clean up after a crash or a power cut), and a second attempt fails at once, even in the same
process. The file holds the holder's pid, for the message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class AlreadyRunning(Exception):
    def __init__(self, lock: Path, pid: int | None) -> None:
        super().__init__(f"{lock} is held by process {pid or '?'}")
        self.lock = lock
        self.pid = pid


def lock_path(database: Path) -> Path:
    return database.with_name(f"{database.name}.lock")


def _holder(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(fd, 32, 0).decode().strip() or 0) or None
    return None


@contextlib.contextmanager
def run_lock(database: Path) -> Iterator[Path]:
    """Hold the database's lock for the block; :class:`AlreadyRunning` if someone else does."""
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(path, _holder(fd)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
