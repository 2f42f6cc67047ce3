"""The verdicts of ``python -m bot doctor``: what was found, whether it is fine, what to do. Pure.

Each rule takes what the doctor measured (and ``now``) and returns a :class:`Verdict` naming
catalogue keys (``locales/*/backup.po``) and their parameters; ``bot.app.doctor`` measures and
renders them, one line per check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.backup_names import MAX_AGE

#: Free space under which the data folder is reported (absolute and relative).
MIN_FREE_BYTES = 1 << 30
MIN_FREE_SHARE = 0.10
#: A webhook error Telegram reports is news for this long; older ones were recovered from.
RECENT_WEBHOOK_ERROR = timedelta(hours=1)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    key: str
    params: dict[str, object] = field(default_factory=dict)
    fix: str | None = None  # catalogue key of what to do, for a failure
    fix_params: dict[str, object] = field(default_factory=dict)


def judge_migrations(applied: Iterable[int], packaged: Iterable[int],
                     path: str) -> Verdict:
    done, known = set(applied), set(packaged)
    pending = sorted(known - done)
    if pending:
        return Verdict(False, "doctor.db.pending",
                       {"path": path, "versions": ", ".join(f"{v:04d}" for v in pending)},
                       "doctor.db.pending_fix")
    newer = sorted(done - known)
    if newer:
        return Verdict(False, "doctor.db.newer", {"path": path, "version": max(newer)},
                       "doctor.db.newer_fix")
    return Verdict(True, "doctor.db.ok", {"path": path, "version": max(known, default=0),
                                          "count": len(known)})


def judge_disk(free: int, total: int, folder: str) -> Verdict:
    share = free / total if total else 0.0
    params: dict[str, object] = {"folder": folder, "free": f"{free / 2**30:.1f}",
                                 "total": f"{total / 2**30:.1f}", "percent": round(share * 100)}
    if free < MIN_FREE_BYTES or share < MIN_FREE_SHARE:
        return Verdict(False, "doctor.disk.low", params, "doctor.disk.fix")
    return Verdict(True, "doctor.disk.ok", params)


def age_hours(taken: datetime, now: datetime) -> int:
    return max(0, int((now - taken).total_seconds() // 3600))


def judge_backup(latest: tuple[str, datetime] | None, now: datetime, folder: str,
                 daily_at: str) -> Verdict:
    if latest is None:
        return Verdict(False, "doctor.backup.none", {"folder": folder}, "doctor.backup.none_fix",
                       {"time": daily_at})
    name, taken = latest
    params: dict[str, object] = {"name": name, "hours": age_hours(taken, now)}
    if now - taken > MAX_AGE:
        return Verdict(False, "doctor.backup.old", params, "doctor.backup.old_fix")
    return Verdict(True, "doctor.backup.ok", params)


def judge_webhook(url: str, base: str | None, *, last_error: str | None = None,
                  last_error_at: datetime | None = None, now: datetime) -> Verdict:
    """The platform's webhook against the settings: none when polling, ours under WEB_BASE_URL.

    ``base`` is WEB_BASE_URL (None: the bot polls). The exact path is the web server's business;
    any address under WEB_BASE_URL is ours, anything else belongs to somebody else.
    """
    if base is None:
        if url:
            return Verdict(False, "doctor.webhook.unexpected", {"url": url},
                           "doctor.webhook.unexpected_fix")
        return Verdict(True, "doctor.webhook.polling")
    prefix = base.rstrip("/") + "/"
    if not url:
        return Verdict(False, "doctor.webhook.missing", {"expected": prefix},
                       "doctor.webhook.missing_fix")
    if not url.startswith(prefix):
        return Verdict(False, "doctor.webhook.elsewhere", {"url": url, "expected": prefix},
                       "doctor.webhook.elsewhere_fix")
    if last_error and (last_error_at is None or now - last_error_at <= RECENT_WEBHOOK_ERROR):
        return Verdict(False, "doctor.webhook.failing", {"url": url, "error": last_error},
                       "doctor.webhook.failing_fix")
    return Verdict(True, "doctor.webhook.ok", {"url": url})
