"""What must hold before the bot can start, checked the same way by ``run`` and by ``doctor``.

``run`` checks :func:`file_access` before it opens anything and stops with one line per problem
(exit code 3, which the systemd unit does not restart on: ``bot.__main__``); ``doctor`` shows
the same lines among its own checks, so doctor fails wherever run would. The database's
province (:func:`province_outcome`) is the rule ``run`` applies when it settles the province
(``storage.geography.check_province``), read-only here.

Doctor runs beside the running bot, so the run lock being held is reported, not failed.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.app.run_lock import lock_path
from bot.config import Settings
from bot.core.doctor_rules import Verdict
from bot.core.registry.provinces import province_info
from storage.db import BUSY_TIMEOUT_MS
from storage.geography import ProvinceMismatch, check_province


def hints() -> dict[str, str]:
    """How the operator runs a command (``{cli} backup``) and where the settings are (``{env}``)
    in the fixes shown: the wrapper and the unit say (``sudo tocns-bot``, /etc/tocns-bot/env);
    a checkout run by hand has ``python -m bot`` and ``.env``."""
    return {"cli": os.environ.get("TOCNS_CLI") or "python -m bot",
            "env": os.environ.get("TOCNS_ENV_FILE") or ".env"}


@dataclass(frozen=True)
class Outcome:
    name: str  # catalogue key of the check's name
    verdict: Verdict


class StartupBlocked(Exception):
    """A precondition of :func:`blockers` fails: the bot cannot start until it is fixed."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        super().__init__("; ".join(outcome.verdict.key for outcome in outcomes))
        self.outcomes = outcomes


def blockers(settings: Settings) -> list[Outcome]:
    """What stops ``run`` before it opens anything (doctor shows the same lines)."""
    return [outcome for outcome in (file_access(settings),) if not outcome.verdict.ok]


def user_name() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def _can(path: Path, mode: int) -> bool:
    return os.access(path, mode, effective_ids=os.access in os.supports_effective_ids)


def file_access(settings: Settings) -> Outcome:
    """The database's folder, the database, its WAL and shared-memory files and the run lock:
    each writable by the user the bot runs as (SQLite writes beside the database)."""
    name = "doctor.name.files"
    database = settings.database_path.absolute()
    folder = database.parent
    user = user_name()
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent  # run creates the missing folders: their parent must allow
    fix: dict[str, object] = {"user": user, "folder": str(folder)}
    if not _can(existing, os.W_OK | os.X_OK):
        return Outcome(name, Verdict(False, "doctor.files.folder",
                                     {"path": str(existing), "user": user},
                                     "doctor.files.fix", fix))
    files = [database, Path(f"{database}-wal"), Path(f"{database}-shm"),
             Path(f"{database}-journal"), lock_path(database)]
    for path in files:
        if path.exists() and not _can(path, os.R_OK | os.W_OK):
            return Outcome(name, Verdict(False, "doctor.files.file",
                                         {"path": str(path), "user": user},
                                         "doctor.files.fix", fix))
    return Outcome(name, Verdict(True, "doctor.files.ok", {"folder": str(folder), "user": user}))


async def province_outcome(settings: Settings) -> Outcome:
    """The database belongs to PROVINCE_CODE's province (or to none yet: the first start
    claims it). Read-only."""
    name = "doctor.name.province"
    wanted = province_info(settings.province_code)
    params: dict[str, object] = {"name": wanted.name, "code": wanted.code}
    async with aiosqlite.connect(f"file:{settings.database_path}?mode=ro", uri=True,
                                 timeout=BUSY_TIMEOUT_MS / 1000) as conn:
        conn.row_factory = aiosqlite.Row  # as the bot's own connections: repositories need it
        try:
            await check_province(conn, wanted.code)
        except ProvinceMismatch as exc:
            return Outcome(name, Verdict(
                False, "doctor.province.other",
                {**params, "stored": exc.stored.name, "stored_code": exc.stored.code},
                "doctor.province.fix", {**params, "stored_code": exc.stored.code}))
        claimed = list(await conn.execute_fetchall("SELECT 1 FROM provinces LIMIT 1"))
    return Outcome(name, Verdict(True, "doctor.province.ok" if claimed
                                 else "doctor.province.unclaimed", params))
