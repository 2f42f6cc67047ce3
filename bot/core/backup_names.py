"""Backup files by name: ``tocns-20261123-023000.sqlite3`` (local time of the copy). Pure.

The name carries the moment of the copy, so the newest backup, its age and which ones to
delete follow from the names alone (a file copied elsewhere keeps its meaning; mtimes do not).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo

PREFIX = "tocns-"
SUFFIX = ".sqlite3"
_NAME = re.compile(r"^tocns-(\d{8}-\d{6})\.sqlite3$")
_STAMP = "%Y%m%d-%H%M%S"

#: A backup older than this makes ``doctor`` fail: at least one daily backup was missed.
MAX_AGE = timedelta(days=2)
#: At start-up a backup is taken if the newest is older than this (a server off at 02:30).
CATCH_UP_AFTER = timedelta(hours=24)


def backup_name(now: datetime, tz: tzinfo) -> str:
    return f"{PREFIX}{now.astimezone(tz).strftime(_STAMP)}{SUFFIX}"


def taken_at(name: str, tz: tzinfo) -> datetime | None:
    """When the backup of that name was taken (aware), or None for any other file."""
    match = _NAME.match(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match[1], _STAMP).replace(tzinfo=tz)
    except ValueError:
        return None


def backups_newest_first(names: Iterable[str], tz: tzinfo) -> list[str]:
    """The backup names among ``names``, newest first (other files are not ours to touch)."""
    dated = [(moment, name) for name in names if (moment := taken_at(name, tz)) is not None]
    return [name for _, name in sorted(dated, reverse=True)]


def to_prune(names: Iterable[str], keep: int, tz: tzinfo) -> list[str]:
    """The backups beyond the newest ``keep``."""
    return backups_newest_first(names, tz)[max(keep, 1):]


def newest(names: Iterable[str], tz: tzinfo) -> tuple[str, datetime] | None:
    ordered = backups_newest_first(names, tz)
    if not ordered:
        return None
    moment = taken_at(ordered[0], tz)
    assert moment is not None
    return ordered[0], moment


def catch_up_due(names: Iterable[str], now: datetime, tz: tzinfo) -> bool:
    """Whether start-up should take a backup: none yet, or the newest is a day old."""
    latest = newest(names, tz)
    return latest is None or now - latest[1] >= CATCH_UP_AFTER
