"""/undo and /my: a member's own recent sessions, to take back the last one or see totals."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from bot.core.assistance import can_undo
from bot.core.calendar import this_month, this_week
from bot.core.callback_data import ID, Field, Ref, Values, Verb
from bot.core.chat import Button
from bot.core.flows import LogFlow
from bot.core.models import Category, Session
from handlers.kit.context import Ctx
from handlers.kit.main_menu import member_menu
from handlers.kit.month_lock import refused_by_lock
from handlers.kit.routing import press_of
from handlers.logging.steps import category_label, next_step
from storage.repos import Repos

RECENT = 5

_SESSION = (Field("session", ID, ref=Ref.OWN_SESSION),)


@dataclass(frozen=True)
class OfSession(Values):
    session: int


UNDO_DELETE = Verb("undo", "del", _SESSION, shape=OfSession)
UNDO_EDIT = Verb("undo", "edit", _SESSION, shape=OfSession)
UNDO_KEEP = Verb("undo", "keep", _SESSION, shape=OfSession)


# --- /undo and /my --------------------------------------------------------------------------------


async def undo(ctx: Ctx) -> None:
    member = ctx.caller.member
    assert member is not None
    latest = await ctx.services.read.sessions.latest_of(member.id, limit=1)
    window = timedelta(hours=ctx.services.settings.undo_window_hours)
    if not latest or not can_undo(latest[0].created_at, ctx.now, window):
        await ctx.reply(ctx.t("undo.nothing", hours=ctx.services.settings.undo_window_hours))
        return
    session = latest[0]
    line = await _session_line(ctx, session)
    await ctx.reply(ctx.t("undo.confirm", entry=line), buttons=(
        (Button(ctx.t("undo.delete"), UNDO_DELETE.pack(session.id)),
         Button(ctx.t("undo.edit"), UNDO_EDIT.pack(session.id))),
        (Button(ctx.t("undo.keep"), UNDO_KEEP.pack(session.id)),),
    ))


async def undo_button(ctx: Ctx) -> None:
    press = press_of(ctx)
    member = ctx.caller.member
    session = await ctx.services.read.sessions.get(OfSession.of(press).session)
    window = timedelta(hours=ctx.services.settings.undo_window_hours)
    if (member is None or session is None or session.member_id != member.id
            or session.deleted_at is not None or not can_undo(session.created_at, ctx.now,
                                                              window)):
        await ctx.answer(ctx.t("undo.too_late"))
        return
    if press.verb is UNDO_KEEP:
        await ctx.answer(ctx.t("undo.kept"))
    elif await refused_by_lock(ctx, session.commune_code, session.session_date):
        return
    elif press.verb is UNDO_DELETE:
        async with ctx.services.db.write() as conn:
            await Repos(conn).sessions.delete(session.id, ctx.now)
        await ctx.answer(ctx.t("undo.deleted", entry=await _session_line(ctx, session)))
    elif press.verb is UNDO_EDIT:
        await next_step(ctx, LogFlow(id=secrets.token_hex(3), category=session.category_id,
                                 citizens=session.citizens, day=session.session_date,
                                 note=session.note, photo=session.photo_ref,
                                 replaces=session.id))


async def my(ctx: Ctx) -> None:
    member = ctx.caller.member
    assert member is not None
    today = ctx.today
    read = ctx.services.read
    categories = {c.id: c for c in await read.categories.all()}
    t = ctx.services.t
    lines = [ctx.t("my.title")]
    for key, period in (("my.week", this_week(today)), ("my.month", this_month(today))):
        start, end = period.start, period.end
        tallies = await read.tallies.member_by_category(member.id, start, end)
        citizens = sum(x.citizens for x in tallies.values())
        sessions = sum(x.sessions for x in tallies.values())
        lines += ["", ctx.t(key, start=t.date(ctx.lang, start)[:5], end=t.date(ctx.lang, end)[:5],
                            citizens=t.number(ctx.lang, citizens),
                            sessions=t.number(ctx.lang, sessions))]
        for cat_id, tally in sorted(tallies.items(), key=lambda item: -item[1].citizens):
            lines.append(ctx.t("my.category_line", category=category_label(ctx,
                                                                          categories[cat_id]),
                               citizens=t.number(ctx.lang, tally.citizens)))
    recent = await read.sessions.latest_of(member.id, limit=RECENT)
    lines += ["", ctx.t("my.recent") if recent else ctx.t("my.none_yet")]
    for session in recent:
        lines.append("• " + await _session_line(ctx, session, categories))
    await ctx.reply("\n".join(lines), menu=member_menu(ctx))

async def _session_line(ctx: Ctx, session: Session,
                        categories: dict[int, Category] | None = None) -> str:
    category = (categories or {}).get(session.category_id) or \
        await ctx.services.read.categories.get(session.category_id)
    assert category is not None
    t = ctx.services.t
    return ctx.t("log.entry_line", date=t.date(ctx.lang, session.session_date)[:5],
                 category=category_label(ctx, category),
                 count=t.number(ctx.lang, session.citizens))

