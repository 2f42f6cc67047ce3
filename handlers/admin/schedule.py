"""/schedule (admin): show the automatic schedules, or change one.

``/schedule digest mon 07:30`` · ``/schedule reminder fri 16:00`` · ``/schedule quiet 21:00-07:00``
Bad input changes nothing and gets the reason plus the usage; a change is audited and the
running jobs are re-registered at once.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.calendar import iso_week_key
from bot.core.permissions import Action
from bot.core.schedule import (
    QUIET,
    QuietHours,
    ScheduleInputError,
    Weekly,
    after_quiet_hours,
    digest_week,
    latest_due,
    next_due,
    parse_change,
    reminder_week,
)
from handlers.kit.context import Ctx
from handlers.kit.outbox import default_quiet
from handlers.kit.routing import Command, Feature
from storage.repos import Repos


def _weekly(ctx: Ctx, weekly: Weekly) -> str:
    return ctx.t("schedule.weekly_value", day=ctx.t(f"schedule.day_{weekly.weekday}"),
                 time=f"{weekly.at:%H:%M}")


def _quiet(ctx: Ctx, quiet: QuietHours) -> str:
    return ctx.t("schedule.quiet_off") if quiet.off else f"{quiet.start:%H:%M}–{quiet.end:%H:%M}"


def _when(ctx: Ctx, moment: datetime) -> str:
    return ctx.services.t.datetime(ctx.lang, moment.astimezone(ctx.services.settings.tz))


async def _show(ctx: Ctx) -> None:
    services = ctx.services
    tz = services.settings.tz
    current = await services.read.schedules.current(default_quiet(services))
    now = ctx.now
    lines = [ctx.t(
        "schedule.current",
        digest=_weekly(ctx, current.digest),
        digest_next=_when(ctx, after_quiet_hours(next_due(current.digest, now, tz),
                                                 current.quiet, tz)),
        reminder=_weekly(ctx, current.reminder),
        reminder_next=_when(ctx, after_quiet_hours(next_due(current.reminder, now, tz),
                                                   current.quiet, tz)),
        quiet=_quiet(ctx, current.quiet),
    )]
    batches = [
        f"digest:{iso_week_key(digest_week(latest_due(current.digest, now, tz), tz).start)}",
        "reminder:" + iso_week_key(reminder_week(latest_due(current.reminder, now, tz), tz).start),
    ]
    runs = []
    for batch in batches:
        counts = await services.read.outbox.batch_progress(batch)
        if any(counts.values()):
            runs.append(ctx.t("schedule.batch_line", batch=batch, **ctx.numbers({
                "sent": counts["sent"], "pending": counts["pending"] + counts["sending"],
                "failed": counts["failed"], "cancelled": counts["cancelled"]})))
    if runs:
        lines += ["", ctx.t("schedule.last_runs"), *runs]
    lines += ["", ctx.t("schedule.help")]
    await ctx.reply("\n".join(lines))


async def schedule(ctx: Ctx) -> None:
    if not ctx.args.strip():
        await _show(ctx)
        return
    try:
        change = parse_change(ctx.args)
    except ScheduleInputError as problem:
        await ctx.reply(ctx.t(f"schedule.error_{problem.code}") + "\n\n" + ctx.t("schedule.help"))
        return
    services = ctx.services
    actor = ctx.caller.member.id if ctx.caller.member else None
    now = ctx.now
    async with services.db.write() as conn:
        repos = Repos(conn)
        if change.quiet is not None:
            await repos.schedules.set_quiet(change.quiet, by=actor, now=now)
            value = str(change.quiet)
        else:
            assert change.weekly is not None
            await repos.schedules.set_weekly(change.name, change.weekly, by=actor, now=now)
            value = f"{change.weekly.weekday} {change.weekly.at:%H:%M}"
        await repos.audit.record(actor=actor, action="schedule.change", target=change.name,
                                 now=now, value=value)
    if services.scheduling is not None:
        await services.scheduling.reschedule()
    current = await services.read.schedules.current(default_quiet(services))
    shown = (_quiet(ctx, current.quiet) if change.name == QUIET
             else _weekly(ctx, change.weekly) if change.weekly else "")
    text = ctx.t("schedule.changed", value=f"{ctx.t(f'schedule.name_{change.name}')}: {shown}")
    if change.weekly is not None and current.quiet.contains(change.weekly.at):
        text += "\n" + ctx.t("schedule.in_quiet", end=f"{current.quiet.end:%H:%M}")
    await ctx.reply(text)


feature = Feature(commands=(
    Command("schedule", schedule, requires=Action.MANAGE_SCHEDULE, members_only=True),
))
