"""The reminder to approve: in the first two weeks of a month, with the weekly reminders, each
commune coordinator whose commune has one of the last three months with activity and no
standing approval gets one message naming those months, through the outbox (deduplicated per
person and week, like the other reminders)."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.core.approval import approval_reminders_due, months_to_remind
from bot.core.calendar import end_of_week, iso_week_key, local_today
from bot.core.chat import OutMessage
from bot.core.permissions import Scope
from bot.core.roles import Role
from bot.core.schedule import reminder_week
from handlers.kit.context import Services
from handlers.kit.outbox import OutboxMessage, enqueue

log = logging.getLogger(__name__)


async def enqueue_approval_reminders(services: Services, due: datetime, now: datetime) -> int:
    """This week's approval reminders; how many were new."""
    tz = services.settings.tz
    today = local_today(now, tz)
    week = iso_week_key(reminder_week(due, tz).start)
    if not approval_reminders_due(today):
        return 0
    read = services.read
    province = services.settings.province_code
    months = months_to_remind(today)
    waiting: dict[str, list[str]] = {}   # commune code → months (labels) not approved
    names: dict[str, str] = {}
    for commune in await read.geo.communes_with_teams(province):
        names[commune.code] = commune.name
        for period in months:
            total = await read.tallies.total(Scope(province, commune.code), period.start,
                                             period.end)
            if total.sessions and await read.approvals.standing(
                    "commune", commune.code, period.start) is None:
                waiting.setdefault(commune.code, []).append(f"{period.start:%m/%Y}")
    items: list[OutboxMessage] = []
    seen: set[int] = set()
    for holder in await read.access.grant_holders(Role.COMMUNE_COORDINATOR):
        code = holder.scope_id
        if (code not in waiting or holder.member_id in seen or holder.channel is None
                or holder.chat_id is None):
            continue
        seen.add(holder.member_id)
        lang = holder.language or services.settings.default_language
        items.append(OutboxMessage(
            dedup_key=f"approve-reminder:{week}:m{holder.member_id}:{holder.channel}",
            channel=holder.channel, chat_id=holder.chat_id, kind="approve-reminder",
            member_id=holder.member_id, batch_id=f"approve-reminder:{week}", not_before=now,
            expires_at=end_of_week(due, tz),
            message=OutMessage(text=services.t(lang, "approve.reminder",
                                               month=", ".join(waiting[code]),
                                               commune=names[code]))))
    done = await enqueue(services, items, now)
    log.info("approval reminders for %s: %d enqueued", week, done)
    return done
