"""/status (admins): how the bot is doing — the figures of ``/healthz`` as a short message.

Database, scheduler, outbox backlog, each channel's latest update and the newest backup, with
what is wrong (if anything) first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.health import STUCK_AFTER
from bot.core.permissions import Action
from handlers.admin.health import HealthReport, gather
from handlers.kit.context import Ctx
from handlers.kit.routing import Command, Feature
from storage.repos.inbox import CHANNELS


async def status(ctx: Ctx) -> None:
    report = await gather(ctx.services)
    await ctx.reply(render(ctx, report))


def render(ctx: Ctx, report: HealthReport) -> str:
    figures = report.figures
    lines = [ctx.t("status.title", time=_when(ctx, report.now))]
    if report.ok:
        lines.append(ctx.t("status.ok"))
    else:
        found = [ctx.t(f"status.problem.{name}",
                       minutes=int(STUCK_AFTER.total_seconds() // 60))
                 for name in report.problems]
        lines.append(ctx.t("status.failing", problems="; ".join(found)))
    lines.append(ctx.t("status.database_ok" if figures.database else "status.database_down"))
    lines.append(ctx.t("status.scheduler_ok" if figures.scheduler else "status.scheduler_down"))
    age = report.oldest_due_age
    if figures.outbox_depth is None:
        lines.append(ctx.t("status.outbox_unknown"))
    elif age is None:
        lines.append(ctx.t("status.outbox", depth=figures.outbox_depth))
    else:
        lines.append(ctx.t("status.outbox_oldest", depth=figures.outbox_depth,
                           age=_age(ctx, age)))
    updates = " · ".join(
        f"{ctx.t(f'channel.{channel}')} "
        + (_when(ctx, figures.last_updates[channel]) if channel in figures.last_updates
           else ctx.t("status.never"))
        for channel in CHANNELS if channel in ctx.services.channels
        or channel in figures.last_updates)
    lines.append(ctx.t("status.last_update", updates=updates or ctx.t("status.never")))
    if figures.backup_age is None:
        lines.append(ctx.t("status.no_backup",
                           folder=str(ctx.services.settings.backups_folder)))
    else:
        lines.append(ctx.t("status.backup", age=_age(ctx, figures.backup_age)))
    return "\n".join(lines)


def _when(ctx: Ctx, moment: datetime) -> str:
    return ctx.services.t.datetime(ctx.lang, moment.astimezone(ctx.services.settings.tz))


def _age(ctx: Ctx, age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 120:
        return ctx.t("status.minutes", count=minutes)
    if minutes < 48 * 60:
        return ctx.t("status.hours", count=minutes // 60)
    return ctx.t("status.days", count=minutes // (24 * 60))


feature = Feature(
    commands=(Command("status", status, requires=Action.VIEW_STATUS, members_only=True),),
)
