"""Is the bot well? The rule behind ``/healthz`` (200 or 503) and ``/status``. Pure: no I/O.

Something is wrong when the database does not answer, the scheduler is not running, or the
outbox has had an item waiting to be sent for longer than ``STUCK_AFTER`` — counting only
time outside quiet hours, when the sender holds everything back on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from bot.core.schedule import QuietHours

#: An item due this long (outside quiet hours) and still not sent: the sender is stuck.
STUCK_AFTER = timedelta(minutes=15)

DATABASE = "database"
SCHEDULER = "scheduler"
OUTBOX_STUCK = "outbox_stuck"


@dataclass(frozen=True)
class HealthFigures:
    database: bool
    scheduler: bool
    outbox_depth: int | None = None          # None: unknown (the database did not answer)
    oldest_due: datetime | None = None       # the earliest due time of a pending item
    last_updates: dict[str, datetime] = field(default_factory=dict)
    backup_age: timedelta | None = None      # None: no backup found


def overdue_for(oldest_due: datetime | None, now: datetime, quiet: QuietHours,
                tz: tzinfo) -> timedelta | None:
    """How long the oldest due item has been sendable; None when nothing is due, or now is
    inside quiet hours (nothing is sent then).

    Time before the latest end of quiet hours does not count: an item due at 20:50 that waited
    through a 21:00–07:00 night is not late at 07:05.
    """
    if oldest_due is None:
        return None
    local = now.astimezone(tz)
    if quiet.contains(local.time()):
        return None
    since = oldest_due
    if not quiet.off:
        opened = datetime.combine(local.date(), quiet.end, tz)
        if opened > local:
            opened -= timedelta(days=1)
        since = max(since, opened)
    return max(timedelta(0), now - since)


def problems(figures: HealthFigures, now: datetime, quiet: QuietHours, tz: tzinfo,
             stuck_after: timedelta = STUCK_AFTER) -> tuple[str, ...]:
    """The names of what is wrong, in a stable order; empty when all is well."""
    found: list[str] = []
    if not figures.database:
        found.append(DATABASE)
    if not figures.scheduler:
        found.append(SCHEDULER)
    late = overdue_for(figures.oldest_due, now, quiet, tz)
    if late is not None and late > stuck_after:
        found.append(OUTBOX_STUCK)
    return tuple(found)
