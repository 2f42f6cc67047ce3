"""The operator's subcommands: ``doctor``, ``backup [FILE]``, ``restore FILE``.

Their output is for the provincial IT officer, in DEFAULT_LANGUAGE (or ``--lang``); each
failure is one line saying what to do, and the exit code says whether it worked.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.app.preconditions import hints
from bot.app.run_lock import AlreadyRunning, run_lock
from bot.config import Settings
from bot.core.registry.provinces import province_info
from locales import translator
from storage.backup import BackupError, OtherProvince, restore_database


def _size_mb(size: int) -> str:
    return f"{size / 2**20:.1f}"


def doctor_command(settings: Settings, lang: str) -> int:
    from bot.app.doctor import doctor

    t = translator(settings.default_language)
    code, lines = asyncio.run(doctor(settings, t, lang))
    print("\n".join(lines))
    return code


def backup_command(settings: Settings, lang: str, dest: Path | None) -> int:
    from bot.app.backups import backup_now

    t = translator(settings.default_language)
    try:
        backup = asyncio.run(backup_now(settings, datetime.now(UTC), dest))
    except (BackupError, OSError) as exc:
        print(t(lang, "backup.failed", error=str(exc)), file=sys.stderr)
        return 1
    print(t(lang, "backup.done", path=str(backup.path.absolute()), size=_size_mb(backup.size),
            version=backup.schema_version))
    # Evidence photos are files, not rows: said on every backup, so nobody assumes otherwise.
    print(t(lang, "evidence.backup_note", folder=str(settings.evidence_dir.absolute())))
    return 0


def restore_command(settings: Settings, lang: str, source: Path) -> int:
    t = translator(settings.default_language)
    database = settings.database_path.absolute()
    stamp = datetime.now(settings.tz).strftime("%Y%m%d-%H%M%S")
    wanted = province_info(settings.province_code)
    try:
        # Held for the whole swap: a bot started meanwhile refuses to start, and the other way.
        with run_lock(database):
            checked, aside = restore_database(source, database, stamp, wanted.code)
    except OtherProvince as exc:
        problem = t(lang, "restore.other_province", backup=str(source), stored=exc.name,
                    stored_code=exc.code, name=wanted.name, code=wanted.code)
        print(t(lang, "restore.refused", problem=problem), file=sys.stderr)
        return 1
    except AlreadyRunning as exc:
        print(t(lang, "restore.running", pid=exc.pid or "?", database=str(database)),
              file=sys.stderr)
        return 1
    except (BackupError, OSError) as exc:
        print(t(lang, "restore.refused", problem=str(exc)), file=sys.stderr)
        return 1
    print(t(lang, "restore.done", backup=str(source), database=str(database),
            version=checked.schema_version))
    if aside is not None:
        print(t(lang, "restore.kept_aside", aside=str(aside.absolute())))
    print(t(lang, "restore.next", **hints()))
    return 0
