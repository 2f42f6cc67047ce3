"""The lock of an approved month, as the flows that change sessions meet it (logging, /undo).

A commune's month approved with /approve is locked: storage refuses any change of its sessions
(migration 0014's triggers). The flows ask first, so a member gets a polite answer naming who
approved and who can reopen it, instead of an error.
"""

from __future__ import annotations

from datetime import date

from bot.core.calendar import month
from handlers.kit.context import Ctx


async def refused_by_lock(ctx: Ctx, commune: str | None, day: date) -> bool:
    """If sessions of ``commune`` dated ``day`` are locked by an approval, say so and return
    True."""
    lock = await ctx.services.quick.approvals.lock_of(commune, day)
    if lock is None:
        return False
    place = await ctx.services.quick.geo.commune(lock.scope_id)
    await ctx.reply(ctx.t("approve.locked", month=month(day.year, day.month).label(ctx.lang),
                          commune=place.name if place else lock.scope_id,
                          who=lock.by_name or ctx.t("audit.system"),
                          when=ctx.services.t.date(ctx.lang, lock.approved_at.date())))
    return True
